//! Quiz answers recorded durably per second, with many quiz sessions
//! revealing rounds at once, on each engine: SQLite (WAL,
//! synchronous=NORMAL: every committed round survives a process crash) and
//! PostgreSQL (`synchronous_commit` as the server has it, on by default:
//! every committed round is flushed to its WAL). Beside each, the raw
//! batched-insert rate of the same database in the same run (100,000 rows,
//! 500 per statement, 10 transactions), as the ceiling to compare with.
//!
//! `cargo bench --bench quiz` prints the four figures. PostgreSQL is the
//! server at POSTGRES_BENCH_URL (or POSTGRES_TEST_URL); the
//! bench makes a database of its own there and drops it at the end.
//! `scripts/with-postgres.sh cargo bench --bench quiz` starts a throw-away
//! server for it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Executor, PgConnection, Postgres, QueryBuilder, Sqlite};

use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use lectern::store::{RoundAnswer, Store};

const SESSIONS: usize = 200;
const PLAYERS: usize = 30;
const ROUNDS: u32 = 10;
const RAW_ROWS: i64 = 100_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let sqlite = Store::open(&dir.path().join("quiz.db")).await.expect("database");
        let answers = record_rounds("sqlite", sqlite).await;
        let raw = sqlite_raw_inserts(&dir.path().join("raw.db")).await;
        let mut table = vec![("SQLite (WAL, synchronous=NORMAL)".to_string(), answers, raw)];

        let Some(server) = std::env::var("POSTGRES_BENCH_URL")
            .or_else(|_| std::env::var("POSTGRES_TEST_URL"))
            .ok()
        else {
            print_table(&table);
            eprintln!(
                "PostgreSQL was not measured: set POSTGRES_BENCH_URL to a server where \
                 the user may create databases, or run `scripts/with-postgres.sh cargo bench --bench quiz`"
            );
            std::process::exit(1);
        };
        let name = format!("lectern_bench_{}", std::process::id());
        let mut admin = PgConnection::connect(&server).await.expect("PostgreSQL server");
        let synchronous: String = sqlx::query_scalar("SHOW synchronous_commit").fetch_one(&mut admin).await.unwrap();
        let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(&mut admin).await.unwrap();
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.expect("create database");
        let options: sqlx::postgres::PgConnectOptions = server.parse().expect("URL");
        let options = options.database(&name);
        let url = format!("postgres://{}@{}:{}/{name}", options.get_username(), options.get_host(), options.get_port());
        let postgres = Store::open(url.as_str()).await.expect("PostgreSQL store");
        let answers = record_rounds("postgres", postgres.clone()).await;
        postgres.close().await;
        let raw = postgres_raw_inserts(&url).await;
        table.push((format!("PostgreSQL (synchronous_commit={synchronous}, fsync={fsync})"), answers, raw));
        print_table(&table);
        admin.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).await.expect("drop database");
    });
}

fn print_table(table: &[(String, f64, f64)]) {
    println!();
    println!("| database | durable answers/s (record_round) | raw batched inserts, rows/s |");
    println!("|---|---:|---:|");
    for (name, answers, raw) in table {
        println!("| {name} | {answers:.0} | {raw:.0} |");
    }
}

/// SESSIONS quizzes revealing ROUNDS rounds of PLAYERS answers each, all at
/// once; returns answers per second.
async fn record_rounds(engine: &str, store: Store) -> f64 {
    let store = Arc::new(store);
    let at: DateTime<Utc> = "2026-11-25T12:00:00Z".parse().expect("time");
    let mut sessions = Vec::new();
    for s in 0..SESSIONS {
        let scope = ScopeRef::new(Platform::Discord, format!("guild-{}", s / 4));
        let channel = ChannelRef::new(scope.clone(), format!("channel-{s}"));
        let starter = UserRef::new(Platform::Discord, format!("u{s}-0"), "starter");
        let id = store
            .start_quiz_session(&channel, &starter, ROUNDS, "bench", at)
            .await
            .expect("session");
        let players: Vec<UserRef> = (0..PLAYERS)
            .map(|p| {
                UserRef::new(
                    Platform::Discord,
                    format!("u{s}-{p}"),
                    format!("player {p}"),
                )
            })
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
                store
                    .record_round(id, round, &scope, &answers, at)
                    .await
                    .expect("round");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let answers = SESSIONS * PLAYERS * ROUNDS as usize;
    let rate = answers as f64 / elapsed.as_secs_f64();
    println!(
        "{engine}/record_round: {answers} answers ({SESSIONS} sessions x {ROUNDS} rounds x {PLAYERS} players, concurrent) in {elapsed:?}: {rate:.0} answers/s, {:.0} rounds/s",
        (SESSIONS * ROUNDS as usize) as f64 / elapsed.as_secs_f64()
    );
    rate
}

async fn sqlite_raw_inserts(path: &std::path::Path) -> f64 {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("raw db");
    sqlx::query("CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, d TEXT)")
        .execute(&pool)
        .await
        .expect("table");
    let rows: Vec<i64> = (0..RAW_ROWS).collect();
    let started = Instant::now();
    for transaction in rows.chunks(10_000) {
        let mut tx = pool.begin().await.expect("begin");
        for chunk in transaction.chunks(500) {
            let mut insert = QueryBuilder::<Sqlite>::new("INSERT INTO t (a, b, c, d) ");
            insert.push_values(chunk, |mut row, n| {
                row.push_bind(*n)
                    .push_bind(n * 2)
                    .push_bind(n % 7)
                    .push_bind("x");
            });
            insert.build().execute(&mut *tx).await.expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    let elapsed = started.elapsed();
    let rate = RAW_ROWS as f64 / elapsed.as_secs_f64();
    println!("sqlite/raw batched insert: {RAW_ROWS} rows in {elapsed:?}: {rate:.0} rows/s");
    rate
}

async fn postgres_raw_inserts(url: &str) -> f64 {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("raw db");
    sqlx::query("CREATE TABLE t (a BIGINT, b BIGINT, c BIGINT, d TEXT)")
        .execute(&pool)
        .await
        .expect("table");
    let rows: Vec<i64> = (0..RAW_ROWS).collect();
    let started = Instant::now();
    for transaction in rows.chunks(10_000) {
        let mut tx = pool.begin().await.expect("begin");
        for chunk in transaction.chunks(500) {
            let mut insert = QueryBuilder::<Postgres>::new("INSERT INTO t (a, b, c, d) ");
            insert.push_values(chunk, |mut row, n| {
                row.push_bind(*n)
                    .push_bind(n * 2)
                    .push_bind(n % 7)
                    .push_bind("x");
            });
            insert.build().execute(&mut *tx).await.expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    let elapsed = started.elapsed();
    let rate = RAW_ROWS as f64 / elapsed.as_secs_f64();
    println!("postgres/raw batched insert: {RAW_ROWS} rows in {elapsed:?}: {rate:.0} rows/s");
    pool.close().await;
    rate
}
