//! The store: the only module that speaks SQL. One [`Store`] over an sqlx
//! pool, with a method for each question the bot asks of its data, split
//! by concern: [`identity`] (users and scopes), [`quiz`] (sessions and
//! revealed rounds), [`scores`] (standings and leaderboards), [`daily`]
//! (daily-post subscriptions and claims), [`banks`] (imported questions)
//! [`flags`] (flagged and retired questions), [`items`] (which question
//! each answer was to), [`review`] (personal review cards) and [`seasons`].
//!
//! **The seam.** Each concern is a trait ([`QuizStore`], [`ScoreStore`],
//! [`DailyStore`], [`BankStore`], [`FlagStore`], [`ItemStore`],
//! [`ReviewStore`], [`SeasonStore`]); a [`Backend`] is all of
//! them, and [`Store`] is a cheap handle over any backend that derefs to it.
//! The bot only ever holds a `Store`, so a second engine (PostgreSQL) is one
//! more `Backend` implementation plus a way to open it; nothing above this
//! module changes. [`SqliteStore`] is the embedded default.
//!
//! SQLite runs with WAL, foreign keys on and a busy timeout, with
//! migrations from `migrations/` applied at start-up. The SQL is kept
//! portable where it can be (`$1` parameters, `ON CONFLICT` upserts,
//! integer epoch-millisecond times). Rows are decoded into checked
//! `FromRow` types; a stored value that no longer reads (a bank question's
//! JSON, a platform name, a time) is an error naming its row, never dropped
//! or guessed.

use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::identity::Platform;

use quiz::{GROUP_ROUNDS, RoundRecord, commit_rounds};

mod banks;
mod daily;
mod flags;
mod identity;
mod items;
mod quiz;
mod review;
mod scores;
mod seasons;
mod write;

pub use banks::BankStore;
pub use daily::{
    DailyClaim, DailyOutcome, DailyPostRecord, DailyStore, DailySubscription, DueDaily, UnsentDaily,
};
pub use flags::{FlagStore, FlaggedQuestion};
pub use items::{AskedItem, ItemAnswer, ItemStore};
pub use quiz::{InterruptedQuiz, QuizStore, RoundAnswer};
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

/// The database handle the bot holds: cheap to clone, and the same API
/// whatever the engine behind it (it derefs to [`Backend`]).
#[derive(Debug, Clone)]
pub struct Store(Arc<dyn Backend>);

impl Store {
    /// A handle over any backend.
    pub fn new(backend: impl Backend + 'static) -> Self {
        Store(Arc::new(backend))
    }

    /// Opens (creating if needed) the embedded SQLite database at `path`
    /// and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Store::new(SqliteStore::open(path).await?))
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
        tokio::spawn(commit_rounds(writer.clone(), queue));
        Ok(Self {
            pool,
            writer,
            rounds,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A store on a new temporary file (kept alive by the returned folder).
    pub(crate) async fn temp_store() -> (tempfile::TempDir, Store) {
        let (dir, sqlite) = temp_sqlite().await;
        (dir, Store::new(sqlite))
    }

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
