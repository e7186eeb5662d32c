//! Any text as an answer: the renderer's HTML is already clean (the
//! sanitiser changes nothing), and a browser's tokenizer finds only
//! allow-listed tags, attributes and URLs in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pyq::render::{Highlighter, sanitize, sanitize::POLICY, to_html, to_inline_html};

thread_local! {
    // Building the grammars once, not per input, keeps execs/s up.
    static HL: std::cell::RefCell<Highlighter> = std::cell::RefCell::new(Highlighter::new());
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let outputs = HL.with_borrow_mut(|hl| [to_html(&text, hl), to_inline_html(&text, hl)]);
    for html in outputs {
        assert!(
            matches!(sanitize(&html), std::borrow::Cow::Borrowed(_)),
            "the sanitiser changed renderer output: {html:?}"
        );
        check(&html);
    }
    // The sanitiser on its own, as if the renderer had passed raw input.
    check(&sanitize(&text));
});

fn check(html: &str) {
    for token in html5gum::Tokenizer::new(html) {
        let Ok(token) = token;
        match token {
            html5gum::Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                let (_, allowed) = POLICY
                    .iter()
                    .find(|(t, _)| *t == name)
                    .unwrap_or_else(|| panic!("<{name}> in {html:?}"));
                for (key, value) in &tag.attributes {
                    let key = String::from_utf8_lossy(key).into_owned();
                    assert!(allowed.contains(&key.as_str()), "<{name} {key}> in {html:?}");
                    if key == "href" {
                        let url: String = String::from_utf8_lossy(&value.value)
                            .chars()
                            .filter(|c| !c.is_whitespace() && !c.is_control())
                            .collect::<String>()
                            .to_ascii_lowercase();
                        if let Some(colon) = url.find(':') {
                            let scheme = &url[..colon];
                            assert!(
                                scheme.contains(['/', '?', '#'])
                                    || matches!(scheme, "http" | "https" | "mailto"),
                                "href {url:?} in {html:?}"
                            );
                        }
                    }
                }
            }
            html5gum::Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).into_owned();
                assert!(POLICY.iter().any(|(t, _)| *t == name), "</{name}> in {html:?}");
            }
            html5gum::Token::Comment(_) | html5gum::Token::Doctype(_) => {
                panic!("comment or doctype in {html:?}")
            }
            html5gum::Token::String(_) | html5gum::Token::Error(_) => {}
        }
    }
}
