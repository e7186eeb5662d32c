//! The note type's fields, card template and CSS. Field names and the
//! template name are part of the note type's identity in Anki: changing
//! them makes every later import a conflict (see ANKI.md), so they are
//! frozen. Templates and CSS may change; the note type's `mod` is bumped
//! when they do.

/// Field names, in order. Frozen (docs/formats.md, "Note type"): the first
/// two are named like the stock Basic type's, so that the Anki CSV, imported
/// into a collection that lacks this note type, still fills Basic's Front
/// with the question and Back with the answer (Anki maps a CSV column to the
/// field whose name equals the column's label). First, the question is
/// also the field Anki checks for duplicates.
pub const FIELDS: [&str; 7] = [
    "Front",
    "Back",
    "Number",
    "Topic",
    "Difficulty",
    "See also",
    "Id",
];

/// The index in [`FIELDS`] of the sort field (the browser's "Sort Field"
/// column): the question's number, so the browser lists the bank in order.
pub const SORT_FIELD: usize = 2;

/// The one card template's name. Frozen.
pub const TEMPLATE_NAME: &str = "Question → Answer";

pub const FRONT: &str = r#"<div class="pyq-card">
<div class="pyq-meta"><span class="pyq-num">#{{Number}}</span><span class="pyq-topic">{{Topic}}</span><span class="pyq-level pyq-level-{{Difficulty}}">{{Difficulty}}</span></div>
<div class="pyq-question">{{Front}}</div>
</div>"#;

pub const BACK: &str = r#"{{FrontSide}}
<hr id="answer">
<div class="pyq-card pyq-answer">{{Back}}</div>
{{#See also}}<div class="pyq-card pyq-see-also"><div class="pyq-see-also-title">See also</div>{{See also}}</div>{{/See also}}"#;

/// One stylesheet: readable on a phone, light and night mode (Anki adds
/// `.nightMode` / `.night_mode` to the card's container), code that keeps its
/// white space and scrolls sideways, and the highlighter's classes. The HTML
/// page is styled by the same parts (see [`crate::export::html`]).
pub const CSS: &str = concat!(
    css_light!(),
    css_night_selector!(),
    " ",
    css_dark!(),
    css_rules!()
);

/// The `.card` rule: the light colours and the variables the rules use.
macro_rules! css_light {
    () => {
        r#".card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 18px;
  line-height: 1.5;
  text-align: left;
  color: #1f2328;
  background: #ffffff;
  margin: 0;
  padding: 0;
  --pyq-muted: #59636e;
  --pyq-border: #d1d9e0;
  --pyq-code-bg: #f6f8fa;
  --pyq-accent: #0969da;
  --pyq-keyword: #cf222e;
  --pyq-string: #0a3069;
  --pyq-comment: #59636e;
  --pyq-number: #0550ae;
  --pyq-function: #8250df;
  --pyq-type: #953800;
  --pyq-constant: #0550ae;
}
"#
    };
}

/// Where Anki's night mode applies.
macro_rules! css_night_selector {
    () => {
        ".nightMode.card, .night_mode.card, .nightMode .card, .night_mode .card"
    };
}

/// The night colours, as a declaration block.
macro_rules! css_dark {
    () => {
        r#"{
  color: #e6edf3;
  background: #0d1117;
  --pyq-muted: #9198a1;
  --pyq-border: #3d444d;
  --pyq-code-bg: #161b22;
  --pyq-accent: #4493f8;
  --pyq-keyword: #ff7b72;
  --pyq-string: #a5d6ff;
  --pyq-comment: #9198a1;
  --pyq-number: #79c0ff;
  --pyq-function: #d2a8ff;
  --pyq-type: #ffa657;
  --pyq-constant: #79c0ff;
}
"#
    };
}

/// Everything else: layout, code, tables, "See also", highlighting, phones.
macro_rules! css_rules {
    () => {
        r#".pyq-card { max-width: 42em; margin: 0 auto; padding: 12px 16px; }
.pyq-meta { font-size: 13px; color: var(--pyq-muted); display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 6px; }
.pyq-level { border: 1px solid var(--pyq-border); border-radius: 10px; padding: 0 8px; }
.pyq-question { font-size: 20px; font-weight: 600; }
hr#answer { border: 0; border-top: 1px solid var(--pyq-border); margin: 8px 0; }
.pyq-answer p { margin: 0.5em 0; }
.pyq-answer ul, .pyq-answer ol { padding-left: 1.3em; margin: 0.4em 0; }
.pyq-answer li { margin: 0.25em 0; }
.pyq-card a { color: var(--pyq-accent); }
.pyq-card code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em;
  background: var(--pyq-code-bg);
  border-radius: 4px;
  padding: 0.1em 0.3em;
}
.pyq-card pre.pyq-code {
  background: var(--pyq-code-bg);
  border: 1px solid var(--pyq-border);
  border-radius: 6px;
  padding: 10px 12px;
  overflow-x: auto;
  white-space: pre;
  word-wrap: normal;
  -webkit-overflow-scrolling: touch;
  line-height: 1.4;
}
.pyq-card pre.pyq-code code { background: none; padding: 0; font-size: 14px; white-space: pre; }
.pyq-card table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; display: block; overflow-x: auto; }
.pyq-card th, .pyq-card td { border: 1px solid var(--pyq-border); padding: 4px 8px; }
.pyq-see-also { font-size: 15px; color: var(--pyq-muted); }
.pyq-see-also-title { font-weight: 600; }
.pyq-see-also-list { padding-left: 1.2em; margin: 0.3em 0; }
.pyq-ref { font-weight: 600; }
.pyq-code .keyword { color: var(--pyq-keyword); }
.pyq-code .string, .pyq-code .string-special { color: var(--pyq-string); }
.pyq-code .comment { color: var(--pyq-comment); font-style: italic; }
.pyq-code .number, .pyq-code .constant, .pyq-code .constant-builtin, .pyq-code .boolean { color: var(--pyq-number); }
.pyq-code .function, .pyq-code .function-builtin, .pyq-code .function-method { color: var(--pyq-function); }
.pyq-code .type, .pyq-code .type-builtin, .pyq-code .constructor { color: var(--pyq-type); }
.pyq-code .property, .pyq-code .attribute { color: var(--pyq-constant); }
.pyq-code .embedded, .pyq-code .escape { color: var(--pyq-keyword); }
@media (max-width: 480px) {
  .card { font-size: 16px; }
  .pyq-question { font-size: 18px; }
  .pyq-card { padding: 8px 10px; }
}
"#
    };
}

pub(crate) use {css_dark, css_light, css_night_selector, css_rules};
