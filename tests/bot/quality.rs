//! Quality floors for `/ask`, so a change cannot silently make answers
//! worse: on questions written for this project (`tests/fixtures`), and on
//! the blind test halves of the evaluation documents (`eval/blind`,
//! written by someone who saw only the document; never tuned on).

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
                text.len() <= 300 && gold.iter().any(|g| normalise(text).contains(g.as_str()))
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

#[test]
fn project_questions_are_answered_and_refused_above_the_floor() {
    let pack = Pack::bundled().unwrap();
    let s = score(&pack, include_str!("../fixtures/qa-extra.jsonl"));
    assert_floor(
        &s,
        FLOOR_EXTRA.0,
        FLOOR_EXTRA.1,
        FLOOR_EXTRA.2,
        FLOOR_EXTRA.3,
    );
}

#[test]
fn blind_test_questions_on_the_bundled_essay_stay_above_the_floor() {
    let pack = Pack::bundled().unwrap();
    let s = score(&pack, &eval_file("blind/ussr-test.jsonl"));
    assert_floor(&s, FLOOR_USSR.0, FLOOR_USSR.1, FLOOR_USSR.2, FLOOR_USSR.3);
}

#[test]
fn blind_test_questions_on_a_teachers_document_stay_above_the_floor() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/packs/wedgwood");
    let pack = Pack::load(&dir).unwrap();
    let s = score(&pack, &eval_file("blind/wedgwood-test.jsonl"));
    assert_floor(&s, FLOOR_DOC2.0, FLOOR_DOC2.1, FLOOR_DOC2.2, FLOOR_DOC2.3);
}

#[test]
fn blind_test_questions_on_a_science_handout_stay_above_the_floor() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/packs/volcanoes");
    let pack = Pack::load(&dir).unwrap();
    let s = score(&pack, &eval_file("blind/volcanoes-test.jsonl"));
    assert_floor(&s, FLOOR_DOC3.0, FLOOR_DOC3.1, FLOOR_DOC3.2, FLOOR_DOC3.3);
}

// Floors: r@1, r@3, refuse (at least), false_refuse (at most); a little
// under the figures measured when they were set, so that only a real
// regression fails.
// Round 2 (sentence encoder and the refusal model), measured: extra r@1
// 0.714 r@3 0.750 refuse 0.750 false 0.250; blind essay test 0.725 0.800
// 0.700 0.175; blind handout test 0.486 0.571 0.800 0.343; blind science
// handout test 0.725 0.800 0.643 0.125. Round 1's figures were extra 0.821
// 0.964 0.750 0.036 and essay 0.800 0.875 0.700 0.100: the essay lost r@1
// while both handouts gained (see eval/README.md for both lines).
const FLOOR_EXTRA: (f64, f64, f64, f64) = (0.68, 0.72, 0.70, 0.28);
const FLOOR_USSR: (f64, f64, f64, f64) = (0.70, 0.77, 0.65, 0.20);
const FLOOR_DOC2: (f64, f64, f64, f64) = (0.45, 0.54, 0.75, 0.37);
const FLOOR_DOC3: (f64, f64, f64, f64) = (0.70, 0.77, 0.60, 0.15);

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
