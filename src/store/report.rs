//! The teacher's report: per student, per question and per week, read from
//! the answers a scope's quizzes recorded. Read-only; one implementation
//! over the same standard SQL for both engines (window functions and CTEs,
//! which SQLite and PostgreSQL both have; every `SUM` is cast to `BIGINT`
//! so PostgreSQL does not widen it to NUMERIC).
//!
//! It must not decide how the figures are shown: the terminal's CSV and
//! JSON and the chat summary are the callers'.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::identity::ScopeRef;

use super::{PgStore, SqliteStore, StoreError, millis};

/// One student's figures in a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudentReport {
    /// The platform's user id (a Discord snowflake, a Matrix user id, a
    /// terminal name).
    pub user_id: String,
    pub display_name: String,
    /// Rounds played (a round the student joined but did not answer counts,
    /// wrong, as the scores count it).
    pub answered: i64,
    pub correct: i64,
    /// `correct / answered`, 0 when nothing was answered.
    pub accuracy: f64,
    /// The longest run of right answers within one quiz.
    pub best_streak: i64,
    /// Review cards due at the report's `now`.
    pub reviews_due: i64,
}

/// One question's figures, under its stable item id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionReport {
    pub item_id: String,
    /// The question and its answer as first asked (empty when the item was
    /// never kept, which recorded rounds always do).
    pub prompt: String,
    pub answer: String,
    /// Rounds that asked it.
    pub asked: i64,
    /// Players' answers to it (a joined player's silence counts, wrong).
    pub answers: i64,
    pub correct: i64,
    /// `correct / answers`.
    pub share_right: f64,
    /// The wrong answer given most often, and how often, case aside
    /// ("Stalin" and "stalin" are one answer, shown as its most given
    /// spelling; ties go to the first in byte order).
    pub top_wrong_answer: Option<String>,
    pub top_wrong_count: i64,
    /// The document sentence that teaches the answer (its index, from 0),
    /// when the question names one.
    pub source_sentence: Option<usize>,
}

/// The questions of one document sentence together: where in the document
/// the class is weakest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SentenceReport {
    /// The sentence's index in the document, from 0.
    pub sentence: usize,
    /// Questions asked on it, answers to them and right ones.
    pub questions: i64,
    pub answers: i64,
    pub correct: i64,
    /// `correct / answers`.
    pub share_right: f64,
    /// Its hardest question's prompt, to tell the sentence by.
    pub hardest_prompt: String,
}

/// The class's answers in one week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekReport {
    /// `this week` or `last week`.
    pub week: &'static str,
    /// After `from`, up to and including `to`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub answers: i64,
    pub correct: i64,
    /// `correct / answers`; `None` when nobody answered.
    pub accuracy: Option<f64>,
}

/// The class's answers in one of the weeks the chart shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekPoint {
    /// After `from`, up to and including `to` (7 days).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub answers: i64,
    pub correct: i64,
    /// `correct / answers`; `None` when nobody answered that week.
    pub accuracy: Option<f64>,
}

/// Weeks the accuracy over time goes back at most (a school term).
pub const CHART_WEEKS: i64 = 12;

/// A scope's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `platform:id`, e.g. `discord:1234` or `console:terminal`.
    pub scope: String,
    pub generated_at: DateTime<Utc>,
    /// Answers before this were left out of the students and questions.
    pub since: Option<DateTime<Utc>>,
    /// By name.
    pub students: Vec<StudentReport>,
    /// Hardest first: lowest share right, then most answered.
    pub questions: Vec<QuestionReport>,
    /// The questions by the document sentence they teach, weakest first
    /// (questions without a sentence, such as most bank questions, are
    /// left out).
    pub sentences: Vec<SentenceReport>,
    /// This week (the 7 days up to `generated_at`), then the 7 before.
    pub weeks: [WeekReport; 2],
    /// The class's accuracy week by week, oldest first, ending with this
    /// week: from the oldest week with answers (since `since`, and
    /// [`CHART_WEEKS`] at most); weeks without answers are kept, with no
    /// accuracy. Empty when nobody answered in that time.
    pub weekly: Vec<WeekPoint>,
}

/// The teacher's report.
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// The report for `scope` at `now`, or `None` when the database has no
    /// such scope.
    ///
    /// - Students: with no `since`, every player with a score here, and
    ///   answered, right and best streak from the running totals
    ///   (`scores`, all time); with `since`, every player who answered
    ///   since then, with those figures counted from their answers since
    ///   then (`quiz_answers`; a streak is within one quiz). Reviews due
    ///   are always as of `now`.
    /// - Questions: from the answers since `since` (all when `None`) that
    ///   name their item; older answers without one count only for
    ///   students and weeks.
    /// - Weeks: the 7 days up to `now` and the 7 before, whatever `since`.
    async fn report(
        &self,
        scope: &ScopeRef,
        since: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<Report>, StoreError>;

    /// Every scope with answers, as `platform:id`, to name the choices when
    /// a scope is unknown.
    async fn report_scopes(&self) -> Result<Vec<String>, StoreError>;
}

/// The scope's row id.
const SCOPE_ID: &str = "SELECT id FROM scopes WHERE platform = $1 AND platform_scope_id = $2";

/// Students from the running totals ($1 scope row, $2 now).
const STUDENTS_ALL_TIME: &str =
    "SELECT u.platform_user_id AS user_id, u.display_name, sc.answered, sc.correct, sc.best_streak,
 (SELECT COUNT(*) FROM review_cards c
  WHERE c.scope_id = sc.scope_id AND c.user_id = sc.user_id AND c.due_at_ms <= $2) AS reviews_due
 FROM scores sc JOIN users u ON u.id = sc.user_id
 WHERE sc.scope_id = $1";

/// Students from their answers since $3 ($1 scope row, $2 now). A streak
/// is a run of right answers in one quiz: along a player's quiz, the count
/// of wrong answers so far (one window, one sort) is constant over each
/// run of right ones, so it names the run.
const STUDENTS_SINCE: &str = "WITH answers AS (
 SELECT a.user_id, a.session_id, a.correct,
 SUM(CASE WHEN a.correct = 0 THEN 1 ELSE 0 END) OVER (
 PARTITION BY a.user_id, a.session_id ORDER BY a.round
 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
 FROM quiz_answers a WHERE a.scope_id = $1 AND a.answered_at_ms >= $3),
runs AS (
 SELECT user_id, COUNT(*) AS length FROM answers WHERE correct = 1
 GROUP BY user_id, session_id, run),
best AS (SELECT user_id, MAX(length) AS streak FROM runs GROUP BY user_id),
totals AS (
 SELECT user_id, COUNT(*) AS answered, CAST(SUM(correct) AS BIGINT) AS correct
 FROM answers GROUP BY user_id)
SELECT u.platform_user_id AS user_id, u.display_name, t.answered, t.correct,
 COALESCE(b.streak, 0) AS best_streak,
 (SELECT COUNT(*) FROM review_cards c
  WHERE c.scope_id = $1 AND c.user_id = t.user_id AND c.due_at_ms <= $2) AS reviews_due
 FROM totals t JOIN users u ON u.id = t.user_id
 LEFT JOIN best b ON b.user_id = t.user_id";

/// Per item since $2 ($1 scope row): rounds, answers, right answers.
const QUESTIONS: &str = "WITH answers AS (
 SELECT a.item_id, a.session_id, a.round, a.correct FROM quiz_answers a
 WHERE a.scope_id = $1 AND a.item_id IS NOT NULL AND a.answered_at_ms >= $2),
rounds AS (
 SELECT d.item_id, COUNT(*) AS asked
 FROM (SELECT DISTINCT item_id, session_id, round FROM answers) d GROUP BY d.item_id),
totals AS (
 SELECT item_id, COUNT(*) AS answers, CAST(SUM(correct) AS BIGINT) AS correct
 FROM answers GROUP BY item_id)
SELECT t.item_id, COALESCE(i.prompt, '') AS prompt, COALESCE(i.answer, '') AS answer,
 r.asked, t.answers, t.correct, COALESCE(i.question_json, '') AS question_json
 FROM totals t JOIN rounds r ON r.item_id = t.item_id
 LEFT JOIN quiz_items i ON i.scope_id = $1 AND i.item_id = t.item_id";

/// Each item's wrong answers since $2 ($1 scope row), as given, with how
/// often. They are grouped case aside in Rust ([`top_wrong`]): SQLite's
/// `LOWER` folds only ASCII, and the engines order text differently.
const WRONG_CHOICES: &str = "SELECT a.item_id, a.choice, COUNT(*) AS times FROM quiz_answers a
 WHERE a.scope_id = $1 AND a.item_id IS NOT NULL AND a.correct = 0
 AND a.choice IS NOT NULL AND a.answered_at_ms >= $2
 GROUP BY a.item_id, a.choice";

/// Answers and right answers per week back from $2 (0 is the 7 days up to
/// $2), after $3 ($1 scope row). A week is `(now - 7(k+1) days, now - 7k
/// days]`, as [`WEEKS`] splits this week from last.
const WEEKLY: &str = "SELECT CAST(($2 - a.answered_at_ms) / 604800000 AS BIGINT) AS back,
 COUNT(*) AS answers, CAST(SUM(a.correct) AS BIGINT) AS correct
 FROM quiz_answers a
 WHERE a.scope_id = $1 AND a.answered_at_ms > $3 AND a.answered_at_ms <= $2
 GROUP BY CAST(($2 - a.answered_at_ms) / 604800000 AS BIGINT)";

/// Answers and right answers after $2 (this week) and after $3 up to $2
/// (last week), up to $4 ($1 scope row).
const WEEKS: &str =
    "SELECT CAST(COALESCE(SUM(CASE WHEN a.answered_at_ms > $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
 CAST(COALESCE(SUM(CASE WHEN a.answered_at_ms > $2 THEN a.correct ELSE 0 END), 0) AS BIGINT),
 CAST(COALESCE(SUM(CASE WHEN a.answered_at_ms <= $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
 CAST(COALESCE(SUM(CASE WHEN a.answered_at_ms <= $2 THEN a.correct ELSE 0 END), 0) AS BIGINT)
 FROM quiz_answers a
 WHERE a.scope_id = $1 AND a.answered_at_ms > $3 AND a.answered_at_ms <= $4";

/// Scopes with answers.
const SCOPES: &str = "SELECT s.platform, s.platform_scope_id FROM scopes s
 WHERE EXISTS (SELECT 1 FROM quiz_answers a WHERE a.scope_id = s.id)
 ORDER BY s.platform, s.platform_scope_id";

#[derive(sqlx::FromRow)]
struct StudentRow {
    user_id: String,
    display_name: String,
    answered: i64,
    correct: i64,
    best_streak: i64,
    reviews_due: i64,
}

#[derive(sqlx::FromRow)]
struct QuestionRow {
    item_id: String,
    prompt: String,
    answer: String,
    asked: i64,
    answers: i64,
    correct: i64,
    question_json: String,
}

/// `part / whole`, 0 for nothing.
fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 {
        part as f64 / whole as f64
    } else {
        0.0
    }
}

/// The students, by name (case aside), then id.
fn students(rows: Vec<StudentRow>) -> Vec<StudentReport> {
    let mut students: Vec<StudentReport> = rows
        .into_iter()
        .map(|row| StudentReport {
            accuracy: share(row.correct, row.answered),
            user_id: row.user_id,
            display_name: row.display_name,
            answered: row.answered,
            correct: row.correct,
            best_streak: row.best_streak,
            reviews_due: row.reviews_due,
        })
        .collect();
    students.sort_by(|a, b| {
        (a.display_name.to_lowercase(), &a.user_id)
            .cmp(&(b.display_name.to_lowercase(), &b.user_id))
    });
    students
}

/// One wrong answer case aside: how often in all, and each spelling's
/// count.
type Spellings = (i64, BTreeMap<String, i64>);

/// Each item's most given wrong answer and how often, from
/// [`WRONG_CHOICES`] rows (item, choice as given, times): spellings that
/// differ only in case are one answer, shown as its most given spelling.
/// Ties (between answers, and between spellings) go to the first in byte
/// order, so both engines agree.
fn top_wrong(rows: Vec<(String, String, i64)>) -> HashMap<String, (String, i64)> {
    // item -> folded answer -> (times in all, spellings with their times)
    let mut grouped: HashMap<String, BTreeMap<String, Spellings>> = HashMap::new();
    for (item, choice, times) in rows {
        let answer = grouped
            .entry(item)
            .or_default()
            .entry(choice.to_lowercase())
            .or_default();
        answer.0 += times;
        *answer.1.entry(choice).or_default() += times;
    }
    grouped
        .into_iter()
        .filter_map(|(item, answers)| {
            // `max_by_key` keeps the last of equals: iterate in reverse so
            // the first in byte order wins a tie.
            let (_, (times, spellings)) = answers
                .into_iter()
                .rev()
                .max_by_key(|(_, (times, _))| *times)?;
            let (spelling, _) = spellings.into_iter().rev().max_by_key(|(_, n)| *n)?;
            Some((item, (spelling, times)))
        })
        .collect()
}

/// The weeks of [`WEEKLY`] rows (weeks back, answers, right), oldest
/// first, from the oldest with answers to this week.
fn weekly(now: DateTime<Utc>, rows: Vec<(i64, i64, i64)>) -> Vec<WeekPoint> {
    let Some(oldest) = rows.iter().map(|(back, _, _)| *back).max() else {
        return Vec::new();
    };
    let by_week: HashMap<i64, (i64, i64)> = rows
        .into_iter()
        .map(|(back, answers, correct)| (back, (answers, correct)))
        .collect();
    let week = Duration::days(7);
    (0..=oldest.clamp(0, CHART_WEEKS - 1))
        .rev()
        .map(|back| {
            let (answers, correct) = by_week.get(&back).copied().unwrap_or((0, 0));
            let to = now - week * i32::try_from(back).unwrap_or(0);
            WeekPoint {
                from: to - week,
                to,
                answers,
                correct,
                accuracy: (answers > 0).then(|| share(correct, answers)),
            }
        })
        .collect()
}

/// The questions with their top wrong answers, hardest first.
fn questions(rows: Vec<QuestionRow>, wrong: Vec<(String, String, i64)>) -> Vec<QuestionReport> {
    let wrong = top_wrong(wrong);
    let mut questions: Vec<QuestionReport> = rows
        .into_iter()
        .map(|row| {
            let top = wrong.get(&row.item_id);
            let source_sentence = serde_json::from_str::<serde_json::Value>(&row.question_json)
                .ok()
                .and_then(|question| question.get("source_sentence")?.as_u64())
                .and_then(|index| usize::try_from(index).ok());
            QuestionReport {
                source_sentence,
                share_right: share(row.correct, row.answers),
                top_wrong_answer: top.map(|(choice, _)| choice.clone()),
                top_wrong_count: top.map_or(0, |(_, times)| *times),
                item_id: row.item_id,
                prompt: row.prompt,
                answer: row.answer,
                asked: row.asked,
                answers: row.answers,
                correct: row.correct,
            }
        })
        .collect();
    questions.sort_by(|a, b| {
        a.share_right
            .total_cmp(&b.share_right)
            .then(b.answers.cmp(&a.answers))
            .then_with(|| a.item_id.cmp(&b.item_id))
    });
    questions
}

/// The questions grouped by their document sentence, weakest first (lowest
/// share right, then most answered, then document order).
fn sentences(questions: &[QuestionReport]) -> Vec<SentenceReport> {
    let mut by_sentence: std::collections::BTreeMap<usize, SentenceReport> =
        std::collections::BTreeMap::new();
    // `questions` is hardest first, so a sentence's first is its hardest.
    for q in questions {
        let Some(sentence) = q.source_sentence else {
            continue;
        };
        let entry = by_sentence
            .entry(sentence)
            .or_insert_with(|| SentenceReport {
                sentence,
                questions: 0,
                answers: 0,
                correct: 0,
                share_right: 0.0,
                hardest_prompt: q.prompt.clone(),
            });
        entry.questions += 1;
        entry.answers += q.answers;
        entry.correct += q.correct;
    }
    let mut sentences: Vec<SentenceReport> = by_sentence
        .into_values()
        .map(|s| SentenceReport {
            share_right: share(s.correct, s.answers),
            ..s
        })
        .collect();
    sentences.sort_by(|a, b| {
        a.share_right
            .total_cmp(&b.share_right)
            .then(b.answers.cmp(&a.answers))
            .then(a.sentence.cmp(&b.sentence))
    });
    sentences
}

/// The two weeks from a [`WEEKS`] row.
fn weeks(
    now: DateTime<Utc>,
    (this, this_right, last, last_right): (i64, i64, i64, i64),
) -> [WeekReport; 2] {
    let week = Duration::days(7);
    let accuracy = |right: i64, answers: i64| (answers > 0).then(|| share(right, answers));
    [
        WeekReport {
            week: "this week",
            from: now - week,
            to: now,
            answers: this,
            correct: this_right,
            accuracy: accuracy(this_right, this),
        },
        WeekReport {
            week: "last week",
            from: now - week - week,
            to: now - week,
            answers: last,
            correct: last_right,
            accuracy: accuracy(last_right, last),
        },
    ]
}

/// `ReportStore` on an engine: the statements are shared; only the pool's
/// type differs.
macro_rules! report_store {
    ($store:ty) => {
        #[async_trait]
        impl ReportStore for $store {
            async fn report(
                &self,
                scope: &ScopeRef,
                since: Option<DateTime<Utc>>,
                now: DateTime<Utc>,
            ) -> Result<Option<Report>, StoreError> {
                let scope_id: Option<i64> = sqlx::query_scalar(SCOPE_ID)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(scope_id) = scope_id else {
                    return Ok(None);
                };
                let now_ms = millis(now);
                let since_ms = since.map_or(i64::MIN, millis);
                let student_rows: Vec<StudentRow> = match since {
                    None => {
                        sqlx::query_as(STUDENTS_ALL_TIME)
                            .bind(scope_id)
                            .bind(now_ms)
                            .fetch_all(&self.pool)
                            .await?
                    }
                    Some(_) => {
                        sqlx::query_as(STUDENTS_SINCE)
                            .bind(scope_id)
                            .bind(now_ms)
                            .bind(since_ms)
                            .fetch_all(&self.pool)
                            .await?
                    }
                };
                let question_rows: Vec<QuestionRow> = sqlx::query_as(QUESTIONS)
                    .bind(scope_id)
                    .bind(since_ms)
                    .fetch_all(&self.pool)
                    .await?;
                let wrong: Vec<(String, String, i64)> = sqlx::query_as(WRONG_CHOICES)
                    .bind(scope_id)
                    .bind(since_ms)
                    .fetch_all(&self.pool)
                    .await?;
                let week = Duration::days(7);
                let week_row: (i64, i64, i64, i64) = sqlx::query_as(WEEKS)
                    .bind(scope_id)
                    .bind(millis(now - week))
                    .bind(millis(now - week - week))
                    .bind(now_ms)
                    .fetch_one(&self.pool)
                    .await?;
                let chart_from = now - week * i32::try_from(CHART_WEEKS).unwrap_or(12);
                let weekly_rows: Vec<(i64, i64, i64)> = sqlx::query_as(WEEKLY)
                    .bind(scope_id)
                    .bind(now_ms)
                    .bind(
                        since
                            .map_or(i64::MIN, |at| millis(at) - 1)
                            .max(millis(chart_from)),
                    )
                    .fetch_all(&self.pool)
                    .await?;
                let questions = questions(question_rows, wrong);
                Ok(Some(Report {
                    scope: format!("{}:{}", scope.platform.as_str(), scope.id),
                    generated_at: now,
                    since,
                    students: students(student_rows),
                    sentences: sentences(&questions),
                    questions,
                    weeks: weeks(now, week_row),
                    weekly: weekly(now, weekly_rows),
                }))
            }

            async fn report_scopes(&self) -> Result<Vec<String>, StoreError> {
                let rows: Vec<(String, String)> =
                    sqlx::query_as(SCOPES).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(platform, id)| format!("{platform}:{id}"))
                    .collect())
            }
        }
    };
}

report_store!(SqliteStore);
report_store!(PgStore);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Platform;
    use crate::store::tests::{Raw, on_both_engines};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
    }

    fn days_ago(days: i64) -> i64 {
        millis(now() - Duration::days(days))
    }

    /// (session, round, user, correct, item, choice)
    type AnswerRow = (
        i64,
        i64,
        i64,
        bool,
        Option<&'static str>,
        Option<&'static str>,
    );

    fn sql_text(value: Option<&str>) -> String {
        value.map_or_else(|| "NULL".to_string(), |text| format!("'{text}'"))
    }

    /// Two scopes, three students, four quizzes: 20 days ago, 10 days ago
    /// (last week), 2 days ago (this week) and one in another scope.
    async fn write_rows(raw: &Raw) {
        raw.execute(
            "INSERT INTO scopes (id, platform, platform_scope_id) VALUES
             (1, 'discord', 'guild'), (2, 'discord', 'other')",
        )
        .await;
        raw.execute(
            "INSERT INTO users (id, platform, platform_user_id, display_name) VALUES
             (1, 'discord', '11', 'Ann'), (2, 'discord', '22', 'ben'), (3, 'discord', '33', 'Cy')",
        )
        .await;
        let sessions = [(1, 1, 10), (2, 1, 2), (3, 2, 2), (4, 1, 20)]
            .map(|(id, scope, days)| format!("({id}, {scope}, 'c', 1, {}, 3)", days_ago(days)));
        raw.execute(&format!(
            "INSERT INTO quiz_sessions (id, scope_id, channel_id, started_by, started_at_ms, rounds)
             VALUES {}",
            sessions.join(", ")
        ))
        .await;
        let answers: &[AnswerRow] = &[
            (4, 1, 1, true, Some("b"), Some("1917")),
            (1, 1, 1, true, Some("a"), Some("Lenin")),
            (1, 1, 2, false, Some("a"), Some("Trotsky")),
            (1, 1, 3, false, Some("a"), Some("Trotsky")),
            (1, 2, 1, true, Some("b"), Some("1917")),
            (1, 2, 2, true, Some("b"), Some("1917")),
            (1, 2, 3, false, Some("b"), None),
            (1, 3, 1, false, None, None),
            (1, 3, 2, true, None, None),
            (2, 1, 1, false, Some("a"), Some("Stalin")),
            (2, 1, 2, false, Some("a"), Some("Trotsky")),
            (2, 1, 3, true, Some("a"), Some("Lenin")),
            (2, 2, 1, true, Some("c"), Some("Moscow")),
            (2, 2, 2, true, Some("c"), Some("Moscow")),
            (2, 3, 1, true, Some("b"), Some("1917")),
            (2, 3, 3, false, Some("b"), Some("1918")),
            (2, 4, 2, true, None, None),
            (3, 1, 1, false, Some("a"), Some("Bukharin")),
        ];
        let rows: Vec<String> = answers
            .iter()
            .map(|&(session, round, user, correct, item, choice)| {
                let (scope, days) = match session {
                    1 => (1, 10),
                    2 => (1, 2),
                    3 => (2, 2),
                    _ => (1, 20),
                };
                format!(
                    "({session}, {round}, {user}, {scope}, {}, {}, 10, 1000, {}, {})",
                    days_ago(days) + round,
                    i64::from(correct),
                    sql_text(item),
                    sql_text(choice)
                )
            })
            .collect();
        raw.execute(&format!(
            "INSERT INTO quiz_answers (session_id, round, user_id, scope_id, answered_at_ms,
             correct, points, response_ms, item_id, choice) VALUES {}",
            rows.join(", ")
        ))
        .await;
        raw.execute(
            "INSERT INTO scores (scope_id, user_id, points, answered, correct, best_streak, updated_at_ms)
             VALUES (1, 1, 50, 7, 5, 3, 0), (1, 2, 40, 6, 4, 2, 0), (1, 3, 10, 4, 1, 1, 0),
                    (2, 1, 0, 1, 0, 0, 0)",
        )
        .await;
        raw.execute(
            "INSERT INTO quiz_items (scope_id, item_id, prompt, answer, question_json, first_asked_at_ms)
             VALUES (1, 'a', 'Who led the October Revolution?', 'Lenin', '{\"source_sentence\": 4}', 0),
                    (1, 'b', 'In which year was the revolution?', '1917', '{\"source_sentence\": 4}', 0),
                    (1, 'c', 'Which city became the capital?', 'Moscow', '{}', 0)",
        )
        .await;
        let hour = 3_600_000;
        let now = millis(now());
        raw.execute(&format!(
            "INSERT INTO review_cards (scope_id, user_id, item_id, due_at_ms, stability, difficulty,
             elapsed_days, scheduled_days, reps, lapses, state, last_review_at_ms) VALUES
             (1, 1, 'a', {}, 1.0, 5.0, 0, 0, 0, 0, 1, 0),
             (1, 1, 'b', {}, 1.0, 5.0, 0, 0, 0, 0, 1, 0),
             (1, 2, 'a', {}, 1.0, 5.0, 0, 0, 0, 0, 1, 0),
             (2, 3, 'a', {}, 1.0, 5.0, 0, 0, 0, 0, 1, 0)",
            now - hour,
            now + 24 * hour,
            now,
            now - hour
        ))
        .await;
    }

    fn student(report: &Report, name: &str) -> (i64, i64, i64, i64) {
        let s = report
            .students
            .iter()
            .find(|s| s.display_name == name)
            .unwrap_or_else(|| panic!("no student {name} in {:?}", report.students));
        (s.answered, s.correct, s.best_streak, s.reviews_due)
    }

    fn question(q: &QuestionReport) -> (&str, i64, i64, i64, Option<&str>, i64) {
        (
            q.item_id.as_str(),
            q.asked,
            q.answers,
            q.correct,
            q.top_wrong_answer.as_deref(),
            q.top_wrong_count,
        )
    }

    fn scope() -> ScopeRef {
        ScopeRef::new(Platform::Discord, "guild")
    }

    on_both_engines! {
    /// All time: students from the running totals, questions hardest first
    /// with their most chosen wrong answer (a silent player is no choice,
    /// an answer without an item is no question's), and this week against
    /// last week from the answers' times.
    async fn the_report_counts_the_rows_written(store, raw) {
        write_rows(&raw).await;
        let report = store.report(&scope(), None, now()).await.unwrap().unwrap();
        assert_eq!(report.scope, "discord:guild");
        let names: Vec<&str> = report.students.iter().map(|s| s.display_name.as_str()).collect();
        assert_eq!(names, ["Ann", "ben", "Cy"]);
        assert_eq!(student(&report, "Ann"), (7, 5, 3, 1));
        assert_eq!(student(&report, "ben"), (6, 4, 2, 1), "a card due exactly now is due");
        assert_eq!(student(&report, "Cy"), (4, 1, 1, 0), "another scope's card is not counted");
        assert!((report.students[0].accuracy - 5.0 / 7.0).abs() < 1e-9);

        let questions: Vec<_> = report.questions.iter().map(question).collect();
        assert_eq!(
            questions,
            [
                ("a", 2, 6, 2, Some("Trotsky"), 3),
                ("b", 3, 6, 4, Some("1918"), 1),
                ("c", 1, 2, 2, None, 0),
            ]
        );
        assert_eq!(report.questions[0].prompt, "Who led the October Revolution?");
        assert_eq!(report.questions[0].answer, "Lenin");
        assert!((report.questions[0].share_right - 1.0 / 3.0).abs() < 1e-9);
        // Items a and b teach sentence 4 (index); c names no sentence.
        assert_eq!(report.questions[0].source_sentence, Some(4));
        assert_eq!(report.questions[2].source_sentence, None);
        let sentences: Vec<_> = report
            .sentences
            .iter()
            .map(|s| (s.sentence, s.questions, s.answers, s.correct, s.hardest_prompt.as_str()))
            .collect();
        assert_eq!(sentences, [(4, 2, 12, 6, "Who led the October Revolution?")]);
        assert!((report.sentences[0].share_right - 0.5).abs() < 1e-9);

        let [this, last] = &report.weeks;
        assert_eq!((this.week, this.answers, this.correct), ("this week", 8, 5));
        assert_eq!((last.week, last.answers, last.correct), ("last week", 8, 4));
        assert_eq!(this.accuracy, Some(5.0 / 8.0));
        assert_eq!(last.accuracy, Some(0.5));
        assert_eq!((this.from, this.to, last.from), (
            now() - Duration::days(7), now(), now() - Duration::days(14)
        ));

        // Week by week, oldest first: 20 days ago is in the third week back.
        let weekly: Vec<_> = report
            .weekly
            .iter()
            .map(|w| (w.from, w.to, w.answers, w.correct, w.accuracy))
            .collect();
        let week = |back: i64| now() - Duration::days(7 * back);
        assert_eq!(
            weekly,
            [
                (week(3), week(2), 1, 1, Some(1.0)),
                (week(2), week(1), 8, 4, Some(0.5)),
                (week(1), week(0), 8, 5, Some(5.0 / 8.0)),
            ]
        );
    }
    }

    on_both_engines! {
    /// Wrong answers that differ only in case are one wrong answer, shown
    /// as its most given spelling: "leningrad" twice and "Leningrad" once
    /// outnumber "Kiev" twice.
    async fn wrong_answers_are_grouped_case_aside(store, raw) {
        write_rows(&raw).await;
        let at = days_ago(20);
        raw.execute(&format!(
            "INSERT INTO quiz_answers (session_id, round, user_id, scope_id, answered_at_ms,
             correct, points, response_ms, item_id, choice) VALUES
             (4, 2, 1, 1, {at}, 0, 0, 1000, 'c', 'Leningrad'),
             (4, 2, 2, 1, {at}, 0, 0, 1000, 'c', 'leningrad'),
             (4, 2, 3, 1, {at}, 0, 0, 1000, 'c', 'leningrad'),
             (4, 3, 1, 1, {at}, 0, 0, 1000, 'c', 'Kiev'),
             (4, 3, 2, 1, {at}, 0, 0, 1000, 'c', 'Kiev')"
        ))
        .await;
        let report = store.report(&scope(), None, now()).await.unwrap().unwrap();
        let c = report.questions.iter().find(|q| q.item_id == "c").unwrap();
        assert_eq!((c.top_wrong_answer.as_deref(), c.top_wrong_count), (Some("leningrad"), 3));
        let a = report.questions.iter().find(|q| q.item_id == "a").unwrap();
        assert_eq!((a.top_wrong_answer.as_deref(), a.top_wrong_count), (Some("Trotsky"), 3));
    }
    }

    on_both_engines! {
    /// Since a date: the students' figures and streaks (within one quiz)
    /// come from the answers since then, the questions too; the weeks do
    /// not move.
    async fn a_report_since_a_date_counts_only_later_answers(store, raw) {
        write_rows(&raw).await;
        let since = now() - Duration::days(7);
        let report = store.report(&scope(), Some(since), now()).await.unwrap().unwrap();
        assert_eq!(report.since, Some(since));
        assert_eq!(student(&report, "Ann"), (3, 2, 2, 1));
        assert_eq!(student(&report, "ben"), (3, 2, 2, 1), "an answer without an item counts");
        assert_eq!(student(&report, "Cy"), (2, 1, 1, 0));
        let questions: Vec<_> = report.questions.iter().map(question).collect();
        assert_eq!(
            questions,
            [
                ("a", 1, 3, 1, Some("Stalin"), 1),
                ("b", 1, 2, 1, Some("1918"), 1),
                ("c", 1, 2, 2, None, 0),
            ]
        );
        assert_eq!((report.weeks[0].answers, report.weeks[1].answers), (8, 8));
        let weekly: Vec<_> = report.weekly.iter().map(|w| (w.answers, w.correct)).collect();
        assert_eq!(weekly, [(8, 5)], "the chart starts at --since");
    }
    }

    on_both_engines! {
    /// The week split follows `now`: a week later, this week's answers are
    /// last week's and this week is empty.
    async fn the_weeks_move_with_now(store, raw) {
        write_rows(&raw).await;
        let later = now() + Duration::days(7);
        let report = store.report(&scope(), None, later).await.unwrap().unwrap();
        let [this, last] = &report.weeks;
        assert_eq!((this.answers, this.correct, this.accuracy), (0, 0, None));
        assert_eq!((last.answers, last.correct), (8, 5));
        assert_eq!(student(&report, "Ann").3, 2, "both of Ann's cards are due a week on");
    }
    }

    on_both_engines! {
    /// An unknown scope has no report; the scopes with answers are named.
    async fn an_unknown_scope_has_no_report(store, raw) {
        write_rows(&raw).await;
        let missing = ScopeRef::new(Platform::Discord, "nowhere");
        assert_eq!(store.report(&missing, None, now()).await.unwrap(), None);
        assert_eq!(
            store.report_scopes().await.unwrap(),
            ["discord:guild", "discord:other"]
        );
    }
    }
}
