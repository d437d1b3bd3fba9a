//! Question generation from the document: from each sentence that states a
//! fact, questions whose answer is a person, place, group, key term or
//! number in it, with wrong choices of the same kind drawn from the document.
//!
//! Forms: a wh-question when the answer opens the sentence ("Who wanted
//! Russia to be a leading industrialized country?"), otherwise a cloze
//! ("About ___ died building the Belomor Canal..."). Sentences that cannot
//! stand alone are skipped: a dangling "he/they/this" with no previous
//! sentence to show, a list cut off at a colon, and the seed's stripped-year
//! remnants ("from until", "in Stalin announced"). Deterministic for a seed.

use std::collections::HashSet;
use std::ops::Range;

use crate::content::glossary::{EntryKind, contains_phrase};
use crate::content::{Pack, Question, QuestionOrigin, Sentence};

use super::text;

/// What kind of thing an answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerKind {
    Person,
    Place,
    Group,
    Term,
    Number,
    /// A capitalised name of unknown kind (packs without a glossary).
    Name,
}

impl AnswerKind {
    pub fn name(&self) -> &'static str {
        match self {
            AnswerKind::Person => "person",
            AnswerKind::Place => "place",
            AnswerKind::Group => "group",
            AnswerKind::Term => "term",
            AnswerKind::Number => "number",
            AnswerKind::Name => "name",
        }
    }

    fn from_entry(kind: EntryKind) -> Self {
        match kind {
            EntryKind::Person => AnswerKind::Person,
            EntryKind::Place => AnswerKind::Place,
            EntryKind::Group => AnswerKind::Group,
            EntryKind::Term => AnswerKind::Term,
        }
    }
}

/// A possible answer inside one sentence.
#[derive(Debug, Clone)]
struct Span {
    range: Range<usize>,
    /// The answer as a choice shows it.
    answer: String,
    /// Other accepted typed answers (the words as written, for numbers).
    also: Vec<String>,
    kind: AnswerKind,
    /// Wrong choices of the same kind.
    distractors: Vec<String>,
}

/// Generates up to `count` distinct questions from the pack's document.
pub fn generate(pack: &Pack, count: usize, seed: u64) -> Vec<Question> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let document = &pack.document;
    let people: Vec<String> = pack
        .glossary
        .of_kind(EntryKind::Person)
        .map(str::to_lowercase)
        .collect();
    let names = capitalised_names(pack);
    let numbers = document_numbers(pack);
    let mut by_sentence: Vec<Vec<Question>> = Vec::new();
    for sentence in document.sentences() {
        if !stands_alone(sentence, &people) {
            continue;
        }
        let context = if dangles(sentence) {
            // "he/she" needs a person in the sentence before to point at.
            let needs_person = first_words(sentence)
                .iter()
                .any(|w| matches!(w.as_str(), "he" | "she" | "his" | "her"));
            match document.previous_in_passage(sentence.index) {
                Some(previous)
                    if !dangles(previous)
                        && stands_alone(previous, &people)
                        && (!needs_person || names_a_person(previous, &people, &names)) =>
                {
                    Some(previous.text.as_str())
                }
                _ => continue,
            }
        } else {
            None
        };
        let mut questions = Vec::new();
        for span in spans(pack, sentence, &names, &numbers) {
            if let Some(question) = make_question(sentence, context, span, &mut rng) {
                questions.push(question);
            }
        }
        rng.shuffle(&mut questions);
        if !questions.is_empty() {
            by_sentence.push(questions);
        }
    }
    // Spread questions over sentences: one from each first, then seconds.
    rng.shuffle(&mut by_sentence);
    let mut chosen = Vec::new();
    let mut seen_prompts = HashSet::new();
    let mut round = 0;
    while chosen.len() < count {
        let mut any = false;
        for questions in &by_sentence {
            if let Some(question) = questions.get(round) {
                any = true;
                if chosen.len() < count && seen_prompts.insert(question.prompt.clone()) {
                    chosen.push(question.clone());
                }
            }
        }
        if !any {
            break;
        }
        round += 1;
    }
    chosen
}

/// Whether a sentence leans on an earlier one: it opens with "he/they/this",
/// or a pronoun comes within its first words before any content word
/// ("Because of this he introduced...", but not "As for the peasants, they").
fn dangles(sentence: &Sentence) -> bool {
    if sentence.opens_with_dangling_reference() {
        return true;
    }
    for word in &first_words(sentence) {
        if matches!(
            word.as_str(),
            "he" | "she" | "they" | "this" | "these" | "it" | "his" | "their"
        ) {
            return true;
        }
        if !text::is_stopword(word) && word.len() > 3 {
            return false;
        }
    }
    false
}

/// The first five words of a sentence, lowercase, without punctuation.
fn first_words(sentence: &Sentence) -> Vec<String> {
    sentence
        .text
        .split_whitespace()
        .take(5)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect()
}

/// Whether a sentence names a person (a glossary person, or without a
/// glossary any capitalised name).
fn names_a_person(sentence: &Sentence, people: &[String], names: &[String]) -> bool {
    let lower = sentence.text.to_lowercase();
    people.iter().any(|p| contains_phrase(&lower, p))
        || names.iter().any(|n| sentence.text.contains(n.as_str()))
}

/// Whether a sentence can make a fair question at all.
fn stands_alone(sentence: &Sentence, people: &[String]) -> bool {
    let text = sentence.text.trim();
    let lower = text.to_lowercase();
    let words = text.split_whitespace().count();
    let stripped_year = lower.contains("from until")
        || lower.contains("  ")
        || people.iter().any(|p| {
            lower.starts_with(&format!("in {p} ")) || lower.contains(&format!(" in {p} "))
        });
    words >= 6 && !text.ends_with(':') && !text.ends_with('?') && !stripped_year
}

/// Proper names written with a capital inside sentences (fallback kind).
fn capitalised_names(pack: &Pack) -> Vec<String> {
    if !pack.glossary.entries.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<String> = Vec::new();
    for sentence in pack.document.sentences() {
        for word in sentence.text.split_whitespace().skip(1) {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            if word.chars().next().is_some_and(char::is_uppercase)
                && word.len() > 2
                && !text::is_stopword(&word.to_lowercase())
                && !names.iter().any(|n| n == word)
            {
                names.push(word.to_string());
            }
        }
    }
    names
}

/// Every number of the document with its unit word ("20 miles"), as values.
fn document_numbers(pack: &Pack) -> Vec<(u64, String)> {
    let mut numbers = Vec::new();
    for sentence in pack.document.sentences() {
        for (value, unit, _, _) in numbers_in(&sentence.text) {
            if !numbers.contains(&(value, unit.clone())) {
                numbers.push((value, unit));
            }
        }
    }
    numbers
}

/// Numbers in a text: (value, unit word or "", byte range, words as written).
fn numbers_in(text_: &str) -> Vec<(u64, String, Range<usize>, String)> {
    let tokens = text::tokenize(text_);
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !token.is_number {
            continue;
        }
        let Ok(value) = token.term.parse::<u64>() else {
            continue;
        };
        let next = tokens.get(i + 1);
        // A hyphen joins a number to its noun ("Five-year"): not a quantity.
        if text_[token.end..].starts_with('-') {
            continue;
        }
        let unit = next
            .filter(|t| {
                !t.is_number && !t.is_stopword && t.surface.len() > 3 && t.surface.ends_with('s')
            })
            .map(|t| t.surface.clone())
            .unwrap_or_default();
        let end = if unit.is_empty() {
            token.end
        } else {
            next.map_or(token.end, |t| t.end)
        };
        found.push((
            value,
            unit,
            token.start..end,
            text_[token.start..end].to_string(),
        ));
    }
    found
}

/// "100,000" with thousands separators.
fn format_number(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn with_unit(value: u64, unit: &str) -> String {
    if unit.is_empty() {
        format_number(value)
    } else {
        format!("{} {unit}", format_number(value))
    }
}

/// The answer spans of a sentence: glossary entries (longest first, no
/// overlaps), then numbers, then (without a glossary) capitalised names.
fn spans(
    pack: &Pack,
    sentence: &Sentence,
    names: &[String],
    numbers: &[(u64, String)],
) -> Vec<Span> {
    let lower = sentence.text.to_ascii_lowercase();
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut result = Vec::new();
    let mut entries: Vec<(EntryKind, &str)> = pack
        .glossary
        .entries
        .iter()
        .map(|(k, e)| (*k, e.as_str()))
        .collect();
    entries.sort_by_key(|(_, e)| std::cmp::Reverse(e.len()));
    for (kind, entry) in entries {
        let needle = entry.to_ascii_lowercase();
        for (at, _) in lower.match_indices(&needle) {
            let range = at..at + needle.len();
            let before = lower[..at].chars().next_back();
            let after = lower[range.end..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            if taken
                .iter()
                .any(|t| t.start < range.end && range.start < t.end)
            {
                continue;
            }
            taken.push(range.clone());
            let distractors = pack
                .glossary
                .of_kind(kind)
                .filter(|other| !pack.glossary.same_thing(other, entry))
                .map(str::to_string)
                .collect();
            result.push(Span {
                range,
                answer: entry.to_string(),
                also: Vec::new(),
                kind: AnswerKind::from_entry(kind),
                distractors,
            });
        }
    }
    for (value, unit, range, written) in numbers_in(&sentence.text) {
        if taken
            .iter()
            .any(|t| t.start < range.end && range.start < t.end)
        {
            continue;
        }
        let mut distractors: Vec<String> = numbers
            .iter()
            .filter(|(v, u)| *u == unit && *v != value)
            .map(|(v, u)| with_unit(*v, u))
            .collect();
        for variant in [
            value * 10,
            value / 10,
            value * 2,
            value / 2,
            value * 5,
            value + value / 2,
        ] {
            let label = with_unit(variant, &unit);
            if variant > 0 && variant != value && !distractors.contains(&label) {
                distractors.push(label);
            }
        }
        taken.push(range.clone());
        result.push(Span {
            range,
            answer: with_unit(value, &unit),
            also: vec![written, value.to_string()],
            kind: AnswerKind::Number,
            distractors,
        });
    }
    for name in names {
        let needle = name.to_ascii_lowercase();
        if let Some(at) = lower.find(&needle) {
            let range = at..at + needle.len();
            if taken
                .iter()
                .any(|t| t.start < range.end && range.start < t.end)
            {
                continue;
            }
            result.push(Span {
                range,
                answer: name.clone(),
                also: Vec::new(),
                kind: AnswerKind::Name,
                distractors: names.iter().filter(|n| *n != name).cloned().collect(),
            });
        }
    }
    result
}

fn make_question(
    sentence: &Sentence,
    context: Option<&str>,
    span: Span,
    rng: &mut fastrand::Rng,
) -> Option<Question> {
    let text = sentence.text.trim_end();
    let lower = text.to_ascii_lowercase();
    let answer_lower = span.answer.to_ascii_lowercase();
    // The answer must not be given away elsewhere in the question.
    let rest = format!(
        "{} {}",
        &lower[..span.range.start],
        &lower[span.range.end..]
    );
    if contains_phrase(&rest, &answer_lower)
        || context.is_some_and(|c| contains_phrase(&c.to_ascii_lowercase(), &answer_lower))
    {
        return None;
    }
    let body = text.trim_end_matches(['.', '!']);
    let opening = span.range.start == 0 && span.range.end < body.len();
    let prompt_core = match (opening, span.kind) {
        (true, AnswerKind::Person) => format!("Who{}?", &body[span.range.end..]),
        (true, AnswerKind::Term | AnswerKind::Group) => format!("What{}?", &body[span.range.end..]),
        _ => format!(
            "{}___{}",
            &text[..span.range.start],
            &text[span.range.end..]
        ),
    };
    let prompt = match context {
        Some(context) => format!("{context} {prompt_core}"),
        None => prompt_core,
    };
    // A wrong choice already in the question (in any spelling) would be a
    // giveaway, so compare normalised terms.
    let question_terms: HashSet<String> = text::content_terms(&prompt).into_iter().collect();
    let mut distractors: Vec<String> = span
        .distractors
        .iter()
        .filter(|d| {
            let terms = text::content_terms(d);
            terms.is_empty() || !terms.iter().all(|t| question_terms.contains(t))
        })
        .cloned()
        .collect();
    rng.shuffle(&mut distractors);
    // Numbers: keep the closest variants plausible by preferring document
    // numbers (listed first) before shuffling the rest.
    if span.kind == AnswerKind::Number {
        distractors.sort_by_key(|d| !span.distractors.iter().take(2).any(|x| x == d));
    }
    let mut unique: Vec<String> = Vec::new();
    for distractor in distractors {
        if !unique.iter().any(|u| u.eq_ignore_ascii_case(&distractor))
            && !distractor.eq_ignore_ascii_case(&span.answer)
        {
            unique.push(distractor);
        }
        if unique.len() == 3 {
            break;
        }
    }
    if unique.len() < 3 {
        return None;
    }
    let mut choices = unique;
    choices.push(span.answer.clone());
    rng.shuffle(&mut choices);
    let answer_index = choices.iter().position(|c| *c == span.answer)?;
    let mut answers = vec![span.answer.clone()];
    answers.extend(
        span.also
            .into_iter()
            .filter(|a| !a.eq_ignore_ascii_case(&span.answer)),
    );
    Some(Question {
        id: format!("generated-{}-{}", sentence.index + 1, span.range.start),
        prompt,
        choices,
        answer_index: Some(answer_index),
        answers,
        source_sentence: Some(sentence.index),
        kind: span.kind.name().to_string(),
        origin: QuestionOrigin::Generated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Pack {
        Pack::bundled().unwrap()
    }

    #[test]
    fn twenty_distinct_questions_each_with_four_distinct_choices_and_its_sentence() {
        let pack = bundled();
        let questions = generate(&pack, 20, 1);
        assert_eq!(questions.len(), 20);
        let prompts: HashSet<&String> = questions.iter().map(|q| &q.prompt).collect();
        assert_eq!(prompts.len(), 20);
        for q in &questions {
            let lowered: HashSet<String> = q.choices.iter().map(|c| c.to_lowercase()).collect();
            assert_eq!(lowered.len(), 4, "{q:?}");
            let sentence = &pack.document.sentences()[q.source_sentence.unwrap()].text;
            let answer = q.answer();
            // Answerable from its sentence: the answer (or the number as written) is in it.
            let written = q
                .answers
                .iter()
                .any(|a| sentence.to_lowercase().contains(&a.to_lowercase()));
            assert!(written, "{answer:?} not in {sentence:?}");
            assert!(
                !q.prompt.to_lowercase().contains(&answer.to_lowercase()),
                "answer given away: {q:?}"
            );
        }
    }

    #[test]
    fn generation_is_deterministic_for_a_seed() {
        let pack = bundled();
        assert_eq!(generate(&pack, 10, 42), generate(&pack, 10, 42));
        assert_ne!(generate(&pack, 10, 42), generate(&pack, 10, 43));
    }

    #[test]
    fn distractors_are_of_the_answers_kind() {
        let pack = bundled();
        let people: Vec<String> = pack
            .glossary
            .of_kind(EntryKind::Person)
            .map(str::to_string)
            .collect();
        for q in generate(&pack, 40, 3).iter().filter(|q| q.kind == "person") {
            assert!(q.choices.iter().all(|c| people.contains(c)), "{q:?}");
        }
        for q in generate(&pack, 40, 3).iter().filter(|q| q.kind == "number") {
            assert!(
                q.choices
                    .iter()
                    .all(|c| c.chars().next().is_some_and(|d| d.is_ascii_digit())),
                "{q:?}"
            );
        }
    }

    #[test]
    fn stripped_year_remnants_and_cut_lists_are_skipped() {
        let pack = bundled();
        for q in generate(&pack, 100, 5) {
            let sentence = &pack.document.sentences()[q.source_sentence.unwrap()].text;
            assert!(!sentence.contains("from until"), "{sentence}");
            assert!(!sentence.starts_with("In Stalin"), "{sentence}");
            assert!(!sentence.ends_with(':'), "{sentence}");
        }
    }

    #[test]
    fn numbers_read_with_separators_and_units() {
        assert_eq!(format_number(100000), "100,000");
        assert_eq!(with_unit(20, "miles"), "20 miles");
        let found = numbers_in(
            "about 20 miles from Moscow and one hundred thousand died in a Five-year Plan",
        );
        let values: Vec<(u64, &str)> = found.iter().map(|(v, u, _, _)| (*v, u.as_str())).collect();
        assert_eq!(values, [(20, "miles"), (100000, "")]);
    }
}
