//! TOML tokens → classes: bare keys are `property`, brackets, braces, dots
//! and commas `punctuation`, strings (quoted keys too) `string`, and values
//! `number`, `boolean` (dates `string-special`).

use super::Html;

pub(super) fn highlight(code: &str, html: &mut Html<'_>) {
    let bytes = code.as_bytes();
    let mut pos = 0;
    let mut plain_from = 0;
    // Open `[` (array) and `{` (inline table), innermost last.
    let mut nesting: Vec<u8> = Vec::new();
    // Whether the next word is a key (line start, or after `{` / `,` in an
    // inline table) rather than a value.
    let mut key = true;
    let mut line_start = true;
    while pos < bytes.len() {
        let rest = &code[pos..];
        let b = bytes[pos];
        let token: Option<(&str, usize)> = match b {
            b'\n' => {
                if nesting.is_empty() {
                    key = true;
                }
                line_start = true;
                pos += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                pos += 1;
                continue;
            }
            b'#' => Some(("comment", rest.find('\n').unwrap_or(rest.len()))),
            b'[' if line_start && nesting.is_empty() => {
                // A table header: `[a.b]` or `[[a.b]]`.
                let open = if rest.starts_with("[[") { 2 } else { 1 };
                html.plain(&code[plain_from..pos]);
                html.span("punctuation", &rest[..open]);
                pos += open;
                let close = rest.find('\n').unwrap_or(rest.len());
                let line_end = pos - open + close;
                pos = header(code, pos, line_end, html);
                plain_from = pos;
                line_start = false;
                continue;
            }
            b'"' | b'\'' => Some(("string", string_len(rest))),
            b'=' => {
                key = false;
                Some(("operator", 1))
            }
            b'[' | b'{' => {
                nesting.push(b);
                key = b == b'{';
                Some(("punctuation", 1))
            }
            b']' | b'}' => {
                nesting.pop();
                Some(("punctuation", 1))
            }
            b',' => {
                key = nesting.last() == Some(&b'{');
                Some(("punctuation", 1))
            }
            b'.' if key => Some(("punctuation", 1)),
            _ => {
                let len = if key { key_len(rest) } else { value_len(rest) };
                if len == 0 {
                    None
                } else if key {
                    Some(("property", len))
                } else {
                    let word = &rest[..len];
                    let class = if word == "true" || word == "false" {
                        "boolean"
                    } else if is_date(word) {
                        "string-special"
                    } else if word.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
                        || matches!(word, "inf" | "nan")
                    {
                        "number"
                    } else {
                        ""
                    };
                    Some((class, len))
                }
            }
        };
        line_start = false;
        match token {
            Some((class, len)) if !class.is_empty() => {
                html.plain(&code[plain_from..pos]);
                html.span(class, &rest[..len]);
                pos += len;
                plain_from = pos;
            }
            Some((_, len)) => pos += len,
            None => pos += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    html.plain(&code[plain_from..]);
}

/// A table header's keys, dots and closing brackets up to `end`; returns
/// where it stopped.
fn header(code: &str, mut pos: usize, end: usize, html: &mut Html<'_>) -> usize {
    let mut plain_from = pos;
    while pos < end {
        let rest = &code[pos..end];
        let (class, len) = match rest.as_bytes()[0] {
            b'#' => return flush(code, plain_from, pos, html),
            b'"' | b'\'' => ("string", string_len(rest)),
            b'.' => ("punctuation", 1),
            b']' => ("punctuation", if rest.starts_with("]]") { 2 } else { 1 }),
            _ => match key_len(rest) {
                0 => {
                    pos += rest.chars().next().map_or(1, char::len_utf8);
                    continue;
                }
                n => ("property", n),
            },
        };
        html.plain(&code[plain_from..pos]);
        html.span(class, &rest[..len]);
        pos += len;
        plain_from = pos;
        if class == "punctuation" && rest.starts_with(']') {
            break;
        }
    }
    flush(code, plain_from, pos, html)
}

fn flush(code: &str, from: usize, to: usize, html: &mut Html<'_>) -> usize {
    html.plain(&code[from..to]);
    to
}

/// A bare key: ASCII letters, digits, `_` and `-`.
fn key_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count()
}

/// A bare value (number, date, boolean): also `+`, `:` and `.`
/// (`-1.5e3`, `1979-05-27T07:32:00Z`).
fn value_len(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b':' | b'.'))
        .count()
}

fn is_date(word: &str) -> bool {
    let b = word.as_bytes();
    (b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit))
        || (b.len() >= 8 && b[2] == b':' && b[5] == b':' && b[..2].iter().all(u8::is_ascii_digit))
}

/// The length of the string at the start of `s` (basic, literal, or their
/// multi-line forms); an unterminated one ends with its line (or, if
/// multi-line, the text).
fn string_len(s: &str) -> usize {
    let b = s.as_bytes();
    let q = b[0];
    let triple = b.len() >= 3 && b[1] == q && b[2] == q;
    let mut i = if triple { 3 } else { 1 };
    while i < b.len() {
        if b[i] == b'\\' && q == b'"' {
            i += 2;
            continue;
        }
        if b[i] == b'\n' && !triple {
            return i;
        }
        if b[i] == q {
            if !triple {
                return i + 1;
            }
            if b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q {
                // Up to two more quotes may close it ("""a"""" is a"").
                let mut j = i + 3;
                while j < b.len() && b[j] == q && j < i + 5 {
                    j += 1;
                }
                return j;
            }
        }
        i += 1;
    }
    // An escape at the very end may overshoot; stay on a char boundary.
    let mut end = i.min(b.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::super::test_support::span;

    fn hl(code: &str) -> String {
        super::super::test_support::every_class(super::highlight, code)
    }

    #[test]
    fn tables_keys_and_values() {
        assert_eq!(
            hl("[tool.poetry]  # c\n"),
            format!(
                "{}{}{}{}{}  {}\n",
                span("punctuation", "["),
                span("property", "tool"),
                span("punctuation", "."),
                span("property", "poetry"),
                span("punctuation", "]"),
                span("comment", "# c")
            )
        );
        assert!(hl("[[bin]]\n").contains(&span("punctuation", "]]")));
        let out = hl(
            "name = \"x\"\ndeps = [\n  \"a>=1\",\n]\npin = { version = \"^3\", optional = true }\nn = 1_000\nf = -1.5e3\nd = 1979-05-27T07:32:00Z\n",
        );
        for (class, text) in [
            ("property", "name"),
            ("operator", "="),
            ("string", "&quot;x&quot;"),
            ("string", "&quot;a&gt;=1&quot;"),
            ("punctuation", ","),
            ("punctuation", "{"),
            ("property", "version"),
            ("property", "optional"),
            ("boolean", "true"),
            ("number", "1_000"),
            ("number", "-1.5e3"),
            ("string-special", "1979-05-27T07:32:00Z"),
        ] {
            assert!(out.contains(&span(class, text)), "{class} {text}: {out}");
        }
        assert!(hl("'quoted key' = 'v'").starts_with(&span("string", "&#39;quoted key&#39;")));
        assert!(hl("a.b = 1").starts_with(&format!(
            "{}{}{}",
            span("property", "a"),
            span("punctuation", "."),
            span("property", "b")
        )));
        assert_eq!(
            hl("s = \"\"\"a\nb\"\"\""),
            format!(
                "{} {} {}",
                span("property", "s"),
                span("operator", "="),
                span("string", "&quot;&quot;&quot;a\nb&quot;&quot;&quot;")
            )
        );
    }
}
