//! General knowledge of English, shipped inside the binary: how common a
//! word is, and how close two words are in meaning.
//!
//! The data (`assets/lexicon.bin`) is made by `scripts/distill_lexicon.py`
//! from two registry packages and nothing else: the word list and Zipf
//! frequencies of `wordfreq`, and for each word the vector that the
//! sentence-embedding model all-MiniLM-L6-v2 gives it on its own, reduced by
//! PCA to int8 rows. It knows that "kids" is near "children" and "scared"
//! near "afraid" for any document, which a per-pack synonym list cannot.
//!
//! Parsed once on first use (a few milliseconds); lookups are a hash probe
//! and, for similarity, one dot product.

use std::collections::HashMap;
use std::sync::LazyLock;

static DATA: &[u8] = include_bytes!("../../../../assets/lexicon.bin");

static LEXICON: LazyLock<Lexicon> =
    LazyLock::new(|| Lexicon::parse(DATA).expect("assets/lexicon.bin is well-formed"));

/// Words, their frequencies and their meaning vectors.
#[derive(Debug)]
pub struct Lexicon {
    index: HashMap<&'static str, u32>,
    words: Vec<&'static str>,
    zipf: &'static [u8],
    vectors: Vec<i8>,
    norms: Vec<f32>,
    /// Word indices by length in chars, for typo search.
    by_length: Vec<Vec<u32>>,
    dims: usize,
}

/// A known word's row in the lexicon: cheap to keep and compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Row(u32);

/// A word's meaning vector, normalised: cosine is a dot product.
#[derive(Debug, Clone, PartialEq)]
pub struct Vector(pub Vec<f32>);

impl Vector {
    pub fn dot(&self, other: &Vector) -> f32 {
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }

    /// A weighted sum of vectors, normalised (a sentence's meaning).
    /// The weighted mean of known words' vectors, normalised: a
    /// sentence's meaning. `None` when no word is known.
    pub fn of_words(words: impl IntoIterator<Item = (Row, f32)>) -> Option<Vector> {
        let lexicon = Lexicon::global();
        let mut sum = vec![0.0f32; lexicon.dims];
        for (row, weight) in words {
            lexicon.add_scaled(row, weight, &mut sum);
        }
        let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt();
        (norm > 0.0).then(|| Vector(sum.into_iter().map(|v| v / norm).collect()))
    }
}

impl Lexicon {
    /// The lexicon compiled into the binary.
    pub fn global() -> &'static Lexicon {
        &LEXICON
    }

    fn parse(data: &'static [u8]) -> Result<Self, &'static str> {
        let rest = data.strip_prefix(b"LXV1").ok_or("bad magic")?;
        let take_u32 = |bytes: &[u8]| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
        };
        let count = take_u32(rest).ok_or("short header")? as usize;
        let dims = u16::from_le_bytes(
            rest.get(4..6)
                .ok_or("short header")?
                .try_into()
                .unwrap_or([0, 0]),
        ) as usize;
        let blob_len = take_u32(&rest[6..]).ok_or("short header")? as usize;
        let rest = &rest[10..];
        let blob = std::str::from_utf8(rest.get(..blob_len).ok_or("short word list")?)
            .map_err(|_| "word list is not UTF-8")?;
        let words: Vec<&'static str> = blob.split('\n').collect();
        if words.len() != count {
            return Err("word count does not match");
        }
        let rest = &rest[blob_len..];
        let zipf = rest.get(..count).ok_or("short frequencies")?;
        let vectors: Vec<i8> = rest
            .get(count..count + count * dims)
            .ok_or("short vectors")?
            .iter()
            .map(|&b| i8::from_le_bytes([b]))
            .collect();
        let norms = vectors
            .chunks_exact(dims)
            .map(|row| {
                row.iter()
                    .map(|&b| f32::from(b).powi(2))
                    .sum::<f32>()
                    .sqrt()
                    .max(1e-6)
            })
            .collect();
        let index = words
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, i as u32))
            .collect();
        let mut by_length: Vec<Vec<u32>> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let length = word.chars().count();
            if by_length.len() <= length {
                by_length.resize_with(length + 1, Vec::new);
            }
            by_length[length].push(i as u32);
        }
        Ok(Self {
            by_length,
            index,
            words,
            zipf,
            vectors,
            norms,
            dims,
        })
    }

    /// How many dimensions a vector has.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// How many words it knows.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `word` (lowercase) is a known English word.
    pub fn contains(&self, word: &str) -> bool {
        self.index.contains_key(word)
    }

    /// Zipf frequency of a lowercase word: about 7 for "the", 4 for
    /// "famine", 2 for "kolkhoz"; `None` when the word is rarer than the
    /// list goes (names, technical terms, typos).
    pub fn zipf(&self, word: &str) -> Option<f32> {
        self.index
            .get(word)
            .map(|&i| f32::from(self.zipf[i as usize]) / 10.0)
    }

    /// Known words whose length in chars is within `slack` of `length`.
    pub fn words_near_length(
        &self,
        length: usize,
        slack: usize,
    ) -> impl Iterator<Item = &'static str> + '_ {
        let from = length.saturating_sub(slack);
        self.by_length
            .iter()
            .skip(from)
            .take(2 * slack + 1)
            .flatten()
            .map(|&i| self.words[i as usize])
    }

    /// The row of a known lowercase word.
    pub fn row(&self, word: &str) -> Option<Row> {
        self.index.get(word).map(|&i| Row(i))
    }

    fn raw(&self, row: Row) -> &[i8] {
        let i = row.0 as usize;
        &self.vectors[i * self.dims..(i + 1) * self.dims]
    }

    /// Cosine similarity of two rows.
    pub fn cosine(&self, a: Row, b: Row) -> f32 {
        let dot: i32 = self
            .raw(a)
            .iter()
            .zip(self.raw(b))
            .map(|(&x, &y)| i32::from(x) * i32::from(y))
            .sum();
        dot as f32 / (self.norms[a.0 as usize] * self.norms[b.0 as usize])
    }

    /// Adds `weight` times the row's normalised vector to `sum`.
    pub fn add_scaled(&self, row: Row, weight: f32, sum: &mut [f32]) {
        let scale = weight / self.norms[row.0 as usize];
        for (s, &v) in sum.iter_mut().zip(self.raw(row)) {
            *s += scale * f32::from(v);
        }
    }

    /// The word's meaning vector, normalised.
    pub fn vector(&self, word: &str) -> Option<Vector> {
        let row = self.row(word)?;
        let mut sum = vec![0.0; self.dims];
        self.add_scaled(row, 1.0, &mut sum);
        Some(Vector(sum))
    }

    /// Cosine similarity of two lowercase words, when both are known.
    pub fn similarity(&self, a: &str, b: &str) -> Option<f32> {
        Some(self.cosine(self.row(a)?, self.row(b)?))
    }

    /// The `count` known words closest in meaning to `word`, best first.
    pub fn nearest(&self, word: &str, count: usize) -> Vec<(&'static str, f32)> {
        let Some(target) = self.row(word) else {
            return Vec::new();
        };
        let mut scored: Vec<(&'static str, f32)> = (0..self.words.len() as u32)
            .map(Row)
            .filter(|&row| row != target)
            .map(|row| (self.words[row.0 as usize], self.cosine(target, row)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.truncate(count);
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_knows_common_words_and_how_common_they_are() {
        let lexicon = Lexicon::global();
        assert!(lexicon.len() > 30_000);
        let the = lexicon.zipf("the").unwrap();
        let famine = lexicon.zipf("famine").unwrap();
        assert!(the > 6.5 && famine < 5.0, "the {the}, famine {famine}");
        assert_eq!(lexicon.zipf("zzxqv"), None);
    }

    #[test]
    fn related_words_are_closer_than_unrelated_ones() {
        let lexicon = Lexicon::global();
        let sim = |a, b| lexicon.similarity(a, b).unwrap();
        assert!(sim("kids", "children") > sim("kids", "canal"));
        assert!(sim("scared", "afraid") > sim("scared", "grain"));
        assert!(sim("war", "fight") > sim("war", "toilet"));
        assert!((sim("famine", "famine") - 1.0).abs() < 1e-3);
    }

    #[test]
    fn nearest_words_are_related() {
        let near: Vec<&str> = Lexicon::global()
            .nearest("hunger", 10)
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert!(
            near.iter()
                .any(|w| ["starvation", "famine", "hungry", "starving"].contains(w)),
            "{near:?}"
        );
    }
}
