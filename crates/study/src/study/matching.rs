//! Forgiving comparison of typed quiz answers: case, accents, punctuation,
//! leading articles, number words ("ten thousand" = 10,000) and small typos
//! scaled by length are forgiven; numbers must match exactly, so "1" never
//! matches "100". A full name that contains a name answer counts ("Joseph
//! Stalin" for "Stalin"), and so do the answer's other names from the
//! glossary: its `same` group ("USSR" for "Soviet Union") and declared
//! abbreviations ("New Economic Policy" for "NEP").

use crate::content::glossary::Glossary;

use super::text;

/// The answers a question accepts plus every other name the glossary
/// gives them.
pub fn with_other_names(accepted: &[String], glossary: &Glossary) -> Vec<String> {
    let mut all: Vec<String> = accepted.to_vec();
    for answer in accepted {
        // "a kolkhoz" is listed as "kolkhoz".
        let bare = answer
            .strip_prefix("a ")
            .or_else(|| answer.strip_prefix("an "))
            .unwrap_or(answer);
        for other in glossary.other_names(bare) {
            if !all.iter().any(|a| a.eq_ignore_ascii_case(&other)) {
                all.push(other);
            }
        }
    }
    all
}

/// Words that make a longer answer a different claim, not a fuller name.
const NOT_A_NAME: &[&str] = &["and", "or", "not", "nor", "but", "with", "than", "of"];

/// The comparable form of an answer: words folded, numbers as digits,
/// leading articles dropped.
fn comparable(answer: &str) -> Vec<(String, bool)> {
    let mut parts: Vec<(String, bool)> = text::tokenize(answer)
        .into_iter()
        .map(|t| {
            if t.is_number {
                (t.term, true)
            } else {
                (t.surface, false)
            }
        })
        .collect();
    while parts.len() > 1 && matches!(parts[0].0.as_str(), "a" | "an" | "the") && !parts[0].1 {
        parts.remove(0);
    }
    parts
}

/// Whether `given` matches any of the `accepted` answers.
pub fn typed_answer_matches(given: &str, accepted: &[String]) -> bool {
    let given = comparable(given);
    if given.is_empty() {
        return false;
    }
    accepted.iter().any(|answer| {
        let expected = comparable(answer);
        if expected.is_empty() {
            return false;
        }
        let numbers = |parts: &[(String, bool)]| -> Vec<String> {
            parts.iter().filter(|p| p.1).map(|p| p.0.clone()).collect()
        };
        if numbers(&given) != numbers(&expected) {
            return false;
        }
        let words = |parts: &[(String, bool)]| -> String {
            parts
                .iter()
                .filter(|p| !p.1)
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (given_words, expected_words) = (words(&given), words(&expected));
        if given_words == expected_words {
            return true;
        }
        // A bare number answers "about 20 miles" only when the number is the
        // whole point: the expected words are units, not a different claim.
        if given_words.is_empty() && !numbers(&expected).is_empty() {
            return expected_words.split(' ').count() <= 2;
        }
        let max = text::allowed_typos(expected_words.chars().count());
        if max > 0 && text::edit_distance_within(&given_words, &expected_words, max).is_some() {
            return true;
        }
        is_fuller_name(&given_words, &expected_words, answer)
    })
}

/// "joseph stalin" for "Stalin": the answer is a name (capitalised), its
/// words end or start the given words, and at most two name words are added.
fn is_fuller_name(given: &str, expected: &str, answer: &str) -> bool {
    if !answer.trim().chars().next().is_some_and(char::is_uppercase) || expected.is_empty() {
        return false;
    }
    let given: Vec<&str> = given.split(' ').collect();
    let expected: Vec<&str> = expected.split(' ').collect();
    if given.len() <= expected.len() || given.len() > expected.len() + 2 {
        return false;
    }
    let extra_ok = |extra: &[&str]| {
        extra
            .iter()
            .all(|w| !NOT_A_NAME.contains(w) && !text::is_stopword(w) && w.len() > 1)
    };
    let n = expected.len();
    (given.ends_with(&expected) && extra_ok(&given[..given.len() - n]))
        || (given.starts_with(&expected) && extra_ok(&given[n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepts(given: &str, accepted: &[&str]) -> bool {
        let accepted: Vec<String> = accepted.iter().map(|s| s.to_string()).collect();
        typed_answer_matches(given, &accepted)
    }

    #[test]
    fn forgives_case_accents_punctuation_and_articles() {
        assert!(accepts("the KOLKHOZ!", &["kolkhoz"]));
        assert!(accepts("Zinóviev", &["Zinoviev"]));
        assert!(accepts("a kolkhoz", &["The kolkhoz"]));
    }

    #[test]
    fn forgives_small_typos_scaled_by_length() {
        assert!(accepts("Trotksy", &["Trotsky"]));
        assert!(accepts("collectivisaton", &["collectivisation"]));
        assert!(!accepts("Lenin", &["Stalin"]));
        assert!(!accepts("NAP", &["NEP"]));
    }

    #[test]
    fn number_words_match_digits_but_numbers_must_be_equal() {
        assert!(accepts("ten thousand", &["10,000"]));
        assert!(accepts("100000", &["one hundred thousand"]));
        assert!(accepts("20", &["about 20 miles"]));
        assert!(!accepts("1", &["100"]));
        assert!(!accepts("10", &["100"]));
        assert!(!accepts("200 miles", &["about 20 miles"]));
    }

    #[test]
    fn a_full_name_containing_a_name_answer_counts_but_not_another_claim() {
        assert!(accepts("joseph stalin", &["Stalin"]));
        assert!(accepts("Leon Trotsky", &["Trotsky"]));
        assert!(accepts("Josiah Wedgwood", &["Josiah"]));
        assert!(!accepts("Trotsky and Stalin", &["Stalin"]));
        assert!(!accepts("not Stalin", &["Stalin"]));
        assert!(!accepts("big kolkhoz", &["kolkhoz"]));
    }

    #[test]
    fn other_names_from_the_glossary_count() {
        let glossary = Glossary {
            same: vec![vec!["soviet union".into(), "ussr".into(), "russia".into()]],
            abbreviations: vec![("NEP".into(), "New Economic Policy".into())],
            ..Glossary::default()
        };
        let accepted = with_other_names(&["Soviet Union".to_string()], &glossary);
        assert!(typed_answer_matches("USSR", &accepted));
        assert!(typed_answer_matches("russia", &accepted));
        let accepted = with_other_names(&["NEP".to_string()], &glossary);
        assert!(typed_answer_matches("the new economic policy", &accepted));
        assert!(!typed_answer_matches("five-year plan", &accepted));
    }

    #[test]
    fn any_listed_alternative_counts() {
        assert!(accepts("Leon Trotsky", &["Trotsky", "Leon Trotsky"]));
        assert!(!accepts("", &["Trotsky"]));
    }
}
