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

/// Lines per entry of [`SourceFile`]'s line index.
const LINES_PER_MARK: usize = 16;

/// The bank as read from disk: its display name, its text (BOM removed) and
/// an index of where its lines start.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    path: PathBuf,
    text: String,
    /// Whether the file began with a UTF-8 byte-order mark (removed from
    /// `text`; `lint --fix` writes it back).
    bom: bool,
    /// The byte offset of the start of every [`LINES_PER_MARK`]th line
    /// (lines 1, 17, 33, ...); the lines between are found by scanning, so
    /// a 100,000-question bank's index is 0.6 MB instead of 9 MB. u32:
    /// files are capped well below 4 GiB.
    marks: Vec<u32>,
    line_count: usize,
    /// Where the file stopped being valid UTF-8 (a byte offset in `text`,
    /// which then holds the lossy decoding), and the byte found there.
    invalid_utf8_at: Option<(usize, u8)>,
    /// The file is UTF-16 or UTF-32 (`text` holds it decoded, for showing).
    encoding: Option<Encoding>,
}

/// A Unicode encoding other than UTF-8 that a bank may have been saved in
/// (Windows editors and PowerShell's `>` write UTF-16).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// `UTF-16` or `UTF-32`: bytes per code unit, 2 or 4.
    pub unit: usize,
    pub big_endian: bool,
    /// Found by its byte-order mark (else by the zero bytes of ASCII text).
    pub bom: bool,
}

impl Encoding {
    /// Recognises UTF-32 and UTF-16 by their byte-order marks (UTF-32 first:
    /// its little-endian mark starts like UTF-16's), or, without one, by the
    /// zero bytes that ASCII text has in those encodings (`v\0e\0`), which
    /// a UTF-8 YAML file never starts with.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        let of = |unit, big_endian, bom| {
            Some(Self {
                unit,
                big_endian,
                bom,
            })
        };
        match bytes {
            [0xFF, 0xFE, 0, 0, ..] => of(4, false, true),
            [0, 0, 0xFE, 0xFF, ..] => of(4, true, true),
            [0xFF, 0xFE, ..] => of(2, false, true),
            [0xFE, 0xFF, ..] => of(2, true, true),
            [a, 0, 0, 0, ..] if *a != 0 => of(4, false, false),
            [0, 0, 0, a, ..] if *a != 0 => of(4, true, false),
            [a, 0, b, 0, ..] if *a != 0 && *b != 0 => of(2, false, false),
            [0, a, 0, b, ..] if *a != 0 && *b != 0 => of(2, true, false),
            _ => None,
        }
    }

    /// `UTF-16LE`, `UTF-32BE`, ...: the names iconv and editors use.
    pub fn name(self) -> String {
        format!(
            "UTF-{}{}",
            self.unit * 8,
            if self.big_endian { "BE" } else { "LE" }
        )
    }

    /// Decodes `bytes` (a bad unit becomes U+FFFD), for showing the file.
    fn decode(self, bytes: &[u8]) -> String {
        let unit = |c: &[u8]| -> u32 {
            let mut n = 0u32;
            for i in 0..c.len() {
                let b = if self.big_endian {
                    c[i]
                } else {
                    c[c.len() - 1 - i]
                };
                n = n << 8 | u32::from(b);
            }
            n
        };
        let units = bytes.chunks_exact(self.unit).map(unit);
        if self.unit == 2 {
            char::decode_utf16(units.map(|u| u as u16))
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        } else {
            units
                .map(|u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
    }
}

impl SourceFile {
    /// `name` is what reports show (the path as the user typed it).
    pub fn new(path: &Path, text: String) -> Self {
        let bom = text.starts_with('\u{feff}');
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        let mut marks = vec![0];
        let mut line_count = 1;
        for i in memchr::memchr_iter(b'\n', text.as_bytes()) {
            if line_count % LINES_PER_MARK == 0 {
                marks.push((i + 1) as u32);
            }
            line_count += 1;
        }
        marks.shrink_to_fit();
        Self {
            name: path.display().to_string(),
            path: path.to_path_buf(),
            text,
            bom,
            marks,
            line_count,
            invalid_utf8_at: None,
            encoding: None,
        }
    }

    /// The file as read from disk: a UTF-16 or UTF-32 file is decoded and
    /// remembered as such; invalid UTF-8 is decoded lossily (each bad
    /// sequence shows as U+FFFD) and remembered. `load` reports either.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Self {
        if let Some(encoding) = Encoding::detect(&bytes) {
            let mut source = Self::new(path, encoding.decode(&bytes));
            source.encoding = Some(encoding);
            return source;
        }
        match String::from_utf8(bytes) {
            Ok(text) => Self::new(path, text),
            Err(err) => {
                let valid_up_to = err.utf8_error().valid_up_to();
                let byte = err.as_bytes()[valid_up_to];
                let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                let mut source = Self::new(path, text);
                let bom = if source.bom { 3 } else { 0 };
                source.invalid_utf8_at = Some((valid_up_to.saturating_sub(bom), byte));
                source
            }
        }
    }

    /// Where the file stopped being valid UTF-8, as a byte offset in
    /// [`Self::text`] (at the U+FFFD that stands for the bad byte), and the
    /// value of that byte in the file.
    pub fn invalid_utf8_at(&self) -> Option<(usize, u8)> {
        self.invalid_utf8_at
    }

    /// The encoding of a UTF-16 or UTF-32 file (its text is decoded).
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
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
        let Some(start) = self.line_start(line) else {
            return self.text.len();
        };
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
        let mark = self.marks.partition_point(|&s| s as usize <= offset) - 1;
        let mut line = mark * LINES_PER_MARK + 1;
        let mut start = self.marks[mark] as usize;
        let bytes = &self.text.as_bytes()[start..offset];
        for i in memchr::memchr_iter(b'\n', bytes) {
            line += 1;
            start = self.marks[mark] as usize + i + 1;
        }
        let column = match self.text.get(start..offset) {
            Some(prefix) => prefix.chars().count() + 1,
            None => offset - start + 1,
        };
        LineCol { line, column }
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        match self.line_start(line) {
            Some(start) => {
                let end = self.line_end(start);
                self.text[start..end].trim_end_matches('\r')
            }
            None => "",
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_count
    }

    /// The byte offset where 1-based `line` starts, if the text has it.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        let index = line.saturating_sub(1);
        if index >= self.line_count {
            return None;
        }
        let mut start = self.marks[index / LINES_PER_MARK] as usize;
        for _ in 0..index % LINES_PER_MARK {
            start = self.line_end(start) + 1;
        }
        Some(start)
    }

    fn line_end(&self, start: usize) -> usize {
        memchr::memchr(b'\n', &self.text.as_bytes()[start..]).map_or(self.text.len(), |i| start + i)
    }
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
    fn utf16_and_utf32_are_recognised_and_decoded() {
        let text = "version: 1\né\n";
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let utf32le: Vec<u8> = [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain(text.chars().flat_map(|c| u32::from(c).to_le_bytes()))
            .collect();
        let utf32be: Vec<u8> = text
            .chars()
            .flat_map(|c| u32::from(c).to_be_bytes())
            .collect();
        for (bytes, name, bom) in [
            (utf16le, "UTF-16LE", true),
            (utf16be, "UTF-16BE", false),
            (utf32le, "UTF-32LE", true),
            (utf32be, "UTF-32BE", false),
        ] {
            let f = SourceFile::from_bytes(Path::new("q.yaml"), bytes);
            let encoding = f.encoding().expect(name);
            assert_eq!((encoding.name().as_str(), encoding.bom), (name, bom));
            assert_eq!(f.text(), text, "{name}");
        }
        assert_eq!(Encoding::detect(b"version: 1\n"), None);
        assert_eq!(Encoding::detect("\u{feff}version: 1\n".as_bytes()), None);
        assert_eq!(Encoding::detect(b"v"), None);
    }

    #[test]
    fn the_first_invalid_byte_is_remembered() {
        let f = SourceFile::from_bytes(Path::new("q.yaml"), b"a: caf\xe9 \xff\n".to_vec());
        assert_eq!(f.invalid_utf8_at(), Some((6, 0xE9)));
        assert_eq!(f.encoding(), None);
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
    fn the_line_index_agrees_with_counting_lines() {
        // Lines of every length (empty ones, multibyte ones, CRLF) across
        // many index marks, with and without a final line break.
        let mut text = String::new();
        for i in 0..200 {
            let line = match i % 5 {
                0 => String::new(),
                1 => "é".repeat(i % 7),
                2 => format!("key: {i}\r"),
                _ => "x".repeat(i),
            };
            text.push_str(&line);
            text.push('\n');
        }
        for text in [text.clone(), format!("{text}tail")] {
            let f = file(&text);
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            assert_eq!(f.line_count(), starts.len());
            for offset in 0..=text.len() {
                if !text.is_char_boundary(offset) {
                    continue;
                }
                let line = starts.partition_point(|&s| s <= offset);
                let column = text[starts[line - 1]..offset].chars().count() + 1;
                assert_eq!(f.line_col(offset), LineCol { line, column }, "{offset}");
            }
            for (k, &start) in starts.iter().enumerate() {
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                assert_eq!(f.offset_of(k + 1, 0), start);
                assert_eq!(f.line_text(k + 1), text[start..end].trim_end_matches('\r'));
            }
            assert_eq!(f.line_text(starts.len() + 1), "");
            assert_eq!(f.offset_of(starts.len() + 1, 0), text.len());
        }
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = file("a");
        assert_eq!(f.offset_of(9, 9), 1);
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 2 });
    }
}
