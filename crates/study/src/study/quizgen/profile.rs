//! What the document shows about each glossary entry and each sentence,
//! beyond the words themselves, so that wrong choices are of the answer's
//! kind and questions test what the document is about:
//! - where an entry is named (its passages) and when it is active (the
//!   years of the sentences naming it);
//! - which entries the document lists together ("Devon, Dorset and
//!   Cornwall"), so a county is not offered among towns;
//! - how central each sentence is: how much of the document its names and
//!   words recur in;
//! - the heads of multi-word names ("canal" of "Trent and Mersey Canal"),
//!   so "the canal" in a sentence that names none is known to lean on an
//!   earlier one.
//!
//! Pure and linear in the document's size: it is built once per pack.

use std::collections::{HashMap, HashSet};

use crate::content::Sentence;
use crate::content::glossary::EntryKind;

use super::matcher::Matcher;
use super::prepare::word_spans;

/// Years in a generation: how far from the years the document names a
/// person in they may still be offered as a wrong choice.
const GENERATION: i32 = 25;

/// How many sentences apart two places may be named and still belong to one
/// story.
const STORY_SENTENCES: usize = 6;

/// The document-wide facts about entries and sentences.
#[derive(Debug, Default, Clone)]
pub struct Profile {
    /// Per matcher entry: the passages that name it.
    pub passages: Vec<HashSet<usize>>,
    /// Per matcher entry: the sentences that name it, in order.
    pub mentions: Vec<Vec<usize>>,
    /// Per matcher entry: the first and last year of the sentences that name
    /// it (their own year, else the nearest in their passage).
    pub active: Vec<Option<(i32, i32)>>,
    /// Per matcher entry: the list group it was named in ("Devon, Dorset
    /// and Cornwall"), if any.
    pub list_group: Vec<Option<usize>>,
    /// Per sentence: how central it is, from 0 (about nothing else in the
    /// document) to 1 (the most central sentence).
    pub centrality: Vec<f32>,
    /// Lowercase generic heads of multi-word capitalised names ("canal",
    /// "society"), to spot "the canal" with nothing to say which one.
    pub heads: HashSet<String>,
}

impl Profile {
    pub fn new(sentences: &[Sentence], matcher: &Matcher, eras: &[Option<i32>]) -> Self {
        let n = matcher.entries.len();
        let mut passages = vec![HashSet::new(); n];
        let mut mentioned_in: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut active: Vec<Option<(i32, i32)>> = vec![None; n];
        let mut groups = Groups::new(n);
        let mut mentions = vec![0usize; n];
        let mut found_per_sentence = Vec::with_capacity(sentences.len());
        let mut term_frequency: HashMap<String, usize> = HashMap::new();
        for (index, sentence) in sentences.iter().enumerate() {
            let found = matcher.find(&sentence.text);
            let mut seen = HashSet::new();
            for f in &found {
                passages[f.entry].insert(sentence.passage);
                if mentioned_in[f.entry].last() != Some(&index) {
                    mentioned_in[f.entry].push(index);
                }
                if seen.insert(f.entry) {
                    mentions[f.entry] += 1;
                }
                if let Some(year) = eras.get(index).copied().flatten() {
                    let span = active[f.entry].get_or_insert((year, year));
                    span.0 = span.0.min(year);
                    span.1 = span.1.max(year);
                }
            }
            // Names of one kind joined only by commas and "and": a list.
            for pair in found.windows(2) {
                let gap = sentence.text[pair[0].end..pair[1].start].trim();
                if pair[0].kind == pair[1].kind && matches!(gap, "," | "and" | ", and" | "or") {
                    groups.join(pair[0].entry, pair[1].entry);
                }
            }
            let terms: HashSet<String> = crate::study::text::content_terms(&sentence.text)
                .into_iter()
                .collect();
            for term in &terms {
                *term_frequency.entry(term.clone()).or_default() += 1;
            }
            found_per_sentence.push((found, terms));
        }
        let list_group = (0..n).map(|e| groups.group_of(e)).collect();
        // A sentence is central when its names and words recur across the
        // document: the mean, over its content terms and names, of how many
        // other sentences share them (log-scaled), normalised to [0, 1].
        let raw: Vec<f32> = found_per_sentence
            .iter()
            .map(|(found, terms)| {
                let names: f32 = found
                    .iter()
                    .map(|f| ((mentions[f.entry].saturating_sub(1)) as f32).ln_1p())
                    .sum();
                let words: f32 = terms
                    .iter()
                    .map(|t| {
                        (term_frequency
                            .get(t)
                            .copied()
                            .unwrap_or(1)
                            .saturating_sub(1) as f32)
                            .ln_1p()
                    })
                    .sum();
                (names * 2.0 + words) / (found.len() * 2 + terms.len()).max(1) as f32
            })
            .collect();
        let top = raw.iter().copied().fold(0.0f32, f32::max).max(f32::EPSILON);
        let centrality = raw.iter().map(|r| r / top).collect();
        // Only a head two or more names share is ambiguous alone ("the
        // canal" beside two canals); with one such name, "the party" can
        // only mean it.
        let mut head_counts: HashMap<String, usize> = HashMap::new();
        let candidates: Vec<String> = matcher
            .entries
            .iter()
            .filter(|(kind, name, words)| {
                *kind != EntryKind::Person
                    && words.len() >= 2
                    && name.chars().next().is_some_and(char::is_uppercase)
            })
            .filter_map(|(_, name, words)| {
                let last = name.split_whitespace().last()?;
                // "Trent and Mersey Canal": a capitalised generic head that
                // English knows as a common noun.
                (last.chars().next().is_some_and(char::is_uppercase)
                    && crate::study::english::general_zipf(&last.to_lowercase())
                        .is_some_and(|z| z >= 3.5))
                .then(|| words[words.len() - 1].clone())
            })
            .collect();
        for head in candidates {
            *head_counts.entry(head).or_default() += 1;
        }
        let heads = head_counts
            .into_iter()
            .filter(|(_, count)| *count >= 2)
            .map(|(head, _)| head)
            .collect();
        Self {
            passages,
            mentions: mentioned_in,
            active,
            list_group,
            centrality,
            heads,
        }
    }

    /// Whether two entries of one kind may stand in for each other as
    /// places: named in a common passage (a place only ever named far from
    /// the answer's story is no plausible slip: "Philadelphia" for a
    /// Staffordshire town), and not from two different lists ("Devon,
    /// Dorset and Cornwall" against "Burslem, Hanley, Stoke").
    pub fn places_alike(&self, a: usize, b: usize) -> bool {
        // Named in the answer's passage or a few sentences from it (a short
        // document's passages are two or three sentences), or a place the
        // document comes back to (named in two passages or more): only a
        // place named once, in another story, is out.
        let near = self.passages[b].len() >= 2
            || self.passages[a]
                .intersection(&self.passages[b])
                .next()
                .is_some()
            || self.mentions[a].iter().any(|&x| {
                self.mentions[b]
                    .iter()
                    .any(|&y| x.abs_diff(y) <= STORY_SENTENCES)
            });
        let lists = match (self.list_group[a], self.list_group[b]) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
        near && lists
    }

    /// Whether `b` belongs to the story of `a`: named in a passage with it,
    /// or in `passage` (the question's own).
    pub fn in_story(&self, a: usize, b: usize, passage: Option<usize>) -> bool {
        self.passages[a]
            .intersection(&self.passages[b])
            .next()
            .is_some()
            || passage.is_some_and(|p| self.passages[b].contains(&p))
    }

    /// Whether a person was active around `year`: within a generation of
    /// the years the document names them in (one named only in 1782 was as
    /// likely at work in 1762); unknown counts as active.
    pub fn active_around(&self, entry: usize, year: i32) -> bool {
        self.active[entry]
            .is_none_or(|(first, last)| year >= first - GENERATION && year <= last + GENERATION)
    }

    /// Whether a sentence says "the <head>" ("the canal") without naming a
    /// name with that head, so which one it means is in an earlier sentence.
    pub fn unresolved_head(&self, text_: &str, matcher: &Matcher) -> bool {
        if self.heads.is_empty() {
            return false;
        }
        let words = word_spans(text_);
        let named: Vec<String> = matcher
            .find(text_)
            .iter()
            .filter_map(|f| matcher.entries[f.entry].2.last().cloned())
            .collect();
        words.windows(2).any(|pair| {
            pair[0].2 == "the"
                && self.heads.contains(&pair[1].2)
                && text_[pair[1].0..].starts_with(char::is_lowercase)
                && !named.contains(&pair[1].2)
        })
    }
}

/// Union-find over entries.
#[derive(Debug)]
struct Groups {
    parent: Vec<usize>,
    joined: Vec<bool>,
}

impl Groups {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
            joined: vec![false; n],
        }
    }

    fn root(&mut self, mut e: usize) -> usize {
        while self.parent[e] != e {
            self.parent[e] = self.parent[self.parent[e]];
            e = self.parent[e];
        }
        e
    }

    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        self.joined[a] = true;
        self.joined[b] = true;
        if ra != rb {
            self.parent[ra] = rb;
        }
    }

    fn group_of(&mut self, e: usize) -> Option<usize> {
        self.joined[e].then(|| self.root(e))
    }
}
