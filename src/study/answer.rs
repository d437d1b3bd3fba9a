//! The answerer behind `/ask`: finds the sentences of the document that
//! answer a question, or refuses honestly when none does.
//!
//! Retrieval is BM25 over sentences. Each query term is matched exactly,
//! through the pack's related terms (weighted lower), or, when the word is
//! not in the document at all, to close vocabulary words (typos). A
//! sentence that opens with a dangling "he/they/this" is indexed with its
//! previous sentence as context (weighted lower) but quoted as itself.
//!
//! Refusal is decided from several signals rather than one score: how much
//! of the question's informative content the best sentence covers, whether
//! the question's rare words exist in the document at all, and whether the
//! question asks for something (a date) that the sentence cannot give.

use std::collections::{HashMap, HashSet};

use crate::content::Document;

use super::text::{self, Token};

/// Ways one question term can match a sentence: (term sequence, weight).
type Alternatives = Vec<(Vec<String>, f64)>;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weight of a term that reached the sentence through its previous sentence.
const CONTEXT_WEIGHT: f64 = 0.4;
/// Weight of a match through a related term rather than the word itself.
const RELATED_WEIGHT: f64 = 0.7;
/// Weight of a match through a corrected typo.
const TYPO_WEIGHT: f64 = 0.85;
/// Share of the question's informative weight the best sentence must cover.
const MIN_COVERAGE: f64 = 0.5;

/// What the question asks for, read from its opening words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Quantity,
    Person,
    Place,
    Date,
    Reason,
    Other,
}

impl Intent {
    pub fn of(question: &str) -> Self {
        let folded = text::fold(question);
        let words: Vec<&str> = folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let has = |w: &str| words.contains(&w);
        let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
        if has("when")
            || pair("what", "year")
            || pair("which", "year")
            || pair("what", "date")
            || pair("which", "date")
            || pair("year", "did")
        {
            Intent::Date
        } else if pair("how", "many")
            || pair("how", "much")
            || pair("how", "far")
            || pair("how", "long")
            || pair("what", "number")
        {
            Intent::Quantity
        } else if has("who") || has("whom") || has("whose") {
            Intent::Person
        } else if has("where") {
            Intent::Place
        } else if has("why") {
            Intent::Reason
        } else {
            Intent::Other
        }
    }
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
    /// The question has no informative words at all.
    Empty,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question: String,
    pub intent: Intent,
    /// Best first; empty when refused.
    pub hits: Vec<Hit>,
    pub refusal: Option<RefusalReason>,
    /// Topics the document does cover that are closest to the question,
    /// offered with a refusal.
    pub suggestions: Vec<String>,
}

impl Answer {
    pub fn answered(&self) -> bool {
        self.refusal.is_none()
    }
}

#[derive(Debug)]
struct IndexedSentence {
    /// term -> weighted frequency (context terms count `CONTEXT_WEIGHT`).
    terms: HashMap<String, f64>,
    length: f64,
    has_number: bool,
    has_date: bool,
    has_capitalized_name: bool,
}

/// A search index over one document.
#[derive(Debug)]
pub struct Answerer {
    sentences: Vec<IndexedSentence>,
    quotes: Vec<String>,
    /// term -> number of sentences containing it.
    document_frequency: HashMap<String, usize>,
    /// folded surface word -> its term, for typo correction.
    surfaces: HashMap<String, String>,
    /// term -> the most common surface word, for suggestions.
    display: HashMap<String, String>,
    /// term -> related terms (from the pack's synonyms), each a term sequence.
    related: HashMap<String, Vec<Vec<String>>>,
    /// Related-term phrases of several words: phrase -> related terms.
    phrases: Vec<(Vec<String>, Vec<Vec<String>>)>,
    average_length: f64,
}

impl Answerer {
    /// Builds the index for `document` with the pack's related-term groups.
    pub fn new(document: &Document, synonyms: &[Vec<String>]) -> Self {
        let mut sentences = Vec::with_capacity(document.sentences().len());
        let mut quotes = Vec::with_capacity(document.sentences().len());
        let mut document_frequency: HashMap<String, usize> = HashMap::new();
        let mut surfaces = HashMap::new();
        let mut surface_counts: HashMap<(String, String), usize> = HashMap::new();
        let own_terms: Vec<Vec<Token>> = document
            .sentences()
            .iter()
            .map(|s| text::tokenize(&s.text))
            .collect();
        for (index, sentence) in document.sentences().iter().enumerate() {
            let mut terms: HashMap<String, f64> = HashMap::new();
            let mut length: f64 = 0.0;
            for token in own_terms[index].iter().filter(|t| !t.is_stopword) {
                *terms.entry(token.term.clone()).or_default() += 1.0;
                length += 1.0;
                if !token.is_number {
                    surfaces.insert(token.surface.clone(), token.term.clone());
                    *surface_counts
                        .entry((token.term.clone(), token.surface.clone()))
                        .or_default() += 1;
                }
            }
            if sentence.opens_with_dangling_reference()
                && let Some(previous) = document.previous_in_passage(index)
            {
                for token in own_terms[previous.index].iter().filter(|t| !t.is_stopword) {
                    let entry = terms.entry(token.term.clone()).or_default();
                    if *entry == 0.0 {
                        *entry = CONTEXT_WEIGHT;
                    }
                }
            }
            for term in terms.keys() {
                *document_frequency.entry(term.clone()).or_default() += 1;
            }
            let has_number = own_terms[index].iter().any(|t| t.is_number);
            let has_date = own_terms[index].iter().any(|t| {
                (t.is_number
                    && t.term.len() == 4
                    && (t.term.starts_with('1') || t.term.starts_with('2')))
                    || is_month(&t.surface)
            });
            let has_capitalized_name = sentence
                .text
                .split_whitespace()
                .skip(1)
                .any(|w| w.chars().next().is_some_and(char::is_uppercase));
            sentences.push(IndexedSentence {
                terms,
                length: length.max(1.0),
                has_number,
                has_date,
                has_capitalized_name,
            });
            quotes.push(quote_for(document, index));
        }
        let mut display: HashMap<String, (String, usize)> = HashMap::new();
        for ((term, surface), count) in surface_counts {
            let entry = display.entry(term).or_insert((surface.clone(), 0));
            if count > entry.1 || (count == entry.1 && surface < entry.0) {
                *entry = (surface, count);
            }
        }
        let average_length =
            sentences.iter().map(|s| s.length).sum::<f64>() / sentences.len().max(1) as f64;

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
        Self {
            sentences,
            quotes,
            document_frequency,
            surfaces,
            display: display.into_iter().map(|(k, (v, _))| (k, v)).collect(),
            related,
            phrases,
            average_length,
        }
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

    fn bm25(&self, term: &str, sentence: &IndexedSentence) -> f64 {
        let Some(&tf) = sentence.terms.get(term) else {
            return 0.0;
        };
        let norm = K1 * (1.0 - B + B * sentence.length / self.average_length);
        self.idf(term) * tf * (K1 + 1.0) / (tf + norm)
    }

    /// The ways one question term can match: (term sequence, weight).
    fn alternatives(&self, term: &str, surface: &str, is_number: bool) -> Vec<(Vec<String>, f64)> {
        let mut alternatives = Vec::new();
        let known = self.document_frequency.contains_key(term);
        if known {
            alternatives.push((vec![term.to_string()], 1.0));
        } else if !is_number {
            // Typos: compare the surface word with the document's words.
            let max = text::allowed_typos(surface.chars().count());
            if max > 0 {
                let mut best: Option<(usize, &String)> = None;
                for (word, word_term) in &self.surfaces {
                    if let Some(d) = text::edit_distance_within(surface, word, max)
                        && best.is_none_or(|(bd, bt)| d < bd || (d == bd && word_term < bt))
                    {
                        best = Some((d, word_term));
                    }
                }
                if let Some((_, corrected)) = best {
                    alternatives.push((vec![corrected.clone()], TYPO_WEIGHT));
                }
            }
        }
        let lookup = alternatives
            .first()
            .map_or(term.to_string(), |(t, _)| t[0].clone());
        for related in self
            .related
            .get(&lookup)
            .into_iter()
            .chain(self.related.get(term))
            .flatten()
        {
            if related
                .iter()
                .all(|t| self.document_frequency.contains_key(t))
            {
                alternatives.push((related.clone(), RELATED_WEIGHT));
            }
        }
        alternatives
    }

    /// Answers `question`, returning up to `top` passages.
    pub fn answer(&self, question: &str, top: usize) -> Answer {
        let intent = Intent::of(question);
        let tokens: Vec<Token> = text::tokenize(question)
            .into_iter()
            .filter(|t| !t.is_stopword && !QUESTION_FILLER.contains(&t.surface.as_str()))
            .collect();
        let refuse = |reason, suggestions| Answer {
            question: question.to_string(),
            intent,
            hits: Vec::new(),
            refusal: Some(reason),
            suggestions,
        };
        if tokens.is_empty() {
            return refuse(RefusalReason::Empty, self.default_suggestions());
        }

        // Each query concept: its alternatives and its informative weight.
        let mut concepts: Vec<(Alternatives, f64)> = Vec::new();
        let mut used = vec![false; tokens.len()];
        for (start, (phrase, related)) in self.phrases.iter().flat_map(|p| {
            tokens
                .windows(p.0.len())
                .position(|w| w.iter().map(|t| &t.term).eq(p.0.iter()))
                .map(|at| (at, p))
        }) {
            let alternatives: Vec<(Vec<String>, f64)> = related
                .iter()
                .filter(|r| r.iter().all(|t| self.document_frequency.contains_key(t)))
                .map(|r| (r.clone(), RELATED_WEIGHT))
                .collect();
            if !alternatives.is_empty() {
                for flag in used.iter_mut().skip(start).take(phrase.len()) {
                    *flag = true;
                }
                let weight = alternatives
                    .iter()
                    .map(|(terms, _)| terms.iter().map(|t| self.idf(t)).fold(0.0, f64::max))
                    .fold(0.0, f64::max);
                concepts.push((alternatives, weight));
            }
        }
        let mut seen_terms = HashSet::new();
        for (token, _) in tokens.iter().zip(&used).filter(|(_, used)| !**used) {
            if !seen_terms.insert(token.term.clone()) {
                continue;
            }
            let alternatives = self.alternatives(&token.term, &token.surface, token.is_number);
            let weight = alternatives
                .first()
                .map_or(self.unknown_idf(), |(terms, _)| self.idf(&terms[0]));
            concepts.push((alternatives, weight));
        }
        if concepts
            .iter()
            .all(|(alternatives, _)| alternatives.is_empty())
        {
            return refuse(RefusalReason::NothingInCommon, self.default_suggestions());
        }
        let total_weight: f64 = concepts.iter().map(|(_, w)| w).sum();

        let mut scored: Vec<(usize, f64, f64)> = Vec::new();
        for (index, sentence) in self.sentences.iter().enumerate() {
            let mut score = 0.0;
            let mut covered = 0.0;
            for (alternatives, weight) in &concepts {
                let mut best: f64 = 0.0;
                let mut share: f64 = 0.0;
                for (terms, alt_weight) in alternatives {
                    let s: f64 = terms.iter().map(|t| self.bm25(t, sentence)).sum::<f64>()
                        / terms.len() as f64;
                    let present = terms.iter().all(|t| sentence.terms.contains_key(t));
                    if present {
                        let strength = terms
                            .iter()
                            .map(|t| sentence.terms.get(t).copied().unwrap_or(0.0).min(1.0))
                            .fold(1.0, f64::min);
                        share = share.max(alt_weight * strength);
                    }
                    best = best.max(alt_weight * s);
                }
                score += best;
                covered += weight * share;
            }
            if score <= 0.0 {
                continue;
            }
            score *= match intent {
                Intent::Quantity if sentence.has_number => 1.3,
                Intent::Person if sentence.has_capitalized_name => 1.1,
                Intent::Date if sentence.has_date => 1.3,
                _ => 1.0,
            };
            scored.push((index, score, covered / total_weight));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

        let Some(&(best_index, _, best_coverage)) = scored.first() else {
            return refuse(RefusalReason::NothingInCommon, self.default_suggestions());
        };
        let suggestions = || self.suggestions_from(scored.iter().map(|s| s.0).take(5));
        if best_coverage < MIN_COVERAGE {
            return refuse(RefusalReason::NotCovered, suggestions());
        }
        if intent == Intent::Date && !self.sentences[best_index].has_date {
            return refuse(RefusalReason::NoDate, suggestions());
        }
        let matched_terms: HashSet<String> = concepts
            .iter()
            .flat_map(|(alternatives, _)| alternatives.iter().flat_map(|(t, _)| t.iter().cloned()))
            .collect();
        let hits = scored
            .iter()
            .take(top.max(1))
            .map(|&(index, score, coverage)| {
                let quote = &self.quotes[index];
                Hit {
                    sentence: index,
                    matched: text::tokenize(quote)
                        .iter()
                        .filter(|t| !t.is_stopword && matched_terms.contains(&t.term))
                        .map(|t| (t.start, t.end))
                        .collect(),
                    text: quote.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                    coverage,
                }
            })
            .collect();
        Answer {
            question: question.to_string(),
            intent,
            hits,
            refusal: None,
            suggestions: Vec::new(),
        }
    }

    /// The most informative words of the given sentences, as topics.
    fn suggestions_from(&self, sentences: impl Iterator<Item = usize>) -> Vec<String> {
        let mut topics: Vec<(f64, String)> = Vec::new();
        for index in sentences {
            let mut terms: Vec<(&String, f64)> = self.sentences[index]
                .terms
                .iter()
                .filter(|(_, tf)| **tf >= 1.0)
                .map(|(t, _)| (t, self.idf(t)))
                .collect();
            terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            if let Some((term, idf)) = terms.first()
                && let Some(word) = self.display.get(*term)
                && !topics.iter().any(|(_, w)| w == word)
                && word.len() > 3
            {
                topics.push((*idf, word.clone()));
            }
            if topics.len() == 3 {
                break;
            }
        }
        if topics.is_empty() {
            return self.default_suggestions();
        }
        topics.into_iter().map(|(_, w)| w).collect()
    }

    /// Topics to offer when the question shares nothing with the document:
    /// the words that recur most across sentences.
    fn default_suggestions(&self) -> Vec<String> {
        let mut frequent: Vec<(&String, &usize)> = self
            .document_frequency
            .iter()
            .filter(|(t, df)| **df >= 2 && self.display.get(*t).is_some_and(|w| w.len() > 4))
            .collect();
        frequent.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        frequent
            .into_iter()
            .filter_map(|(t, _)| self.display.get(t).cloned())
            .take(3)
            .collect()
    }

    /// How many sentences the index holds.
    pub fn len(&self) -> usize {
        self.sentences.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }
}

/// Words that only frame a question ("tell me about...", "what happened").
const QUESTION_FILLER: &[&str] = &[
    "happen", "happened", "happens", "explain", "describe", "please", "mean", "means",
];

fn is_month(word: &str) -> bool {
    matches!(
        word,
        "january"
            | "february"
            | "march"
            | "april"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
    )
}

/// The text quoted for a sentence: itself, with its previous sentence when
/// it opens with a dangling reference and both fit in a short quote.
fn quote_for(document: &Document, index: usize) -> String {
    let sentence = &document.sentences()[index];
    if sentence.opens_with_dangling_reference()
        && let Some(previous) = document.previous_in_passage(index)
    {
        let joined = format!("{} {}", previous.text, sentence.text);
        if joined.len() <= 280 {
            return joined;
        }
    }
    sentence.text.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answerer(text: &str) -> Answerer {
        Answerer::new(
            &Document::parse(text),
            &[vec![
                "died".into(),
                "killed".into(),
                "lost their lives".into(),
            ]],
        )
    }

    const TEXT: &str = "Stalin fought Trotsky for power. About ten thousand died building the Moscow Metro.\n\nCollectivisation was compulsory. He started executing members of other parties.";

    #[test]
    fn finds_the_sentence_that_shares_the_question_words() {
        let a = answerer(TEXT).answer("Who did Stalin fight for power?", 3);
        assert!(a.answered());
        assert_eq!(a.hits[0].sentence, 0);
        assert_eq!(a.intent, Intent::Person);
    }

    #[test]
    fn tolerates_typos_spelling_and_related_terms() {
        let answerer = answerer(TEXT);
        assert_eq!(answerer.answer("trotksy", 1).hits[0].sentence, 0);
        assert_eq!(
            answerer.answer("was collectivization compulsory", 1).hits[0].sentence,
            2
        );
        let a = answerer.answer("how many lost their lives on the metro", 1);
        assert_eq!(a.hits[0].sentence, 1);
        assert_eq!(a.intent, Intent::Quantity);
    }

    #[test]
    fn refuses_questions_the_document_does_not_cover() {
        let answerer = answerer(TEXT);
        let a = answerer.answer("What is the capital of France?", 3);
        assert_eq!(a.refusal, Some(RefusalReason::NothingInCommon));
        assert!(a.hits.is_empty());
        assert!(!a.suggestions.is_empty());
        assert_eq!(answerer.answer("", 3).refusal, Some(RefusalReason::Empty));
        assert_eq!(
            answerer
                .answer("When was collectivisation compulsory?", 3)
                .refusal,
            Some(RefusalReason::NoDate)
        );
    }

    #[test]
    fn dangling_sentences_are_quoted_with_their_antecedent_and_matched_words_marked() {
        let answerer = answerer("Stalin feared plots. He started executing rivals.");
        let a = answerer.answer("executing rivals", 1);
        let hit = &a.hits[0];
        assert_eq!(
            hit.text,
            "Stalin feared plots. He started executing rivals."
        );
        let marked: Vec<&str> = hit.matched.iter().map(|&(s, e)| &hit.text[s..e]).collect();
        assert_eq!(marked, ["executing", "rivals"]);
    }

    #[test]
    fn intent_is_read_from_the_question_words() {
        assert_eq!(Intent::of("In what year did it end?"), Intent::Date);
        assert_eq!(Intent::of("how many died"), Intent::Quantity);
        assert_eq!(Intent::of("why did it fail"), Intent::Reason);
        assert_eq!(Intent::of("Where was he born"), Intent::Place);
        assert_eq!(Intent::of("kolkhoz"), Intent::Other);
    }
}
