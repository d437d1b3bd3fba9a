//! PDF, read with lopdf: the text shown on each page, line by line, then
//! cleaned of page furniture and joined back into paragraphs.
//!
//! A PDF has no paragraphs, only positioned lines, so they are rebuilt:
//! - lines repeated at the top or bottom of most pages (running headers and
//!   footers, page numbers varying) and bare page numbers are dropped;
//! - a word hyphenated at a line's end is joined ("indus-" + "trial");
//! - a paragraph ends at a line that ends a sentence well short of the
//!   text's width; a short line without closing punctuation standing
//!   alone is a heading.
//!
//! A truncated or encrypted PDF is refused, and page contents are
//! inflated with a cap, so a compressed bomb is refused.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use lopdf::content::Content;
use lopdf::{Document, Encoding, Object, ObjectId};

use super::{Builder, problem};
use crate::content::error::ContentError;

/// The most page content inflated, over all pages.
const MAX_CONTENT_BYTES: u64 = 64 * 1024 * 1024;

pub(super) fn extract(
    path: &Path,
    bytes: &[u8],
    out: &mut Builder<'_>,
) -> Result<(), ContentError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(problem(path, "is not a PDF (it does not begin with %PDF-)"));
    }
    let tail = &bytes[bytes.len().saturating_sub(2048)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(problem(
            path,
            "the PDF is truncated (it has no %%EOF end marker): the file was cut short; download or export it again",
        ));
    }
    let encrypted = || {
        problem(
            path,
            "the PDF is encrypted (password-protected): save a copy without a password and try again",
        )
    };
    let document = Document::load_mem(bytes).map_err(|error| {
        if bytes.windows(8).any(|w| w == b"/Encrypt") {
            encrypted()
        } else {
            problem(path, format!("the PDF cannot be read: {error}"))
        }
    })?;
    if document.trailer.get(b"Encrypt").is_ok() {
        return Err(encrypted());
    }
    let mut budget = MAX_CONTENT_BYTES;
    let mut pages = Vec::new();
    let mut unreadable = Vec::new();
    for (number, page_id) in document.get_pages() {
        // One broken page is noted and skipped; the others still count.
        let lines = match page_lines(&document, page_id, &mut budget) {
            Ok(lines) => lines,
            Err(PageError::Bomb) => {
                return Err(problem(
                    path,
                    format!(
                        "is refused: its page contents unpack to over {} MB (a PDF bomb, or far too large)",
                        MAX_CONTENT_BYTES / (1024 * 1024)
                    ),
                ));
            }
            Err(PageError::Pdf(error)) => {
                unreadable.push((number, error.to_string()));
                continue;
            }
        };
        if lines.is_empty() {
            out.note(format!("page {number} has no text (a picture or a scan?)"));
        }
        pages.push(lines);
    }
    if pages.is_empty() {
        let reason = unreadable.first().map_or_else(
            || "it has no pages".to_string(),
            |(number, error)| format!("no page could be read (page {number}: {error})"),
        );
        return Err(problem(path, format!("the PDF cannot be read: {reason}")));
    }
    for (number, error) in unreadable {
        out.note(format!(
            "page {number} cannot be read ({error}) and was skipped"
        ));
    }
    for block in blocks(pages, out) {
        match block {
            Block::Heading(text) => out.heading(&text)?,
            Block::Paragraph(text) => out.paragraph(&text)?,
        }
    }
    Ok(())
}

enum PageError {
    Bomb,
    Pdf(lopdf::Error),
}

impl From<lopdf::Error> for PageError {
    fn from(error: lopdf::Error) -> Self {
        Self::Pdf(error)
    }
}

/// One line of a page: its text and where it stands (the vertical
/// position of its baseline in text space, when known).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Line {
    pub text: String,
    pub y: Option<f32>,
}

/// The lines of text of one page, in content order.
fn page_lines(
    document: &Document,
    page_id: ObjectId,
    budget: &mut u64,
) -> Result<Vec<Line>, PageError> {
    let encodings: BTreeMap<Vec<u8>, Encoding<'_>> = document
        .get_page_fonts(page_id)?
        .into_iter()
        .filter_map(|(name, font)| font.get_font_encoding(document).ok().map(|e| (name, e)))
        .collect();
    let mut data = Vec::new();
    for id in document.get_page_contents(page_id) {
        let stream = document.get_object(id)?.as_stream()?;
        let content = inflate(stream, budget)?;
        data.extend_from_slice(&content);
        data.push(b'\n');
    }
    let content = Content::decode(&data)?;
    let mut lines = PageText::default();
    let mut encoding: Option<&Encoding<'_>> = None;
    // Where text is shown: the baseline's height on the page, the text
    // matrix's vertical scale, and the leading (T*, ', ").
    let (mut y, mut scale, mut leading) = (0.0f32, 1.0f32, 0.0f32);
    let float = |operands: &[Object], at: usize| {
        operands
            .get(at)
            .and_then(|o| o.as_float().ok())
            .unwrap_or(0.0)
    };
    for operation in &content.operations {
        let operands = &operation.operands;
        match operation.operator.as_str() {
            "Tf" => {
                encoding = operands
                    .first()
                    .and_then(|name| name.as_name().ok())
                    .and_then(|name| encodings.get(name));
            }
            "Tj" | "'" | "\"" | "TJ" => {
                if operation.operator == "'" || operation.operator == "\"" {
                    y -= leading * scale;
                    lines.move_to(y);
                }
                if let Some(encoding) = encoding {
                    lines.show(y, |line| show(line, encoding, operands));
                }
            }
            "TL" => leading = float(operands, 0),
            "Td" | "TD" => {
                let dy = float(operands, 1);
                if operation.operator == "TD" {
                    leading = -dy;
                }
                y += dy * scale;
                lines.move_to(y);
            }
            "Tm" => {
                // A rotated text matrix has no vertical scale to speak of.
                scale = match float(operands, 3) {
                    d if d.abs() > 0.001 => d,
                    _ => 1.0,
                };
                y = float(operands, 5);
                lines.move_to(y);
            }
            "T*" => {
                y -= leading * scale;
                lines.move_to(y);
            }
            // A new text object starts from the page's origin.
            "BT" => (y, scale) = (0.0, 1.0),
            _ => {}
        }
    }
    Ok(lines.finish())
}

/// The lines of a page as its text is shown: text shown at another height
/// than the line's starts a new line; at the same height, it continues it
/// after a space (a new text object, a font change or a move along the
/// line).
#[derive(Default)]
struct PageText {
    lines: Vec<Line>,
    line: String,
    line_y: Option<f32>,
}

impl PageText {
    fn move_to(&mut self, y: f32) {
        if self.line_y.is_some_and(|line_y| (line_y - y).abs() > 0.01) {
            self.break_line();
        } else if !self.line.is_empty() {
            self.line.push(' ');
        }
    }

    fn show(&mut self, y: f32, draw: impl FnOnce(&mut String)) {
        if self.line_y.is_some_and(|line_y| (line_y - y).abs() > 0.01) {
            self.break_line();
        }
        if self.line_y.is_none() {
            self.line_y = Some(y);
        }
        draw(&mut self.line);
    }

    fn break_line(&mut self) {
        let text = self.line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            self.lines.push(Line {
                text,
                y: self.line_y,
            });
        }
        self.line.clear();
        self.line_y = None;
    }

    fn finish(mut self) -> Vec<Line> {
        self.break_line();
        self.lines
    }
}

/// The text a show operator's operands draw.
fn show(line: &mut String, encoding: &Encoding<'_>, operands: &[Object]) {
    for operand in operands {
        match operand {
            Object::String(bytes, _) => {
                if let Ok(text) = Document::decode_text(encoding, bytes) {
                    line.push_str(&text);
                }
            }
            Object::Array(items) => show(line, encoding, items),
            // A large negative kerning in a TJ array is a word space.
            Object::Integer(n) if *n < -200 => line.push(' '),
            Object::Real(n) if *n < -200.0 => line.push(' '),
            _ => {}
        }
    }
}

/// A content stream's data, inflated within `budget` bytes.
fn inflate(stream: &lopdf::Stream, budget: &mut u64) -> Result<Vec<u8>, PageError> {
    let filters = stream.filters().unwrap_or_default();
    let data = match filters.as_slice() {
        [] => stream.content.clone(),
        [b"FlateDecode"] => {
            let mut data = Vec::new();
            flate2::read::ZlibDecoder::new(stream.content.as_slice())
                .take(budget.saturating_add(1))
                .read_to_end(&mut data)
                .map_err(|error| {
                    PageError::Pdf(lopdf::Error::Syntax(format!(
                        "a page's compressed content is broken: {error}"
                    )))
                })?;
            data
        }
        // Rarer filters go through lopdf, still counted against the budget.
        _ => stream.decompressed_content()?,
    };
    if data.len() as u64 > *budget {
        return Err(PageError::Bomb);
    }
    *budget -= data.len() as u64;
    Ok(data)
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Block {
    Heading(String),
    Paragraph(String),
}

/// Lines per page, cleaned of furniture and joined into blocks.
pub(super) fn blocks(pages: Vec<Vec<Line>>, out: &mut Builder<'_>) -> Vec<Block> {
    let pages = without_furniture(pages, out);
    // The space above each line, within its page (a page break says
    // nothing about paragraphs).
    let mut lines: Vec<(&str, Option<f32>)> = Vec::new();
    for page in &pages {
        for (i, line) in page.iter().enumerate() {
            let gap = match (i.checked_sub(1).and_then(|p| page[p].y), line.y) {
                (Some(above), Some(y)) if above > y => Some(above - y),
                _ => None,
            };
            lines.push((&line.text, gap));
        }
    }
    let texts: Vec<&str> = lines.iter().map(|(text, _)| *text).collect();
    let width = typical_width(&texts);
    let spacing = typical_spacing(&lines);
    let mut blocks = Vec::new();
    let mut paragraph = String::new();
    for (line, gap) in lines {
        // A wider space than between the lines of a paragraph ends one.
        let spaced = gap
            .zip(spacing)
            .is_some_and(|(gap, usual)| gap > 1.3 * usual);
        if spaced && !paragraph.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(&mut paragraph)));
        }
        let length = line.chars().count();
        if paragraph.is_empty() && is_heading(line, length, width) {
            blocks.push(Block::Heading(line.to_string()));
            continue;
        }
        append_line(&mut paragraph, line);
        if ends_sentence(line) && (length as f32) < 0.8 * width as f32 {
            blocks.push(Block::Paragraph(std::mem::take(&mut paragraph)));
        }
    }
    if !paragraph.is_empty() {
        blocks.push(Block::Paragraph(paragraph));
    }
    blocks
}

/// The usual space between lines: the median of the gaps measured.
fn typical_spacing(lines: &[(&str, Option<f32>)]) -> Option<f32> {
    let mut gaps: Vec<f32> = lines.iter().filter_map(|(_, gap)| *gap).collect();
    gaps.sort_by(f32::total_cmp);
    gaps.get(gaps.len() / 2).copied()
}

/// Appends `line` to a paragraph, joining a word hyphenated across them.
fn append_line(paragraph: &mut String, line: &str) {
    let hyphenated = paragraph.ends_with('-')
        && paragraph
            .chars()
            .rev()
            .nth(1)
            .is_some_and(char::is_alphabetic)
        && line.chars().next().is_some_and(char::is_lowercase);
    if hyphenated {
        paragraph.pop();
    } else if !paragraph.is_empty() {
        paragraph.push(' ');
    }
    paragraph.push_str(line);
}

fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(['"', '\'', ')', ']', '”', '’']);
    trimmed.ends_with(['.', '!', '?', ':'])
}

/// A heading: short, opening with a capital or a number, not ending like
/// a sentence or a clause.
fn is_heading(line: &str, length: usize, width: usize) -> bool {
    let first = line.chars().next();
    length as f32 <= 0.6 * width as f32
        && line.split_whitespace().count() <= 12
        && first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !line.ends_with(['.', '!', '?', ',', ';', ':', '-'])
}

/// The width of a full line of text: the 90th percentile of line lengths.
fn typical_width(lines: &[&str]) -> usize {
    let mut lengths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    lengths.sort_unstable();
    match lengths.len() {
        0 => 0,
        n => lengths[(n * 9 / 10).min(n - 1)],
    }
}

/// A line with its digits dropped and case folded: a running header with
/// a page number in it has the same key on every page.
fn furniture_key(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_ascii_digit())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// "7", "- 7 -", "Page 7", "7 of 12", "7/12", "vii".
pub(super) fn is_page_number(line: &str) -> bool {
    let lower = line.to_lowercase();
    let bare = lower
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—' | '|'))
        .trim_start_matches("page")
        .trim();
    let mut parts = bare
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|p| !p.is_empty() && *p != "of");
    let number = |p: &str| {
        (!p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()))
            || (!p.is_empty()
                && p.len() <= 6
                && p.chars().all(|c| matches!(c, 'i' | 'v' | 'x' | 'l')))
    };
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), None, None) => number(a),
        (Some(a), Some(b), None) => number(a) && number(b),
        _ => false,
    }
}

/// How many lines at each end of a page may be furniture.
const EDGE: usize = 2;

fn without_furniture(pages: Vec<Vec<Line>>, out: &mut Builder<'_>) -> Vec<Vec<Line>> {
    let edges = |page: &[Line]| -> Vec<usize> {
        let n = page.len();
        let mut at: Vec<usize> = (0..n.min(EDGE)).collect();
        at.extend(n.saturating_sub(EDGE).max(n.min(EDGE))..n);
        at
    };
    // On how many pages each key appears at an edge.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in &pages {
        let mut keys: Vec<String> = edges(page)
            .into_iter()
            .map(|i| furniture_key(&page[i].text))
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            *seen.entry(key).or_default() += 1;
        }
    }
    let with_text = pages.iter().filter(|p| !p.is_empty()).count();
    let repeated = |key: &str| {
        with_text >= 2
            && !key.is_empty()
            && seen.get(key).is_some_and(|&n| n >= 2 && 2 * n >= with_text)
    };
    let (mut headers, mut numbers) = (Vec::<String>::new(), 0usize);
    let cleaned = pages
        .into_iter()
        .map(|page| {
            let edge = edges(&page);
            page.into_iter()
                .enumerate()
                .filter(|(i, line)| {
                    if !edge.contains(i) {
                        return true;
                    }
                    if is_page_number(&line.text) {
                        numbers += 1;
                        return false;
                    }
                    let key = furniture_key(&line.text);
                    if repeated(&key) {
                        if !headers.contains(&key) {
                            headers.push(key);
                        }
                        return false;
                    }
                    true
                })
                .map(|(_, line)| line)
                .collect()
        })
        .collect();
    if numbers > 0 {
        out.note(format!("dropped {numbers} page numbers"));
    }
    for header in headers {
        out.note(format!("dropped a running header or footer: {header:?}"));
    }
    cleaned
}
