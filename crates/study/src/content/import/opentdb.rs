//! Open Trivia DB JSON (`{"response_code": 0, "results": [...]}`), as its
//! API returns it, with HTML entities in the text.

use serde_json::Value;

use super::Collector;
use crate::content::error::ContentError;
use crate::content::question::Question;

fn decode(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

/// The line of each `"question"` key in order, to point errors at a
/// result: one pass over the text, so a large file stays linear.
fn question_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let mut line = 1;
    let mut counted_to = 0;
    for (at, _) in text.match_indices("\"question\"") {
        line += text[counted_to..at].matches('\n').count();
        counted_to = at;
        lines.push(line);
    }
    lines
}

/// Parses an Open Trivia DB file.
pub fn parse(file: &str, text: &str) -> (Vec<Question>, Vec<ContentError>) {
    let mut out = Collector::new(file);
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            out.error(error.line().max(1), format!("not valid JSON: {error}"));
            return out.finish();
        }
    };
    let Some(results) = value.get("results").and_then(Value::as_array) else {
        out.error(1, "no \"results\" list: expected Open Trivia DB's {\"response_code\": 0, \"results\": [...]}");
        return out.finish();
    };
    let lines = question_lines(text);
    for (n, result) in results.iter().enumerate() {
        let line = lines.get(n).copied().unwrap_or(1);
        if out.full(line) {
            break;
        }
        let field = |name: &str| result.get(name).and_then(Value::as_str).map(decode);
        let (Some(question), Some(correct)) = (field("question"), field("correct_answer")) else {
            out.error(line, "a result needs \"question\" and \"correct_answer\"");
            continue;
        };
        let incorrect: Vec<String> = result
            .get("incorrect_answers")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).map(decode).collect())
            .unwrap_or_default();
        match field("type").as_deref() {
            Some("boolean") => {
                let truth = correct.eq_ignore_ascii_case("true");
                if !truth && !correct.eq_ignore_ascii_case("false") {
                    out.error(
                        line,
                        format!("a true/false answer must be True or False, not {correct:?}"),
                    );
                    continue;
                }
                out.choice(
                    line,
                    question,
                    vec!["True".into(), "False".into()],
                    if truth { 0 } else { 1 },
                    "true_false",
                );
            }
            Some("multiple") | None => {
                if incorrect.is_empty() {
                    out.error(line, "a multiple-choice result needs \"incorrect_answers\"");
                    continue;
                }
                let mut choices = vec![correct];
                choices.extend(incorrect);
                out.choice(line, question, choices, 0, "multiple_choice");
            }
            Some(other) => out.error(
                line,
                format!("unknown question type {other:?} (expected multiple or boolean)"),
            ),
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_results_and_decodes_entities() {
        let text = r#"{"response_code":0,"results":[
  {"type":"multiple","difficulty":"easy","category":"History","question":"Who led the &quot;Red Army&quot;?","correct_answer":"Trotsky","incorrect_answers":["Lenin","Stalin","Kamenev"]},
  {"type":"boolean","difficulty":"easy","category":"History","question":"Stalin was born in Georgia.","correct_answer":"True","incorrect_answers":["False"]}
]}"#;
        let (questions, errors) = parse("otdb.json", text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(questions[0].prompt, "Who led the \"Red Army\"?");
        assert_eq!(questions[0].answer(), "Trotsky");
        assert_eq!(questions[1].answer(), "True");
        assert_eq!(
            questions[1].origin,
            crate::content::QuestionOrigin::Imported {
                file: "otdb.json".into(),
                line: 3
            }
        );
    }

    #[test]
    fn broken_files_name_their_line() {
        let (_, errors) = parse("o.json", "{\"results\": [\n  {\"question\": \"Q\"}\n]}");
        assert_eq!(
            errors[0].to_string(),
            "o.json:2: a result needs \"question\" and \"correct_answer\""
        );
        let (_, errors) = parse("o.json", "{\"results\": [\n  {oops}\n]}");
        assert_eq!(errors[0].line, Some(2));
        assert!(errors[0].message.starts_with("not valid JSON"));
    }
}
