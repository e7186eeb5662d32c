//! The last step before HTML leaves pyq: an allow-list sanitiser.
//!
//! The renderer already escapes raw HTML from the bank and drops unsafe
//! links, so on its output this pass changes nothing. It exists so that a
//! bug there (or in pulldown-cmark, or in the highlighter) cannot put
//! something executable into a learner's Anki: every `<` must open a tag
//! from [`POLICY`], written exactly as the renderer writes tags (lowercase
//! name, `name="value"` attributes from the tag's allow-list, values without
//! `<`, `>` or `"`), or it is escaped to `&lt;` and the would-be tag shows as
//! text. Anything a browser would read as a tag (`<x`, `</x`, `<!`, `<?`)
//! starts with `<`, so nothing else can slip through.
//!
//! The HTML page ([`sanitize_page`]) also allows the MathML elements and
//! attributes its math is written in (MathML cannot run script; `href` is
//! not allowed on it), and `style` on them only with characters that cannot
//! form a URL or a function (`url(…)`): letters, digits, spaces and
//! `:;.#%-`.
//!
//! Attribute values are checked too: `href` must be a relative, `http(s):`
//! or `mailto:` URL after entity decoding, `style` only the exact
//! `text-align` declarations pulldown-cmark writes for table columns,
//! `start` only digits.
//!
//! Why not the `ammonia` crate: it parses into a DOM and serialises again,
//! measured here at 42 MB/s (54 µs a field), which would add about 3.5 s to a
//! 100,000-question export against a 5 s budget. This scan is a `memchr` for
//! `<` plus a check of each tag, and allocates nothing when the input is
//! clean. Tests check it against an independent HTML tokenizer (html5gum)
//! with the OWASP filter-evasion examples.

use std::borrow::Cow;

/// Allowed tags and, for each, its allowed attributes.
pub const POLICY: &[(&str, &[&str])] = &[
    ("a", &["href", "title"]),
    ("blockquote", &[]),
    ("br", &[]),
    ("code", &["class"]),
    ("del", &[]),
    ("em", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("hr", &[]),
    ("li", &[]),
    ("ol", &["start"]),
    ("p", &[]),
    ("pre", &["class"]),
    ("span", &["class"]),
    ("strong", &[]),
    ("table", &[]),
    ("tbody", &[]),
    ("td", &["style"]),
    ("th", &["style"]),
    ("thead", &[]),
    ("tr", &[]),
    ("ul", &["class"]),
];

/// The MathML that math-core writes, for the HTML page: its elements, the
/// HTML it may put inside `<mtext>`, and one list of attributes for all.
pub const MATHML_POLICY: &[(&str, &[&str])] = &[
    ("math", MATHML_ATTRIBUTES),
    ("menclose", MATHML_ATTRIBUTES),
    ("merror", MATHML_ATTRIBUTES),
    ("mfrac", MATHML_ATTRIBUTES),
    ("mi", MATHML_ATTRIBUTES),
    ("mmultiscripts", MATHML_ATTRIBUTES),
    ("mn", MATHML_ATTRIBUTES),
    ("mo", MATHML_ATTRIBUTES),
    ("mover", MATHML_ATTRIBUTES),
    ("mpadded", MATHML_ATTRIBUTES),
    ("mphantom", MATHML_ATTRIBUTES),
    ("mprescripts", MATHML_ATTRIBUTES),
    ("mroot", MATHML_ATTRIBUTES),
    ("mrow", MATHML_ATTRIBUTES),
    ("mspace", MATHML_ATTRIBUTES),
    ("msqrt", MATHML_ATTRIBUTES),
    ("msub", MATHML_ATTRIBUTES),
    ("msubsup", MATHML_ATTRIBUTES),
    ("msup", MATHML_ATTRIBUTES),
    ("mtable", MATHML_ATTRIBUTES),
    ("mtd", MATHML_ATTRIBUTES),
    ("mtext", MATHML_ATTRIBUTES),
    ("mtr", MATHML_ATTRIBUTES),
    ("munder", MATHML_ATTRIBUTES),
    ("munderover", MATHML_ATTRIBUTES),
    // Text styles inside `<mtext>` (`\textbf{…}`, `\textsc{…}`, …).
    ("b", &[]),
    ("i", &[]),
    ("s", &[]),
    ("u", &[]),
    ("span", &["class", "style"]),
];

const MATHML_ATTRIBUTES: &[&str] = &[
    "accent",
    "accentunder",
    "class",
    "display",
    "displaystyle",
    "form",
    "linethickness",
    "lspace",
    "mathvariant",
    "maxsize",
    "minsize",
    "movablelimits",
    "notation",
    "rspace",
    "scriptlevel",
    "stretchy",
    "style",
    "symmetric",
    "width",
];

/// Which allow-lists apply.
#[derive(Clone, Copy)]
enum Policy {
    /// [`POLICY`].
    Card,
    /// [`MATHML_POLICY`], then [`POLICY`].
    Page,
}

/// `html` with every tag outside the allow-list escaped; borrowed (no copy)
/// when there is nothing to change, as for everything the renderer makes.
pub fn sanitize(html: &str) -> Cow<'_, str> {
    sanitize_with(html, Policy::Card)
}

/// [`sanitize`] for the HTML page, whose math is MathML.
pub fn sanitize_page(html: &str) -> Cow<'_, str> {
    sanitize_with(html, Policy::Page)
}

fn sanitize_with(html: &str, policy: Policy) -> Cow<'_, str> {
    let Some(first) = first_rejected(html, 0, policy) else {
        return Cow::Borrowed(html);
    };
    let mut out = String::with_capacity(html.len() + 16);
    out.push_str(&html[..first]);
    out.push_str("&lt;");
    let mut pos = first + 1;
    while let Some(next) = first_rejected(html, pos, policy) {
        out.push_str(&html[pos..next]);
        out.push_str("&lt;");
        pos = next + 1;
    }
    out.push_str(&html[pos..]);
    Cow::Owned(out)
}

/// Sanitises a `String` in place of itself: no copy when it is clean.
pub fn sanitize_owned(html: String) -> String {
    match sanitize(&html) {
        Cow::Borrowed(_) => html,
        Cow::Owned(clean) => clean,
    }
}

/// The byte offset of the first `<` at or after `from` that does not open
/// an allowed tag.
fn first_rejected(html: &str, mut from: usize, policy: Policy) -> Option<usize> {
    while let Some(rel) = memchr::memchr(b'<', &html.as_bytes()[from..]) {
        let at = from + rel;
        match tag_len(html, at, policy) {
            Some(len) => from = at + len,
            None => return Some(at),
        }
    }
    None
}

/// The attributes `policy` allows on the tag `name` (the first table that
/// has the tag wins).
fn allowed(policy: Policy, name: &[u8]) -> Option<&'static [&'static str]> {
    match policy {
        Policy::Card => card_tag(name),
        Policy::Page => MATHML_POLICY
            .iter()
            .find(|(tag, _)| tag.as_bytes() == name)
            .map(|&(_, attributes)| attributes)
            .or_else(|| card_tag(name)),
    }
}

/// [`POLICY`]'s attributes for `name`, by a `match` (a few integer
/// comparisons) rather than a scan of the table: every tag of every card is
/// looked up. A test checks that the two agree.
fn card_tag(name: &[u8]) -> Option<&'static [&'static str]> {
    const NONE: &[&str] = &[];
    const CLASS: &[&str] = &["class"];
    const STYLE: &[&str] = &["style"];
    Some(match name {
        b"span" => CLASS,
        b"a" => &["href", "title"],
        b"code" | b"pre" | b"ul" => CLASS,
        b"td" | b"th" => STYLE,
        b"ol" => &["start"],
        b"blockquote" | b"br" | b"del" | b"em" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6"
        | b"hr" | b"li" | b"p" | b"strong" | b"table" | b"tbody" | b"thead" | b"tr" => NONE,
        _ => return None,
    })
}

/// The length of the allowed tag that opens at `html[at..]` (a `<`).
/// Every slice below ends at an ASCII byte, so it is a `str` boundary.
fn tag_len(html: &str, at: usize, policy: Policy) -> Option<usize> {
    let b = &html.as_bytes()[at..];
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_lowercase() || (i > name_start && c.is_ascii_digit()))
    {
        i += 1;
    }
    let name = &b[name_start..i];
    let allowed = allowed(policy, name)?;
    if closing {
        return (b.get(i) == Some(&b'>')).then_some(i + 1);
    }
    loop {
        match b.get(i)? {
            b'>' => return Some(i + 1),
            b'/' if b[i..].starts_with(b"/>") => return Some(i + 2),
            b' ' if b[i..].starts_with(b" />") => return Some(i + 3),
            b' ' => i += 1,
            _ => return None,
        }
        let attr_start = i;
        while b.get(i).is_some_and(u8::is_ascii_lowercase) {
            i += 1;
        }
        let attr = &b[attr_start..i];
        if !allowed.iter().any(|a| a.as_bytes() == attr) || !b[i..].starts_with(b"=\"") {
            return None;
        }
        i += 2;
        let value_start = i;
        i += memchr::memchr3(b'"', b'<', b'>', &b[i..])?;
        if b[i] != b'"' {
            return None;
        }
        // Only these values are checked (see `value_ok`).
        if matches!(attr, b"href" | b"style" | b"start") {
            let tag = &html[at + name_start..at + name_start + name.len()];
            let attr = &html[at + attr_start..at + attr_start + attr.len()];
            let value = &html[at + value_start..at + i];
            if !value_ok(tag, attr, value) {
                return None;
            }
        }
        i += 1;
    }
}

fn value_ok(tag: &str, attr: &str, value: &str) -> bool {
    match attr {
        "href" => decode_entities(value).is_some_and(|url| super::is_safe_url(&url)),
        // A table cell's alignment, as pulldown-cmark writes it.
        "style" if matches!(tag, "td" | "th") => matches!(
            value,
            "text-align: left" | "text-align: center" | "text-align: right"
        ),
        // MathML's (only the page's policy allows it elsewhere).
        "style" => value
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b" :;.#%-".contains(&c)),
        "start" => !value.is_empty() && value.bytes().all(|c| c.is_ascii_digit()),
        // Class names and titles cannot run anything.
        _ => true,
    }
}

/// The value as a browser reads it, for the entities pulldown-cmark writes in
/// URLs; `None` for any other entity (a browser would decode `&#58;` to `:`,
/// hiding a scheme from a check that did not).
fn decode_entities(value: &str) -> Option<Cow<'_, str>> {
    if !value.contains('&') {
        return Some(Cow::Borrowed(value));
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let (entity, ch) = [
            ("&amp;", '&'),
            ("&#x27;", '\''),
            ("&#39;", '\''),
            ("&quot;", '"'),
            ("&lt;", '<'),
            ("&gt;", '>'),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e))?;
        out.push(ch);
        rest = &rest[entity.len()..];
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        sanitize(s).into_owned()
    }

    #[test]
    fn the_cards_lookup_is_the_policy_table() {
        for &(tag, attributes) in POLICY {
            assert_eq!(card_tag(tag.as_bytes()), Some(attributes), "{tag}");
        }
        for tag in [
            "", "b", "i", "s", "u", "math", "mi", "script", "spa", "spans", "h7", "img",
        ] {
            assert!(POLICY.iter().all(|(t, _)| *t != tag), "{tag}");
            assert_eq!(card_tag(tag.as_bytes()), None, "{tag}");
        }
    }

    #[test]
    fn renderer_output_passes_unchanged() {
        for html in [
            "<p>a <em>b</em> <strong>c</strong> <del>d</del></p>\n",
            "<pre class=\"pyq-code\"><code class=\"language-python\"><span class=\"keyword\">if</span> a &lt; b</code></pre>\n",
            "<ol start=\"3\">\n<li>x</li>\n</ol>\n<hr />\n<br />",
            "<a href=\"https://docs.python.org/3/?a=1&amp;b=2\" title=\"t\">x</a>",
            "<table><thead><tr><th style=\"text-align: center\">a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
            "<ul class=\"pyq-see-also-list\"><li><span class=\"pyq-ref\">#2</span> Q</li></ul>",
            "<h2>T</h2><blockquote>\n<p>q</p>\n</blockquote>",
        ] {
            assert!(matches!(sanitize(html), Cow::Borrowed(_)), "{html}");
        }
    }

    #[test]
    fn unknown_tags_and_attributes_are_escaped() {
        assert_eq!(
            clean("<script>alert(1)</script>"),
            "&lt;script>alert(1)&lt;/script>"
        );
        assert_eq!(clean("<p onclick=\"x\">a</p>"), "&lt;p onclick=\"x\">a</p>");
        assert_eq!(clean("<P>a</p>"), "&lt;P>a</p>");
        assert_eq!(
            clean("<p style=\"color: red\">"),
            "&lt;p style=\"color: red\">"
        );
        assert_eq!(
            clean("<td style=\"text-align: left;background:url(x)\">"),
            "&lt;td style=\"text-align: left;background:url(x)\">"
        );
        assert_eq!(clean("<!-- x --><?php ?>"), "&lt;!-- x -->&lt;?php ?>");
        assert_eq!(clean("<ol start=\"1x\">"), "&lt;ol start=\"1x\">");
        assert_eq!(clean("a < b"), "a &lt; b");
        assert_eq!(clean("<p"), "&lt;p");
        assert_eq!(clean("<a href=\"x>"), "&lt;a href=\"x>");
    }

    #[test]
    fn unsafe_urls_are_escaped_even_when_encoded() {
        for href in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "javascript&#58;alert(1)",
            "javascript&#x3A;alert(1)",
            "jav&#x09;ascript:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox(1)",
        ] {
            let html = format!("<a href=\"{href}\">x</a>");
            assert!(clean(&html).starts_with("&lt;a"), "{href}");
        }
        assert_eq!(
            clean("<a href=\"#x\">a</a><a href=\"/p?q=1\">b</a><a href=\"mailto:a@b.c\">c</a>"),
            "<a href=\"#x\">a</a><a href=\"/p?q=1\">b</a><a href=\"mailto:a@b.c\">c</a>"
        );
    }

    #[test]
    fn the_page_allows_mathml_and_cards_do_not() {
        let math = "<math display=\"block\"><mrow><mspace/><mi mathvariant=\"normal\">Γ</mi></mrow><mspace width=\"1em\"/><mpadded width=\"0\" style=\"padding-right:0.2222em;\"><mn>x</mn></mpadded><mo>&lt;</mo></math>";
        assert!(matches!(sanitize_page(math), Cow::Borrowed(_)), "{math}");
        assert!(sanitize(math).starts_with("&lt;math"));
        // Everything a card allows, the page allows.
        let card = "<p><a href=\"#q-x\">x</a></p><td style=\"text-align: left\">";
        assert!(matches!(sanitize_page(card), Cow::Borrowed(_)));
    }

    #[test]
    fn the_pages_mathml_cannot_load_or_run_anything() {
        for html in [
            "<mrow style=\"background:url(https://x/y.png)\">",
            "<mrow style=\"background:url&#40;x)\">",
            "<mi style=\"color:red\\;x\">",
            "<mi href=\"javascript:alert(1)\">",
            "<mi onclick=\"x\">",
            "<maction actiontype=\"statusline\">",
            "<annotation-xml encoding=\"text/html\">",
            "<td style=\"color:red\">",
            "<span style=\"color:red\" onclick=\"x\">",
        ] {
            assert!(sanitize_page(html).starts_with("&lt;"), "{html}");
        }
    }
}
