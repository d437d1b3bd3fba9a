//! The part a person plays, as the document words it, so that a wrong
//! choice for a person plays the answer's part: no wife among potters, no
//! engineer where the sentence asks for a banker.
//!
//! - The document gives people roles in apposition: "the engineer Anna
//!   Keller", "his wife Ruth", "Paul Ford, a Boston merchant", "Ruth Ames,
//!   wife of ...". Each mention adds its role noun (singular, lowercase).
//! - A sentence gives its blank a role the same ways, or in its predicate:
//!   "___ was one of the best-known weavers of the day", "___ was a
//!   chemist".
//!
//! Only lowercase nouns count: a capitalised title ("Prime Minister") is
//! part of a name, and a person the document gives no role to may be
//! offered anywhere its kind and time allow.

use std::collections::HashSet;

use crate::content::Sentence;
use crate::content::glossary::EntryKind;
use crate::study::{english, text};

use super::matcher::Matcher;
use super::prepare::word_spans;

/// Words that introduce an apposed role before a name.
const DETERMINERS: &[&str] = &["the", "a", "an", "his", "her", "their", "its"];

/// Words that end a role phrase after a name: the role is the word before.
const PHRASE_ENDS: &[&str] = &[
    "of", "who", "which", "that", "in", "at", "from", "for", "with", "to", "and", "whose", "on",
];

/// Per matcher entry: the role nouns the document gives that person.
#[derive(Debug, Default, Clone)]
pub struct Roles {
    of: Vec<HashSet<String>>,
}

impl Roles {
    pub fn new(sentences: &[Sentence], matcher: &Matcher) -> Self {
        let mut of = vec![HashSet::new(); matcher.entries.len()];
        for sentence in sentences {
            let text_ = sentence.text.as_str();
            let mut carried: Option<(usize, String)> = None;
            for found in matcher.find(text_) {
                if found.kind != EntryKind::Person {
                    carried = None;
                    continue;
                }
                let mut roles: Vec<String> = role_before(text_, found.start);
                // "the contractors Pell and Dunmore": the second shares it.
                if roles.is_empty()
                    && let Some((end, role)) = &carried
                    && text_[*end..found.start].trim() == "and"
                {
                    roles.push(role.clone());
                }
                roles.extend(role_after(text_, found.end));
                carried = roles.first().map(|r| (found.end, r.clone()));
                of[found.entry].extend(roles);
            }
        }
        Self { of }
    }

    /// The roles the document gives an entry (empty when none).
    pub fn of(&self, entry: usize) -> &HashSet<String> {
        static NONE: std::sync::LazyLock<HashSet<String>> = std::sync::LazyLock::new(HashSet::new);
        self.of.get(entry).unwrap_or(&NONE)
    }
}

/// The role a sentence gives the name (or blank) at `start..end`: in
/// apposition before or after it, or in the predicate that follows it.
pub fn role_in_sentence(text_: &str, start: usize, end: usize) -> Vec<String> {
    let mut roles = role_before(text_, start);
    roles.extend(role_after(text_, end));
    roles.extend(role_in_predicate(text_, end));
    roles
}

/// Whether a candidate with `roles` may stand where the sentence wants
/// `wanted`: it has no role the document states, or one of them is wanted.
pub fn plays(wanted: &[String], roles: &HashSet<String>) -> bool {
    wanted.is_empty() || roles.is_empty() || wanted.iter().any(|w| roles.contains(w))
}

fn singular(word: &str) -> String {
    let lower = word.to_lowercase();
    if let Some(stem) = lower.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if lower.ends_with("ss") {
        return lower;
    }
    if let Some(stem) = lower.strip_suffix("men") {
        return format!("{stem}man");
    }
    lower
        .strip_suffix('s')
        .map_or(lower.clone(), str::to_string)
}

/// General nouns for people and for things, to tell a role ("banker")
/// from a thing ("yacht", "route") by general English.
const PEOPLE: &[&str] = &["person", "worker", "man", "woman"];
const THINGS: &[&str] = &["place", "thing", "building", "ship"];

/// Endings of nouns for what a person does ("potter", "surveyor",
/// "chemist", "merchant").
const AGENT_ENDINGS: &[&str] = &["er", "or", "ist", "ian", "ant", "ent", "ess", "eer"];

/// A word that may be a role noun: lowercase letters, not a function word,
/// not a past verb ("the council hired Ann"), not a sort of named thing
/// ("the yacht X", "the river X"), and a relative, or nearer people than
/// things in general English (with an agent's ending, not clearly nearer
/// things: "merchant", "surveyor").
fn noun_like(surface: &str) -> bool {
    let lower = surface.to_lowercase();
    surface.len() > 2
        && surface.chars().all(|c| c.is_alphabetic() || c == '-')
        && surface.chars().next().is_some_and(char::is_lowercase)
        && !text::is_stopword(&lower)
        && !lower.ends_with("ed")
        && role_noun(&singular(&lower))
}

fn role_noun(word: &str) -> bool {
    if super::KINSHIP.contains(&word) {
        return true;
    }
    if super::sorts::family_of(word).is_some() {
        return false;
    }
    let nearest = |nouns: &[&str]| {
        nouns
            .iter()
            .filter_map(|n| english::similarity(word, n))
            .fold(f32::MIN, f32::max)
    };
    let (people, things) = (nearest(PEOPLE), nearest(THINGS));
    if people == f32::MIN {
        return false;
    }
    let agent = AGENT_ENDINGS.iter().any(|e| word.ends_with(e));
    (agent && things - people < 0.12) || (people > things && people >= 0.2)
}

/// "the engineer Anna Keller", "his wife Ruth", "the painter and inventor
/// Sam Hale": lowercase nouns between a determiner and the name, with
/// nothing but words between.
pub(crate) fn role_before(text_: &str, start: usize) -> Vec<String> {
    let words = word_spans(&text_[..start]);
    let Some(last) = words.last() else {
        return Vec::new();
    };
    if !text_[last.1..start].trim().is_empty() {
        return Vec::new();
    }
    let mut roles = Vec::new();
    for (i, (s, e, lower)) in words.iter().enumerate().rev().take(4) {
        let surface = &text_[*s..*e];
        if i + 1 < words.len() && !text_[*e..words[i + 1].0].trim().is_empty() {
            return Vec::new();
        }
        if DETERMINERS.contains(&lower.as_str()) {
            return roles;
        }
        if lower == "and" {
            continue;
        }
        if !noun_like(surface) {
            // An adjective of nationality or a capitalised word between
            // ("the French engineer") is fine; anything else is no role.
            if surface.chars().next().is_some_and(char::is_uppercase) && !roles.is_empty() {
                continue;
            }
            return Vec::new();
        }
        roles.push(singular(surface));
    }
    Vec::new()
}

/// "Paul Ford, a Boston merchant who ...", "Ruth Ames, wife of ...",
/// "Ada Lee, the daughter of ...": the head noun of the apposed phrase.
pub(crate) fn role_after(text_: &str, end: usize) -> Vec<String> {
    let Some(rest) = text_[end..].strip_prefix(", ") else {
        return Vec::new();
    };
    let words = word_spans(rest);
    let skip = words
        .first()
        .is_some_and(|(_, _, w)| matches!(w.as_str(), "a" | "an" | "the" | "his" | "her"));
    head_noun(rest, &words[usize::from(skip)..], skip)
}

/// "... was one of the best-known weavers of the day", "... was a chemist":
/// the head noun of the complement after "was" / "is".
fn role_in_predicate(text_: &str, end: usize) -> Vec<String> {
    let rest = &text_[end..];
    let words = word_spans(rest);
    let lower: Vec<&str> = words.iter().map(|w| w.2.as_str()).collect();
    let after_verb = match lower.as_slice() {
        ["was" | "is" | "became", "one", "of", "the", ..] => 4,
        ["was" | "is" | "became", "a" | "an" | "the", ..] => 2,
        _ => return Vec::new(),
    };
    if !rest[..words[0].0].trim().is_empty() {
        return Vec::new();
    }
    head_noun(rest, &words[after_verb..], true)
}

/// The head noun of a short phrase: the last of a run of noun-like words,
/// the run ending at a word that ends the phrase, at punctuation, or at a
/// word that is no noun after it ("a French diplomat born in ..."). Words
/// before the run (adjectives: "a distant cousin", "the best-known
/// weavers") are passed over. `determined`: the phrase had a determiner;
/// without one only a noun followed by "of" is a role ("wife of ...").
fn head_noun(rest: &str, words: &[(usize, usize, String)], determined: bool) -> Vec<String> {
    let mut head: Option<String> = None;
    for (i, (s, e, lower)) in words.iter().enumerate().take(6) {
        if PHRASE_ENDS.contains(&lower.as_str()) {
            if !determined && lower != "of" {
                return Vec::new();
            }
            break;
        }
        let surface = &rest[*s..*e];
        if noun_like(surface) {
            head = Some(singular(surface));
            // Without a determiner only "wife of ...", "son of ...".
            if !determined {
                return match words.get(i + 1) {
                    Some((_, _, next)) if next == "of" => head.into_iter().collect(),
                    _ => Vec::new(),
                };
            }
        } else if head.is_some() || !determined {
            break;
        }
        let next_gap = words.get(i + 1).map_or("", |n| &rest[*e..n.0]);
        if next_gap.contains([',', ';', '.', ':', '(', ')']) || i + 1 == words.len() {
            if !determined {
                return Vec::new();
            }
            break;
        }
    }
    head.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Document;
    use crate::content::glossary::Glossary;

    fn roles_of(text_: &str, people: &[&str]) -> (Roles, Matcher) {
        let mut glossary = Glossary::default();
        for p in people {
            glossary.entries.push((EntryKind::Person, p.to_string()));
        }
        let matcher = Matcher::new(&glossary);
        let document = Document::parse(text_);
        (Roles::new(document.sentences(), &matcher), matcher)
    }

    fn has(roles: &Roles, matcher: &Matcher, name: &str, role: &str) -> bool {
        let entry = matcher
            .entries
            .iter()
            .position(|(_, n, _)| n == name)
            .unwrap();
        roles.of(entry).contains(role)
    }

    #[test]
    fn apposed_roles_are_read_before_and_after_a_name() {
        let (roles, matcher) = roles_of(
            "The mill was planned by the engineer Anna Keller in 1801. \
             Keller had married his cousin before that. \
             Her husband Tom Pike kept the accounts. \
             Paul Ford, a Boston merchant who traded in cotton, lent the money. \
             The painter and inventor Sam Hale drew the plans. \
             The carpenters Bo Lund and Eli Marsh built the roof.",
            &[
                "Anna Keller",
                "Tom Pike",
                "Paul Ford",
                "Sam Hale",
                "Bo Lund",
                "Eli Marsh",
            ],
        );
        assert!(has(&roles, &matcher, "Anna Keller", "engineer"));
        assert!(has(&roles, &matcher, "Tom Pike", "husband"));
        assert!(has(&roles, &matcher, "Paul Ford", "merchant"));
        assert!(has(&roles, &matcher, "Sam Hale", "painter"));
        assert!(has(&roles, &matcher, "Sam Hale", "inventor"));
        assert!(has(&roles, &matcher, "Bo Lund", "carpenter"));
        assert!(has(&roles, &matcher, "Eli Marsh", "carpenter"));
    }

    #[test]
    fn a_verb_before_a_name_is_no_role() {
        let (roles, matcher) = roles_of(
            "In 1790 the council hired Anna Keller. Everyone liked Tom Pike.",
            &["Anna Keller", "Tom Pike"],
        );
        assert!(
            roles.of(0).is_empty() && roles.of(1).is_empty(),
            "{roles:?}"
        );
        let _ = matcher;
    }

    #[test]
    fn a_sentence_gives_its_blank_a_role_in_its_predicate() {
        let text_ = "Anna Keller was one of the best-known weavers of the day.";
        assert_eq!(role_in_sentence(text_, 0, 11), vec!["weaver".to_string()]);
        let text_ = "Anna Keller was a chemist in Leeds.";
        assert_eq!(role_in_sentence(text_, 0, 11), vec!["chemist".to_string()]);
        let text_ = "Anna Keller was born in Leeds.";
        assert!(role_in_sentence(text_, 0, 11).is_empty());
        let wanted = vec!["weaver".to_string()];
        let wife: HashSet<String> = ["wife".to_string()].into();
        assert!(!plays(&wanted, &wife));
        assert!(plays(&wanted, &HashSet::new()));
    }
}
