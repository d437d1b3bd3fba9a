//! `lectern pack new` from a 2 MB PDF: the text extraction alone (lopdf,
//! furniture, paragraphs), then, once, the whole pack creation (the
//! glossary, events, the written pack loaded back and the quiz pool
//! counted, as the command does it).
//!
//! The PDF is the science handout (`eval/packs/volcanoes`) repeated under
//! numbered section headings to 2 MB of text, laid out 80 characters by 50
//! lines a page with a running header and page numbers (about 600 pages).
//!
//! `cargo bench --bench pack_new` prints the one-shot timings first, then
//! criterion's figures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // benches may panic on failure

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use lectern::content::extract::{self, Format, fixtures};
use lectern::new_pack::{Request, create};

fn two_megabyte_pdf() -> Vec<u8> {
    let handout = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/packs/volcanoes/document.txt"),
    )
    .expect("the handout");
    let mut text = String::new();
    let mut part = 1;
    while text.len() < 2_000_000 {
        text.push_str(&format!("Part {part}\n\n{}\n\n", handout.trim()));
        part += 1;
    }
    fixtures::pdf_of_text(&text, 80, 50, "Volcanoes: class handout").expect("the PDF")
}

fn report_once(pdf: &[u8]) {
    let started = Instant::now();
    let extracted =
        extract::extract_bytes(Path::new("big.pdf"), Format::Pdf, pdf.to_vec()).expect("extracts");
    println!(
        "pack_new/2MB PDF ({} KB): text extracted ({} KB, {} sections) in {:?}",
        pdf.len() / 1024,
        extracted.text.len() / 1024,
        extracted.headings.len(),
        started.elapsed()
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("big.pdf");
    std::fs::write(&file, pdf).expect("writes");
    let started = Instant::now();
    let summary = create(&Request {
        file,
        out: dir.path().join("pack"),
        title: None,
        time_zone: None,
    })
    .expect("makes the pack");
    println!(
        "pack_new/2MB PDF: the whole pack made in {:?}: {} sentences, {} glossary entries, {} events, {} questions",
        started.elapsed(),
        summary.sentences,
        summary.glossary_entries,
        summary.events,
        summary.questions
    );
}

fn bench(c: &mut Criterion) {
    let pdf = two_megabyte_pdf();
    report_once(&pdf);
    let mut group = c.benchmark_group("pack_new/2MB PDF");
    group.sample_size(10);
    group.bench_function("extract the text", |b| {
        b.iter(|| {
            extract::extract_bytes(Path::new("big.pdf"), Format::Pdf, black_box(pdf.clone()))
                .map(|e| e.text.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
