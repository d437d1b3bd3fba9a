//! Agreement with the Python reference: token ids from the `tokenizers`
//! library and fp32 numpy embeddings, both written by
//! scripts/export_encoder.py into tests/golden.json.

use lectern_encoder::Encoder;
use serde_json::Value;

struct Golden {
    text: String,
    ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn golden() -> Vec<Golden> {
    let json: Value = serde_json::from_str(include_str!("golden.json")).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|g| Golden {
            text: g["text"].as_str().unwrap().to_owned(),
            ids: g["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u32)
                .collect(),
            embedding: g["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect(),
        })
        .collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

#[test]
fn token_ids_match_the_tokenizers_library() {
    let encoder = Encoder::global();
    let golden = golden();
    assert!(golden.len() >= 30);
    for g in &golden {
        assert_eq!(encoder.tokenize(&g.text), g.ids, "text: {:?}", g.text);
    }
}

#[test]
fn embeddings_match_the_reference() {
    let encoder = Encoder::global();
    let golden = golden();
    let mut min = f32::INFINITY;
    for g in &golden {
        let v = encoder.encode(&g.text);
        let c = cosine(&v, &g.embedding);
        assert!(c >= 0.995, "cosine {c} for {:?}", g.text);
        min = min.min(c);
        if std::env::var_os("GOLDEN_VERBOSE").is_some() {
            eprintln!("{c:.5} {:?}", g.text.chars().take(60).collect::<String>());
        }
    }
    eprintln!("min cosine vs reference: {min:.5}");
}

#[test]
fn batch_equals_single() {
    let encoder = Encoder::global();
    let golden = golden();
    let texts: Vec<&str> = golden.iter().map(|g| g.text.as_str()).collect();
    let batch = encoder.encode_batch(&texts);
    assert_eq!(batch.len(), texts.len());
    for (text, b) in texts.iter().zip(&batch) {
        let single = encoder.encode(text);
        assert!(cosine(&single, b) > 0.99999, "{text:?}");
    }
    assert!(encoder.encode_batch(&[]).is_empty());
}

#[test]
fn deterministic_and_unit_length() {
    let encoder = Encoder::global();
    for text in [
        "",
        "What caused the bread shortage in 1917?",
        "café naïve 😀",
    ] {
        let a = encoder.encode(text);
        let b = encoder.encode(text);
        assert_eq!(a, b);
        assert_eq!(a.len(), encoder.dims());
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm} for {text:?}");
    }
}

#[test]
fn long_input_is_truncated() {
    let encoder = Encoder::global();
    let text = "the quick brown fox jumps over the lazy dog ".repeat(200);
    let ids = encoder.tokenize(&text);
    assert_eq!(ids.len(), encoder.max_tokens());
    assert_eq!(ids.len(), 256);
    assert_eq!(*ids.last().unwrap(), 102);
    let v = encoder.encode(&text);
    assert_eq!(v.len(), 384);
    assert!(v.iter().all(|x| x.is_finite()));
}

#[test]
fn similar_sentences_are_closer() {
    let encoder = Encoder::global();
    let q = encoder.encode("Why was there no bread in the city?");
    let near = encoder.encode("The bread shortage in Petrograd was caused by the war.");
    let far = encoder.encode("Photosynthesis turns light into chemical energy.");
    assert!(cosine(&q, &near) > cosine(&q, &far) + 0.1);
}
