//! Importers for the question banks teachers already have: Moodle GIFT,
//! Aiken, CSV/TSV (Quizlet exports and header-named tables), Red-DiscordBot
//! trivia YAML and Open Trivia DB JSON.
//!
//! Every importer returns questions or errors naming the file, the line and
//! the problem; it never panics on any input (property-tested). Files over
//! [`MAX_BYTES`] or with more than [`MAX_QUESTIONS`] questions are refused
//! with a clear message before parsing further.

pub mod aiken;
pub mod csv;
pub mod gift;
mod into_pack;
pub mod opentdb;
pub mod red;

pub use into_pack::{AddError, AddedBank, add_to_pack, safe_bank_name};

use std::path::Path;

use super::error::{ContentError, ContentErrors};
use super::question::{Question, QuestionOrigin};

/// Largest file accepted (counted while reading, see [`super::files`]).
pub const MAX_BYTES: u64 = super::files::MAX_FILE_BYTES;
/// Most questions accepted from one file.
pub const MAX_QUESTIONS: usize = 10_000;

/// The formats [`import`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gift,
    Aiken,
    Csv,
    Red,
    OpenTdb,
}

impl Format {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name.to_lowercase().as_str() {
            "gift" | "moodle" => Ok(Format::Gift),
            "aiken" => Ok(Format::Aiken),
            "csv" | "tsv" | "quizlet" => Ok(Format::Csv),
            "red" | "yaml" | "yml" | "trivia" => Ok(Format::Red),
            "opentdb" | "json" => Ok(Format::OpenTdb),
            other => Err(format!(
                "{other:?} is not a format: use gift, aiken, csv, red or opentdb"
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Format::Gift => "gift",
            Format::Aiken => "aiken",
            Format::Csv => "csv",
            Format::Red => "red",
            Format::OpenTdb => "opentdb",
        }
    }

    /// Guesses the format from the file name, then the content.
    pub fn guess(path: &Path, text: &str) -> Option<Self> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "gift" => return Some(Format::Gift),
            "aiken" => return Some(Format::Aiken),
            "csv" | "tsv" => return Some(Format::Csv),
            "yaml" | "yml" => return Some(Format::Red),
            "json" => return Some(Format::OpenTdb),
            _ => {}
        }
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            return Some(Format::OpenTdb);
        }
        if text
            .lines()
            .any(|l| l.trim_start().to_uppercase().starts_with("ANSWER:"))
        {
            return Some(Format::Aiken);
        }
        if text.contains('{') && text.contains('}') {
            return Some(Format::Gift);
        }
        if text
            .lines()
            .next()
            .is_some_and(|l| l.contains('\t') || l.contains(','))
        {
            return Some(Format::Csv);
        }
        if text
            .lines()
            .any(|l| l.trim_end().ends_with(':') && !l.starts_with(' '))
        {
            return Some(Format::Red);
        }
        None
    }
}

/// Reads questions from `path`. `format` is guessed when not given.
pub fn import(
    path: &Path,
    format: Option<Format>,
) -> Result<(Format, Vec<Question>), ContentErrors> {
    let file = path.display().to_string();
    let error = |message: String| ContentErrors::from(ContentError::new(&file, None, message));
    let text = super::files::read_text(path, MAX_BYTES)?
        .ok_or_else(|| error("cannot read it: the file does not exist".into()))?;
    let format = match format.or_else(|| Format::guess(path, &text)) {
        Some(format) => format,
        None => {
            return Err(error(
                "cannot tell the format: name it with --format gift|aiken|csv|red|opentdb".into(),
            ));
        }
    };
    let tab_separated = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let questions = parse(format, &file, &text, tab_separated)?;
    Ok((format, questions))
}

/// Parses `text` (from `file`) in `format`.
pub fn parse(
    format: Format,
    file: &str,
    text: &str,
    tab_separated: bool,
) -> Result<Vec<Question>, ContentErrors> {
    let text = super::files::without_bom(text);
    let (questions, errors) = match format {
        Format::Gift => gift::parse(file, text),
        Format::Aiken => aiken::parse(file, text),
        Format::Csv => csv::parse(file, text, tab_separated),
        Format::Red => red::parse(file, text),
        Format::OpenTdb => opentdb::parse(file, text),
    };
    if errors.is_empty() {
        Ok(questions)
    } else {
        Err(ContentErrors(errors))
    }
}

/// Most problems kept for one file; the rest are counted ("... and N more").
pub const MAX_ERRORS: usize = 100;

/// Collects questions for one file, stopping at [`MAX_QUESTIONS`].
pub(crate) struct Collector<'a> {
    file: &'a str,
    stem: String,
    pub(crate) questions: Vec<Question>,
    pub(crate) errors: Vec<ContentError>,
    /// Problems found past [`MAX_ERRORS`].
    more_errors: usize,
    /// Whether the question limit has been reported.
    said_full: bool,
}

impl<'a> Collector<'a> {
    pub(crate) fn new(file: &'a str) -> Self {
        let stem = Path::new(file)
            .file_stem()
            .map(|s| {
                s.to_string_lossy()
                    .to_lowercase()
                    .replace(|c: char| !c.is_alphanumeric(), "-")
            })
            .unwrap_or_else(|| "imported".into());
        Self {
            file,
            stem,
            questions: Vec::new(),
            errors: Vec::new(),
            more_errors: 0,
            said_full: false,
        }
    }

    /// Records a problem at `line`.
    pub(crate) fn error(&mut self, line: usize, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors
                .push(ContentError::new(self.file, Some(line), message));
        } else {
            self.more_errors += 1;
        }
    }

    /// Whether the question limit is reached (and says so once).
    pub(crate) fn full(&mut self, line: usize) -> bool {
        if self.questions.len() >= MAX_QUESTIONS {
            if !self.said_full {
                self.said_full = true;
                self.error(
                    line,
                    format!(
                        "more than {MAX_QUESTIONS} questions: split the bank into smaller files"
                    ),
                );
            }
            return true;
        }
        false
    }

    /// Adds a multiple-choice question (answer is an index into choices).
    pub(crate) fn choice(
        &mut self,
        line: usize,
        prompt: String,
        choices: Vec<String>,
        answer: usize,
        kind: &str,
    ) {
        self.add(line, prompt, choices, Some(answer), Vec::new(), kind);
    }

    /// Adds a typed-answer question.
    pub(crate) fn typed(&mut self, line: usize, prompt: String, answers: Vec<String>, kind: &str) {
        self.add(line, prompt, Vec::new(), None, answers, kind);
    }

    fn add(
        &mut self,
        line: usize,
        prompt: String,
        choices: Vec<String>,
        answer_index: Option<usize>,
        answers: Vec<String>,
        kind: &str,
    ) {
        let prompt = prompt.trim().to_string();
        if prompt.is_empty() {
            self.error(line, "the question text is empty");
            return;
        }
        let choices: Vec<String> = choices.into_iter().map(|c| c.trim().to_string()).collect();
        let mut answers: Vec<String> = answers
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        if let Some(index) = answer_index {
            if choices.len() < 2 || choices.len() > super::question::MAX_CHOICES {
                self.error(
                    line,
                    format!(
                        "a multiple-choice question needs 2 to {} choices, this one has {}",
                        super::question::MAX_CHOICES,
                        choices.len()
                    ),
                );
                return;
            }
            if choices.iter().any(String::is_empty) {
                self.error(line, "a choice is empty");
                return;
            }
            let mut lowered: Vec<String> = choices.iter().map(|c| c.to_lowercase()).collect();
            lowered.sort();
            if lowered.windows(2).any(|w| w[0] == w[1]) {
                self.error(line, "two choices are the same");
                return;
            }
            match choices.get(index) {
                Some(answer) => answers.insert(0, answer.clone()),
                None => {
                    self.error(line, "the right answer is not one of the choices");
                    return;
                }
            }
        } else if answers.is_empty() {
            self.error(line, "the question has no answer");
            return;
        }
        let id = format!("{}-{}", self.stem, self.questions.len() + 1);
        self.questions.push(Question {
            id,
            prompt,
            choices,
            answer_index,
            answers,
            source_sentence: None,
            kind: kind.to_string(),
            origin: QuestionOrigin::Imported {
                file: self.file.to_string(),
                line,
            },
            explanation: None,
        });
    }

    pub(crate) fn finish(mut self) -> (Vec<Question>, Vec<ContentError>) {
        if self.more_errors > 0 {
            self.errors.push(ContentError::new(
                self.file,
                None,
                format!(
                    "... and {} more problem{}",
                    self.more_errors,
                    if self.more_errors == 1 { "" } else { "s" }
                ),
            ));
        }
        (self.questions, self.errors)
    }
}

/// Writes questions as a native bank file (the pack's TOML format).
pub fn to_native_toml(questions: &[Question], note: &str) -> String {
    #[derive(serde::Serialize)]
    struct Bank<'a> {
        question: Vec<Entry<'a>>,
    }
    #[derive(serde::Serialize)]
    struct Entry<'a> {
        id: &'a str,
        question: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        choices: Option<&'a [String]>,
        answer: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        accept: &'a [String],
    }
    let bank = Bank {
        question: questions
            .iter()
            .map(|q| Entry {
                id: &q.id,
                question: &q.prompt,
                choices: q.is_multiple_choice().then_some(q.choices.as_slice()),
                answer: q.answer(),
                accept: if q.is_multiple_choice() {
                    &q.answers[1..]
                } else {
                    q.answers.get(1..).unwrap_or(&[])
                },
            })
            .collect(),
    };
    let body = toml::to_string(&bank).unwrap_or_default();
    // Each line of the note stays a comment, whatever it holds.
    let note: String = note
        .lines()
        .map(|line| {
            let line: String = line
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!("# {line}\n")
        })
        .collect();
    format!("{note}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_guessed_from_names_then_content() {
        assert_eq!(Format::guess(Path::new("a.gift"), ""), Some(Format::Gift));
        assert_eq!(Format::guess(Path::new("a.yaml"), ""), Some(Format::Red));
        assert_eq!(
            Format::guess(Path::new("a.txt"), "Q?\nA. x\nB. y\nANSWER: A\n"),
            Some(Format::Aiken)
        );
        assert_eq!(
            Format::guess(Path::new("a.txt"), "Q {=a ~b}\n"),
            Some(Format::Gift)
        );
        assert_eq!(
            Format::guess(Path::new("a.txt"), "{\"results\": []}"),
            Some(Format::OpenTdb)
        );
        assert_eq!(
            Format::guess(Path::new("a.txt"), "term\tdefinition\n"),
            Some(Format::Csv)
        );
    }

    #[test]
    fn oversized_files_are_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.gift");
        std::fs::write(&path, vec![b'x'; (MAX_BYTES + 1) as usize]).unwrap();
        let error = import(&path, None).unwrap_err().to_string();
        assert!(
            error.contains("the file is over 10 MB, the largest accepted"),
            "{error}"
        );
    }

    #[test]
    fn finding_13_a_device_or_a_fifo_is_refused_without_reading_it() {
        let error = import(Path::new("/dev/zero"), Some(Format::Gift))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("/dev/zero: is not a regular file (a pipe, device or socket)"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("bank.gift");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            send.send(import(&fifo, None).map(|_| ()).unwrap_err().to_string())
        });
        let error = receive
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("importing a FIFO blocked");
        assert!(
            error.contains("bank.gift: is not a regular file"),
            "{error}"
        );
    }

    #[test]
    fn finding_19_a_byte_order_mark_is_neither_refused_nor_kept_in_the_prompt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.gift");
        std::fs::write(&path, "\u{feff}Who led the Red Army? {=Trotsky ~Lenin}\n").unwrap();
        let (_, questions) = import(&path, None).unwrap();
        assert_eq!(questions[0].prompt, "Who led the Red Army?");
        let questions = parse(
            Format::Aiken,
            "a.txt",
            "\u{feff}Who?\nA. Trotsky\nB. Lenin\nANSWER: A\n",
            false,
        )
        .unwrap();
        assert_eq!(questions[0].prompt, "Who?");
    }

    #[test]
    fn more_than_ten_thousand_questions_are_refused() {
        let text: String = (0..MAX_QUESTIONS + 5)
            .map(|i| format!("q{i}\tanswer{i}\n"))
            .collect();
        let error = parse(Format::Csv, "big.tsv", &text, true)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("big.tsv:10001: more than 10000 questions"),
            "{error}"
        );
    }

    /// Parses `text`, which must fail. (How long imports take is measured,
    /// not asserted: 10 MB banks read in well under a second in release;
    /// the quadratic parser this replaced took minutes on these sizes.)
    fn parse_errors(format: Format, file: &str, text: &str) -> ContentErrors {
        parse(format, file, text, false).unwrap_err()
    }

    #[test]
    fn finding_12_red_and_opentdb_imports_keep_a_bounded_error_list() {
        let red: String = (0..20_000)
            .map(|i| format!("Question number {i} with no answer?: []\n"))
            .collect();
        let errors = parse_errors(Format::Red, "big.yaml", &red);
        assert_eq!(errors.0.len(), MAX_ERRORS + 1);
        assert_eq!(
            errors.0[1].to_string(),
            "big.yaml:2: \"Question number 1 with no answer?\" has no answers: list them as [answer, other answer]"
        );
        assert_eq!(
            errors.0[MAX_ERRORS].to_string(),
            format!("big.yaml: ... and {} more problems", 20_000 - MAX_ERRORS)
        );
        let results: Vec<String> = (0..20_000)
            .map(|i| format!("{{\n\"question\": \"Q{i}?\",\n\"correct_answer\": \"A\",\n\"type\": \"multiple\"}}"))
            .collect();
        let json = format!("{{\"results\": [\n{}\n]}}", results.join(",\n"));
        let errors = parse_errors(Format::OpenTdb, "big.json", &json);
        assert_eq!(errors.0.len(), MAX_ERRORS + 1);
        assert_eq!(
            errors.0[2].to_string(),
            "big.json:11: a multiple-choice result needs \"incorrect_answers\""
        );
        assert!(errors.to_string().lines().count() <= MAX_ERRORS + 2);
    }

    #[test]
    fn imported_questions_round_trip_through_the_native_format() {
        let (questions, errors) = gift::parse(
            "t.gift",
            "Who? {=Trotsky =Leon Trotsky}\n\nPick {=A ~B ~C}\n",
        );
        assert!(errors.is_empty());
        let toml = to_native_toml(&questions, "imported");
        let doc = crate::content::Document::parse("Nothing.");
        let (again, errors) =
            crate::content::question::parse_bank("t.toml", &toml, &doc, &mut Default::default());
        assert!(errors.is_empty(), "{errors:?}\n{toml}");
        assert_eq!(again.len(), 2);
        assert_eq!(again[0].answers, ["Trotsky", "Leon Trotsky"]);
        assert_eq!(again[1].choices, ["A", "B", "C"]);
    }

    mod no_panic {
        use proptest::prelude::*;

        use super::super::{Format, parse};

        /// Text built from the characters the grammars care about, so the
        /// parsers' edge cases are reached far more often than by chance.
        fn grammar_text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("{".to_string()),
                    Just("}".to_string()),
                    Just("=".to_string()),
                    Just("~".to_string()),
                    Just("#".to_string()),
                    Just("\\".to_string()),
                    Just("::".to_string()),
                    Just("->".to_string()),
                    Just("%50%".to_string()),
                    Just("\n".to_string()),
                    Just("\n\n".to_string()),
                    Just("//".to_string()),
                    Just("ANSWER: ".to_string()),
                    Just("A. ".to_string()),
                    Just("B) ".to_string()),
                    Just("T".to_string()),
                    Just("$CATEGORY: x".to_string()),
                    Just("1..5".to_string()),
                    Just(":0.1".to_string()),
                    Just("\t".to_string()),
                    Just(",".to_string()),
                    Just("\"".to_string()),
                    Just("|".to_string()),
                    Just("- ".to_string()),
                    Just("[".to_string()),
                    Just("]".to_string()),
                    Just("é".to_string()),
                    "[a-zA-Z0-9 ?]{0,8}",
                ],
                0..60,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

            #[test]
            fn no_importer_panics_on_grammar_soup(text in grammar_text()) {
                for format in [Format::Gift, Format::Aiken, Format::Csv, Format::Red, Format::OpenTdb] {
                    let _ = parse(format, "fuzz.txt", &text, false);
                    let _ = parse(format, "fuzz.tsv", &text, true);
                }
            }

            #[test]
            fn no_importer_panics_on_any_text(text in "\\PC{0,300}") {
                for format in [Format::Gift, Format::Aiken, Format::Csv, Format::Red, Format::OpenTdb] {
                    let _ = parse(format, "fuzz.txt", &text, false);
                }
            }
        }
    }
}
