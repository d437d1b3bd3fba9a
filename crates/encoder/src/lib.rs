//! A pure-Rust sentence encoder: the all-MiniLM-L6-v2 model (BERT, 6 layers,
//! hidden 384, 12 heads), mean-pooled over all tokens and L2-normalised,
//! with its uncased WordPiece tokenizer.
//!
//! The weights are compiled in (`assets/encoder.bin`, made by
//! `scripts/export_encoder.py`, int8 with one f32 scale per output row) and
//! loaded once by [`Encoder::global`] (about 50 ms). Weights stay int8 in
//! memory (about 22 MB resident in all): word embeddings are dequantised per
//! lookup, linear weights block by block into a cache-sized f32 buffer for
//! each matrix product, which is faster than f32 weights (42 MB, more than
//! the cache) as well as smaller.
//!
//! ```no_run
//! let encoder = lectern_encoder::Encoder::global();
//! let v = encoder.encode("What caused the bread shortage?");
//! assert_eq!(v.len(), encoder.dims());
//! ```

#![forbid(unsafe_code)]

mod model;
mod tables;
mod tokenizer;

use std::sync::LazyLock;

pub use model::Encoder;

static ASSET: &[u8] = include_bytes!("../../../assets/encoder.bin");

static GLOBAL: LazyLock<Encoder> = LazyLock::new(|| Encoder::from_bytes(ASSET));

/// Names the forward pass's arithmetic; changed whenever a change to it
/// moves the vectors' last bits, so that vectors kept on disk are redone.
const ARITHMETIC: &[u8] = b"f32 sgemm on int8 blocks, rev 1";

static FINGERPRINT: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let mut hasher = blake3::Hasher::new();
    hasher.update(ARITHMETIC);
    hasher.update(ASSET);
    *hasher.finalize().as_bytes()
});

impl Encoder {
    /// The encoder built from the compiled-in asset, loaded on first use.
    pub fn global() -> &'static Encoder {
        &GLOBAL
    }

    /// A hash of the compiled-in weights and of the arithmetic: equal
    /// fingerprints give bit-identical vectors, so it keys caches of them.
    pub fn fingerprint() -> &'static [u8; 32] {
        &FINGERPRINT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_real_asset() {
        let encoder = Encoder::from_bytes(ASSET);
        assert_eq!(encoder.dims(), 384);
        assert_eq!(encoder.vocab_len(), 30522);
        assert_eq!(encoder.tokenize("hello world"), [101, 7592, 2088, 102]);
    }
}
