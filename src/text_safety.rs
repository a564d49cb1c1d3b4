//! Making the user's text safe where kinesim shows it: on a terminal, in `report.html` and in
//! the CSV files meant for spreadsheets. Descriptions, key templates, hot keys and partition
//! keys come from scenario files and the command line and may hold any character.
//!
//! - **Control characters** (Unicode category Cc: C0 U+0000..U+001F, DEL U+007F, C1
//!   U+0080..U+009F, exactly [`char::is_control`]) are never written raw: an escape sequence
//!   (`ESC [ 2 J`, `ESC ] 0 ; title BEL`, or the one-byte C1 CSI U+009B) could clear, retitle
//!   or rewrite the terminal of whoever prints the text
//!   (https://invisible-island.net/xterm/ctlseqs/ctlseqs.html). Each one is shown in the visible
//!   form Rust's `{:?}` uses, `\u{1b}` (lowercase hex in braces), the same everywhere so a
//!   reader can search for it. Multi-line text (a description) keeps `\n` and `\t`; one-line
//!   cells (a key in a table, a CSV cell) escape them too.
//! - **Spreadsheet formulas**: a CSV text cell starting with `=`, `+`, `-`, `@`, tab or carriage
//!   return is prefixed with `'`, as the OWASP guidance on CSV injection says
//!   (https://owasp.org/www-community/attacks/CSV_Injection). Only text cells: numeric columns
//!   (which may be legitimately negative) are written as numbers and never pass through here.

use std::borrow::Cow;
use std::fmt::Write;

/// `\u{1b}` for U+001B.
fn push_visible(out: &mut String, c: char) {
    // Writing to a String cannot fail.
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// `s` with every control character for which `escape(c)` holds in its visible form; borrowed
/// when there is none (the common case).
fn visible(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Multi-line text for a terminal: control characters other than `\n` and `\t` made visible.
pub fn terminal(s: &str) -> Cow<'_, str> {
    visible(s, |c| c.is_control() && c != '\n' && c != '\t')
}

/// One-line text for a terminal (a cell of a table): every control character made visible,
/// `\n` and `\t` too, so a value cannot break its row.
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    visible(s, char::is_control)
}

/// Text for HTML element content and attribute values: markup characters as entities and
/// control characters other than `\n` and `\t` in their visible form (an HTML page must not
/// hold them: https://html.spec.whatwg.org/multipage/parsing.html#preprocessing-the-input-stream
/// makes them parse errors, and a page printed with `cat` would run them).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A whole HTML page (or inlined SVG) with any control character other than `\n`, `\t` and
/// `\r` made visible: the last line of defence for text that reached the page without
/// [`html`] (chart labels drawn by a library).
pub fn html_page(s: &str) -> Cow<'_, str> {
    visible(s, |c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// One text cell of a CSV file meant for spreadsheets: control characters made visible (as
/// [`terminal_line`]), then, following OWASP's CSV injection guidance
/// (https://owasp.org/www-community/attacks/CSV_Injection), a cell that starts with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'` so a spreadsheet shows it as text instead
/// of evaluating it as a formula. Use it for text columns only (names, partition keys,
/// details); numbers, including negative ones, stay numbers.
pub fn csv_text(s: &str) -> Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let shown = terminal_line(s);
    if risky {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_keeps_lines_and_tabs_but_no_other_control() {
        assert_eq!(terminal("a\u{1b}[2Jb\n\tc\r\u{7f}\u{9b}"), "a\\u{1b}[2Jb\n\tc\\u{d}\\u{7f}\\u{9b}");
        assert!(matches!(terminal("plain é ✓"), Cow::Borrowed("plain é ✓")));
        assert_eq!(terminal_line("k\n\t\u{0}"), "k\\u{a}\\u{9}\\u{0}");
    }

    #[test]
    fn html_escapes_markup_and_controls() {
        assert_eq!(
            html("<b a=\"x\">&'\u{1b}\n</b>"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;\\u{1b}\n&lt;/b&gt;"
        );
        assert_eq!(html_page("<p>\u{1b}]0;x\u{7}</p>\r\n"), "<p>\\u{1b}]0;x\\u{7}</p>\r\n");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_evaluate_are_quoted() {
        for (cell, want) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\\u{9}=1"),
            ("\r=1", "'\\u{d}=1"),
            ("user-1", "user-1"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(csv_text(cell), want, "{cell:?}");
        }
    }
}
