//! Moving a deployment between databases: `lectern db migrate` (bring a
//! database to this version's schema) and `lectern db copy` (every table
//! from one database to another, SQLite or PostgreSQL either way).
//!
//! A copy runs both databases' migrations first, so source and target have
//! the same schema; refuses a target that has rows unless told to replace
//! them; copies every table in one target transaction, ids included, in
//! pages; moves PostgreSQL's id sequences past the copied ids; and then
//! checks its work: the same row count in every table and the same point
//! totals (running totals and answers) on both sides. The source should be
//! quiet while it runs (stop the bot first).

use sqlx::{Postgres, QueryBuilder, Row, Sqlite};

use super::{BATCH_ROWS, Database, PgStore, SqliteStore, StoreError};

/// A column's type, as both schemas store it.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Real,
    Text,
}

/// One table to copy: its columns, its key (the copy order) and whether
/// it has an id sequence to move on PostgreSQL.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    key: &'static str,
    serial: bool,
}

use Kind::{Int, Real, Text};

/// Every table, parents before the tables that point at them.
const TABLES: &[Table] = &[
    Table {
        name: "users",
        columns: &[
            ("id", Int),
            ("platform", Text),
            ("platform_user_id", Text),
            ("display_name", Text),
        ],
        key: "id",
        serial: true,
    },
    Table {
        name: "scopes",
        columns: &[("id", Int), ("platform", Text), ("platform_scope_id", Text)],
        key: "id",
        serial: true,
    },
    Table {
        name: "quiz_sessions",
        columns: &[
            ("id", Int),
            ("scope_id", Int),
            ("channel_id", Text),
            ("started_by", Int),
            ("started_at_ms", Int),
            ("rounds", Int),
            ("ended_at_ms", Int),
            ("end_reason", Text),
            ("owner", Text),
            ("revealed", Int),
        ],
        key: "id",
        serial: true,
    },
    Table {
        name: "quiz_answers",
        columns: &[
            ("session_id", Int),
            ("round", Int),
            ("user_id", Int),
            ("scope_id", Int),
            ("answered_at_ms", Int),
            ("correct", Int),
            ("points", Int),
            ("response_ms", Int),
            ("item_id", Text),
            ("choice", Text),
        ],
        key: "session_id, round, user_id",
        serial: false,
    },
    Table {
        name: "scores",
        columns: &[
            ("scope_id", Int),
            ("user_id", Int),
            ("points", Int),
            ("answered", Int),
            ("correct", Int),
            ("best_streak", Int),
            ("updated_at_ms", Int),
        ],
        key: "scope_id, user_id",
        serial: false,
    },
    Table {
        name: "daily_subscriptions",
        columns: &[
            ("id", Int),
            ("scope_id", Int),
            ("channel_id", Text),
            ("local_time", Text),
            ("time_zone", Text),
            ("enabled", Int),
            ("next_fire_at_ms", Int),
            ("cycle", Int),
            ("disabled_reason", Text),
            ("failed_days", Int),
            ("updated_at_ms", Int),
        ],
        key: "id",
        serial: true,
    },
    Table {
        name: "daily_posts",
        columns: &[
            ("subscription_id", Int),
            ("local_date", Text),
            ("event_key", Text),
            ("cycle", Int),
            ("claimed_at_ms", Int),
            ("status", Text),
            ("attempts", Int),
            ("last_error", Text),
            ("sent_at_ms", Int),
            ("nonce", Text),
            ("claimed_by", Text),
        ],
        key: "subscription_id, local_date",
        serial: false,
    },
    Table {
        name: "scope_questions",
        columns: &[
            ("id", Int),
            ("scope_id", Int),
            ("bank", Text),
            ("question_json", Text),
            ("added_at_ms", Int),
        ],
        key: "id",
        serial: true,
    },
    Table {
        name: "question_flags",
        columns: &[
            ("scope_id", Int),
            ("question_id", Text),
            ("user_id", Int),
            ("prompt", Text),
            ("reason", Text),
            ("flagged_at_ms", Int),
        ],
        key: "scope_id, question_id, user_id",
        serial: false,
    },
    Table {
        name: "retired_questions",
        columns: &[
            ("scope_id", Int),
            ("question_id", Text),
            ("retired_by", Int),
            ("retired_at_ms", Int),
        ],
        key: "scope_id, question_id",
        serial: false,
    },
    Table {
        name: "quiz_items",
        columns: &[
            ("scope_id", Int),
            ("item_id", Text),
            ("prompt", Text),
            ("answer", Text),
            ("question_json", Text),
            ("first_asked_at_ms", Int),
        ],
        key: "scope_id, item_id",
        serial: false,
    },
    Table {
        name: "review_cards",
        columns: &[
            ("scope_id", Int),
            ("user_id", Int),
            ("item_id", Text),
            ("due_at_ms", Int),
            ("stability", Real),
            ("difficulty", Real),
            ("elapsed_days", Int),
            ("scheduled_days", Int),
            ("reps", Int),
            ("lapses", Int),
            ("state", Int),
            ("last_review_at_ms", Int),
        ],
        key: "scope_id, user_id, item_id",
        serial: false,
    },
    Table {
        name: "review_log",
        columns: &[
            ("scope_id", Int),
            ("user_id", Int),
            ("item_id", Text),
            ("reviewed_at_ms", Int),
            ("correct", Int),
            ("due_at_ms", Int),
        ],
        // No key of its own: every column, so pages never overlap.
        key: "scope_id, user_id, reviewed_at_ms, item_id, correct, due_at_ms",
        serial: false,
    },
    Table {
        name: "seasons",
        columns: &[
            ("scope_id", Int),
            ("number", Int),
            ("started_at_ms", Int),
            ("started_by", Int),
        ],
        key: "scope_id, number",
        serial: false,
    },
    Table {
        name: "review_reminders",
        columns: &[
            ("scope_id", Int),
            ("user_id", Int),
            ("channel_id", Text),
            ("local_time", Text),
            ("time_zone", Text),
            ("enabled", Int),
            ("next_at_ms", Int),
            ("updated_at_ms", Int),
        ],
        key: "scope_id, user_id",
        serial: false,
    },
    Table {
        name: "review_reminders_sent",
        columns: &[
            ("scope_id", Int),
            ("user_id", Int),
            ("local_date", Text),
            ("due", Int),
            ("claimed_by", Text),
            ("claimed_at_ms", Int),
            ("status", Text),
        ],
        key: "scope_id, user_id, local_date",
        serial: false,
    },
];

/// Rows read from the source at a time.
const PAGE_ROWS: i64 = 5_000;

/// One stored value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

/// Why a copy did not happen or did not check out.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error(
        "the target database {target} already has data ({rows}); copy into an empty database, \
         or pass --replace to delete its data first"
    )]
    TargetNotEmpty { target: String, rows: String },
    #[error("the source and the target are the same database ({0})")]
    SameDatabase(String),
    #[error("the copy does not match its source: {0}")]
    Mismatch(String),
}

/// What a copy moved: rows per table, and the point totals both sides agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, i64)>,
    /// Sum of `scores.points` (all-time leaderboards).
    pub score_points: i64,
    /// Sum of `quiz_answers.points` (period leaderboards, quiz results).
    pub answer_points: i64,
}

impl std::fmt::Display for CopyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, rows) in &self.tables {
            writeln!(f, "{table:<22}{rows:>10} rows")?;
        }
        write!(
            f,
            "points: {} in running totals, {} in answers (the same on both sides)",
            self.score_points, self.answer_points
        )
    }
}

/// An open database, by engine, with its migrations applied.
enum Engine {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Engine {
    async fn open(location: &Database) -> Result<Self, StoreError> {
        Ok(match location {
            Database::Sqlite(path) => Engine::Sqlite(SqliteStore::open(path).await?),
            Database::Postgres(url) => Engine::Postgres(PgStore::open(url).await?),
        })
    }

    async fn close(&self) {
        use super::Backend;
        match self {
            Engine::Sqlite(store) => store.close().await,
            Engine::Postgres(store) => store.close().await,
        }
    }

    async fn scalar(&self, sql: String) -> Result<i64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql);
        match self {
            Engine::Sqlite(store) => sqlx::query_scalar(sql).fetch_one(&store.writer).await,
            Engine::Postgres(store) => sqlx::query_scalar(sql).fetch_one(&store.pool).await,
        }
    }

    /// Rows per table.
    async fn counts(&self) -> Result<Vec<(&'static str, i64)>, sqlx::Error> {
        let mut counts = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let rows = self
                .scalar(format!("SELECT COUNT(*) FROM {}", table.name))
                .await?;
            counts.push((table.name, rows));
        }
        Ok(counts)
    }

    /// (running-total points, answer points).
    async fn points(&self) -> Result<(i64, i64), sqlx::Error> {
        let sum =
            |table: &str| format!("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM {table}");
        Ok((
            self.scalar(sum("scores")).await?,
            self.scalar(sum("quiz_answers")).await?,
        ))
    }

    /// One page of a table, in key order.
    async fn page(&self, table: &Table, offset: i64) -> Result<Vec<Vec<Value>>, sqlx::Error> {
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM {} ORDER BY {} LIMIT {PAGE_ROWS} OFFSET {offset}",
            columns.join(", "),
            table.name,
            table.key
        ));
        match self {
            Engine::Sqlite(store) => {
                let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
                rows.iter().map(|row| decode(table, row)).collect()
            }
            Engine::Postgres(store) => {
                let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
                rows.iter().map(|row| decode(table, row)).collect()
            }
        }
    }
}

fn decode<'r, R>(table: &Table, row: &'r R) -> Result<Vec<Value>, sqlx::Error>
where
    R: Row,
    usize: sqlx::ColumnIndex<R>,
    Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| {
            Ok(match kind {
                Kind::Int => Value::Int(row.try_get(i)?),
                Kind::Real => Value::Real(row.try_get(i)?),
                Kind::Text => Value::Text(row.try_get(i)?),
            })
        })
        .collect()
}

/// `lectern db migrate`: applies this version's pending migrations to the
/// database and returns how many it now has applied.
pub async fn migrate_database(location: &Database) -> Result<i64, CopyError> {
    let engine = Engine::open(location).await?;
    let applied = engine
        .scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success".to_string())
        .await;
    engine.close().await;
    Ok(applied?)
}

/// `lectern db copy`: copies every table of `from` into `to` (see the
/// module's documentation). With `replace`, a target's data is deleted
/// first; without it a target with rows is refused.
pub async fn copy_database(
    from: &Database,
    to: &Database,
    replace: bool,
) -> Result<CopyReport, CopyError> {
    if from == to {
        return Err(CopyError::SameDatabase(from.to_string()));
    }
    let source = Engine::open(from).await?;
    let target = Engine::open(to).await?;
    let result = copy_tables(&source, &target, &to.to_string(), replace).await;
    source.close().await;
    target.close().await;
    result
}

async fn copy_tables(
    source: &Engine,
    target: &Engine,
    target_name: &str,
    replace: bool,
) -> Result<CopyReport, CopyError> {
    let existing: Vec<String> = target
        .counts()
        .await?
        .into_iter()
        .filter(|(_, rows)| *rows > 0)
        .map(|(table, rows)| format!("{rows} rows in {table}"))
        .collect();
    if !existing.is_empty() && !replace {
        return Err(CopyError::TargetNotEmpty {
            target: target_name.to_string(),
            rows: existing.join(", "),
        });
    }
    match target {
        Engine::Sqlite(store) => {
            let mut tx = super::write::WriteTx::begin(&store.writer).await?;
            for table in TABLES.iter().rev() {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", table.name)))
                    .execute(&mut *tx)
                    .await?;
            }
            for table in TABLES {
                let mut offset = 0;
                loop {
                    let page = source.page(table, offset).await?;
                    for chunk in page.chunks(BATCH_ROWS) {
                        insert_sqlite(table, chunk)
                            .build()
                            .execute(&mut *tx)
                            .await?;
                    }
                    if (page.len() as i64) < PAGE_ROWS {
                        break;
                    }
                    offset += PAGE_ROWS;
                }
            }
            tx.commit().await?;
        }
        Engine::Postgres(store) => {
            let mut tx = store.pool.begin().await?;
            for table in TABLES.iter().rev() {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {}", table.name)))
                    .execute(&mut *tx)
                    .await?;
            }
            for table in TABLES {
                let mut offset = 0;
                loop {
                    let page = source.page(table, offset).await?;
                    for chunk in page.chunks(BATCH_ROWS) {
                        insert_postgres(table, chunk)
                            .build()
                            .execute(&mut *tx)
                            .await?;
                    }
                    if (page.len() as i64) < PAGE_ROWS {
                        break;
                    }
                    offset += PAGE_ROWS;
                }
                if table.serial {
                    // The next id is past every copied one.
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT setval(pg_get_serial_sequence('{0}', 'id'),
                                       COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                        table.name
                    )))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
        }
    }
    verify(source, target).await
}

/// Checks a copy: the same rows per table and the same points on both sides.
async fn verify(source: &Engine, target: &Engine) -> Result<CopyReport, CopyError> {
    let (expected, copied) = (source.counts().await?, target.counts().await?);
    let wrong: Vec<String> = expected
        .iter()
        .zip(&copied)
        .filter(|(a, b)| a.1 != b.1)
        .map(|((table, a), (_, b))| format!("{table} has {b} rows, its source {a}"))
        .collect();
    if !wrong.is_empty() {
        return Err(CopyError::Mismatch(wrong.join("; ")));
    }
    let (expected_points, copied_points) = (source.points().await?, target.points().await?);
    if expected_points != copied_points {
        return Err(CopyError::Mismatch(format!(
            "points (running totals, answers) are {copied_points:?}, in the source {expected_points:?}"
        )));
    }
    Ok(CopyReport {
        tables: copied,
        score_points: copied_points.0,
        answer_points: copied_points.1,
    })
}

fn insert_sqlite(table: &Table, rows: &[Vec<Value>]) -> QueryBuilder<Sqlite> {
    let mut insert = QueryBuilder::<Sqlite>::new(insert_head(table));
    insert.push_values(rows, |mut row, values| {
        for value in values {
            match value {
                Value::Int(v) => row.push_bind(*v),
                Value::Real(v) => row.push_bind(*v),
                Value::Text(v) => row.push_bind(v.clone()),
            };
        }
    });
    insert
}

fn insert_postgres(table: &Table, rows: &[Vec<Value>]) -> QueryBuilder<Postgres> {
    let mut insert = QueryBuilder::<Postgres>::new(insert_head(table));
    insert.push_values(rows, |mut row, values| {
        for value in values {
            match value {
                Value::Int(v) => row.push_bind(*v),
                Value::Real(v) => row.push_bind(*v),
                Value::Text(v) => row.push_bind(v.clone()),
            };
        }
    });
    insert
}

fn insert_head(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    format!("INSERT INTO {} ({}) ", table.name, columns.join(", "))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::content::{Question, QuestionOrigin};
    use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};
    use crate::store::tests::TempPostgres;
    use crate::store::{AskedItem, DailyClaim, ItemAnswer, ReviewCard, RoundAnswer, Store};

    /// SQLite → PostgreSQL → SQLite: the leaderboards (all time, since a
    /// moment, a quiz's results) read the same at every step, a copy into
    /// a database with data is refused unless replacing, and new rows in
    /// the copy get new ids (the sequences were moved on). Items, review
    /// cards, seasons, a review reminder and a daily claim's nonce come
    /// through too.
    #[tokio::test]
    async fn a_round_trip_through_postgres_keeps_the_leaderboards() {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Database::Sqlite(dir.path().join("first.db"));
        let back = Database::Sqlite(dir.path().join("back.db"));
        let server = TempPostgres::new().await;
        let postgres = Database::Postgres(server.url.clone());

        let store = Store::open(&sqlite).await.unwrap();
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let now: chrono::DateTime<Utc> = "2026-11-25T12:00:00Z".parse().unwrap();
        let players: Vec<UserRef> = (0..7)
            .map(|i| UserRef::new(Platform::Discord, i.to_string(), format!("player {i}")))
            .collect();
        let mut sessions = Vec::new();
        for s in 0..3 {
            let channel = ChannelRef::new(scope.clone(), format!("c{s}"));
            let session = store
                .start_quiz_session(&channel, &players[0], 4, "main", now)
                .await
                .unwrap();
            for round in 1..=4u32 {
                let answers: Vec<RoundAnswer> = players
                    .iter()
                    .enumerate()
                    .map(|(p, user)| RoundAnswer {
                        user: user.clone(),
                        correct: !(p + s + round as usize).is_multiple_of(3),
                        points: ((p * 7 + s * 3 + round as usize) % 11) as u32 * 10,
                        response_ms: 900,
                        streak: round,
                    })
                    .collect();
                let at = now + chrono::Duration::hours(i64::from(round));
                store
                    .record_round(session, round, &scope, &answers, at)
                    .await
                    .unwrap();
            }
            sessions.push(session);
        }
        let boards = |store: Store| {
            let scope = scope.clone();
            let session = sessions[1];
            async move {
                (
                    store.leaderboard(&scope, None, 100).await.unwrap(),
                    store
                        .leaderboard(&scope, Some(now + chrono::Duration::hours(3)), 100)
                        .await
                        .unwrap(),
                    store.session_results(session).await.unwrap(),
                )
            }
        };
        let expected = boards(store.clone()).await;
        assert_eq!(expected.0.len(), 7);
        // What the learn features keep: an item missed in a round, a
        // review card and its log, a season, a claimed daily post's nonce.
        let item = AskedItem {
            item_id: "item".into(),
            question: Question {
                id: "item".into(),
                prompt: "When?".into(),
                choices: Vec::new(),
                answer_index: None,
                answers: vec!["1917".into()],
                source_sentence: None,
                kind: "number".into(),
                origin: QuestionOrigin::Generated,
                explanation: None,
            },
        };
        let missed = ItemAnswer {
            user: players[1].clone(),
            correct: false,
            choice: Some("1918".into()),
        };
        store
            .record_round_items(sessions[0], 1, &scope, &item, &[missed], now)
            .await
            .unwrap();
        let card = ReviewCard {
            due: now + chrono::Duration::days(2),
            stability: 3.25,
            difficulty: 5.5,
            elapsed_days: 1,
            scheduled_days: 2,
            reps: 1,
            lapses: 0,
            state: 2,
            last_review: now,
        };
        store
            .record_review(&scope, &players[2], &item, &card, true, now)
            .await
            .unwrap();
        let season = store.start_season(&scope, &players[0], now).await.unwrap();
        let channel = ChannelRef::new(scope.clone(), "daily");
        store
            .enable_review_reminder(&channel, &players[2], "17:00", "UTC", now, now)
            .await
            .unwrap();
        store
            .set_daily_subscription(&channel, "08:00", "UTC", now, now)
            .await
            .unwrap();
        let subscription = store.daily_subscription(&channel).await.unwrap().unwrap();
        let claim = DailyClaim {
            subscription_id: subscription.id,
            local_date: now.date_naive(),
            event_key: "event".into(),
            cycle: 1,
            next_fire: now + chrono::Duration::days(1),
            nonce: "the-nonce".into(),
            claimed_by: "main".into(),
        };
        store.claim_daily_posts(&[claim], &[], now).await.unwrap();
        let learned = |store: Store| {
            let (scope, players) = (scope.clone(), players.clone());
            async move {
                (
                    store
                        .review_card(&scope, &players[1], "item")
                        .await
                        .unwrap(),
                    store
                        .review_card(&scope, &players[2], "item")
                        .await
                        .unwrap(),
                    store.current_season(&scope).await.unwrap(),
                    store
                        .review_reminder(&scope, &players[2])
                        .await
                        .unwrap()
                        .map(|r| (r.local_time, r.enabled)),
                    store
                        .unsent_daily_posts("main", &[Platform::Discord], now)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|u| u.nonce)
                        .collect::<Vec<String>>(),
                )
            }
        };
        let kept = learned(store.clone()).await;
        assert_eq!(kept.1, Some(card));
        assert_eq!(kept.2, Some(season));
        assert_eq!(kept.3, Some(("17:00".to_string(), true)));
        assert_eq!(kept.4, ["the-nonce"]);
        store.close().await;

        let report = copy_database(&sqlite, &postgres, false).await.unwrap();
        assert!(report.tables.contains(&("quiz_answers", 84)), "{report}");
        assert!(report.score_points > 0);
        assert_eq!(report.score_points, report.answer_points);
        for rows in [
            ("quiz_items", 1),
            ("review_cards", 2),
            ("review_log", 1),
            ("seasons", 1),
            ("daily_posts", 1),
            ("review_reminders", 1),
        ] {
            assert!(report.tables.contains(&rows), "{report}");
        }
        let copied = Store::open(&postgres).await.unwrap();
        assert_eq!(boards(copied.clone()).await, expected);
        assert_eq!(learned(copied.clone()).await, kept);
        let next = copied
            .start_quiz_session(
                &ChannelRef::new(scope.clone(), "new"),
                &players[1],
                1,
                "main",
                now,
            )
            .await
            .unwrap();
        assert!(
            next > *sessions.iter().max().unwrap(),
            "the sequence moved past copied ids"
        );
        copied.close().await;

        let refused = copy_database(&sqlite, &postgres, false).await.unwrap_err();
        assert!(
            matches!(&refused, CopyError::TargetNotEmpty { rows, .. } if rows.contains("84 rows in quiz_answers")),
            "{refused}"
        );
        assert!(refused.to_string().contains("pass --replace"), "{refused}");
        copy_database(&sqlite, &postgres, true).await.unwrap();

        copy_database(&postgres, &back, false).await.unwrap();
        let round_trip = Store::open(&back).await.unwrap();
        assert_eq!(boards(round_trip.clone()).await, expected);
        assert_eq!(learned(round_trip.clone()).await, kept);
        round_trip.close().await;

        assert!(matches!(
            copy_database(&back, &back, true).await.unwrap_err(),
            CopyError::SameDatabase(_)
        ));
        assert!(migrate_database(&postgres).await.unwrap() >= 7);
    }
}
