use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use lectern_encoder::Encoder;

const QUESTION: &str = "What were the main causes of the bread shortage in Petrograd in 1917?";
const SENTENCE: &str = "In February 1917, long queues for bread in Petrograd turned into strikes and \
    mutinies, and within a week the Tsar had abdicated and a provisional government had taken \
    his place.";

fn bench(c: &mut Criterion) {
    let start = Instant::now();
    let encoder = Encoder::global();
    eprintln!("model load: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    eprintln!(
        "question: {} tokens, sentence: {} tokens",
        encoder.tokenize(QUESTION).len(),
        encoder.tokenize(SENTENCE).len()
    );
    c.bench_function("encode question (12 words)", |b| {
        b.iter(|| encoder.encode(black_box(QUESTION)))
    });
    c.bench_function("encode sentence (30 words)", |b| {
        b.iter(|| encoder.encode(black_box(SENTENCE)))
    });
    let words: Vec<&str> = SENTENCE.split(' ').collect();
    let batch: Vec<String> = (0..100)
        .map(|i| {
            let n = 8 + (i * 7) % 24;
            words
                .iter()
                .cycle()
                .skip(i)
                .take(n)
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let batch: Vec<&str> = batch.iter().map(String::as_str).collect();
    c.bench_function("encode_batch 100 sentences", |b| {
        b.iter(|| encoder.encode_batch(black_box(&batch)))
    });
    c.bench_function("tokenize question", |b| {
        b.iter(|| encoder.tokenize(black_box(QUESTION)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
