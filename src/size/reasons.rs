//! Why the simulation and the textbook formula disagree, in plain words, from the runs: hot
//! keys (the hottest shard's share of the traffic against 1/N, and the biggest single key
//! against one shard's limit), bursts (peak against mean), the records/s limit the bytes
//! formula leaves out, Poisson seconds above the limit near it, and polling consumers sharing a
//! shard's read limit.

use super::{PointResult, Reason};
use crate::limits;
use crate::limits::{SHARD_WRITE_BYTES_PER_S, SHARD_WRITE_RECORDS_PER_S};
use crate::metrics::Textbook;
use crate::model::keys::KeySpace;
use crate::model::sizes::SizeSampler;
use crate::scenario::{Arrivals, CapacityMode, KeySpec, Scenario};
use crate::units::thousands;

/// Share of a producer's traffic carried by its most frequent key (0..1).
pub fn top_key_share(keys: &KeySpec) -> f64 {
    match keys {
        KeySpec::Uniform { count, .. } => 1.0 / (*count).max(1) as f64,
        KeySpec::Zipf { count, exponent, .. } => {
            // 1 / H(count, exponent): exact up to a million keys, an integral beyond.
            let n = (*count).max(1);
            let exact = n.min(1_000_000);
            let mut h: f64 = (1..=exact).map(|k| (k as f64).powf(-exponent)).sum();
            if n > exact {
                let (a, b) = (exact as f64 + 0.5, n as f64 + 0.5);
                h += if (exponent - 1.0).abs() < 1e-12 {
                    (b / a).ln()
                } else {
                    (b.powf(1.0 - exponent) - a.powf(1.0 - exponent)) / (1.0 - exponent)
                };
            }
            1.0 / h
        }
        KeySpec::Hot { hot, count, .. } => {
            let named: f64 = hot.iter().map(|(_, s)| *s).sum();
            let top = hot.iter().map(|(_, s)| *s).fold(0.0, f64::max);
            top.max((1.0 - named).max(0.0) / (*count).max(1) as f64)
        }
        KeySpec::Random => 0.0,
    }
}

/// The busiest single key at the peak: (share of all traffic, records/s, bytes/s).
fn hottest_key(sc: &Scenario, tb: &Textbook) -> (f64, f64, f64) {
    let mut best = (0.0, 0.0, 0.0);
    for p in &sc.producers {
        let share = top_key_share(&p.keys);
        let rate = share * p.rate.peak_rate(sc.duration);
        let size = SizeSampler::new(&p.record_size, sc.stream.max_record_size).mean()
            + KeySpace::mean_key_len(&p.keys);
        if rate > best.1 {
            let of_all = if tb.peak_records_per_s > 0.0 { rate / tb.peak_records_per_s } else { 0.0 };
            best = (of_all, rate, rate * size);
        }
    }
    best
}

fn pct(x: f64) -> String {
    let p = 100.0 * x;
    if p >= 10.0 || p == 0.0 {
        format!("{p:.0}%")
    } else if p >= 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.2}%")
    }
}

fn rate(x: f64) -> String {
    thousands(x.round().max(0.0) as u64)
}

fn shards(n: u64) -> String {
    format!("{n} shard{}", if n == 1 { "" } else { "s" })
}

/// The reasons, most decisive first.
pub fn explain(sc: &Scenario, points: &[PointResult], rec: Option<usize>, tb: &Textbook) -> Vec<Reason> {
    let mut out = Vec::new();
    let limit = SHARD_WRITE_RECORDS_PER_S as f64;
    let byte_limit = SHARD_WRITE_BYTES_PER_S as f64;
    let formula = tb.shards_at_peak_with_record_limit;

    // Hot keys: a single key above one shard's limit cannot be fixed by shards.
    let (key_share, key_rate, key_bytes) = hottest_key(sc, tb);
    let key_blocks = key_rate > limit || key_bytes > byte_limit;
    if key_blocks {
        let (what, amount, cap) = if key_rate > limit {
            ("records/s", rate(key_rate), "1,000 records/s")
        } else {
            ("bytes/s", rate(key_bytes), "1 MiB/s")
        };
        out.push(Reason {
            kind: "hot-key",
            text: format!(
                "one key carries {} of the traffic: {amount} {what} on one shard at the peak, more than any shard's {cap}; no shard count fixes it (a key always hashes to one shard: spread it, e.g. with a suffix)",
                pct(key_share)
            ),
        });
    }
    // The hottest shard against an even share, at the recommendation (or the largest
    // provisioned point tried).
    let reference = rec
        .filter(|&i| points[i].point.mode == CapacityMode::Provisioned)
        .or_else(|| points.iter().rposition(|p| p.point.mode == CapacityMode::Provisioned));
    if let Some(i) = reference {
        let p = &points[i];
        let n = p.point.shards.max(1);
        let even = 1.0 / f64::from(n);
        let share = p.runs.iter().map(|r| r.hottest_shard_key_share).fold(0.0, f64::max);
        let peak = p.runs.iter().map(|r| r.hottest_shard_peak_records_per_s).max().unwrap_or(0);
        if n > 1 && share > 1.25 * even && !key_blocks {
            out.push(Reason {
                kind: "hot-key",
                text: format!(
                    "keys are uneven: at {} the hottest shard gets {} of the traffic, {:.1}x the even 1/{n} = {}; it is offered up to {} records/s in one second while the formula assumes every shard carries the same",
                    shards(n.into()),
                    pct(share),
                    share / even,
                    pct(even),
                    thousands(peak)
                ),
            });
        }
    }
    // Bursts.
    if tb.mean_records_per_s > 0.0 && tb.peak_records_per_s > 1.05 * tb.mean_records_per_s {
        out.push(Reason {
            kind: "bursts",
            text: format!(
                "traffic peaks at {} records/s, {:.1}x its mean of {} records/s: the formula at the mean says {}, at the peak {}",
                rate(tb.peak_records_per_s),
                tb.peak_records_per_s / tb.mean_records_per_s,
                rate(tb.mean_records_per_s),
                shards(tb.shards_at_mean),
                shards(tb.shards_at_peak)
            ),
        });
    }
    // The records/s limit the bytes formula leaves out.
    if tb.shards_at_peak_with_record_limit > tb.shards_at_peak {
        out.push(Reason {
            kind: "record-limit",
            text: format!(
                "records are small ({} KiB after rounding up): the bytes formula says {} but {} records/s at the peak need {} at 1,000 records/s each",
                tb.avg_record_kib,
                shards(tb.shards_at_peak),
                rate(tb.peak_records_per_s),
                shards(tb.shards_at_peak_with_record_limit)
            ),
        });
    }
    // Poisson seconds above the limit at the formula's answer.
    let poisson = sc.producers.iter().any(|p| p.arrivals == Arrivals::Poisson);
    if poisson && formula > 0 && !key_blocks {
        let per_shard = tb.peak_records_per_s / formula as f64;
        if per_shard > 0.8 * limit {
            out.push(Reason {
                kind: "poisson",
                text: format!(
                    "at the formula's {} each shard averages {} records/s at the peak ({} of its limit); Poisson arrivals vary by about ±{} records/s from one second to the next, so some seconds go over 1,000 and throttle",
                    shards(formula),
                    rate(per_shard),
                    pct(per_shard / limit),
                    rate(per_shard.sqrt())
                ),
            });
        }
    }
    // Polling consumers share each shard's 2 MiB/s: the formula counts one reader.
    let polling = sc.consumers.iter().filter(|c| c.kind == crate::scenario::ConsumerKind::Polling).count();
    if polling > 1 {
        // Bytes as written (data + key, not rounded up to KiB), at each producer's peak.
        let peak_bytes: f64 = sc
            .producers
            .iter()
            .map(|p| {
                let size = SizeSampler::new(&p.record_size, sc.stream.max_record_size).mean()
                    + KeySpace::mean_key_len(&p.keys);
                p.rate.peak_rate(sc.duration) * size
            })
            .sum();
        let kib = peak_bytes / 1024.0;
        let read_kib = polling as f64 * kib;
        let per_shard_kib = limits::SHARD_READ_BYTES_PER_S as f64 / 1024.0;
        let need = (read_kib / per_shard_kib).ceil() as u64;
        if need >= 2 {
            out.push(Reason {
                kind: "consumers",
                text: format!(
                    "{polling} polling consumers each read all {} KiB/s at the peak, {} KiB/s in total, and polling consumers share each shard's 2 MiB/s read limit: the reads alone take {} (the formula's out_KiB/2048 term, {} with its rounding of records up to whole KiB), each shard's readers then asking for {} of its limit; near 100% they fall behind whenever a second runs above the mean, so an iterator-age SLO may ask for more (enhanced fan-out gives each consumer its own 2 MiB/s)",
                    rate(kib),
                    rate(read_kib),
                    shards(need),
                    shards(tb.shards_at_peak),
                    pct(read_kib / per_shard_kib / need.max(1) as f64)
                ),
            });
        }
    }
    // On-demand that throttles without growing: the run ended before a split.
    if let Some(p) = points.iter().find(|p| p.point.mode == CapacityMode::OnDemand && !p.meets_slo) {
        if p.runs.iter().all(|r| r.shards_final <= p.point.shards) {
            out.push(Reason {
                kind: "on-demand",
                text: format!(
                    "on-demand starts with {} and splits a busy shard only after {} (capacity.on_demand.split_delay): the {} s simulated are over before it grows, so it throttles like {} provisioned",
                    shards(p.point.shards.into()),
                    crate::units::format_duration(sc.capacity.on_demand.split_delay),
                    crate::units::to_secs_f64(sc.duration),
                    shards(p.point.shards.into())
                ),
            });
        }
    }
    match rec.map(|i| &points[i]) {
        Some(p)
            if p.point.mode == CapacityMode::Provisioned
                && p.runs.iter().any(|r| r.shards_max > p.point.shards) =>
        {
            let most = p.runs.iter().map(|r| r.shards_max).max().unwrap_or(p.point.shards);
            out.push(Reason {
                kind: "autoscaling",
                text: format!(
                    "the recommendation scales: it starts at {} and grows to {} when traffic needs it, so it pays for the peak only while the peak lasts (a fixed count pays for it all the time)",
                    shards(p.point.shards.into()),
                    shards(most.into())
                ),
            });
        }
        Some(p) if p.point.mode == CapacityMode::Provisioned => {
            let n = u64::from(p.point.shards);
            if n < tb.shards_at_peak && tb.avg_record_kib > 0.0 {
                out.push(Reason {
                    kind: "rounding",
                    text: format!(
                        "the formula rounds every record up to whole KiB ({} KiB here), so it counts more bytes than are sent: {} are enough",
                        tb.avg_record_kib,
                        shards(n)
                    ),
                });
            }
        }
        Some(_) => {}
        None => {
            let largest = points
                .iter()
                .filter(|p| p.point.mode == CapacityMode::Provisioned)
                .map(|p| p.point.shards)
                .max();
            let text = if key_blocks {
                "no point meets the SLO: the hot key throttles at every shard count tried, and more shards cannot help".to_string()
            } else {
                match largest {
                    Some(n) => format!(
                        "no point meets the SLO, not even {} (the largest tried); widen size.shards or relax the SLO",
                        shards(n.into())
                    ),
                    None => "no point meets the SLO; add \"provisioned\" to size.modes or relax the SLO".to_string(),
                }
            };
            out.push(Reason { kind: "no-point", text });
        }
    }
    out
}
