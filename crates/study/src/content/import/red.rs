//! Red-DiscordBot trivia lists: YAML mapping each question to its accepted
//! answers (`Who opposed Stalin?: [Trotsky, Leon Trotsky]`). An `AUTHOR` key
//! is the list's author, not a question.

use serde_yaml::Value;

use super::Collector;
use crate::content::error::ContentError;
use crate::content::question::Question;

/// Finds the lines where top-level keys start. A mapping keeps the file's
/// order, so each key is on the next line that opens at the margin (not a
/// `- item`, comment or blank line) after the previous key's: the file is
/// scanned once, however many keys it has.
struct KeyLines<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> KeyLines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            lines: text.lines().collect(),
            next: 0,
        }
    }

    /// The 1-based line of the next key (the last line when none is left).
    fn next_key(&mut self) -> usize {
        while let Some(line) = self.lines.get(self.next) {
            self.next += 1;
            let opens_a_key = !line.trim().is_empty()
                && !line.starts_with([' ', '\t', '-', '#'])
                && line != &"...";
            if opens_a_key {
                return self.next;
            }
        }
        self.lines.len().max(1)
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses a Red trivia YAML file.
pub fn parse(file: &str, text: &str) -> (Vec<Question>, Vec<ContentError>) {
    let mut out = Collector::new(file);
    let mapping: serde_yaml::Mapping = match serde_yaml::from_str(text) {
        Ok(Value::Mapping(mapping)) => mapping,
        Ok(Value::Null) => return out.finish(),
        Ok(_) => {
            out.error(1, "a trivia list is a mapping of questions to lists of answers (Question?: [answer, other answer])");
            return out.finish();
        }
        Err(error) => {
            let line = error.location().map_or(1, |l| l.line());
            out.error(line, format!("not valid YAML: {error}"));
            return out.finish();
        }
    };
    let mut key_lines = KeyLines::new(text);
    for (key, value) in mapping {
        let Some(question) = scalar(&key) else {
            out.error(1, "a question must be text");
            continue;
        };
        let line = key_lines.next_key();
        if question == "AUTHOR" {
            continue;
        }
        if out.full(line) {
            break;
        }
        let answers: Vec<String> = match &value {
            Value::Sequence(items) => items.iter().filter_map(scalar).collect(),
            other => scalar(other).into_iter().collect(),
        };
        if answers.is_empty() {
            out.error(
                line,
                format!("{question:?} has no answers: list them as [answer, other answer]"),
            );
            continue;
        }
        out.typed(line, question, answers, "short_answer");
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_questions_and_their_answers() {
        let text = "AUTHOR: teacher\nWho opposed Stalin?:\n- Trotsky\n- Leon Trotsky\nHow many miles from Moscow?: [20, twenty]\n";
        let (questions, errors) = parse("ussr.yaml", text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(questions.len(), 2);
        assert_eq!(questions[0].answers, ["Trotsky", "Leon Trotsky"]);
        assert_eq!(questions[1].answers, ["20", "twenty"]);
        assert_eq!(
            questions[1].origin,
            crate::content::QuestionOrigin::Imported {
                file: "ussr.yaml".into(),
                line: 5
            }
        );
    }

    #[test]
    fn broken_files_name_their_line() {
        let (_, errors) = parse("t.yaml", "Q1?: [a]\nQ2?: []\n");
        assert_eq!(
            errors[0].to_string(),
            "t.yaml:2: \"Q2?\" has no answers: list them as [answer, other answer]"
        );
        let (_, errors) = parse("t.yaml", "Q1?: [a\nQ2?: b\n");
        assert!(
            errors[0].message.starts_with("not valid YAML"),
            "{errors:?}"
        );
        assert!(errors[0].line.is_some());
    }
}
