//! `/report` (admins): the teacher's report in short, privately: the
//! class this week against last, the five hardest questions with their
//! share right and most chosen wrong answer, and how many students are
//! counted, with the chart ([`crate::chart`]) attached where the platform
//! can show a picture (Discord, Matrix; the terminal is told how to write
//! it to a file). The whole report (every student and question, CSV, JSON
//! or PNG) is `lectern report`'s. The figures are the store's
//! ([`crate::store::ReportStore`]).

use crate::chart;
use crate::identity::Platform;
use crate::store::{Report, WeekReport};

use super::reply::{Attachment, Message, escape};
use super::{Bot, BotError, Origin};

/// Questions the summary names.
const HARDEST: usize = 5;

impl Bot {
    /// `/report`: refused to non-admins with the reason; else the summary,
    /// shown only to the asker.
    pub(crate) async fn report(&self, origin: &Origin) -> Result<Vec<Message>, BotError> {
        if !origin.is_admin {
            return Err(BotError::User(
                "Only an admin or teacher can see the class report: it shows how the whole class answers."
                    .into(),
            ));
        }
        let now = self.inner.clock.now();
        let Some(report) = self.inner.store.report(origin.scope(), None, now).await? else {
            let none = "No quiz has been played here yet, so there is nothing to report.";
            return Ok(vec![Message::titled("Class report", none).private()]);
        };
        let message = Message::titled("Class report", summary(&report)).private();
        if origin.channel.scope.platform == Platform::Console {
            return Ok(vec![message.with_footer(
                "lectern report --format png --output report.png draws the chart.",
            )]);
        }
        // Drawing takes tens of milliseconds of CPU: off the runtime.
        let drawn = tokio::task::spawn_blocking(move || chart::render_png(&report)).await;
        Ok(vec![match drawn {
            Ok(Ok(png)) => message.with_attachment(Attachment::png(
                chart::FILE_NAME,
                png,
                chart::WIDTH,
                chart::HEIGHT,
            )),
            Ok(Err(error)) => {
                tracing::error!(error = %error, "the report chart failed");
                message.with_footer("The chart could not be drawn this time.")
            }
            Err(error) => {
                tracing::error!(error = %error, "the report chart's task failed");
                message.with_footer("The chart could not be drawn this time.")
            }
        }])
    }
}

/// A week's accuracy and answers, in words.
fn week_words(week: &WeekReport) -> String {
    match week.accuracy {
        Some(accuracy) => format!(
            "{:.0}% right of {} answer{}",
            accuracy * 100.0,
            week.answers,
            if week.answers == 1 { "" } else { "s" }
        ),
        None => "no answers".into(),
    }
}

/// The summary text of a report (user-written text escaped).
pub(crate) fn summary(report: &Report) -> String {
    let [this, last] = &report.weeks;
    let mut text = format!(
        "This week: {}. Last week: {}.",
        week_words(this),
        week_words(last)
    );
    if let (Some(now), Some(before)) = (this.accuracy, last.accuracy) {
        let points = ((now - before) * 100.0).round();
        text.push_str(&match points {
            p if p > 0.0 => format!(" Up {p:.0} points."),
            p if p < 0.0 => format!(" Down {:.0} points.", -p),
            _ => " Level.".to_string(),
        });
    }
    let students = report.students.len();
    text.push_str(&format!(
        "\n{students} student{} counted.",
        if students == 1 { "" } else { "s" }
    ));
    if report.questions.is_empty() {
        text.push_str("\nNo question has been answered yet.");
        return text;
    }
    text.push_str("\n\nHardest questions:");
    for (n, question) in report.questions.iter().take(HARDEST).enumerate() {
        let wrong = match &question.top_wrong_answer {
            Some(choice) => format!(
                "; most chosen wrong answer: {} ({}×)",
                escape(choice),
                question.top_wrong_count
            ),
            None => String::new(),
        };
        text.push_str(&format!(
            "\n{}. {} — {:.0}% right of {}{wrong}",
            n + 1,
            escape(&question.prompt),
            question.share_right * 100.0,
            question.answers,
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::store::QuestionReport;

    fn week(week: &'static str, answers: i64, correct: i64) -> WeekReport {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        WeekReport {
            week,
            from: at,
            to: at,
            answers,
            correct,
            accuracy: (answers > 0).then(|| correct as f64 / answers as f64),
        }
    }

    fn question(n: usize, right: f64, wrong: Option<&str>) -> QuestionReport {
        QuestionReport {
            item_id: format!("item-{n}"),
            prompt: format!("Question {n}?"),
            answer: "x".into(),
            asked: 1,
            answers: 4,
            correct: (right * 4.0) as i64,
            share_right: right,
            top_wrong_answer: wrong.map(str::to_string),
            top_wrong_count: i64::from(wrong.is_some()),
            source_sentence: None,
        }
    }

    #[test]
    fn the_summary_compares_the_weeks_names_five_questions_and_defuses_mentions() {
        let mut questions: Vec<QuestionReport> = (1..=7).map(|n| question(n, 0.25, None)).collect();
        questions[0] = question(1, 0.0, Some("@everyone"));
        let report = Report {
            scope: "discord:1".into(),
            generated_at: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
            since: None,
            students: Vec::new(),
            questions,
            sentences: Vec::new(),
            weeks: [week("this week", 8, 6), week("last week", 4, 2)],
            weekly: Vec::new(),
        };
        let text = summary(&report);
        assert!(
            text.starts_with(
                "This week: 75% right of 8 answers. Last week: 50% right of 4 answers. Up 25 points.\n0 students counted."
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "1. Question 1? — 0% right of 4; most chosen wrong answer: @\u{200B}everyone (1×)"
            ),
            "{text}"
        );
        assert!(text.contains("\n5. Question 5?"), "{text}");
        assert!(!text.contains("Question 6"), "{text}");
    }

    #[test]
    fn a_week_without_answers_says_so_and_no_trend_is_made_up() {
        let report = Report {
            scope: "console:terminal".into(),
            generated_at: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
            since: None,
            students: Vec::new(),
            questions: Vec::new(),
            sentences: Vec::new(),
            weeks: [week("this week", 1, 1), week("last week", 0, 0)],
            weekly: Vec::new(),
        };
        assert_eq!(
            summary(&report),
            "This week: 100% right of 1 answer. Last week: no answers.\n0 students counted.\nNo question has been answered yet."
        );
    }
}
