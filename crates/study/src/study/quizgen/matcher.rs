//! Finding glossary entries in a text: whole words only (never inside a
//! word, so a blank can never cut "ope___"), longest entry first, and a
//! capitalised entry only as a whole name ("Wedgwood" is not found inside
//! "Emma Wedgwood"). A possessive "'s" stays outside the match.

use std::collections::HashMap;

use crate::content::glossary::{EntryKind, Glossary};

use super::prepare::word_spans;

/// One entry found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Index into [`Matcher::entries`].
    pub entry: usize,
    pub kind: EntryKind,
}

/// Entries indexed by their first word.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    /// (kind, entry as written, its lowercase words).
    pub entries: Vec<(EntryKind, String, Vec<String>)>,
    by_first_word: HashMap<String, Vec<usize>>,
}

fn without_possessive(word: &str) -> &str {
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .unwrap_or(word)
}

impl Matcher {
    pub fn new(glossary: &Glossary) -> Self {
        let mut matcher = Self::default();
        for (kind, entry) in &glossary.entries {
            let words: Vec<String> = word_spans(entry).into_iter().map(|(_, _, w)| w).collect();
            if words.is_empty() {
                continue;
            }
            let index = matcher.entries.len();
            matcher
                .by_first_word
                .entry(words[0].clone())
                .or_default()
                .push(index);
            matcher.entries.push((*kind, entry.clone(), words));
        }
        for list in matcher.by_first_word.values_mut() {
            list.sort_by_key(|&i| std::cmp::Reverse(matcher.entries[i].2.len()));
        }
        matcher
    }

    /// The entries in `text`, in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let words = word_spans(text);
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let stem = without_possessive(&words[i].2);
            let candidates = self
                .by_first_word
                .get(words[i].2.as_str())
                .or_else(|| self.by_first_word.get(stem));
            let mut matched = None;
            for &index in candidates.into_iter().flatten() {
                let (kind, entry, entry_words) = &self.entries[index];
                let n = entry_words.len();
                if i + n > words.len() {
                    continue;
                }
                let fits = (0..n).all(|k| {
                    let word = &words[i + k].2;
                    let same = if k + 1 == n {
                        word == &entry_words[k] || without_possessive(word) == entry_words[k]
                    } else {
                        word == &entry_words[k]
                    };
                    let joined =
                        k == 0 || text[words[i + k - 1].1..words[i + k].0].trim().is_empty();
                    same && joined
                });
                if !fits {
                    continue;
                }
                let start = words[i].0;
                let last = &words[i + n - 1];
                let end = last.0 + without_possessive(&text[last.0..last.1].to_lowercase()).len();
                // A capitalised entry must be the whole name, written as
                // a name ("a former mill worker" is not John Stuart Mill).
                if entry.chars().next().is_some_and(char::is_uppercase) {
                    let capital = |w: &(usize, usize, String)| {
                        text[w.0..].chars().next().is_some_and(char::is_uppercase)
                    };
                    if !capital(&words[i]) {
                        continue;
                    }
                    // A capitalised small word opening the sentence ("In
                    // Stalin ...") is not part of the name.
                    let before_joined = i > 0
                        && text[words[i - 1].1..start].trim().is_empty()
                        && capital(&words[i - 1])
                        && !(i == 1 && crate::study::text::is_stopword(&words[0].2));
                    let after_joined = words.get(i + n).is_some_and(|next| {
                        text[last.1..next.0].trim().is_empty() && capital(next)
                    }) && end == last.1;
                    if before_joined || after_joined {
                        continue;
                    }
                }
                matched = Some(Found {
                    start,
                    end,
                    entry: index,
                    kind: *kind,
                });
                i += n;
                break;
            }
            match matched {
                Some(m) => found.push(m),
                None => i += 1,
            }
        }
        found
    }
}

/// Whether `phrase` occurs in `haystack` as whole words (both lowercase).
pub fn contains_words(haystack: &str, phrase: &str) -> bool {
    crate::content::glossary::contains_phrase(haystack, phrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(entries: &[(EntryKind, &str)]) -> Matcher {
        Matcher::new(&Glossary {
            entries: entries.iter().map(|(k, e)| (*k, e.to_string())).collect(),
            ..Glossary::default()
        })
    }

    #[test]
    fn finds_whole_words_longest_first_outside_possessives() {
        let m = matcher(&[
            (EntryKind::Person, "Wedgwood"),
            (EntryKind::Person, "Josiah Wedgwood"),
            (EntryKind::Term, "ope"),
        ]);
        let text = "Josiah Wedgwood's firm was open; Wedgwood's wares sold.";
        let found: Vec<&str> = m.find(text).iter().map(|f| &text[f.start..f.end]).collect();
        assert_eq!(found, ["Josiah Wedgwood", "Wedgwood"]);
    }

    #[test]
    fn a_capitalised_entry_is_not_found_inside_a_longer_name() {
        let m = matcher(&[(EntryKind::Person, "Wedgwood")]);
        assert!(m.find("He married Emma Wedgwood in 1839.").is_empty());
        assert!(m.find("Josiah Wedgwood II took over.").is_empty());
        assert_eq!(m.find("Wedgwood married Sarah.").len(), 1);
        assert_eq!(m.find("In Wedgwood's time.").len(), 1);
    }

    #[test]
    fn a_name_is_found_only_where_it_is_written_as_a_name() {
        let m = matcher(&[(EntryKind::Person, "Mill"), (EntryKind::Term, "mill")]);
        let text = "Mill spoke for women; she was a former mill worker.";
        let found = m.find(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].kind, EntryKind::Person);
        assert_eq!(found[1].kind, EntryKind::Term);
        let only_person = matcher(&[(EntryKind::Person, "Mill")]);
        assert_eq!(only_person.find("a former mill worker").len(), 0);
    }
}
