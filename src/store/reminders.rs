//! Daily review reminders: who opted in where, at what local time, and the
//! claims that make each reminder go out once a day at most. Whether a
//! reminder is due, and its words, are the bot's
//! ([`crate::bot::DailyScheduler`]); this only keeps the state. One text
//! for both engines (a macro over the shared statements, as `review.rs`).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};

use super::{PgStore, SqliteStore, StoreError, instant, millis, platform};

/// A player's reminder setting in a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewReminder {
    /// Where they opted in (where the reminder goes when it cannot go
    /// privately).
    pub channel: ChannelRef,
    /// `HH:MM` in `time_zone`.
    pub local_time: String,
    pub time_zone: String,
    pub enabled: bool,
    /// When the scheduler next looks whether reviews are due.
    pub next_at: DateTime<Utc>,
}

/// Which reminder: the scope's and the player's row ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReminderKey {
    pub scope_id: i64,
    pub user_id: i64,
}

/// An enabled reminder whose time has come, with the player's due cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub key: ReminderKey,
    pub user: UserRef,
    pub reminder: ReviewReminder,
    /// The player's cards due in the scope at the tick's `now`.
    pub due: i64,
}

/// A reminder to claim for a local date, and when to look next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderClaim {
    pub key: ReminderKey,
    pub local_date: NaiveDate,
    pub due: i64,
    pub claimed_by: String,
}

/// Reminder settings and claims.
#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Turns `user`'s reminder in the channel's scope on, at `local_time`
    /// in `time_zone`, first looked at `next_at` (replacing an earlier
    /// setting, and the channel it goes to).
    async fn enable_review_reminder(
        &self,
        channel: &ChannelRef,
        user: &UserRef,
        local_time: &str,
        time_zone: &str,
        next_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Turns it off; false when it was not on.
    async fn disable_review_reminder(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The player's setting in a scope, if they ever set one.
    async fn review_reminder(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
    ) -> Result<Option<ReviewReminder>, StoreError>;

    /// Every enabled reminder of `platforms` whose time is at or before
    /// `now`, with how many cards each player has due then.
    async fn due_review_reminders(
        &self,
        now: DateTime<Utc>,
        platforms: &[Platform],
    ) -> Result<Vec<DueReminder>, StoreError>;

    /// In one transaction: claims each of `claims` for its local date
    /// (true where this call made the claim, false where one was there),
    /// and moves every reminder in `moves` to its next time.
    async fn claim_review_reminders(
        &self,
        claims: &[ReminderClaim],
        moves: &[(ReminderKey, DateTime<Utc>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError>;

    /// Records how the claimed reminder's send went.
    async fn record_review_reminder(
        &self,
        key: ReminderKey,
        local_date: NaiveDate,
        sent: bool,
    ) -> Result<(), StoreError>;
}

/// Turning a reminder on ($1 scope, $2 user, $3 channel, $4 time, $5 zone,
/// $6 next, $7 now).
const ENABLE: &str = "INSERT INTO review_reminders (scope_id, user_id, channel_id, local_time,
 time_zone, enabled, next_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
 ON CONFLICT (scope_id, user_id) DO UPDATE SET channel_id = excluded.channel_id,
 local_time = excluded.local_time, time_zone = excluded.time_zone, enabled = 1,
 next_at_ms = excluded.next_at_ms, updated_at_ms = excluded.updated_at_ms";

/// Turning it off ($1 scope platform, $2 scope id, $3 user platform,
/// $4 user id, $5 now).
const DISABLE: &str = "UPDATE review_reminders SET enabled = 0, updated_at_ms = $5
 WHERE enabled = 1
 AND scope_id = (SELECT id FROM scopes WHERE platform = $1 AND platform_scope_id = $2)
 AND user_id = (SELECT id FROM users WHERE platform = $3 AND platform_user_id = $4)";

/// The columns of a reminder with its scope and player.
const REMINDER_COLUMNS: &str = "SELECT r.scope_id, r.user_id, s.platform, s.platform_scope_id,
 u.platform_user_id, u.display_name, r.channel_id, r.local_time, r.time_zone, r.enabled,
 r.next_at_ms";

/// One player's setting ($1 scope platform, $2 scope id, $3 user platform,
/// $4 user id).
const REMINDER: &str = "
 , CAST(0 AS BIGINT) AS due FROM review_reminders r
 JOIN scopes s ON s.id = r.scope_id JOIN users u ON u.id = r.user_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND u.platform = $3 AND u.platform_user_id = $4";

/// The due reminders of one platform ($1 now, $2 platform), with each
/// player's due cards counted on `review_cards_due`.
const DUE: &str = "
 , (SELECT COUNT(*) FROM review_cards c
    WHERE c.scope_id = r.scope_id AND c.user_id = r.user_id AND c.due_at_ms <= $1) AS due
 FROM review_reminders r
 JOIN scopes s ON s.id = r.scope_id JOIN users u ON u.id = r.user_id
 WHERE r.enabled = 1 AND r.next_at_ms <= $1 AND s.platform = $2
 ORDER BY r.next_at_ms, r.scope_id, r.user_id";

/// A claim: inserted by the first process only.
const CLAIM: &str = "INSERT INTO review_reminders_sent (scope_id, user_id, local_date, due,
 claimed_by, claimed_at_ms, status) VALUES ($1, $2, $3, $4, $5, $6, 'claimed')
 ON CONFLICT (scope_id, user_id, local_date) DO NOTHING
 RETURNING scope_id";

/// Moving a reminder to its next time (never back).
const MOVE: &str = "UPDATE review_reminders SET next_at_ms = $3
 WHERE scope_id = $1 AND user_id = $2 AND next_at_ms < $3";

/// How a claimed reminder's send went.
const RECORD: &str = "UPDATE review_reminders_sent SET status = $4
 WHERE scope_id = $1 AND user_id = $2 AND local_date = $3";

#[derive(sqlx::FromRow)]
struct ReminderRow {
    scope_id: i64,
    user_id: i64,
    platform: String,
    platform_scope_id: String,
    platform_user_id: String,
    display_name: String,
    channel_id: String,
    local_time: String,
    time_zone: String,
    enabled: i64,
    next_at_ms: i64,
    due: i64,
}

impl ReminderRow {
    fn into_due(self) -> Result<DueReminder, StoreError> {
        let id = format!("{}/{}", self.scope_id, self.user_id);
        let platform = platform("review_reminders", &id, &self.platform)?;
        let scope = ScopeRef::new(platform, self.platform_scope_id);
        Ok(DueReminder {
            key: ReminderKey {
                scope_id: self.scope_id,
                user_id: self.user_id,
            },
            user: UserRef::new(platform, self.platform_user_id, self.display_name),
            reminder: ReviewReminder {
                channel: ChannelRef::new(scope, self.channel_id),
                local_time: self.local_time,
                time_zone: self.time_zone,
                enabled: self.enabled != 0,
                next_at: instant("review_reminders", &id, self.next_at_ms)?,
            },
            due: self.due,
        })
    }
}

/// `ReminderStore` on an engine: the statements are shared; only the
/// pool's and the write transaction's types differ.
macro_rules! reminder_store {
    ($store:ty) => {
        #[async_trait]
        impl ReminderStore for $store {
            async fn enable_review_reminder(
                &self,
                channel: &ChannelRef,
                user: &UserRef,
                local_time: &str,
                time_zone: &str,
                next_at: DateTime<Utc>,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let mut tx = self.write_tx().await?;
                let scope_id = Self::scope_id(&mut tx, &channel.scope).await?;
                let user_id = Self::user_id(&mut tx, user).await?;
                sqlx::query(ENABLE)
                    .bind(scope_id)
                    .bind(user_id)
                    .bind(&channel.id)
                    .bind(local_time)
                    .bind(time_zone)
                    .bind(millis(next_at))
                    .bind(millis(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn disable_review_reminder(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
                now: DateTime<Utc>,
            ) -> Result<bool, StoreError> {
                let mut tx = self.write_tx().await?;
                let changed = sqlx::query(DISABLE)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .bind(user.platform.as_str())
                    .bind(&user.id)
                    .bind(millis(now))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(changed > 0)
            }

            async fn review_reminder(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
            ) -> Result<Option<ReviewReminder>, StoreError> {
                let row: Option<ReminderRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("{REMINDER_COLUMNS}{REMINDER}")))
                        .bind(scope.platform.as_str())
                        .bind(&scope.id)
                        .bind(user.platform.as_str())
                        .bind(&user.id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(|row| row.into_due().map(|due| due.reminder))
                    .transpose()
            }

            async fn due_review_reminders(
                &self,
                now: DateTime<Utc>,
                platforms: &[Platform],
            ) -> Result<Vec<DueReminder>, StoreError> {
                let mut due = Vec::new();
                for platform in platforms {
                    let rows: Vec<ReminderRow> =
                        sqlx::query_as(sqlx::AssertSqlSafe(format!("{REMINDER_COLUMNS}{DUE}")))
                            .bind(millis(now))
                            .bind(platform.as_str())
                            .fetch_all(&self.pool)
                            .await?;
                    for row in rows {
                        due.push(row.into_due()?);
                    }
                }
                Ok(due)
            }

            async fn claim_review_reminders(
                &self,
                claims: &[ReminderClaim],
                moves: &[(ReminderKey, DateTime<Utc>)],
                now: DateTime<Utc>,
            ) -> Result<Vec<bool>, StoreError> {
                // In key order, so two processes lock the rows in one order.
                let mut order: Vec<usize> = (0..claims.len()).collect();
                order.sort_by_key(|&i| (claims[i].key, claims[i].local_date));
                let mut moves: Vec<&(ReminderKey, DateTime<Utc>)> = moves.iter().collect();
                moves.sort_by_key(|(key, _)| *key);
                let mut won = vec![false; claims.len()];
                let mut tx = self.write_tx().await?;
                for i in order {
                    let claim = &claims[i];
                    let inserted: Option<i64> = sqlx::query_scalar(CLAIM)
                        .bind(claim.key.scope_id)
                        .bind(claim.key.user_id)
                        .bind(claim.local_date.to_string())
                        .bind(claim.due)
                        .bind(&claim.claimed_by)
                        .bind(millis(now))
                        .fetch_optional(&mut *tx)
                        .await?;
                    won[i] = inserted.is_some();
                }
                for (key, next) in moves {
                    sqlx::query(MOVE)
                        .bind(key.scope_id)
                        .bind(key.user_id)
                        .bind(millis(*next))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(won)
            }

            async fn record_review_reminder(
                &self,
                key: ReminderKey,
                local_date: NaiveDate,
                sent: bool,
            ) -> Result<(), StoreError> {
                let mut tx = self.write_tx().await?;
                sqlx::query(RECORD)
                    .bind(key.scope_id)
                    .bind(key.user_id)
                    .bind(local_date.to_string())
                    .bind(if sent { "sent" } else { "failed" })
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

reminder_store!(SqliteStore);
reminder_store!(PgStore);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::at;
    use crate::store::tests::on_both_engines;
    use crate::store::{AskedItem, ReviewCard};

    fn asked(item_id: &str) -> AskedItem {
        AskedItem {
            item_id: item_id.into(),
            question: crate::content::Question {
                id: item_id.into(),
                prompt: format!("Question {item_id}?"),
                choices: Vec::new(),
                answer_index: None,
                answers: vec!["1917".into()],
                source_sentence: None,
                kind: "number".into(),
                origin: crate::content::QuestionOrigin::Generated,
                explanation: None,
            },
        }
    }

    fn card(due: DateTime<Utc>) -> ReviewCard {
        ReviewCard {
            due,
            stability: 1.0,
            difficulty: 5.0,
            elapsed_days: 0,
            scheduled_days: 0,
            reps: 1,
            lapses: 1,
            state: 3,
            last_review: at(6),
        }
    }

    on_both_engines! {
    /// A reminder turned on is found when its time comes, with the
    /// player's due cards counted; a claim for a date is won once; moving
    /// it on hides it until then; turned off, it is no longer found.
    async fn a_reminder_is_found_at_its_time_and_claimed_once_a_day(store, raw) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "channel");
        let ann = UserRef::new(Platform::Discord, "7", "Ann");
        store.record_review(&scope, &ann, &asked("a"), &card(at(8)), false, at(6)).await.unwrap();
        store.record_review(&scope, &ann, &asked("b"), &card(at(20)), false, at(6)).await.unwrap();
        store
            .enable_review_reminder(&channel, &ann, "17:00", "UTC", at(17), at(6))
            .await
            .unwrap();
        let setting = store.review_reminder(&scope, &ann).await.unwrap().unwrap();
        assert_eq!(
            (setting.enabled, setting.local_time.as_str(), setting.next_at),
            (true, "17:00", at(17))
        );
        assert!(store.due_review_reminders(at(16), &[Platform::Discord]).await.unwrap().is_empty());
        assert!(
            store.due_review_reminders(at(17), &[Platform::Matrix]).await.unwrap().is_empty(),
            "another platform's scheduler does not see it"
        );
        let due = store.due_review_reminders(at(17), &[Platform::Discord]).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].due, &due[0].user, &due[0].reminder.channel), (1, &ann, &channel));

        let claim = ReminderClaim {
            key: due[0].key,
            local_date: at(17).date_naive(),
            due: 1,
            claimed_by: "main".into(),
        };
        let next = at(17) + chrono::Duration::days(1);
        let won = store
            .claim_review_reminders(std::slice::from_ref(&claim), &[(due[0].key, next)], at(17))
            .await
            .unwrap();
        assert_eq!(won, [true]);
        let again = store.claim_review_reminders(&[claim], &[], at(17)).await.unwrap();
        assert_eq!(again, [false], "a second claim for the day loses");
        assert!(store.due_review_reminders(at(18), &[Platform::Discord]).await.unwrap().is_empty());
        store.record_review_reminder(due[0].key, at(17).date_naive(), true).await.unwrap();
        assert_eq!(
            raw.count("SELECT COUNT(*) FROM review_reminders_sent WHERE status = 'sent'").await,
            1
        );

        assert!(store.disable_review_reminder(&scope, &ann, at(18)).await.unwrap());
        assert!(!store.disable_review_reminder(&scope, &ann, at(18)).await.unwrap());
        assert!(store.due_review_reminders(next, &[Platform::Discord]).await.unwrap().is_empty());
        assert!(!store.review_reminder(&scope, &ann).await.unwrap().unwrap().enabled);
    }
    }
}
