//! The document's own definitions of its key words, asked in reverse:
//! "Which of these does the document describe as a device that turns
//! chemical energy into electrical energy?" with the other words the
//! document defines as wrong choices.
//!
//! A definition is one of:
//! - "A battery is a device that ...", "An insulator is a material ...";
//! - "... the relay, which is a switch worked by ...";
//! - "... the electromagnet, a coil of wire that ...";
//! - "... a switch called a key", "swellings called buboes".
//!
//! Every wrong choice is a word the same document defines otherwise, so it
//! is plausible (a term of the subject, of the answer's shape) and
//! definitely wrong (the document says what it is instead). A handout
//! teaches in such words, whether or not the glossary lists them.

use super::prepare::word_spans;
use crate::study::text;

/// One definition the document gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub sentence: usize,
    /// The defined word as written, without its article ("battery").
    pub term: String,
    /// What it is, with its article ("a device that turns ...").
    pub description: String,
}

/// Fewest and most words of a description worth asking.
const DESCRIPTION_WORDS: std::ops::RangeInclusive<usize> = 3..=22;

/// A defined term: one or two lowercase words (hyphens allowed).
fn term_shape(term: &str) -> bool {
    let words: Vec<&str> = term.split_whitespace().collect();
    (1..=2).contains(&words.len())
        && words.iter().all(|w| {
            w.len() >= 3 && w.chars().all(|c| c.is_lowercase() || c == '-') && !text::is_stopword(w)
        })
}

/// The description up to where the sentence goes on with another clause.
fn trim_description(description: &str) -> String {
    let mut cut = description.len();
    for stop in [
        ", so ",
        ", and ",
        ", but ",
        "; ",
        ": ",
        ", which ",
        " (",
        ", meaning",
    ] {
        if let Some(at) = description.find(stop) {
            cut = cut.min(at);
        }
    }
    description[..cut]
        .trim()
        .trim_end_matches(['.', ',', '!'])
        .to_string()
}

/// The definitions of one sentence.
pub fn definitions_in(sentence: usize, text_: &str) -> Vec<Definition> {
    let mut found = Vec::new();
    let body = text_.trim();
    // "A battery is a device that ...".
    for article in ["A ", "An "] {
        if let Some(rest) = body.strip_prefix(article)
            && let Some((term, description)) = rest
                .split_once(" is a ")
                .map(|(t, d)| (t, format!("a {d}")))
                .or_else(|| {
                    rest.split_once(" is an ")
                        .map(|(t, d)| (t, format!("an {d}")))
                })
        {
            found.push((term.to_string(), description));
        }
    }
    // "the relay, which is a switch ...".
    for (at, _) in body.match_indices(", which is a") {
        let before = &body[..at];
        let words = word_spans(before);
        if let [.., (det_start, det_end, det), (start, end, _)] = words.as_slice()
            && matches!(det.as_str(), "the" | "a" | "an")
            && before[*det_end..*start].trim().is_empty()
            && *det_start < *start
        {
            let description = body[at + ", which is ".len()..].to_string();
            found.push((before[*start..*end].to_string(), description));
        }
    }
    // "the electromagnet, a coil of wire that ...": a lowercase word in
    // apposition.
    for article in [", a ", ", an "] {
        for (at, _) in body.match_indices(article) {
            let before = &body[..at];
            let words = word_spans(before);
            // Only after "the": "a war, a harvest or ..." is a list.
            if let [.., (_, det_end, det), (start, end, _)] = words.as_slice()
                && det == "the"
                && before[*det_end..*start].trim().is_empty()
                && *end == before.len()
            {
                let description = body[at + 2..].to_string();
                if description.contains(" or ") || description.contains(" called ") {
                    continue;
                }
                found.push((before[*start..*end].to_string(), description));
            }
        }
    }
    // "a switch called a key", "painful swellings called buboes".
    for (at, _) in body.match_indices(" called ") {
        let before = &body[..at];
        let after = &body[at + " called ".len()..];
        let words_after = word_spans(after);
        let Some((term_start, term_end, first)) = words_after.first() else {
            continue;
        };
        let (term_start, term_end) = if matches!(first.as_str(), "a" | "an") {
            match words_after.get(1) {
                Some((s, e, _)) => (*s, *e),
                None => continue,
            }
        } else {
            (*term_start, *term_end)
        };
        // The thing called: back to its article.
        let words_before = word_spans(before);
        let Some(article) = words_before
            .iter()
            .rposition(|(_, _, w)| matches!(w.as_str(), "a" | "an"))
        else {
            continue;
        };
        if words_before.len() - article > 5
            || before[words_before[article].0..].contains([',', ';'])
        {
            continue;
        }
        found.push((
            after[term_start..term_end].to_string(),
            before[words_before[article].0..].to_string(),
        ));
    }
    found
        .into_iter()
        .filter_map(|(term, description)| {
            let term = term.trim().to_string();
            let description = trim_description(&description);
            let words = description.split_whitespace().count();
            let lower = term.to_lowercase();
            (term_shape(&term)
                && DESCRIPTION_WORDS.contains(&words)
                && !crate::study::quizgen::matcher::contains_words(&description, &lower)
                && !description.contains('"')
                && !word_spans(&description).iter().any(|(_, _, w)| {
                    matches!(
                        w.as_str(),
                        "he" | "she" | "they" | "this" | "these" | "those" | "him" | "her" | "them"
                    )
                }))
            .then_some(Definition {
                sentence,
                term,
                description,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shapes_of_a_definition_are_read() {
        let cases = [
            (
                0,
                "A flywheel is a heavy wheel that stores energy as it spins.",
                "flywheel",
                "a heavy wheel that stores energy as it spins",
            ),
            (
                1,
                "The answer was the governor, which is a valve worked by two spinning weights, so the speed stayed even.",
                "governor",
                "a valve worked by two spinning weights",
            ),
            (
                3,
                "Heat came from the firebox, a steel box under the boiler where coal burned.",
                "firebox",
                "a steel box under the boiler where coal burned",
            ),
            (
                2,
                "Steam was let in by a sliding plate called a shutter when the piston moved.",
                "shutter",
                "a sliding plate",
            ),
        ];
        for (index, sentence, term, description) in cases {
            let d = definitions_in(index, sentence);
            assert_eq!(d[0].term, term, "{sentence}");
            assert_eq!(d[0].description, description, "{sentence}");
        }
    }

    #[test]
    fn a_short_or_self_naming_description_or_a_list_is_no_definition() {
        assert!(definitions_in(0, "News of a war, a harvest or a flood came late.").is_empty());
        assert!(definitions_in(0, "A boiler is a big boiler.").is_empty());
        assert!(definitions_in(0, "A piston is a part.").is_empty());
        assert!(definitions_in(0, "A valve is a thing he made.").is_empty());
        assert!(definitions_in(0, "Mills grew in a town called Leek.").is_empty());
    }
}
