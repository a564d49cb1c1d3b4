//! The span-preserving document: the parsed TOML with the byte span of every key and value,
//! read into the serde mirror ([`RawScenario`]), and used to put a line and column on every
//! problem (syntax errors, serde's refusals reworded, validation's findings by field path).
//!
//! May call: `raw::sections` (the mirror), `scenario::error` (positions, suggestions), toml.

use super::sections::RawScenario;
use crate::scenario::error::{self, did_you_mean, line_col, Problem};
use serde::Deserialize;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// The parsed TOML with the byte span of every key and value, to put line numbers on problems.
pub(crate) struct Document<'a> {
    text: &'a str,
    root: Spanned<DeTable<'a>>,
}

/// One step of a field path: `producers[1].rate` is `Key("producers"), Index(1), Key("rate")`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        // `rest` is `1]` or `1][2]`.
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Seg::Index(i));
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    out
}

fn join(path: &str, seg: &Seg) -> String {
    match seg {
        Seg::Key(k) if path.is_empty() => k.to_string(),
        Seg::Key(k) => format!("{path}.{k}"),
        Seg::Index(i) => format!("{path}[{i}]"),
    }
}

impl<'a> Document<'a> {
    /// Parse the TOML syntax; a syntax error becomes one [`Problem`] with its position.
    pub fn parse(text: &'a str) -> Result<Self, Problem> {
        match DeTable::parse(text) {
            Ok(root) => Ok(Document { text, root }),
            Err(e) => {
                let mut message = e.message().trim().replace('\n', "; ");
                let mut at = e.span().map(|span| span.start);
                // The reader's limit on dotted keys is reported without a position: find the key.
                if at.is_none() && message == "recursion limit" {
                    if let Some((offset, parts)) = long_dotted_key(text, TOML_KEY_PARTS_MAX) {
                        at = Some(offset);
                        message = format!(
                            "recursion limit: a dotted key of {parts} parts; the TOML reader takes at most {TOML_KEY_PARTS_MAX} (scenario fields are a few levels deep, like producers.keys.hot)"
                        );
                    }
                }
                let (line, column) = match at {
                    Some(offset) => {
                        let (l, c) = line_col(text, offset);
                        (Some(l), Some(c))
                    }
                    None => (None, None),
                };
                Err(Problem {
                    path: String::new(),
                    line,
                    column,
                    message: format!("invalid TOML: {message}"),
                })
            }
        }
    }

    /// Deserialize the serde mirror; a failure becomes one [`Problem`] naming its field.
    pub fn mirror(&self) -> Result<RawScenario, Problem> {
        RawScenario::deserialize(toml::de::Deserializer::from(self.root.clone())).map_err(|e| {
            let Some(span) = e.span() else {
                return Problem { path: String::new(), line: None, column: None, message: e.message().to_string() };
            };
            let (path, on_key) = self.path_at(span.start);
            let (line, column) = line_col(self.text, span.start);
            let (path, message) = if !on_key && self.value_at(&path).is_some_and(DeValue::is_datetime) {
                let m = "a TOML date or time is not a scenario value; durations are strings with a unit, like \"10m\"";
                (path, m.to_string())
            } else {
                reword_serde(path, on_key, e.message())
            };
            Problem { path, line: Some(line), column: Some(column), message }
        })
    }

    /// Locate a problem found by validation: the position of the field's value, or of the
    /// nearest enclosing table that exists when the field itself is absent (a missing field of
    /// the top level has no line).
    pub fn locate(&self, path: String, message: String) -> Problem {
        let mut one = self.locate_all(vec![(path, message)]);
        one.remove(0)
    }

    /// Locate every problem found by validation (see `locate`), with one pass over the text
    /// for all their positions (a large file may have a problem on each of many lines).
    pub fn locate_all(&self, found: Vec<(String, String)>) -> Vec<Problem> {
        let spans: Vec<Option<Range<usize>>> = found.iter().map(|(path, _)| self.span_of(path)).collect();
        let offsets: Vec<usize> = spans.iter().map(|s| s.as_ref().map_or(0, |s| s.start)).collect();
        let positions = error::line_cols(self.text, &offsets);
        found
            .into_iter()
            .zip(spans.iter().zip(positions))
            .map(|((path, message), (span, (line, column)))| match span {
                Some(_) => Problem { path, line: Some(line), column: Some(column), message },
                None => Problem { path, line: None, column: None, message },
            })
            .collect()
    }

    /// Span of the value at `path`, or of its deepest existing ancestor (`None` for the root).
    fn span_of(&self, path: &str) -> Option<Range<usize>> {
        self.deepest(path).0.map(|v| v.span())
    }

    /// The value at `path`, if it exists.
    fn value_at(&self, path: &str) -> Option<&DeValue<'a>> {
        match self.deepest(path) {
            (Some(v), true) => Some(v.get_ref()),
            _ => None,
        }
    }

    /// The deepest existing value along `path`, and whether it is the whole path.
    fn deepest(&self, path: &str) -> (Option<&Spanned<DeValue<'a>>>, bool) {
        let mut found: Option<&Spanned<DeValue<'a>>> = None;
        let mut table: Option<&DeTable<'a>> = Some(self.root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'a>>]> = None;
        for seg in segments(path) {
            let next = match (seg, table, array) {
                (Seg::Key(k), Some(t), _) => t.get(k),
                (Seg::Index(i), _, Some(a)) => a.get(i),
                _ => None,
            };
            let Some(value) = next else { return (found, false) };
            found = Some(value);
            table = value.get_ref().as_table();
            array = value.get_ref().as_array().map(|a| a.as_ref());
        }
        (found, true)
    }

    /// Path of the innermost key or value whose span contains `offset`, and whether it was the
    /// key (an unknown field is reported on its key).
    fn path_at(&self, offset: usize) -> (String, bool) {
        let mut best: Option<(usize, String, bool)> = None;
        let mut consider = |span: Range<usize>, path: &str, on_key: bool| {
            if span.start <= offset && offset < span.end.max(span.start + 1) {
                let len = span.end - span.start;
                if best.as_ref().is_none_or(|b| len <= b.0) {
                    best = Some((len, path.to_string(), on_key));
                }
            }
        };
        // Iterative walk: documents are small, but nesting depth is the user's choice.
        let mut stack: Vec<(String, &DeValue)> = Vec::new();
        for (k, v) in self.root.get_ref().iter() {
            let p = join("", &Seg::Key(k.get_ref()));
            consider(k.span(), &p, true);
            consider(v.span(), &p, false);
            stack.push((p, v.get_ref()));
        }
        while let Some((path, value)) = stack.pop() {
            if let Some(t) = value.as_table() {
                for (k, v) in t.iter() {
                    let p = join(&path, &Seg::Key(k.get_ref()));
                    consider(k.span(), &p, true);
                    consider(v.span(), &p, false);
                    stack.push((p, v.get_ref()));
                }
            } else if let Some(a) = value.as_array() {
                for (i, v) in a.iter().enumerate() {
                    let p = join(&path, &Seg::Index(i));
                    consider(v.span(), &p, false);
                    stack.push((p, v.get_ref()));
                }
            }
        }
        best.map_or((String::new(), false), |b| (b.1, b.2))
    }
}

/// Parts of the longest dotted key (`a.b.c` has 3) the `toml` crate reads: it refuses a key
/// whose parts before the last number 80 or more (`LIMIT` in
/// https://github.com/toml-rs/toml/blob/main/crates/toml/src/de/parser/mod.rs, checked in
/// `de/parser/key.rs`), with an error that has no position.
const TOML_KEY_PARTS_MAX: usize = 80;

/// Byte offset and number of parts of the first dotted key in `text` with more than `max` parts
/// (or of the longest one, if none has: the reader's count may differ from this scan's). A
/// small scanner, only for placing that one error: bare keys and quoted strings are parts,
/// dots join them (spaces and tabs allowed around), comments and anything else end a key.
fn long_dotted_key(text: &str, max: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let bare = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let mut longest: Option<(usize, usize)> = None;
    // The key being read: its start and parts so far, and whether a dot awaits the next part.
    let mut key: Option<(usize, usize)> = None;
    let mut after_dot = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let part_end = if bare(c) {
            Some(i + b[i..].iter().position(|&c| !bare(c)).unwrap_or(b.len() - i))
        } else if c == b'"' || c == b'\'' {
            Some(string_end(b, i))
        } else {
            None
        };
        if let Some(end) = part_end {
            let k = match key {
                Some((start, parts)) if after_dot => (start, parts + 1),
                _ => (i, 1),
            };
            key = Some(k);
            after_dot = false;
            if longest.is_none_or(|l| k.1 > l.1) {
                longest = Some(k);
            }
            i = end;
            continue;
        }
        match c {
            b' ' | b'\t' => {}
            b'.' if key.is_some() && !after_dot => after_dot = true,
            _ => {
                // The key ends here.
                if key.is_some_and(|k| k.1 > max) {
                    return key;
                }
                key = None;
                after_dot = false;
                if c == b'#' {
                    i += b[i..].iter().position(|&c| c == b'\n').unwrap_or(b.len() - i);
                    continue;
                }
            }
        }
        i += 1;
    }
    longest.filter(|l| l.1 > 1)
}

/// End (exclusive) of the TOML string that starts at `b[start]` (a quote): basic or literal,
/// one-line or multi-line; the end of the text if it is not closed.
fn string_end(b: &[u8], start: usize) -> usize {
    let q = b[start];
    let triple = b[start..].starts_with(&[q, q, q]);
    let mut i = start + if triple { 3 } else { 1 };
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 1,
            b'\n' if !triple => return i,
            c if c == q && (!triple || b[i..].starts_with(&[q, q, q])) => {
                return i + if triple { 3 } else { 1 };
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Serde's words, made specific: unknown fields get a suggestion and are reported on their
/// table; serde's type names become TOML's.
fn reword_serde(path: String, on_key: bool, message: &str) -> (String, String) {
    let message = message.trim().replace('\n', "; ");
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        // The expected names are the other back-quoted words.
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let parent = if on_key {
            match path.rfind(['.', '[']) {
                Some(i) if path[i..].starts_with('.') => path[..i].to_string(),
                Some(_) => path,
                None => String::new(),
            }
        } else {
            path
        };
        let text = match did_you_mean(field, expected.iter().copied()) {
            Some(s) => format!("unknown field `{field}`; did you mean `{s}`?"),
            None if expected.is_empty() => format!("unknown field `{field}`"),
            None => {
                format!("unknown field `{field}`; expected one of {}", error::or_list(&expected, '`'))
            }
        };
        return (parent, text);
    }
    let mut text = message
        .replace("invalid type: map", "invalid type: table")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("expected a sequence", "expected an array");
    if path == "producers" && text.contains("expected an array") {
        text = "producers must be an array of tables: write each one as [[producers]] (double brackets)"
            .to_string();
    }
    (path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_segments() {
        assert_eq!(
            segments("producers[1].rate.steps[0].at"),
            vec![
                Seg::Key("producers"),
                Seg::Index(1),
                Seg::Key("rate"),
                Seg::Key("steps"),
                Seg::Index(0),
                Seg::Key("at")
            ]
        );
        assert_eq!(segments(""), vec![]);
        assert_eq!(
            segments("a[x]..b[1][2]"),
            vec![Seg::Key("a"), Seg::Key("b"), Seg::Index(1), Seg::Index(2)]
        );
    }

    #[test]
    fn spans_resolve_to_fields_or_their_tables() {
        let text = "name = \"x\"\n[stream]\nshards = 1\n\n[[producers]]\nname = \"a\"\n[[producers]]\nname = \"b\"\nrate = { shape = \"steps\", steps = [ { at = \"0s\", rate = 1 } ] }\n";
        let doc = Document::parse(text).unwrap();
        let at = |p: &str| {
            let pr = doc.locate(p.to_string(), String::new());
            (pr.line, pr.column)
        };
        assert_eq!(at("stream.shards"), (Some(3), Some(10)));
        assert_eq!(at("stream.retention"), (Some(2), Some(1)));
        assert_eq!(at("producers[1].name"), (Some(8), Some(8)));
        assert_eq!(at("producers[0].record_size"), (Some(5), Some(1)));
        assert_eq!(at("producers[1].rate.steps[0].rate"), (Some(9), Some(57)));
        assert_eq!(at("producers[1].rate.steps[3].rate"), (Some(9), Some(35)));
        assert_eq!(at("duration"), (None, None));
        assert_eq!(
            doc.path_at(text.find("rate = 1").unwrap()),
            ("producers[1].rate.steps[0].rate".into(), true)
        );
        assert_eq!(doc.path_at(text.find("\"b\"").unwrap()), ("producers[1].name".into(), false));
    }

    #[test]
    fn unknown_fields_get_suggestions_on_their_table() {
        let text = "name = \"x\"\n[[producers]]\nname = \"a\"\nrat = 5\n";
        let doc = Document::parse(text).unwrap();
        let p = doc.mirror().unwrap_err();
        assert_eq!(p.path, "producers[0]");
        assert_eq!((p.line, p.column), (Some(4), Some(1)));
        assert_eq!(p.message, "unknown field `rat`; did you mean `rate`?");
        let p = Document::parse("nmae = 1").unwrap().mirror().unwrap_err();
        assert_eq!((p.path.as_str(), p.message.as_str()), ("", "unknown field `nmae`; did you mean `name`?"));
    }

    #[test]
    fn a_dotted_key_too_deep_for_the_reader_has_a_position() {
        let deep = vec!["a"; 5000].join(".");
        let text = format!("name = \"x\" # a.b.c\ns = \"x.y.z\"\n{deep} = 1\n");
        let p = Document::parse(&text).err().unwrap();
        assert_eq!((p.line, p.column), (Some(3), Some(1)), "{}", p.message);
        assert!(p.message.contains("a dotted key of 5000 parts"), "{}", p.message);
        let text = format!("name = \"x\"\n[stream]\nx = {{ \"q.q\" . {deep} = 1 }}\n");
        let p = Document::parse(&text).err().unwrap();
        assert_eq!((p.line, p.column), (Some(3), Some(7)), "{}", p.message);
        let text = format!("name = '''\n{deep}'''\n[{deep}]\n");
        let p = Document::parse(&text).err().unwrap();
        assert_eq!((p.line, p.column), (Some(3), Some(2)), "{}", p.message);
        // At the limit: read.
        let text = format!("{} = 1\n", vec!["a"; TOML_KEY_PARTS_MAX].join("."));
        assert!(Document::parse(&text).is_ok());
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let p = Document::parse("name = \"x\"\nshards = = 4\n").err().unwrap();
        assert_eq!(p.line, Some(2));
        assert!(p.message.starts_with("invalid TOML"), "{}", p.message);
    }
}
