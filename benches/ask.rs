//! `/ask` speed: per-question latency on the seed pack and on a generated
//! ~5 MB pack, and index build time for the 5 MB pack.
//!
//! `cargo bench --bench ask` prints criterion's figures and, first, the
//! p50/p99 per-question latencies measured question by question.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use lectern::content::{Document, Pack};
use lectern::study::Answerer;

const QUESTIONS: &[&str] = &[
    "Who did Stalin defeat in the struggle for power?",
    "how many workers died building the moscow metro",
    "why were the NEP farms not efficient",
    "what is a kolkhoz",
    "trotksy",
    "was collectivisation compulsory",
    "When did Stalin die?",
    "What is the capital of France?",
    "why did the regime confiscate grain",
    "How far from Moscow was the German assault stopped?",
];

/// A textbook-sized document: the seed's vocabulary recombined into ~5 MB
/// of sentences in paragraphs, deterministic for a seed.
fn generated_document(bytes: usize) -> String {
    let seed = Pack::bundled()
        .expect("bundled pack")
        .document
        .text()
        .to_string();
    let mut words: Vec<&str> = seed.split_whitespace().collect();
    words.sort_unstable();
    words.dedup();
    let mut rng = fastrand::Rng::with_seed(42);
    let mut text = String::with_capacity(bytes + 200);
    // Extra made-up terms so the vocabulary grows like a real book's.
    let syllables = [
        "ka", "lo", "mir", "sta", "vo", "gra", "ni", "tev", "ros", "pla",
    ];
    while text.len() < bytes {
        for _ in 0..rng.usize(2..6) {
            let length = rng.usize(8..25);
            for i in 0..length {
                if rng.u8(..) < 20 {
                    let made: String = (0..rng.usize(2..4))
                        .map(|_| syllables[rng.usize(..syllables.len())])
                        .collect();
                    text.push_str(&made);
                } else {
                    text.push_str(
                        words[rng.usize(..words.len())]
                            .trim_matches(|c: char| !c.is_alphanumeric()),
                    );
                }
                text.push(if i + 1 == length { '.' } else { ' ' });
            }
            text.push(' ');
        }
        text.push_str("\n\n");
    }
    text
}

fn percentiles(answerer: &Answerer, rounds: usize) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(rounds * QUESTIONS.len());
    for _ in 0..rounds {
        for question in QUESTIONS {
            let started = Instant::now();
            black_box(answerer.answer(question, 3));
            samples.push(started.elapsed());
        }
    }
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50), at(0.99))
}

fn report_percentiles() {
    let pack = Pack::bundled().expect("bundled pack");
    let seed = Answerer::new(&pack.document, &pack.synonyms);
    let (p50, p99) = percentiles(&seed, 200);
    println!("ask/seed: p50 {p50:?}, p99 {p99:?} per question");

    let text = generated_document(5 * 1024 * 1024);
    let started = Instant::now();
    let document = Document::parse(&text);
    let big = Answerer::new(&document, &pack.synonyms);
    println!(
        "index/5MB: {:.2} MB, {} sentences, built in {:?} (parse + index)",
        text.len() as f64 / 1_048_576.0,
        document.sentences().len(),
        started.elapsed()
    );
    let (p50, p99) = percentiles(&big, 20);
    println!("ask/5MB: p50 {p50:?}, p99 {p99:?} per question");
}

fn bench(c: &mut Criterion) {
    let pack = Pack::bundled().expect("bundled pack");
    let seed = Answerer::new(&pack.document, &pack.synonyms);
    c.bench_function("ask/seed (10 questions)", |b| {
        b.iter(|| {
            QUESTIONS
                .iter()
                .map(|q| seed.answer(q, 3).hits.len())
                .sum::<usize>()
        })
    });
    let text = generated_document(5 * 1024 * 1024);
    let document = Document::parse(&text);
    let big = Answerer::new(&document, &pack.synonyms);
    c.bench_function("ask/5MB (10 questions)", |b| {
        b.iter(|| {
            QUESTIONS
                .iter()
                .map(|q| big.answer(q, 3).hits.len())
                .sum::<usize>()
        })
    });
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("build/5MB", |b| {
        b.iter(|| Answerer::new(&Document::parse(black_box(&text)), &pack.synonyms).len())
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    report_percentiles();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
