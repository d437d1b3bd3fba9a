//! How guessable a set of questions is: its size, how often each answer
//! recurs, and how students who know nothing but a rule would score
//! (`lectern quiz audit`). Chance is 25% with four choices; CI fails when
//! any rule beats [`GUESSER_LIMIT`].

use std::collections::HashMap;
use std::fmt;

use crate::content::Question;

/// The most a rule-based guesser may score.
pub const GUESSER_LIMIT: f64 = 0.35;
/// A guesser's score counts only over at least this many questions.
pub const MIN_APPLICABLE: usize = 10;

/// One rule's score: right out of the questions the rule applies to.
#[derive(Debug, Clone, PartialEq)]
pub struct GuesserScore {
    pub name: &'static str,
    pub applicable: usize,
    pub right: usize,
}

impl GuesserScore {
    /// A rule that has not been tried on any question yet.
    fn new(name: &'static str) -> Self {
        Self {
            name,
            applicable: 0,
            right: 0,
        }
    }

    pub fn share(&self) -> f64 {
        if self.applicable == 0 {
            0.0
        } else {
            self.right as f64 / self.applicable as f64
        }
    }

    /// Above the limit over enough questions to mean something.
    pub fn too_high(&self) -> bool {
        self.applicable >= MIN_APPLICABLE && self.share() > GUESSER_LIMIT
    }
}

/// The audit of one question set.
#[derive(Debug, Clone)]
pub struct Audit {
    pub label: String,
    pub questions: usize,
    pub multiple_choice: usize,
    /// Answers by how many questions have them, most first.
    pub answers: Vec<(String, usize)>,
    pub kinds: Vec<(String, usize)>,
    pub guessers: Vec<GuesserScore>,
}

impl Audit {
    pub fn failing(&self) -> Vec<&GuesserScore> {
        self.guessers.iter().filter(|g| g.too_high()).collect()
    }
}

fn number_of(choice: &str) -> Option<f64> {
    let digits: String = choice
        .trim_start_matches(['£', '$', '€'])
        .split_whitespace()
        .next()?
        .chars()
        .filter(|c| *c != ',')
        .collect();
    digits.parse().ok()
}

/// Audits multiple-choice questions.
pub fn audit(label: &str, questions: &[Question]) -> Audit {
    let mc: Vec<&Question> = questions
        .iter()
        .filter(|q| q.is_multiple_choice())
        .collect();
    let mut answer_counts: HashMap<String, usize> = HashMap::new();
    for q in &mc {
        *answer_counts.entry(q.answer().to_lowercase()).or_default() += 1;
    }
    let mut kind_counts: HashMap<String, usize> = HashMap::new();
    for q in questions {
        *kind_counts.entry(q.kind.clone()).or_default() += 1;
    }
    let mut frequent = GuesserScore::new("most frequent answer");
    let mut partner = GuesserScore::new("x10 partner");
    let mut longest = GuesserScore::new("longest choice");
    let mut middle = GuesserScore::new("middle value");
    let mut middle_position = GuesserScore::new("middle position (B or C)");
    for q in &mc {
        let answer = q.answer().to_lowercase();
        let right = |index: usize| q.answer_index == Some(index);
        // Leave this question out: a student learns from the others.
        let counts: Vec<usize> = q
            .choices
            .iter()
            .map(|c| {
                let c = c.to_lowercase();
                answer_counts.get(&c).copied().unwrap_or(0) - usize::from(c == answer)
            })
            .collect();
        let best = counts.iter().copied().max().unwrap_or(0);
        if best > 0 {
            frequent.applicable += 1;
            let pick = counts.iter().position(|c| *c == best).unwrap_or(0);
            frequent.right += usize::from(right(pick));
        }
        let numbers: Vec<Option<f64>> = q.choices.iter().map(|c| number_of(c)).collect();
        if numbers.iter().all(Option::is_some) {
            let values: Vec<f64> = numbers.iter().flatten().copied().collect();
            let with_partner = values.iter().position(|a| {
                values.iter().any(|b| {
                    *a > 0.0
                        && *b > 0.0
                        && ((a / b - 10.0).abs() < 0.5 || (b / a - 10.0).abs() < 0.5)
                })
            });
            if let Some(pick) = with_partner {
                partner.applicable += 1;
                partner.right += usize::from(right(pick));
            }
            let mut sorted: Vec<(f64, usize)> = values.iter().copied().zip(0..).collect();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            if sorted.len() >= 3 {
                middle.applicable += 1;
                middle.right += usize::from(right(
                    sorted[sorted.len() / 2 - usize::from(sorted.len().is_multiple_of(2))].1,
                ));
            }
        }
        let lengths: Vec<usize> = q.choices.iter().map(|c| c.chars().count()).collect();
        let max = lengths.iter().copied().max().unwrap_or(0);
        if lengths.iter().filter(|l| **l == max).count() == 1 {
            longest.applicable += 1;
            longest.right +=
                usize::from(right(lengths.iter().position(|l| *l == max).unwrap_or(0)));
        }
        if q.choices.len() >= 3 {
            middle_position.applicable += 1;
            middle_position.right += usize::from(right(1) || right(2));
        }
    }
    // Two of four positions: chance is 50%, so report it per position.
    middle_position.applicable *= 2;
    let mut answers: Vec<(String, usize)> = answer_counts.into_iter().collect();
    answers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut kinds: Vec<(String, usize)> = kind_counts.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Audit {
        label: label.to_string(),
        questions: questions.len(),
        multiple_choice: mc.len(),
        answers,
        kinds,
        guessers: vec![frequent, partner, longest, middle, middle_position],
    }
}

impl fmt::Display for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} questions ({} multiple choice)",
            self.label, self.questions, self.multiple_choice
        )?;
        let kinds: Vec<String> = self.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(f, "  forms: {}", kinds.join(", "))?;
        let total = self.multiple_choice.max(1) as f64;
        let top: Vec<String> = self
            .answers
            .iter()
            .take(8)
            .map(|(a, n)| format!("{a:?} {n} ({:.0}%)", 100.0 * *n as f64 / total))
            .collect();
        writeln!(f, "  most common answers: {}", top.join(", "))?;
        writeln!(
            f,
            "  guessers (right / questions the rule applies to; chance 25%, limit {:.0}%):",
            GUESSER_LIMIT * 100.0
        )?;
        for g in &self.guessers {
            let flag = if g.too_high() {
                "  <-- above the limit"
            } else {
                ""
            };
            writeln!(
                f,
                "    {:<26} {:>4} / {:<4} {:>5.1}%{flag}",
                g.name,
                g.right,
                g.applicable,
                100.0 * g.share()
            )?;
        }
        Ok(())
    }
}

/// What gives a multiple-choice question's answer away to a student who
/// has not studied, in words a teacher can act on (`lectern content
/// check` shows them for a hand-written bank): the answer much longer than
/// every other choice, the only choice that repeats a word of the
/// question, or the only choice of its form (the one figure among words).
pub fn giveaways(question: &Question) -> Vec<String> {
    let mut found = Vec::new();
    let Some(answer_index) = question.answer_index else {
        return found;
    };
    if question.choices.len() < 3 {
        return found;
    }
    let answer = &question.choices[answer_index];
    let others: Vec<&String> = question
        .choices
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != answer_index)
        .map(|(_, c)| c)
        .collect();
    let length = answer.chars().count();
    let next = others.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    if length >= next + 8 && length * 10 >= next * 13 {
        found.push(format!(
            "the answer is the longest choice by far ({length} characters; the next longest has {next})"
        ));
    }
    let stem_words = content_words(&question.prompt);
    let shared = |choice: &str| {
        content_words(choice)
            .into_iter()
            .find(|w| stem_words.contains(w))
    };
    if let Some(word) = shared(answer)
        && others.iter().all(|c| shared(c).is_none())
    {
        found.push(format!(
            "only the answer repeats a word of the question ({word:?})"
        ));
    }
    let has_figure = |c: &str| c.chars().any(|ch| ch.is_ascii_digit());
    if has_figure(answer) && others.iter().all(|c| !has_figure(c)) {
        found.push("the answer is the only choice with a figure".to_string());
    } else if !has_figure(answer) && others.iter().all(|c| has_figure(c)) {
        found.push("the answer is the only choice without a figure".to_string());
    }
    found
}

/// Lowercased words of four letters or more that are not function words,
/// cut to a common stem ("collectivisation" and "collective" meet).
fn content_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4 && !crate::study::text::is_stopword(w))
        .map(|w| w.chars().take(6).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::QuestionOrigin;

    fn q(choices: &[&str], answer: usize) -> Question {
        Question {
            id: "q".into(),
            prompt: "?".into(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
            answer_index: Some(answer),
            answers: vec![choices[answer].to_string()],
            source_sentence: None,
            kind: "test".into(),
            origin: QuestionOrigin::Generated,
            explanation: None,
        }
    }

    #[test]
    fn guessers_find_the_patterns_they_are_named_for() {
        let mut set = Vec::new();
        for _ in 0..10 {
            set.push(q(&["10", "100", "37", "55"], 1));
            set.push(q(
                &["Stalin", "Lenin", "Trotsky", "a much longer right answer"],
                3,
            ));
        }
        set.push(q(&["Stalin", "Hitler", "Lenin", "Trotsky"], 0));
        let audit = audit("test", &set);
        let score = |name: &str| {
            audit
                .guessers
                .iter()
                .find(|g| g.name == name)
                .unwrap()
                .clone()
        };
        assert_eq!(score("x10 partner").applicable, 10);
        assert_eq!(
            score("x10 partner").right,
            0,
            "picks 10, the first with a partner"
        );
        // "100" is the longest of its choices too.
        assert_eq!(score("longest choice").right, 20);
        assert!(score("longest choice").too_high());
        assert_eq!(audit.answers[0], ("100".to_string(), 10));
        assert_eq!(
            audit.failing().len(),
            1 + usize::from(score("most frequent answer").too_high())
        );
    }

    #[test]
    fn giveaways_name_what_a_student_could_guess_from() {
        let long = q(
            &[
                "To pay for new machines bought from abroad",
                "For war",
                "For gold",
                "To feed cities",
            ],
            0,
        );
        assert_eq!(giveaways(&long).len(), 1, "{:?}", giveaways(&long));
        assert!(giveaways(&long)[0].starts_with("the answer is the longest choice by far"));
        let mut echo = q(&["Collective farms", "Factories", "Mines", "The army"], 0);
        echo.prompt = "Into what did collectivisation force the peasants?".into();
        assert_eq!(
            giveaways(&echo),
            vec!["only the answer repeats a word of the question (\"collec\")".to_string()]
        );
        let figure = q(
            &["In 1928", "In spring", "After the war", "Before Lenin"],
            0,
        );
        assert_eq!(
            giveaways(&figure),
            vec!["the answer is the only choice with a figure".to_string()]
        );
        let fair = q(&["Trotsky", "Lenin", "Kamenev", "Bukharin"], 0);
        assert!(giveaways(&fair).is_empty());
    }
}
