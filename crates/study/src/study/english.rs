//! What general English says about a word, for quiz generation: how common
//! it is (a Zipf frequency) and how close two words are in meaning. The one
//! seam between quiz generation and the general-English [`Lexicon`], so the
//! source can change without touching the rules that use it.

use super::lexicon::Lexicon;

/// Zipf frequency of a lowercase word in general English (about 1 to 8;
/// 3 is about once per million words), or `None` when it is rarer than the
/// lexicon's list goes. Many given names and places are frequent English
/// words ("Thomas", "Liverpool"): the automatic glossary tells them from
/// common words by the document's own capitals, not by this figure.
pub fn zipf(word: &str) -> Option<f32> {
    Lexicon::global().zipf(word)
}

/// [`zipf`], under the name quiz generation uses.
pub fn general_zipf(word: &str) -> Option<f32> {
    zipf(word)
}

/// Cosine similarity of two words' meanings, when both are known.
pub fn similarity(a: &str, b: &str) -> Option<f32> {
    Lexicon::global().similarity(a, b)
}

/// Whether a word is common in general English (used, e.g., to tell a
/// capitalised common word at a sentence start from a name).
pub fn is_common(word: &str) -> bool {
    zipf(word).is_some_and(|z| z >= 3.5)
}

/// Whether two words or phrases mean nearly the same thing.
pub fn are_synonyms(a: &str, b: &str) -> bool {
    similarity(&a.to_lowercase(), &b.to_lowercase()).is_some_and(|s| s >= 0.8)
}
