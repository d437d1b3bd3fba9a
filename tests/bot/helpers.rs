//! Test harness: a console bot over a temp SQLite file, a manual clock, and
//! a transcript that tests read and wait on (never sleep on).

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use tokio::sync::Notify;

use lectern::bot::{Bot, BotSettings};
use lectern::clock::ManualClock;
use lectern::content::Pack;
use lectern::identity::Platform;
use lectern::platforms::console::{Console, ConsoleOutbox, shared_writer};
use lectern::store::Store;

/// Everything the console prints, shared with the test.
#[derive(Clone, Default)]
pub struct Transcript {
    text: Arc<Mutex<String>>,
    changed: Arc<Notify>,
    read_to: Arc<Mutex<usize>>,
}

impl Write for Transcript {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text
            .lock()
            .unwrap()
            .push_str(&String::from_utf8_lossy(buf));
        self.changed.notify_waiters();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Transcript {
    /// Output since the last call.
    pub fn take(&self) -> String {
        let text = self.text.lock().unwrap();
        let mut read_to = self.read_to.lock().unwrap();
        let new = text[*read_to..].to_string();
        *read_to = text.len();
        new
    }

    /// Waits until unread output contains `needle`, then returns (and
    /// consumes) all unread output. Fails after 10 s of real time, which
    /// only guards against a hang: nothing here waits on purpose.
    pub async fn wait_for(&self, needle: &str) -> String {
        let wait = async {
            loop {
                let notified = self.changed.notified();
                {
                    let text = self.text.lock().unwrap();
                    let read_to = *self.read_to.lock().unwrap();
                    if text[read_to..].contains(needle) {
                        break;
                    }
                }
                notified.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .is_err()
        {
            panic!(
                "timed out waiting for {needle:?}; unread output:\n{}",
                self.take()
            );
        }
        self.take()
    }
}

/// A console bot with its own database file and clock.
pub struct TestApp {
    pub bot: Bot,
    pub console: Console,
    pub out: Transcript,
    pub clock: Arc<ManualClock>,
    pub db_path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

/// A fixed "now": Wednesday 2026-11-25 12:00 UTC.
/// A review card after one lapse (relearning), due at `due`: the state a
/// missed question is in when a test needs reviews due.
pub fn lapsed_card(due: DateTime<Utc>, last_review: DateTime<Utc>) -> lectern::store::ReviewCard {
    lectern::store::ReviewCard {
        due,
        stability: 1.0,
        difficulty: 5.0,
        elapsed_days: 0,
        scheduled_days: 0,
        reps: 1,
        lapses: 1,
        state: 3,
        last_review,
    }
}

pub fn test_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

impl TestApp {
    /// A new app on a fresh temp database.
    pub async fn spawn() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lectern.db");
        let mut app = Self::spawn_on(path, test_start()).await;
        app._dir = Some(dir);
        app
    }

    /// A new app on a fresh temp database, serving `pack`.
    pub async fn spawn_with(pack: Pack) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lectern.db");
        let mut app = Self::start(path, test_start(), pack).await;
        app._dir = Some(dir);
        app
    }

    /// An app on an existing database file (a "restart").
    pub async fn spawn_on(db_path: PathBuf, now: DateTime<Utc>) -> Self {
        Self::start(db_path, now, Pack::bundled().expect("bundled pack loads")).await
    }

    async fn start(db_path: PathBuf, now: DateTime<Utc>, pack: Pack) -> Self {
        let pack = Arc::new(pack);
        let store = Store::open(&db_path).await.expect("database opens");
        let out = Transcript::default();
        let writer = shared_writer(out.clone());
        let outbox = Arc::new(ConsoleOutbox::new(writer.clone()));
        let clock = Arc::new(ManualClock::new(now));
        let settings = BotSettings {
            pause_between_rounds: Duration::ZERO,
            seed: Some(7),
            ..BotSettings::default()
        };
        let bot = Bot::new(pack, store, outbox, clock.clone(), settings);
        for quiz in bot
            .recover_interrupted_quizzes(&[Platform::Console])
            .await
            .expect("recovery runs")
        {
            bot.tell_interrupted(&quiz).await;
        }
        let console = Console::new(bot.clone(), writer, "you");
        Self {
            bot,
            console,
            out,
            clock,
            db_path,
            _dir: None,
        }
    }

    /// Types a line and returns everything printed in response.
    pub async fn send(&self, line: &str) -> String {
        assert!(
            self.console.on_line(line).await,
            "the console quit on {line:?}"
        );
        self.out.take()
    }

    /// The letter of the right answer to the last question shown in `output`.
    pub fn right_letter(&self, output: &str) -> String {
        // The last "Question N of M" heading starts the question's block.
        let lines: Vec<&str> = output.lines().collect();
        let start = lines
            .iter()
            .rposition(|line| {
                line.strip_prefix("Question ")
                    .is_some_and(|rest| rest.contains(" of ") && !rest.contains('·'))
            })
            .expect("a question was shown");
        let question_block = lines[start..].join("\n");
        let prompt = question_block.lines().nth(1).expect("question text");
        let question = self
            .bot
            .pack()
            .questions
            .iter()
            .find(|q| q.prompt == prompt)
            .unwrap_or_else(|| panic!("no bank question {prompt:?}"));
        question_block
            .lines()
            .find_map(|line| {
                let line = line.trim_start();
                let (label, text) = line.split_once(") ")?;
                (label.len() == 1 && text == question.answer()).then(|| label.to_string())
            })
            .expect("the right answer is among the choices")
    }

    /// A letter that is wrong for the last question shown in `output`.
    pub fn wrong_letter(&self, output: &str) -> String {
        let right = self.right_letter(output);
        if right == "A" { "B".into() } else { "A".into() }
    }
}

/// What a PostgreSQL test needs, and how to get it.
const POSTGRES_MISSING: &str = "POSTGRES_TEST_URL is not set: this test needs a PostgreSQL \
    server. Run it through scripts/with-postgres.sh (e.g. `scripts/with-postgres.sh cargo \
    test`), which starts a throw-away server and sets it, or set \
    POSTGRES_TEST_URL=postgres://user@host:port/db to a server where that user may create \
    databases.";

/// A fresh PostgreSQL database on the server at `POSTGRES_TEST_URL` (a
/// test without it fails, saying how to get one), dropped with this guard.
pub struct TempPostgres {
    admin: String,
    name: String,
    /// The database's URL, for `Store::open`, `lectern` and sqlx.
    pub url: String,
}

impl TempPostgres {
    pub async fn new() -> Self {
        use sqlx::{Connection, Executor};
        let admin =
            std::env::var("POSTGRES_TEST_URL").unwrap_or_else(|_| panic!("{POSTGRES_MISSING}"));
        let name = format!(
            "lectern_bot_{}_{:016x}",
            std::process::id(),
            fastrand::u64(..)
        );
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|error| panic!("cannot connect to {admin}: {error}"));
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .unwrap();
        conn.close().await.unwrap();
        let options: sqlx::postgres::PgConnectOptions = admin.parse().unwrap();
        let options = options.database(&name);
        let url = format!(
            "postgres://{}@{}:{}/{name}",
            options.get_username(),
            options.get_host(),
            options.get_port()
        );
        Self { admin, name, url }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs outside async code: a short runtime of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                use sqlx::{Connection, Executor};
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = conn
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await;
                }
            });
        })
        .join();
    }
}
