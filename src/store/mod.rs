//! The store: the only module that speaks SQL. One [`Store`] over an sqlx
//! pool, with a method for each question the bot asks of its data.
//!
//! SQLite by default (WAL, foreign keys on, a busy timeout), with migrations
//! from `migrations/` applied at start-up. The SQL is kept portable (`$1`
//! parameters, `ON CONFLICT` upserts, integer epoch-millisecond times) so a
//! PostgreSQL backend can be added by URL later.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};

mod flags;

pub use flags::FlaggedQuestion;

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
}

/// One player's result in a revealed round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundAnswer {
    pub user: UserRef,
    pub correct: bool,
    pub points: u32,
    pub response_ms: u64,
    /// Right answers in a row, including this round, in this quiz.
    pub streak: u32,
}

/// A user's standing in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreCard {
    pub display_name: String,
    pub points: i64,
    pub answered: i64,
    pub correct: i64,
    pub best_streak: i64,
    /// 1-based rank by points in the scope.
    pub rank: i64,
    /// How many players have a score in the scope.
    pub players: i64,
}

/// One leaderboard line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderboardRow {
    pub user_id: String,
    pub display_name: String,
    pub points: i64,
    pub correct: i64,
    pub answered: i64,
}

/// A quiz that was running when the process stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedQuiz {
    pub session_id: i64,
    pub channel: ChannelRef,
    pub rounds_revealed: i64,
}

/// Rows per multi-row statement (6 parameters a row stays far below
/// SQLite's limit on bound parameters).
const BATCH_ROWS: usize = 500;

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn platform_from(name: &str) -> Platform {
    match name {
        "discord" => Platform::Discord,
        "matrix" => Platform::Matrix,
        _ => Platform::Console,
    }
}

/// Reads a leaderboard line from a row with the columns the leaderboard
/// queries select.
fn leaderboard_row(row: &sqlx::sqlite::SqliteRow) -> LeaderboardRow {
    LeaderboardRow {
        user_id: row.get("platform_user_id"),
        display_name: row.get("display_name"),
        points: row.get("points"),
        correct: row.get("correct"),
        answered: row.get("answered"),
    }
}

/// The database handle; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    /// Connections for reads.
    pool: SqlitePool,
    /// The one connection for writes.
    writer: SqlitePool,
    /// Revealed rounds waiting for the group committer.
    rounds: tokio::sync::mpsc::Sender<RoundRecord>,
}

impl Store {
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
        Self::connect(options, 4).await
    }

    /// Closes the database: waits for queued writes, then closes every
    /// connection. Call before the process exits.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// A private in-memory database (for tests and one-shot commands).
    pub async fn open_in_memory() -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to :memory: is its own database.
        Self::connect(options, 1).await
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

    async fn user_id(tx: &mut sqlx::SqliteConnection, user: &UserRef) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO users (platform, platform_user_id, display_name) VALUES ($1, $2, $3)
             ON CONFLICT (platform, platform_user_id) DO UPDATE SET display_name = excluded.display_name
             RETURNING id",
        )
        .bind(user.platform.as_str())
        .bind(&user.id)
        .bind(&user.display_name)
        .fetch_one(tx)
        .await
    }

    async fn scope_id(
        tx: &mut sqlx::SqliteConnection,
        scope: &ScopeRef,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO scopes (platform, platform_scope_id) VALUES ($1, $2)
             ON CONFLICT (platform, platform_scope_id) DO UPDATE SET platform = excluded.platform
             RETURNING id",
        )
        .bind(scope.platform.as_str())
        .bind(&scope.id)
        .fetch_one(tx)
        .await
    }

    /// Records that a quiz started in `channel`; returns its session id.
    pub async fn start_quiz_session(
        &self,
        channel: &ChannelRef,
        started_by: &UserRef,
        rounds: u32,
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let scope_id = Self::scope_id(&mut tx, &channel.scope).await?;
        let user_id = Self::user_id(&mut tx, started_by).await?;
        let id = sqlx::query_scalar(
            "INSERT INTO quiz_sessions (scope_id, channel_id, started_by, started_at_ms, rounds, owner)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(scope_id)
        .bind(&channel.id)
        .bind(user_id)
        .bind(millis(at))
        .bind(i64::from(rounds))
        .bind(owner)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Commits one revealed round: every player's answer and their running
    /// totals, atomically and durably, before returning. Recording the same
    /// round twice is a no-op.
    ///
    /// Rounds revealed at the same moment in many channels are committed
    /// together (group commit): a background task takes every round waiting,
    /// writes them with a few multi-row statements in one transaction, and
    /// only then answers each caller.
    pub async fn record_round(
        &self,
        session_id: i64,
        round: u32,
        scope: &ScopeRef,
        answers: &[RoundAnswer],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let record = RoundRecord {
            session_id,
            round,
            scope: scope.clone(),
            answers: answers.to_vec(),
            at,
            done,
        };
        if let Err(tokio::sync::mpsc::error::SendError(record)) = self.rounds.send(record).await {
            // The committer is gone (runtime shutting down): write directly.
            return write_rounds(&self.writer, std::slice::from_ref(&record)).await;
        }
        result.await.unwrap_or_else(|_| Err(StoreError::Closed))
    }

    /// Marks a quiz session as over.
    pub async fn finish_quiz_session(
        &self,
        session_id: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE quiz_sessions SET ended_at_ms = $1, end_reason = $2
             WHERE id = $3 AND ended_at_ms IS NULL",
        )
        .bind(millis(at))
        .bind(reason)
        .bind(session_id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Closes the sessions `owner` left open (a crash, a kill) on the
    /// given platforms and returns them, so their channels can be told.
    /// Sessions of other processes, or of platforms this process does not
    /// serve, are left alone. Call at start-up, before quizzes can start.
    pub async fn close_interrupted_quizzes(
        &self,
        owner: &str,
        platforms: &[Platform],
        at: DateTime<Utc>,
    ) -> Result<Vec<InterruptedQuiz>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.writer.begin().await?;
        let mut select = QueryBuilder::<Sqlite>::new(
            "SELECT q.id, q.channel_id, s.platform, s.platform_scope_id,
                    (SELECT COUNT(DISTINCT a.round) FROM quiz_answers a WHERE a.session_id = q.id) AS revealed
             FROM quiz_sessions q JOIN scopes s ON s.id = q.scope_id
             WHERE q.ended_at_ms IS NULL AND q.owner IN (",
        );
        select.push_bind(owner);
        select.push(", '') AND s.platform IN (");
        let mut names = select.separated(", ");
        for platform in platforms {
            names.push_bind(platform.as_str());
        }
        select.push(") ORDER BY q.id");
        let rows = select.build().fetch_all(&mut *tx).await?;
        let mut interrupted = Vec::with_capacity(rows.len());
        for row in rows {
            let scope = ScopeRef::new(
                platform_from(row.get::<String, _>("platform").as_str()),
                row.get::<String, _>("platform_scope_id"),
            );
            let session_id: i64 = row.get("id");
            sqlx::query(
                "UPDATE quiz_sessions SET ended_at_ms = $1, end_reason = 'interrupted'
                 WHERE id = $2 AND ended_at_ms IS NULL",
            )
            .bind(millis(at))
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
            interrupted.push(InterruptedQuiz {
                session_id,
                channel: ChannelRef::new(scope, row.get::<String, _>("channel_id")),
                rounds_revealed: row.get("revealed"),
            });
        }
        tx.commit().await?;
        Ok(interrupted)
    }

    /// A user's all-time standing in a scope, if they have played there.
    pub async fn score(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
    ) -> Result<Option<ScoreCard>, StoreError> {
        let row = sqlx::query(
            "SELECT u.display_name, sc.points, sc.answered, sc.correct, sc.best_streak,
                    (SELECT COUNT(*) FROM scores o WHERE o.scope_id = sc.scope_id AND o.points > sc.points) + 1 AS rank,
                    (SELECT COUNT(*) FROM scores o WHERE o.scope_id = sc.scope_id) AS players
             FROM scores sc
             JOIN users u ON u.id = sc.user_id
             JOIN scopes s ON s.id = sc.scope_id
             WHERE s.platform = $1 AND s.platform_scope_id = $2
               AND u.platform = $3 AND u.platform_user_id = $4",
        )
        .bind(scope.platform.as_str())
        .bind(&scope.id)
        .bind(user.platform.as_str())
        .bind(&user.id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| ScoreCard {
            display_name: row.get("display_name"),
            points: row.get("points"),
            answered: row.get("answered"),
            correct: row.get("correct"),
            best_streak: row.get("best_streak"),
            rank: row.get("rank"),
            players: row.get("players"),
        }))
    }

    /// Finds a user of the scope by display name (case-insensitive), for
    /// `/score NAME`.
    pub async fn find_player(
        &self,
        scope: &ScopeRef,
        name: &str,
    ) -> Result<Option<UserRef>, StoreError> {
        let row = sqlx::query(
            "SELECT u.platform, u.platform_user_id, u.display_name
             FROM scores sc JOIN users u ON u.id = sc.user_id JOIN scopes s ON s.id = sc.scope_id
             WHERE s.platform = $1 AND s.platform_scope_id = $2
               AND (LOWER(u.display_name) = LOWER($3) OR u.platform_user_id = $3)
             ORDER BY sc.points DESC LIMIT 1",
        )
        .bind(scope.platform.as_str())
        .bind(&scope.id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| {
            UserRef::new(
                platform_from(row.get::<String, _>("platform").as_str()),
                row.get::<String, _>("platform_user_id"),
                row.get::<String, _>("display_name"),
            )
        }))
    }

    /// The top players of a scope: all time when `since` is `None`, else by
    /// points earned at or after `since`.
    pub async fn leaderboard(
        &self,
        scope: &ScopeRef,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<LeaderboardRow>, StoreError> {
        let query = match since {
            None => sqlx::query(
                "SELECT u.platform_user_id, u.display_name, sc.points, sc.correct, sc.answered
                 FROM scores sc JOIN users u ON u.id = sc.user_id JOIN scopes s ON s.id = sc.scope_id
                 WHERE s.platform = $1 AND s.platform_scope_id = $2
                 ORDER BY sc.points DESC, sc.correct DESC, u.display_name LIMIT $3",
            )
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .bind(i64::from(limit)),
            Some(since) => sqlx::query(
                "SELECT u.platform_user_id, u.display_name, SUM(a.points) AS points,
                        SUM(a.correct) AS correct, COUNT(*) AS answered
                 FROM quiz_answers a JOIN users u ON u.id = a.user_id JOIN scopes s ON s.id = a.scope_id
                 WHERE s.platform = $1 AND s.platform_scope_id = $2 AND a.answered_at_ms >= $3
                 GROUP BY u.id, u.platform_user_id, u.display_name
                 ORDER BY points DESC, correct DESC, u.display_name LIMIT $4",
            )
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .bind(millis(since))
            .bind(i64::from(limit)),
        };
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|row| leaderboard_row(&row)).collect())
    }

    /// Points each player earned in one quiz session, best first.
    pub async fn session_results(
        &self,
        session_id: i64,
    ) -> Result<Vec<LeaderboardRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.platform_user_id, u.display_name, SUM(a.points) AS points,
                    SUM(a.correct) AS correct, COUNT(*) AS answered
             FROM quiz_answers a JOIN users u ON u.id = a.user_id
             WHERE a.session_id = $1
             GROUP BY u.id, u.platform_user_id, u.display_name
             ORDER BY points DESC, correct DESC, u.display_name",
        )
        .bind(session_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|row| leaderboard_row(&row)).collect())
    }

    /// Subscribes `channel` to the daily post (or changes its time), enabled,
    /// first due at `next_fire`.
    pub async fn set_daily_subscription(
        &self,
        channel: &ChannelRef,
        local_time: &str,
        time_zone: &str,
        next_fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        let scope_id = Self::scope_id(&mut tx, &channel.scope).await?;
        sqlx::query(
            "INSERT INTO daily_subscriptions
               (scope_id, channel_id, local_time, time_zone, enabled, next_fire_at_ms, updated_at_ms)
             VALUES ($1, $2, $3, $4, 1, $5, $6)
             ON CONFLICT (scope_id, channel_id) DO UPDATE SET
               local_time = excluded.local_time, time_zone = excluded.time_zone, enabled = 1,
               next_fire_at_ms = excluded.next_fire_at_ms, disabled_reason = NULL,
               updated_at_ms = excluded.updated_at_ms",
        )
        .bind(scope_id)
        .bind(&channel.id)
        .bind(local_time)
        .bind(time_zone)
        .bind(millis(next_fire))
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns a channel's daily post off; false when it had none enabled.
    pub async fn disable_daily_subscription(
        &self,
        channel: &ChannelRef,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE daily_subscriptions SET enabled = 0, disabled_reason = $1, updated_at_ms = $2
             WHERE enabled = 1 AND channel_id = $3 AND scope_id =
               (SELECT id FROM scopes WHERE platform = $4 AND platform_scope_id = $5)",
        )
        .bind(reason)
        .bind(millis(now))
        .bind(&channel.id)
        .bind(channel.scope.platform.as_str())
        .bind(&channel.scope.id)
        .execute(&self.writer)
        .await?
        .rows_affected();
        Ok(changed > 0)
    }

    /// A channel's daily subscription, enabled or not.
    pub async fn daily_subscription(
        &self,
        channel: &ChannelRef,
    ) -> Result<Option<DailySubscription>, StoreError> {
        let row = sqlx::query(
            "SELECT d.id, d.channel_id, d.local_time, d.time_zone, d.enabled, d.next_fire_at_ms, d.cycle,
                    d.disabled_reason, s.platform, s.platform_scope_id
             FROM daily_subscriptions d JOIN scopes s ON s.id = d.scope_id
             WHERE s.platform = $1 AND s.platform_scope_id = $2 AND d.channel_id = $3",
        )
        .bind(channel.scope.platform.as_str())
        .bind(&channel.scope.id)
        .bind(&channel.id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| daily_subscription(&row)))
    }

    /// Every enabled subscription of the given platforms due at `now` (one
    /// indexed query), with the events each channel has had in its current
    /// cycle. A process claims only posts it can send: the terminal never
    /// takes over a Discord channel's post.
    pub async fn due_daily_subscriptions(
        &self,
        now: DateTime<Utc>,
        platforms: &[Platform],
    ) -> Result<Vec<DueDaily>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT d.id, d.channel_id, d.local_time, d.time_zone, d.enabled, d.next_fire_at_ms, d.cycle,
                    d.disabled_reason, s.platform, s.platform_scope_id
             FROM daily_subscriptions d JOIN scopes s ON s.id = d.scope_id
             WHERE d.enabled = 1 AND d.next_fire_at_ms <= ",
        );
        query.push_bind(millis(now));
        query.push(" AND s.platform IN (");
        let mut names = query.separated(", ");
        for platform in platforms {
            names.push_bind(platform.as_str());
        }
        query.push(") ORDER BY d.next_fire_at_ms, d.id");
        let rows = query.build().fetch_all(&self.pool).await?;
        let mut due: Vec<DueDaily> = rows
            .iter()
            .map(|row| DueDaily {
                subscription: daily_subscription(row),
                used_events: Vec::new(),
            })
            .collect();
        if due.is_empty() {
            return Ok(due);
        }
        let used = sqlx::query(
            "SELECT p.subscription_id, p.event_key
             FROM daily_posts p JOIN daily_subscriptions d ON d.id = p.subscription_id AND p.cycle = d.cycle
             WHERE d.enabled = 1 AND d.next_fire_at_ms <= $1",
        )
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await?;
        let index: std::collections::HashMap<i64, usize> = due
            .iter()
            .enumerate()
            .map(|(i, d)| (d.subscription.id, i))
            .collect();
        for row in used {
            if let Some(&i) = index.get(&row.get::<i64, _>("subscription_id")) {
                due[i].used_events.push(row.get("event_key"));
            }
        }
        Ok(due)
    }

    /// In one transaction: claims each post (unique per subscription and
    /// local date; a claim another process made first is not ours) and moves
    /// every handled subscription to its next firing. Returns, per claim,
    /// whether this call won it. Rows go in multi-row statements, so 10,000
    /// channels due in one minute cost a few dozen statements, not 20,000.
    pub async fn claim_daily_posts(
        &self,
        claims: &[DailyClaim],
        skips: &[(i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut won_ids = std::collections::HashSet::new();
        for chunk in claims.chunks(BATCH_ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO daily_posts (subscription_id, local_date, event_key, cycle, claimed_at_ms, status) ",
            );
            insert.push_values(chunk, |mut row, claim| {
                row.push_bind(claim.subscription_id)
                    .push_bind(claim.local_date.to_string())
                    .push_bind(&claim.event_key)
                    .push_bind(claim.cycle)
                    .push_bind(millis(now))
                    .push_bind("claimed");
            });
            insert.push(
                " ON CONFLICT (subscription_id, local_date) DO NOTHING RETURNING subscription_id",
            );
            let won: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
            won_ids.extend(won);
        }
        // Where each subscription goes next; a skip keeps its cycle (MAX with 0).
        let moves: Vec<(i64, i64, i64)> = claims
            .iter()
            .map(|c| (c.subscription_id, millis(c.next_fire), c.cycle))
            .chain(skips.iter().map(|(id, next)| (*id, millis(*next), 0)))
            .collect();
        for chunk in moves.chunks(BATCH_ROWS) {
            let mut update = QueryBuilder::<Sqlite>::new("WITH v (id, next_fire, cycle) AS (");
            update.push_values(chunk, |mut row, (id, next, cycle)| {
                row.push_bind(*id).push_bind(*next).push_bind(*cycle);
            });
            update.push(
                ") UPDATE daily_subscriptions SET next_fire_at_ms = v.next_fire,
                   cycle = MAX(daily_subscriptions.cycle, v.cycle)
                 FROM v WHERE daily_subscriptions.id = v.id",
            );
            update.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(claims
            .iter()
            .map(|c| won_ids.contains(&c.subscription_id))
            .collect())
    }

    /// Records send attempts of claimed posts, in one transaction. A sent
    /// post resets its subscription's count of failed days; a post that
    /// failed for good adds one, and the subscription is turned off when the
    /// count reaches `failed_days_limit`.
    pub async fn record_daily_attempts(
        &self,
        attempts: &[(i64, chrono::NaiveDate, DailyOutcome<'_>)],
        failed_days_limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        for chunk in attempts.chunks(BATCH_ROWS) {
            let mut update = QueryBuilder::<Sqlite>::new(
                "WITH v (subscription_id, local_date, status, error) AS (",
            );
            update.push_values(chunk, |mut row, (id, date, outcome)| {
                let (status, error) = match outcome {
                    DailyOutcome::Sent => ("sent", None),
                    DailyOutcome::Retrying(error) => ("claimed", Some(*error)),
                    DailyOutcome::Failed(error) => ("failed", Some(*error)),
                };
                row.push_bind(*id)
                    .push_bind(date.to_string())
                    .push_bind(status)
                    .push_bind(error);
            });
            update.push(
                ") UPDATE daily_posts SET status = v.status, attempts = daily_posts.attempts + 1,
                   last_error = COALESCE(v.error, daily_posts.last_error),
                   sent_at_ms = CASE WHEN v.status = 'sent' THEN ",
            );
            update.push_bind(millis(now));
            update.push(
                " ELSE daily_posts.sent_at_ms END
                 FROM v WHERE daily_posts.subscription_id = v.subscription_id AND daily_posts.local_date = v.local_date",
            );
            update.build().execute(&mut *tx).await?;

            let mut health = QueryBuilder::<Sqlite>::new("WITH v (id, status, error) AS (");
            health.push_values(chunk, |mut row, (id, _, outcome)| {
                let (status, error) = match outcome {
                    DailyOutcome::Sent => ("sent", None),
                    DailyOutcome::Retrying(error) => ("claimed", Some(*error)),
                    DailyOutcome::Failed(error) => ("failed", Some(*error)),
                };
                row.push_bind(*id).push_bind(status).push_bind(error);
            });
            health.push(
                ") UPDATE daily_subscriptions SET
                   failed_days = CASE WHEN v.status = 'sent' THEN 0 ELSE daily_subscriptions.failed_days + 1 END,
                   enabled = CASE WHEN v.status = 'failed' AND daily_subscriptions.failed_days + 1 >= ",
            );
            health.push_bind(i64::from(failed_days_limit));
            health.push(" THEN 0 ELSE daily_subscriptions.enabled END, disabled_reason = CASE WHEN v.status = 'failed' AND daily_subscriptions.failed_days + 1 >= ");
            health.push_bind(i64::from(failed_days_limit));
            health.push(" THEN 'posting failed after every retry on ' || (daily_subscriptions.failed_days + 1) || ' days in a row: ' || v.error ELSE daily_subscriptions.disabled_reason END FROM v WHERE daily_subscriptions.id = v.id AND v.status <> 'claimed'");
            health.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The posts of a subscription, oldest first (status, attempts, event).
    pub async fn daily_posts(
        &self,
        subscription_id: i64,
    ) -> Result<Vec<DailyPostRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT local_date, event_key, status, attempts, last_error FROM daily_posts
             WHERE subscription_id = $1 ORDER BY local_date",
        )
        .bind(subscription_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|row| DailyPostRecord {
                local_date: row.get("local_date"),
                event_key: row.get("event_key"),
                status: row.get("status"),
                attempts: row.get("attempts"),
                last_error: row.get("last_error"),
            })
            .collect())
    }

    /// Adds an imported bank's questions to a scope, replacing a bank of
    /// the same name. Returns how many questions the scope has now.
    pub async fn add_scope_bank(
        &self,
        scope: &ScopeRef,
        bank: &str,
        questions: &[crate::content::Question],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.writer.begin().await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        sqlx::query("DELETE FROM scope_questions WHERE scope_id = $1 AND bank = $2")
            .bind(scope_id)
            .bind(bank)
            .execute(&mut *tx)
            .await?;
        for chunk in questions.chunks(BATCH_ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO scope_questions (scope_id, bank, question_json, added_at_ms) ",
            );
            insert.push_values(chunk, |mut row, question| {
                row.push_bind(scope_id)
                    .push_bind(bank)
                    .push_bind(serde_json::to_string(question).unwrap_or_default())
                    .push_bind(millis(now));
            });
            insert.build().execute(&mut *tx).await?;
        }
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM scope_questions WHERE scope_id = $1")
                .bind(scope_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(total)
    }

    /// The questions a scope imported, in the order they were added.
    pub async fn scope_questions(
        &self,
        scope: &ScopeRef,
    ) -> Result<Vec<crate::content::Question>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT q.question_json FROM scope_questions q JOIN scopes s ON s.id = q.scope_id
             WHERE s.platform = $1 AND s.platform_scope_id = $2 ORDER BY q.id",
        )
        .bind(scope.platform.as_str())
        .bind(&scope.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect())
    }

    /// Disables a subscription by id (its channel is gone or forbids posting).
    pub async fn disable_daily_by_id(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE daily_subscriptions SET enabled = 0, disabled_reason = $1, updated_at_ms = $2 WHERE id = $3",
        )
        .bind(reason)
        .bind(millis(now))
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

/// A channel's daily-post subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailySubscription {
    pub id: i64,
    pub channel: ChannelRef,
    /// HH:MM
    pub local_time: String,
    pub time_zone: String,
    pub enabled: bool,
    pub next_fire_at: DateTime<Utc>,
    pub cycle: i64,
    pub disabled_reason: Option<String>,
}

/// A due subscription and the events its channel had this cycle.
#[derive(Debug, Clone)]
pub struct DueDaily {
    pub subscription: DailySubscription,
    pub used_events: Vec<String>,
}

/// A post to claim, and where its subscription moves next.
#[derive(Debug, Clone)]
pub struct DailyClaim {
    pub subscription_id: i64,
    pub local_date: chrono::NaiveDate,
    pub event_key: String,
    pub cycle: i64,
    pub next_fire: DateTime<Utc>,
}

/// How a send attempt went.
#[derive(Debug, Clone, Copy)]
pub enum DailyOutcome<'a> {
    Sent,
    Retrying(&'a str),
    Failed(&'a str),
}

/// A stored daily post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyPostRecord {
    pub local_date: String,
    pub event_key: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

fn daily_subscription(row: &sqlx::sqlite::SqliteRow) -> DailySubscription {
    let scope = ScopeRef::new(
        platform_from(row.get::<String, _>("platform").as_str()),
        row.get::<String, _>("platform_scope_id"),
    );
    DailySubscription {
        id: row.get("id"),
        channel: ChannelRef::new(scope, row.get::<String, _>("channel_id")),
        local_time: row.get("local_time"),
        time_zone: row.get("time_zone"),
        enabled: row.get::<i64, _>("enabled") == 1,
        next_fire_at: DateTime::from_timestamp_millis(row.get("next_fire_at_ms"))
            .unwrap_or_default(),
        cycle: row.get("cycle"),
        disabled_reason: row.get("disabled_reason"),
    }
}

/// A revealed round waiting to be committed, and who to tell.
struct RoundRecord {
    session_id: i64,
    round: u32,
    scope: ScopeRef,
    answers: Vec<RoundAnswer>,
    at: DateTime<Utc>,
    done: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
}

/// Rounds committed together at most.
const GROUP_ROUNDS: usize = 256;

/// Commits waiting rounds in groups until every [`Store`] is dropped.
async fn commit_rounds(writer: SqlitePool, mut queue: tokio::sync::mpsc::Receiver<RoundRecord>) {
    let mut group = Vec::with_capacity(GROUP_ROUNDS);
    while queue.recv_many(&mut group, GROUP_ROUNDS).await > 0 {
        match write_rounds(&writer, &group).await {
            Ok(()) => {
                for record in group.drain(..) {
                    let _ = record.done.send(Ok(()));
                }
            }
            // One bad round must not fail the others: retry them one by one.
            Err(_) => {
                for record in group.drain(..) {
                    let result = write_rounds(&writer, std::slice::from_ref(&record)).await;
                    let _ = record.done.send(result);
                }
            }
        }
    }
}

/// Writes rounds in one transaction with multi-row statements: scopes,
/// users, answers (a round recorded before is left as it was) and the
/// running totals of the answers that were new.
async fn write_rounds(writer: &SqlitePool, records: &[RoundRecord]) -> Result<(), StoreError> {
    use std::collections::{HashMap, HashSet};

    let mut tx = writer.begin().await?;
    let mut scopes: HashMap<(&str, &str), i64> = HashMap::new();
    let distinct_scopes: Vec<&ScopeRef> = {
        let mut seen = HashSet::new();
        records
            .iter()
            .map(|r| &r.scope)
            .filter(|s| seen.insert((s.platform, &s.id)))
            .collect()
    };
    for chunk in distinct_scopes.chunks(BATCH_ROWS) {
        let mut insert =
            QueryBuilder::<Sqlite>::new("INSERT INTO scopes (platform, platform_scope_id) ");
        insert.push_values(chunk, |mut row, scope| {
            row.push_bind(scope.platform.as_str()).push_bind(&scope.id);
        });
        insert.push(
            " ON CONFLICT (platform, platform_scope_id) DO UPDATE SET platform = excluded.platform
             RETURNING id, platform, platform_scope_id",
        );
        for row in insert.build().fetch_all(&mut *tx).await? {
            let (platform, id): (String, String) =
                (row.get("platform"), row.get("platform_scope_id"));
            if let Some(scope) = chunk
                .iter()
                .find(|s| s.platform.as_str() == platform && s.id == id)
            {
                scopes.insert((scope.platform.as_str(), scope.id.as_str()), row.get("id"));
            }
        }
    }

    // Every answer once: a player answers once a round.
    let mut seen = HashSet::new();
    let answers: Vec<(&RoundRecord, &RoundAnswer)> = records
        .iter()
        .flat_map(|r| r.answers.iter().map(move |a| (r, a)))
        .filter(|(r, a)| seen.insert((r.session_id, r.round, a.user.platform, a.user.id.as_str())))
        .collect();

    let mut users: HashMap<(String, String), i64> = HashMap::new();
    let distinct_users: Vec<&UserRef> = {
        let mut seen = HashSet::new();
        answers
            .iter()
            .map(|(_, a)| &a.user)
            .filter(|u| seen.insert((u.platform, u.id.as_str())))
            .collect()
    };
    for chunk in distinct_users.chunks(BATCH_ROWS) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO users (platform, platform_user_id, display_name) ",
        );
        insert.push_values(chunk, |mut row, user| {
            row.push_bind(user.platform.as_str())
                .push_bind(&user.id)
                .push_bind(&user.display_name);
        });
        insert.push(
            " ON CONFLICT (platform, platform_user_id) DO UPDATE SET display_name = excluded.display_name
             RETURNING id, platform, platform_user_id",
        );
        for row in insert.build().fetch_all(&mut *tx).await? {
            users.insert(
                (row.get("platform"), row.get("platform_user_id")),
                row.get("id"),
            );
        }
    }

    // (session, round, user id, scope id, answer)
    let rows: Vec<(i64, u32, i64, i64, &RoundRecord, &RoundAnswer)> = answers
        .iter()
        .filter_map(|(record, answer)| {
            let user = *users.get(&(
                answer.user.platform.as_str().to_string(),
                answer.user.id.clone(),
            ))?;
            let scope = *scopes.get(&(record.scope.platform.as_str(), record.scope.id.as_str()))?;
            Some((
                record.session_id,
                record.round,
                user,
                scope,
                *record,
                *answer,
            ))
        })
        .collect();
    for chunk in rows.chunks(BATCH_ROWS) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO quiz_answers (session_id, round, user_id, scope_id, answered_at_ms, correct, points, response_ms) ",
        );
        insert.push_values(
            chunk,
            |mut row, (session, round, user, scope, record, answer)| {
                row.push_bind(*session)
                    .push_bind(i64::from(*round))
                    .push_bind(*user)
                    .push_bind(*scope)
                    .push_bind(millis(record.at))
                    .push_bind(i64::from(answer.correct))
                    .push_bind(i64::from(answer.points))
                    .push_bind(i64::try_from(answer.response_ms).unwrap_or(i64::MAX));
            },
        );
        insert.push(" ON CONFLICT (session_id, round, user_id) DO NOTHING RETURNING session_id, round, user_id");
        let inserted: HashSet<(i64, i64, i64)> = insert
            .build()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|row| (row.get("session_id"), row.get("round"), row.get("user_id")))
            .collect();
        let fresh: Vec<_> = chunk
            .iter()
            .filter(|(session, round, user, ..)| {
                inserted.contains(&(*session, i64::from(*round), *user))
            })
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let mut totals = QueryBuilder::<Sqlite>::new(
            "INSERT INTO scores (scope_id, user_id, points, answered, correct, best_streak, updated_at_ms) ",
        );
        totals.push_values(&fresh, |mut row, (_, _, user, scope, record, answer)| {
            row.push_bind(*scope)
                .push_bind(*user)
                .push_bind(i64::from(answer.points))
                .push_bind(1_i64)
                .push_bind(i64::from(answer.correct))
                .push_bind(i64::from(answer.streak))
                .push_bind(millis(record.at));
        });
        // SQLite applies a multi-row upsert row by row, so one player's
        // rounds in the same group add up. (PostgreSQL would need them merged.)
        totals.push(
            " ON CONFLICT (scope_id, user_id) DO UPDATE SET
               points = scores.points + excluded.points,
               answered = scores.answered + 1,
               correct = scores.correct + excluded.correct,
               best_streak = MAX(scores.best_streak, excluded.best_streak),
               updated_at_ms = excluded.updated_at_ms",
        );
        totals.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
