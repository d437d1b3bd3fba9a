//! Quiz answers recorded durably per second, with many quiz sessions
//! revealing rounds at once on one SQLite database (WAL, synchronous=NORMAL:
//! every committed round survives a process crash). For comparison, the raw
//! batched-insert rate of the same SQLite build on the same disk.
//!
//! `cargo bench --bench quiz` prints both figures.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite};

use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use lectern::store::{RoundAnswer, Store};

const SESSIONS: usize = 200;
const PLAYERS: usize = 30;
const ROUNDS: u32 = 10;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(&dir.path().join("quiz.db")).await.expect("database"));
        let at: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
        let mut sessions = Vec::new();
        for s in 0..SESSIONS {
            let scope = ScopeRef::new(Platform::Discord, format!("guild-{}", s / 4));
            let channel = ChannelRef::new(scope.clone(), format!("channel-{s}"));
            let starter = UserRef::new(Platform::Discord, format!("u{s}-0"), "starter");
            let id = store.start_quiz_session(&channel, &starter, ROUNDS, "bench", at).await.expect("session");
            let players: Vec<UserRef> = (0..PLAYERS)
                .map(|p| UserRef::new(Platform::Discord, format!("u{s}-{p}"), format!("player {p}")))
                .collect();
            sessions.push((id, scope, players));
        }
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (id, scope, players) in sessions {
            let store = store.clone();
            tasks.spawn(async move {
                for round in 1..=ROUNDS {
                    let answers: Vec<RoundAnswer> = players
                        .iter()
                        .enumerate()
                        .map(|(p, user)| RoundAnswer {
                            user: user.clone(),
                            correct: !(p + round as usize).is_multiple_of(3),
                            points: 120,
                            response_ms: 1_000 + p as u64,
                            streak: round,
                        })
                        .collect();
                    store.record_round(id, round, &scope, &answers, at).await.expect("round");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        let elapsed = started.elapsed();
        let answers = SESSIONS * PLAYERS * ROUNDS as usize;
        println!(
            "quiz/record_round: {answers} answers ({SESSIONS} sessions x {ROUNDS} rounds x {PLAYERS} players, concurrent) in {elapsed:?}: {:.0} answers/s, {:.0} rounds/s",
            answers as f64 / elapsed.as_secs_f64(),
            (SESSIONS * ROUNDS as usize) as f64 / elapsed.as_secs_f64()
        );

        // Raw batched inserts: 100,000 rows, 500 per statement, 10 transactions.
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("raw.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.expect("raw db");
        sqlx::query("CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, d TEXT)").execute(&pool).await.expect("table");
        let rows: Vec<i64> = (0..100_000).collect();
        let started = Instant::now();
        for transaction in rows.chunks(10_000) {
            let mut tx = pool.begin().await.expect("begin");
            for chunk in transaction.chunks(500) {
                let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO t (a, b, c, d) ");
                insert.push_values(chunk, |mut row, n| {
                    row.push_bind(*n).push_bind(n * 2).push_bind(n % 7).push_bind("x");
                });
                insert.build().execute(&mut *tx).await.expect("insert");
            }
            tx.commit().await.expect("commit");
        }
        let elapsed = started.elapsed();
        println!("sqlite/raw batched insert: 100000 rows in {elapsed:?}: {:.0} rows/s", 100_000.0 / elapsed.as_secs_f64());
    });
}
