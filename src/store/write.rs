//! Write transactions that cannot outlive a failure.
//!
//! A write that fails halfway (a full disk, an I/O error) can leave SQLite's
//! transaction open on the connection, or leave sqlx's count of open
//! transactions out of step with SQLite's: later "commits" then only release
//! a savepoint inside a transaction that never ends, so writes are reported
//! saved but never reach the file, and other processes see the database
//! locked. [`WriteTx`] runs `BEGIN IMMEDIATE` … `COMMIT` itself, and when
//! anything fails before the commit has succeeded it takes the connection
//! out of the pool and closes it (closing rolls back). The next write opens
//! a fresh connection, so one failed write costs only itself.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use super::StoreError;

/// An open write transaction on the writer connection. Commit it with
/// [`WriteTx::commit`]; dropping it uncommitted (an early `?`) rolls it back
/// by closing the connection.
pub(super) struct WriteTx {
    conn: Option<PoolConnection<Sqlite>>,
}

impl WriteTx {
    /// Takes the writer connection and starts a transaction holding the
    /// write lock from the start (no upgrade deadlock between processes).
    pub(super) async fn begin(pool: &SqlitePool) -> Result<Self, StoreError> {
        let mut conn = pool.acquire().await?;
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
            Ok(_) => Ok(Self { conn: Some(conn) }),
            Err(error) => {
                discard(conn);
                Err(error.into())
            }
        }
    }

    /// Commits. If the commit fails, the connection is closed (rolling the
    /// transaction back) instead of going back to the pool.
    pub(super) async fn commit(mut self) -> Result<(), StoreError> {
        let Some(mut conn) = self.conn.take() else {
            return Err(StoreError::Closed);
        };
        match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(()),
            Err(error) => {
                discard(conn);
                Err(error.into())
            }
        }
    }
}

/// Takes a connection out of the pool for good and closes it; SQLite rolls
/// back whatever it had open. The pool opens a replacement when needed.
fn discard(conn: PoolConnection<Sqlite>) {
    drop(conn.detach());
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            tracing::warn!("a write transaction ended without a commit; its connection is closed");
            discard(conn);
        }
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match &self.conn {
            Some(conn) => conn,
            None => unreachable!("the connection is only taken by commit or drop"),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match &mut self.conn {
            Some(conn) => conn,
            None => unreachable!("the connection is only taken by commit or drop"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::Utc;
    use sqlx::Connection;
    use sqlx::sqlite::SqliteConnectOptions;

    use crate::content::{Question, QuestionOrigin};
    use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};
    use crate::store::tests::temp_sqlite;
    use crate::store::{BankStore, DailyStore, QuizStore, RoundAnswer};

    fn big_question(id: usize) -> Question {
        Question {
            id: format!("q{id}"),
            prompt: "x".repeat(4000),
            choices: vec!["a".into(), "b".into()],
            answer_index: Some(0),
            answers: vec!["a".into()],
            source_sentence: None,
            kind: "bank".into(),
            origin: QuestionOrigin::Generated,
            explanation: None,
        }
    }

    /// Failures inside a write, as a full disk gives them: SQLite may end
    /// the transaction itself (a full disk rolls it back; a trigger's
    /// `RAISE(ROLLBACK)` stands in for that here), or COMMIT may fail with
    /// the transaction still open (a deferred constraint stands in). Each
    /// time the failure is reported, nothing of that write lands, and the
    /// next writes commit for real while other connections can still write.
    #[tokio::test]
    async fn a_failed_write_loses_only_itself() {
        for trap in [
            "SELECT RAISE(ROLLBACK, 'database or disk is full')",
            "INSERT INTO trap VALUES (999)",
        ] {
            let (dir, store) = temp_sqlite().await;
            let scope = ScopeRef::new(Platform::Discord, "guild");
            let channel = |id: &str| ChannelRef::new(scope.clone(), id);
            let now = Utc::now();
            for statement in [
                "CREATE TABLE trap_switch (on_ INTEGER)".to_string(),
                "CREATE TABLE trap_parent (id INTEGER PRIMARY KEY)".to_string(),
                "CREATE TABLE trap (x INTEGER REFERENCES trap_parent(id) DEFERRABLE INITIALLY DEFERRED)".to_string(),
                "INSERT INTO trap_switch (on_) VALUES (1)".to_string(),
                format!(
                    "CREATE TRIGGER spring AFTER INSERT ON daily_subscriptions
                     WHEN EXISTS (SELECT 1 FROM trap_switch) BEGIN {trap}; END"
                ),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&store.writer)
                    .await
                    .unwrap();
            }
            let failed = store
                .set_daily_subscription(&channel("first"), "09:00", "UTC", now, now)
                .await;
            assert!(failed.is_err(), "{trap}: the failed write is reported");

            sqlx::query("DELETE FROM trap_switch")
                .execute(&store.writer)
                .await
                .unwrap();
            for id in ["second", "third"] {
                store
                    .set_daily_subscription(&channel(id), "10:00", "UTC", now, now)
                    .await
                    .unwrap();
            }

            let options = SqliteConnectOptions::new()
                .filename(dir.path().join("test.db"))
                .busy_timeout(Duration::from_secs(2));
            let mut other = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            let channels: Vec<String> = sqlx::query_scalar(
                "SELECT channel_id FROM daily_subscriptions ORDER BY channel_id",
            )
            .fetch_all(&mut other)
            .await
            .unwrap();
            assert_eq!(channels, vec!["second", "third"], "{trap}");
            sqlx::query("UPDATE scopes SET platform_scope_id = platform_scope_id")
                .execute(&mut other)
                .await
                .unwrap_or_else(|error| panic!("{trap}: the database is left locked: {error}"));
        }
    }

    /// A full disk in the middle of a quiz (SQLite's page limit stands in
    /// for the disk): the failed write is reported, and once there is room
    /// again every later write is committed for real and the file is not
    /// left locked.
    #[tokio::test]
    async fn after_a_failed_write_later_writes_are_committed_and_nothing_stays_locked() {
        let (dir, store) = temp_sqlite().await;
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "chan");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let now = Utc::now();
        let session = store
            .start_quiz_session(&channel, &ann, 5, "test", now)
            .await
            .unwrap();

        // The disk fills up: no page may be added to the file.
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA max_page_count = {pages}"
        )))
        .execute(&store.writer)
        .await
        .unwrap();
        let questions: Vec<Question> = (0..50).map(big_question).collect();
        let failed = store.add_scope_bank(&scope, "big", &questions, now).await;
        assert!(failed.is_err(), "the write that did not fit is reported");

        // Room again (on whatever connection the writer now uses).
        sqlx::query("PRAGMA max_page_count = 1073741823")
            .execute(&store.writer)
            .await
            .unwrap();
        let answer = RoundAnswer {
            user: ann.clone(),
            correct: true,
            points: 100,
            response_ms: 900,
            streak: 1,
        };
        store
            .record_round(session, 1, &scope, &[answer], now)
            .await
            .unwrap();
        store
            .set_daily_subscription(&channel, "09:00", "UTC", now, now)
            .await
            .unwrap();
        assert_eq!(
            store
                .add_scope_bank(&scope, "small", &questions[..1], now)
                .await
                .unwrap(),
            1
        );

        // Another connection, as another process or `sqlite3` would open
        // one, sees every write and can write itself.
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("test.db"))
            .busy_timeout(Duration::from_secs(2));
        let mut other = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        let rounds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quiz_answers")
            .fetch_one(&mut other)
            .await
            .unwrap();
        assert_eq!(rounds, 1, "the round after the failure was committed");
        let subscriptions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM daily_subscriptions")
            .fetch_one(&mut other)
            .await
            .unwrap();
        assert_eq!(subscriptions, 1);
        let banked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scope_questions")
            .fetch_one(&mut other)
            .await
            .unwrap();
        assert_eq!(banked, 1, "the failed bank left nothing behind");
        sqlx::query("UPDATE scopes SET platform_scope_id = platform_scope_id")
            .execute(&mut other)
            .await
            .expect("the database is not left locked");
    }
}
