//! Property tests over the text that users type: `/ask` questions and typed
//! quiz answers (the importers have theirs in `content::import`). Whatever
//! the text, nothing panics and the answers keep their shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use lectern_study::content::Pack;
use lectern_study::study::Answerer;
use lectern_study::study::matching::typed_answer_matches;
use proptest::prelude::*;

fn answerer() -> &'static Answerer {
    static ANSWERER: OnceLock<Answerer> = OnceLock::new();
    ANSWERER.get_or_init(|| {
        let pack = Pack::bundled().unwrap();
        Answerer::new(&pack.document, &pack.synonyms)
    })
}

/// Questions made of the pieces that make the parser work: question words,
/// numbers in figures and in words, dates, names, punctuation, and noise.
fn question_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("how many ".to_string()),
            Just("when did ".to_string()),
            Just("who was ".to_string()),
            Just("was ".to_string()),
            Just("did ".to_string()),
            Just("why ".to_string()),
            Just("Stalin ".to_string()),
            Just("kolkhoz ".to_string()),
            Just("one hundred ".to_string()),
            Just("hundred ".to_string()),
            Just("billion ".to_string()),
            Just("99999999999999999999 ".to_string()),
            Just("1937 ".to_string()),
            Just("-44 ".to_string()),
            Just("? ".to_string()),
            Just("'s ".to_string()),
            Just("\u{200b}".to_string()),
            Just("@everyone ".to_string()),
            "[a-zA-Z]{1,12} ",
            "\\PC{0,6}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn ask_answers_any_text_with_at_most_top_passages(question in question_soup(), top in 0usize..5) {
        let answer = answerer().answer(&question, top);
        prop_assert!(answer.hits.len() <= top.max(1));
        if answer.refusal.is_some() {
            prop_assert!(answer.hits.is_empty());
        }
    }

    #[test]
    fn ask_answers_arbitrary_unicode(question in "\\PC{0,200}") {
        let _ = answerer().answer(&question, 3);
    }

    #[test]
    fn typed_answers_never_panic(given in "\\PC{0,80}", accepted in prop::collection::vec("\\PC{0,40}", 0..4)) {
        let _ = typed_answer_matches(&given, &accepted);
    }

    #[test]
    fn a_name_typed_as_accepted_in_any_case_matches(
        first in "[A-Z][a-z]{3,10}",
        last in "[A-Z][a-z]{3,10}",
    ) {
        let name = format!("{first} {last}");
        prop_assert!(typed_answer_matches(&name, std::slice::from_ref(&name)));
        prop_assert!(typed_answer_matches(&name.to_uppercase(), std::slice::from_ref(&name)));
        let padded = format!("  {}  ", name.to_lowercase());
        prop_assert!(typed_answer_matches(&padded, std::slice::from_ref(&name)));
    }
}
