//! Quality floors for `/ask`, so a change cannot silently make answers
//! worse: on questions written for this project (`tests/fixtures`), and on
//! round 3's blind test sets (`eval/blind/*-test3.jsonl`, written by
//! someone who saw only the document; never tuned on), one of them on a
//! document nobody tuned on at all.

use std::path::Path;

use lectern::content::Pack;
use lectern::study::Answerer;
use serde_json::Value;

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// r@1, r@3, refuse, false_refuse, and the misses, as `run_eval.py` counts them.
struct Scores {
    at1: f64,
    at3: f64,
    refuse: f64,
    false_refuse: f64,
    summary: String,
}

fn score(pack: &Pack, set: &str) -> Scores {
    let answerer = Answerer::new(&pack.document, &pack.synonyms);
    let (mut answerable, mut at1, mut at3, mut false_refusals) = (0, 0, 0, 0);
    let (mut unanswerable, mut refused) = (0, 0);
    let mut misses = Vec::new();
    for line in set.lines().filter(|l| !l.trim().is_empty()) {
        let item: Value = serde_json::from_str(line).unwrap();
        let question = item["question"].as_str().unwrap();
        let answer = answerer.answer(question, 3);
        if item["answerable"].as_bool().unwrap() {
            answerable += 1;
            let gold: Vec<String> = item["gold"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| normalise(g.as_str().unwrap()))
                .collect();
            let correct = |text: &str| {
                let text = normalise(text);
                text.chars().count() <= 300 && gold.iter().any(|g| text.contains(g.as_str()))
            };
            let ranks: Vec<bool> = answer.hits.iter().map(|h| correct(&h.text)).collect();
            if !answer.answered() {
                false_refusals += 1;
            }
            if ranks.first() == Some(&true) {
                at1 += 1;
            } else {
                misses.push(question.to_string());
            }
            if ranks.iter().take(3).any(|c| *c) {
                at3 += 1;
            }
        } else {
            unanswerable += 1;
            if answer.answered() {
                misses.push(format!("(should refuse) {question}"));
            } else {
                refused += 1;
            }
        }
    }
    let ratio = |a: i32, b: i32| f64::from(a) / f64::from(b.max(1));
    let scores = Scores {
        at1: ratio(at1, answerable),
        at3: ratio(at3, answerable),
        refuse: ratio(refused, unanswerable),
        false_refuse: ratio(false_refusals, answerable),
        summary: String::new(),
    };
    Scores {
        summary: format!(
            "r@1={:.3} r@3={:.3} refuse={:.3} false_refuse={:.3}; misses: {misses:#?}",
            scores.at1, scores.at3, scores.refuse, scores.false_refuse
        ),
        ..scores
    }
}

fn assert_floor(s: &Scores, at1: f64, at3: f64, refuse: f64, false_refuse: f64) {
    assert!(s.at1 >= at1, "r@1 below {at1}: {}", s.summary);
    assert!(s.at3 >= at3, "r@3 below {at3}: {}", s.summary);
    assert!(s.refuse >= refuse, "refuse below {refuse}: {}", s.summary);
    assert!(
        s.false_refuse <= false_refuse,
        "false refusals above {false_refuse}: {}",
        s.summary
    );
}

fn eval_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("eval")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A floor: r@1, r@3, refuse (at least), false_refuse (at most).
type Floor = (f64, f64, f64, f64);

fn assert_above(pack: &Pack, set: &str, floor: Floor) {
    assert_floor(&score(pack, set), floor.0, floor.1, floor.2, floor.3);
}

fn eval_pack(name: &str) -> Pack {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("eval/packs")
        .join(name);
    Pack::load(&dir).unwrap()
}

#[test]
fn project_questions_are_answered_and_refused_above_the_floor() {
    let set = include_str!("../fixtures/qa-extra.jsonl");
    assert_above(&Pack::bundled().unwrap(), set, FLOOR_EXTRA);
}

#[test]
fn blind_test_questions_on_the_bundled_essay_stay_above_the_floor() {
    let set = eval_file("blind/ussr-test3.jsonl");
    assert_above(&Pack::bundled().unwrap(), &set, FLOOR_USSR);
}

#[test]
fn blind_test_questions_on_a_teachers_document_stay_above_the_floor() {
    let set = eval_file("blind/wedgwood-test3.jsonl");
    assert_above(&eval_pack("wedgwood"), &set, FLOOR_DOC2);
}

#[test]
fn blind_test_questions_on_a_science_handout_stay_above_the_floor() {
    let set = eval_file("blind/volcanoes-test3.jsonl");
    assert_above(&eval_pack("volcanoes"), &set, FLOOR_DOC3);
}

#[test]
fn blind_test_questions_on_a_document_nobody_tuned_on_stay_above_the_floor() {
    let set = eval_file("blind/blackdeath-test3.jsonl");
    assert_above(&eval_pack("blackdeath"), &set, FLOOR_DOC4);
}

#[test]
fn round_four_blind_test_questions_on_the_essay_stay_above_the_floor() {
    let set = eval_file("blind/ussr-test4.jsonl");
    assert_above(&Pack::bundled().unwrap(), &set, FLOOR_USSR4);
}

#[test]
fn round_four_blind_test_questions_on_a_fifth_document_stay_above_the_floor() {
    let set = eval_file("blind/telegraph-test4.jsonl");
    assert_above(&eval_pack("telegraph"), &set, FLOOR_DOC5);
}

#[test]
fn round_five_blind_test_questions_on_the_essay_stay_above_the_floor() {
    let set = eval_file("blind/ussr-test5.jsonl");
    assert_above(&Pack::bundled().unwrap(), &set, FLOOR_USSR5);
}

#[test]
fn round_five_blind_test_questions_on_a_sixth_document_stay_above_the_floor() {
    let set = eval_file("blind/sewers-test5.jsonl");
    assert_above(&eval_pack("sewers"), &set, FLOOR_DOC6);
}

#[test]
fn round_six_blind_questions_on_the_dust_bowl_handout_stay_above_the_floor() {
    let set = eval_file("blind/dustbowl-test6.jsonl");
    assert_above(&eval_pack("dustbowl"), &set, FLOOR_DOC7);
}

#[test]
fn round_six_blind_questions_on_the_rosetta_stone_handout_stay_above_the_floor() {
    let set = eval_file("blind/rosetta-test6.jsonl");
    assert_above(&eval_pack("rosetta"), &set, FLOOR_DOC8);
}

#[test]
fn round_six_blind_test_questions_on_the_apollo_handout_stay_above_the_floor() {
    let set = eval_file("blind/apollo-test7.jsonl");
    assert_above(&eval_pack("apollo"), &set, FLOOR_DOC9);
}

#[test]
fn round_seven_blind_test_questions_on_three_new_handouts_stay_above_the_floor() {
    for (pack, set, floor) in [
        ("suffrage", "blind/suffrage-test9.jsonl", FLOOR_DOC10),
        ("panama", "blind/panama-test9.jsonl", FLOOR_DOC11),
        ("tea", "blind/tea-test10.jsonl", FLOOR_DOC12),
    ] {
        assert_above(&eval_pack(pack), &eval_file(set), floor);
    }
}

// Floors: r@1, r@3, refuse (at least), false_refuse (at most); a little
// under the figures measured when they were set, so that only a real
// regression fails. Round 3 (passages that go on into the next sentence,
// the refusal cut for the most questions handled right), scored once on
// the fresh test sets: extra r@1 0.857 r@3 0.929 refuse 0.583 false 0.071;
// essay 0.795 0.909 0.636 0.068; handout 0.611 0.806 0.500 0.139; science
// handout 0.889 0.917 0.556 0.083; the fourth document 0.675 0.825 0.550
// 0.100. Main before this round, on the same sets: essay 0.682 0.727
// 0.864 0.273; handout 0.556 0.722 0.778 0.194; science handout 0.722
// 0.833 0.889 0.111; the fourth document 0.525 0.625 0.700 0.300 (see
// eval/README.md for both lines).
const FLOOR_EXTRA: Floor = (0.81, 0.89, 0.52, 0.11);
const FLOOR_USSR: Floor = (0.75, 0.87, 0.57, 0.11);
const FLOOR_DOC2: Floor = (0.57, 0.76, 0.44, 0.18);
const FLOOR_DOC3: Floor = (0.85, 0.87, 0.50, 0.12);
const FLOOR_DOC4: Floor = (0.63, 0.78, 0.49, 0.14);
// Round 4 (measurements need a figure of their dimension, headings are
// never answers, eras and centuries date a sentence), scored once on fresh
// sets: essay 0.620 0.720 0.600 0.200; the telegraph handout, a fifth
// document, 0.800 0.820 0.520 0.060. Main before the round: essay 0.640
// 0.740 0.560 0.180; telegraph 0.800 0.820 0.480 0.060.
const FLOOR_USSR4: Floor = (0.58, 0.68, 0.56, 0.24);
const FLOOR_DOC5: Floor = (0.76, 0.78, 0.48, 0.10);
// Round 5 (a question that asks for a name needs a name by the thing
// asked; meaning matches reach further), scored once on fresh sets: essay
// 0.680 0.880 0.480 0.120; the London sewers handout, a sixth document,
// 0.720 0.840 0.520 0.100. Main before the round: essay 0.700 0.880 0.480
// 0.100; sewers 0.700 0.840 0.480 0.100.
const FLOOR_USSR5: Floor = (0.64, 0.84, 0.44, 0.16);
const FLOOR_DOC6: Floor = (0.68, 0.80, 0.48, 0.14);
// Round 6 (chat spelling read; a date's names held through the sentence
// leaned on; headings never answers). The Dust Bowl and Rosetta Stone sets
// were scored once on main before the round (0.660 0.800 0.560 0.160;
// 0.560 0.700 0.680 0.200) and then tuned on: 0.700 0.860 0.560 0.100;
// 0.660 0.780 0.600 0.120. Apollo 11, written after them, scored once:
// main 0.680 0.820 0.600 0.120, the round 0.700 0.840 0.600 0.100.
const FLOOR_DOC7: Floor = (0.66, 0.82, 0.52, 0.14);
const FLOOR_DOC8: Floor = (0.62, 0.74, 0.56, 0.16);
const FLOOR_DOC9: Floor = (0.66, 0.80, 0.56, 0.14);
// Round 7 (no change to /ask; the encoder runs on two threads with the
// same vectors). Three fresh sets on three new documents, each scored once:
// votes for women 0.800 0.933 0.450 0.033, the Panama Canal 0.633 0.833
// 0.450 0.067, tea and empire 0.829 0.943 0.480 0.029.
const FLOOR_DOC10: Floor = (0.76, 0.90, 0.40, 0.07);
const FLOOR_DOC11: Floor = (0.60, 0.80, 0.40, 0.10);
const FLOOR_DOC12: Floor = (0.78, 0.91, 0.44, 0.06);

#[test]
fn the_science_handout_as_a_pdf_answers_as_its_text_does() {
    use lectern::new_pack::{Request, create};
    let dir = tempfile::tempdir().unwrap();
    let text = eval_file("packs/volcanoes/document.txt");
    let txt = dir.path().join("volcanoes.txt");
    std::fs::write(&txt, &text).unwrap();
    let pdf = dir.path().join("volcanoes.pdf");
    let laid_out =
        lectern::content::extract::fixtures::pdf_of_text(&text, 72, 40, "Volcanoes: class handout")
            .unwrap();
    std::fs::write(&pdf, laid_out).unwrap();
    let mut packs = Vec::new();
    for (file, out) in [(txt, "from-txt"), (pdf, "from-pdf")] {
        let out = dir.path().join(out);
        create(&Request {
            file,
            out: out.clone(),
            title: None,
            time_zone: None,
        })
        .unwrap();
        packs.push(Pack::load(&out).unwrap());
    }
    let handmade =
        Pack::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/packs/volcanoes")).unwrap();
    let sentences = |pack: &Pack| -> Vec<String> {
        pack.document
            .sentences()
            .iter()
            .map(|s| s.text.clone())
            .collect()
    };
    assert_eq!(sentences(&packs[1]), sentences(&packs[0]));
    assert_eq!(sentences(&packs[0]), sentences(&handmade));
    assert_eq!(
        packs[1].document.passages().len(),
        handmade.document.passages().len()
    );
    for set in ["blind/volcanoes-tune.jsonl", "blind/volcanoes-test.jsonl"] {
        let set = eval_file(set);
        let figures = score(&handmade, &set).summary;
        assert_eq!(score(&packs[0], &set).summary, figures);
        assert_eq!(score(&packs[1], &set).summary, figures);
        println!("{}", figures.split(';').next().unwrap_or(""));
    }
}
