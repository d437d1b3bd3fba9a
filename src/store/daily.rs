//! Daily posts: subscriptions per channel, the due ones of the platforms a
//! process serves, claims (unique per channel and local date) and every
//! send attempt.
//!
//! The claim is the primary key of `daily_posts`: `INSERT … ON CONFLICT DO
//! NOTHING RETURNING` tells each caller which posts it won, on both
//! engines, so schedulers in several processes post each one once. On
//! PostgreSQL a second claimer of the same post waits for the first one's
//! transaction and then finds the row there.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use crate::identity::{ChannelRef, Platform, ScopeRef};

use super::write::WriteTx;
use super::{BATCH_ROWS, PgStore, SqliteStore, StoreError, instant, millis, platform};

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
    /// Sent with every attempt, so the platform drops a repeat of a send
    /// that may already have arrived (at most 25 characters, Discord's limit).
    pub nonce: String,
    /// The instance that claims it (and re-sends it after a crash).
    pub claimed_by: String,
}

/// A post claimed but never sent: what a crash between the claim and the
/// send leaves behind.
#[derive(Debug, Clone)]
pub struct UnsentDaily {
    pub subscription: DailySubscription,
    pub local_date: chrono::NaiveDate,
    pub event_key: String,
    pub nonce: String,
}

/// How a send attempt went.
#[derive(Debug, Clone, Copy)]
pub enum DailyOutcome<'a> {
    Sent,
    Retrying(&'a str),
    Failed(&'a str),
}

/// A stored daily post.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DailyPostRecord {
    pub local_date: String,
    pub event_key: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The columns every subscription query selects.
const SUBSCRIPTION_COLUMNS: &str =
    "SELECT d.id, d.channel_id, d.local_time, d.time_zone, d.enabled, d.next_fire_at_ms, d.cycle,
        d.disabled_reason, s.platform, s.platform_scope_id
 FROM daily_subscriptions d JOIN scopes s ON s.id = d.scope_id";

/// [`SUBSCRIPTION_COLUMNS`] on PostgreSQL, where `enabled` (0/1, as in
/// SQLite) is read as a boolean by comparison.
const SUBSCRIPTION_COLUMNS_PG: &str =
    "SELECT d.id, d.channel_id, d.local_time, d.time_zone, d.enabled <> 0 AS enabled,
        d.next_fire_at_ms, d.cycle, d.disabled_reason, s.platform, s.platform_scope_id
 FROM daily_subscriptions d JOIN scopes s ON s.id = d.scope_id";

/// Subscribing a channel (the same SQL on both engines).
const SUBSCRIBE: &str = "INSERT INTO daily_subscriptions
   (scope_id, channel_id, local_time, time_zone, enabled, next_fire_at_ms, updated_at_ms)
 VALUES ($1, $2, $3, $4, 1, $5, $6)
 ON CONFLICT (scope_id, channel_id) DO UPDATE SET
   local_time = excluded.local_time, time_zone = excluded.time_zone, enabled = 1,
   next_fire_at_ms = excluded.next_fire_at_ms, disabled_reason = NULL,
   updated_at_ms = excluded.updated_at_ms";

/// Turning a channel's post off.
const UNSUBSCRIBE: &str =
    "UPDATE daily_subscriptions SET enabled = 0, disabled_reason = $1, updated_at_ms = $2
 WHERE enabled = 1 AND channel_id = $3 AND scope_id =
   (SELECT id FROM scopes WHERE platform = $4 AND platform_scope_id = $5)";

/// The events each due subscription had in its current cycle.
const USED_EVENTS: &str = "SELECT p.subscription_id, p.event_key
 FROM daily_posts p JOIN daily_subscriptions d ON d.id = p.subscription_id AND p.cycle = d.cycle
 WHERE d.enabled = 1 AND d.next_fire_at_ms <= $1";

/// A subscription's posts.
const POSTS: &str = "SELECT local_date, event_key, status, attempts, last_error FROM daily_posts
 WHERE subscription_id = $1 ORDER BY local_date";

/// Disabling a subscription by id.
const DISABLE_BY_ID: &str = "UPDATE daily_subscriptions SET enabled = 0, disabled_reason = $1, updated_at_ms = $2 WHERE id = $3";

/// An attempt's status and error, as stored.
fn outcome_columns<'a>(outcome: &DailyOutcome<'a>) -> (&'static str, Option<&'a str>) {
    match outcome {
        DailyOutcome::Sent => ("sent", None),
        DailyOutcome::Retrying(error) => ("claimed", Some(*error)),
        DailyOutcome::Failed(error) => ("failed", Some(*error)),
    }
}

/// Attaches each due subscription's used events.
fn attach_used_events(due: &mut [DueDaily], used: Vec<(i64, String)>) {
    let index: std::collections::HashMap<i64, usize> = due
        .iter()
        .enumerate()
        .map(|(i, d)| (d.subscription.id, i))
        .collect();
    for (subscription_id, event_key) in used {
        if let Some(&i) = index.get(&subscription_id) {
            due[i].used_events.push(event_key);
        }
    }
}

/// A subscription as stored.
#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    id: i64,
    channel_id: String,
    local_time: String,
    time_zone: String,
    enabled: bool,
    next_fire_at_ms: i64,
    cycle: i64,
    disabled_reason: Option<String>,
    platform: String,
    platform_scope_id: String,
}

/// An unsent post as stored, with its subscription.
#[derive(sqlx::FromRow)]
struct UnsentRow {
    #[sqlx(flatten)]
    subscription: SubscriptionRow,
    local_date: String,
    event_key: String,
    nonce: String,
}

/// The posts and joins of an unsent-posts query, after its columns (the
/// same on both engines), ending in a `WHERE` the caller continues.
const UNSENT_FROM: &str = "p.local_date, p.event_key, p.nonce
 FROM daily_posts p
 JOIN daily_subscriptions d ON d.id = p.subscription_id
 JOIN scopes s ON s.id = d.scope_id
 WHERE p.status = 'claimed' AND p.nonce IS NOT NULL AND d.enabled = 1";

impl TryFrom<UnsentRow> for UnsentDaily {
    type Error = StoreError;

    fn try_from(row: UnsentRow) -> Result<Self, StoreError> {
        let local_date = row.local_date.parse().map_err(|_| {
            StoreError::bad_row(
                "daily_posts",
                row.subscription.id,
                format!("{} is not a date", row.local_date),
            )
        })?;
        Ok(UnsentDaily {
            subscription: DailySubscription::try_from(row.subscription)?,
            local_date,
            event_key: row.event_key,
            nonce: row.nonce,
        })
    }
}

impl TryFrom<SubscriptionRow> for DailySubscription {
    type Error = StoreError;

    fn try_from(row: SubscriptionRow) -> Result<Self, StoreError> {
        let table = "daily_subscriptions";
        let scope = ScopeRef::new(
            platform(table, row.id, &row.platform)?,
            row.platform_scope_id,
        );
        Ok(DailySubscription {
            id: row.id,
            channel: ChannelRef::new(scope, row.channel_id),
            local_time: row.local_time,
            time_zone: row.time_zone,
            enabled: row.enabled,
            next_fire_at: instant(table, row.id, row.next_fire_at_ms)?,
            cycle: row.cycle,
            disabled_reason: row.disabled_reason,
        })
    }
}

/// Daily-post subscriptions and their once-a-day claims.
#[async_trait]
pub trait DailyStore: Send + Sync {
    /// Subscribes `channel` to the daily post (or changes its time), enabled,
    /// first due at `next_fire`.
    async fn set_daily_subscription(
        &self,
        channel: &ChannelRef,
        local_time: &str,
        time_zone: &str,
        next_fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Turns a channel's daily post off; false when it had none enabled.
    async fn disable_daily_subscription(
        &self,
        channel: &ChannelRef,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// A channel's daily subscription, enabled or not.
    async fn daily_subscription(
        &self,
        channel: &ChannelRef,
    ) -> Result<Option<DailySubscription>, StoreError>;

    /// Every enabled subscription of the given platforms due at `now` (one
    /// indexed query), with the events each channel has had in its current
    /// cycle. A process claims only posts it can send: the terminal never
    /// takes over a Discord channel's post.
    async fn due_daily_subscriptions(
        &self,
        now: DateTime<Utc>,
        platforms: &[Platform],
    ) -> Result<Vec<DueDaily>, StoreError>;

    /// In one transaction: claims each post (unique per subscription and
    /// local date; a claim another process made first is not ours) and moves
    /// every handled subscription to its next firing. Returns, per claim,
    /// whether this call won it. Rows go in multi-row statements, so 10,000
    /// channels due in one minute cost a few dozen statements, not 20,000.
    async fn claim_daily_posts(
        &self,
        claims: &[DailyClaim],
        skips: &[(i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError>;

    /// Records send attempts of claimed posts, in one transaction. A sent
    /// post resets its subscription's count of failed days; a post that
    /// failed for good adds one, and the subscription is turned off when the
    /// count reaches `failed_days_limit`.
    async fn record_daily_attempts(
        &self,
        attempts: &[(i64, chrono::NaiveDate, DailyOutcome<'_>)],
        failed_days_limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The posts `owner` claimed at or after `since` on the given
    /// platforms, of enabled subscriptions, that are still unsent (status
    /// claimed, with a nonce): a process that stopped between claiming and
    /// sending re-sends these at start-up, with the same nonce.
    async fn unsent_daily_posts(
        &self,
        owner: &str,
        platforms: &[Platform],
        since: DateTime<Utc>,
    ) -> Result<Vec<UnsentDaily>, StoreError>;

    /// The posts of a subscription, oldest first (status, attempts, event).
    async fn daily_posts(&self, subscription_id: i64) -> Result<Vec<DailyPostRecord>, StoreError>;

    /// Disables a subscription by id (its channel is gone or forbids posting).
    async fn disable_daily_by_id(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

#[async_trait]
impl DailyStore for SqliteStore {
    async fn set_daily_subscription(
        &self,
        channel: &ChannelRef,
        local_time: &str,
        time_zone: &str,
        next_fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let scope_id = Self::scope_id(&mut tx, &channel.scope).await?;
        sqlx::query(SUBSCRIBE)
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

    async fn disable_daily_subscription(
        &self,
        channel: &ChannelRef,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(UNSUBSCRIBE)
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

    async fn daily_subscription(
        &self,
        channel: &ChannelRef,
    ) -> Result<Option<DailySubscription>, StoreError> {
        let mut query = QueryBuilder::<Sqlite>::new(SUBSCRIPTION_COLUMNS);
        query.push(" WHERE s.platform = ");
        query.push_bind(channel.scope.platform.as_str());
        query.push(" AND s.platform_scope_id = ");
        query.push_bind(&channel.scope.id);
        query.push(" AND d.channel_id = ");
        query.push_bind(&channel.id);
        let row: Option<SubscriptionRow> =
            query.build_query_as().fetch_optional(&self.pool).await?;
        row.map(DailySubscription::try_from).transpose()
    }

    async fn due_daily_subscriptions(
        &self,
        now: DateTime<Utc>,
        platforms: &[Platform],
    ) -> Result<Vec<DueDaily>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::<Sqlite>::new(SUBSCRIPTION_COLUMNS);
        query.push(" WHERE d.enabled = 1 AND d.next_fire_at_ms <= ");
        query.push_bind(millis(now));
        query.push(" AND s.platform IN (");
        let mut names = query.separated(", ");
        for platform in platforms {
            names.push_bind(platform.as_str());
        }
        query.push(") ORDER BY d.next_fire_at_ms, d.id");
        let rows: Vec<SubscriptionRow> = query.build_query_as().fetch_all(&self.pool).await?;
        let mut due = rows
            .into_iter()
            .map(|row| {
                Ok(DueDaily {
                    subscription: DailySubscription::try_from(row)?,
                    used_events: Vec::new(),
                })
            })
            .collect::<Result<Vec<DueDaily>, StoreError>>()?;
        if due.is_empty() {
            return Ok(due);
        }
        let used: Vec<(i64, String)> = sqlx::query_as(USED_EVENTS)
            .bind(millis(now))
            .fetch_all(&self.pool)
            .await?;
        attach_used_events(&mut due, used);
        Ok(due)
    }

    async fn claim_daily_posts(
        &self,
        claims: &[DailyClaim],
        skips: &[(i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let mut won_ids = std::collections::HashSet::new();
        for chunk in claims.chunks(BATCH_ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO daily_posts (subscription_id, local_date, event_key, cycle, claimed_at_ms, status, nonce, claimed_by) ",
            );
            insert.push_values(chunk, |mut row, claim| {
                row.push_bind(claim.subscription_id)
                    .push_bind(claim.local_date.to_string())
                    .push_bind(&claim.event_key)
                    .push_bind(claim.cycle)
                    .push_bind(millis(now))
                    .push_bind("claimed")
                    .push_bind(&claim.nonce)
                    .push_bind(&claim.claimed_by);
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

    async fn record_daily_attempts(
        &self,
        attempts: &[(i64, chrono::NaiveDate, DailyOutcome<'_>)],
        failed_days_limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        for chunk in attempts.chunks(BATCH_ROWS) {
            let mut update = QueryBuilder::<Sqlite>::new(
                "WITH v (subscription_id, local_date, status, error) AS (",
            );
            update.push_values(chunk, |mut row, (id, date, outcome)| {
                let (status, error) = outcome_columns(outcome);
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
                let (status, error) = outcome_columns(outcome);
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

    async fn unsent_daily_posts(
        &self,
        owner: &str,
        platforms: &[Platform],
        since: DateTime<Utc>,
    ) -> Result<Vec<UnsentDaily>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::<Sqlite>::new(format!(
            "SELECT d.id, d.channel_id, d.local_time, d.time_zone, d.enabled, d.next_fire_at_ms, d.cycle,
                d.disabled_reason, s.platform, s.platform_scope_id, {UNSENT_FROM} AND p.claimed_by = "
        ));
        query.push_bind(owner);
        query.push(" AND p.claimed_at_ms >= ");
        query.push_bind(millis(since));
        query.push(" AND s.platform IN (");
        let mut names = query.separated(", ");
        for platform in platforms {
            names.push_bind(platform.as_str());
        }
        query.push(") ORDER BY p.claimed_at_ms, d.id");
        let rows: Vec<UnsentRow> = query.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter().map(UnsentDaily::try_from).collect()
    }

    async fn daily_posts(&self, subscription_id: i64) -> Result<Vec<DailyPostRecord>, StoreError> {
        Ok(sqlx::query_as(POSTS)
            .bind(subscription_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn disable_daily_by_id(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(DISABLE_BY_ID)
            .bind(reason)
            .bind(millis(now))
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl DailyStore for PgStore {
    async fn set_daily_subscription(
        &self,
        channel: &ChannelRef,
        local_time: &str,
        time_zone: &str,
        next_fire: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let scope_id = Self::scope_id(&mut tx, &channel.scope).await?;
        sqlx::query(SUBSCRIBE)
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

    async fn disable_daily_subscription(
        &self,
        channel: &ChannelRef,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(UNSUBSCRIBE)
            .bind(reason)
            .bind(millis(now))
            .bind(&channel.id)
            .bind(channel.scope.platform.as_str())
            .bind(&channel.scope.id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(changed > 0)
    }

    async fn daily_subscription(
        &self,
        channel: &ChannelRef,
    ) -> Result<Option<DailySubscription>, StoreError> {
        let row: Option<SubscriptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SUBSCRIPTION_COLUMNS_PG} WHERE s.platform = $1 AND s.platform_scope_id = $2 AND d.channel_id = $3"
        )))
        .bind(channel.scope.platform.as_str())
        .bind(&channel.scope.id)
        .bind(&channel.id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(DailySubscription::try_from).transpose()
    }

    async fn due_daily_subscriptions(
        &self,
        now: DateTime<Utc>,
        platforms: &[Platform],
    ) -> Result<Vec<DueDaily>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
        let rows: Vec<SubscriptionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SUBSCRIPTION_COLUMNS_PG} WHERE d.enabled = 1 AND d.next_fire_at_ms <= $1
             AND s.platform = ANY($2) ORDER BY d.next_fire_at_ms, d.id"
        )))
        .bind(millis(now))
        .bind(&names)
        .fetch_all(&self.pool)
        .await?;
        let mut due = rows
            .into_iter()
            .map(|row| {
                Ok(DueDaily {
                    subscription: DailySubscription::try_from(row)?,
                    used_events: Vec::new(),
                })
            })
            .collect::<Result<Vec<DueDaily>, StoreError>>()?;
        if due.is_empty() {
            return Ok(due);
        }
        let used: Vec<(i64, String)> = sqlx::query_as(USED_EVENTS)
            .bind(millis(now))
            .fetch_all(&self.pool)
            .await?;
        attach_used_events(&mut due, used);
        Ok(due)
    }

    async fn claim_daily_posts(
        &self,
        claims: &[DailyClaim],
        skips: &[(i64, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        // Claims and moves in id order: two schedulers claiming the same
        // posts lock them in the same order, so one waits, never deadlocks.
        let mut sorted: Vec<&DailyClaim> = claims.iter().collect();
        sorted.sort_by_key(|c| (c.subscription_id, c.local_date));
        let mut tx = self.pool.begin().await?;
        let won_ids: std::collections::HashSet<i64> = sqlx::query_scalar(
            "INSERT INTO daily_posts
               (subscription_id, local_date, event_key, cycle, claimed_at_ms, status, nonce, claimed_by)
             SELECT v.id, v.local_date, v.event_key, v.cycle, $5, 'claimed', v.nonce, v.claimed_by
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $6::TEXT[], $7::TEXT[])
                  AS v (id, local_date, event_key, cycle, nonce, claimed_by)
             ON CONFLICT (subscription_id, local_date) DO NOTHING RETURNING subscription_id",
        )
        .bind(sorted.iter().map(|c| c.subscription_id).collect::<Vec<i64>>())
        .bind(sorted.iter().map(|c| c.local_date.to_string()).collect::<Vec<String>>())
        .bind(sorted.iter().map(|c| c.event_key.as_str()).collect::<Vec<&str>>())
        .bind(sorted.iter().map(|c| c.cycle).collect::<Vec<i64>>())
        .bind(millis(now))
        .bind(sorted.iter().map(|c| c.nonce.as_str()).collect::<Vec<&str>>())
        .bind(sorted.iter().map(|c| c.claimed_by.as_str()).collect::<Vec<&str>>())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        // Where each subscription goes next; a skip keeps its cycle (GREATEST with 0).
        let mut moves: Vec<(i64, i64, i64)> = claims
            .iter()
            .map(|c| (c.subscription_id, millis(c.next_fire), c.cycle))
            .chain(skips.iter().map(|(id, next)| (*id, millis(*next), 0)))
            .collect();
        moves.sort_unstable();
        moves.dedup_by_key(|m| m.0);
        sqlx::query(
            "UPDATE daily_subscriptions SET next_fire_at_ms = v.next_fire,
               cycle = GREATEST(daily_subscriptions.cycle, v.cycle)
             FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[]) AS v (id, next_fire, cycle)
             WHERE daily_subscriptions.id = v.id",
        )
        .bind(moves.iter().map(|m| m.0).collect::<Vec<i64>>())
        .bind(moves.iter().map(|m| m.1).collect::<Vec<i64>>())
        .bind(moves.iter().map(|m| m.2).collect::<Vec<i64>>())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(claims
            .iter()
            .map(|c| won_ids.contains(&c.subscription_id))
            .collect())
    }

    async fn record_daily_attempts(
        &self,
        attempts: &[(i64, chrono::NaiveDate, DailyOutcome<'_>)],
        failed_days_limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = attempts.iter().map(|(id, ..)| *id).collect();
        let dates: Vec<String> = attempts
            .iter()
            .map(|(_, date, _)| date.to_string())
            .collect();
        let statuses: Vec<&str> = attempts
            .iter()
            .map(|(.., outcome)| outcome_columns(outcome).0)
            .collect();
        let errors: Vec<Option<&str>> = attempts
            .iter()
            .map(|(.., outcome)| outcome_columns(outcome).1)
            .collect();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE daily_posts SET status = v.status, attempts = daily_posts.attempts + 1,
               last_error = COALESCE(v.error, daily_posts.last_error),
               sent_at_ms = CASE WHEN v.status = 'sent' THEN $5 ELSE daily_posts.sent_at_ms END
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[])
                  AS v (subscription_id, local_date, status, error)
             WHERE daily_posts.subscription_id = v.subscription_id
               AND daily_posts.local_date = v.local_date",
        )
        .bind(&ids)
        .bind(&dates)
        .bind(&statuses)
        .bind(&errors)
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE daily_subscriptions SET
               failed_days = CASE WHEN v.status = 'sent' THEN 0 ELSE daily_subscriptions.failed_days + 1 END,
               enabled = CASE WHEN v.status = 'failed' AND daily_subscriptions.failed_days + 1 >= $4
                         THEN 0 ELSE daily_subscriptions.enabled END,
               disabled_reason = CASE WHEN v.status = 'failed' AND daily_subscriptions.failed_days + 1 >= $4
                 THEN 'posting failed after every retry on ' || (daily_subscriptions.failed_days + 1)
                      || ' days in a row: ' || v.error
                 ELSE daily_subscriptions.disabled_reason END
             FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[]) AS v (id, status, error)
             WHERE daily_subscriptions.id = v.id AND v.status <> 'claimed'",
        )
        .bind(&ids)
        .bind(&statuses)
        .bind(&errors)
        .bind(i64::from(failed_days_limit))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unsent_daily_posts(
        &self,
        owner: &str,
        platforms: &[Platform],
        since: DateTime<Utc>,
    ) -> Result<Vec<UnsentDaily>, StoreError> {
        if platforms.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
        let rows: Vec<UnsentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.channel_id, d.local_time, d.time_zone, d.enabled <> 0 AS enabled,
                d.next_fire_at_ms, d.cycle, d.disabled_reason, s.platform, s.platform_scope_id,
                {UNSENT_FROM} AND p.claimed_by = $1 AND p.claimed_at_ms >= $2
                AND s.platform = ANY($3) ORDER BY p.claimed_at_ms, d.id"
        )))
        .bind(owner)
        .bind(millis(since))
        .bind(&names)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(UnsentDaily::try_from).collect()
    }

    async fn daily_posts(&self, subscription_id: i64) -> Result<Vec<DailyPostRecord>, StoreError> {
        Ok(sqlx::query_as(POSTS)
            .bind(subscription_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn disable_daily_by_id(
        &self,
        id: i64,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(DISABLE_BY_ID)
            .bind(reason)
            .bind(millis(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::tests::on_both_engines;

    on_both_engines! {
    async fn due_posts_are_per_platform_and_a_bad_stored_time_names_its_row(store, raw) {
        let now = Utc::now();
        let discord = ChannelRef::new(ScopeRef::new(Platform::Discord, "g"), "c");
        let matrix = ChannelRef::new(ScopeRef::new(Platform::Matrix, "!r"), "!r");
        for channel in [&discord, &matrix] {
            store
                .set_daily_subscription(channel, "08:00", "UTC", now, now)
                .await
                .unwrap();
        }
        let due = store
            .due_daily_subscriptions(now, &[Platform::Discord])
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].subscription.channel, discord);
        assert!(
            store
                .due_daily_subscriptions(now, &[])
                .await
                .unwrap()
                .is_empty()
        );

        let id = due[0].subscription.id;
        raw.execute(&format!(
            "UPDATE daily_subscriptions SET next_fire_at_ms = {} WHERE id = {id}",
            i64::MAX
        ))
        .await;
        let error = store
            .daily_subscription(&discord)
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "daily_subscriptions row {id} cannot be read: {} is not a time",
                i64::MAX
            )
        );
    }
    }

    on_both_engines! {
    /// Two processes' schedulers on one database see the same due posts
    /// and claim them at the same moment: each post is won exactly once,
    /// and every subscription moves on. Attempts are then recorded: a sent
    /// post, one that will be retried, and one that failed for good (which
    /// turns its subscription off at the limit).
    async fn a_post_is_claimed_once_across_processes_and_attempts_are_kept(store, raw, location) {
        let other = Store::open(&location).await.unwrap();
        let now: DateTime<Utc> = "2026-11-25T08:00:00Z".parse().unwrap();
        let next: DateTime<Utc> = "2026-11-26T08:00:00Z".parse().unwrap();
        let scope = ScopeRef::new(Platform::Discord, "g");
        let channels: Vec<ChannelRef> =
            (0..3).map(|i| ChannelRef::new(scope.clone(), format!("c{i}"))).collect();
        for channel in &channels {
            store.set_daily_subscription(channel, "08:00", "UTC", now, now).await.unwrap();
        }
        let due = other.due_daily_subscriptions(now, &[Platform::Discord]).await.unwrap();
        assert_eq!(due.len(), 3);
        let date = now.date_naive();
        let claims_by = |owner: &str| -> Vec<DailyClaim> {
            due.iter()
                .map(|d| DailyClaim {
                    subscription_id: d.subscription.id,
                    local_date: date,
                    event_key: format!("event-{}", d.subscription.id),
                    cycle: 1,
                    next_fire: next,
                    nonce: format!("{owner}-{}", d.subscription.id),
                    claimed_by: owner.to_string(),
                })
                .collect()
        };
        let (claims, their_claims) = (claims_by("mine"), claims_by("theirs"));
        let (mine, theirs) = tokio::join!(
            store.claim_daily_posts(&claims, &[], now),
            other.claim_daily_posts(&their_claims, &[], now)
        );
        let (mine, theirs) = (mine.unwrap(), theirs.unwrap());
        for (a, b) in mine.iter().zip(&theirs) {
            assert!(a ^ b, "each post is won by exactly one process: {mine:?} {theirs:?}");
        }
        // Each winner's claim is the one stored: its owner and its nonce.
        let unsent_of = |owner: &'static str| {
            let store = store.clone();
            async move {
            let mut ids: Vec<(i64, String)> = store
                .unsent_daily_posts(owner, &[Platform::Discord], now)
                .await
                .unwrap()
                .into_iter()
                .map(|u| (u.subscription.id, u.nonce))
                .collect();
            ids.sort();
            ids
            }
        };
        let won = |wins: &[bool], owner: &str| -> Vec<(i64, String)> {
            claims
                .iter()
                .zip(wins)
                .filter(|(_, won)| **won)
                .map(|(c, _)| (c.subscription_id, format!("{owner}-{}", c.subscription_id)))
                .collect()
        };
        assert_eq!(unsent_of("mine").await, won(&mine, "mine"));
        assert_eq!(unsent_of("theirs").await, won(&theirs, "theirs"));
        assert!(store.due_daily_subscriptions(now, &[Platform::Discord]).await.unwrap().is_empty());
        let moved = store.daily_subscription(&channels[0]).await.unwrap().unwrap();
        assert_eq!((moved.next_fire_at, moved.cycle), (next, 1));

        let ids: Vec<i64> = claims.iter().map(|c| c.subscription_id).collect();
        store
            .record_daily_attempts(
                &[
                    (ids[0], date, DailyOutcome::Sent),
                    (ids[1], date, DailyOutcome::Retrying("slow down")),
                    (ids[2], date, DailyOutcome::Failed("forbidden")),
                ],
                1,
                now,
            )
            .await
            .unwrap();
        let posts = |id| store.daily_posts(id);
        let sent = posts(ids[0]).await.unwrap();
        assert_eq!((sent[0].status.as_str(), sent[0].attempts), ("sent", 1));
        let retrying = posts(ids[1]).await.unwrap();
        assert_eq!(
            (retrying[0].status.as_str(), retrying[0].last_error.as_deref()),
            ("claimed", Some("slow down"))
        );
        let failed = posts(ids[2]).await.unwrap();
        assert_eq!((failed[0].status.as_str(), failed[0].event_key.clone()), ("failed", format!("event-{}", ids[2])));
        let off = store.daily_subscription(&channels[2]).await.unwrap().unwrap();
        assert!(!off.enabled);
        assert_eq!(
            off.disabled_reason.as_deref(),
            Some("posting failed after every retry on 1 days in a row: forbidden")
        );
        assert!(store.daily_subscription(&channels[0]).await.unwrap().unwrap().enabled);
        assert_eq!(raw.count("SELECT COUNT(*) FROM daily_posts WHERE sent_at_ms IS NOT NULL").await, 1);
        assert!(store.disable_daily_subscription(&channels[0], "by hand", now).await.unwrap());
        assert!(!store.disable_daily_subscription(&channels[0], "by hand", now).await.unwrap());
        other.close().await;
    }
    }

    on_both_engines! {
    /// A claim keeps its nonce and claiming instance; a process's unsent
    /// posts are only its own claims still unsent, on its platforms, since
    /// the time asked, of enabled subscriptions.
    async fn unsent_posts_are_this_owners_claims_not_yet_sent(store, raw) {
        let now: DateTime<Utc> = "2026-11-25T08:00:00Z".parse().unwrap();
        let next: DateTime<Utc> = "2026-11-26T08:00:00Z".parse().unwrap();
        let scope = ScopeRef::new(Platform::Discord, "g");
        let mut channels: Vec<ChannelRef> =
            (0..4).map(|i| ChannelRef::new(scope.clone(), format!("c{i}"))).collect();
        channels.push(ChannelRef::new(ScopeRef::new(Platform::Matrix, "!r"), "!r"));
        let mut ids = Vec::new();
        for channel in &channels {
            store.set_daily_subscription(channel, "08:00", "UTC", now, now).await.unwrap();
            ids.push(store.daily_subscription(channel).await.unwrap().unwrap().id);
        }
        let date = now.date_naive();
        let claim = |id: i64, owner: &str| DailyClaim {
            subscription_id: id,
            local_date: date,
            event_key: format!("event-{id}"),
            cycle: 1,
            next_fire: next,
            nonce: format!("nonce-{id}"),
            claimed_by: owner.to_string(),
        };
        // c0: a's, unsent; c1: b's; c2: a's but sent; c3: a's, then turned
        // off; the Matrix room: a's, unsent.
        let claims = [
            claim(ids[0], "a"),
            claim(ids[1], "b"),
            claim(ids[2], "a"),
            claim(ids[3], "a"),
            claim(ids[4], "a"),
        ];
        let won = store.claim_daily_posts(&claims, &[], now).await.unwrap();
        assert_eq!(won, [true; 5]);
        assert_eq!(
            raw.count(&format!(
                "SELECT COUNT(*) FROM daily_posts WHERE subscription_id = {} \
                 AND nonce = 'nonce-{0}' AND claimed_by = 'b' AND status = 'claimed'",
                ids[1]
            ))
            .await,
            1
        );
        store.record_daily_attempts(&[(ids[2], date, DailyOutcome::Sent)], 3, now).await.unwrap();
        store.disable_daily_by_id(ids[3], "gone", now).await.unwrap();

        let unsent = store.unsent_daily_posts("a", &[Platform::Discord], now).await.unwrap();
        assert_eq!(unsent.len(), 1, "{unsent:?}");
        assert_eq!(unsent[0].subscription.channel, channels[0]);
        assert_eq!(
            (unsent[0].local_date, unsent[0].event_key.as_str(), unsent[0].nonce.as_str()),
            (date, format!("event-{}", ids[0]).as_str(), format!("nonce-{}", ids[0]).as_str())
        );
        let both = store
            .unsent_daily_posts("a", &[Platform::Discord, Platform::Matrix], now)
            .await
            .unwrap();
        let mut channels_of_a: Vec<i64> = both.iter().map(|u| u.subscription.id).collect();
        channels_of_a.sort();
        assert_eq!(channels_of_a, [ids[0], ids[4]]);
        let of_b = store.unsent_daily_posts("b", &[Platform::Discord], now).await.unwrap();
        assert_eq!(of_b.iter().map(|u| u.nonce.as_str()).collect::<Vec<_>>(), [format!("nonce-{}", ids[1])]);
        let later = now + chrono::Duration::minutes(1);
        assert!(store.unsent_daily_posts("a", &[Platform::Discord], later).await.unwrap().is_empty());
        assert!(store.unsent_daily_posts("a", &[], now).await.unwrap().is_empty());
        assert!(store.unsent_daily_posts("c", &[Platform::Discord], now).await.unwrap().is_empty());
    }
    }
}
