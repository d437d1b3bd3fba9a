use std::path::Path;

use super::fixtures;
use super::*;
use crate::content::Document;

/// The handout every format is made from, as a teacher's `.txt`.
const HANDOUT: &str = "Volcanoes and People

A volcano is an opening in the crust through which molten rock, gas and ash escape from deep underground. Scientists who study volcanoes are called volcanologists, and their work is both fascinating and dangerous.

Famous Eruptions

On 18 May 1980 Mount St Helens erupted after weeks of small earthquakes. In 1815 Mount Tambora produced the largest eruption in recorded history, and the following year became known as the Year Without a Summer because crops failed across Europe and North America.

Living With Volcanoes

Volcanic ash breaks down into very fertile soil, so farmers grow crops on the slopes. In Iceland, heat from underground is used to heat homes.
";

const HEADINGS: [&str; 3] = [
    "Volcanoes and People",
    "Famous Eruptions",
    "Living With Volcanoes",
];

fn sentences(text: &str) -> Vec<String> {
    Document::parse(text)
        .sentences()
        .iter()
        .map(|s| s.text.clone())
        .collect()
}

fn extracted(name: &str, bytes: Vec<u8>) -> Result<Extracted, ContentError> {
    let path = Path::new(name);
    extract_bytes(path, Format::of(path).unwrap(), bytes)
}

/// The handout as a PDF: two pages, a running header, page numbers, and
/// "eruption" hyphenated across a line end.
fn handout_pdf() -> Vec<u8> {
    let page = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    fixtures::pdf(&[
        page(&[
            "Earth Science Handout - Year 8",
            "Volcanoes and People",
            "A volcano is an opening in the crust through which molten",
            "rock, gas and ash escape from deep underground. Scientists",
            "who study volcanoes are called volcanologists, and their",
            "work is both fascinating and dangerous.",
            "Famous Eruptions",
            "On 18 May 1980 Mount St Helens erupted after weeks of small",
            "earthquakes. In 1815 Mount Tambora produced the largest erup-",
            "tion in recorded history, and the following year became",
            "Page 1 of 2",
        ]),
        page(&[
            "Earth Science Handout - Year 8",
            "known as the Year Without a Summer because crops failed",
            "across Europe and North America.",
            "Living With Volcanoes",
            "Volcanic ash breaks down into very fertile soil, so farmers",
            "grow crops on the slopes. In Iceland, heat from underground",
            "is used to heat homes.",
            "Page 2 of 2",
        ]),
    ])
    .unwrap()
}

fn handout_docx() -> Vec<u8> {
    let mut blocks = Vec::new();
    for block in HANDOUT.trim().split("\n\n") {
        let style = if block == HEADINGS[2] {
            // A heading style known only by its name in styles.xml, as in
            // a German Word ("Überschrift 2").
            Some("berschrift2")
        } else if HEADINGS.contains(&block) {
            Some("Heading1")
        } else {
            None
        };
        blocks.push((style, block));
    }
    fixtures::docx(&blocks).unwrap()
}

const HANDOUT_MD: &str = "# Volcanoes and People

A volcano is an opening in the crust through which molten
rock, gas and ash escape from deep underground. Scientists who study volcanoes are called *volcanologists*, and their work is both **fascinating** and dangerous.

![a volcano](volcano.png)

## Famous Eruptions

On 18 May 1980 Mount St Helens erupted after weeks of small earthquakes. In 1815 Mount Tambora produced the largest eruption in recorded history, and the following year became known as the Year Without a Summer because crops failed across Europe and North America.

```
let code = \"is dropped\";
```

<div class=\"note\">Raw HTML is dropped.</div>

## Living With Volcanoes

- Volcanic ash breaks down into very fertile soil, so farmers grow crops on the slopes. In Iceland, heat from underground is used to heat homes.
";

const HANDOUT_HTML: &str = "<!doctype html><html><head><title>Handout</title>
<style>p { color: red; }</style><script>var dropped = \"<p>not text</p>\";</script></head>
<body><nav><ul></ul></nav>
<h1>Volcanoes and People</h1>
<p>A volcano is an opening in the crust through which molten rock, gas and ash escape from deep underground. Scientists who study volcanoes are called <em>volcanologists</em>, and their work is both fascinating and dangerous.
<h2>Famous&nbsp;Eruptions</h2>
<div><p>On 18 May 1980 Mount St Helens erupted after weeks of small earthquakes. In 1815 Mount Tambora produced the largest eruption in recorded history, and the following year became known as the Year Without a Summer because crops failed across Europe and North America.</p></div>
<h2>Living With Volcanoes</h2>
<ul><li>Volcanic ash breaks down into very fertile soil, so farmers grow crops on the slopes. In Iceland, heat from underground is used to heat homes.</li></ul>
</body></html>";

#[test]
fn every_format_yields_the_sentences_of_the_text_version() {
    let expected = sentences(HANDOUT);
    assert_eq!(expected.len(), 9);
    for (name, bytes) in [
        ("handout.txt", HANDOUT.as_bytes().to_vec()),
        ("handout.md", HANDOUT_MD.as_bytes().to_vec()),
        ("handout.html", HANDOUT_HTML.as_bytes().to_vec()),
        ("handout.docx", handout_docx()),
        ("handout.pdf", handout_pdf()),
    ] {
        let found = extracted(name, bytes).unwrap();
        assert_eq!(sentences(&found.text), expected, "{name}:\n{}", found.text);
        if name != "handout.txt" {
            assert_eq!(found.headings, HEADINGS, "{name}");
            // A heading is a passage of its own, as in the text version.
            assert_eq!(
                Document::parse(&found.text).passages().len(),
                Document::parse(HANDOUT).passages().len(),
                "{name}"
            );
        }
    }
}

#[test]
fn a_pdf_loses_its_page_furniture_and_hyphenation() {
    let found = extracted("handout.pdf", handout_pdf()).unwrap();
    assert!(!found.text.contains("Handout"), "{}", found.text);
    assert!(!found.text.contains("Page"), "{}", found.text);
    assert!(
        found.text.contains("the largest eruption in"),
        "{}",
        found.text
    );
    assert!(!found.text.contains("erup-"), "{}", found.text);
    assert!(
        found.notes.contains(&"dropped 2 page numbers".to_string()),
        "{:?}",
        found.notes
    );
    assert!(
        found
            .notes
            .iter()
            .any(|n| n.contains("running header") && n.contains("earth science handout")),
        "{:?}",
        found.notes
    );
}

#[test]
fn a_laid_out_pdf_keeps_its_paragraphs_across_pages() {
    let text = "The Ring of Fire\n\nMost volcanoes are found where tectonic plates meet. At destructive plate margins, one plate is forced down beneath another in a process called subduction. The sinking plate carries water down with it, and this water lowers the melting point of the mantle above.\n\nRoughly three quarters of the world's active volcanoes lie on the Ring of Fire.";
    let pdf = fixtures::pdf_of_text(text, 50, 4, "Geography notes").unwrap();
    let found = extracted("notes.pdf", pdf).unwrap();
    assert_eq!(sentences(&found.text), sentences(text), "{}", found.text);
    assert_eq!(found.headings, ["The Ring of Fire"]);
}

#[test]
fn page_numbers_in_their_usual_forms_are_recognised() {
    for number in [
        "7",
        "- 7 -",
        "Page 7",
        "page 7 of 12",
        "7 / 12",
        "vii",
        "— 12 —",
    ] {
        assert!(pdf::is_page_number(number), "{number}");
    }
    assert!(!pdf::is_page_number("Chapter 7"));
    assert!(!pdf::is_page_number("7 volcanoes"));
    assert!(!pdf::is_page_number("Vision"));
}

#[test]
fn a_truncated_pdf_is_refused_with_the_reason() {
    let pdf = handout_pdf();
    let error = extracted("handout.pdf", pdf[..pdf.len() / 2].to_vec()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "handout.pdf: the PDF is truncated (it has no %%EOF end marker): the file was cut short; download or export it again"
    );
    let error = extracted("handout.pdf", b"Dear parents, ...".to_vec()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "handout.pdf: is not a PDF (it does not begin with %PDF-)"
    );
}

#[test]
fn an_encrypted_pdf_is_refused_with_the_reason() {
    let pdf = String::from_utf8_lossy(&handout_pdf()).into_owned();
    // The trailer names an encryption dictionary, as a password-protected
    // file's does.
    let encrypted = pdf.replacen(
        "/Type/XRef",
        "/Encrypt<</Filter/Standard/V 2/R 3/O(x)/U(y)/P -4>>/Type/XRef",
        1,
    );
    assert_ne!(pdf, encrypted, "the fixture has a cross-reference stream");
    let error = extracted("secret.pdf", encrypted.into_bytes()).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "secret.pdf: the PDF is encrypted (password-protected): save a copy without a password"
        ),
        "{error}"
    );
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let bomb = format!(
        "<w:document><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
        " ".repeat(4 * 1024 * 1024)
    );
    let zip = fixtures::docx_parts(&[("word/document.xml", &bomb)]).unwrap();
    assert!(zip.len() < 64 * 1024, "the bomb is small: {}", zip.len());
    let error = extracted("bomb.docx", zip).unwrap_err().to_string();
    assert!(
        error.starts_with("bomb.docx: is refused: its word/document.xml is compressed")
            && error.ends_with("(a zip bomb, or not a real Word document)"),
        "{error}"
    );
}

#[test]
fn a_file_that_is_not_what_its_name_says_is_refused_with_the_reason() {
    let error = extracted("notes.docx", b"just text".to_vec())
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("notes.docx: is not a Word document that can be read (not a valid zip"),
        "{error}"
    );
    let zip = fixtures::docx_parts(&[("readme.txt", "hello")]).unwrap();
    let error = extracted("notes.docx", zip).unwrap_err().to_string();
    assert_eq!(
        error,
        "notes.docx: is not a Word document that can be read (it has no word/document.xml); save it again as .docx"
    );
    let error = extract(Path::new("slides.pptx")).unwrap_err().to_string();
    assert_eq!(
        error,
        "slides.pptx: is not a file Lectern can read: give a .pdf, .docx, .md, .html or .txt file"
    );
}

#[test]
fn the_file_and_its_text_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, vec![b'a'; (MAX_SOURCE_BYTES + 1) as usize]).unwrap();
    let error = extract(&big).unwrap_err().to_string();
    assert!(
        error.ends_with(
            "the file is over 10 MB, the largest accepted (split it into smaller files)"
        ),
        "{error}"
    );
    let long = "Lava is hot. ".repeat(MAX_TEXT_BYTES / 13 + 1);
    let error = extracted("long.md", long.into_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "long.md: its text is over 2 MB, the largest document accepted (split it into smaller files)"
    );
    let error = extracted("empty.html", b"<p>  </p>".to_vec())
        .unwrap_err()
        .to_string();
    assert_eq!(error, "empty.html: no text was found in it");
}
