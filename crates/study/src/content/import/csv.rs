//! CSV and TSV banks. Two shapes:
//!
//! - **Quizlet export**: no header, `term<TAB>definition` (or comma) per
//!   row. The definition is asked; the term is the (typed) answer.
//! - **Header-named table**: a header row with `question` and `answer`
//!   columns, and optionally `choices` (separated by `|`), `wrong` or
//!   `wrong1`, `wrong2`... (wrong choices), and `accept` (more typed answers,
//!   separated by `|`).

use super::Collector;
use crate::content::error::ContentError;
use crate::content::question::Question;

fn split_list(value: &str) -> Vec<String> {
    value
        .split('|')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses a CSV/TSV bank; `tab_separated` forces tabs (else sniffed).
pub fn parse(file: &str, text: &str, tab_separated: bool) -> (Vec<Question>, Vec<ContentError>) {
    let mut out = Collector::new(file);
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if tab_separated || first_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut header: Option<Vec<String>> = None;
    for (n, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(1, |p| p.line() as usize);
                out.error(line, format!("not valid CSV: {error}"));
                break;
            }
        };
        let line = record.position().map_or(n + 1, |p| p.line() as usize);
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        if n == 0 {
            let lowered: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
            if lowered.iter().any(|f| f == "question") && lowered.iter().any(|f| f == "answer") {
                header = Some(lowered);
                continue;
            }
        }
        if out.full(line) {
            break;
        }
        match &header {
            None => {
                let filled: Vec<&String> = fields.iter().filter(|f| !f.is_empty()).collect();
                if fields.len() != 2 || filled.len() != 2 {
                    out.error(
                        line,
                        format!(
                            "expected a term and a definition separated by a {}, found {} field(s)",
                            if delimiter == b'\t' { "tab" } else { "comma" },
                            filled.len()
                        ),
                    );
                    continue;
                }
                out.typed(
                    line,
                    fields[1].clone(),
                    vec![fields[0].clone()],
                    "flashcard",
                );
            }
            Some(header) => {
                let column = |name: &str| {
                    header
                        .iter()
                        .position(|h| h == name)
                        .and_then(|i| fields.get(i))
                        .cloned()
                        .unwrap_or_default()
                };
                let question = column("question");
                let answer = column("answer");
                let mut wrong: Vec<String> = split_list(&column("wrong"));
                for (i, name) in header.iter().enumerate() {
                    let numbered = name
                        .strip_prefix("wrong")
                        .or_else(|| name.strip_prefix("choice"));
                    if numbered
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                        && let Some(value) = fields.get(i).filter(|v| !v.is_empty())
                        && (name.starts_with("wrong") || !value.eq_ignore_ascii_case(&answer))
                    {
                        wrong.push(value.clone());
                    }
                }
                let listed = split_list(&column("choices"));
                let accept = split_list(&column("accept"));
                if answer.is_empty() {
                    out.error(line, "the answer column is empty");
                } else if !listed.is_empty() {
                    match listed.iter().position(|c| c.eq_ignore_ascii_case(&answer)) {
                        Some(index) => out.choice(line, question, listed, index, "multiple_choice"),
                        None => out.error(
                            line,
                            format!("the answer {answer:?} is not one of the choices"),
                        ),
                    }
                } else if !wrong.is_empty() {
                    let mut choices = vec![answer];
                    choices.extend(wrong);
                    out.choice(line, question, choices, 0, "multiple_choice");
                } else {
                    let mut answers = vec![answer];
                    answers.extend(accept);
                    out.typed(line, question, answers, "short_answer");
                }
            }
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_quizlet_export() {
        let (questions, errors) = parse(
            "set.tsv",
            "kolkhoz\tA collective farm\nNEP\tLenin's New Economic Policy\n",
            true,
        );
        assert!(errors.is_empty());
        assert_eq!(questions[0].prompt, "A collective farm");
        assert_eq!(questions[0].answers, ["kolkhoz"]);
        assert!(questions[0].choices.is_empty());
    }

    #[test]
    fn reads_header_named_columns() {
        let text = "Question,Answer,Wrong1,Wrong2,Accept\nWho opposed Stalin?,Trotsky,Lenin,Hitler,\nWhat is a kolkhoz?,a collective farm,,,\"collective|farm\"\n\"Pick, one\",B,,,\n";
        let (questions, errors) = parse("bank.csv", text, false);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(questions[0].choices, ["Trotsky", "Lenin", "Hitler"]);
        assert_eq!(
            questions[1].answers,
            ["a collective farm", "collective", "farm"]
        );
        assert_eq!(questions[2].prompt, "Pick, one");
        assert_eq!(
            questions[2].origin,
            crate::content::QuestionOrigin::Imported {
                file: "bank.csv".into(),
                line: 4
            }
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        let (_, errors) = parse("set.tsv", "kolkhoz\tfarm\nlonely\n\ta\tb\n", true);
        let lines: Vec<Option<usize>> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(2), Some(3)]);
        let (_, errors) = parse("b.csv", "question,answer,choices\nQ?,Z,X|Y\nQ2?,,\n", false);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "b.csv:2: the answer \"Z\" is not one of the choices",
                "b.csv:3: the answer column is empty"
            ]
        );
    }
}
