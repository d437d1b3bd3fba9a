//! Definite noun phrases that point back at an earlier sentence: "the
//! company" (named two paragraphs up), "The sale gave ..." (the sentence
//! before told of someone selling), "the bridge" when the document has
//! built three. A student sees one sentence; such a phrase says nothing
//! about which thing is meant.
//!
//! Each "the <noun>" of a sentence is either
//! - standing on its own: a noun the document never introduced before
//!   ("the surface", "the climate"), or one this sentence defines ("the
//!   engineer Ann Hale", "the tax on salt", "the bridge that ...");
//! - resolved: the noun heads names in the glossary ("Tay Bridge") and one
//!   of them is clearly meant (the one its passage named last, else the
//!   one the document names far more than the rest), so the phrase is
//!   replaced by that name ("the Tay Bridge");
//! - leaning: the noun was introduced as something specific before ("a
//!   company", "a second bridge", a name that is not clear), or the
//!   sentence before tells of the same thing in other words (a verb such
//!   as "sold" for "the sale"). The sentence is then not asked.
//!
//! General English decides "other words" (the lexicon's similarity); no
//! word list of the document's.

use std::collections::HashMap;

use crate::content::Sentence;
use crate::study::english;

use super::matcher::Matcher;
use super::prepare::word_spans;

/// How near in meaning a word of the sentence before must be for "the
/// <noun>" to be taken as pointing at it ("sold" and "sale").
const SAME_THING: f32 = 0.6;

/// How many sentences back an indefinite introduction ("a bridge") makes
/// "the bridge" point at it.
const RECENT: usize = 3;

/// How many times as often the leading name with a head must be named as
/// the next for "the <head>" to mean it when the passage names none.
const LEADING: usize = 2;

/// What a sentence's definite phrases need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Every "the <noun>" stands on its own.
    Stands,
    /// The sentence with each pointing phrase replaced by its name.
    Resolved(String),
    /// Some "the <noun>" points at an earlier sentence the student cannot
    /// see.
    Leans,
}

/// A lowercase word that may be part of a noun phrase: not a function
/// word, and not shaped like a verb or an adverb ("opened", "slowly").
fn content_word(written: &str) -> bool {
    let lower = written.to_lowercase();
    written.chars().all(char::is_lowercase)
        && !crate::study::text::is_stopword(&lower)
        && !lower.ends_with("ed")
        && !lower.ends_with("ly")
}

/// Shaped like an adjective: a common one ("bad", "new") or an adjective's
/// ending ("natural", "famous", "electric", "narrow").
fn adjective_like(word: &str) -> bool {
    matches!(
        word,
        "bad"
            | "good"
            | "new"
            | "old"
            | "big"
            | "great"
            | "small"
            | "little"
            | "long"
            | "short"
            | "high"
            | "low"
            | "young"
            | "early"
            | "late"
            | "huge"
            | "vast"
            | "poor"
            | "rich"
            | "hot"
            | "cold"
            | "dry"
            | "wet"
            | "deep"
            | "wide"
            | "narrow"
            | "strong"
            | "weak"
    ) || [
        "al", "ous", "ful", "ive", "ic", "ible", "able", "ish", "less", "ary", "ern",
    ]
    .iter()
    .any(|e| word.len() > 4 && word.ends_with(e))
}

/// Words after "the" that are no noun of a thing: "the same", "the first".
fn determiner_like(word: &str) -> bool {
    matches!(
        word,
        "same"
            | "first"
            | "second"
            | "third"
            | "last"
            | "next"
            | "following"
            | "other"
            | "most"
            | "least"
            | "whole"
            | "world"
            | "only"
            | "main"
            | "best"
            | "worst"
            | "two"
            | "three"
            | "four"
            | "five"
            | "both"
            | "many"
            | "few"
            | "several"
    ) || word.ends_with("est")
}

fn singular(word: &str) -> &str {
    if word.ends_with("ss") {
        return word;
    }
    word.strip_suffix('s').unwrap_or(word)
}

/// The document-wide facts a sentence's definites are judged against.
#[derive(Debug, Default, Clone)]
pub struct Definites {
    /// Per lowercase head word ("bridge"): the entries whose name ends in
    /// it, with the sentences naming each.
    heads: HashMap<String, Vec<(usize, Vec<usize>)>>,
}

impl Definites {
    pub fn new(matcher: &Matcher, mentions: &[Vec<usize>]) -> Self {
        let mut heads: HashMap<String, Vec<(usize, Vec<usize>)>> = HashMap::new();
        for (entry, (_, name, words)) in matcher.entries.iter().enumerate() {
            if words.len() < 2 || !name.chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            let Some(head) = words.last() else { continue };
            heads
                .entry(head.clone())
                .or_default()
                .push((entry, mentions.get(entry).cloned().unwrap_or_default()));
        }
        Self { heads }
    }

    /// How sentence `index` reads on its own, `text_` being its prepared
    /// form.
    pub fn read(
        &self,
        text_: &str,
        index: usize,
        sentences: &[Sentence],
        matcher: &Matcher,
    ) -> Reading {
        let words = word_spans(text_);
        let found = matcher.find(text_);
        let in_name = |at: usize| found.iter().any(|f| f.start <= at && at < f.end);
        let earlier: Vec<&Sentence> = sentences[..index.min(sentences.len())].iter().collect();
        let passage = sentences.get(index).map(|s| s.passage);
        // The two sentences before, in the same passage.
        let previous: String = earlier
            .iter()
            .rev()
            .take(2)
            .filter(|s| Some(s.passage) == passage)
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let mut replacements: Vec<(usize, usize, String)> = Vec::new();
        for i in 0..words.len().saturating_sub(1) {
            if words[i].2 != "the" {
                continue;
            }
            let start = words[i + 1].0;
            let first_written = &text_[start..words[i + 1].1];
            if in_name(start)
                || !first_written.chars().all(char::is_lowercase)
                || determiner_like(&words[i + 1].2)
                || !text_[words[i].1..start].trim().is_empty()
            {
                continue;
            }
            // The phrase's head: its first word, or the word after an
            // adjective ("the bad air" -> "air"); a verb may follow a head
            // ("the bridge fell"), so only an adjective's shape moves on.
            let mut last = i + 1;
            while last + 1 < words.len()
                && last < i + 3
                && adjective_like(&words[last].2)
                && !self.heads.contains_key(singular(&words[last].2))
                && text_[words[last].1..words[last + 1].0].trim().is_empty()
                && content_word(&text_[words[last + 1].0..words[last + 1].1])
            {
                last += 1;
            }
            let (_, end, noun) = &words[last];
            let end = *end;
            if noun.len() < 3 || !content_word(&text_[words[last].0..end]) {
                continue;
            }
            // Defined here: "the engineer Ann Hale", "the tax on salt",
            // "the bridge that ...", "the man who ...", "the sale of".
            let next = words.get(last + 1);
            let gap = next.map_or("", |n| &text_[end..n.0]);
            let defined = gap.trim().is_empty()
                && next.is_some_and(|(s, _, w)| {
                    text_[*s..].starts_with(char::is_uppercase)
                        || matches!(
                            w.as_str(),
                            "of" | "on" | "that" | "which" | "who" | "whose" | "called" | "known"
                        )
                });
            if defined {
                continue;
            }
            let head = singular(noun);
            // "the two seas": several things, no one name to write in.
            if head != noun.as_str() {
                continue;
            }
            // Named in this sentence already ("the Tay Bridge ... the bridge").
            let named_here = found
                .iter()
                .any(|f| matcher.entries[f.entry].2.last().is_some_and(|h| h == head));
            if let Some(names) = self.heads.get(head) {
                if named_here {
                    continue;
                }
                match self
                    .meant(names, index, passage, sentences)
                    .filter(|&e| !part_of_longer_name(&matcher.entries[e].1, sentences))
                {
                    Some(entry) => {
                        let name = &matcher.entries[entry].1;
                        let the = &text_[words[i].0..words[i].1];
                        let phrase = if name.to_lowercase().starts_with("the ") {
                            name.clone()
                        } else {
                            format!("{the} {name}")
                        };
                        replacements.push((words[i].0, end, phrase));
                        continue;
                    }
                    None => return Reading::Leans,
                }
            }
            // The sentences just before in its passage: a thing introduced
            // there ("a second bridge") is what "the bridge" means; one
            // introduced paragraphs ago has become the document's own
            // subject ("the wire", "the current").
            let recent: Vec<&Sentence> = earlier
                .iter()
                .rev()
                .take(RECENT)
                .filter(|s| Some(s.passage) == passage)
                .copied()
                .collect();
            if introduced(head, &recent) || (i == 0 && told_before(noun, &previous)) {
                return Reading::Leans;
            }
        }
        if replacements.is_empty() {
            return Reading::Stands;
        }
        let mut out = text_.to_string();
        for (start, end, phrase) in replacements.into_iter().rev() {
            out.replace_range(start..end, &phrase);
        }
        Reading::Resolved(out)
    }

    /// The entry "the <head>" means in sentence `index`: the only one
    /// with that head the document has named so far; else the one it names
    /// far more often than any other (its own subject: "the canal" in a
    /// history of one canal); else the only one its passage has named
    /// before it. Otherwise which one is meant is unclear.
    fn meant(
        &self,
        names: &[(usize, Vec<usize>)],
        index: usize,
        passage: Option<usize>,
        sentences: &[Sentence],
    ) -> Option<usize> {
        let before: Vec<&(usize, Vec<usize>)> = names
            .iter()
            .filter(|(_, mentions)| mentions.iter().any(|&m| m < index))
            .collect();
        if let [(only, _)] = before.as_slice() {
            return Some(*only);
        }
        let mut ranked: Vec<(usize, usize)> = names.iter().map(|(e, m)| (m.len(), *e)).collect();
        ranked.sort_by(|a, b| b.cmp(a));
        if let [(first, entry), (second, _), ..] = ranked.as_slice()
            && *first >= LEADING * (*second).max(1)
            && before.iter().any(|(e, _)| e == entry)
        {
            return Some(*entry);
        }
        let in_passage: Vec<usize> = before
            .iter()
            .filter(|(_, mentions)| {
                mentions
                    .iter()
                    .any(|&m| m < index && sentences.get(m).map(|s| s.passage) == passage)
            })
            .map(|(e, _)| *e)
            .collect();
        match in_passage.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    }
}

/// Whether the document writes a name only as the end of a longer one
/// ("Mersey Canal" of "the Trent and Mersey Canal"): written in alone, it
/// would be a name the document never uses.
fn part_of_longer_name(name: &str, sentences: &[Sentence]) -> bool {
    let mut seen = false;
    for sentence in sentences {
        for (at, _) in sentence.text.match_indices(name) {
            seen = true;
            let words = word_spans(&sentence.text[..at]);
            let joined = match words.as_slice() {
                [.., (s, _, _), (_, _, joiner)] if matches!(joiner.as_str(), "and" | "of") => {
                    sentence.text[*s..].starts_with(char::is_uppercase)
                }
                _ => false,
            };
            if !joined {
                return false;
            }
        }
    }
    seen
}

/// Whether an earlier sentence introduced the noun as one specific thing:
/// "a company", "an old bridge", "a second channel" (an indefinite with at
/// most one word between).
fn introduced(head: &str, earlier: &[&Sentence]) -> bool {
    // (The sentences searched are the few before, in the same passage.)
    earlier.iter().any(|sentence| {
        let words = word_spans(&sentence.text);
        words.iter().enumerate().any(|(i, (_, end, w))| {
            // The head of its phrase: "a cloth market" introduces a
            // market, not cloth.
            let modifier = words.get(i + 1).is_some_and(|(s, e, _)| {
                sentence.text[*end..*s].trim().is_empty() && content_word(&sentence.text[*s..*e])
            });
            singular(w) == head
                && !modifier
                && w.len() == head.len()
                && (1..=2).any(|back| {
                    i.checked_sub(back)
                        .is_some_and(|j| matches!(words[j].2.as_str(), "a" | "an"))
                })
        })
    })
}

/// Whether the sentence before told of the same thing in other words
/// without "the" ("sold his shares. The sale ..."): a word near the noun
/// in meaning, or the noun itself, not after "the".
fn told_before(noun: &str, previous: &str) -> bool {
    let words = word_spans(previous);
    words.iter().enumerate().any(|(i, (_, _, w))| {
        let after_the = i > 0 && words[i - 1].2 == "the";
        !after_the
            && w.len() > 3
            && (w == noun
                || (singular(w) != singular(noun)
                    && english::similarity(noun, w).is_some_and(|s| s >= SAME_THING)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Document;
    use crate::content::glossary::{EntryKind, Glossary};

    fn setup(text_: &str, names: &[&str]) -> (Definites, Matcher, Document) {
        let mut glossary = Glossary::default();
        for n in names {
            glossary.entries.push((EntryKind::Place, n.to_string()));
        }
        let matcher = Matcher::new(&glossary);
        let document = Document::parse(text_);
        let mut mentions = vec![Vec::new(); matcher.entries.len()];
        for s in document.sentences() {
            for f in matcher.find(&s.text) {
                mentions[f.entry].push(s.index);
            }
        }
        (Definites::new(&matcher, &mentions), matcher, document)
    }

    fn reading(text_: &str, names: &[&str], index: usize) -> Reading {
        let (definites, matcher, document) = setup(text_, names);
        let sentence = &document.sentences()[index];
        definites.read(&sentence.text, index, document.sentences(), &matcher)
    }

    #[test]
    fn the_head_of_one_name_is_replaced_by_that_name() {
        let text_ = "The Tay Bridge opened in 1878 over the estuary. \
                     Crowds cheered at the opening.\n\n\
                     In 1879 the bridge fell during a storm.";
        assert_eq!(
            reading(text_, &["Tay Bridge"], 2),
            Reading::Resolved("In 1879 the Tay Bridge fell during a storm.".into())
        );
    }

    #[test]
    fn a_name_the_document_writes_only_inside_a_longer_one_is_not_written_in() {
        let text_ = "The Tyne and Wear Canal opened in 1801.\n\n\
                     Barges filled the canal every spring.";
        assert_eq!(reading(text_, &["Wear Canal"], 1), Reading::Leans);
    }

    #[test]
    fn a_head_shared_by_names_the_passage_does_not_settle_leans() {
        let text_ = "The Tay Bridge opened in 1878. The Forth Bridge opened in 1890.\n\n\
                     Engineers later checked the bridge every year.";
        assert_eq!(
            reading(text_, &["Tay Bridge", "Forth Bridge"], 2),
            Reading::Leans
        );
        // Only one of them in its passage: that one is meant.
        let text_ = "The Tay Bridge opened in 1878.\n\n\
                     The Forth Bridge opened in 1890. \
                     Engineers later checked the bridge every year.";
        assert_eq!(
            reading(text_, &["Tay Bridge", "Forth Bridge"], 2),
            Reading::Resolved("Engineers later checked the Forth Bridge every year.".into())
        );
    }

    #[test]
    fn a_noun_introduced_earlier_or_told_in_other_words_leans() {
        let text_ = "In 1820 the brothers set up a company to trade in wool. \
                     Prices rose for ten years. \
                     In 1835 the company moved to Leeds.";
        assert_eq!(reading(text_, &[], 2), Reading::Leans);
        let text_ = "Farmers were short of money, so the duke sold his land. \
                     The sale made him rich.";
        assert_eq!(reading(text_, &[], 1), Reading::Leans);
    }

    #[test]
    fn a_noun_introduced_paragraphs_ago_is_the_documents_own_and_stands() {
        let text_ = "A wire carries the signal between the two towns.\n\n\
                     Storms were common in winter. Crews worked at night.\n\n\
                     Engineers wrapped the wire in rubber to keep the rain out.";
        assert_eq!(reading(text_, &[], 3), Reading::Stands);
    }

    #[test]
    fn a_noun_the_sentence_defines_or_never_introduced_stands() {
        let text_ = "Rock melts deep underground. \
                     Magma rises towards the surface through cracks. \
                     The tax on salt was raised. \
                     The engineer Ann Hale checked the work.";
        for index in 1..4 {
            assert_eq!(reading(text_, &[], index), Reading::Stands, "{index}");
        }
    }
}
