//! Shell (bash) tokens → classes: a command's name is `function`, keywords
//! `keyword`, strings `string`, `$NAME` / `${…}` and assigned names
//! `property` (as tree-sitter's bash queries class variable names),
//! control operators and redirections `operator`, numbers `number`.

use super::Html;

const KEYWORDS: &[&str] = &[
    "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if", "in",
    "select", "then", "unset", "until", "while", "local", "declare", "readonly", "typeset",
];

/// Keywords after which a command starts.
const COMMAND_AFTER: &[&str] = &["do", "then", "else", "elif", "if", "while", "until", "!"];

/// Longest first.
const OPERATORS: &[&str] = &[
    "&&", "||", ";;", ">>", "<<", "&>", ">&", "<&", "|&", "|", ";", "&", ">", "<",
];

pub(super) fn highlight(code: &str, html: &mut Html<'_>) {
    let bytes = code.as_bytes();
    let mut pos = 0;
    let mut plain_from = 0;
    // Whether the next word is a command's name.
    let mut command = true;
    // Whether the previous byte ends a word (so `#` starts a comment).
    let mut word_start = true;
    // Inside an assignment's value (`A=x`): the command name comes after it.
    let mut value = false;
    macro_rules! emit {
        ($class:expr, $len:expr) => {{
            html.plain(&code[plain_from..pos]);
            html.span($class, &code[pos..pos + $len]);
            pos += $len;
            plain_from = pos;
        }};
    }
    while pos < bytes.len() {
        let rest = &code[pos..];
        let b = bytes[pos];
        match b {
            b'\n' => {
                pos += 1;
                // A trailing `\` continues the command.
                if !code[..pos - 1].ends_with('\\') {
                    command = true;
                }
                value = false;
                word_start = true;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                pos += 1;
                word_start = true;
                if value {
                    value = false;
                    command = true;
                }
                continue;
            }
            b'#' if word_start => {
                let len = rest.find('\n').unwrap_or(rest.len());
                emit!("comment", len);
                continue;
            }
            b'\\' => {
                pos += rest[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
                word_start = false;
                continue;
            }
            b'"' | b'\'' => {
                string(code, &mut pos, &mut plain_from, html);
                command = false;
                word_start = false;
                continue;
            }
            b'$' => {
                let len = expansion_len(rest);
                if len > 1 {
                    emit!("property", len);
                } else if rest.starts_with("$(") {
                    pos += 2;
                    command = true;
                    word_start = true;
                    continue;
                } else {
                    pos += 1;
                }
                command = false;
                word_start = false;
                continue;
            }
            b'(' | b')' | b'{' | b'}' => {
                pos += 1;
                command = b == b'(' || b == b'{';
                word_start = true;
                continue;
            }
            _ => {}
        }
        if b.is_ascii_digit()
            && rest
                .as_bytes()
                .get(1)
                .is_some_and(|c| matches!(c, b'>' | b'<'))
        {
            emit!("number", 1);
            word_start = false;
            continue;
        }
        if let Some(op) = OPERATORS.iter().find(|op| rest.starts_with(**op)) {
            emit!("operator", op.len());
            command = !matches!(*op, ">" | ">>" | "<" | "<<" | "&>" | ">&" | "<&");
            word_start = true;
            continue;
        }
        // A word: up to a space, quote, `$`, operator or bracket.
        let len = rest
            .find(|c: char| c.is_whitespace() || "\"'$|&;<>(){}\\".contains(c))
            .unwrap_or(rest.len());
        if len == 0 {
            pos += rest.chars().next().map_or(1, char::len_utf8);
            word_start = false;
            continue;
        }
        let word = &rest[..len];
        let assignment = word.find('=').filter(|&i| {
            i > 0
                && word[..i]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        if command && let Some(eq) = assignment {
            emit!("property", eq);
            emit!("operator", 1);
            word_start = false;
            command = false;
            value = true;
            continue;
        }
        let class = if KEYWORDS.contains(&word) && word_start {
            command = COMMAND_AFTER.contains(&word);
            "keyword"
        } else if command {
            command = false;
            "function"
        } else if word.bytes().all(|b| b.is_ascii_digit()) {
            "number"
        } else {
            ""
        };
        if class.is_empty() {
            pos += len;
        } else {
            emit!(class, len);
        }
        word_start = false;
    }
    html.plain(&code[plain_from..]);
}

/// `$NAME`, `${…}`, `$1`, `$?` and the like: its length (1 for a lone `$`).
fn expansion_len(s: &str) -> usize {
    let b = s.as_bytes();
    match b.get(1) {
        Some(b'{') => s.find('}').map_or(s.len(), |i| i + 1),
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            1 + b[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count()
        }
        Some(c) if c.is_ascii_digit() || b"?!#@*$-".contains(c) => 2,
        _ => 1,
    }
}

/// A quoted string at `pos`; in double quotes, expansions are `property`.
fn string(code: &str, pos: &mut usize, plain_from: &mut usize, html: &mut Html<'_>) {
    let b = code.as_bytes();
    let q = b[*pos];
    html.plain(&code[*plain_from..*pos]);
    let mut part = *pos;
    let mut i = *pos + 1;
    while i < b.len() {
        if b[i] == q {
            i += 1;
            break;
        }
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if q == b'"' && b[i] == b'$' {
            let len = expansion_len(&code[i..]);
            if len > 1 {
                html.span("string", &code[part..i]);
                html.span("property", &code[i..i + len]);
                i += len;
                part = i;
                continue;
            }
        }
        i += 1;
    }
    let mut end = i.min(b.len());
    while !code.is_char_boundary(end) {
        end -= 1;
    }
    html.span("string", &code[part..end]);
    *pos = end;
    *plain_from = end;
}

#[cfg(test)]
mod tests {
    use super::super::test_support::span;

    fn hl(code: &str) -> String {
        super::super::test_support::every_class(super::highlight, code)
    }

    #[test]
    fn commands_words_and_strings() {
        let out = hl(
            "FOO=1 pip install -U \"pkg>=$V\" 'x' | grep -c x && echo $(date) 2>&1 # done\nif true; then ls; fi\n",
        );
        for (class, text) in [
            ("property", "FOO"),
            ("operator", "="),
            ("function", "pip"),
            ("string", "&quot;pkg&gt;="),
            ("property", "$V"),
            ("string", "&#39;x&#39;"),
            ("operator", "|"),
            ("function", "grep"),
            ("operator", "&amp;&amp;"),
            ("function", "echo"),
            ("function", "date"),
            ("number", "2"),
            ("operator", "&gt;&amp;"),
            ("comment", "# done"),
            ("keyword", "if"),
            ("function", "true"),
            ("keyword", "then"),
            ("function", "ls"),
            ("keyword", "fi"),
        ] {
            assert!(out.contains(&span(class, text)), "{class} {text}: {out}");
        }
        // `install` and `-U` are arguments, `#` inside a word is not a comment.
        assert!(!out.contains(&span("function", "install")));
        assert!(hl("echo a#b").ends_with(" a#b"));
        assert!(hl("echo ${HOME:-/}").contains(&span("property", "${HOME:-/}")));
    }
}
