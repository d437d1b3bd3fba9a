//! Files made from text, for tests and benches: a PDF (pages of lines,
//! as a word processor lays them out) and a Word document (headings and
//! paragraphs). They are written here, with the same crates that read
//! them, so no binary fixture is committed.
//!
//! Not used by Lectern itself.

use std::io::{Cursor, Write};

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

/// A PDF whose pages show `pages` line by line, top to bottom, in Courier
/// (one `BT` block per page; lines are moved to with `Td`, as word
/// processors write them); an empty line is paragraph spacing, not a line.
/// Streams are compressed.
pub fn pdf(pages: &[Vec<String>]) -> Result<Vec<u8>, lopdf::Error> {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let font_id = document.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Courier",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids = Vec::new();
    for lines in pages {
        let mut operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 10.into()]),
            Operation::new("Td", vec![56.into(), 800.into()]),
        ];
        let mut space = 0;
        for line in lines {
            if line.is_empty() {
                space += 10;
                continue;
            }
            if space > 0 {
                operations.push(Operation::new("Td", vec![0.into(), (-space).into()]));
            }
            space = 14;
            operations.push(Operation::new(
                "Tj",
                vec![Object::string_literal(win_ansi(line))],
            ));
        }
        operations.push(Operation::new("ET", vec![]));
        let content = Content { operations };
        let content_id = document.add_object(Stream::new(dictionary! {}, content.encode()?));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources_id,
        });
        kids.push(Object::from(page_id));
    }
    let count = kids.len() as i64;
    document.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = document.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    document.trailer.set("Root", catalog_id);
    document.compress();
    let mut bytes = Vec::new();
    document.save_to(&mut bytes)?;
    Ok(bytes)
}

/// `text` in the WinAnsi encoding the fixture's font uses.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u8,
            _ => b'?',
        })
        .collect()
}

/// Lays `text` out as a PDF: blank-line separated blocks, each wrapped at
/// `width` characters, `lines_per_page` lines a page, with a running
/// header and a page number on every page, and paragraph spacing between
/// blocks.
pub fn pdf_of_text(
    text: &str,
    width: usize,
    lines_per_page: usize,
    header: &str,
) -> Result<Vec<u8>, lopdf::Error> {
    let mut lines = Vec::new();
    for block in text.split("\n\n") {
        let mut line = String::new();
        for word in block.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines.push(String::new());
    }
    let pages: Vec<Vec<String>> = lines
        .chunks(lines_per_page.max(1))
        .enumerate()
        .map(|(n, body)| {
            let mut page = vec![header.to_string()];
            page.extend(body.iter().cloned());
            page.push(format!("{}", n + 1));
            page
        })
        .collect();
    pdf(&pages)
}

/// A Word document of `blocks`: `(style, text)` where a style of `None`
/// is a plain paragraph and `Some("Heading1")` a heading. Each text is
/// split into two runs mid-way, as Word does after an edit.
pub fn docx(blocks: &[(Option<&str>, &str)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut body = String::new();
    for (style, text) in blocks {
        body.push_str("<w:p>");
        if let Some(style) = style {
            body.push_str(&format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>"));
        }
        let middle = text
            .char_indices()
            .map(|(i, _)| i)
            .nth(text.chars().count() / 2)
            .unwrap_or(0);
        let (first, second) = text.split_at(middle);
        body.push_str(&format!(
            "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
            escape(first),
            escape(second)
        ));
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let styles = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
        <w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
        <w:style w:type=\"paragraph\" w:styleId=\"berschrift2\"><w:name w:val=\"heading 2\"/></w:style>\
        </w:styles>";
    docx_parts(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("word/document.xml", &document),
        ("word/styles.xml", styles),
    ])
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>";

/// A zip of `(name, contents)` parts, deflated.
pub fn docx_parts(parts: &[(&str, &str)]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, contents) in parts {
        writer.start_file(*name, options)?;
        writer.write_all(contents.as_bytes())?;
    }
    Ok(writer.finish()?.into_inner())
}
