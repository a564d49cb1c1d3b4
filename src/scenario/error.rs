//! What went wrong with a scenario file, worded for the person who wrote it.
//!
//! A [`ScenarioError`] carries the file name and every [`Problem`] found; each problem names the
//! field (`producers[1].record_size`), its line and column when known, and what to do. All
//! scenario errors are bad input (exit code 2): none is a fault of kinesim.
//!
//! A leaf of the scenario layer: may call the standard library only.

use std::fmt;

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path, like `producers[1].record_size`; `""` for the whole file.
    pub path: String,
    /// 1-based line of the field (or of its table when the field is missing), if known.
    pub line: Option<usize>,
    /// 1-based column [characters], if known.
    pub column: Option<usize>,
    /// What is wrong and, where it helps, what would be right.
    pub message: String,
}

/// A scenario that could not be loaded: the file could not be read, is not TOML, or breaks
/// rules of the format. `Display` prints every problem, one per line:
///
/// ```text
/// error: scenarios/x.toml:12:15: producers[0].record_size: expected a size like "100B", ...
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct ScenarioError {
    file: String,
    problems: Vec<Problem>,
    #[source]
    io: Option<std::io::Error>,
}

impl ScenarioError {
    /// The file could not be read.
    pub(crate) fn io(file: String, err: std::io::Error) -> Self {
        let message = format!("cannot read scenario file {file}: {err}");
        let problem = Problem { path: String::new(), line: None, column: None, message };
        ScenarioError { file, problems: vec![problem], io: Some(err) }
    }

    /// The file was read but is not a valid scenario. Problems are sorted by line (problems
    /// without a line first), keeping the order they were found in within a line.
    pub(crate) fn invalid(file: String, mut problems: Vec<Problem>) -> Self {
        problems.sort_by_key(|p| (p.line, p.column));
        ScenarioError { file, problems, io: None }
    }

    /// Every problem found (at least one).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The scenario file as given by the caller, or `<input>` for text without a file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// True when the file could not be read at all (missing, unreadable).
    pub fn is_io(&self) -> bool {
        self.io.is_some()
    }

    fn render(&self) -> String {
        let lines: Vec<String> = self
            .problems
            .iter()
            .map(|p| {
                if self.io.is_some() {
                    format!("error: {}", p.message)
                } else {
                    render_problem(&self.file, p)
                }
            })
            .collect();
        lines.join("\n")
    }
}

fn render_problem(file: &str, p: &Problem) -> String {
    let mut s = format!("error: {file}");
    if let Some(line) = p.line {
        s.push_str(&format!(":{line}"));
        if let Some(col) = p.column {
            s.push_str(&format!(":{col}"));
        }
    }
    s.push_str(": ");
    if !p.path.is_empty() {
        s.push_str(&p.path);
        s.push_str(": ");
    }
    s.push_str(&p.message);
    s
}

impl fmt::Display for Problem {
    /// `line:column: path: message` (without the file name).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "{line}:")?;
            if let Some(col) = self.column {
                write!(f, "{col}:")?;
            }
            write!(f, " ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// The candidate closest to `word`, if it is close enough to be what was meant.
pub(crate) fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let lower = c.to_ascii_lowercase();
            let score = strsim::normalized_damerau_levenshtein(&word, &lower)
                .max(strsim::jaro_winkler(&word, &lower) - 0.2);
            (c, score)
        })
        .filter(|(_, score)| *score >= 0.6)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// `` `a`, `b` or `c` `` / `"a", "b" or "c"`, with `quote` around each item.
pub(crate) fn or_list(items: &[&str], quote: char) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("{quote}{i}{quote}")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// 1-based line and column [characters] of byte `offset` in `text` (clamped to the text).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    line_cols(text, &[offset])[0]
}

/// [`line_col`] of many offsets in one pass over `text`: linear in the text plus n log n in the
/// offsets, where one [`line_col`] per offset would rescan the text from its start each time
/// (quadratic when a large file has a problem on every line).
pub(crate) fn line_cols(text: &str, offsets: &[usize]) -> Vec<(usize, usize)> {
    let clamp = |offset: usize| {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    };
    let mut order: Vec<usize> = (0..offsets.len()).collect();
    order.sort_by_key(|&i| offsets[i]);
    let mut out = vec![(1, 1); offsets.len()];
    // Position reached so far, and its line and column.
    let (mut at, mut line, mut column) = (0, 1, 1);
    for i in order {
        // Clamping keeps the order, so `to >= at`.
        let to = clamp(offsets[i]).max(at);
        for ch in text[at..to].chars() {
            if ch == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        at = to;
        out[i] = (line, column);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_typos_only() {
        let fields = [
            "name",
            "rate",
            "arrivals",
            "record_size",
            "keys",
            "batch",
            "retry",
            "buffer_records",
            "put_rtt",
        ];
        assert_eq!(did_you_mean("rat", fields), Some("rate"));
        assert_eq!(did_you_mean("recrod_size", fields), Some("record_size"));
        assert_eq!(did_you_mean("record-size", fields), Some("record_size"));
        assert_eq!(did_you_mean("Arrivals", fields), Some("arrivals"));
        assert_eq!(did_you_mean("buffer", fields), Some("buffer_records"));
        assert_eq!(did_you_mean("colour", fields), None);
        assert_eq!(did_you_mean("provisoned", ["provisioned", "on-demand"]), Some("provisioned"));
        assert_eq!(did_you_mean("ondemand", ["provisioned", "on-demand"]), Some("on-demand"));
        assert_eq!(did_you_mean("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn positions_are_one_based_and_never_panic() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 10), (2, 4));
        assert_eq!(line_col(text, 8), (2, 2)); // inside "é": clamped back to its start
        assert_eq!(line_col(text, 10_000), (3, 1));
        let offsets = [10_000, 8, 0, 10, 6, 6];
        let one_by_one: Vec<(usize, usize)> = offsets.iter().map(|&o| line_col(text, o)).collect();
        assert_eq!(line_cols(text, &offsets), one_by_one);
        assert_eq!(one_by_one, vec![(3, 1), (2, 2), (1, 1), (2, 4), (2, 1), (2, 1)]);
    }

    #[test]
    fn display_names_file_line_and_field() {
        let e = ScenarioError::invalid(
            "x.toml".into(),
            vec![
                Problem {
                    path: "producers[0].rate".into(),
                    line: Some(12),
                    column: Some(8),
                    message: "bad".into(),
                },
                Problem { path: "name".into(), line: None, column: None, message: "missing".into() },
                Problem { path: String::new(), line: Some(1), column: Some(1), message: "whole".into() },
            ],
        );
        assert_eq!(
            e.to_string(),
            "error: x.toml: name: missing\nerror: x.toml:1:1: whole\nerror: x.toml:12:8: producers[0].rate: bad"
        );
        assert_eq!(e.problems().len(), 3);
        let io =
            ScenarioError::io("gone.toml".into(), std::io::Error::new(std::io::ErrorKind::NotFound, "nope"));
        assert_eq!(io.to_string(), "error: cannot read scenario file gone.toml: nope");
        assert!(io.is_io());
        assert_eq!(or_list(&["a", "b", "c"], '"'), "\"a\", \"b\" or \"c\"");
        assert_eq!(or_list(&["a"], '`'), "`a`");
    }
}
