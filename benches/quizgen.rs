//! Quiz generation speed: `lectern quiz generate --count 100` on a
//! generated 5.5 MB pack must take under 2 s, from the loaded pack to the
//! questions (the generator's document-wide work included, as the command
//! does it). Also the bundled essay, and a second quiz once the generator
//! is built (what the bot does for every `/quiz` after the first).
//!
//! `cargo bench --bench quizgen` prints a one-shot timing first, then
//! criterion's figures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group};
use lectern::content::{Document, Pack};
use lectern::study::quizgen::Generator;

/// The bundled essay's words recombined into `bytes` of sentences in
/// paragraphs (capitalised names, numbers and years included), plus
/// made-up words so the vocabulary grows like a real book's.
fn generated_pack(bytes: usize) -> Pack {
    let mut pack = Pack::bundled().expect("bundled pack");
    let seed = pack.document.text().to_string();
    let mut words: Vec<&str> = seed.split_whitespace().collect();
    words.sort_unstable();
    words.dedup();
    let mut rng = fastrand::Rng::with_seed(42);
    let syllables = [
        "ka", "lo", "mir", "sta", "vo", "gra", "ni", "tev", "ros", "pla",
    ];
    let mut text = String::with_capacity(bytes + 200);
    while text.len() < bytes {
        for _ in 0..rng.usize(2..6) {
            let length = rng.usize(8..25);
            for i in 0..length {
                match rng.u8(..) {
                    0..20 => {
                        let made: String = (0..rng.usize(2..4))
                            .map(|_| syllables[rng.usize(..syllables.len())])
                            .collect();
                        text.push_str(&made);
                    }
                    20..24 => text.push_str(&format!("in {}", rng.u32(1700..1990))),
                    24..27 => text.push_str(&format!("about {}", rng.u32(2..90) * 1000)),
                    _ => {
                        let word = words[rng.usize(..words.len())]
                            .trim_matches(|c: char| !c.is_alphanumeric());
                        if i == 0 {
                            let mut chars = word.chars();
                            if let Some(first) = chars.next() {
                                text.extend(first.to_uppercase());
                                text.push_str(chars.as_str());
                            }
                        } else {
                            text.push_str(word);
                        }
                    }
                }
                text.push(if i + 1 == length { '.' } else { ' ' });
            }
            text.push(' ');
        }
        text.push_str("\n\n");
    }
    pack.document = Document::parse(&text);
    pack
}

fn report_once() {
    let pack = generated_pack(5_500_000);
    let started = Instant::now();
    let generator = Generator::new(&pack);
    let built = started.elapsed();
    let questions = generator.generate(100, 1);
    let total = started.elapsed();
    println!(
        "quizgen/5.5MB: {} sentences; generator built in {built:?}; {} questions in {total:?} in all (limit 2 s)",
        pack.document.sentences().len(),
        questions.len(),
    );
    let started = Instant::now();
    let again = generator.generate(10, 2);
    println!(
        "quizgen/5.5MB: a 10-question quiz with the generator built: {} in {:?}",
        again.len(),
        started.elapsed()
    );
}

fn bench(c: &mut Criterion) {
    let essay = Pack::bundled().expect("bundled pack");
    c.bench_function("quizgen/essay generate 100 (cold)", |b| {
        b.iter(|| Generator::new(black_box(&essay)).generate(100, 1).len())
    });
    let pack = generated_pack(5_500_000);
    let mut group = c.benchmark_group("quizgen/5.5MB");
    group.sample_size(10);
    group.bench_function("generate 100 (cold, as the CLI)", |b| {
        b.iter(|| Generator::new(black_box(&pack)).generate(100, 1).len())
    });
    let generator = Generator::new(&pack);
    group.bench_function("a 10-question quiz (generator built)", |b| {
        b.iter(|| generator.generate(10, black_box(3)).len())
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    report_once();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
