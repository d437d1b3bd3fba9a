//! Quiz questions and the pack's native question bank format (TOML).
//!
//! A bank file holds `[[question]]` tables:
//!
//! ```toml
//! [[question]]
//! id = "trotsky-rival"                       # unique across the pack
//! question = "Who did Stalin struggle with for the party leadership?"
//! choices = ["Trotsky", "Lenin", "Hitler", "Kamenev"]
//! answer = "Trotsky"                         # one of the choices
//! accept = ["Leon Trotsky"]                  # optional: more typed answers
//! source = "a big struggle for power with another person high up"
//! explain = "The essay names Trotsky as the rival for the leadership."  # optional
//! ```
//!
//! `source` quotes the sentence that teaches the answer; it must match one
//! sentence of the document (spacing and case are forgiven). The pack's own
//! bank cites a source for every question; imported banks may not, and their
//! reveals then quote nothing. Without `choices` the question is typed-answer
//! only and `answer` is the expected reply.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::document::Document;
use super::error::{ContentError, line_of, toml_error};

/// Where a question came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum QuestionOrigin {
    /// A bank file of the pack, and the line of its `id`.
    Bank { file: String, line: usize },
    /// Made from a sentence of the document.
    Generated,
    /// Read from a teacher's file in another format.
    Imported { file: String, line: usize },
}

/// A quiz question ready to play.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    /// Multiple-choice options; empty for typed-only questions.
    pub choices: Vec<String>,
    /// Index of the right choice, when there are choices.
    pub answer_index: Option<usize>,
    /// Accepted typed answers; the first is the canonical one.
    pub answers: Vec<String>,
    /// Index of the document sentence that teaches the answer.
    pub source_sentence: Option<usize>,
    /// What kind of answer: "person", "number", "term", "bank", ...
    pub kind: String,
    pub origin: QuestionOrigin,
    /// What the reveal adds to the quoted sentence: the reason the document
    /// gives, the dates of a chronology, what the wrong statements changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Question {
    /// The canonical right answer as text.
    pub fn answer(&self) -> &str {
        self.answer_index
            .and_then(|i| self.choices.get(i))
            .or_else(|| self.answers.first())
            .map_or("", String::as_str)
    }

    pub fn is_multiple_choice(&self) -> bool {
        self.answer_index.is_some() && self.choices.len() >= 2
    }
}

/// The most choices a question may have (buttons and reactions A–F).
pub const MAX_CHOICES: usize = 6;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BankFile {
    #[serde(default)]
    question: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    question: Spanned<String>,
    #[serde(default)]
    choices: Option<Spanned<Vec<String>>>,
    answer: Spanned<String>,
    #[serde(default)]
    accept: Vec<String>,
    #[serde(default)]
    source: Option<Spanned<String>>,
    /// Shown with the answer: why it is right.
    #[serde(default)]
    explain: Option<String>,
}

/// Parses and validates one bank file against the document. `seen_ids` maps
/// ids already used by other bank files to where, so duplicates across files
/// are caught too.
pub fn parse_bank(
    file: &str,
    text: &str,
    document: &Document,
    seen_ids: &mut HashMap<String, String>,
) -> (Vec<Question>, Vec<ContentError>) {
    let bank: BankFile = match toml::from_str(text) {
        Ok(bank) => bank,
        Err(error) => return (Vec::new(), vec![toml_error(file, text, &error)]),
    };
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    for raw in bank.question {
        let at = |span: std::ops::Range<usize>| Some(line_of(text, span.start));
        let id_line = line_of(text, raw.id.span().start);
        let mut problems = Vec::new();

        let id = raw.id.get_ref().trim().to_string();
        if id.is_empty() {
            problems.push((at(raw.id.span()), "the id is empty".to_string()));
        } else if let Some(previous) = seen_ids.get(&id) {
            problems.push((
                at(raw.id.span()),
                format!("duplicate id {id:?} (first used at {previous})"),
            ));
        } else {
            seen_ids.insert(id.clone(), format!("{file}:{id_line}"));
        }

        let prompt = raw.question.get_ref().trim().to_string();
        if prompt.is_empty() {
            problems.push((at(raw.question.span()), "the question text is empty".into()));
        }

        let answer = raw.answer.get_ref().trim().to_string();
        let mut answer_index = None;
        let mut choices = Vec::new();
        if let Some(raw_choices) = &raw.choices {
            choices = raw_choices
                .get_ref()
                .iter()
                .map(|c| c.trim().to_string())
                .collect();
            let line = at(raw_choices.span());
            if choices.len() < 2 || choices.len() > MAX_CHOICES {
                problems.push((
                    line,
                    format!(
                        "a question needs 2 to {MAX_CHOICES} choices, this one has {}",
                        choices.len()
                    ),
                ));
            }
            let mut lowered: Vec<String> = choices.iter().map(|c| c.to_lowercase()).collect();
            lowered.sort();
            if lowered.windows(2).any(|w| w[0] == w[1]) {
                problems.push((line, "two choices are the same".into()));
            }
            if choices.iter().any(String::is_empty) {
                problems.push((line, "a choice is empty".into()));
            }
            answer_index = choices.iter().position(|c| c.eq_ignore_ascii_case(&answer));
            if answer_index.is_none() {
                problems.push((
                    at(raw.answer.span()),
                    format!("the answer {answer:?} is not one of the choices"),
                ));
            }
        } else if answer.is_empty() {
            problems.push((at(raw.answer.span()), "the answer is empty".into()));
        }

        let source_sentence = match &raw.source {
            None => None,
            Some(source) => {
                let quote = source.get_ref();
                match document.find_quote(quote).as_slice() {
                    [one] => Some(*one),
                    [] => {
                        problems.push((
                            at(source.span()),
                            format!("the cited sentence is not in the document: {quote:?}"),
                        ));
                        None
                    }
                    many => {
                        let numbers: Vec<String> =
                            many.iter().map(|i| (i + 1).to_string()).collect();
                        problems.push((
                            at(source.span()),
                            format!(
                                "the quote {quote:?} matches sentences {}; quote more words so it names one",
                                numbers.join(", ")
                            ),
                        ));
                        None
                    }
                }
            }
        };

        if problems.is_empty() {
            let mut answers = vec![answer];
            answers.extend(
                raw.accept
                    .iter()
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty()),
            );
            questions.push(Question {
                id,
                prompt,
                choices,
                answer_index,
                answers,
                source_sentence,
                kind: if answer_index.is_some() {
                    "bank".into()
                } else {
                    "typed".into()
                },
                origin: QuestionOrigin::Bank {
                    file: file.to_string(),
                    line: id_line,
                },
                explanation: raw
                    .explain
                    .as_ref()
                    .map(|e| e.trim().to_string())
                    .filter(|e| !e.is_empty()),
            });
        } else {
            errors.extend(
                problems
                    .into_iter()
                    .map(|(line, message)| ContentError::new(file, line, message)),
            );
        }
    }
    (questions, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Document {
        Document::parse(
            "Stalin fought Trotsky for power. About 20 miles from Moscow the army stopped.",
        )
    }

    fn parse(text: &str) -> (Vec<Question>, Vec<ContentError>) {
        parse_bank("bank.toml", text, &document(), &mut HashMap::new())
    }

    #[test]
    fn parses_a_valid_question_with_its_cited_sentence() {
        let (questions, errors) = parse(
            r#"
[[question]]
id = "rival"
question = "Who did Stalin fight for power?"
choices = ["Lenin", "Trotsky", "Hitler"]
answer = "trotsky"
accept = ["Leon Trotsky"]
source = "stalin fought  trotsky"
"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let q = &questions[0];
        assert_eq!(q.answer_index, Some(1));
        assert_eq!(q.answer(), "Trotsky");
        assert_eq!(q.answers, ["trotsky", "Leon Trotsky"]);
        assert_eq!(q.source_sentence, Some(0));
        assert_eq!(
            q.origin,
            QuestionOrigin::Bank {
                file: "bank.toml".into(),
                line: 3
            }
        );
    }

    #[test]
    fn reports_each_problem_with_its_line() {
        let (questions, errors) = parse(
            r#"[[question]]
id = "a"
question = "Q?"
choices = ["X", "Y"]
answer = "Z"
source = "not in the document"

[[question]]
id = "a"
question = "Again?"
answer = "20"
source = "20 miles"
"#,
        );
        assert!(questions.is_empty());
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "bank.toml:5: the answer \"Z\" is not one of the choices",
                "bank.toml:6: the cited sentence is not in the document: \"not in the document\"",
                "bank.toml:9: duplicate id \"a\" (first used at bank.toml:2)",
            ]
        );
    }

    #[test]
    fn unknown_fields_and_syntax_errors_name_the_line() {
        let (_, errors) = parse(
            "[[question]]\nid = \"a\"\nquestion = \"Q\"\nanswer = \"x\"\nsource = \"Stalin\"\nhint = \"no\"\n",
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(6));
        assert!(
            errors[0].message.contains("unknown field `hint`"),
            "{}",
            errors[0]
        );

        let (_, errors) = parse("[[question]]\nid = \"a\nquestion = 1\n");
        assert_eq!(errors[0].line, Some(2));
    }
}
