//! `lectern report`: the teacher's report of a scope as CSV (one table a
//! run, for a spreadsheet), JSON (every table) or a PNG chart
//! ([`crate::chart`]), to standard output or written whole to a file. The
//! figures are the store's ([`crate::store::ReportStore`]); this only
//! reads the arguments, picks the scope and writes the rows.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, NaiveDate, Utc};

use crate::clock::{Clock, SystemClock};
use crate::identity::{Platform, ScopeRef};
use crate::store::{Database, Report, Store};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// One table (see --table), a header row first.
    #[default]
    Csv,
    /// Every table, as one JSON object.
    Json,
    /// The chart: accuracy by week and the hardest questions, as a PNG
    /// image (--table does not apply).
    Png,
}

/// Which table a CSV report holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportTable {
    /// One row per student.
    #[default]
    Students,
    /// One row per question, hardest first.
    Questions,
    /// This week and last week.
    Weeks,
    /// One row per document sentence that questions teach, weakest first.
    Sentences,
}

/// What `lectern report` was asked for, as given.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// `sqlite://PATH`, a path or `postgres://URL`.
    pub database: String,
    /// `PLATFORM:ID` (`discord:1234`, `matrix:!room:server`,
    /// `console:terminal`) or an id alone; `None` is the terminal's.
    pub scope: Option<String>,
    /// `YYYY-MM-DD` (UTC midnight).
    pub since: Option<String>,
    pub format: ReportFormat,
    pub table: ReportTable,
    pub output: Option<PathBuf>,
}

/// `--since`: a date, as the start of that day in UTC.
pub fn parse_since(text: &str) -> Result<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        anyhow::anyhow!("--since {text:?} is not a date: write YYYY-MM-DD, e.g. 2026-09-01")
    })?;
    Ok(date.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// `--scope PLATFORM:ID`, or `None` for an id alone (looked up by the
/// caller among the scopes with answers).
fn parse_scope(text: &str) -> Option<ScopeRef> {
    let (platform, id) = text.split_once(':')?;
    let platform = match platform {
        "console" => Platform::Console,
        "discord" => Platform::Discord,
        "matrix" => Platform::Matrix,
        _ => return None,
    };
    (!id.is_empty()).then(|| ScopeRef::new(platform, id))
}

/// `lectern report`.
pub fn report(request: &ReportRequest) -> Result<ExitCode> {
    let since = request.since.as_deref().map(parse_since).transpose()?;
    if request.format == ReportFormat::Png
        && request.output.is_none()
        && std::io::stdout().is_terminal()
    {
        bail!(
            "a PNG is a picture, not text for the terminal: give --output FILE \
             (e.g. --output report.png), or send standard output to a file"
        );
    }
    let database = Database::parse(&request.database);
    if let Database::Sqlite(path) = &database
        && !path.exists()
    {
        bail!(
            "there is no database at {}: give the bot's database with --database \
             (or `database` in lectern.toml)",
            path.display()
        );
    }
    let now = SystemClock.now();
    let report = crate::cli::runtime()?.block_on(async {
        let store = Store::open(&database).await?;
        let report = scope_report(&store, request.scope.as_deref(), since, now).await;
        store.close().await;
        report
    })?;
    let mut text = Vec::new();
    match request.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut text, &report)?;
            text.push(b'\n');
        }
        ReportFormat::Csv => write_csv(&mut text, &report, request.table)?,
        ReportFormat::Png => text = crate::chart::render_png(&report)?,
    }
    match &request.output {
        Some(path) => write_whole(path, &text)?,
        None => std::io::stdout().write_all(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The report of the scope named by `--scope` (or the terminal's).
async fn scope_report(
    store: &Store,
    scope: Option<&str>,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Report> {
    let known = store.report_scopes().await?;
    let unknown = |name: &str| {
        let choices = if known.is_empty() {
            "it has no answers in any scope yet".to_string()
        } else {
            format!("scopes with answers: {}", known.join(", "))
        };
        anyhow::anyhow!("unknown scope {name:?} in this database ({choices})")
    };
    let scope = match scope {
        None => crate::platforms::console::terminal_channel().scope,
        Some(text) => match parse_scope(text) {
            Some(scope) => scope,
            None => {
                // An id alone: the one known scope with that id.
                let found: Vec<&String> = known
                    .iter()
                    .filter(|k| k.split_once(':').is_some_and(|(_, id)| id == text))
                    .collect();
                match found.as_slice() {
                    [one] => parse_scope(one).ok_or_else(|| unknown(text))?,
                    _ => return Err(unknown(text)),
                }
            }
        },
    };
    let name = format!("{}:{}", scope.platform.as_str(), scope.id);
    store
        .report(&scope, since, now)
        .await?
        .ok_or_else(|| unknown(&name))
}

/// A text cell a spreadsheet would take for a formula (`=`, `+`, `-`,
/// `@`) gets a leading `'`: names and answers are user-written.
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A share as a percentage with one decimal.
fn percent(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

/// One table of `report` as CSV, a header row first.
pub fn write_csv(out: impl Write, report: &Report, table: ReportTable) -> Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    match table {
        ReportTable::Students => {
            csv.write_record([
                "user_id",
                "name",
                "answered",
                "correct",
                "accuracy_percent",
                "best_streak",
                "reviews_due",
            ])?;
            for s in &report.students {
                csv.write_record([
                    cell(&s.user_id),
                    cell(&s.display_name),
                    s.answered.to_string(),
                    s.correct.to_string(),
                    percent(s.accuracy),
                    s.best_streak.to_string(),
                    s.reviews_due.to_string(),
                ])?;
            }
        }
        ReportTable::Questions => {
            csv.write_record([
                "item_id",
                "prompt",
                "answer",
                "times_asked",
                "answers",
                "correct",
                "right_percent",
                "top_wrong_answer",
                "top_wrong_count",
            ])?;
            for q in &report.questions {
                csv.write_record([
                    cell(&q.item_id),
                    cell(&q.prompt),
                    cell(&q.answer),
                    q.asked.to_string(),
                    q.answers.to_string(),
                    q.correct.to_string(),
                    percent(q.share_right),
                    q.top_wrong_answer.as_deref().map(cell).unwrap_or_default(),
                    q.top_wrong_count.to_string(),
                ])?;
            }
        }
        ReportTable::Sentences => {
            csv.write_record([
                "sentence",
                "questions",
                "answers",
                "correct",
                "right_percent",
                "hardest_question",
            ])?;
            for s in &report.sentences {
                csv.write_record([
                    (s.sentence + 1).to_string(),
                    s.questions.to_string(),
                    s.answers.to_string(),
                    s.correct.to_string(),
                    percent(s.share_right),
                    cell(&s.hardest_prompt),
                ])?;
            }
        }
        ReportTable::Weeks => {
            csv.write_record([
                "week",
                "from",
                "to",
                "answers",
                "correct",
                "accuracy_percent",
            ])?;
            for w in &report.weeks {
                csv.write_record([
                    w.week.to_string(),
                    w.from.format("%Y-%m-%d %H:%M").to_string(),
                    w.to.format("%Y-%m-%d %H:%M").to_string(),
                    w.answers.to_string(),
                    w.correct.to_string(),
                    w.accuracy.map(percent).unwrap_or_default(),
                ])?;
            }
        }
    }
    csv.flush()?;
    Ok(())
}

/// Writes `bytes` to `path` whole: into a temporary file beside it, then
/// renamed over it, so a reader never sees half a report.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("--output {} names no file", path.display()))?;
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    let temporary = folder.unwrap_or(Path::new(".")).join(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&temporary).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = renamed {
        let _ = std::fs::remove_file(&temporary);
        return Err(error)
            .with_context(|| format!("cannot write the report to {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_a_date_and_names_a_bad_one() {
        assert_eq!(
            parse_since("2026-09-01").unwrap().to_rfc3339(),
            "2026-09-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-13-01").unwrap_err().to_string(),
            "--since \"2026-13-01\" is not a date: write YYYY-MM-DD, e.g. 2026-09-01"
        );
    }

    #[test]
    fn a_scope_names_its_platform_and_keeps_a_matrix_room_whole() {
        assert_eq!(
            parse_scope("matrix:!room:example.org"),
            Some(ScopeRef::new(Platform::Matrix, "!room:example.org"))
        );
        assert_eq!(
            parse_scope("console:terminal"),
            Some(ScopeRef::new(Platform::Console, "terminal"))
        );
        assert_eq!(parse_scope("1234"), None);
        assert_eq!(parse_scope("irc:#x"), None);
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_quoted() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@everyone"), "'@everyone");
        assert_eq!(cell("Ann"), "Ann");
    }

    #[test]
    fn an_unwritable_output_is_an_error_naming_it_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("report.csv");
        let error = write_whole(&path, b"x").unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("cannot write the report to {}", path.display())
        );
        let good = dir.path().join("report.csv");
        write_whole(&good, b"a,b\n").unwrap();
        assert_eq!(std::fs::read(&good).unwrap(), b"a,b\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left");
    }
}
