//! Moodle GIFT: multiple choice (`{=right ~wrong}`), true/false (`{T}`),
//! short answer (`{=one =other}`), numeric (`{#3.5}`, `{#3.5:0.1}`,
//! `{#1..5}`), missing-word (`The {=Bolshevik ~Menshevik} party`), titles
//! (`::title::`), comments (`//`), categories (`$CATEGORY:`), feedback
//! (`#...`), weights (`~%50%`) and escapes (`\~ \= \# \{ \} \:`).
//! Matching and essay questions are refused with their line.

use super::Collector;
use crate::content::error::ContentError;
use crate::content::question::Question;

/// A block of lines (one question) and the line it starts on.
struct Block {
    text: String,
    line: usize,
}

/// Splits the file into question blocks: blank lines separate questions,
/// except inside an answer block; `//` comment lines are dropped.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut depth: i32 = 0;
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("//") && depth == 0 {
            continue;
        }
        // An answer block left open ends at a blank line when what follows
        // starts a new question, so one missing `}` loses one question,
        // not the rest of the file.
        if trimmed.is_empty() && depth > 0 && starts_a_question(&lines[index + 1..]) {
            depth = 0;
        }
        if trimmed.is_empty() && depth == 0 {
            if !current.trim().is_empty() {
                blocks.push(Block {
                    text: std::mem::take(&mut current),
                    line: start,
                });
            }
            current.clear();
            continue;
        }
        if current.is_empty() {
            start = index + 1;
        }
        depth += brace_balance(line);
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        blocks.push(Block {
            text: current,
            line: start,
        });
    }
    blocks
}

/// Whether the next non-blank line opens a question: a `::title::`, or a
/// line that opens an answer block.
fn starts_a_question(rest: &[&str]) -> bool {
    rest.iter()
        .map(|line| line.trim())
        .find(|line| !line.is_empty())
        .is_some_and(|line| {
            line.starts_with("::") || (brace_balance(line) >= 0 && !unescaped(line, '{').is_empty())
        })
}

/// Unescaped `{` minus unescaped `}` in a line.
fn brace_balance(line: &str) -> i32 {
    let mut balance = 0;
    let mut escaped = false;
    for c in line.chars() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, '{') => balance += 1,
            (false, '}') => balance -= 1,
            _ => {}
        }
    }
    balance
}

/// Byte positions of unescaped occurrences of `wanted` in `text`.
fn unescaped(text: &str, wanted: char) -> Vec<usize> {
    let mut found = Vec::new();
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == wanted {
            found.push(at);
        }
    }
    found
}

/// Resolves GIFT escapes and collapses white space.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(next) => out.push(next),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops a leading `[html]`/`[markdown]`/`[plain]`/`[moodle]` format tag.
fn strip_format(text: &str) -> &str {
    let trimmed = text.trim_start();
    for tag in ["[html]", "[markdown]", "[plain]", "[moodle]"] {
        if trimmed
            .get(..tag.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(tag))
        {
            return &trimmed[tag.len()..];
        }
    }
    trimmed
}

/// One answer item of a block: `=text#feedback` or `~%50%text`.
struct Item {
    right: bool,
    weight: Option<f64>,
    text: String,
}

fn items(body: &str) -> Result<Vec<Item>, String> {
    let mut starts: Vec<usize> = unescaped(body, '=')
        .into_iter()
        .chain(unescaped(body, '~'))
        .collect();
    starts.sort_unstable();
    let lead = body[..starts.first().copied().unwrap_or(body.len())].trim();
    if !lead.is_empty() {
        return Err(format!(
            "{lead:?} before the first answer: start each answer with = (right) or ~ (wrong)"
        ));
    }
    // A '=' inside an item after '->' is matching syntax; refuse it below.
    let mut items = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(body.len());
        let marker = &body[start..start + 1];
        let mut raw = &body[start + 1..end];
        if let Some(&hash) = unescaped(raw, '#').first() {
            raw = &raw[..hash];
        }
        if raw.contains("->") {
            return Err("matching questions (a -> b) are not supported".into());
        }
        let mut weight = None;
        let trimmed = raw.trim_start();
        if let Some(rest) = trimmed.strip_prefix('%')
            && let Some(close) = rest.find('%')
        {
            weight = rest[..close].trim().parse::<f64>().ok();
            if weight.is_none() {
                return Err(format!(
                    "{:?} is not a weight (write ~%50%answer)",
                    &rest[..close]
                ));
            }
            raw = &rest[close + 1..];
        }
        items.push(Item {
            right: marker == "=",
            weight,
            text: unescape(raw),
        });
    }
    Ok(items)
}

/// Parses numeric answers: `#3.5`, `#3.5:0.1`, `#1..5`, `#=3.5 =4`.
fn numeric(body: &str) -> Result<Vec<String>, String> {
    let rest = &body[1..];
    let parts: Vec<&str> = if rest.contains('=') {
        rest.split('=')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![rest.trim()]
    };
    let mut answers = Vec::new();
    for part in parts {
        let part = part.split('#').next().unwrap_or("").trim();
        let part = part
            .strip_prefix('%')
            .and_then(|p| p.split_once('%'))
            .map_or(part, |(_, p)| p.trim());
        let value = if let Some((low, high)) = part.split_once("..") {
            let (low, high): (f64, f64) = (
                low.trim()
                    .parse()
                    .map_err(|_| format!("{part:?} is not a numeric range"))?,
                high.trim()
                    .parse()
                    .map_err(|_| format!("{part:?} is not a numeric range"))?,
            );
            (low + high) / 2.0
        } else {
            let value = part.split(':').next().unwrap_or("").trim();
            value
                .parse::<f64>()
                .map_err(|_| format!("{part:?} is not a number"))?
        };
        answers.push(if value.fract() == 0.0 && value.abs() < 1e15 {
            format!("{}", value as i64)
        } else {
            value.to_string()
        });
    }
    if answers.is_empty() {
        return Err("the numeric answer is empty".into());
    }
    Ok(answers)
}

/// Parses a GIFT file.
pub fn parse(file: &str, text: &str) -> (Vec<Question>, Vec<ContentError>) {
    let mut out = Collector::new(file);
    for block in blocks(text) {
        let trimmed = block.text.trim();
        if trimmed.starts_with("$CATEGORY:") || trimmed.starts_with("$category:") {
            continue;
        }
        if out.full(block.line) {
            break;
        }
        let mut body_text = trimmed;
        // ::title::
        if let Some(rest) = body_text.strip_prefix("::") {
            match rest.find("::") {
                Some(end) => body_text = &rest[end + 2..],
                None => {
                    out.error(
                        block.line,
                        "the title is not closed: write ::title:: before the question",
                    );
                    continue;
                }
            }
        }
        let opens = unescaped(body_text, '{');
        let closes = unescaped(body_text, '}');
        let (Some(&open), Some(&close)) = (
            opens.first(),
            closes
                .iter()
                .find(|&&c| opens.first().is_some_and(|&o| c > o)),
        ) else {
            let problem = if opens.is_empty() {
                "no answer block: put the answers in { } after the question"
            } else {
                "the answer block's { is never closed: add } after the answers"
            };
            out.error(block.line, problem);
            continue;
        };
        if opens.len() > 1 || closes.len() > 1 {
            out.error(
                block.line,
                "more than one { } answer block (escape literal braces as \\{ and \\})",
            );
            continue;
        }
        let before = strip_format(&body_text[..open]);
        let after = body_text[close + 1..].trim();
        let prompt = if after.is_empty() {
            unescape(before)
        } else {
            format!("{} ___ {}", unescape(before), unescape(after))
        };
        let body = body_text[open + 1..close].trim();
        if body.is_empty() {
            out.error(
                block.line,
                "essay questions ({}) have no answer to check and are not supported",
            );
            continue;
        }
        let head = body.split('#').next().unwrap_or("").trim().to_uppercase();
        if matches!(head.as_str(), "T" | "TRUE" | "F" | "FALSE") {
            let truth = head.starts_with('T');
            let choices = vec!["True".to_string(), "False".to_string()];
            out.choice(
                block.line,
                prompt,
                choices,
                if truth { 0 } else { 1 },
                "true_false",
            );
            continue;
        }
        if body.starts_with('#') {
            match numeric(body) {
                Ok(answers) => out.typed(block.line, prompt, answers, "numeric"),
                Err(message) => out.error(block.line, message),
            }
            continue;
        }
        let items = match items(body) {
            Ok(items) => items,
            Err(message) => {
                out.error(block.line, message);
                continue;
            }
        };
        if items.is_empty() {
            out.error(
                block.line,
                "no answers: mark the right one with = and wrong ones with ~",
            );
            continue;
        }
        if items.iter().any(|i| !i.right) {
            let right = items.iter().position(|i| i.right).or_else(|| {
                items
                    .iter()
                    .position(|i| i.weight.is_some_and(|w| w >= 100.0))
            });
            match right {
                Some(right) if items.iter().filter(|i| i.right).count() <= 1 => {
                    let choices = items.into_iter().map(|i| i.text).collect();
                    out.choice(block.line, prompt, choices, right, "multiple_choice");
                }
                Some(_) => out.error(block.line, "a multiple-choice question has one right answer (=); several were marked"),
                None => out.error(block.line, "no right answer: mark it with = (multiple-answer questions with partial weights are not supported)"),
            }
        } else {
            let answers = items.into_iter().map(|i| i.text).collect();
            out.typed(block.line, prompt, answers, "short_answer");
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_supported_question_type() {
        let text = r#"// A comment
$CATEGORY: $course$/USSR

::Q1:: Who opposed Stalin? {
  =Trotsky # yes
  ~Lenin
  ~Hitler #no
}

Stalin was General Secretary. {T}

Which plan did Stalin introduce? {=Five-year Plan =five year plan}

How far from Moscow (miles) was the assault stopped? {#20:2}

Stalin joined {=Kamenev ~Lenin ~Hitler} and Zinoviev.

[markdown]Escapes \{ \} \= \~ \# work {=yes\~no ~no}
"#;
        let (questions, errors) = parse("bank.gift", text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(questions.len(), 6);
        assert_eq!(questions[0].prompt, "Who opposed Stalin?");
        assert_eq!(questions[0].choices, ["Trotsky", "Lenin", "Hitler"]);
        assert_eq!(questions[0].answer_index, Some(0));
        assert_eq!(
            questions[0].origin,
            crate::content::QuestionOrigin::Imported {
                file: "bank.gift".into(),
                line: 4
            }
        );
        assert_eq!(
            (questions[1].kind.as_str(), questions[1].answer()),
            ("true_false", "True")
        );
        assert_eq!(questions[2].answers, ["Five-year Plan", "five year plan"]);
        assert_eq!(
            (questions[3].kind.as_str(), questions[3].answers.clone()),
            ("numeric", vec!["20".to_string()])
        );
        assert_eq!(questions[4].prompt, "Stalin joined ___ and Zinoviev.");
        assert_eq!(questions[5].prompt, "Escapes { } = ~ # work");
        assert_eq!(questions[5].choices, ["yes~no", "no"]);
    }

    #[test]
    fn a_format_tag_check_never_splits_a_character() {
        // Found by the property test: a multi-byte character where "[html]" would end.
        let (questions, errors) = parse("u.gift", "Cr5ヿÉཤ {=a ~b}\n");
        assert!(errors.is_empty());
        assert_eq!(questions[0].prompt, "Cr5ヿÉཤ");
    }

    #[test]
    fn broken_questions_name_their_line_and_problem() {
        let text = "Q1 {=a ~b}\n\nNo answers here\n\nQ3 {~a ~b}\n\nQ4 {}\n\nQ5 {=a -> b}\n\n::open title Q6 {=x}\n\nQ7 {#abc}\n";
        let (questions, errors) = parse("b.gift", text);
        assert_eq!(questions.len(), 1);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "b.gift:3: no answer block: put the answers in { } after the question",
                "b.gift:5: no right answer: mark it with = (multiple-answer questions with partial weights are not supported)",
                "b.gift:7: essay questions ({}) have no answer to check and are not supported",
                "b.gift:9: matching questions (a -> b) are not supported",
                "b.gift:11: the title is not closed: write ::title:: before the question",
                "b.gift:13: \"abc\" is not a number",
            ]
        );
    }

    #[test]
    fn finding_19_an_unclosed_brace_loses_one_question_not_the_rest_of_the_file() {
        let text = "Who led the Red Army? {=Trotsky ~Lenin\n\nWho led the party? {=Lenin ~Trotsky}\n\n::q3:: Who wrote it? {=Marx ~Engels}\n";
        let (questions, errors) = parse("bank.gift", text);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["bank.gift:1: the answer block's { is never closed: add } after the answers"]
        );
        assert_eq!(questions.len(), 2, "{questions:?}");
        assert_eq!(questions[0].prompt, "Who led the party?");
    }
}
