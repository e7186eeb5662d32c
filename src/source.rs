//! The bank's text and the one place that turns byte offsets into 1-based
//! lines and columns (columns counted in Unicode scalar values).

use std::path::{Path, PathBuf};

/// A byte range `start..end` in a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The bank as read from disk: its display name, its text (BOM removed) and
/// the byte offset where each line starts.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    path: PathBuf,
    text: String,
    /// Whether the file began with a UTF-8 byte-order mark (removed from
    /// `text`; `lint --fix` writes it back).
    bom: bool,
    /// Byte offsets of line starts (u32: files are capped well below 4 GiB).
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// `name` is what reports show (the path as the user typed it).
    pub fn new(path: &Path, text: String) -> Self {
        let bom = text.starts_with('\u{feff}');
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| (i + 1) as u32));
        Self {
            name: path.display().to_string(),
            path: path.to_path_buf(),
            text,
            bom,
            line_starts,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn has_bom(&self) -> bool {
        self.bom
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset of a 1-based `line` and 0-based character column, as the
    /// YAML parser reports them. Clamped to the text.
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let start = start as usize;
        let end = self.line_end(start);
        let line_text = &self.text[start..end];
        if line_text.is_ascii() {
            return start + char_col.min(line_text.len());
        }
        match line_text.char_indices().nth(char_col) {
            Some((i, _)) => start + i,
            None => end,
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s as usize <= offset);
        let start = self.line_starts[line - 1] as usize;
        let column = match self.text.get(start..offset) {
            Some(prefix) => prefix.chars().count() + 1,
            None => offset - start + 1,
        };
        LineCol { line, column }
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        match self.line_starts.get(line.saturating_sub(1)) {
            Some(&start) => {
                let start = start as usize;
                let end = self.line_end(start);
                self.text[start..end].trim_end_matches('\r')
            }
            None => "",
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    fn line_end(&self, start: usize) -> usize {
        self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == b'\n').then_some(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(Path::new("q.yaml"), text.to_owned())
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let f = file("a: 1\nb: é x\n");
        let x = f.text().find('x').unwrap();
        assert_eq!(f.line_col(x), LineCol { line: 2, column: 6 });
        assert_eq!(f.offset_of(2, 5), x);
    }

    #[test]
    fn bom_is_removed_and_crlf_lines_are_lines() {
        let f = file("\u{feff}a: 1\r\nb: 2\r\n");
        assert!(f.text().starts_with("a:"));
        assert!(f.has_bom());
        assert!(!file("a: 1").has_bom());
        let b = f.text().find('b').unwrap();
        assert_eq!(f.line_col(b), LineCol { line: 2, column: 1 });
        assert_eq!(f.line_text(1), "a: 1");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = file("a");
        assert_eq!(f.offset_of(9, 9), 1);
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 2 });
    }
}
