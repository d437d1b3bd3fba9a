//! The store: the only module that speaks SQL. One [`Store`] over an sqlx
//! pool, with a method for each question the bot asks of its data, split
//! by concern: [`identity`] (users and scopes), [`quiz`] (sessions and
//! revealed rounds), [`scores`] (standings and leaderboards), [`daily`]
//! (daily-post subscriptions and claims), [`banks`] (imported questions)
//! [`flags`] (flagged and retired questions), [`items`] (which question
//! each answer was to), [`review`] (personal review cards), [`reminders`]
//! (daily review reminders and their claims), [`seasons`] and [`report`]
//! (the teacher's report, read-only).
//!
//! **The seam.** Each concern is a trait ([`QuizStore`], [`ScoreStore`],
//! [`DailyStore`], [`BankStore`], [`FlagStore`], [`ItemStore`],
//! [`ReviewStore`], [`ReminderStore`], [`SeasonStore`], [`ReportStore`]); a
//! [`Backend`] is all of
//! them, and [`Store`] is a cheap handle over any backend that derefs to it.
//! The bot only ever holds a `Store`, so a second engine (PostgreSQL) is one
//! more `Backend` implementation plus a way to open it; nothing above this
//! module changes. [`SqliteStore`] is the embedded default.
//!
//! SQLite runs with WAL, foreign keys on and a busy timeout, with
//! migrations from `migrations/` applied at start-up. [`PgStore`] is the
//! PostgreSQL engine, for several processes on one database, with its own
//! migrations in `migrations-postgres/` (the same schema and meaning, in
//! BIGINT columns). [`Store::open`] takes a [`Database`] location
//! (`sqlite://path`, a plain path, or `postgres://…`) and picks the engine.
//! Each concern's file holds its SQLite implementation and, beside it, its
//! PostgreSQL one: the SQL is kept portable where it can be (`$1`
//! parameters, `ON CONFLICT` upserts, integer epoch-millisecond times) and
//! differs where the engines do (`MAX(a, b)` is `GREATEST`, `SUM` of
//! BIGINT is NUMERIC, a multi-row upsert may not touch a row twice).
//! Rows are decoded into checked
//! `FromRow` types; a stored value that no longer reads (a bank question's
//! JSON, a platform name, a time) is an error naming its row, never dropped
//! or guessed.

use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::identity::Platform;

use quiz::{GROUP_ROUNDS, RoundRecord, commit_rounds};

mod banks;
mod copy;
mod daily;
mod flags;
mod identity;
mod items;
mod quiz;
mod reminders;
mod report;
mod review;
mod scores;
mod seasons;
mod write;

pub use banks::BankStore;
pub use copy::{CopyError, CopyReport, copy_database, migrate_database};
pub use daily::{
    DailyClaim, DailyOutcome, DailyPostRecord, DailyStore, DailySubscription, DueDaily, UnsentDaily,
};
pub use flags::{FlagStore, FlaggedQuestion};
pub use items::{AskedItem, ItemAnswer, ItemStore};
pub use quiz::{InterruptedQuiz, QuizStore, RoundAnswer};
pub use reminders::{DueReminder, ReminderClaim, ReminderKey, ReminderStore, ReviewReminder};
pub use report::{
    CHART_WEEKS, QuestionReport, Report, ReportStore, SentenceReport, StudentReport, WeekPoint,
    WeekReport,
};
pub use review::{DueItem, ReviewCard, ReviewStatus, ReviewStore};
pub use scores::{LeaderboardRow, ScoreCard, ScoreStore};
pub use seasons::{Season, SeasonStore};

/// Storage failures. Users see a short apology; the chain is logged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("could not apply database migrations")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database writer has stopped")]
    Closed,
    #[error("could not create the database folder {path}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A stored row that no longer reads: which table and row, and why.
    #[error("{table} row {id} cannot be read: {problem}")]
    BadRow {
        table: &'static str,
        id: String,
        problem: String,
    },
    /// The database could not be opened: which file, and why in words.
    #[error("cannot open the database {path}: {reason}")]
    Open { path: String, reason: String },
    /// A value that could not be written (it did not serialise).
    #[error("could not store {what}: {problem}")]
    BadValue { what: String, problem: String },
}

impl StoreError {
    fn bad_row(table: &'static str, id: impl ToString, problem: impl ToString) -> Self {
        StoreError::BadRow {
            table,
            id: id.to_string(),
            problem: problem.to_string(),
        }
    }
}

/// Rows per multi-row statement (6 parameters a row stays far below
/// SQLite's limit on bound parameters).
const BATCH_ROWS: usize = 500;

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// A stored time in epoch milliseconds, or an error naming its row.
fn instant(
    table: &'static str,
    id: impl ToString,
    millis: i64,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| StoreError::bad_row(table, id, format!("{millis} is not a time")))
}

/// A stored platform name, or an error naming its row.
fn platform(table: &'static str, id: impl ToString, name: &str) -> Result<Platform, StoreError> {
    match name {
        "console" => Ok(Platform::Console),
        "discord" => Ok(Platform::Discord),
        "matrix" => Ok(Platform::Matrix),
        other => Err(StoreError::bad_row(
            table,
            id,
            format!("{other:?} is not a platform"),
        )),
    }
}

/// A storage engine: every concern's operations, plus closing.
#[async_trait]
pub trait Backend:
    QuizStore
    + ScoreStore
    + DailyStore
    + BankStore
    + FlagStore
    + ItemStore
    + ReviewStore
    + ReminderStore
    + ReportStore
    + SeasonStore
    + Debug
{
    /// Waits for queued writes, then closes every connection. Call before
    /// the process exits.
    async fn close(&self);
}

/// Why a database did not open, in words a user can act on.
fn open_failure(error: &StoreError) -> String {
    use sqlx::migrate::MigrateError;
    match error {
        StoreError::Migrate(MigrateError::VersionMissing(version)) => format!(
            "it was written by a newer Lectern (it has schema migration {version}, which this \
             version does not know); run a newer lectern on it, or choose another file with --db"
        ),
        StoreError::Database(sqlx::Error::Database(db))
        | StoreError::Migrate(MigrateError::Execute(sqlx::Error::Database(db)))
            if db.message().contains("readonly") || db.message().contains("read-only") =>
        {
            "the file (or its folder) is read-only, and the bot must write to it; \
             give it write access, or choose another file with --db"
                .to_string()
        }
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                text.push_str(": ");
                text.push_str(&cause.to_string());
                source = cause.source();
            }
            text
        }
    }
}

/// Where the database is: an SQLite file or a PostgreSQL server.
///
/// Parsed from the `database` setting or `--db`: `postgres://…` (or
/// `postgresql://…`) is PostgreSQL, `sqlite://path` or a plain path is an
/// SQLite file.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(std::path::PathBuf),
    /// A libpq-style URL, e.g. `postgres://lectern@db:5432/lectern`.
    Postgres(String),
}

impl Database {
    /// Reads a location: a URL with a scheme, or a plain file path.
    pub fn parse(location: &str) -> Self {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            Database::Postgres(location.to_string())
        } else if let Some(path) = location.strip_prefix("sqlite://") {
            Database::Sqlite(std::path::PathBuf::from(path))
        } else {
            Database::Sqlite(std::path::PathBuf::from(location))
        }
    }

    /// The SQLite file's folder, for things kept beside the database
    /// (the Matrix session); `None` for a server.
    pub fn folder(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => path.parent(),
            Database::Postgres(_) => None,
        }
    }
}

impl From<&Path> for Database {
    fn from(path: &Path) -> Self {
        match path.to_str() {
            Some(text) => Database::parse(text),
            None => Database::Sqlite(path.to_path_buf()),
        }
    }
}

impl From<&std::path::PathBuf> for Database {
    fn from(path: &std::path::PathBuf) -> Self {
        Database::from(path.as_path())
    }
}

impl From<std::path::PathBuf> for Database {
    fn from(path: std::path::PathBuf) -> Self {
        Database::from(path.as_path())
    }
}

impl From<&str> for Database {
    fn from(location: &str) -> Self {
        Database::parse(location)
    }
}

impl From<&Database> for Database {
    fn from(database: &Database) -> Self {
        database.clone()
    }
}

/// Shown in logs and errors: a server URL's password is hidden.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

impl Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The database handle the bot holds: cheap to clone, and the same API
/// whatever the engine behind it (it derefs to [`Backend`]).
#[derive(Debug, Clone)]
pub struct Store(Arc<dyn Backend>);

impl Store {
    /// A handle over any backend.
    pub fn new(backend: impl Backend + 'static) -> Self {
        Store(Arc::new(backend))
    }

    /// Opens the database at `location` (a path, `sqlite://path` or
    /// `postgres://…`), creating an SQLite file if needed, and applies
    /// pending migrations.
    pub async fn open(location: impl Into<Database>) -> Result<Self, StoreError> {
        match location.into() {
            Database::Sqlite(path) => Ok(Store::new(SqliteStore::open(&path).await?)),
            Database::Postgres(url) => Ok(Store::new(PgStore::open(&url).await?)),
        }
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// The embedded SQLite engine.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Connections for reads.
    pool: SqlitePool,
    /// The one connection for writes.
    writer: SqlitePool,
    /// Revealed rounds waiting for the group committer.
    rounds: tokio::sync::mpsc::Sender<RoundRecord>,
}

#[async_trait]
impl Backend for SqliteStore {
    async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

impl SqliteStore {
    /// A write transaction on the one writer connection (the engine's
    /// counterpart of [`PgStore::write_tx`]).
    async fn write_tx(&self) -> Result<write::WriteTx, StoreError> {
        write::WriteTx::begin(&self.writer).await
    }

    /// Opens (creating if needed) the SQLite database at `path` and applies
    /// pending migrations.
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL survives a process crash (kill -9) with every
            // committed transaction; only a power cut may lose the last ones.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        Self::connect(options, 4)
            .await
            .map_err(|error| StoreError::Open {
                path: path.display().to_string(),
                reason: open_failure(&error),
            })
    }

    async fn connect(options: SqliteConnectOptions, readers: u32) -> Result<Self, StoreError> {
        // SQLite takes one writer at a time. Writes share one connection and
        // queue for it in order, instead of several connections colliding on
        // the database lock and backing off in the busy handler; reads use
        // their own connections and never wait for writes (WAL).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&writer).await?;
        let pool = if readers > 1 {
            SqlitePoolOptions::new()
                .max_connections(readers)
                .connect_with(options)
                .await?
        } else {
            writer.clone()
        };
        let (rounds, queue) = tokio::sync::mpsc::channel(4 * GROUP_ROUNDS);
        tokio::spawn(commit_rounds(writer.clone(), queue, 1));
        Ok(Self {
            pool,
            writer,
            rounds,
        })
    }
}

/// The PostgreSQL engine, for several processes sharing one database.
///
/// One pool serves reads and writes: PostgreSQL takes concurrent writers
/// (row locks, not a database lock). Commits are durable
/// (`synchronous_commit` as the server has it, on by default); revealed
/// rounds are group-committed by a few committers at once, so one group's
/// flush to disk overlaps the next group's statements.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    rounds: tokio::sync::mpsc::Sender<RoundRecord>,
}

/// Connections a process opens at most to PostgreSQL.
const PG_CONNECTIONS: u32 = 8;

/// Group committers running at once on PostgreSQL.
const PG_COMMITTERS: usize = 4;

#[async_trait]
impl Backend for PgStore {
    async fn close(&self) {
        self.pool.close().await;
    }
}

impl PgStore {
    /// A write transaction from the pool (the engine's counterpart of
    /// [`SqliteStore::write_tx`]).
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Connects to the PostgreSQL database at `url` and applies pending
    /// migrations (from `migrations-postgres/`; concurrent start-ups wait
    /// for each other on sqlx's migration lock).
    #[tracing::instrument(skip_all, fields(database = %redact_password(url)))]
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let opened = match url.parse::<PgConnectOptions>() {
            Ok(options) => Self::connect(options).await,
            Err(error) => Err(error.into()),
        };
        opened.map_err(|error| StoreError::Open {
            path: redact_password(url),
            reason: open_failure(&error),
        })
    }

    async fn connect(options: PgConnectOptions) -> Result<Self, StoreError> {
        let options = options.application_name("lectern");
        // One plain connection first: a wrong address or password fails at
        // once with the server's reason, instead of the pool retrying
        // until its timeout and reporting only that.
        {
            use sqlx::Connection;
            sqlx::PgConnection::connect_with(&options)
                .await?
                .close()
                .await?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(PG_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations-postgres").run(&pool).await?;
        let (rounds, queue) = tokio::sync::mpsc::channel(4 * GROUP_ROUNDS);
        tokio::spawn(commit_rounds(pool.clone(), queue, PG_COMMITTERS));
        Ok(Self { pool, rounds })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The store tests' fixed day, Wednesday 2026-11-25, at `hour` UTC.
    pub(crate) fn at(hour: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 11, 25, hour, 0, 0).unwrap()
    }

    /// What a PostgreSQL test needs, and how to get it.
    pub(crate) const POSTGRES_MISSING: &str = "POSTGRES_TEST_URL is not set: these tests \
        need a PostgreSQL server. Run them through scripts/with-postgres.sh (e.g. \
        `scripts/with-postgres.sh cargo test`), which starts a throw-away server and sets it, or \
        set POSTGRES_TEST_URL=postgres://user@host:port/db to a server where that user \
        may create databases.";

    /// The test server's URL, or a panic saying how to get one.
    pub(crate) fn postgres_url() -> String {
        std::env::var("POSTGRES_TEST_URL").unwrap_or_else(|_| panic!("{POSTGRES_MISSING}"))
    }

    /// A fresh PostgreSQL database for one test, dropped with this guard.
    pub(crate) struct TempPostgres {
        admin: String,
        pub(crate) name: String,
        pub(crate) url: String,
    }

    impl TempPostgres {
        pub(crate) async fn new() -> Self {
            use sqlx::{Connection, Executor};
            let admin = postgres_url();
            let name = format!(
                "lectern_test_{}_{:016x}",
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
            let options: PgConnectOptions = admin.parse().unwrap();
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

    /// A store on a fresh PostgreSQL database (dropped with the guard).
    pub(crate) async fn temp_postgres() -> (TempPostgres, PgStore) {
        let database = TempPostgres::new().await;
        let store = PgStore::open(&database.url).await.unwrap();
        (database, store)
    }

    /// Raw SQL on a test store's database, for tests that break or look
    /// at its tables directly.
    #[derive(Clone)]
    pub(crate) enum Raw {
        Sqlite(SqlitePool),
        Postgres(PgPool),
    }

    impl Raw {
        pub(crate) async fn execute(&self, sql: &str) {
            let sql = sqlx::AssertSqlSafe(sql.to_string());
            match self {
                Raw::Sqlite(pool) => drop(sqlx::query(sql).execute(pool).await.unwrap()),
                Raw::Postgres(pool) => drop(sqlx::query(sql).execute(pool).await.unwrap()),
            }
        }

        pub(crate) async fn count(&self, sql: &str) -> i64 {
            let sql = sqlx::AssertSqlSafe(sql.to_string());
            match self {
                Raw::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
                Raw::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            }
        }
    }

    /// A test store on one engine, with what keeps its database alive.
    pub(crate) struct TestStore {
        pub(crate) store: Store,
        pub(crate) raw: Raw,
        /// Where it is, to open it again as another process would.
        pub(crate) location: Database,
        _sqlite: Option<tempfile::TempDir>,
        _postgres: Option<TempPostgres>,
    }

    impl TestStore {
        pub(crate) async fn sqlite() -> Self {
            let (dir, sqlite) = temp_sqlite().await;
            Self {
                location: Database::Sqlite(dir.path().join("test.db")),
                raw: Raw::Sqlite(sqlite.writer.clone()),
                store: Store::new(sqlite),
                _sqlite: Some(dir),
                _postgres: None,
            }
        }

        pub(crate) async fn postgres() -> Self {
            let (database, pg) = temp_postgres().await;
            Self {
                location: Database::Postgres(database.url.clone()),
                raw: Raw::Postgres(pg.pool.clone()),
                store: Store::new(pg),
                _sqlite: None,
                _postgres: Some(database),
            }
        }
    }

    /// A store test, run on both engines: `NAME::sqlite` and
    /// `NAME::postgres`. The body sees `store` (a [`Store`]), `raw`
    /// ([`Raw`]) and optionally the database's [`Database`] location (to
    /// open it again, as another process) by the names given.
    macro_rules! on_both_engines {
        ($(#[doc = $doc:literal])* async fn $name:ident($store:ident, $raw:ident $(, $location:ident)?) $body:block) => {
            $(#[doc = $doc])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test]
                async fn sqlite() {
                    let test = crate::store::tests::TestStore::sqlite().await;
                    #[allow(unused_variables)]
                    let ($store, $raw) = (test.store.clone(), test.raw.clone());
                    $(let $location = test.location.clone();)?
                    $body
                }

                #[tokio::test]
                async fn postgres() {
                    let test = crate::store::tests::TestStore::postgres().await;
                    #[allow(unused_variables)]
                    let ($store, $raw) = (test.store.clone(), test.raw.clone());
                    $(let $location = test.location.clone();)?
                    $body
                }
            }
        };
    }
    pub(crate) use on_both_engines;

    /// The SQLite engine itself on a new temporary file, for tests that
    /// look at its tables directly.
    pub(crate) async fn temp_sqlite() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("test.db"))
            .await
            .unwrap();
        (dir, store)
    }

    #[test]
    fn a_database_location_picks_its_engine_and_hides_a_password() {
        assert_eq!(
            Database::parse("data/lectern.db"),
            Database::Sqlite("data/lectern.db".into())
        );
        assert_eq!(
            Database::parse("sqlite:///var/lib/lectern.db"),
            Database::Sqlite("/var/lib/lectern.db".into())
        );
        let url = "postgres://bot:s3cret@db:5432/lectern?sslmode=disable";
        assert_eq!(Database::parse(url), Database::Postgres(url.into()));
        assert_eq!(
            Database::from(Path::new("postgresql://db/lectern")),
            Database::Postgres("postgresql://db/lectern".into())
        );
        assert_eq!(
            Database::parse(url).to_string(),
            "postgres://bot:***@db:5432/lectern?sslmode=disable"
        );
        assert_eq!(
            Database::parse("postgres://bot@db/lectern").to_string(),
            "postgres://bot@db/lectern"
        );
        assert_eq!(Database::parse("postgres://db/x").folder(), None);
        assert_eq!(
            Database::parse("data/lectern.db").folder(),
            Some(Path::new("data"))
        );
    }

    #[tokio::test]
    async fn a_server_that_cannot_be_reached_is_an_error_naming_it_without_its_password() {
        let error = Store::open("postgres://bot:s3cret@127.0.0.1:1/lectern?connect_timeout=2")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("cannot open the database postgres://bot:***@127.0.0.1:1/lectern"),
            "{error}"
        );
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn an_unknown_platform_is_an_error_naming_the_row() {
        let error = platform("scopes", 7, "irc").unwrap_err().to_string();
        assert_eq!(
            error,
            "scopes row 7 cannot be read: \"irc\" is not a platform"
        );
        assert_eq!(platform("scopes", 7, "matrix").unwrap(), Platform::Matrix);
    }

    #[tokio::test]
    async fn a_database_from_a_newer_lectern_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lectern.db");
        let store = SqliteStore::open(&path).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (9999, 'from the future', 1, x'00', 0)",
        )
        .execute(&store.writer)
        .await
        .unwrap();
        store.close().await;
        let error = SqliteStore::open(&path).await.unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "cannot open the database {}: it was written by a newer Lectern (it has schema \
                 migration 9999, which this version does not know); run a newer lectern on it, \
                 or choose another file with --db",
                path.display()
            )
        );
    }

    #[tokio::test]
    async fn opening_creates_the_folder_and_runs_every_migration() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("deep/er/lectern.db"))
            .await
            .unwrap();
        let owner: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pragma_table_info('quiz_sessions') WHERE name = 'owner'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(owner, 1);
        let zone: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pragma_table_info('scopes') WHERE name = 'time_zone'",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(zone, 0, "the unused column is gone");
    }
}
