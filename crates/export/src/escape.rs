//! Escaping of user text for every export format, in one place.
//!
//! Everything a participant typed (titles, stickies, notes, goals, names) goes through
//! one of these functions on its way into a document; the renderers never write user
//! text any other way. Besides the format's own syntax, every function contains the
//! explicit bidirectional controls (U+202A–U+202E, U+2066–U+2069): a line holding a
//! right-to-left override is wrapped in an isolate, so the override ends where the line
//! ends and cannot turn the labels, dates or other texts after it around. Text without
//! such controls is left as it is.

use std::borrow::Cow;

const FIRST_STRONG_ISOLATE: char = '\u{2068}';
const POP_DIRECTIONAL_ISOLATE: char = '\u{2069}';

fn is_explicit_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Unicode format characters (general category Cf) that a reader cannot see and that
/// programs skip when they look for the first character of a cell.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// Whether every embedding and override of a line sits inside an isolate that the line
/// also closes: then nothing it opens reaches past it (and a line isolated before stays
/// as it is, so isolating twice changes nothing).
fn is_contained(line: &str) -> bool {
    let mut depth = 0usize;
    for c in line.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => depth += 1,
            POP_DIRECTIONAL_ISOLATE => match depth.checked_sub(1) {
                Some(less) => depth = less,
                None => return false,
            },
            '\u{202A}'..='\u{202E}' if depth == 0 => return false,
            _ => {}
        }
    }
    depth == 0
}

/// Wraps each line of a text that holds explicit bidi controls in a first-strong isolate,
/// so that whatever the line opens is closed at its end, whether or not the format takes
/// a line break as the end of a paragraph. A pop-isolate without its opener would close
/// the wrapper early, so it is dropped; isolates the line opens but never closes are
/// closed before the wrapper is.
pub fn isolate_bidi(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_explicit_bidi) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let (line, carriage_return) = match line.strip_suffix('\r') {
            Some(line) => (line, "\r"),
            None => (line, ""),
        };
        if is_contained(line) {
            out.push_str(line);
            out.push_str(carriage_return);
            continue;
        }
        out.push(FIRST_STRONG_ISOLATE);
        let mut open_isolates = 0usize;
        for c in line.chars() {
            match c {
                '\u{2066}'..='\u{2068}' => {
                    open_isolates += 1;
                    out.push(c);
                }
                POP_DIRECTIONAL_ISOLATE => {
                    if open_isolates > 0 {
                        open_isolates -= 1;
                        out.push(c);
                    }
                }
                _ => out.push(c),
            }
        }
        out.extend(std::iter::repeat_n(POP_DIRECTIONAL_ISOLATE, open_isolates));
        out.push(POP_DIRECTIONAL_ISOLATE);
        out.push_str(carriage_return);
    }
    Cow::Owned(out)
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let text = isolate_bidi(text);
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A lone carriage return has no place in HTML text; a line break does the same job.
            '\r' => out.push('\n'),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Characters that are Markdown syntax anywhere in a line (emphasis, code, links, HTML,
/// tables, headings, strike-through, entities, maths), escaped wherever they occur.
fn is_markdown_inline(c: char) -> bool {
    matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '$')
}

/// One line of user text for Markdown: line breaks and runs of white space become one
/// space, and every character that Markdown would read as syntax is escaped. With
/// `line_start`, the text may open a line (a paragraph, a list item, a heading), so a
/// leading `-`, `+`, `=` or ordered-list marker (`1.`, `2)`) is escaped too; in a table
/// cell it need not be.
pub fn markdown_inline(text: &str, line_start: bool) -> String {
    let collapsed: Vec<char> =
        text.split_whitespace().collect::<Vec<_>>().join(" ").chars().filter(|c| !c.is_control()).collect();
    // An ordered-list marker is one to nine digits, then `.` or `)`, then a space or the end.
    let digits = collapsed.iter().take_while(|c| c.is_ascii_digit()).count();
    let list_marker = line_start
        && (1..=9).contains(&digits)
        && matches!(collapsed.get(digits), Some('.' | ')'))
        && matches!(collapsed.get(digits + 1), None | Some(' '));
    let mut out = String::with_capacity(collapsed.len() + 8);
    for (index, &c) in collapsed.iter().enumerate() {
        let opens_block =
            (line_start && index == 0 && matches!(c, '-' | '+' | '=')) || (list_marker && index == digits);
        if is_markdown_inline(c) || opens_block {
            out.push('\\');
        }
        out.push(c);
    }
    isolate_bidi(&out).into_owned()
}

/// A multi-line user text (notes, a sticky) for Markdown: each line becomes a line of
/// one paragraph, escaped as a line start, so no line can open a heading, list, quote,
/// table, fence or HTML block; an empty line between lines keeps paragraphs apart.
pub fn markdown_lines(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines() {
        let line = markdown_inline(line, true);
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

/// A TEXT value of iCalendar (RFC 5545 §3.3.11): backslash, semicolon and comma are
/// escaped, every line break becomes `\n`, other control characters (which TEXT does not
/// allow) are dropped.
pub fn ics_text(text: &str) -> String {
    let text = isolate_bidi(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line (without its line break) into lines of at most 75 octets, as
/// RFC 5545 §3.1 asks: each continuation line starts with a space, and a line is never cut
/// inside a UTF-8 sequence. Every line ends in CRLF.
pub fn fold_ics_line(line: &str) -> String {
    const MAX_OCTETS: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 60 * 3 + 2);
    let mut used = 0usize;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > MAX_OCTETS {
            out.push_str("\r\n ");
            // The space that opens a continuation line counts towards its 75 octets.
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
    out
}

/// Whether a spreadsheet could read the cell as a formula (or a command, as `@` and the
/// full-width signs are in some). Leading white space and invisible format characters
/// do not hide a formula, so they are skipped; a leading tab or line break is itself
/// neutralised, as OWASP advises for CSV injection.
fn could_be_formula(text: &str) -> bool {
    if text.starts_with(['\t', '\r', '\n']) {
        return true;
    }
    text.chars()
        .find(|c| !c.is_whitespace() && !is_invisible_format(*c))
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'))
}

/// One field of a CSV record (RFC 4180): a cell that could start a formula gets a leading
/// `'` so spreadsheets show it as text; a field holding a quote, comma, semicolon (the
/// separator of a Dutch spreadsheet) or line break, or starting or ending with white
/// space, is quoted, with quotes doubled.
pub fn csv_field(text: &str) -> String {
    let isolated = isolate_bidi(text);
    let cell: Cow<'_, str> = if could_be_formula(text) { Cow::Owned(format!("'{isolated}")) } else { isolated };
    let needs_quotes = cell.contains(['"', ',', ';', '\r', '\n'])
        || cell.starts_with(char::is_whitespace)
        || cell.ends_with(char::is_whitespace);
    if needs_quotes { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell.into_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape_html("a\r\nb\u{7}"), "a\n\nb");
    }

    #[test]
    fn a_bidi_override_is_closed_where_the_text_ends() {
        assert_eq!(isolate_bidi("gewoon"), "gewoon");
        assert_eq!(isolate_bidi("a\u{202E}b"), "\u{2068}a\u{202E}b\u{2069}");
        // A stray pop-isolate would close the wrapper early: it goes.
        assert_eq!(isolate_bidi("\u{2069}\u{202E}x"), "\u{2068}\u{202E}x\u{2069}");
        // An isolate opened and left open is closed before the wrapper.
        assert_eq!(isolate_bidi("\u{2067}x"), "\u{2068}\u{2067}x\u{2069}\u{2069}");
        // Isolating twice changes nothing.
        let once = isolate_bidi("a\u{202E}b").into_owned();
        assert_eq!(isolate_bidi(&once), once);
        assert_eq!(isolate_bidi(&format!("{once} (label)")), format!("{once} (label)"));
        // Each line on its own: a line break may end the paragraph, and the wrapper with it.
        assert_eq!(
            isolate_bidi("a\u{202E}b\r\nc\n\u{202E}d"),
            "\u{2068}a\u{202E}b\u{2069}\r\nc\n\u{2068}\u{202E}d\u{2069}"
        );
    }

    #[test]
    fn markdown_text_cannot_open_a_block_or_a_link() {
        let cases = [
            ("# kop", true, r"\# kop"),
            ("- lijst", true, r"\- lijst"),
            ("- lijst", false, "- lijst"),
            ("+1", true, r"\+1"),
            ("> citaat", true, r"\> citaat"),
            ("| a | b |", true, r"\| a \| b \|"),
            ("1. eerste", true, r"1\. eerste"),
            ("2026) jaar", true, r"2026\) jaar"),
            ("Versie 1.2", true, "Versie 1.2"),
            ("10.000 klanten", true, r"10.000 klanten"),
            ("[klik](javascript:alert(1))", true, r"\[klik\](javascript:alert(1))"),
            ("<img src=x onerror=alert(1)>", true, r"\<img src=x onerror=alert(1)\>"),
            ("regel 1\r\nregel 2\n# kop", true, r"regel 1 regel 2 \# kop"),
            ("   ===", true, r"\==="),
            ("*vet* _schuin_ `code`", false, r"\*vet\* \_schuin\_ \`code\`"),
        ];
        for (text, line_start, expected) in cases {
            assert_eq!(markdown_inline(text, line_start), expected, "{text:?}");
        }
    }

    #[test]
    fn markdown_lines_escape_every_line_start() {
        assert_eq!(markdown_lines("eerste\n# kop\n\n\n- punt\n    code"), "eerste\n\\# kop\n\n\\- punt\ncode");
    }

    #[test]
    fn ics_text_escapes_separators_and_line_breaks() {
        assert_eq!(ics_text("a,b;c\\d\r\ne\nf\rg\u{0}h\ti"), "a\\,b\\;c\\\\d\\ne\\nf\\ngh\ti");
    }

    #[test]
    fn ics_lines_fold_at_75_octets_on_character_boundaries() {
        let line = format!("DESCRIPTION:{}", "é🎉x".repeat(40));
        let folded = fold_ics_line(&line);
        assert!(folded.ends_with("\r\n"));
        for physical in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold_ics_line("KORT:x"), "KORT:x\r\n");
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        let cases = [
            ("gewoon", "gewoon"),
            ("a,b", "\"a,b\""),
            ("a;b", "\"a;b\""),
            ("zeg \"hoi\"", "\"zeg \"\"hoi\"\"\""),
            ("regel\nregel", "\"regel\nregel\""),
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("\tTAB", "'\tTAB"),
            ("\r\n=1", "\"'\r\n=1\""),
            ("  =1", "'  =1"),
            ("\u{200B}=1", "'\u{200B}=1"),
            ("\u{FF1D}1", "'\u{FF1D}1"),
            ("=1,2", "\"'=1,2\""),
            ("e-mail", "e-mail"),
        ];
        for (text, expected) in cases {
            assert_eq!(csv_field(text), expected, "{text:?}");
        }
    }
}
