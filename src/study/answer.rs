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
    /// How informative it is (IDF in the document, or the maximum when unknown).
    weight: f64,
    /// Below 1 for common words that rarely carry a question's topic.
    factor: f64,
    /// The number it is, when it is one.
    number: Option<String>,
}

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weight of a term that reached the sentence through its previous sentence.
const CONTEXT_WEIGHT: f64 = 0.4;
/// Weight of a match through a related term rather than the word itself.
const RELATED_WEIGHT: f64 = 0.6;
/// Coverage credited for a related-term match: it is the same idea.
const RELATED_CREDIT: f64 = 0.9;
/// Weight of common English words ("see", "purpose", "usually").
const GENERIC_FACTOR: f64 = 0.3;
/// Weight of a match through a corrected typo.
const TYPO_WEIGHT: f64 = 0.85;
/// Share of the question's informative weight the best sentence must cover.
const MIN_COVERAGE: f64 = 0.5;

/// What the question asks for, read from its opening words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// "How many", "how much": the answer is a figure.
    Count,
    /// "How far", "how long": often a figure, sometimes not.
    Measure,
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
        // The question's own wh-word decides: "why ... when Germany
        // attacked" asks why, not when.
        let first_wh = words.iter().find(|w| {
            matches!(
                **w,
                "when" | "why" | "how" | "what" | "which" | "who" | "whom" | "whose" | "where"
            )
        });
        if first_wh == Some(&"when")
            || pair("what", "year")
            || pair("which", "year")
            || pair("what", "date")
            || pair("which", "date")
            || pair("year", "did")
        {
            Intent::Date
        } else if pair("how", "many") || pair("how", "much") || pair("what", "number") {
            Intent::Count
        } else if pair("how", "far")
            || pair("how", "long")
            || pair("how", "big")
            || pair("how", "large")
        {
            Intent::Measure
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
    /// The question asks "how many" and the passage gives no figure.
    NoQuantity,
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
    /// Coverage of the best candidate sentence (also when refused), for
    /// calibration and debugging.
    pub best_coverage: f64,
}

impl Answer {
    pub fn answered(&self) -> bool {
        self.refusal.is_none()
    }
}

#[derive(Debug)]
struct IndexedSentence {
    /// Its own distinct terms (not the borrowed context), for topic
    /// suggestions; frequencies live in the postings.
    terms: Vec<String>,
    length: f64,
    /// The numbers it states, as normalised terms.
    numbers: Vec<String>,
    has_date: bool,
    has_capitalized_name: bool,
    /// Whether it states a cause or purpose ("because", "in order to"...).
    gives_reason: bool,
}

/// A search index over one document.
#[derive(Debug)]
pub struct Answerer {
    sentences: Vec<IndexedSentence>,
    quotes: Vec<String>,
    /// term -> number of sentences containing it.
    document_frequency: HashMap<String, usize>,
    /// term -> (sentence, weighted frequency) for the sentences holding it:
    /// the inverted index that queries walk.
    postings: HashMap<String, Vec<(u32, f32)>>,
    /// Document words by length in chars: (folded surface word, its term),
    /// so typo correction only compares words of a possible length.
    words_by_length: Vec<Vec<(String, String)>>,
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
        let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
        let mut surfaces = HashMap::new();
        let mut surface_counts: HashMap<(String, String), usize> = HashMap::new();
        let own_terms: Vec<Vec<Token>> = document
            .sentences()
            .iter()
            .map(|s| text::tokenize(&s.text))
            .collect();
        for (index, sentence) in document.sentences().iter().enumerate() {
            let mut terms: HashMap<String, f64> = HashMap::new();
            let mut own = Vec::new();
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
            for (term, tf) in &terms {
                *document_frequency.entry(term.clone()).or_default() += 1;
                if *tf >= 1.0 {
                    own.push(term.clone());
                }
                postings
                    .entry(term.clone())
                    .or_default()
                    .push((index as u32, *tf as f32));
            }
            let numbers: Vec<String> = own_terms[index]
                .iter()
                .filter(|t| t.is_number)
                .map(|t| t.term.clone())
                .collect();
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
                )
            });
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
            own.sort_unstable();
            sentences.push(IndexedSentence {
                terms: own,
                length: length.max(1.0),
                numbers,
                has_date,
                has_capitalized_name,
                gives_reason,
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

        let mut words_by_length: Vec<Vec<(String, String)>> = Vec::new();
        let mut sorted_surfaces: Vec<(&String, &String)> = surfaces.iter().collect();
        sorted_surfaces.sort();
        for (word, term) in sorted_surfaces {
            let length = word.chars().count();
            if words_by_length.len() <= length {
                words_by_length.resize_with(length + 1, Vec::new);
            }
            words_by_length[length].push((word.clone(), term.clone()));
        }
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
            postings,
            words_by_length,
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

    /// The ways one question word can match: itself, a corrected typo,
    /// related terms.
    fn alternatives(&self, term: &str, surface: &str, is_number: bool) -> Vec<Alternative> {
        let mut alternatives = Vec::new();
        if self.document_frequency.contains_key(term) {
            alternatives.push(Alternative::new(vec![term.to_string()], 1.0, 1.0));
        } else if !is_number && let Some(corrected) = self.correct_typo(surface) {
            alternatives.push(Alternative::new(vec![corrected], TYPO_WEIGHT, 1.0));
        }
        let lookup = alternatives
            .first()
            .map_or(term.to_string(), |a| a.terms[0].clone());
        let mut related: Vec<&Vec<String>> =
            self.related.get(&lookup).into_iter().flatten().collect();
        if lookup != term {
            related.extend(self.related.get(term).into_iter().flatten());
        }
        for terms in related {
            let known = terms
                .iter()
                .all(|t| self.document_frequency.contains_key(t));
            if known && !alternatives.iter().any(|a| a.terms == *terms) {
                alternatives.push(Alternative::new(
                    terms.clone(),
                    RELATED_WEIGHT,
                    RELATED_CREDIT,
                ));
            }
        }
        alternatives
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
    fn concepts(&self, tokens: &[Token]) -> Vec<Concept> {
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
                .map(|r| Alternative::new(r.clone(), RELATED_WEIGHT, RELATED_CREDIT))
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
            });
        }
        let mut seen = HashSet::new();
        for (token, _) in tokens.iter().zip(&used).filter(|(_, used)| !**used) {
            if !seen.insert(token.term.clone()) {
                continue;
            }
            let alternatives = self.alternatives(&token.term, &token.surface, token.is_number);
            // Common words and small spelled-out numbers ("which two
            // leaders") are rarely what a question is about.
            let small_number = token.is_number
                && !token.surface.chars().any(|c| c.is_ascii_digit())
                && token.term.parse::<u64>().is_ok_and(|n| n < 13);
            let generic = small_number || (!token.is_number && text::is_generic(&token.surface));
            let weight = alternatives
                .first()
                .map_or(self.unknown_idf(), |a| self.idf(&a.terms[0]));
            concepts.push(Concept {
                alternatives,
                weight,
                factor: if generic { GENERIC_FACTOR } else { 1.0 },
                number: token.is_number.then(|| token.term.clone()),
            });
        }
        concepts
    }

    /// Answers `question`, returning up to `top` passages, or refuses.
    pub fn answer(&self, question: &str, top: usize) -> Answer {
        self.search(question, top, true)
    }

    /// The passages most related to `text` (an event, a topic), best first,
    /// without the refusal rules meant for questions. Empty when nothing in
    /// the document shares a content word with it.
    pub fn related(&self, text: &str, top: usize) -> Vec<Hit> {
        self.search(text, top, false).hits
    }

    fn search(&self, question: &str, top: usize, refusal_rules: bool) -> Answer {
        let intent = Intent::of(question);
        let tokens: Vec<Token> = text::tokenize(question)
            .into_iter()
            .filter(|t| !t.is_stopword && !QUESTION_FILLER.contains(&t.surface.as_str()))
            .collect();
        let refuse_with = |reason, suggestions, best_coverage| Answer {
            question: question.to_string(),
            intent,
            hits: Vec::new(),
            refusal: Some(reason),
            suggestions,
            best_coverage,
        };
        let refuse = |reason, suggestions| refuse_with(reason, suggestions, 0.0);
        if tokens.is_empty() {
            return refuse(RefusalReason::Empty, self.default_suggestions());
        }
        let concepts = self.concepts(&tokens);
        if concepts
            .iter()
            .all(|c| c.alternatives.is_empty() || c.factor < 1.0)
        {
            let reason = if concepts.iter().any(|c| !c.alternatives.is_empty()) {
                RefusalReason::NotCovered
            } else {
                RefusalReason::NothingInCommon
            };
            return refuse(reason, self.default_suggestions());
        }
        let total_weight: f64 = concepts.iter().map(|c| c.weight * c.factor).sum();

        // Term-at-a-time over the inverted index: only sentences holding one
        // of the question's terms are touched. sentence -> (score, covered).
        let mut totals: HashMap<u32, (f64, f64)> = HashMap::new();
        for concept in &concepts {
            // sentence -> (best ranking score, best coverage credit) for this concept.
            let mut best: HashMap<u32, (f64, f64)> = HashMap::new();
            for alternative in &concept.alternatives {
                let terms = &alternative.terms;
                // sentence -> (sum of BM25 over terms, terms present, weakest strength)
                let mut found: HashMap<u32, (f64, usize, f64)> = HashMap::new();
                for term in terms {
                    let idf = self.idf(term);
                    for &(index, tf) in self.postings.get(term).into_iter().flatten() {
                        let tf = f64::from(tf);
                        let sentence = &self.sentences[index as usize];
                        let norm = K1 * (1.0 - B + B * sentence.length / self.average_length);
                        let entry = found.entry(index).or_insert((0.0, 0, 1.0));
                        entry.0 += idf * tf * (K1 + 1.0) / (tf + norm);
                        entry.1 += 1;
                        // A term known only from the previous sentence counts less.
                        entry.2 = entry.2.min(tf.min(1.0));
                    }
                }
                for (index, (sum, present, strength)) in found {
                    let score = alternative.weight * sum / terms.len() as f64;
                    let credit = if present == terms.len() {
                        alternative.credit * strength
                    } else {
                        0.0
                    };
                    let entry = best.entry(index).or_insert((0.0, 0.0));
                    entry.0 = entry.0.max(score);
                    entry.1 = entry.1.max(credit);
                }
            }
            for (index, (score, credit)) in best {
                let entry = totals.entry(index).or_insert((0.0, 0.0));
                entry.0 += score * concept.factor;
                entry.1 += concept.weight * concept.factor * credit;
            }
        }
        let mut scored: Vec<(usize, f64, f64)> = Vec::with_capacity(totals.len());
        for (index, (mut score, covered)) in totals {
            let index = index as usize;
            let sentence = &self.sentences[index];
            if score <= 0.0 {
                continue;
            }
            score *= match intent {
                Intent::Count | Intent::Measure if !sentence.numbers.is_empty() => 1.3,
                Intent::Person if sentence.has_capitalized_name => 1.1,
                Intent::Date if sentence.has_date => 1.3,
                Intent::Reason if sentence.gives_reason => 1.1,
                _ => 1.0,
            };
            let coverage = covered / total_weight;
            // Prefer sentences that answer more of the question over ones
            // that repeat one rare word.
            score *= 0.3 + 0.7 * coverage;
            scored.push((index, score, coverage));
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));

        let Some(&(best_index, _, best_coverage)) = scored.first() else {
            return refuse(RefusalReason::NothingInCommon, self.default_suggestions());
        };
        let asked: HashSet<&String> = concepts
            .iter()
            .filter(|c| c.factor >= 1.0)
            .flat_map(|c| c.alternatives.iter().flat_map(|a| a.terms.iter()))
            .collect();
        let suggestions = || self.suggestions_from(scored.iter().map(|s| s.0).take(5), &asked);
        if refusal_rules && best_coverage < MIN_COVERAGE {
            return refuse_with(RefusalReason::NotCovered, suggestions(), best_coverage);
        }
        let best = &self.sentences[best_index];
        if refusal_rules && intent == Intent::Date && !best.has_date {
            return refuse_with(RefusalReason::NoDate, suggestions(), best_coverage);
        }
        // "How many X": the answer must hold a figure the question does not.
        let asked_numbers: HashSet<&String> =
            concepts.iter().filter_map(|c| c.number.as_ref()).collect();
        if refusal_rules
            && intent == Intent::Count
            && !best.numbers.iter().any(|n| !asked_numbers.contains(n))
        {
            return refuse_with(RefusalReason::NoQuantity, suggestions(), best_coverage);
        }
        let hits = scored
            .iter()
            .take(top.max(1))
            .map(|&(index, score, coverage)| {
                let quote = &self.quotes[index];
                Hit {
                    sentence: index,
                    matched: text::tokenize(quote)
                        .iter()
                        .filter(|t| !t.is_stopword && asked.contains(&t.term))
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
            best_coverage,
        }
    }

    /// The most informative words of the given sentences, as topics.
    /// Per sentence, a word the question asked about is preferred, then a
    /// word that recurs in the document (a topic rather than a passing verb).
    fn suggestions_from(
        &self,
        sentences: impl Iterator<Item = usize>,
        asked: &HashSet<&String>,
    ) -> Vec<String> {
        let mut topics: Vec<(f64, String)> = Vec::new();
        for index in sentences {
            let mut terms: Vec<(&String, f64)> = self.sentences[index]
                .terms
                .iter()
                .filter(|t| {
                    // Topics are content words, not "enough" or "dealing with".
                    self.display
                        .get(*t)
                        .is_some_and(|w| w.len() > 3 && !text::is_generic(w))
                })
                .map(|t| (t, self.idf(t)))
                .collect();
            let key = |t: &String| {
                let df = self.document_frequency.get(t).copied().unwrap_or(0);
                (asked.contains(t), df.min(4))
            };
            terms.sort_by(|a, b| {
                key(b.0)
                    .cmp(&key(a.0))
                    .then(b.1.total_cmp(&a.1))
                    .then(a.0.cmp(b.0))
            });
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

/// Words that only frame a request ("please tell me anything about...").
const QUESTION_FILLER: &[&str] = &["please", "tell", "anything"];

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
        assert_eq!(a.intent, Intent::Count);
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
        assert_eq!(Intent::of("how many died"), Intent::Count);
        assert_eq!(Intent::of("how far did they get"), Intent::Measure);
        assert_eq!(Intent::of("why did it fail"), Intent::Reason);
        assert_eq!(Intent::of("Where was he born"), Intent::Place);
        assert_eq!(Intent::of("kolkhoz"), Intent::Other);
    }

    #[test]
    fn a_count_question_needs_a_figure_the_question_does_not_give() {
        let answerer = answerer(
            "The Five-year Plan built factories. About ten thousand died building the Moscow Metro.",
        );
        let a = answerer.answer("How many factories did the Five-year Plan build?", 3);
        assert_eq!(a.refusal, Some(RefusalReason::NoQuantity));
        assert!(
            answerer
                .answer("How many died building the metro?", 3)
                .answered()
        );
    }

    #[test]
    fn when_inside_a_clause_does_not_make_a_date_question() {
        assert_eq!(
            Intent::of("why was the army weak when germany attacked"),
            Intent::Reason
        );
        assert_eq!(Intent::of("When did Germany attack?"), Intent::Date);
    }

    #[test]
    fn common_words_do_not_decide_coverage_but_rare_unknown_words_do() {
        let answerer = answerer("Stalin was cruel, according to the West. Lenin was practical.");
        let a = answerer.answer("what did the west usually think of stalin", 3);
        assert!(a.answered(), "{a:?}");
        assert_eq!(a.hits[0].sentence, 0);
        let a = answerer.answer("What did the NKVD do to Stalin?", 3);
        assert_eq!(a.refusal, Some(RefusalReason::NotCovered), "{a:?}");
    }

    #[test]
    fn only_common_words_in_common_is_not_an_answer() {
        let answerer = answerer("Stalin was cruel, according to the West.");
        assert!(!answerer.answer("what was usually according", 3).answered());
    }
}
