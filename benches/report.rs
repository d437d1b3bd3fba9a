//! The teacher's report at scale: one scope with 200 students and 100,000
//! answers over 500 items (1,000 quizzes of 10 rounds, 10 players each,
//! over 30 days) in a temporary SQLite file. Times the whole report (all
//! time, from the running totals; and since a date, from the answers, with
//! streaks) beside a reference: a raw `COUNT(*)` and `SUM` over the same
//! answers, and the PNG chart drawn from the report (accuracy by week over
//! the 5 weeks of answers, the 8 hardest questions). Target: the report
//! under 200 ms.
//!
//! `cargo bench --bench report` prints criterion's figures. Setup (writing
//! the rows straight into the tables) is not timed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group};
use sqlx::{QueryBuilder, Sqlite};

use lectern::identity::{Platform, ScopeRef};
use lectern::store::Store;

const STUDENTS: i64 = 200;
const ITEMS: i64 = 500;
const SESSIONS: i64 = 1_000;
const ROUNDS: i64 = 10;
const PLAYERS: i64 = 10;

/// Rows per multi-row insert.
const CHUNK: usize = 500;

/// Writes the scope's rows; returns how many answers.
async fn write_rows(pool: &sqlx::SqlitePool, now: DateTime<Utc>) -> usize {
    let mut rng = fastrand::Rng::with_seed(14);
    let start = now - Duration::days(30);
    let step = Duration::days(30).num_milliseconds() / SESSIONS;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO scopes (id, platform, platform_scope_id) VALUES (1, 'discord', 'guild')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    let mut users = QueryBuilder::<Sqlite>::new(
        "INSERT INTO users (id, platform, platform_user_id, display_name) ",
    );
    users.push_values(1..=STUDENTS, |mut row, id| {
        row.push_bind(id)
            .push_bind("discord")
            .push_bind(id.to_string())
            .push_bind(format!("Student {id}"));
    });
    users.build().execute(&mut *tx).await.unwrap();
    let mut items = QueryBuilder::<Sqlite>::new(
        "INSERT INTO quiz_items (scope_id, item_id, prompt, answer, question_json, first_asked_at_ms) ",
    );
    items.push_values(0..ITEMS, |mut row, item| {
        row.push_bind(1_i64)
            .push_bind(format!("item-{item}"))
            .push_bind(format!("Question {item}?"))
            .push_bind(format!("Answer {item}"))
            .push_bind("{}")
            .push_bind(start.timestamp_millis());
    });
    items.build().execute(&mut *tx).await.unwrap();
    for chunk in (1..=SESSIONS).collect::<Vec<_>>().chunks(CHUNK) {
        let mut sessions = QueryBuilder::<Sqlite>::new(
            "INSERT INTO quiz_sessions (id, scope_id, channel_id, started_by, started_at_ms, rounds) ",
        );
        sessions.push_values(chunk, |mut row, &id| {
            row.push_bind(id)
                .push_bind(1_i64)
                .push_bind("class")
                .push_bind(1_i64)
                .push_bind(start.timestamp_millis() + id * step)
                .push_bind(ROUNDS);
        });
        sessions.build().execute(&mut *tx).await.unwrap();
    }
    // (session, round, user, at, correct, item, choice)
    let mut answers = Vec::new();
    for session in 1..=SESSIONS {
        for round in 1..=ROUNDS {
            let item = (session * ROUNDS + round) % ITEMS;
            for player in 0..PLAYERS {
                let user = (session * PLAYERS + player) % STUDENTS + 1;
                let correct = rng.u8(..100) < 60;
                let choice = if correct {
                    format!("Answer {item}")
                } else {
                    format!("Wrong {}", rng.u8(..3))
                };
                answers.push((
                    session,
                    round,
                    user,
                    start.timestamp_millis() + session * step + round * 20_000,
                    i64::from(correct),
                    format!("item-{item}"),
                    choice,
                ));
            }
        }
    }
    for chunk in answers.chunks(CHUNK) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO quiz_answers (session_id, round, user_id, scope_id, answered_at_ms,
             correct, points, response_ms, item_id, choice) ",
        );
        insert.push_values(chunk, |mut row, answer| {
            row.push_bind(answer.0)
                .push_bind(answer.1)
                .push_bind(answer.2)
                .push_bind(1_i64)
                .push_bind(answer.3)
                .push_bind(answer.4)
                .push_bind(answer.4 * 10)
                .push_bind(5000_i64)
                .push_bind(answer.5.clone())
                .push_bind(answer.6.clone());
        });
        insert.build().execute(&mut *tx).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO scores (scope_id, user_id, points, answered, correct, best_streak, updated_at_ms)
         SELECT scope_id, user_id, SUM(points), COUNT(*), SUM(correct), 3, MAX(answered_at_ms)
         FROM quiz_answers GROUP BY scope_id, user_id",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO review_cards (scope_id, user_id, item_id, due_at_ms, stability, difficulty,
         elapsed_days, scheduled_days, reps, lapses, state, last_review_at_ms)
         SELECT scope_id, user_id, item_id, MIN(answered_at_ms) + 86400000, 1.0, 5.0, 0, 1, 1, 1, 3,
         MIN(answered_at_ms) FROM quiz_answers WHERE correct = 0 AND session_id % 10 = 0
         GROUP BY scope_id, user_id, item_id",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    answers.len()
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.db");
    let now: DateTime<Utc> = "2026-11-30T12:00:00Z".parse().expect("time");
    let scope = ScopeRef::new(Platform::Discord, "guild");
    let (store, raw, written) = runtime.block_on(async {
        let store = Store::open(&path).await.expect("database");
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("raw pool");
        let written = write_rows(&raw, now).await;
        sqlx::query("ANALYZE").execute(&raw).await.unwrap();
        (store, raw, written)
    });
    assert_eq!(written, 100_000);
    let report = runtime
        .block_on(store.report(&scope, None, now))
        .unwrap()
        .unwrap();
    assert_eq!(report.students.len(), STUDENTS as usize);
    assert_eq!(report.questions.len(), ITEMS as usize);
    assert_eq!(
        report.questions.iter().map(|q| q.answers).sum::<i64>(),
        100_000
    );

    let mut group = c.benchmark_group("report/200 students, 100k answers");
    group.bench_function("store: report, all time", |b| {
        b.iter(|| {
            runtime
                .block_on(store.report(&scope, None, now))
                .unwrap()
                .unwrap()
                .questions
                .len()
        })
    });
    let since = now - Duration::days(14);
    group.bench_function(
        "store: report since 14 days ago (streaks from answers)",
        |b| {
            b.iter(|| {
                runtime
                    .block_on(store.report(&scope, Some(since), now))
                    .unwrap()
                    .unwrap()
                    .students
                    .len()
            })
        },
    );
    assert_eq!(report.weekly.len(), 5, "30 days of answers are 5 weeks");
    group.bench_function("chart: the report drawn as a PNG", |b| {
        b.iter(|| lectern::chart::render_png(&report).unwrap().len())
    });
    group.bench_function(
        "reference: raw COUNT(*), SUM(correct) over the answers",
        |b| {
            b.iter(|| {
                runtime
                    .block_on(
                        sqlx::query_as::<_, (i64, i64)>(
                            "SELECT COUNT(*), SUM(correct) FROM quiz_answers WHERE scope_id = 1",
                        )
                        .fetch_one(&raw),
                    )
                    .expect("count")
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
