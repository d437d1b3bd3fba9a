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
//! # Short forms and what they stand for (typed answers accept either).
//! [abbreviations]
//! NEP = "New Economic Policy"
//! ```
//!
//! Every entry must occur in the document (case-insensitive); an
//! abbreviation must, its expansion need not.

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
    /// (short form, what it stands for), as written.
    pub abbreviations: Vec<(String, String)>,
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
            || self.abbreviations.iter().any(|(short, long)| {
                let (short, long) = (short.to_lowercase(), long.to_lowercase());
                (a == short && b == long) || (a == long && b == short)
            })
    }

    /// Every other name of `name`: its `same` group and abbreviation pairs.
    pub fn other_names(&self, name: &str) -> Vec<String> {
        let lower = name.to_lowercase();
        let mut names: Vec<String> = Vec::new();
        for group in self.same.iter().filter(|g| g.contains(&lower)) {
            for member in group.iter().filter(|m| **m != lower) {
                // Shown as written in the entries when listed there.
                let written = self
                    .entries
                    .iter()
                    .find(|(_, e)| e.to_lowercase() == *member)
                    .map_or_else(|| member.clone(), |(_, e)| e.clone());
                names.push(written);
            }
        }
        for (short, long) in &self.abbreviations {
            if short.to_lowercase() == lower {
                names.push(long.clone());
            } else if long.to_lowercase() == lower {
                names.push(short.clone());
            }
        }
        names
    }

    /// The kind of an entry, if listed.
    pub fn kind_of(&self, name: &str) -> Option<EntryKind> {
        let lower = name.to_lowercase();
        self.entries
            .iter()
            .find(|(_, e)| e.to_lowercase() == lower)
            .map(|(k, _)| *k)
    }

    /// The glossary in the `glossary.toml` format, ready to edit and save.
    pub fn to_toml(&self, header: &str) -> String {
        let quote = |s: &str| format!("{s:?}");
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
        }
        for (kind, key) in [
            (EntryKind::Person, "people"),
            (EntryKind::Place, "places"),
            (EntryKind::Group, "groups"),
            (EntryKind::Term, "terms"),
        ] {
            let list: Vec<String> = self.of_kind(kind).map(quote).collect();
            out.push_str(&format!("{key} = [{}]\n", list.join(", ")));
        }
        let groups: Vec<String> = self
            .same
            .iter()
            .map(|g| {
                let names: Vec<String> = g
                    .iter()
                    .map(|m| {
                        self.entries
                            .iter()
                            .find(|(_, e)| e.to_lowercase() == *m)
                            .map_or_else(|| quote(m), |(_, e)| quote(e))
                    })
                    .collect();
                format!("[{}]", names.join(", "))
            })
            .collect();
        out.push_str(
            "# Names for the same thing: never offered as wrong choices for each other.\n",
        );
        out.push_str(&format!("same = [{}]\n", groups.join(", ")));
        if !self.abbreviations.is_empty() {
            out.push_str("\n[abbreviations]\n");
            for (short, long) in &self.abbreviations {
                out.push_str(&format!("{} = {}\n", quote(short), quote(long)));
            }
        }
        out
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
    #[serde(default)]
    abbreviations: std::collections::BTreeMap<String, Spanned<String>>,
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
    for (short, long) in raw.abbreviations {
        let line = Some(line_of(text, long.span().start));
        let short = collapse_whitespace(&short);
        let expansion = collapse_whitespace(long.get_ref());
        if short.is_empty() || expansion.is_empty() {
            errors.push(ContentError::new(
                file,
                line,
                "an abbreviation or its expansion is empty",
            ));
        } else if !contains_phrase(&haystack, &short.to_lowercase()) {
            errors.push(ContentError::new(
                file,
                line,
                format!("the abbreviation {short:?} does not occur in the document"),
            ));
        } else {
            glossary.abbreviations.push((short, expansion));
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
    fn abbreviations_join_their_expansion_and_must_occur() {
        let doc = Document::parse("The NEP was Lenin's policy.");
        let (glossary, errors) = parse_glossary(
            "g.toml",
            "terms = [\"NEP\"]\n[abbreviations]\nNEP = \"New Economic Policy\"\nTASS = \"news agency\"\n",
            &doc,
        );
        assert!(glossary.same_thing("nep", "New Economic Policy"));
        assert_eq!(glossary.other_names("NEP"), ["New Economic Policy"]);
        assert_eq!(
            errors[0].to_string(),
            "g.toml:4: the abbreviation \"TASS\" does not occur in the document"
        );
    }

    #[test]
    fn the_toml_form_reads_back_as_the_same_glossary() {
        let doc = Document::parse("Stalin and the USSR, the Soviet Union, and the NEP.");
        let text = "people = [\"Stalin\"]\nplaces = [\"USSR\", \"Soviet Union\"]\nterms = [\"NEP\"]\nsame = [[\"USSR\", \"Soviet Union\"]]\n[abbreviations]\nNEP = \"New Economic Policy\"\n";
        let (glossary, errors) = parse_glossary("g.toml", text, &doc);
        assert!(errors.is_empty(), "{errors:?}");
        let written = glossary.to_toml("made by a test\n\nsecond line");
        assert!(
            written.starts_with("# made by a test\n#\n# second line\n"),
            "{written}"
        );
        let (again, errors) = parse_glossary("g.toml", &written, &doc);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(again, glossary);
    }

    #[test]
    fn phrases_match_whole_words_only() {
        assert!(contains_phrase("the nep was", "nep"));
        assert!(!contains_phrase("the nephew", "nep"));
    }
}
