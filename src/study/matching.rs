//! Forgiving comparison of typed quiz answers: case, accents, punctuation,
//! leading articles, number words ("ten thousand" = 10,000) and small typos
//! scaled by length are forgiven; numbers must match exactly, so "1" never
//! matches "100".

use super::text;

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
        max > 0 && text::edit_distance_within(&given_words, &expected_words, max).is_some()
    })
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
    fn any_listed_alternative_counts() {
        assert!(accepts("Leon Trotsky", &["Trotsky", "Leon Trotsky"]));
        assert!(!accepts("", &["Trotsky"]));
    }
}
