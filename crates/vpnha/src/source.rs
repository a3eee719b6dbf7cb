//! Source text, positions and field paths: what lets every error and finding say where.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// A byte range in a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (0 for a position).
    pub len: usize,
}

impl Span {
    /// A span from an offset and a length.
    pub const fn new(offset: usize, len: usize) -> Self {
        Span { offset, len }
    }
}

/// A position in a source text: 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters (not bytes).
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One step of a [`FieldPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// The path of a field in a topology document, such as `local_gateways[1].bgp.asn`.
///
/// The empty path is the document itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<PathSegment>);

impl FieldPath {
    /// The document root.
    pub const fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path followed by a mapping key.
    #[must_use]
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(PathSegment::Key(key.to_owned()));
        self
    }

    /// This path followed by a sequence index.
    #[must_use]
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(PathSegment::Index(index));
        self
    }

    /// The segments from the root down.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// Whether this is the document root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last mapping key of the path, if any.
    pub fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            PathSegment::Key(k) => Some(k.as_str()),
            PathSegment::Index(_) => None,
        })
    }

    pub(crate) fn from_segments(segments: Vec<PathSegment>) -> Self {
        FieldPath(segments)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSegment::Key(k) if i == 0 => f.write_str(k)?,
                PathSegment::Key(k) => write!(f, ".{k}")?,
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A named source text with a line index, for positions and snippets.
///
/// Shared keys are masked (`*`) in the stored text, so no snippet can show one.
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub(crate) fn new(name: &str, text: String) -> Arc<Self> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(SourceFile {
            name: name.to_owned(),
            text,
            line_starts,
        })
    }

    /// The file name (or `<input>` for text given directly).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text, with shared keys masked.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Location {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a 1-based line and column, if it exists.
    pub(crate) fn offset_of(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let rest = self.text.get(start..)?;
        let within = rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
        Some(start + within)
    }
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("len", &self.text.len())
            .finish_non_exhaustive()
    }
}

/// Masks the values of `shared_key` / `sharedKey` on every line of `text` that names one.
///
/// Used before anything of a text that could not be parsed is shown: without a tree we
/// cannot know exactly where a key's value is, so the rest of such a line is masked.
/// Byte lengths are preserved so offsets stay valid.
pub(crate) fn mask_secret_lines(text: &str) -> String {
    mask_lines_naming(text, &["shared_key", "sharedkey"])
}

/// Masks, on every line that names one of `words` (lowercase), what follows the word and its
/// `:` or `=` separator up to the line end. Byte lengths are preserved.
pub(crate) fn mask_lines_naming(text: &str, words: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        let hit = words
            .iter()
            .filter_map(|k| lower.find(k).map(|i| i + k.len()))
            .min();
        match hit {
            Some(after_key) => {
                // Keep the key and the separator; mask what follows up to the line end.
                let sep = line[after_key..]
                    .find([':', '='])
                    .map_or(after_key, |i| after_key + i + 1);
                out.push_str(&line[..sep]);
                for c in line[sep..].chars() {
                    if c == '\n' || c == '\r' {
                        out.push(c);
                    } else {
                        out.extend(std::iter::repeat_n('*', c.len_utf8()));
                    }
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Replaces the bytes of `span` in `text` by `*` (keeping byte length and UTF-8 validity).
pub(crate) fn mask_span(text: &mut String, span: Span) {
    let end = span.offset.saturating_add(span.len).min(text.len());
    if span.offset >= end || !text.is_char_boundary(span.offset) || !text.is_char_boundary(end) {
        return;
    }
    let stars = "*".repeat(end - span.offset);
    text.replace_range(span.offset..end, &stars);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_display_matches_the_documented_form() {
        let p = FieldPath::root()
            .key("local_gateways")
            .index(1)
            .key("bgp")
            .key("asn");
        assert_eq!(p.to_string(), "local_gateways[1].bgp.asn");
        assert_eq!(FieldPath::root().to_string(), "");
    }

    #[test]
    fn locations_count_characters_from_one() {
        let f = SourceFile::new("x", "ab\nçd: 1\n".to_owned());
        assert_eq!(f.location(0), Location { line: 1, column: 1 });
        assert_eq!(f.location(3), Location { line: 2, column: 1 });
        // 'ç' is two bytes: the ':' after "çd" is the third character.
        assert_eq!(f.location(6), Location { line: 2, column: 3 });
        assert_eq!(f.offset_of(2, 3), Some(6));
    }

    #[test]
    fn secret_lines_are_masked_and_keep_their_length() {
        let text = "a: 1\nshared_key: hunter2 # c\n{\"sharedKey\": \"x y\"}\n";
        let masked = mask_secret_lines(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("hunter2"));
        assert!(!masked.contains("x y"));
        assert!(masked.starts_with("a: 1\nshared_key:"));
    }
}
