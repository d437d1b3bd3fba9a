//! Turning a teacher's file (`.txt`, `.md`, `.html`, `.docx`, `.pdf`) into
//! the plain text of a pack's `document.txt`: headings kept as section
//! names, each on a line of its own, and paragraphs separated by blank
//! lines, the shape [`Document::parse`](super::Document::parse) reads as
//! passages.
//!
//! The file is untrusted: it is read with a size cap counted while reading
//! (10 MB), the text it yields is capped (2 MB), a compressed part is
//! checked before it is inflated and capped while inflating, and every
//! error names the file and what was wrong with it.
//!
//! This module reads one file and builds text. It writes nothing.

mod docx;
mod html;
mod markdown;
mod pdf;

#[doc(hidden)]
pub mod fixtures;

use std::path::Path;

use super::document::collapse_whitespace;
use super::error::ContentError;
use super::files;

/// Largest file accepted.
pub const MAX_SOURCE_BYTES: u64 = 10 * 1024 * 1024;
/// Largest text a file may yield: a 2 MB document is a long book.
pub const MAX_TEXT_BYTES: usize = 2 * 1024 * 1024;

/// The formats read, by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Html,
    Docx,
    Pdf,
}

impl Format {
    /// The format a file's extension names, if it is one read.
    pub fn of(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "txt" | "text" => Self::Text,
            "md" | "markdown" => Self::Markdown,
            "html" | "htm" => Self::Html,
            "docx" => Self::Docx,
            "pdf" => Self::Pdf,
            _ => return None,
        })
    }

    /// The format's name with its article, for messages: "a PDF file".
    pub fn name(&self) -> &'static str {
        match self {
            Self::Text => "a text file",
            Self::Markdown => "a Markdown file",
            Self::Html => "an HTML file",
            Self::Docx => "a Word (DOCX) file",
            Self::Pdf => "a PDF file",
        }
    }
}

/// The text of a file, ready to save as `document.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub format: Format,
    /// Headings then paragraphs, each on one line, blank-line separated.
    pub text: String,
    /// The section names (headings) found, in order.
    pub headings: Vec<String>,
    /// What was dropped or doubtful, for the summary ("dropped a running
    /// header ...").
    pub notes: Vec<String>,
}

/// Why a file was refused: `file: problem`.
pub(crate) fn problem(file: &Path, message: impl Into<String>) -> ContentError {
    ContentError::new(file.display().to_string(), None, message)
}

/// Reads `path` (at most [`MAX_SOURCE_BYTES`]) and extracts its text.
pub fn extract(path: &Path) -> Result<Extracted, ContentError> {
    let format = Format::of(path).ok_or_else(|| {
        problem(
            path,
            "is not a file Lectern can read: give a .pdf, .docx, .md, .html or .txt file",
        )
    })?;
    let bytes = files::read_bytes(path, MAX_SOURCE_BYTES)?
        .ok_or_else(|| problem(path, "does not exist"))?;
    extract_bytes(path, format, bytes)
}

/// Extracts the text of `bytes`, the contents of `path` in `format`.
pub fn extract_bytes(
    path: &Path,
    format: Format,
    bytes: Vec<u8>,
) -> Result<Extracted, ContentError> {
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(problem(
            path,
            "the file is over 10 MB, the largest accepted (split it into smaller files)",
        ));
    }
    let mut text = Builder::new(path, format);
    match format {
        Format::Text => {
            let body = files::decode(path, bytes)?;
            text.verbatim(&body)?;
        }
        Format::Markdown => markdown::extract(&files::decode(path, bytes)?, &mut text)?,
        Format::Html => html::extract(&String::from_utf8_lossy(&bytes), &mut text)?,
        Format::Docx => docx::extract(path, &bytes, &mut text)?,
        Format::Pdf => pdf::extract(path, &bytes, &mut text)?,
    }
    text.finish()
}

/// Collects headings and paragraphs into document text, refusing more than
/// [`MAX_TEXT_BYTES`] as soon as it is reached.
pub(crate) struct Builder<'a> {
    path: &'a Path,
    format: Format,
    text: String,
    headings: Vec<String>,
    notes: Vec<String>,
}

impl<'a> Builder<'a> {
    fn new(path: &'a Path, format: Format) -> Self {
        Self {
            path,
            format,
            text: String::new(),
            headings: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A section name, on a line of its own.
    pub(crate) fn heading(&mut self, heading: &str) -> Result<(), ContentError> {
        let heading = collapse_whitespace(heading);
        if heading.is_empty() {
            return Ok(());
        }
        self.headings.push(heading.clone());
        self.push(&heading)
    }

    /// A paragraph, its whitespace collapsed to single spaces.
    pub(crate) fn paragraph(&mut self, paragraph: &str) -> Result<(), ContentError> {
        let paragraph = collapse_whitespace(paragraph);
        if paragraph.is_empty() {
            return Ok(());
        }
        self.push(&paragraph)
    }

    /// A note for the summary.
    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Text kept as it is (a `.txt` file).
    fn verbatim(&mut self, text: &str) -> Result<(), ContentError> {
        self.text.push_str(text.trim());
        self.check_size()
    }

    fn push(&mut self, block: &str) -> Result<(), ContentError> {
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.text.push_str(block);
        self.check_size()
    }

    fn check_size(&self) -> Result<(), ContentError> {
        if self.text.len() > MAX_TEXT_BYTES {
            return Err(problem(
                self.path,
                "its text is over 2 MB, the largest document accepted (split it into smaller files)",
            ));
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Extracted, ContentError> {
        if self.text.trim().is_empty() {
            let hint = match self.format {
                Format::Pdf => {
                    " (a scanned PDF holds pictures of text, not text: save it with OCR, or as a Word file)"
                }
                _ => "",
            };
            return Err(problem(self.path, format!("no text was found in it{hint}")));
        }
        if !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        Ok(Extracted {
            format: self.format,
            text: self.text,
            headings: self.headings,
            notes: self.notes,
        })
    }
}

#[cfg(test)]
mod tests;
