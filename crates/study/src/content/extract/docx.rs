//! Word (`.docx`): a zip holding `word/document.xml`. Paragraphs (`w:p`)
//! are made of runs whose text is in `w:t`; a paragraph whose style is a
//! heading (`Heading1`.., `Title`, or a style named "heading 1"..) is a
//! section name.
//!
//! A zip is checked before anything is inflated (the sizes it declares and
//! its compression ratio) and capped while inflating, since the sizes it
//! declares may lie: a zip bomb is refused, not unpacked.

use std::collections::HashSet;
use std::io::{Cursor, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Builder, problem};
use crate::content::error::ContentError;

/// Largest part of the zip inflated (the document's XML is markup-heavy).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// Largest believable compression ratio for XML; bombs are far above it.
const MAX_RATIO: u64 = 100;

pub(super) fn extract(
    path: &Path,
    bytes: &[u8],
    out: &mut Builder<'_>,
) -> Result<(), ContentError> {
    let not_word = |detail: String| {
        problem(
            path,
            format!("is not a Word document that can be read ({detail}); save it again as .docx"),
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| not_word(format!("not a valid zip: {error}")))?;
    let document = read_part(path, &mut archive, "word/document.xml")?
        .ok_or_else(|| not_word("it has no word/document.xml".into()))?;
    let heading_styles = match read_part(path, &mut archive, "word/styles.xml")? {
        Some(styles) => heading_styles(&styles),
        None => HashSet::new(),
    };
    paragraphs(&document, &heading_styles, out)
        .map_err(|error| not_word(format!("its XML is broken: {error}")))?
}

/// Inflates one part of the zip, refusing a bomb. `Ok(None)` when absent.
fn read_part(
    path: &Path,
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<String>, ContentError> {
    let bomb = |detail: String| {
        problem(
            path,
            format!("is refused: its {name} {detail} (a zip bomb, or not a real Word document)"),
        )
    };
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(error) => {
            return Err(problem(
                path,
                format!("is not a Word document that can be read ({name}: {error})"),
            ));
        }
    };
    let (declared, compressed) = (file.size(), file.compressed_size().max(1));
    if declared > MAX_PART_BYTES {
        return Err(bomb(format!(
            "would unpack to {} MB, over the {} MB accepted",
            declared / (1024 * 1024),
            MAX_PART_BYTES / (1024 * 1024)
        )));
    }
    if declared / compressed > MAX_RATIO {
        return Err(bomb(format!(
            "is compressed {}-fold, more than the {MAX_RATIO}-fold a real document reaches",
            declared / compressed
        )));
    }
    let mut xml = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut xml)
        .map_err(|error| problem(path, format!("cannot unpack {name}: {error}")))?;
    if xml.len() as u64 > MAX_PART_BYTES || xml.len() as u64 > declared.saturating_mul(2) + 1024 {
        return Err(bomb("unpacks to more than it declares".into()));
    }
    String::from_utf8(xml)
        .map(Some)
        .map_err(|_| problem(path, format!("its {name} is not UTF-8 XML")))
}

/// The ids of the styles that are headings, from `word/styles.xml`.
fn heading_styles(styles: &str) -> HashSet<String> {
    let mut headings = HashSet::new();
    let mut reader = Reader::from_str(styles);
    let mut style_id: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(element)) | Ok(Event::Empty(element)) => {
                match element.name().as_ref() {
                    b"w:style" => {
                        style_id = attribute(&element, b"w:styleId");
                    }
                    b"w:name" => {
                        if let (Some(id), Some(name)) = (&style_id, attribute(&element, b"w:val"))
                            && is_heading_name(&name)
                        {
                            headings.insert(id.clone());
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    headings
}

fn is_heading_name(name: &str) -> bool {
    let lower = name.to_lowercase().replace(' ', "");
    lower == "title"
        || lower
            .strip_prefix("heading")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn attribute(element: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// Walks `w:p` paragraphs; the outer result is an XML error, the inner one
/// the text cap.
fn paragraphs(
    xml: &str,
    heading_styles: &HashSet<String>,
    out: &mut Builder<'_>,
) -> Result<Result<(), ContentError>, quick_xml::Error> {
    let mut reader = Reader::from_str(xml);
    let mut current = String::new();
    let mut heading = false;
    let mut in_text = false;
    loop {
        match reader.read_event()? {
            Event::Start(element) => match element.name().as_ref() {
                b"w:p" => {
                    current.clear();
                    heading = false;
                }
                b"w:t" => in_text = true,
                _ => {}
            },
            Event::Empty(element) => match element.name().as_ref() {
                b"w:pStyle" => {
                    heading = attribute(&element, b"w:val").is_some_and(|style| {
                        heading_styles.contains(&style) || is_heading_name(&style)
                    });
                }
                b"w:tab" | b"w:br" | b"w:cr" => current.push(' '),
                _ => {}
            },
            Event::End(element) => match element.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => {
                    let text = std::mem::take(&mut current);
                    let written = if heading {
                        out.heading(&text)
                    } else {
                        out.paragraph(&text)
                    };
                    if let Err(error) = written {
                        return Ok(Err(error));
                    }
                }
                _ => {}
            },
            Event::Text(text) if in_text => {
                let decoded = text.decode().map_err(quick_xml::Error::Encoding)?;
                current.push_str(&decoded);
            }
            Event::GeneralRef(reference) if in_text => {
                if let Some(c) = reference.resolve_char_ref()? {
                    current.push(c);
                } else {
                    let name = reference.decode().map_err(quick_xml::Error::Encoding)?;
                    if let Some(text) = quick_xml::escape::resolve_predefined_entity(&name) {
                        current.push_str(text);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(Ok(()))
}
