//! Aiken: a question line, lettered choices (`A.` or `A)`), then
//! `ANSWER: X`. Questions are separated by blank lines.

use super::Collector;
use crate::content::error::ContentError;
use crate::content::question::Question;

/// Parses an Aiken file.
pub fn parse(file: &str, text: &str) -> (Vec<Question>, Vec<ContentError>) {
    let mut out = Collector::new(file);
    let mut prompt: Option<(usize, String)> = None;
    let mut choices: Vec<(char, String)> = Vec::new();
    let mut waiting_since = 0;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let upper = line.to_uppercase();
        if let Some(rest) = upper.strip_prefix("ANSWER:") {
            let Some((start, question)) = prompt.take() else {
                out.error(line_no, "ANSWER: without a question before it");
                choices.clear();
                continue;
            };
            let letter = rest.trim();
            let found = (letter.chars().count() == 1)
                .then(|| letter.chars().next())
                .flatten()
                .and_then(|l| choices.iter().position(|(c, _)| *c == l));
            match found {
                _ if choices.len() < 2 => out.error(
                    start,
                    "a question needs at least two lettered choices (A. ..., B. ...)",
                ),
                Some(index) => {
                    if out.full(start) {
                        break;
                    }
                    let texts = choices.iter().map(|(_, t)| t.clone()).collect();
                    out.choice(start, question, texts, index, "multiple_choice");
                }
                None => out.error(
                    line_no,
                    format!("ANSWER: {letter} is not one of the choices' letters"),
                ),
            }
            choices.clear();
            continue;
        }
        let mut chars = line.chars();
        let letter = chars
            .next()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_uppercase());
        let marker = chars.next();
        let is_choice = prompt.is_some()
            && letter.is_some()
            && matches!(marker, Some('.') | Some(')'))
            && line.len() > 2;
        if is_choice {
            let letter = letter.unwrap_or('A');
            // Letters run A to Z: a 27th choice has no letter to expect.
            let expected = u8::try_from(choices.len())
                .ok()
                .and_then(|n| b'A'.checked_add(n))
                .filter(u8::is_ascii_uppercase)
                .map(char::from);
            match expected {
                Some(expected) if letter != expected => out.error(
                    line_no,
                    format!("choice {letter} out of order: expected {expected}"),
                ),
                Some(_) => {}
                None => out.error(
                    line_no,
                    format!(
                        "more than 26 choices (A to Z); a question may have at most {}",
                        crate::content::question::MAX_CHOICES
                    ),
                ),
            }
            choices.push((letter, line[2..].trim().to_string()));
        } else if prompt.is_some() && choices.is_empty() {
            // A question may run over several lines before its choices.
            if let Some((_, question)) = prompt.as_mut() {
                question.push(' ');
                question.push_str(line);
            }
        } else {
            if let Some((start, _)) = prompt.take() {
                out.error(start, "the question has no ANSWER: line");
            }
            choices.clear();
            prompt = Some((line_no, line.to_string()));
            waiting_since = line_no;
        }
    }
    if let Some((start, _)) = prompt {
        out.error(start.max(waiting_since), "the question has no ANSWER: line");
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_questions_with_either_letter_style() {
        let text = "Who opposed Stalin?\nA. Lenin\nB) Trotsky\nC. Hitler\nANSWER: B\n\nWhat is a kolkhoz?\nA) A farm\nB) A city\nanswer: a\n";
        let (questions, errors) = parse("a.txt", text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(questions.len(), 2);
        assert_eq!(questions[0].answer(), "Trotsky");
        assert_eq!(questions[1].answer(), "A farm");
        assert_eq!(
            questions[1].origin,
            crate::content::QuestionOrigin::Imported {
                file: "a.txt".into(),
                line: 7
            }
        );
    }

    #[test]
    fn broken_questions_name_their_line() {
        let text = "Q1?\nA. x\nB. y\nANSWER: D\n\nQ2?\nA. x\nB. y\n\nQ3?\nA. only\nANSWER: A\n\nANSWER: A\n";
        let (questions, errors) = parse("a.txt", text);
        assert!(questions.is_empty());
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "a.txt:4: ANSWER: D is not one of the choices' letters",
                "a.txt:6: the question has no ANSWER: line",
                "a.txt:10: a question needs at least two lettered choices (A. ..., B. ...)",
                "a.txt:14: ANSWER: without a question before it",
            ]
        );
    }

    #[test]
    fn finding_8_more_than_26_choices_is_an_error_not_an_overflow() {
        let mut text = String::from("Which letter?\n");
        for n in 0..30u8 {
            let letter = char::from(b'A' + n % 26);
            text.push_str(&format!("{letter}. choice {n}\n"));
        }
        text.push_str("ANSWER: A\n");
        let (_, errors) = parse("many.txt", &text);
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            messages.contains(&format!(
                "many.txt:28: more than 26 choices (A to Z); a question may have at most {}",
                crate::content::question::MAX_CHOICES
            )),
            "{messages:?}"
        );
        assert!(
            messages.iter().all(|m| !m.contains('\u{fe}')),
            "{messages:?}"
        );
    }
}
