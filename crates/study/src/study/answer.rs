//! The answerer behind `/ask`: finds the sentences of the document that
//! answer a question, or refuses honestly when none does.
//!
//! Retrieval is BM25 over sentences with soft term matching. Each question
//! word matches the document's words in several ways, each with a strength:
//! the same word (any inflection), the same word family ("starvation" and
//! "starve", "cruelest" and "cruel"), the pack's related terms, a corrected
//! typo, or a word close in meaning by the general English word vectors of
//! [`Lexicon`] ("kids" and "children"). No per-pack list is needed for the
//! everyday words students use. Sentences are also compared as wholes
//! (weighted mean of their word vectors), which ranks paraphrases.
//!
//! A sentence with a pronoun ("In 1771 he opened ...") is indexed with the
//! names of the sentence before it; one that opens with a dangling
//! "he/they/this" with all of its previous sentence (weighted lower).
//!
//! Refusal weighs a few signals of the best sentence (how much of the
//! question it covers, how close it is in meaning, whether a rare word of
//! the question is missing from the document altogether) with weights
//! fitted by cross-validation on blind question sets (`eval/fit_refusal.py`),
//! plus two rules: a date question needs a date, a "how many" question a
//! quantity.

mod chat;
mod intent;
mod meaning;
mod measure;
mod naming;
mod smalltalk;
mod topics;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::content::Document;

use super::lexicon::{Lexicon, Row, Vector};
use super::text::{self, Token};

pub use intent::Intent;
use meaning::Meanings;
pub use meaning::{PassageCache, VectorSource};
use measure::{Dimension, Measures};
pub use smalltalk::SmallTalk;
use topics::Topics;

/// One way a question word can match a sentence.
#[derive(Debug, Clone)]
struct Alternative {
    /// The term sequence to find (one term, or a related phrase).
    terms: Vec<String>,
    /// Weight of a match in ranking.
    weight: f64,
    /// Share of the word's meaning a match covers, for refusal.
    credit: f64,
}

impl Alternative {
    fn new(terms: Vec<String>, weight: f64, credit: f64) -> Self {
        Self {
            terms,
            weight,
            credit,
        }
    }
}

/// One thing the question asks about.
#[derive(Debug)]
struct Concept {
    /// Empty when the document has no word for it.
    alternatives: Vec<Alternative>,
    /// How informative it is (IDF in the document, or estimated from how
    /// rare the word is in English when the document lacks it).
    weight: f64,
    /// Below 1 for common words that rarely carry a question's topic.
    factor: f64,
    /// The number it is, when it is one.
    number: Option<String>,
    /// How rare the word is in general English (0 common .. 1 unknown).
    rarity: f64,
    /// Whether general English lacks the word (a name, a term of art).
    unknown: bool,
    /// Whether it names a person, place or thing of the document.
    is_name: bool,
    /// A name of the document's main subject, which any sentence may be
    /// about without naming it.
    is_subject: bool,
    /// The question's word (folded), or its phrase.
    surface: String,
}

/// The answerer's tunable numbers. The defaults are the ones chosen on the
/// blind tuning sets; `lectern ask --params` overrides them for evaluation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Weight of whole-sentence similarity in ranking.
    pub dense_weight: f64,
    /// Word vectors: cosine at which a match by meaning starts to count.
    pub soft_from: f32,
    /// Cosine at which a match by meaning is full.
    pub soft_full: f32,
    /// The most a match by meaning alone can weigh.
    pub soft_max: f64,
    /// Weight of a term borrowed from the previous sentence.
    pub context_weight: f64,
    /// Weight of a term borrowed from the next sentence of the paragraph,
    /// which each passage also shows: an answer often goes on in the
    /// sentence after the one that names its subject ("In 1815 Tambora
    /// erupted. It killed tens of thousands."). 0 keeps passages to
    /// single sentences.
    pub next_weight: f64,
    /// BM25 term saturation.
    pub k1: f64,
    /// BM25 length normalisation (0: none, 1: full).
    pub b: f64,
    /// Share of the better neighbouring sentence's word score a sentence
    /// adds (in the same paragraph): an answer often spreads over two
    /// sentences ("Roads were slow and costly. He therefore backed the
    /// canal.").
    pub neighbour_weight: f64,
    /// Boost for a sentence of the kind the question asks for (a date for
    /// "when", a figure for "how many", a reason for "why").
    pub intent_boost: f64,
    /// How many of the best candidates the sentence encoder reranks; 0
    /// switches the encoder off.
    pub rerank_depth: usize,
    /// Weight of the encoder's cosine in the reranking.
    pub encoder_weight: f64,
    /// Refusal model: answer when `refusal_bias + refusal_weights . x >= 0`
    /// for the signals x of [`Signals::features`]. A large bias switches
    /// refusal by the model off.
    pub refusal_bias: f64,
    pub refusal_weights: [f64; FEATURES],
    /// Refusal: the share of the names asked about (other than the
    /// document's main subject) the best sentence must hold.
    pub min_names: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            dense_weight: 0.15,
            soft_from: 0.36,
            soft_full: 0.85,
            soft_max: 0.9,
            context_weight: 0.4,
            next_weight: 0.5,
            k1: 1.2,
            b: 0.75,
            neighbour_weight: 0.0,
            intent_boost: 0.3,
            rerank_depth: 10,
            encoder_weight: 0.3,
            refusal_bias: REFUSAL_BIAS,
            refusal_weights: REFUSAL_WEIGHTS,
            min_names: MIN_NAMES,
        }
    }
}

/// Weight of a match through a pack's related term rather than the word itself.
const RELATED_WEIGHT: f64 = 0.9;
/// Weight of common English words ("see", "purpose", "usually").
const GENERIC_FACTOR: f64 = 0.3;
/// Weight of a match through a corrected typo.
const TYPO_WEIGHT: f64 = 0.85;
/// Weight of a match through another word of the same family.
const FAMILY_WEIGHT: f64 = 0.9;
/// How many document words one question word may match by meaning.
const SOFT_LIMIT: usize = 6;
/// Below this cosine, two words that share a prefix are not one family
/// ("general" and "generation").
const FAMILY_MIN_COSINE: f32 = 0.3;

/// The refusal model, fitted by `eval/fit_refusal.py`: a logistic
/// regression whose signals and regularisation were chosen by
/// leave-one-document-out cross-validation over 382 blind tuning questions
/// on three documents (0.745 balanced accuracy on the held-out document),
/// refitted on all of them. It reads the weakest main word's match in the
/// best passage, by the search's own matches and by word meaning, and the
/// sentence encoder's best cosine. The cut (the bias) is the one that
/// handles the most questions right (an answerable one answered with its
/// answer first, an unanswerable one refused), not the balanced one:
/// students mostly ask what the document answers. Weights in the order of
/// [`Signals::features`].
const REFUSAL_BIAS: f64 = -0.921;
const REFUSAL_WEIGHTS: [f64; FEATURES] = [
    0.0, 0.0, 0.0, 0.504, 0.0, 0.0, 0.0, 1.842, 0.0, 0.0, 0.0, 0.480, 0.0, 0.0,
];
/// How many signals the refusal model reads.
const FEATURES: usize = 14;
const MIN_NAMES: f64 = 0.25;
/// How deep among the best candidates a passage of the kind asked for (a
/// date for "when", an amount for "how many") is moved to the front.
const PROMOTE_DEPTH: usize = 5;
/// Below this coverage a refused question gets no closest passage.
const CLOSEST_COVERAGE: f64 = 0.2;

/// What the sentence encoder saw of the candidates.
#[derive(Debug, Clone, Copy, Default)]
struct Cosines {
    /// The best cosine.
    best: f64,
    /// The cosine of the candidate ranked first after reranking.
    first: f64,
    second: f64,
    mean: f64,
}

/// One sentence returned as an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The sentence's index in the document.
    pub sentence: usize,
    /// The quoted text: the sentence, preceded by its previous sentence when
    /// it opens with a dangling reference and the two are short enough.
    pub text: String,
    /// Byte ranges in `text` of the words that matched the question.
    pub matched: Vec<(usize, usize)>,
    pub score: f64,
    /// Share of the question's informative weight this sentence covers.
    pub coverage: f64,
}

/// Why a question was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalReason {
    /// No informative word of the question is in the document.
    NothingInCommon,
    /// Some words match, but no sentence covers enough of the question.
    NotCovered,
    /// The question asks for a date and the document gives none there.
    NoDate,
    /// The question asks "how many" and the passage gives no figure.
    NoQuantity,
    /// The question asks for a name and the passage names nothing of
    /// what was asked ("what was the ship called").
    NoName,
    /// The question has no informative words at all.
    Empty,
    /// A greeting, thanks or a request for help, not a question.
    SmallTalk(SmallTalk),
}

/// What the refusal decision was based on, for calibration and `--json`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals {
    /// Share of the question's informative weight the best sentence covers.
    pub coverage: f64,
    /// Cosine of the question and the best sentence as wholes.
    pub dense: f64,
    /// Rarity of the rarest question word with no match in the document
    /// that general English does not know either (a name, a term of art).
    pub missing: f64,
    /// The same for everyday words the document does not use.
    pub missing_word: f64,
    /// Share of the names the question asks about that the best sentence
    /// holds (1 when it asks about none).
    pub names: f64,
    /// The least-matched main word of the question in the best sentence
    /// (0 when one is missing there: "where was X born" with no birth).
    pub weakest: f64,
    /// Share of the question's weight matched anywhere in the document.
    pub reach: f64,
    /// The sentence encoder's best cosine of the question with a candidate.
    pub cosine: f64,
    /// The encoder's cosine of the question with the passage answered.
    pub best_cosine: f64,
    /// The encoder's second-best cosine among the candidates.
    pub second_cosine: f64,
    /// The encoder's mean cosine over the candidates it read.
    pub mean_cosine: f64,
    /// The least-matched main word of the question in the best passage,
    /// by meaning with any of its words (word vectors, not limited to the
    /// few closest words of the document); names count by their matches.
    pub soft_weakest: f64,
    /// The same, averaged over the question's main words.
    pub soft_mean: f64,
    /// 1 when the question asks for a kind of answer (a person, a place,
    /// a figure) and the best passage holds none that the question does
    /// not already name.
    pub type_missing: f64,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question: String,
    pub intent: Intent,
    /// Best first; empty when refused.
    pub hits: Vec<Hit>,
    pub refusal: Option<RefusalReason>,
    /// When refused: the closest passage, shown as not a direct answer.
    pub closest: Option<Hit>,
    /// Topics the document does cover, near the question but not what it
    /// asked, offered with a refusal.
    pub suggestions: Vec<String>,
    pub signals: Signals,
}

impl Signals {
    /// The refusal model's inputs, in the order of its weights.
    pub fn features(&self) -> [f64; FEATURES] {
        [
            self.coverage,
            self.dense,
            self.names,
            self.weakest,
            self.reach,
            self.missing,
            self.missing_word,
            self.cosine,
            self.best_cosine,
            self.second_cosine,
            self.mean_cosine,
            self.soft_weakest,
            self.soft_mean,
            self.type_missing,
        ]
    }
}

impl Answer {
    pub fn answered(&self) -> bool {
        self.refusal.is_none()
    }

    /// Coverage of the best candidate sentence (also when refused).
    pub fn best_coverage(&self) -> f64 {
        self.signals.coverage
    }
}

#[derive(Debug)]
struct IndexedSentence {
    length: f64,
    /// The numbers it states, as normalised terms.
    numbers: Vec<String>,
    /// Whether it gives an amount, in figures or words ("millions of").
    quantity: bool,
    has_date: bool,
    has_capitalized_name: bool,
    /// Whether it states a cause or purpose ("because", "in order to"...).
    gives_reason: bool,
    /// The dimensions it gives a figure for ("20 miles", "£500").
    measures: Measures,
    /// A heading or a caption: a paragraph of its own with no full stop
    /// ("The Black Death in Europe, 1347-1351"). It names a topic and
    /// answers nothing, however many of the question's words it holds.
    heading: bool,
    /// Terms of the name it describes ("Bentley was a merchant ...").
    describes: Vec<String>,
    /// Its meaning as a whole, when its words are known.
    vector: Option<Vector>,
}

/// A document word with its meaning vector.
#[derive(Debug)]
struct VocabularyWord {
    term: String,
    surface: String,
    row: Option<Row>,
}

/// A search index over one document.
#[derive(Debug)]
pub struct Answerer {
    sentences: Vec<IndexedSentence>,
    /// What each sentence shows as an answer.
    quotes: Vec<String>,
    /// What the sentence encoder reads for each sentence (shared with its
    /// background thread): the sentence, with its antecedent when it
    /// opens with a dangling reference, not the sentence after it, so that
    /// its meaning is the sentence's own.
    encoded: Arc<[String]>,
    /// The sentences each quote shows, in document order (itself, its
    /// antecedent when joined, the sentence after it).
    quoted: Vec<Vec<usize>>,
    /// Each sentence's own text.
    texts: Vec<String>,
    /// The name terms each sentence holds.
    names_of: Vec<Vec<String>>,
    /// term -> number of sentences containing it.
    document_frequency: HashMap<String, usize>,
    /// term -> (sentence, weighted frequency) for the sentences holding it.
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// Document words by length in chars: (folded surface word, its term).
    words_by_length: Vec<Vec<(String, String)>>,
    /// Document words by their first four letters, for word families.
    words_by_prefix: HashMap<String, Vec<usize>>,
    /// Distinct document words (one per term and surface).
    vocabulary: Vec<VocabularyWord>,
    /// term -> related terms (from the pack's synonyms), each a term sequence.
    related: HashMap<String, Vec<Vec<String>>>,
    /// Related-term phrases of several words: phrase -> related terms.
    phrases: Vec<(Vec<String>, Vec<Vec<String>>)>,
    topics: Topics,
    /// Terms that the document writes capitalised inside sentences: names.
    name_terms: HashSet<String>,
    /// Sentence -> the paragraph holding it.
    passage_of: Vec<usize>,
    /// Encoder vectors of the passages.
    meanings: Meanings,
    /// The name the document is about ("Wedgwood" in his biography): many
    /// sentences speak of it as "he", so a sentence need not name it.
    subject: HashSet<String>,
    average_length: f64,
    params: Params,
}

/// Words that give an amount without a figure.
const QUANTITY_WORDS: &[&str] = &[
    "millions",
    "thousands",
    "hundreds",
    "dozens",
    "billions",
    "many",
    "few",
    "several",
    "numerous",
    "countless",
    "lots",
    "majority",
    "most",
    "half",
    "handful",
    "scores",
    "much",
    "little",
    "plenty",
    "vast",
];

/// Prefixes that negate a word ("unglazed", "disloyal", "nonviolent").
const NEGATIONS: &[&str] = &["un", "non", "dis", "in", "im"];

/// The document's main subject: the name its sentences mention most, when
/// it is mentioned often enough to be what the document is about (the
/// person of a biography), with names mentioned nearly as often.
fn main_subject(names: &[Vec<String>]) -> Vec<String> {
    let mut counts: HashMap<&String, usize> = HashMap::new();
    for sentence in names {
        for name in sentence.iter().collect::<HashSet<_>>() {
            *counts.entry(name).or_default() += 1;
        }
    }
    let most = counts.values().copied().max().unwrap_or(0);
    if most < 3 || (most as f64) < 0.05 * names.len() as f64 {
        return Vec::new();
    }
    let mut subject: Vec<String> = counts
        .into_iter()
        .filter(|&(_, count)| 2 * count >= most)
        .map(|(name, _)| name.clone())
        .collect();
    subject.sort();
    subject
}

/// How rare a word is in general English: 0 for everyday words, 1 for
/// words the lexicon does not know (names, jargon, typos).
fn rarity(word: &str) -> f64 {
    match Lexicon::global().zipf(word) {
        Some(zipf) => f64::from(((6.0 - zipf) / 3.5).clamp(0.0, 1.0)),
        None => 1.0,
    }
}

/// The lexicon row of a folded word, or of a simpler form of it when the
/// word itself is too rare to be in the lexicon ("industrialised").
fn word_row(word: &str) -> Option<Row> {
    let lexicon = Lexicon::global();
    if let Some(row) = lexicon.row(word) {
        return Some(row);
    }
    let american = text::americanize(word);
    if let Some(row) = lexicon.row(&american) {
        return Some(row);
    }
    base_forms(&american)
        .into_iter()
        .find_map(|base| lexicon.row(&base))
}

/// Candidate base forms of an inflected or derived word, most likely first:
/// "cruelest" -> "cruel", "biggest" -> "big", "happier" -> "happy",
/// "starvation" -> "starve", "industrialized" -> "industrial".
pub fn base_forms(word: &str) -> Vec<String> {
    const SUFFIXES: &[(&str, &[&str])] = &[
        ("iest", &["y"]),
        ("ier", &["y"]),
        ("est", &["", "e"]),
        ("er", &["", "e"]),
        ("ies", &["y"]),
        ("ied", &["y"]),
        ("ations", &["e", "", "ate"]),
        ("ation", &["e", "", "ate"]),
        ("izations", &["ize", ""]),
        ("ization", &["ize", ""]),
        ("ized", &["", "ize"]),
        ("izing", &["", "ize"]),
        ("izes", &["", "ize"]),
        ("ize", &[""]),
        ("ions", &["e", ""]),
        ("ion", &["e", ""]),
        ("ments", &[""]),
        ("ment", &[""]),
        ("ness", &[""]),
        ("ities", &["e", ""]),
        ("ity", &["e", ""]),
        ("ally", &["al", ""]),
        ("ly", &[""]),
        ("ing", &["", "e"]),
        ("ed", &["", "e"]),
        ("es", &[""]),
        ("s", &[""]),
    ];
    let mut forms = Vec::new();
    for (suffix, replacements) in SUFFIXES {
        let Some(stem) = word.strip_suffix(suffix) else {
            continue;
        };
        if stem.chars().count() < 3 {
            continue;
        }
        for replacement in *replacements {
            forms.push(format!("{stem}{replacement}"));
            // "biggest" -> "big": a doubled final consonant. By chars, not
            // bytes: the last two bytes of one character ("ᨨ") can be equal.
            let mut last = stem.char_indices().rev();
            if replacement.is_empty()
                && let (Some((at, a)), Some((_, b))) = (last.next(), last.next())
                && a == b
                && a.is_ascii_alphabetic()
                && !"aeiou".contains(a)
            {
                forms.push(stem[..at].to_string());
            }
        }
    }
    forms
}

/// Length in chars of the common prefix of two words.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

impl Answerer {
    /// Builds the index for `document` with the pack's related-term groups.
    pub fn new(document: &Document, synonyms: &[Vec<String>]) -> Self {
        Self::with_params(document, synonyms, Params::default())
    }

    /// Builds the index with tuning overrides (evaluation runs).
    pub fn with_params(document: &Document, synonyms: &[Vec<String>], params: Params) -> Self {
        Self::with_cache(
            document,
            synonyms,
            params,
            &PassageCache::from_environment(),
        )
    }

    /// Builds the index, keeping passage vectors in `cache`. The vectors
    /// are read from there when present, else encoded in the background
    /// (see [`Answerer::wait_for_passage_vectors`]).
    pub fn with_cache(
        document: &Document,
        synonyms: &[Vec<String>],
        params: Params,
        cache: &PassageCache,
    ) -> Self {
        let mut sentences = Vec::with_capacity(document.sentences().len());
        let mut quotes = Vec::with_capacity(document.sentences().len());
        let mut encoded = Vec::with_capacity(document.sentences().len());
        let mut quoted = Vec::with_capacity(document.sentences().len());
        let mut document_frequency: HashMap<String, usize> = HashMap::new();
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut surfaces: HashMap<String, String> = HashMap::new();
        let mut meaning_parts: Vec<Vec<(Row, f32, String)>> = Vec::new();
        let own_terms: Vec<Vec<Token>> = document
            .sentences()
            .iter()
            .map(|s| text::tokenize(&s.text))
            .collect();
        let names: Vec<Vec<String>> = document
            .sentences()
            .iter()
            .zip(&own_terms)
            .map(|(s, tokens)| names_in(&s.text, tokens))
            .collect();
        let heading_passages = document.heading_passages();
        let headings: Vec<bool> = document
            .sentences()
            .iter()
            .map(|s| heading_passages.contains(&s.passage))
            .collect();
        for (index, sentence) in document.sentences().iter().enumerate() {
            let mut terms: HashMap<String, f64> = HashMap::new();
            let mut length: f64 = 0.0;
            let mut parts: Vec<(Row, f32, String)> = Vec::new();
            for token in own_terms[index].iter().filter(|t| !t.is_stopword) {
                *terms.entry(token.term.clone()).or_default() += 1.0;
                length += 1.0;
                if !token.is_number {
                    surfaces
                        .entry(token.surface.clone())
                        .or_insert_with(|| token.term.clone());
                    if let Some(row) = word_row(&token.surface) {
                        parts.push((row, sif_weight(&token.surface), token.term.clone()));
                    }
                }
            }
            let borrow = |from: &[String], weight: f64, terms: &mut HashMap<String, f64>| {
                for term in from {
                    let entry = terms.entry(term.clone()).or_default();
                    if *entry == 0.0 {
                        *entry = weight;
                    }
                }
            };
            let own = |at: usize| -> Vec<String> {
                own_terms[at]
                    .iter()
                    .filter(|t| !t.is_stopword)
                    .map(|t| t.term.clone())
                    .collect()
            };
            // What the passage shows: the sentence, its antecedent when it
            // opens with a dangling reference, and the sentence that goes
            // on from it; the words of the ones shown count for it.
            let previous = document
                .previous_in_passage(index)
                .filter(|_| sentence.opens_with_dangling_reference());
            let next = document
                .next_in_passage(index)
                .filter(|_| params.next_weight > 0.0);
            let (quote, shows) = quote_for(
                document,
                previous.map(|s| s.index),
                index,
                next.map(|s| s.index),
            );
            if let Some(&previous) = shows.first().filter(|&&s| s < index) {
                borrow(&own(previous), params.context_weight, &mut terms);
            } else {
                // "In 1771 he opened ...": he is the person named last; and
                // "The sound was heard 5,000 km away" is about the volcano
                // the sentence before named. A sentence is about the names
                // its paragraph gave last.
                let mut back = index;
                for _ in 0..2 {
                    let Some(previous) = document.previous_in_passage(back) else {
                        break;
                    };
                    if !names[previous.index].is_empty() {
                        borrow(&names[previous.index], params.context_weight, &mut terms);
                        break;
                    }
                    back = previous.index;
                }
            }
            if let Some(&next) = shows.last().filter(|&&s| s > index) {
                borrow(&own(next), params.next_weight, &mut terms);
            }
            for (term, tf) in &terms {
                *document_frequency.entry(term.clone()).or_default() += 1;
                postings
                    .entry(term.clone())
                    .or_default()
                    .push((index as u32, *tf as f32));
            }
            let numbers: Vec<String> = own_terms[index]
                .iter()
                .filter(|t| t.is_number && !is_year(t))
                .map(|t| t.term.clone())
                .collect();
            let quantity = !numbers.is_empty()
                || own_terms[index]
                    .iter()
                    .any(|t| QUANTITY_WORDS.contains(&t.surface.as_str()));
            let gives_reason = own_terms[index].iter().any(|t| {
                matches!(
                    t.surface.as_str(),
                    "because"
                        | "therefore"
                        | "so"
                        | "order"
                        | "due"
                        | "leading"
                        | "caused"
                        | "since"
                        | "as"
                        | "thus"
                        | "hence"
                        | "result"
                )
            });
            let has_date = own_terms[index]
                .iter()
                // "may" is a month far less often than a verb.
                .any(|t| is_year(t) || (text::is_month(&t.surface) && t.surface != "may"))
                || names_a_time(&sentence.text);
            let has_capitalized_name = !names[index].is_empty();
            meaning_parts.push(parts);
            sentences.push(IndexedSentence {
                length: length.max(1.0),
                numbers,
                quantity,
                has_date,
                has_capitalized_name,
                gives_reason,
                measures: Measures::of(&sentence.text),
                heading: headings[index],
                describes: described_name(&sentence.text),
                vector: None,
            });
            let own_quote = match shows.iter().position(|&s| s > index) {
                Some(_) => {
                    quote_for(
                        document,
                        shows.first().copied().filter(|&s| s < index),
                        index,
                        None,
                    )
                    .0
                }
                None => quote.clone(),
            };
            encoded.push(own_quote);
            quotes.push(quote);
            quoted.push(shows);
        }
        let average_length =
            sentences.iter().map(|s| s.length).sum::<f64>() / sentences.len().max(1) as f64;
        // A sentence's meaning: its words weighted by how rare they are in
        // English and in this document ("Stalin" in every other sentence of
        // an essay on Stalin says little about which sentence answers).
        let n = sentences.len() as f64;
        let most = ((n + 0.5) / 0.5 + 1.0).ln();
        let in_document = |term: &str| {
            let df = document_frequency.get(term).copied().unwrap_or(0) as f64;
            (((n - df + 0.5) / (df + 0.5) + 1.0).ln() / most) as f32
        };
        for (sentence, parts) in sentences.iter_mut().zip(meaning_parts) {
            sentence.vector = Vector::of_words(
                parts
                    .into_iter()
                    .map(|(row, sif, term)| (row, sif * in_document(&term))),
            );
        }

        let mut words_by_length: Vec<Vec<(String, String)>> = Vec::new();
        let mut sorted_surfaces: Vec<(String, String)> = surfaces.into_iter().collect();
        sorted_surfaces.sort();
        let mut vocabulary = Vec::with_capacity(sorted_surfaces.len());
        let mut words_by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
        for (word, term) in &sorted_surfaces {
            let length = word.chars().count();
            if words_by_length.len() <= length {
                words_by_length.resize_with(length + 1, Vec::new);
            }
            words_by_length[length].push((word.clone(), term.clone()));
            if length >= 4 {
                let prefix: String = word.chars().take(4).collect();
                words_by_prefix
                    .entry(prefix)
                    .or_default()
                    .push(vocabulary.len());
            }
            vocabulary.push(VocabularyWord {
                term: term.clone(),
                surface: word.clone(),
                row: if text::is_generic(word) {
                    None
                } else {
                    word_row(word)
                },
            });
        }
        let (related, phrases) = related_terms(synonyms);
        let texts: Vec<&str> = document
            .sentences()
            .iter()
            .map(|s| s.text.as_str())
            .collect();
        let topics = Topics::build(&texts, &document_frequency);
        let subject = main_subject(&names).into_iter().collect();
        let name_terms = names.iter().flatten().cloned().collect();
        let encoded: Arc<[String]> = encoded.into();
        let meanings = Meanings::start(Arc::clone(&encoded), cache, params.rerank_depth > 0);
        Self {
            sentences,
            quotes,
            encoded,
            quoted,
            texts: document
                .sentences()
                .iter()
                .map(|s| s.text.clone())
                .collect(),
            names_of: names,
            document_frequency,
            postings,
            words_by_length,
            words_by_prefix,
            vocabulary,
            related,
            phrases,
            topics,
            name_terms,
            subject,
            passage_of: document.sentences().iter().map(|s| s.passage).collect(),
            meanings,
            average_length,
            params,
        }
    }

    /// Blocks until every passage has its encoder vector (at once when
    /// they came from the cache). Questions need not wait: they encode the
    /// candidates the background thread has not reached.
    pub fn wait_for_passage_vectors(&self) {
        self.meanings.wait();
    }

    /// Whether every passage has its encoder vector already.
    pub fn passage_vectors_ready(&self) -> bool {
        self.meanings.ready()
    }

    /// Where the passage vectors came from: the cache file or the encoder.
    pub fn passage_vector_source(&self) -> VectorSource {
        self.meanings.source()
    }

    fn idf(&self, term: &str) -> f64 {
        let n = self.sentences.len() as f64;
        let df = self.document_frequency.get(term).copied().unwrap_or(0) as f64;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// IDF of a word the document does not contain: as rare as can be.
    fn unknown_idf(&self) -> f64 {
        let n = self.sentences.len() as f64;
        ((n + 0.5) / 0.5 + 1.0).ln()
    }

    /// The ways one question word can match: itself, a corrected typo,
    /// the pack's related terms, its word family, and words close in meaning.
    fn alternatives(&self, term: &str, surface: &str, is_number: bool) -> Vec<Alternative> {
        let mut alternatives = Vec::new();
        let add = |alternatives: &mut Vec<Alternative>, terms: Vec<String>, weight: f64| {
            match alternatives
                .iter_mut()
                .find(|a: &&mut Alternative| a.terms == terms)
            {
                Some(existing) if existing.weight >= weight => {}
                Some(existing) => {
                    existing.weight = weight;
                    existing.credit = weight;
                }
                None => alternatives.push(Alternative::new(terms, weight, weight)),
            }
        };
        let known = self.document_frequency.contains_key(term);
        if known {
            add(&mut alternatives, vec![term.to_string()], 1.0);
        }
        if is_number {
            return alternatives;
        }
        // A real English word is not a typo of another ("kids" is not "kid's" typo).
        let common_word = Lexicon::global().zipf(surface).is_some_and(|z| z >= 3.0);
        let mut surface = surface.to_string();
        if !known && !common_word {
            if let Some(corrected) = self.correct_typo(&surface) {
                add(&mut alternatives, vec![corrected], TYPO_WEIGHT);
            } else if word_row(&surface).is_none()
                && let Some(word) = lexicon_correction(&surface)
            {
                // "exicute" is "execute", which then meets "executing".
                surface = word;
            }
        }
        let surface = surface.as_str();
        let lookup = alternatives
            .first()
            .map_or(term.to_string(), |a| a.terms[0].clone());
        let mut related: Vec<&Vec<String>> =
            self.related.get(&lookup).into_iter().flatten().collect();
        if lookup != term {
            related.extend(self.related.get(term).into_iter().flatten());
        }
        for terms in related {
            if terms
                .iter()
                .all(|t| self.document_frequency.contains_key(t))
            {
                add(&mut alternatives, terms.clone(), RELATED_WEIGHT);
            }
        }
        if text::is_generic(surface) {
            return alternatives;
        }
        let row = word_row(surface);
        for (other, weight) in self.family(surface, row) {
            add(&mut alternatives, vec![other], weight);
        }
        if let Some(row) = row {
            for (other, weight) in self.close_in_meaning(row) {
                if other != term {
                    add(&mut alternatives, vec![other], weight);
                }
            }
        }
        alternatives
    }

    /// Document words of the same family as `surface`: a long shared
    /// beginning ("starv-ation"/"starv-e") and related meaning.
    fn family(&self, surface: &str, row: Option<Row>) -> Vec<(String, f64)> {
        let mut found = self.same_beginning(surface, row);
        // "glazed" and "unglazed": a negation answers a yes/no question too.
        for negation in NEGATIONS {
            let negated = format!("{negation}{surface}");
            let plain = surface
                .strip_prefix(negation)
                .filter(|p| p.chars().count() >= 4);
            for other in [Some(negated.as_str()), plain].into_iter().flatten() {
                found.extend(self.same_beginning(other, word_row(other)));
            }
        }
        found
    }

    fn same_beginning(&self, surface: &str, row: Option<Row>) -> Vec<(String, f64)> {
        let prefix: String = surface.chars().take(4).collect();
        let length = surface.chars().count();
        let mut found = Vec::new();
        for &i in self.words_by_prefix.get(&prefix).into_iter().flatten() {
            let word = &self.vocabulary[i];
            let shared = common_prefix(surface, &word.surface);
            let shorter = length.min(word.surface.chars().count());
            if shared < 4 || (shared as f64) < 0.75 * shorter as f64 {
                continue;
            }
            let related = match (row, word.row) {
                (Some(a), Some(b)) => Lexicon::global().cosine(a, b) >= FAMILY_MIN_COSINE,
                // Unknown to the lexicon: only a long shared beginning.
                _ => shared >= 6,
            };
            if related {
                found.push((word.term.clone(), FAMILY_WEIGHT));
            }
        }
        found
    }

    /// Document words close in meaning to a question word's vector, with
    /// the strength of each match.
    fn close_in_meaning(&self, row: Row) -> Vec<(String, f64)> {
        let lexicon = Lexicon::global();
        let mut found: Vec<(String, f64)> = self
            .vocabulary
            .iter()
            .filter_map(|word| {
                let cosine = lexicon.cosine(row, word.row?);
                let Params {
                    soft_from,
                    soft_full,
                    soft_max,
                    ..
                } = self.params;
                (cosine > soft_from).then(|| {
                    let strength =
                        f64::from(((cosine - soft_from) / (soft_full - soft_from)).min(1.0));
                    (word.term.clone(), soft_max * strength)
                })
            })
            .collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        found.dedup_by(|a, b| a.0 == b.0);
        found.truncate(SOFT_LIMIT);
        found
    }

    /// The document word closest to `surface` within the typo allowance
    /// for its length, as a term.
    fn correct_typo(&self, surface: &str) -> Option<String> {
        let max = text::allowed_typos(surface.chars().count());
        if max == 0 {
            return None;
        }
        let length = surface.chars().count();
        let mut best: Option<(usize, &String)> = None;
        let candidates = self
            .words_by_length
            .iter()
            .skip(length.saturating_sub(max))
            .take(2 * max + 1)
            .flatten();
        for (word, word_term) in candidates {
            if let Some(d) = text::edit_distance_within(surface, word, max)
                && best.is_none_or(|(bd, bt)| d < bd || (d == bd && word_term < bt))
            {
                best = Some((d, word_term));
            }
        }
        best.map(|(_, term)| term.clone())
    }

    /// Reads the question into concepts: related-term phrases first, then
    /// each remaining content word.
    fn concepts(&self, tokens: &[Token], judged: Option<&str>) -> Vec<Concept> {
        let mut concepts = Vec::new();
        let mut used = vec![false; tokens.len()];
        for (phrase, related) in &self.phrases {
            let Some(start) = tokens
                .windows(phrase.len())
                .position(|w| w.iter().map(|t| &t.term).eq(phrase.iter()))
            else {
                continue;
            };
            let alternatives: Vec<Alternative> = related
                .iter()
                .filter(|r| r.iter().all(|t| self.document_frequency.contains_key(t)))
                .map(|r| Alternative::new(r.clone(), RELATED_WEIGHT, RELATED_WEIGHT))
                .collect();
            if alternatives.is_empty() || used[start..start + phrase.len()].iter().any(|u| *u) {
                continue;
            }
            used[start..start + phrase.len()]
                .iter_mut()
                .for_each(|u| *u = true);
            let weight = alternatives
                .iter()
                .map(|a| a.terms.iter().map(|t| self.idf(t)).fold(0.0, f64::max))
                .fold(0.0, f64::max);
            concepts.push(Concept {
                alternatives,
                weight,
                factor: 1.0,
                number: None,
                rarity: 0.5,
                unknown: false,
                is_name: false,
                is_subject: false,
                surface: phrase.join(" "),
            });
        }
        let mut seen = HashSet::new();
        for (token, _) in tokens.iter().zip(&used).filter(|(_, used)| !**used) {
            if !seen.insert(token.term.clone()) {
                continue;
            }
            let alternatives = self.alternatives(&token.term, &token.surface, token.is_number);
            // Common words and small spelled-out numbers ("which two
            // leaders") are rarely what a question is about; nor is the
            // adjective of "how bad was ...".
            let small_number = token.is_number
                && !token.surface.chars().any(|c| c.is_ascii_digit())
                && token.term.parse::<u64>().is_ok_and(|n| n < 13);
            let generic = small_number
                || (!token.is_number && text::is_generic(&token.surface))
                || judged == Some(token.surface.as_str());
            let rarity = if token.is_number {
                1.0
            } else {
                rarity(&token.surface)
            };
            let weight = if self.document_frequency.contains_key(&token.term) {
                self.idf(&token.term)
            } else {
                // Not in the document: as informative as it is rare in English.
                self.unknown_idf() * (0.35 + 0.65 * rarity)
            };
            // Only matters for a word the document has nothing for.
            let unknown = alternatives.is_empty()
                && !token.is_number
                && word_row(&token.surface).is_none()
                && lexicon_correction(&token.surface).is_none();
            concepts.push(Concept {
                alternatives,
                weight,
                factor: if generic { GENERIC_FACTOR } else { 1.0 },
                number: token.is_number.then(|| token.term.clone()),
                rarity,
                unknown,
                is_name: self.name_terms.contains(&token.term),
                is_subject: self.subject.contains(&token.term),
                surface: token.surface.clone(),
            });
        }
        concepts
    }

    /// Answers `question`, returning up to `top` passages, or refuses.
    pub fn answer(&self, question: &str, top: usize) -> Answer {
        let read = chat::normalise(question, |word| self.knows_word(word));
        if let Some(talk) = SmallTalk::of(question) {
            return Answer {
                question: question.to_string(),
                intent: Intent::Other,
                hits: Vec::new(),
                refusal: Some(RefusalReason::SmallTalk(talk)),
                closest: None,
                suggestions: self.topics.central(3, &|_| false),
                signals: Signals::default(),
            };
        }
        let mut answer = self.search(&read, top, true);
        answer.question = question.to_string();
        answer
    }

    /// Whether the document uses a word (lowercase, as written).
    fn knows_word(&self, word: &str) -> bool {
        self.words_by_length
            .get(word.chars().count())
            .is_some_and(|words| words.iter().any(|(w, _)| w == word))
    }

    /// The passages most related to `text` (an event, a topic), best first,
    /// without the refusal rules meant for questions. Empty when nothing in
    /// the document shares a content word with it.
    pub fn related(&self, text: &str, top: usize) -> Vec<Hit> {
        self.search(text, top, false).hits
    }

    fn search(&self, question: &str, top: usize, refusal_rules: bool) -> Answer {
        let intent = Intent::of(question);
        let judged = if intent == Intent::Evaluation {
            Intent::judged_word(question)
        } else {
            None
        };
        let tokens: Vec<Token> = text::tokenize(question)
            .into_iter()
            .filter(|t| !t.is_stopword && !QUESTION_FILLER.contains(&t.surface.as_str()))
            .collect();
        let refuse_with = |reason, suggestions, closest, signals| Answer {
            question: question.to_string(),
            intent,
            hits: Vec::new(),
            refusal: Some(reason),
            closest,
            suggestions,
            signals,
        };
        if tokens.is_empty() {
            return refuse_with(
                RefusalReason::Empty,
                self.topics.central(3, &|_| false),
                None,
                Signals::default(),
            );
        }
        let concepts = self.concepts(&tokens, judged.as_deref());
        let asked_terms: HashSet<String> = concepts
            .iter()
            .flat_map(|c| c.alternatives.iter().flat_map(|a| a.terms.iter().cloned()))
            .chain(tokens.iter().map(|t| t.term.clone()))
            .collect();
        let asked = |term: &str| asked_terms.contains(term);
        if concepts.iter().all(|c| c.alternatives.is_empty()) {
            return refuse_with(
                RefusalReason::NothingInCommon,
                self.topics.central(3, &asked),
                None,
                Signals::default(),
            );
        }
        let main = |c: &Concept| c.factor >= 1.0;
        let total_weight: f64 = concepts.iter().map(|c| c.weight * c.factor).sum();
        let reach_weight: f64 = concepts
            .iter()
            .map(|c| {
                let best = c.alternatives.iter().map(|a| a.credit).fold(0.0, f64::max);
                c.weight * c.factor * best
            })
            .sum();
        let missing_of = |unknown: bool| {
            concepts
                .iter()
                .filter(|c| main(c) && c.alternatives.is_empty() && c.unknown == unknown)
                .map(|c| c.rarity)
                .fold(0.0, f64::max)
        };
        let (missing, missing_word) = (missing_of(true), missing_of(false));
        let query_vector =
            Vector::of_words(tokens.iter().filter(|t| !t.is_number).filter_map(|t| {
                let in_document = if self.document_frequency.contains_key(&t.term) {
                    (self.idf(&t.term) / self.unknown_idf()) as f32
                } else {
                    1.0
                };
                Some((word_row(&t.surface)?, sif_weight(&t.surface) * in_document))
            }));

        // Term-at-a-time over the inverted index: only sentences holding one
        // of the question's terms are touched. Dense per-sentence slots with
        // a list of those touched, not hash maps: a 5 MB book has tens of
        // thousands of sentences and common words post to thousands.
        let n = self.sentences.len();
        // sentence -> (score, covered)
        let mut totals = vec![(0.0f64, 0.0f64); n];
        let mut touched: Vec<u32> = Vec::new();
        // sentence -> (best ranking score, best coverage credit) for one concept.
        let mut best = vec![(0.0f64, 0.0f64); n];
        let mut best_touched: Vec<u32> = Vec::new();
        let Params { k1, b, .. } = self.params;
        let max_score: f64 = concepts
            .iter()
            .map(|c| c.weight * c.factor * (k1 + 1.0))
            .sum();
        let bm25 = |idf: f64, index: u32, tf: f32| {
            let tf = f64::from(tf);
            let sentence = &self.sentences[index as usize];
            let norm = k1 * (1.0 - b + b * sentence.length / self.average_length);
            idf * tf * (k1 + 1.0) / (tf + norm)
        };
        for concept in &concepts {
            let mut keep = |index: u32, score: f64, credit: f64, best: &mut Vec<(f64, f64)>| {
                let entry = &mut best[index as usize];
                if *entry == (0.0, 0.0) {
                    best_touched.push(index);
                }
                entry.0 = entry.0.max(score);
                entry.1 = entry.1.max(credit);
            };
            for alternative in &concept.alternatives {
                let terms = &alternative.terms;
                let idf_of =
                    |term: &str| self.idf(term).min(concept.weight.max(self.idf(term) * 0.5));
                if let [term] = terms.as_slice() {
                    let idf = idf_of(term);
                    for &(index, tf) in self.postings.get(term).into_iter().flatten() {
                        // A term known only from the previous sentence counts less.
                        let credit = alternative.credit * f64::from(tf).min(1.0);
                        keep(
                            index,
                            alternative.weight * bm25(idf, index, tf),
                            credit,
                            &mut best,
                        );
                    }
                    continue;
                }
                // A phrase: sentence -> (sum of BM25 over terms, terms present, weakest strength)
                let mut found: HashMap<u32, (f64, usize, f64)> = HashMap::new();
                for term in terms {
                    let idf = idf_of(term);
                    for &(index, tf) in self.postings.get(term).into_iter().flatten() {
                        let entry = found.entry(index).or_insert((0.0, 0, 1.0));
                        entry.0 += bm25(idf, index, tf);
                        entry.1 += 1;
                        entry.2 = entry.2.min(f64::from(tf).min(1.0));
                    }
                }
                for (index, (sum, present, strength)) in found {
                    let score = alternative.weight * sum / terms.len() as f64;
                    let credit = if present == terms.len() {
                        alternative.credit * strength
                    } else {
                        0.0
                    };
                    keep(index, score, credit, &mut best);
                }
            }
            for index in best_touched.drain(..) {
                let (score, credit) = std::mem::take(&mut best[index as usize]);
                let entry = &mut totals[index as usize];
                if *entry == (0.0, 0.0) {
                    touched.push(index);
                }
                entry.0 += score * concept.factor;
                entry.1 += concept.weight * concept.factor * credit;
            }
        }
        let asked_names: Vec<&String> = tokens.iter().map(|t| &t.term).collect();
        let neighbour = |index: usize| {
            let before = self
                .passage_of
                .get(index.wrapping_sub(1))
                .filter(|&&p| p == self.passage_of[index])
                .map_or(0.0, |_| totals[index - 1].0);
            let after = self
                .passage_of
                .get(index + 1)
                .filter(|&&p| p == self.passage_of[index])
                .map_or(0.0, |_| totals[index + 1].0);
            before.max(after)
        };
        // (sentence, score, coverage, dense)
        let mut scored: Vec<(usize, f64, f64, f64)> = Vec::with_capacity(touched.len());
        for index in touched {
            let index = index as usize;
            let (own, covered) = totals[index];
            let sentence = &self.sentences[index];
            if own <= 0.0 || sentence.heading {
                continue;
            }
            let lexical = if self.params.neighbour_weight > 0.0 {
                own + self.params.neighbour_weight * neighbour(index)
            } else {
                own
            };
            let coverage = covered / total_weight;
            let dense = match (&query_vector, &sentence.vector) {
                (Some(q), Some(s)) => f64::from(q.dot(s)).max(0.0),
                _ => 0.0,
            };
            // Prefer sentences that answer more of the question over ones
            // that repeat one rare word.
            let mut score =
                (lexical / max_score) * (0.3 + 0.7 * coverage) + self.params.dense_weight * dense;
            // How strongly each kind of sentence is preferred, relative
            // to the tunable boost.
            let fits = match intent {
                Intent::Count if sentence.quantity => 1.0,
                Intent::Measure if !sentence.numbers.is_empty() => 1.0,
                Intent::Person if sentence.has_capitalized_name => 1.0 / 3.0,
                Intent::Date if sentence.has_date => 1.0,
                Intent::Reason if sentence.gives_reason => 1.0 / 3.0,
                Intent::Definition
                    if sentence.describes.iter().any(|t| asked_names.contains(&t)) =>
                {
                    4.0 / 3.0
                }
                _ => 0.0,
            };
            score *= 1.0 + fits * self.params.intent_boost;
            scored.push((index, score, coverage, dense));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let cosines = if refusal_rules {
            self.rerank(question, &mut scored)
        } else {
            Cosines::default()
        };

        let main_names: Vec<usize> = (0..concepts.len())
            .filter(|&c| concepts[c].is_name && main(&concepts[c]))
            .collect();
        // "How many X": X (or a word close to it) must be in the sentence.
        // "How many stations": the document must speak of stations at all.
        let counted = counted_word(question)
            .and_then(|word| concepts.iter().find(|c| main(c) && c.surface == word));
        let counted_known = counted.is_none_or(|c| !c.alternatives.is_empty());
        // A "when" question needs the dated sentence to be about what it
        // names and asks: "when did Tom die" is not answered by the date
        // Josiah died, nor "when did X die" by the date X married.
        // "How tall is X", "how much did it cost": a figure of that
        // dimension, whatever the wh-word's intent.
        let measured = Dimension::asked(question);
        // "What was the ship called": a name standing by the thing asked.
        let named = naming::asked(question).map(|thing| self.thing_terms(&concepts, &thing));
        let fits_type = |index: usize, coverage: f64| match intent {
            _ if measured.is_some_and(|d| !self.gives_measure(index, d)) => false,
            _ if named
                .as_ref()
                .is_some_and(|thing| !self.gives_name(index, thing, &asked_names)) =>
            {
                false
            }
            Intent::Date => {
                self.window_has_date(index)
                    && coverage >= 0.5
                    && self.names_held(&concepts, &main_names, index)
            }
            Intent::Count => counted_known && self.gives_amount(index, &concepts, counted),
            _ => true,
        };
        if refusal_rules {
            // The passage that gives the kind of answer asked for goes
            // first when it is among the best few.
            let depth = PROMOTE_DEPTH.min(scored.len());
            // It must hold at least half of what was asked, as a dated
            // passage must anyway.
            if let Some(at) =
                (0..depth).find(|&i| scored[i].2 >= 0.5 && fits_type(scored[i].0, scored[i].2))
            {
                scored[..=at].rotate_right(1);
            }
        }
        let Some(&(best_index, _, coverage, dense)) = scored.first() else {
            return refuse_with(
                RefusalReason::NothingInCommon,
                self.topics.central(3, &asked),
                None,
                Signals::default(),
            );
        };
        let reach = if total_weight > 0.0 {
            reach_weight / total_weight
        } else {
            0.0
        };
        let best_credits: Vec<f64> = concepts
            .iter()
            .map(|c| self.credit_in(c, best_index as u32))
            .collect();
        let names = self.names_share(&concepts, &main_names, best_index);
        let weakest = concepts
            .iter()
            .enumerate()
            .filter(|(_, c)| main(c))
            .map(|(i, _)| best_credits[i].min(1.0))
            .fold(1.0, f64::min);
        let (soft_weakest, soft_mean) = self.soft_match(&concepts, &best_credits, best_index);
        let signals = Signals {
            coverage,
            dense,
            missing,
            missing_word,
            reach,
            names,
            weakest,
            cosine: cosines.best,
            best_cosine: cosines.first,
            second_cosine: cosines.second,
            mean_cosine: cosines.mean,
            soft_weakest,
            soft_mean,
            type_missing: if self.lacks_answer_type(intent, &asked_terms, best_index) {
                1.0
            } else {
                0.0
            },
        };
        let covered = self.params.refusal_bias
            + signals
                .features()
                .iter()
                .zip(self.params.refusal_weights)
                .map(|(x, w)| x * w)
                .sum::<f64>()
            >= 0.0
            && names >= self.params.min_names
            // The question is about a name neither the document nor
            // English knows ("the NKVD", "Yellowstone").
            && signals.missing < 0.99;
        let hits = self.hits(&scored, top, &asked_terms);
        let suggestions = || {
            self.topics
                .near_sentences(scored.iter().map(|s| s.0).take(8), &asked, 3)
        };
        let refusal = if !refusal_rules {
            None
        } else if !covered || !concepts.iter().any(main) {
            // Only common words ("what was usually according") ask nothing
            // a passage could answer.
            Some(RefusalReason::NotCovered)
        } else if intent == Intent::Date && !fits_type(best_index, coverage) {
            Some(RefusalReason::NoDate)
        } else if (intent == Intent::Count || measured.is_some())
            && !fits_type(best_index, coverage)
        {
            Some(RefusalReason::NoQuantity)
        } else if named.is_some() && !fits_type(best_index, coverage) {
            Some(RefusalReason::NoName)
        } else {
            None
        };
        if let Some(reason) = refusal {
            // The closest passage, labelled as not a direct answer, when it
            // is at least about the question's topic.
            // Only when the document has words for all the question asks
            // ("capital of France" gets no Germany sentence).
            let near = coverage >= CLOSEST_COVERAGE
                && signals.missing == 0.0
                && signals.missing_word == 0.0;
            let closest = near.then(|| hits[0].clone());
            return refuse_with(reason, suggestions(), closest, signals);
        }
        Answer {
            question: question.to_string(),
            intent,
            hits,
            refusal: None,
            closest: None,
            suggestions: Vec::new(),
            signals,
        }
    }

    /// Reorders the best candidates by the sentence encoder's cosine with
    /// the question (added to their scores with `encoder_weight`), and
    /// says what the encoder saw.
    fn rerank(&self, question: &str, scored: &mut [(usize, f64, f64, f64)]) -> Cosines {
        let depth = self.params.rerank_depth.min(scored.len());
        if depth == 0 {
            return Cosines::default();
        }
        let query = Meanings::of_question(question);
        let indices: Vec<usize> = scored[..depth].iter().map(|s| s.0).collect();
        let cosines = self
            .meanings
            .cosines(&query, &indices, |i| self.encoded[i].clone());
        let mut pairs: Vec<((usize, f64, f64, f64), f64)> =
            scored[..depth].iter().copied().zip(cosines).collect();
        for (candidate, cosine) in &mut pairs {
            candidate.1 += self.params.encoder_weight * *cosine;
        }
        pairs.sort_by(|a, b| b.0.1.total_cmp(&a.0.1).then(a.0.0.cmp(&b.0.0)));
        let mut sorted: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let result = Cosines {
            best: sorted[0].max(0.0),
            first: pairs[0].1,
            second: sorted.get(1).copied().unwrap_or(0.0).max(0.0),
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
        };
        for (slot, (candidate, _)) in scored.iter_mut().zip(pairs) {
            *slot = candidate;
        }
        result
    }

    /// How well the question's main words are met in one passage when
    /// meaning counts too: per word, its best match there (its own match
    /// credit, or the closest word by meaning); the least and the mean.
    fn soft_match(&self, concepts: &[Concept], credits: &[f64], index: usize) -> (f64, f64) {
        let lexicon = Lexicon::global();
        let rows: Vec<Row> = text::tokenize(&self.quotes[index])
            .iter()
            .filter(|t| !t.is_stopword && !t.is_number)
            .filter_map(|t| word_row(&t.surface))
            .collect();
        let matches: Vec<f64> = concepts
            .iter()
            .zip(credits)
            .filter(|(c, _)| c.factor >= 1.0 && !c.is_subject)
            .map(|(c, &credit)| {
                let by_meaning = word_row(&c.surface).map_or(0.0, |row| {
                    rows.iter()
                        .map(|&other| lexicon.cosine(row, other))
                        .fold(0.0f32, f32::max)
                });
                credit.max(f64::from(by_meaning)).min(1.0)
            })
            .collect();
        if matches.is_empty() {
            return (1.0, 1.0);
        }
        let least = matches.iter().copied().fold(1.0, f64::min);
        (least, matches.iter().sum::<f64>() / matches.len() as f64)
    }

    /// Whether the question asks for a kind of answer the passage lacks:
    /// "who" and no name the question does not already hold, "where" and
    /// no place named, "how far/long/old" and no figure.
    fn lacks_answer_type(&self, intent: Intent, asked: &HashSet<String>, index: usize) -> bool {
        let shown = &self.quoted[index];
        match intent {
            Intent::Person | Intent::Place => !shown
                .iter()
                .any(|&s| self.names_of[s].iter().any(|name| !asked.contains(name))),
            Intent::Measure | Intent::Count => shown
                .iter()
                .all(|&s| self.sentences[s].numbers.is_empty() && !self.sentences[s].quantity),
            _ => false,
        }
    }

    /// How well one concept is matched in one sentence: its best
    /// alternative whose terms are all there.
    fn credit_in(&self, concept: &Concept, index: u32) -> f64 {
        let tf_in = |term: &String| {
            let postings = self.postings.get(term)?;
            // Postings are in sentence order.
            let at = postings.binary_search_by_key(&index, |&(i, _)| i).ok()?;
            Some(f64::from(postings[at].1).min(1.0))
        };
        concept
            .alternatives
            .iter()
            .filter_map(|a| {
                let strength = a
                    .terms
                    .iter()
                    .map(tf_in)
                    .try_fold(1.0f64, |s, tf| tf.map(|tf| s.min(tf)))?;
                Some(a.credit * strength)
            })
            .fold(0.0, f64::max)
    }

    /// "How many X": the passage must give an amount the question does not:
    /// in its own sentence, or in one it shows that speaks of X itself ("how
    /// many factories" is not answered by "ten thousand died" in the
    /// sentence after the factories).
    fn gives_amount(&self, index: usize, concepts: &[Concept], counted: Option<&Concept>) -> bool {
        let asked: HashSet<&String> = concepts.iter().filter_map(|c| c.number.as_ref()).collect();
        self.quoted[index].iter().any(|&s| {
            let sentence = &self.sentences[s];
            let amount = sentence.numbers.iter().any(|n| !asked.contains(n))
                || (sentence.quantity && sentence.numbers.is_empty());
            amount && (s == index || counted.is_none_or(|c| self.holds_own(c, s)))
        })
    }

    /// Whether a sentence's own words (not the ones it borrows from its
    /// neighbours) match a concept.
    fn holds_own(&self, concept: &Concept, index: usize) -> bool {
        concept.alternatives.iter().any(|a| {
            a.terms.iter().all(|term| {
                self.postings.get(term).is_some_and(|postings| {
                    postings
                        .binary_search_by_key(&(index as u32), |&(i, _)| i)
                        .is_ok_and(|at| postings[at].1 >= 1.0)
                })
            })
        })
    }

    /// Whether a passage (any sentence it shows) gives a figure of a
    /// dimension ("20 miles" for "how far", "£500" for "how much did it cost").
    fn gives_measure(&self, index: usize, dimension: Dimension) -> bool {
        self.quoted[index]
            .iter()
            .any(|&s| self.sentences[s].measures.gives(dimension))
    }

    /// For each word of the thing whose name is asked, the document terms
    /// that match it: the question word's own matches (the same word, its
    /// family, a corrected typo, a word close in meaning).
    fn thing_terms(&self, concepts: &[Concept], thing: &[String]) -> Vec<Vec<String>> {
        thing
            .iter()
            .map(|word| {
                let term = text::normalize_word(word);
                let mut terms = vec![term.clone()];
                if let Some(concept) = concepts
                    .iter()
                    .find(|c| c.surface == *word || text::normalize_word(&c.surface) == term)
                {
                    terms.extend(concept.alternatives.iter().filter_map(
                        |a| match a.terms.as_slice() {
                            [one] => Some(one.clone()),
                            _ => None,
                        },
                    ));
                }
                terms
            })
            .collect()
    }

    /// Whether a passage (any sentence it shows) names the thing asked.
    fn gives_name(&self, index: usize, thing: &[Vec<String>], asked: &[&String]) -> bool {
        self.quoted[index]
            .iter()
            .any(|&s| naming::names_thing(&self.texts[s], thing, asked))
    }

    /// Whether a passage (any sentence it shows) gives a date.
    fn window_has_date(&self, index: usize) -> bool {
        self.quoted[index]
            .iter()
            .any(|&s| self.sentences[s].has_date)
    }

    /// The share of the names the question asks about (its main names,
    /// other than the document's subject) that a passage holds; 1 when it
    /// asks about none.
    fn names_share(&self, concepts: &[Concept], names: &[usize], index: usize) -> f64 {
        if names.is_empty() {
            return 1.0;
        }
        names
            .iter()
            .map(|&c| {
                if concepts[c].is_subject {
                    1.0
                } else {
                    self.credit_in(&concepts[c], index as u32).min(1.0)
                }
            })
            .sum::<f64>()
            / names.len() as f64
    }

    /// Whether a passage holds every name the question asks about, in its
    /// own words or through the sentence it leans on: "He began working on
    /// the stone in 1814" holds Young when the sentence before named him.
    /// A date is about what the passage tells, so a name it reaches by a
    /// pronoun counts in full.
    fn names_held(&self, concepts: &[Concept], names: &[usize], index: usize) -> bool {
        names.iter().all(|&c| {
            concepts[c].is_subject
                || self.credit_in(&concepts[c], index as u32) >= self.params.context_weight * 0.99
        })
    }

    /// The best passages, one per place in the document: a sentence already
    /// shown inside a joined quote is not shown again.
    fn hits(
        &self,
        scored: &[(usize, f64, f64, f64)],
        top: usize,
        asked: &HashSet<String>,
    ) -> Vec<Hit> {
        // The sentences already shown by a hit.
        let mut shown: HashSet<usize> = HashSet::new();
        let mut hits: Vec<Hit> = Vec::new();
        for &(index, score, coverage, _) in scored {
            if hits.len() == top.max(1) {
                break;
            }
            if shown.contains(&index) {
                continue;
            }
            // A passage overlapping one already shown shows only what is new.
            let quoted = &self.quoted[index];
            let fresh: Vec<usize> = quoted
                .iter()
                .copied()
                .filter(|s| !shown.contains(s))
                .collect();
            let text = if fresh.len() == quoted.len() {
                self.quotes[index].clone()
            } else {
                fresh
                    .iter()
                    .map(|&s| self.texts[s].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            shown.extend(fresh);
            hits.push(Hit {
                sentence: index,
                matched: text::tokenize(&text)
                    .iter()
                    .filter(|t| !t.is_stopword && asked.contains(&t.term))
                    .map(|t| (t.start, t.end))
                    .collect(),
                text,
                score: (score * 1000.0).round() / 1000.0,
                coverage,
            });
        }
        hits
    }

    /// How many sentences the index holds.
    pub fn len(&self) -> usize {
        self.sentences.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }
}

/// The word counted by a "how many X" question.
fn counted_word(question: &str) -> Option<String> {
    let words = intent::question_words(question);
    let i = words
        .windows(2)
        .position(|p| p[0] == "how" && matches!(p[1].as_str(), "many" | "much"))?;
    words
        .get(i + 2)
        .filter(|w| !text::is_stopword(w) && !text::is_generic(w))
        .cloned()
}

/// The common English word a misspelt one most likely is: within the typo
/// allowance for its length, the most frequent such word.
fn lexicon_correction(word: &str) -> Option<String> {
    let max = text::allowed_typos(word.chars().count());
    if max == 0 {
        return None;
    }
    let lexicon = Lexicon::global();
    let mut best: Option<(usize, f32, &str)> = None;
    // Typos rarely hit the first letter; keeping it makes the search cheap.
    let first = word.chars().next()?;
    for candidate in lexicon
        .words_near_length(word.chars().count(), max)
        .filter(|c| c.starts_with(first))
    {
        let Some(distance) = text::edit_distance_within(word, candidate, max) else {
            continue;
        };
        let zipf = lexicon.zipf(candidate).unwrap_or(0.0);
        if zipf < 3.0 {
            continue;
        }
        if best.is_none_or(|(d, z, _)| distance < d || (distance == d && zipf > z)) {
            best = Some((distance, zipf, candidate));
        }
    }
    best.map(|(_, _, w)| w.to_string())
}

/// Smooth inverse frequency: everyday words weigh little in a sentence's
/// meaning, rare ones a lot.
fn sif_weight(word: &str) -> f32 {
    const A: f32 = 1e-4;
    match Lexicon::global().zipf(word) {
        Some(zipf) => {
            let p = 10f32.powf(zipf - 9.0);
            A / (A + p)
        }
        None => 1.0,
    }
}

/// The pack's related-term groups as lookups: single words, and phrases.
#[allow(clippy::type_complexity)]
fn related_terms(
    synonyms: &[Vec<String>],
) -> (
    HashMap<String, Vec<Vec<String>>>,
    Vec<(Vec<String>, Vec<Vec<String>>)>,
) {
    let mut related: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    let mut phrases = Vec::new();
    for group in synonyms {
        let normalized: Vec<Vec<String>> = group
            .iter()
            .map(|entry| text::content_terms(entry))
            .filter(|terms| !terms.is_empty())
            .collect();
        for (i, entry) in normalized.iter().enumerate() {
            let others: Vec<Vec<String>> = normalized
                .iter()
                .enumerate()
                .filter(|(j, other)| *j != i && *other != entry)
                .map(|(_, other)| other.clone())
                .collect();
            if entry.len() == 1 {
                related.entry(entry[0].clone()).or_default().extend(others);
            } else {
                phrases.push((entry.clone(), others));
            }
        }
    }
    (related, phrases)
}

/// Terms of the names in a sentence: capitalised words after its first,
/// and a first word that is not a common English word.
fn names_in(sentence: &str, tokens: &[Token]) -> Vec<String> {
    let lexicon = Lexicon::global();
    tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            let capital = sentence[t.start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
            !t.is_stopword
                && !t.is_number
                && capital
                && (*i > 0 || lexicon.zipf(&t.surface).is_none_or(|z| z < 4.5))
        })
        .map(|(_, t)| t.term.clone())
        .collect()
}

/// The name a sentence describes: the capitalised words before its first
/// "is/was/were/are/became" or appositive comma, when that comes early
/// ("Thomas Bentley was a Liverpool merchant ...").
fn described_name(sentence: &str) -> Vec<String> {
    let words: Vec<&str> = sentence.split_whitespace().take(6).collect();
    let mut name = Vec::new();
    for word in words {
        let bare = word.trim_end_matches([',', ';', ':']);
        if matches!(
            text::fold(bare).as_str(),
            "is" | "was" | "were" | "are" | "became" | "remains"
        ) || (word.ends_with(',') && !name.is_empty())
        {
            if word.ends_with(',') {
                name.push(bare);
            }
            break;
        }
        if !bare.chars().next().is_some_and(char::is_uppercase) {
            return Vec::new();
        }
        name.push(bare);
    }
    text::content_terms(&name.join(" "))
}

/// Words that only frame a request ("please tell me anything about...").
const QUESTION_FILLER: &[&str] = &["please", "tell", "anything", "know", "explain"];

fn is_year(token: &Token) -> bool {
    token.is_number
        && token.term.len() == 4
        && token.surface.chars().all(|c| c.is_ascii_digit())
        && (token.term.starts_with('1') || token.term.starts_with('2'))
}

/// Whether a text dates something other than by a year of four figures:
/// an era ("AD 79", "500 BC"), a decade ("the 1930s", "the mid-1770s"), a
/// century ("the fourteenth century", "the 14th century") or a time ago
/// ("350 million years ago").
fn names_a_time(text: &str) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let digits = |w: &str| w.len() <= 4 && w.chars().all(|c| c.is_ascii_digit());
    let ordinal = |w: &str| {
        let w = w.to_lowercase();
        ["th", "st", "nd", "rd"].iter().any(|s| w.ends_with(s))
            && (w.starts_with(|c: char| c.is_ascii_digit())
                || matches!(w.as_str(), "first" | "second" | "third")
                || w.ends_with("th") && w.len() > 4)
    };
    words.iter().enumerate().any(|(i, &w)| {
        let before = i.checked_sub(1).map(|j| words[j]);
        let after = words.get(i + 1).copied();
        let era = matches!(w, "AD" | "BC" | "BCE" | "CE")
            && (before.is_some_and(digits) || after.is_some_and(digits));
        let decade = w.len() == 5
            && w.ends_with('s')
            && w[..4].chars().all(|c| c.is_ascii_digit())
            && w[..4].ends_with('0');
        let century = matches!(w.to_lowercase().as_str(), "century" | "centuries")
            && before.is_some_and(ordinal);
        let ago = w.eq_ignore_ascii_case("ago")
            && before.is_some_and(|b| b.eq_ignore_ascii_case("years"))
            && words[i.saturating_sub(4)..i.saturating_sub(1)]
                .iter()
                .any(|x| {
                    x.starts_with(|c: char| c.is_ascii_digit())
                        || text::is_number_word(&x.to_lowercase())
                });
        era || decade || century || ago
    })
}

/// The text quoted for a sentence and the sentences it shows: itself, with
/// its previous sentence when it opens with a dangling reference and both
/// fit in a short quote.
/// The longest quote a passage joins sentences into, in characters: a
/// passage is a sentence or two, not a page (the evaluation contract
/// counts none longer than 300).
const MAX_QUOTE: usize = 300;

/// The text a passage shows and the sentences in it, in document order:
/// the sentence, with its antecedent and the next sentence when given and
/// the whole stays within [`MAX_QUOTE`] (the next sentence is kept before
/// the antecedent: it more often holds the answer).
fn quote_for(
    document: &Document,
    previous: Option<usize>,
    index: usize,
    next: Option<usize>,
) -> (String, Vec<usize>) {
    let text = |shown: &[usize]| {
        shown
            .iter()
            .map(|&s| document.sentences()[s].text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let candidates = [
        [previous, Some(index), next],
        [None, Some(index), next],
        [previous, Some(index), None],
    ];
    for candidate in candidates {
        let shown: Vec<usize> = candidate.into_iter().flatten().collect();
        let quote = text(&shown);
        if quote.chars().count() <= MAX_QUOTE {
            return (quote, shown);
        }
    }
    (document.sentences()[index].text.clone(), vec![index])
}

#[cfg(test)]
mod tests;
