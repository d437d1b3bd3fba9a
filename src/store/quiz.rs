//! Quiz sessions and revealed rounds: starting and finishing sessions,
//! the group-committed rounds (answers plus running totals in one
//! transaction), a session's results, and closing the sessions a stopped
//! process left open.
//!
//! Both engines share the group committer ([`commit_rounds`]); each has its
//! own [`RoundWriter`]. On PostgreSQL several committers run at once (one
//! group is flushed to disk while the next is written), rows are written
//! with `UNNEST` arrays in one statement per table, a player's rounds in a
//! group are merged before the running-total upsert (PostgreSQL's
//! `ON CONFLICT` may not touch a row twice in one statement), and rows are
//! sorted so concurrent transactions lock them in one order; a deadlock or
//! serialization failure all the same is retried.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgPool, QueryBuilder, Sqlite, SqlitePool};

use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};

use super::identity::{upsert_scopes, upsert_scopes_pg, upsert_users, upsert_users_pg};
use super::scores::{Answers, LeaderboardRow, answer_totals, answer_totals_pg};
use super::write::WriteTx;
use super::{BATCH_ROWS, PgStore, SqliteStore, StoreError, millis, platform};

/// An open session, as recovery reads it.
#[derive(sqlx::FromRow)]
struct OpenSession {
    id: i64,
    channel_id: String,
    platform: String,
    platform_scope_id: String,
    revealed: i64,
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

/// A quiz that was running when the process stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedQuiz {
    pub session_id: i64,
    pub channel: ChannelRef,
    pub rounds_revealed: i64,
}

/// Quiz sessions and their revealed rounds.
#[async_trait]
pub trait QuizStore: Send + Sync {
    /// Records that a quiz started in `channel`; returns its session id.
    async fn start_quiz_session(
        &self,
        channel: &ChannelRef,
        started_by: &UserRef,
        rounds: u32,
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError>;

    /// Commits one revealed round: every player's answer and their running
    /// totals, atomically and durably, before returning. Recording the same
    /// round twice is a no-op.
    ///
    /// Rounds revealed at the same moment in many channels are committed
    /// together (group commit): a background task takes every round waiting,
    /// writes them with a few multi-row statements in one transaction, and
    /// only then answers each caller.
    async fn record_round(
        &self,
        session_id: i64,
        round: u32,
        scope: &ScopeRef,
        answers: &[RoundAnswer],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Marks a quiz session as over.
    async fn finish_quiz_session(
        &self,
        session_id: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Closes the sessions `owner` left open (a crash, a kill) on the
    /// given platforms and returns them, so their channels can be told.
    /// Sessions of other processes, or of platforms this process does not
    /// serve, are left alone. Call at start-up, before quizzes can start.
    async fn close_interrupted_quizzes(
        &self,
        owner: &str,
        platforms: &[Platform],
        at: DateTime<Utc>,
    ) -> Result<Vec<InterruptedQuiz>, StoreError>;

    /// Points each player earned in one quiz session, best first.
    async fn session_results(&self, session_id: i64) -> Result<Vec<LeaderboardRow>, StoreError>;
}

#[async_trait]
impl QuizStore for SqliteStore {
    async fn start_quiz_session(
        &self,
        channel: &ChannelRef,
        started_by: &UserRef,
        rounds: u32,
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
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

    async fn record_round(
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

    async fn finish_quiz_session(
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

    async fn close_interrupted_quizzes(
        &self,
        owner: &str,
        platforms: &[Platform],
        at: DateTime<Utc>,
    ) -> Result<Vec<InterruptedQuiz>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = WriteTx::begin(&self.writer).await?;
        let mut select = QueryBuilder::<Sqlite>::new(
            "SELECT q.id, q.channel_id, s.platform, s.platform_scope_id,
                    q.revealed
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
        let rows: Vec<OpenSession> = select.build_query_as().fetch_all(&mut *tx).await?;
        let mut interrupted = Vec::with_capacity(rows.len());
        for row in rows {
            let scope = ScopeRef::new(
                platform("quiz_sessions", row.id, &row.platform)?,
                row.platform_scope_id,
            );
            sqlx::query(
                "UPDATE quiz_sessions SET ended_at_ms = $1, end_reason = 'interrupted'
                 WHERE id = $2 AND ended_at_ms IS NULL",
            )
            .bind(millis(at))
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
            interrupted.push(InterruptedQuiz {
                session_id: row.id,
                channel: ChannelRef::new(scope, row.channel_id),
                rounds_revealed: row.revealed,
            });
        }
        tx.commit().await?;
        Ok(interrupted)
    }

    async fn session_results(&self, session_id: i64) -> Result<Vec<LeaderboardRow>, StoreError> {
        answer_totals(&self.pool, Answers::Session(session_id), None).await
    }
}

/// A revealed round waiting to be committed, and who to tell.
pub(super) struct RoundRecord {
    session_id: i64,
    round: u32,
    scope: ScopeRef,
    answers: Vec<RoundAnswer>,
    at: DateTime<Utc>,
    done: tokio::sync::oneshot::Sender<Result<(), StoreError>>,
}

/// Rounds committed together at most.
pub(super) const GROUP_ROUNDS: usize = 256;

/// An engine's way of writing a group of rounds in one transaction.
#[async_trait]
pub(super) trait RoundWriter: Clone + Send + Sync + 'static {
    async fn write(&self, records: &[RoundRecord]) -> Result<(), StoreError>;
}

#[async_trait]
impl RoundWriter for SqlitePool {
    async fn write(&self, records: &[RoundRecord]) -> Result<(), StoreError> {
        write_rounds(self, records).await
    }
}

#[async_trait]
impl RoundWriter for PgPool {
    async fn write(&self, records: &[RoundRecord]) -> Result<(), StoreError> {
        write_rounds_pg(self, records).await
    }
}

/// Commits waiting rounds in groups until every [`Store`] is dropped, with
/// `committers` groups in flight at once (SQLite has one writer: 1).
pub(super) async fn commit_rounds<W: RoundWriter>(
    writer: W,
    queue: tokio::sync::mpsc::Receiver<RoundRecord>,
    committers: usize,
) {
    if committers <= 1 {
        return commit_groups(writer, &mut QueueHandle::Own(queue)).await;
    }
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(queue));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..committers {
        let (writer, queue) = (writer.clone(), queue.clone());
        tasks.spawn(async move { commit_groups(writer, &mut QueueHandle::Shared(queue)).await });
    }
    while tasks.join_next().await.is_some() {}
}

/// The round queue, held by one committer or shared by several.
enum QueueHandle {
    Own(tokio::sync::mpsc::Receiver<RoundRecord>),
    Shared(std::sync::Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<RoundRecord>>>),
}

impl QueueHandle {
    async fn next_group(&mut self, group: &mut Vec<RoundRecord>) -> usize {
        match self {
            QueueHandle::Own(queue) => queue.recv_many(group, GROUP_ROUNDS).await,
            QueueHandle::Shared(queue) => queue.lock().await.recv_many(group, GROUP_ROUNDS).await,
        }
    }
}

async fn commit_groups<W: RoundWriter>(writer: W, queue: &mut QueueHandle) {
    let mut group = Vec::with_capacity(GROUP_ROUNDS);
    while queue.next_group(&mut group).await > 0 {
        match writer.write(&group).await {
            Ok(()) => {
                for record in group.drain(..) {
                    let _ = record.done.send(Ok(()));
                }
            }
            // One bad round must not fail the others: retry them one by one.
            Err(_) => {
                for record in group.drain(..) {
                    let result = writer.write(std::slice::from_ref(&record)).await;
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
    let mut tx = WriteTx::begin(writer).await?;
    let distinct_scopes: Vec<&ScopeRef> = {
        let mut seen = HashSet::new();
        records
            .iter()
            .map(|r| &r.scope)
            .filter(|s| seen.insert((s.platform, &s.id)))
            .collect()
    };
    let scopes = upsert_scopes(&mut tx, &distinct_scopes).await?;

    // Each session's last revealed round, answered or not.
    let mut last = std::collections::BTreeMap::<i64, u32>::new();
    for record in records {
        let round = last.entry(record.session_id).or_default();
        *round = (*round).max(record.round);
    }
    let revealed: Vec<(i64, u32)> = last.into_iter().collect();
    for chunk in revealed.chunks(BATCH_ROWS) {
        let mut update = QueryBuilder::<Sqlite>::new("WITH v (session, round) AS (");
        update.push_values(chunk, |mut row, (session, round)| {
            row.push_bind(*session).push_bind(i64::from(*round));
        });
        update.push(
            ") UPDATE quiz_sessions SET revealed = MAX(revealed, v.round) FROM v
             WHERE quiz_sessions.id = v.session",
        );
        update.build().execute(&mut *tx).await?;
    }

    // Every answer once: a player answers once a round.
    let mut seen = HashSet::new();
    let answers: Vec<(&RoundRecord, &RoundAnswer)> = records
        .iter()
        .flat_map(|r| r.answers.iter().map(move |a| (r, a)))
        .filter(|(r, a)| seen.insert((r.session_id, r.round, a.user.platform, a.user.id.as_str())))
        .collect();

    let distinct_users: Vec<&UserRef> = {
        let mut seen = HashSet::new();
        answers
            .iter()
            .map(|(_, a)| &a.user)
            .filter(|u| seen.insert((u.platform, u.id.as_str())))
            .collect()
    };
    let users = upsert_users(&mut tx, &distinct_users).await?;

    // (session, round, user id, scope id, answer)
    let rows: Vec<(i64, u32, i64, i64, &RoundRecord, &RoundAnswer)> = answers
        .iter()
        .filter_map(|(record, answer)| {
            let user = *users.get(&(answer.user.platform, answer.user.id.clone()))?;
            let scope = *scopes.get(&(record.scope.platform, record.scope.id.clone()))?;
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
            .build_query_as::<(i64, i64, i64)>()
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
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

/// [`write_rounds`] on PostgreSQL, retried when it lost a deadlock or a
/// serialization conflict to another transaction.
async fn write_rounds_pg(pool: &PgPool, records: &[RoundRecord]) -> Result<(), StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match write_rounds_pg_once(pool, records).await {
            Err(StoreError::Database(sqlx::Error::Database(db)))
                if attempt < 5 && matches!(db.code().as_deref(), Some("40P01" | "40001")) =>
            {
                tracing::debug!(attempt, error = %db, "retrying a group of rounds");
            }
            other => return other,
        }
    }
}

async fn write_rounds_pg_once(pool: &PgPool, records: &[RoundRecord]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let distinct_scopes: Vec<&ScopeRef> = records.iter().map(|r| &r.scope).collect();
    let scopes = upsert_scopes_pg(&mut tx, &distinct_scopes).await?;

    // Each session's last revealed round, answered or not, in id order.
    let mut last = std::collections::BTreeMap::<i64, i64>::new();
    for record in records {
        let round = last.entry(record.session_id).or_default();
        *round = (*round).max(i64::from(record.round));
    }
    let (sessions, rounds): (Vec<i64>, Vec<i64>) = last.into_iter().unzip();
    sqlx::query(
        "UPDATE quiz_sessions SET revealed = GREATEST(quiz_sessions.revealed, v.round)
         FROM UNNEST($1::BIGINT[], $2::BIGINT[]) AS v (session, round)
         WHERE quiz_sessions.id = v.session",
    )
    .bind(&sessions)
    .bind(&rounds)
    .execute(&mut *tx)
    .await?;

    // Every answer once: a player answers once a round.
    let mut seen = HashSet::new();
    let answers: Vec<(&RoundRecord, &RoundAnswer)> = records
        .iter()
        .flat_map(|r| r.answers.iter().map(move |a| (r, a)))
        .filter(|(r, a)| seen.insert((r.session_id, r.round, a.user.platform, a.user.id.as_str())))
        .collect();
    if answers.is_empty() {
        tx.commit().await?;
        return Ok(());
    }
    let distinct_users: Vec<&UserRef> = answers.iter().map(|(_, a)| &a.user).collect();
    let users = upsert_users_pg(&mut tx, &distinct_users).await?;

    /// One answer row, ready to write.
    struct Row {
        session: i64,
        round: i64,
        user: i64,
        scope: i64,
        at: i64,
        correct: i64,
        points: i64,
        response_ms: i64,
        streak: i64,
    }
    let mut rows: Vec<Row> = answers
        .iter()
        .filter_map(|(record, answer)| {
            Some(Row {
                session: record.session_id,
                round: i64::from(record.round),
                user: *users.get(&(answer.user.platform, answer.user.id.clone()))?,
                scope: *scopes.get(&(record.scope.platform, record.scope.id.clone()))?,
                at: millis(record.at),
                correct: i64::from(answer.correct),
                points: i64::from(answer.points),
                response_ms: i64::try_from(answer.response_ms).unwrap_or(i64::MAX),
                streak: i64::from(answer.streak),
            })
        })
        .collect();
    rows.sort_by_key(|row| (row.session, row.round, row.user));
    let column = |f: fn(&Row) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
    let inserted: HashSet<(i64, i64, i64)> = sqlx::query_as(
        "INSERT INTO quiz_answers
           (session_id, round, user_id, scope_id, answered_at_ms, correct, points, response_ms)
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[],
                              $5::BIGINT[], $6::BIGINT[], $7::BIGINT[], $8::BIGINT[])
         ON CONFLICT (session_id, round, user_id) DO NOTHING
         RETURNING session_id, round, user_id",
    )
    .bind(column(|r| r.session))
    .bind(column(|r| r.round))
    .bind(column(|r| r.user))
    .bind(column(|r| r.scope))
    .bind(column(|r| r.at))
    .bind(column(|r| r.correct))
    .bind(column(|r| r.points))
    .bind(column(|r| r.response_ms))
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();

    // The new answers' totals, one row per (scope, user) in key order.
    #[derive(Default)]
    struct Total {
        points: i64,
        answered: i64,
        correct: i64,
        best_streak: i64,
        at: i64,
    }
    let mut totals = std::collections::BTreeMap::<(i64, i64), Total>::new();
    for row in rows
        .iter()
        .filter(|row| inserted.contains(&(row.session, row.round, row.user)))
    {
        let total = totals.entry((row.scope, row.user)).or_default();
        total.points += row.points;
        total.answered += 1;
        total.correct += row.correct;
        total.best_streak = total.best_streak.max(row.streak);
        total.at = total.at.max(row.at);
    }
    if !totals.is_empty() {
        let pick = |f: fn(&(&(i64, i64), &Total)) -> i64| {
            totals.iter().map(|t| f(&t)).collect::<Vec<i64>>()
        };
        sqlx::query(
            "INSERT INTO scores (scope_id, user_id, points, answered, correct, best_streak, updated_at_ms)
             SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::BIGINT[],
                                  $5::BIGINT[], $6::BIGINT[], $7::BIGINT[])
             ON CONFLICT (scope_id, user_id) DO UPDATE SET
               points = scores.points + excluded.points,
               answered = scores.answered + excluded.answered,
               correct = scores.correct + excluded.correct,
               best_streak = GREATEST(scores.best_streak, excluded.best_streak),
               updated_at_ms = GREATEST(scores.updated_at_ms, excluded.updated_at_ms)",
        )
        .bind(pick(|(key, _)| key.0))
        .bind(pick(|(key, _)| key.1))
        .bind(pick(|(_, t)| t.points))
        .bind(pick(|(_, t)| t.answered))
        .bind(pick(|(_, t)| t.correct))
        .bind(pick(|(_, t)| t.best_streak))
        .bind(pick(|(_, t)| t.at))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[async_trait]
impl QuizStore for PgStore {
    async fn start_quiz_session(
        &self,
        channel: &ChannelRef,
        started_by: &UserRef,
        rounds: u32,
        owner: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
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

    async fn record_round(
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
            return write_rounds_pg(&self.pool, std::slice::from_ref(&record)).await;
        }
        result.await.unwrap_or_else(|_| Err(StoreError::Closed))
    }

    async fn finish_quiz_session(
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn close_interrupted_quizzes(
        &self,
        owner: &str,
        platforms: &[Platform],
        at: DateTime<Utc>,
    ) -> Result<Vec<InterruptedQuiz>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
        let mut tx = self.pool.begin().await?;
        // Rows another process is closing right now are skipped, not waited on.
        let rows: Vec<OpenSession> = sqlx::query_as(
            "SELECT q.id, q.channel_id, s.platform, s.platform_scope_id, q.revealed
             FROM quiz_sessions q JOIN scopes s ON s.id = q.scope_id
             WHERE q.ended_at_ms IS NULL AND q.owner IN ($1, '') AND s.platform = ANY($2)
             ORDER BY q.id
             FOR UPDATE OF q SKIP LOCKED",
        )
        .bind(owner)
        .bind(&names)
        .fetch_all(&mut *tx)
        .await?;
        let mut interrupted = Vec::with_capacity(rows.len());
        let mut ids = Vec::with_capacity(rows.len());
        for row in rows {
            let scope = ScopeRef::new(
                platform("quiz_sessions", row.id, &row.platform)?,
                row.platform_scope_id,
            );
            ids.push(row.id);
            interrupted.push(InterruptedQuiz {
                session_id: row.id,
                channel: ChannelRef::new(scope, row.channel_id),
                rounds_revealed: row.revealed,
            });
        }
        sqlx::query(
            "UPDATE quiz_sessions SET ended_at_ms = $1, end_reason = 'interrupted'
             WHERE id = ANY($2) AND ended_at_ms IS NULL",
        )
        .bind(millis(at))
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(interrupted)
    }

    async fn session_results(&self, session_id: i64) -> Result<Vec<LeaderboardRow>, StoreError> {
        answer_totals_pg(&self.pool, Answers::Session(session_id), None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::on_both_engines;

    on_both_engines! {
    async fn a_round_counts_once_and_recovery_closes_only_its_owners_sessions(store, raw) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "c");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let now = Utc::now();
        let session = store
            .start_quiz_session(&channel, &ann, 3, "a", now)
            .await
            .unwrap();
        let answer = RoundAnswer {
            user: ann.clone(),
            correct: true,
            points: 12,
            response_ms: 800,
            streak: 1,
        };
        for _ in 0..2 {
            store
                .record_round(session, 1, &scope, std::slice::from_ref(&answer), now)
                .await
                .unwrap();
        }
        let card = store.score(&scope, &ann).await.unwrap().unwrap();
        assert_eq!((card.points, card.answered), (12, 1), "recorded once");
        // Round 2 is revealed with nobody answering: it still counts.
        store
            .record_round(session, 2, &scope, &[], now)
            .await
            .unwrap();

        let none = store
            .close_interrupted_quizzes("b", &[Platform::Discord], now)
            .await
            .unwrap();
        assert!(none.is_empty(), "another owner's session");
        let none = store
            .close_interrupted_quizzes("a", &[Platform::Matrix], now)
            .await
            .unwrap();
        assert!(none.is_empty(), "another platform's session");
        let closed = store
            .close_interrupted_quizzes("a", &[Platform::Discord], now)
            .await
            .unwrap();
        assert_eq!(
            closed,
            vec![InterruptedQuiz {
                session_id: session,
                channel,
                rounds_revealed: 2
            }]
        );
        let again = store
            .close_interrupted_quizzes("a", &[Platform::Discord], now)
            .await
            .unwrap();
        assert!(again.is_empty(), "closed once");
    }
    }

    fn answer(user: &UserRef, points: u32, streak: u32) -> RoundAnswer {
        RoundAnswer {
            user: user.clone(),
            correct: points > 0,
            points,
            response_ms: 700,
            streak,
        }
    }

    on_both_engines! {
    /// Rounds revealed together are group-committed together: one player's
    /// rounds in one group (two channels of one scope, two rounds of one
    /// session) add up, a repeated round counts once, and `revealed` keeps
    /// the highest round.
    async fn rounds_committed_together_add_up_exactly(store, raw) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let ben = UserRef::new(Platform::Discord, "2", "Ben");
        let now = Utc::now();
        let mut sessions = Vec::new();
        for channel in ["c1", "c2"] {
            let channel = ChannelRef::new(scope.clone(), channel);
            sessions.push(store.start_quiz_session(&channel, &ann, 5, "a", now).await.unwrap());
        }
        let mut rounds = Vec::new();
        for (i, session) in sessions.iter().enumerate() {
            for round in 1..=3u32 {
                let answers = vec![answer(&ann, 10 * round, round), answer(&ben, i as u32, 0)];
                rounds.push((*session, round, answers));
            }
        }
        // The same round twice, in the same burst.
        rounds.push((sessions[0], 3, vec![answer(&ann, 30, 3), answer(&ben, 0, 0)]));
        let mut burst = tokio::task::JoinSet::new();
        for (session, round, answers) in rounds {
            let (store, scope) = (store.clone(), scope.clone());
            burst.spawn(async move { store.record_round(session, round, &scope, &answers, now).await });
        }
        while let Some(result) = burst.join_next().await {
            result.unwrap().unwrap();
        }
        let card = store.score(&scope, &ann).await.unwrap().unwrap();
        assert_eq!(
            (card.points, card.answered, card.correct, card.best_streak),
            (2 * (10 + 20 + 30), 6, 6, 3)
        );
        let card = store.score(&scope, &ben).await.unwrap().unwrap();
        assert_eq!((card.points, card.answered, card.correct), (3, 6, 3));
        assert_eq!(raw.count("SELECT COUNT(*) FROM quiz_answers").await, 12);
        assert_eq!(
            raw.count("SELECT MIN(revealed) FROM quiz_sessions").await,
            3,
            "every session's revealed count is its highest round"
        );
        let results = store.session_results(sessions[1]).await.unwrap();
        assert_eq!(
            results.iter().map(|r| (r.display_name.as_str(), r.points)).collect::<Vec<_>>(),
            [("Ann", 60), ("Ben", 3)]
        );
    }
    }
}
