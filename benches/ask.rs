//! `/ask` speed: per-question latency on the seed pack and on a generated
//! ~5 MB pack, and index build time for the 5 MB pack, cold and with the
//! passage vector cache.
//!
//! `cargo bench --bench ask` prints first a table measured question by
//! question (p50/p99), then criterion's figures. Every table has a
//! reference line measured in the same run: the same search without the
//! sentence encoder (`rerank_depth` 0, plain soft BM25), so that ratios
//! stay meaningful on a loaded machine.
//!
//! The 5 MB pack's passage vectors are cached in
//! `$LECTERN_BENCH_CACHE` (default: `lectern-bench-cache` in the temporary
//! folder). The first run encodes them all (minutes; the time is printed);
//! later runs load them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use lectern::content::{Document, Pack};
use lectern::study::Answerer;
use lectern::study::answer::{Params, PassageCache, VectorSource};

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

fn bench_cache() -> PathBuf {
    std::env::var_os("LECTERN_BENCH_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("lectern-bench-cache"))
}

fn reference() -> Params {
    Params {
        rerank_depth: 0,
        ..Params::default()
    }
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

fn line(name: &str, (p50, p99): (Duration, Duration)) {
    println!(
        "{name:<44} p50 {:>7.2} ms  p99 {:>7.2} ms",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
}

fn report() {
    let pack = Pack::bundled().expect("bundled pack");
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("machine load (1/5/15 min): {}", load.trim());
    }
    let seed_cache = tempfile::tempdir().unwrap();
    let seed_cache = PassageCache::At(seed_cache.path().to_path_buf());
    let plain = Answerer::with_cache(&pack.document, &pack.synonyms, reference(), &seed_cache);
    let seed = Answerer::with_cache(
        &pack.document,
        &pack.synonyms,
        Params::default(),
        &seed_cache,
    );
    seed.wait_for_passage_vectors();
    // Interleaved rounds, so both lines see the same machine load.
    let (mut plain_samples, mut seed_samples) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        plain_samples.push(percentiles(&plain, 20));
        seed_samples.push(percentiles(&seed, 20));
    }
    let median = |v: &mut Vec<(Duration, Duration)>| {
        let mut p50: Vec<Duration> = v.iter().map(|s| s.0).collect();
        let mut p99: Vec<Duration> = v.iter().map(|s| s.1).collect();
        p50.sort_unstable();
        p99.sort_unstable();
        (p50[p50.len() / 2], p99[p99.len() / 2])
    };
    println!("-- seed pack, 10 questions x 20, 10 interleaved runs (medians)");
    line(
        "reference: BM25 only, no encoder",
        median(&mut plain_samples),
    );
    line(
        "ask (encoder, passage vectors ready)",
        median(&mut seed_samples),
    );

    let text = generated_document(5 * 1024 * 1024);
    println!("-- 5 MB pack ({:.2} MB)", text.len() as f64 / 1_048_576.0);
    let started = Instant::now();
    let document = Document::parse(&text);
    let plain = Answerer::with_cache(&document, &pack.synonyms, reference(), &PassageCache::Off);
    println!(
        "index build, reference (no encoder)          {:>7.2} s  ({} sentences)",
        started.elapsed().as_secs_f64(),
        document.sentences().len()
    );
    let cold_dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let cold = Answerer::with_cache(
        &Document::parse(&text),
        &pack.synonyms,
        Params::default(),
        &PassageCache::At(cold_dir.path().to_path_buf()),
    );
    println!(
        "index build, cold (vectors in background)    {:>7.2} s",
        started.elapsed().as_secs_f64()
    );
    // The first minutes of a never-seen book: candidates the background
    // thread has not reached are encoded on the question's path.
    line(
        "ask while the background encodes (cold)",
        percentiles(&cold, 2),
    );
    drop(cold);

    let cache = PassageCache::At(bench_cache());
    let started = Instant::now();
    let first = Answerer::with_cache(
        &Document::parse(&text),
        &pack.synonyms,
        Params::default(),
        &cache,
    );
    if first.passage_vector_source() == VectorSource::Encoded {
        first.wait_for_passage_vectors();
        println!(
            "first build: all passage vectors encoded in  {:>7.2} s (background; now cached)",
            started.elapsed().as_secs_f64()
        );
    }
    drop(first);
    let started = Instant::now();
    let big = Answerer::with_cache(
        &Document::parse(&text),
        &pack.synonyms,
        Params::default(),
        &cache,
    );
    assert_eq!(big.passage_vector_source(), VectorSource::Cache);
    println!(
        "index build, vectors from the cache          {:>7.2} s",
        started.elapsed().as_secs_f64()
    );
    line("reference: BM25 only, no encoder", percentiles(&plain, 20));
    line(
        "ask (passage vectors from the cache)",
        percentiles(&big, 20),
    );
}

fn bench(c: &mut Criterion) {
    let pack = Pack::bundled().expect("bundled pack");
    let seed = Answerer::with_cache(
        &pack.document,
        &pack.synonyms,
        Params::default(),
        &PassageCache::Off,
    );
    seed.wait_for_passage_vectors();
    let plain = Answerer::with_cache(
        &pack.document,
        &pack.synonyms,
        reference(),
        &PassageCache::Off,
    );
    let ask_all = |answerer: &Answerer| {
        QUESTIONS
            .iter()
            .map(|q| answerer.answer(q, 3).hits.len())
            .sum::<usize>()
    };
    c.bench_function("ask/seed reference, no encoder (10 questions)", |b| {
        b.iter(|| ask_all(&plain))
    });
    c.bench_function("ask/seed (10 questions)", |b| b.iter(|| ask_all(&seed)));
    let text = generated_document(5 * 1024 * 1024);
    let cache = PassageCache::At(bench_cache());
    let big = Answerer::with_cache(
        &Document::parse(&text),
        &pack.synonyms,
        Params::default(),
        &cache,
    );
    big.wait_for_passage_vectors();
    c.bench_function("ask/5MB (10 questions)", |b| b.iter(|| ask_all(&big)));
    drop(big);
    let mut group = c.benchmark_group("index");
    group.sample_size(10);
    group.bench_function("build/5MB with cached vectors", |b| {
        b.iter(|| {
            Answerer::with_cache(
                &Document::parse(black_box(&text)),
                &pack.synonyms,
                Params::default(),
                &cache,
            )
            .len()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = bench
}

fn main() {
    report();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
