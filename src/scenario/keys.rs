//! A producer's `keys`: the partition-key distribution (uniform, Zipf, hot keys over template
//! keys, random), with the partition-key length limit and the hot-key rules.
//!
//! May call: `checker`, `raw`, `types`, `defaults`.

use super::checker::{choice, field, int, only_fields, positive, text, Checker};
use super::defaults as d;
use super::error::or_list;
use super::raw::choices::KEY_DISTRIBUTIONS;
use super::raw::{RawHotKey, RawKeys};
use super::types::KeySpec;
use crate::limits;

/// A producer's `keys`: the default uniform keys when absent.
pub(super) fn keys(c: &mut Checker, path: &str, v: Option<&RawKeys>) -> Option<KeySpec> {
    let Some(k) = v else {
        return Some(KeySpec::Uniform { count: d::KEY_COUNT, template: d::KEY_TEMPLATE.to_string() });
    };
    let f = |name: &str| field(path, name);
    let dist = match &k.distribution {
        None => {
            return c.missing(
                &f("distribution"),
                &format!("a keys table needs `distribution`: {}", or_list(&KEY_DISTRIBUTIONS, '"')),
            )
        }
        Some(v) => choice(c, &f("distribution"), v, &KEY_DISTRIBUTIONS)?,
    };
    let allowed: &[&str] = match dist {
        "uniform" => &["count", "template"],
        "zipf" => &["count", "exponent", "template"],
        "hot" => &["hot", "count", "template"],
        _ => &[],
    };
    only_fields(c, path, "distribution", dist, &k.present(), allowed);
    if dist == "random" {
        return Some(KeySpec::Random);
    }
    let min_count = if dist == "hot" { 0 } else { 1 };
    let count = match &k.count {
        None => Some(d::KEY_COUNT),
        Some(v) => int(c, &f("count"), v, min_count, d::KEY_COUNT_MAX as i64, "number of distinct keys")
            .map(|n| n as u64),
    };
    let template = match &k.template {
        None => Some(d::KEY_TEMPLATE.to_string()),
        Some(v) => text(c, &f("template"), v).and_then(|t| {
            if t.matches("{}").count() == 1 {
                Some(t.to_string())
            } else {
                c.err(
                    &f("template"),
                    format!(
                        "must contain \"{{}}\" exactly once (it is replaced by the key number), found {t:?}"
                    ),
                );
                None
            }
        }),
    };
    // AWS: a partition key is 1..=256 Unicode characters; check the longest generated one.
    if let (Some(n), Some(t)) = (count, &template) {
        if n > 0 {
            let longest = t.replacen("{}", &(n - 1).to_string(), 1);
            let chars = longest.chars().count();
            if chars > limits::PARTITION_KEY_MAX_CHARS {
                let where_ = if k.template.is_some() { f("template") } else { f("count") };
                c.err(
                    &where_,
                    format!(
                        "generated keys are up to {chars} characters long ({}); a partition key is at most {} Unicode characters",
                        shorten(&longest),
                        limits::PARTITION_KEY_MAX_CHARS
                    ),
                );
            }
        }
    }
    match dist {
        "uniform" => Some(KeySpec::Uniform { count: count?, template: template? }),
        "zipf" => {
            let exponent = match &k.exponent {
                None => c.missing(
                    &f("exponent"),
                    "distribution \"zipf\" needs `exponent` (> 0; 1 is classic Zipf)",
                ),
                Some(v) => positive(c, &f("exponent"), v, f64::MAX, "Zipf exponent"),
            };
            Some(KeySpec::Zipf { count: count?, exponent: exponent?, template: template? })
        }
        _ => {
            let hot = hot_keys(c, &f("hot"), k.hot.as_ref());
            if let (Some(hot), Some(n)) = (&hot, count) {
                let sum: f64 = hot.iter().map(|h| h.1).sum();
                if sum > 1.0 + d::SHARE_SUM_TOLERANCE {
                    c.err(
                        &f("hot"),
                        format!("the shares add up to {}; they must add up to at most 1", round6(sum)),
                    );
                    return None;
                }
                if sum < 1.0 - d::SHARE_SUM_TOLERANCE && n == 0 {
                    c.err(
                        &f("count"),
                        format!(
                            "must be at least 1: the hot keys take {} of the traffic and the rest needs template keys",
                            round6(sum)
                        ),
                    );
                    return None;
                }
            }
            if let (Some(hot), Some(n), Some(t)) = (&hot, count, &template) {
                // A hot key the template also makes would be drawn as both: its hot share plus
                // a uniform share of the rest, more than written.
                let (prefix, suffix) = t.split_once("{}").unwrap_or((t.as_str(), ""));
                let mut clash = false;
                for (i, (key, _)) in hot.iter().enumerate() {
                    if let Some(k) = template_index(key, prefix, suffix).filter(|&k| k < n) {
                        c.err(
                            &format!("{}[{i}].key", f("hot")),
                            format!(
                                "hot key {key:?} is also template key number {k} ({t:?} makes keys 0 to {} with count = {n}): it would get its share and a uniform share of the rest as well, more than written; use a key the template does not make",
                                n - 1
                            ),
                        );
                        clash = true;
                    }
                }
                if clash {
                    return None;
                }
            }
            Some(KeySpec::Hot { hot: hot?, count: count?, template: template? })
        }
    }
}

fn hot_keys(c: &mut Checker, path: &str, v: Option<&Vec<RawHotKey>>) -> Option<Vec<(String, f64)>> {
    let Some(list) = v else {
        return c
            .missing(path, "distribution \"hot\" needs hot = [ { key = \"celebrity\", share = 0.4 }, ... ]");
    };
    if list.is_empty() {
        c.err(path, "needs at least one hot key, like { key = \"celebrity\", share = 0.4 }");
        return None;
    }
    let mut out = Vec::with_capacity(list.len());
    // Keys seen so far: a set, so a list of hundreds of thousands of keys checks in linear time.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::with_capacity(list.len());
    for (k, h) in list.iter().enumerate() {
        let here = format!("{path}[{k}]");
        let key = match &h.key {
            None => c.missing(&field(&here, "key"), "each hot key needs `key` and `share`"),
            Some(v) => text(c, &field(&here, "key"), v).and_then(|s| {
                let n = s.chars().count();
                if n == 0 || n > limits::PARTITION_KEY_MAX_CHARS {
                    c.err(
                        &field(&here, "key"),
                        format!(
                            "a partition key is 1 to {} Unicode characters, found {n} ({})",
                            limits::PARTITION_KEY_MAX_CHARS,
                            shorten(s)
                        ),
                    );
                    None
                } else if !seen.insert(s) {
                    c.err(&field(&here, "key"), format!("duplicate hot key {s:?}"));
                    None
                } else {
                    Some(s.to_string())
                }
            }),
        };
        let share = match &h.share {
            None => c.missing(&field(&here, "share"), "each hot key needs `key` and `share`"),
            Some(v) => positive(c, &field(&here, "share"), v, 1.0, "fraction of the producer's records"),
        };
        match (key, share) {
            (Some(k), Some(s)) => out.push((k, s)),
            _ => return finish_hot(c, path, list, k + 1),
        }
    }
    Some(out)
}

/// The number `k` when `key` is what the template `prefix{}suffix` makes of `k` (written as
/// `k.to_string()` writes it: digits, no leading zero, no sign).
fn template_index(key: &str, prefix: &str, suffix: &str) -> Option<u64> {
    let digits = key.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical {
        digits.parse().ok()
    } else {
        None
    }
}

/// After a bad hot key, still check the remaining ones (for their own problems), then fail.
fn finish_hot(c: &mut Checker, path: &str, list: &[RawHotKey], from: usize) -> Option<Vec<(String, f64)>> {
    for (k, h) in list.iter().enumerate().skip(from) {
        let here = format!("{path}[{k}]");
        if let Some(v) = &h.key {
            let _ = text(c, &field(&here, "key"), v);
        }
        if let Some(v) = &h.share {
            let _ = positive(c, &field(&here, "share"), v, 1.0, "fraction of the producer's records");
        }
    }
    None
}

/// `0.30000000000000004` -> `0.3`: a float for a message, to six decimals.
fn round6(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A long string shortened for a message: `"user-aaaa…aaaa-9"`.
fn shorten(s: &str) -> String {
    let n = s.chars().count();
    if n <= 40 {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(20).collect();
        let tail: String = s.chars().skip(n - 12).collect();
        format!("{:?}", format!("{head}…{tail}"))
    }
}

/// Bytes of the longest partition key a spec can produce (UTF-8).
pub(super) fn longest_key_bytes(spec: &KeySpec) -> u64 {
    let template_len = |t: &str, count: u64| {
        if count == 0 {
            0
        } else {
            (t.len() - 2 + (count - 1).to_string().len()) as u64
        }
    };
    match spec {
        KeySpec::Uniform { count, template } | KeySpec::Zipf { count, template, .. } => {
            template_len(template, *count)
        }
        KeySpec::Hot { hot, count, template } => {
            hot.iter().map(|h| h.0.len() as u64).max().unwrap_or(0).max(template_len(template, *count))
        }
        // 32 hex digits and 4 dashes.
        KeySpec::Random => 36,
    }
}
