//! A quality floor for `/ask` on questions written for this project (not the
//! published dev set): other words, typos, unanswerable on-topic questions.
//! Fails when a change makes answers worse.

use lectern::content::Pack;
use lectern::study::Answerer;
use serde_json::Value;

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn held_out_questions_are_answered_and_refused_above_the_floor() {
    let pack = Pack::bundled().unwrap();
    let answerer = Answerer::new(&pack.document, &pack.synonyms);
    let set = include_str!("../fixtures/qa-extra.jsonl");
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
            let correct = |text: &str| gold.iter().any(|g| normalise(text).contains(g.as_str()));
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
    let ratio = |a: i32, b: i32| f64::from(a) / f64::from(b);
    let summary = format!(
        "r@1={:.3} r@3={:.3} refuse={:.3} false_refuse={:.3}; misses: {misses:#?}",
        ratio(at1, answerable),
        ratio(at3, answerable),
        ratio(refused, unanswerable),
        ratio(false_refusals, answerable)
    );
    assert!(ratio(at1, answerable) >= 0.80, "{summary}");
    assert!(ratio(at3, answerable) >= 0.90, "{summary}");
    assert!(ratio(refused, unanswerable) >= 0.90, "{summary}");
    assert!(ratio(false_refusals, answerable) <= 0.10, "{summary}");
}
