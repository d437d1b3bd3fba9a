//! The pack's glossary (`glossary.toml`): the people, places, groups and key
//! terms of the document, by kind. Question generation uses it to know what
//! kind of thing an answer is and to pick distractors of the same kind
//! ("a person for a person"). Optional: without it, generated questions use
//! numbers and capitalised names only.
//!
//! ```toml
//! people = ["Stalin", "Trotsky"]
//! places = ["Moscow", "Japan"]
//! groups = ["peasants", "rightists"]
//! terms = ["kolkhoz", "Five-year Plan"]
//! # Names for the same thing: never offered as wrong choices for each other.
//! same = [["Russia", "Soviet Union", "USSR"]]
//! ```
//!
//! Every entry must occur in the document (case-insensitive).

use serde::Deserialize;
use toml::Spanned;

use super::document::{Document, collapse_whitespace};
use super::error::{ContentError, line_of, toml_error};

/// What kind of thing a glossary entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    Person,
    Place,
    Group,
    Term,
}

impl EntryKind {
    pub fn name(&self) -> &'static str {
        match self {
            EntryKind::Person => "person",
            EntryKind::Place => "place",
            EntryKind::Group => "group",
            EntryKind::Term => "term",
        }
    }
}

/// The glossary: entries with their kind, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glossary {
    pub entries: Vec<(EntryKind, String)>,
    /// Groups of entries that name the same thing (lowercase).
    pub same: Vec<Vec<String>>,
}

impl Glossary {
    /// The entries of one kind.
    pub fn of_kind(&self, kind: EntryKind) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, e)| e.as_str())
    }

    /// Whether two entries name the same thing (equal, or in one `same` group).
    pub fn same_thing(&self, a: &str, b: &str) -> bool {
        let (a, b) = (a.to_lowercase(), b.to_lowercase());
        a == b
            || self
                .same
                .iter()
                .any(|group| group.contains(&a) && group.contains(&b))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlossary {
    #[serde(default)]
    people: Vec<Spanned<String>>,
    #[serde(default)]
    places: Vec<Spanned<String>>,
    #[serde(default)]
    groups: Vec<Spanned<String>>,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    #[serde(default)]
    same: Vec<Spanned<Vec<String>>>,
}

/// Parses and checks the glossary against the document.
pub fn parse_glossary(
    file: &str,
    text: &str,
    document: &Document,
) -> (Glossary, Vec<ContentError>) {
    let raw: RawGlossary = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => return (Glossary::default(), vec![toml_error(file, text, &error)]),
    };
    let haystack = collapse_whitespace(document.text()).to_lowercase();
    let mut glossary = Glossary::default();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (kind, list) in [
        (EntryKind::Person, raw.people),
        (EntryKind::Place, raw.places),
        (EntryKind::Group, raw.groups),
        (EntryKind::Term, raw.terms),
    ] {
        for entry in list {
            let line = Some(line_of(text, entry.span().start));
            let value = collapse_whitespace(entry.get_ref());
            let lower = value.to_lowercase();
            if value.is_empty() {
                errors.push(ContentError::new(file, line, "an entry is empty"));
            } else if !contains_phrase(&haystack, &lower) {
                errors.push(ContentError::new(
                    file,
                    line,
                    format!("{value:?} does not occur in the document"),
                ));
            } else if let Some(previous) = seen.insert(lower, kind) {
                errors.push(ContentError::new(
                    file,
                    line,
                    format!(
                        "{value:?} is listed twice (as {} and {})",
                        previous.name(),
                        kind.name()
                    ),
                ));
            } else {
                glossary.entries.push((kind, value));
            }
        }
    }
    for group in raw.same {
        let line = Some(line_of(text, group.span().start));
        let members: Vec<String> = group
            .get_ref()
            .iter()
            .map(|m| collapse_whitespace(m).to_lowercase())
            .collect();
        match members.iter().find(|m| !seen.contains_key(*m)) {
            Some(unknown) => errors.push(ContentError::new(
                file,
                line,
                format!("{unknown:?} in `same` is not listed as a person, place, group or term"),
            )),
            None if members.len() < 2 => errors.push(ContentError::new(
                file,
                line,
                "a `same` group needs at least two entries",
            )),
            None => glossary.same.push(members),
        }
    }
    (glossary, errors)
}

/// Whether `needle` occurs in `haystack` as whole words.
pub fn contains_phrase(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_must_occur_in_the_document_once_each() {
        let doc = Document::parse("Stalin met Trotsky in Moscow.");
        let (glossary, errors) = parse_glossary(
            "g.toml",
            "people = [\"Stalin\", \"Lenin\"]\nplaces = [\"moscow\", \"Stalin\"]\n",
            &doc,
        );
        assert_eq!(
            glossary.of_kind(EntryKind::Person).collect::<Vec<_>>(),
            ["Stalin"]
        );
        assert_eq!(
            glossary.of_kind(EntryKind::Place).collect::<Vec<_>>(),
            ["moscow"]
        );
        assert!(!glossary.same_thing("Stalin", "moscow"));
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "g.toml:1: \"Lenin\" does not occur in the document",
                "g.toml:2: \"Stalin\" is listed twice (as person and place)"
            ]
        );
    }

    #[test]
    fn same_groups_join_names_of_one_thing() {
        let doc = Document::parse("Russia, the USSR and the Soviet Union.");
        let (glossary, errors) = parse_glossary(
            "g.toml",
            "places = [\"Russia\", \"USSR\", \"Soviet Union\"]\nsame = [[\"Russia\", \"USSR\"], [\"Russia\", \"Mars\"]]\n",
            &doc,
        );
        assert!(glossary.same_thing("russia", "USSR"));
        assert!(!glossary.same_thing("Soviet Union", "USSR"));
        assert_eq!(
            errors[0].to_string(),
            "g.toml:2: \"mars\" in `same` is not listed as a person, place, group or term"
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("the nep was", "nep"));
        assert!(!contains_phrase("the nephew", "nep"));
    }
}
