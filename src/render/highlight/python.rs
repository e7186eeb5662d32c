//! Python (and `pycon`) tokens → classes.

use super::{Html, ident_len};

// Word lists as `match`es: every identifier of every block is looked up,
// and a match on string literals compiles to length and integer
// comparisons where a scan of a list calls `memcmp` for each entry.

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "lambda"
            | "nonlocal"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// The length of the operator `b` starts with (the longest), or 0. Every
/// punctuation byte of every block is looked up here.
fn operator_len(b: &[u8]) -> usize {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    match (at(0), at(1), at(2)) {
        (b'*', b'*', b'=') | (b'/', b'/', b'=') | (b'>', b'>', b'=') | (b'<', b'<', b'=') => 3,
        (b'-', b'>', _)
        | (b':' | b'=' | b'!', b'=', _)
        | (b'*', b'*', _)
        | (b'/', b'/', _)
        | (b'<', b'<', _)
        | (b'>', b'>', _)
        | (b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'@', b'=', _) => {
            2
        }
        (
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'&' | b'|' | b'^' | b'~'
            | b'@',
            _,
            _,
        ) => 1,
        _ => 0,
    }
}

/// Keywords that are operators (as tree-sitter's Python queries class them).
fn is_word_operator(name: &str) -> bool {
    matches!(name, "and" | "or" | "not" | "in" | "is")
}

fn is_builtin_constant(name: &str) -> bool {
    matches!(
        name,
        "True" | "False" | "None" | "NotImplemented" | "Ellipsis" | "__debug__"
    )
}

/// Longest first (what [`operator_len`] matches; a test checks the two).
#[cfg(test)]
const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "->", ":=", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "<", ">", "=", "&",
    "|", "^", "~", "@",
];

/// What came before, as far as classifying the next identifier needs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start of a logical line (after indentation).
    LineStart,
    /// `.` (the next name is an attribute).
    Dot,
    /// `def` (the next name is a function).
    Def,
    /// A decorator's `@` (the next name is a function unless dotted).
    Decorator,
    /// `->` or an annotation's `:` (the next name is a type).
    Type,
    /// An identifier that began a logical line (so `:` after it annotates).
    FirstName,
    Other,
}

pub(super) fn highlight(code: &str, html: &mut Html<'_>) {
    Lexer {
        code,
        pos: 0,
        prev: Prev::LineStart,
        brackets: Vec::new(),
        signature: None,
    }
    .run(html, usize::MAX, false);
}

struct Lexer<'a> {
    code: &'a str,
    pos: usize,
    prev: Prev,
    /// Open brackets, innermost last.
    brackets: Vec<u8>,
    /// The bracket depth of the `def` whose parameters we are in.
    signature: Option<usize>,
}

impl Lexer<'_> {
    /// Tokenizes until `end` or, inside an f-string's `{…}`
    /// (`interpolation`), until its closing `}`, `!` or `:`.
    fn run(&mut self, html: &mut Html<'_>, end: usize, interpolation: bool) {
        let base = self.brackets.len();
        let bytes = self.code.as_bytes();
        let end = end.min(bytes.len());
        let mut plain_from = self.pos;
        macro_rules! flush {
            () => {
                html.plain(&self.code[plain_from..self.pos]);
            };
        }
        while self.pos < end {
            let rest = &self.code[self.pos..end];
            let b = bytes[self.pos];
            // Inside an interpolation, stop at its end (at the starting depth).
            if interpolation
                && self.brackets.len() == base
                && matches!(b, b'}' | b'!' | b':')
                && !rest.starts_with("!=")
            {
                break;
            }
            match b {
                b'\n' => {
                    self.pos += 1;
                    if self.brackets.is_empty() {
                        self.prev = Prev::LineStart;
                    }
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\\' => {
                    self.pos += 1;
                    continue;
                }
                b'#' => {
                    flush!();
                    let len = rest.find('\n').unwrap_or(rest.len());
                    html.span("comment", &rest[..len]);
                    self.pos += len;
                    plain_from = self.pos;
                    continue;
                }
                _ => {}
            }
            if let Some((prefix, quote)) = string_start(rest) {
                flush!();
                self.string(html, prefix, quote, end);
                self.prev = Prev::Other;
                plain_from = self.pos;
                continue;
            }
            if b.is_ascii_digit()
                || (b == b'.' && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
            {
                flush!();
                let len = number_len(rest);
                html.span("number", &rest[..len]);
                self.pos += len;
                self.prev = Prev::Other;
                plain_from = self.pos;
                continue;
            }
            let len = ident_len(rest);
            if len > 0 {
                flush!();
                self.name(html, &rest[..len], &rest[len..]);
                plain_from = self.pos;
                continue;
            }
            // Decorators: `@` first on a line.
            if b == b'@' && self.prev == Prev::LineStart {
                flush!();
                html.span("function", "@");
                self.pos += 1;
                self.prev = Prev::Decorator;
                plain_from = self.pos;
                continue;
            }
            let len = operator_len(rest.as_bytes());
            if len > 0 {
                let op = &rest[..len];
                flush!();
                html.span("operator", op);
                self.pos += len;
                self.prev = if op == "->" { Prev::Type } else { Prev::Other };
                plain_from = self.pos;
                continue;
            }
            // Punctuation stays plain.
            let c = rest.chars().next().expect("not at the end");
            self.prev = match c {
                '.' => Prev::Dot,
                ':' if self.prev == Prev::FirstName && self.brackets.is_empty() => Prev::Type,
                ':' if self.signature == Some(self.brackets.len().wrapping_sub(1))
                    && self.brackets.last() == Some(&b'(') =>
                {
                    Prev::Type
                }
                _ => Prev::Other,
            };
            match c {
                '(' | '[' | '{' => self.brackets.push(c as u8),
                ')' | ']' | '}' => {
                    self.brackets.pop();
                    if self.signature.is_some_and(|d| d >= self.brackets.len()) {
                        self.signature = None;
                    }
                }
                _ => {}
            }
            self.pos += c.len_utf8();
        }
        flush!();
    }

    fn name(&mut self, html: &mut Html<'_>, name: &str, after: &str) {
        let next = after.trim_start_matches([' ', '\t']);
        let prev = self.prev;
        self.pos += name.len();
        self.prev = Prev::Other;
        if prev != Prev::Dot {
            if is_keyword(name) {
                html.span("keyword", name);
                if name == "def" {
                    self.prev = Prev::Def;
                    self.signature = Some(self.brackets.len());
                }
                return;
            }
            if (name == "match" || name == "case")
                && prev == Prev::LineStart
                && !next.starts_with(['=', '.', '(', ':', ','])
                && logical_line_ends_with_colon(after)
            {
                html.span("keyword", name);
                return;
            }
            if is_word_operator(name) {
                // `is not` and `not in` are one operator.
                let second = match name {
                    "is" => "not",
                    "not" => "in",
                    _ => "",
                };
                if !second.is_empty() && next.starts_with(second) && ident_len(next) == second.len()
                {
                    let len = name.len() + (after.len() - next.len()) + second.len();
                    let start = self.pos - name.len();
                    html.span("operator", &self.code[start..start + len]);
                    self.pos = start + len;
                } else {
                    html.span("operator", name);
                }
                return;
            }
        }
        let class = match prev {
            Prev::Dot => "property",
            Prev::Def => "function",
            Prev::Decorator if !next.starts_with('.') => "function",
            _ if is_builtin_constant(name) => "constant",
            Prev::Type => "type",
            _ if next.starts_with('(') && name.starts_with(|c: char| c.is_uppercase()) => {
                "constructor"
            }
            _ if is_constant(name) => "constant",
            _ if name.starts_with(|c: char| c.is_uppercase()) => "constructor",
            _ if next.starts_with('(') => "function",
            _ => "variable",
        };
        html.span(class, name);
        if prev == Prev::LineStart && self.brackets.is_empty() {
            self.prev = Prev::FirstName;
        }
    }

    /// A string literal at `self.pos`: `prefix` letters, then `quote` (`'`,
    /// `"`, or tripled). f-strings' `{…}` are highlighted as code.
    fn string(&mut self, html: &mut Html<'_>, prefix: usize, quote: &str, end: usize) {
        let bytes = self.code.as_bytes();
        let start = self.pos;
        let format = self.code[start..start + prefix]
            .bytes()
            .any(|b| b.eq_ignore_ascii_case(&b'f'));
        let triple = quote.len() == 3;
        let mut i = start + prefix + quote.len();
        let mut part = start;
        let end = end.min(bytes.len());
        while i < end {
            let b = bytes[i];
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'\n' && !triple {
                break; // unterminated: ends with the line
            }
            if bytes[i..end].starts_with(quote.as_bytes()) {
                i += quote.len();
                break;
            }
            if format && b == b'{' {
                if bytes.get(i + 1) == Some(&b'{') {
                    i += 2;
                    continue;
                }
                html.span("string", &self.code[part..i]);
                html.span("punctuation", "{");
                self.pos = i + 1;
                let saved = (
                    self.prev,
                    std::mem::take(&mut self.brackets),
                    self.signature,
                );
                self.prev = Prev::Other;
                self.signature = None;
                self.run(html, end, true);
                (self.prev, self.brackets, self.signature) = saved;
                i = self.pos;
                // `!r` and `:spec` are part of the string; a spec may nest `{…}`.
                part = i;
                let mut depth = 0usize;
                while i < end {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' if depth == 0 => break,
                        b'}' => depth -= 1,
                        b'\n' if !triple => break,
                        _ => {}
                    }
                    i += 1;
                }
                html.span("string", &self.code[part..i]);
                if i < end && bytes[i] == b'}' {
                    html.span("punctuation", "}");
                    i += 1;
                }
                part = i;
                continue;
            }
            i += 1;
        }
        let i = i.min(end);
        html.span("string", &self.code[part..i]);
        self.pos = i;
    }
}

/// `^[A-Z][A-Z0-9_]*$`: a constant by convention.
fn is_constant(name: &str) -> bool {
    name.as_bytes()[0].is_ascii_uppercase()
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether the rest of the line (before a comment) ends with `:`.
fn logical_line_ends_with_colon(after: &str) -> bool {
    let line = after.split('\n').next().unwrap_or("");
    let line = line.split('#').next().unwrap_or("");
    line.trim_end().ends_with(':')
}

/// A string literal's prefix length and quote, if one starts here.
fn string_start(s: &str) -> Option<(usize, &'static str)> {
    let b = s.as_bytes();
    let prefix = b
        .iter()
        .take(3)
        .take_while(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f'))
        .count();
    if prefix > 2 {
        return None;
    }
    let rest = &s[prefix..];
    let quote = if rest.starts_with("\"\"\"") {
        "\"\"\""
    } else if rest.starts_with("'''") {
        "'''"
    } else if rest.starts_with('"') {
        "\""
    } else if rest.starts_with('\'') {
        "'"
    } else {
        return None;
    };
    Some((prefix, quote))
}

/// The length of the number literal at the start of `s`.
fn number_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    if b.len() > 1 && b[0] == b'0' && matches!(b[1] | 0x20, b'x' | b'o' | b'b') {
        i = 2;
        while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b'_') {
            i += 1;
        }
        return i;
    }
    let digits = |i: &mut usize| {
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            *i += 1;
        }
    };
    digits(&mut i);
    if i < b.len()
        && b[i] == b'.'
        && b.get(i + 1)
            .is_none_or(|c| !c.is_ascii_alphabetic() || matches!(c, b'e' | b'E' | b'j' | b'J'))
    {
        i += 1;
        digits(&mut i);
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < b.len() && matches!(b[j], b'+' | b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            digits(&mut i);
        }
    }
    if i < b.len() && matches!(b[i], b'j' | b'J' | b'l' | b'L') {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::super::test_support::span;
    use super::{OPERATORS, operator_len};

    #[test]
    fn operator_len_is_the_longest_operator_of_the_list() {
        let alphabet: Vec<char> = "*/<>-:=!+%&|^@~.(a ".chars().collect();
        let mut texts = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        for text in &texts {
            let listed = OPERATORS
                .iter()
                .find(|op| text.starts_with(**op))
                .map_or(0, |op| op.len());
            assert_eq!(operator_len(text.as_bytes()), listed, "{text:?}");
        }
    }

    fn hl(code: &str) -> String {
        super::super::test_support::every_class(super::highlight, code)
    }

    #[test]
    fn classes() {
        let out = hl(
            "class Base(Mixin):\n    def __init__(self, *, name: str = \"x\", **kw) -> None:\n        super().__init__(**kw)\n        self.name = Counter(name)  # c\n",
        );
        for (class, text) in [
            ("keyword", "class"),
            ("constructor", "Base"),
            ("constructor", "Mixin"),
            ("keyword", "def"),
            ("function", "__init__"),
            ("variable", "self"),
            ("operator", "*"),
            ("variable", "name"),
            ("type", "str"),
            ("string", "&quot;x&quot;"),
            ("operator", "**"),
            ("operator", "-&gt;"),
            ("constant", "None"),
            ("function", "super"),
            ("property", "__init__"),
            ("property", "name"),
            ("constructor", "Counter"),
            ("comment", "# c"),
        ] {
            assert!(out.contains(&span(class, text)), "{class} {text}: {out}");
        }
        assert_eq!(hl("None"), span("constant", "None"));
        assert_eq!(hl("MAX_SIZE"), span("constant", "MAX_SIZE"));
        assert!(hl("print(x)").starts_with(&span("function", "print")));
    }

    #[test]
    fn annotations() {
        assert_eq!(
            hl("x: int = 1"),
            format!(
                "{}: {} {} {}",
                span("variable", "x"),
                span("type", "int"),
                span("operator", "="),
                span("number", "1")
            )
        );
        // A dict's colon is not an annotation, nor a block's.
        assert!(hl("{a: b}").contains(&span("variable", "b")));
        assert!(hl("if a: b").contains(&span("variable", "b")));
        assert!(hl("lambda a: b").contains(&span("variable", "b")));
        assert!(hl("def f(a, b=c) -> d:\n    e: f").contains(&span("type", "f")));
        assert!(hl("def f(a, b=c) -> d:\n    g(e)[1:h]").contains(&span("variable", "h")));
    }

    #[test]
    fn operators_and_numbers() {
        assert_eq!(
            hl("a is not b"),
            format!(
                "{} {} {}",
                span("variable", "a"),
                span("operator", "is not"),
                span("variable", "b")
            )
        );
        assert_eq!(hl("a not in b").matches("operator").count(), 1);
        for n in ["1", "10_000", "0.01", "1e-3", "0x1F", ".5", "2j", "1."] {
            assert_eq!(hl(n), span("number", n), "{n}");
        }
        assert!(hl("x.real").contains(&span("property", "real")));
        assert!(hl("a //= 2").contains(&span("operator", "//=")));
        assert!(hl("(y := 1)").contains(&span("operator", ":=")));
    }

    #[test]
    fn strings() {
        assert_eq!(hl("'a\\'b'"), span("string", "&#39;a\\&#39;b&#39;"));
        assert_eq!(hl("b\"x\""), span("string", "b&quot;x&quot;"));
        assert_eq!(
            hl("'''a\nb'''"),
            span("string", "&#39;&#39;&#39;a\nb&#39;&#39;&#39;")
        );
        assert_eq!(
            hl("f\"hits:{page!r:>{w}}{{x}}\""),
            format!(
                "{}{}{}{}{}{}",
                span("string", "f&quot;hits:"),
                span("punctuation", "{"),
                span("variable", "page"),
                span("string", "!r:&gt;{w}"),
                span("punctuation", "}"),
                span("string", "{{x}}&quot;")
            )
        );
        // An unterminated string ends with its line.
        assert!(hl("'a\nb").ends_with(&span("variable", "b")));
    }

    #[test]
    fn decorators_and_soft_keywords() {
        let out = hl("@pytest.mark.parametrize(\"s\", [1])\ndef t(): pass\n");
        assert!(
            out.starts_with(&format!(
                "{}{}.{}",
                span("function", "@"),
                span("variable", "pytest"),
                span("property", "mark")
            )),
            "{out}"
        );
        assert!(hl("@dataclass\nclass A: pass").starts_with(&format!(
            "{}{}",
            span("function", "@"),
            span("function", "dataclass")
        )));
        assert!(hl("A(1)").starts_with(&span("constructor", "A")));
        assert!(hl("a @ b").contains(&span("operator", "@")));
        assert!(hl("match x:\n    case 1:\n        pass").contains(&span("keyword", "case")));
        assert!(hl("match = 1").contains(&span("variable", "match")));
        assert!(hl("re.match(x)").contains(&span("property", "match")));
    }
}
