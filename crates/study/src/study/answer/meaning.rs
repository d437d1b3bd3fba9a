//! Whole-sentence meaning from a sentence encoder (all-MiniLM-L6-v2, in the
//! `lectern-encoder` crate): the question and the best few candidate
//! passages are encoded, and their cosine reranks the candidates and tells
//! the refusal model how well the best one answers in meaning, not only in
//! words ("keen on a canal" / "a leading supporter of the canal").
//!
//! Passages are encoded lazily, only when they are candidates, and kept in a
//! bounded cache: a small pack is soon fully cached, and a 5 MB book never
//! pays to encode the sentences nobody asks about.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use lectern_encoder::Encoder;

/// Most passage vectors kept (384 floats each, about 1.5 KB).
const CACHE_LIMIT: usize = 8192;

#[derive(Debug, Default)]
pub(super) struct Meanings {
    cache: Mutex<HashMap<usize, Arc<[f32]>>>,
}

impl Meanings {
    /// The encoder's vector for a question.
    pub(super) fn of_question(question: &str) -> Vec<f32> {
        Encoder::global().encode(question)
    }

    /// Cosines of `question` with the passages `indices` (sentence indices
    /// whose quoted text is `quote(index)`), in order.
    pub(super) fn cosines(
        &self,
        question: &[f32],
        indices: &[usize],
        quote: impl Fn(usize) -> String,
    ) -> Vec<f64> {
        let missing: Vec<usize> = {
            let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            indices
                .iter()
                .copied()
                .filter(|i| !cache.contains_key(i))
                .collect()
        };
        let mut fresh: Vec<(usize, Arc<[f32]>)> = Vec::new();
        if !missing.is_empty() {
            let texts: Vec<String> = missing.iter().map(|&i| quote(i)).collect();
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let vectors = Encoder::global().encode_batch(&refs);
            fresh = missing
                .into_iter()
                .zip(vectors.into_iter().map(Arc::from))
                .collect();
        }
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() + fresh.len() > CACHE_LIMIT {
            cache.clear();
        }
        for (index, vector) in &fresh {
            cache.insert(*index, Arc::clone(vector));
        }
        indices
            .iter()
            .map(|i| {
                let vector = cache.get(i).cloned().or_else(|| {
                    fresh
                        .iter()
                        .find(|(f, _)| f == i)
                        .map(|(_, v)| Arc::clone(v))
                });
                vector.map_or(0.0, |v| {
                    f64::from(v.iter().zip(question).map(|(a, b)| a * b).sum::<f32>())
                })
            })
            .collect()
    }
}
