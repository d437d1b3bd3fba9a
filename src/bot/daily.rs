//! The daily "on this day" post: `/daily set|off|status` and the scheduler
//! that posts to every subscribed channel at its local time, exactly once a
//! day, through the platform-neutral [`Outbox`](super::Outbox).
//!
//! Each tick finds every due subscription with one indexed query, decides
//! (pure rules in `study::daily`) whether today's post is due or a missed
//! past day is skipped, chooses each channel's event without repeats, then
//! claims all posts in one transaction. Only posts this process claimed are
//! sent, so two schedulers on one database, or a restart in the middle of
//! the minute, still post once. Failed sends are retried with backoff and
//! recorded; a channel that is gone or forbids posting is disabled. Each
//! tick also sends the review reminders whose time has come
//! ([`super::reminder`]), claimed the same way.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::identity::{ChannelRef, Platform};
use crate::store::{DailyClaim, DailyOutcome, StoreError};
use crate::study::daily::{self, Due};
use crate::study::onthisday::{self, event_key};

use super::command::DailyCommand;
use super::outbox::SendError;
use super::reply::{Message, escape};
use super::{Bot, BotError, Origin, render};

/// Days in a row a channel's post may fail after every retry before the
/// daily post is turned off there.
pub const FAILED_DAYS_LIMIT: u32 = 3;

/// How long to wait before each retry of a failed send.
pub const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_secs(60),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
];

impl Bot {
    pub(crate) async fn daily_command(
        &self,
        origin: &Origin,
        command: DailyCommand,
    ) -> Result<Vec<Message>, BotError> {
        let store = &self.inner.store;
        let now = self.inner.clock.now();
        let p = self.prefix(origin.channel.scope.platform);
        if !matches!(command, DailyCommand::Status) && !origin.is_admin {
            return Err(BotError::User(
                "Only an admin can change this channel's daily post.".into(),
            ));
        }
        let text = match command {
            DailyCommand::Set { time, zone } => {
                let zone = zone.unwrap_or_else(|| self.scope_time_zone(origin.scope()));
                let next = daily::next_fire_after(now, time, zone);
                let local_time = time.format("%H:%M").to_string();
                store
                    .set_daily_subscription(&origin.channel, &local_time, zone.name(), next, now)
                    .await?;
                format!(
                    "Daily “on this day” post set for {local_time} {}. Next: {}.",
                    zone.name(),
                    describe_instant(next, zone)
                )
            }
            DailyCommand::Off => {
                if store
                    .disable_daily_subscription(&origin.channel, "turned off", now)
                    .await?
                {
                    format!("Daily post turned off. {p}daily set HH:MM turns it back on.")
                } else {
                    "This channel has no daily post to turn off.".to_string()
                }
            }
            DailyCommand::Status => match store.daily_subscription(&origin.channel).await? {
                Some(subscription) if subscription.enabled => {
                    let zone =
                        daily::parse_time_zone(&subscription.time_zone).unwrap_or(chrono_tz::UTC);
                    format!(
                        "Daily post at {} {}. Next: {}.",
                        subscription.local_time,
                        subscription.time_zone,
                        describe_instant(subscription.next_fire_at, zone)
                    )
                }
                Some(subscription) => format!(
                    "The daily post is off here ({}). An admin can turn it on with {p}daily set HH:MM [time zone].",
                    escape(
                        subscription
                            .disabled_reason
                            .as_deref()
                            .unwrap_or("turned off")
                    )
                ),
                None => format!(
                    "No daily post here. An admin can start one with {p}daily set HH:MM [time zone]."
                ),
            },
        };
        Ok(vec![Message::text(text)])
    }
}

/// "Thu 26 Nov 08:00 CET (07:00 UTC)".
fn describe_instant(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    let local = at.with_timezone(&zone);
    format!(
        "{} ({} UTC)",
        local.format("%a %-d %b %Y %H:%M %Z"),
        at.format("%H:%M")
    )
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Subscriptions found due.
    pub due: usize,
    /// Posts this process claimed and sent on the first attempt.
    pub sent: usize,
    /// Posts another process had claimed already.
    pub claimed_elsewhere: usize,
    /// Due firings of past days, skipped.
    pub skipped: usize,
    /// Posts whose first attempt failed (retried in the background).
    pub retrying: usize,
    /// Channels disabled because they are gone or forbid posting.
    pub disabled: usize,
    /// Review reminders this process claimed and sent ([`super::reminder`]).
    pub reminders_sent: usize,
    /// Review reminders another process had claimed for the day.
    pub reminders_claimed_elsewhere: usize,
    /// Reminders whose time came with no review due (none sent today).
    pub reminders_not_due: usize,
    /// Reminders claimed whose send failed (recorded, not retried).
    pub reminders_failed: usize,
}

/// A post this process claimed and must send.
struct Planned {
    subscription_id: i64,
    channel: ChannelRef,
    local_date: NaiveDate,
    message: Message,
    /// Sent with every attempt, so the platform drops repeats.
    nonce: String,
}

/// How far back start-up looks for posts claimed but never sent (only
/// today's, in each channel's zone, are re-sent).
const UNSENT_LOOKBACK: chrono::Duration = chrono::Duration::days(2);

/// A new nonce for a claim: 24 characters, within Discord's 25.
fn new_nonce() -> String {
    format!("daily-{:018x}", fastrand::u64(..) >> 8)
}

/// Posts the daily fact to every subscribed channel of the platforms this
/// process serves, at its local time. One per process (the app starts it).
pub struct DailyScheduler {
    bot: Bot,
    /// Only these platforms' subscriptions are claimed and sent.
    platforms: Vec<Platform>,
    retries: std::sync::Mutex<JoinSet<()>>,
    /// What the last tick of [`DailyScheduler::run`] did.
    reports: watch::Sender<TickReport>,
}

impl DailyScheduler {
    pub fn new(bot: Bot, platforms: Vec<Platform>) -> Arc<Self> {
        Arc::new(Self {
            bot,
            platforms,
            retries: std::sync::Mutex::new(JoinSet::new()),
            reports: watch::Sender::new(TickReport::default()),
        })
    }

    pub(crate) fn bot(&self) -> &Bot {
        &self.bot
    }

    pub(crate) fn platforms(&self) -> &[Platform] {
        &self.platforms
    }

    /// Follows what each tick of [`DailyScheduler::run`] did.
    pub fn reports(&self) -> watch::Receiver<TickReport> {
        self.reports.subscribe()
    }

    /// Handles everything due now (daily posts, then review reminders).
    /// Safe to run from several processes.
    #[tracing::instrument(skip_all)]
    pub async fn tick(self: &Arc<Self>) -> Result<TickReport, StoreError> {
        let inner = &self.bot.inner;
        let now = inner.clock.now();
        let due = inner
            .store
            .due_daily_subscriptions(now, &self.platforms)
            .await?;
        let mut report = TickReport {
            due: due.len(),
            ..TickReport::default()
        };
        let mut claims = Vec::new();
        let mut plans = Vec::new();
        let mut skips = Vec::new();
        // Channels due together mostly get the same event: render it once.
        let mut rendered: HashMap<(NaiveDate, String), Message> = HashMap::new();
        for item in due {
            let subscription = item.subscription;
            let zone = daily::parse_time_zone(&subscription.time_zone).unwrap_or(chrono_tz::UTC);
            let Ok(time) = daily::parse_time_of_day(&subscription.local_time) else {
                tracing::warn!(
                    id = subscription.id,
                    "a daily subscription has an unreadable time"
                );
                continue;
            };
            match daily::due_action(now, time, zone) {
                Due::Skip { next } => {
                    report.skipped += 1;
                    skips.push((subscription.id, next));
                }
                Due::Post { local_date, next } => {
                    let used: HashSet<String> = item.used_events.into_iter().collect();
                    let Some(choice) =
                        onthisday::choose_for_channel(&inner.events, local_date, &used)
                    else {
                        // The pack has nothing for this month: nothing to post today.
                        skips.push((subscription.id, next));
                        continue;
                    };
                    let cycle = subscription.cycle + i64::from(choice.new_cycle);
                    let key = event_key(choice.event);
                    let message = rendered
                        .entry((local_date, key.clone()))
                        .or_insert_with(|| {
                            render::daily_post_message(
                                &inner.pack,
                                &inner.answerer,
                                local_date,
                                choice.framing,
                                choice.event,
                            )
                        })
                        .clone();
                    let nonce = new_nonce();
                    claims.push(DailyClaim {
                        subscription_id: subscription.id,
                        local_date,
                        event_key: key,
                        cycle,
                        next_fire: next,
                        nonce: nonce.clone(),
                        claimed_by: inner.settings.instance.clone(),
                    });
                    plans.push(Planned {
                        subscription_id: subscription.id,
                        channel: subscription.channel,
                        local_date,
                        message,
                        nonce,
                    });
                }
            }
        }
        let won = inner.store.claim_daily_posts(&claims, &skips, now).await?;
        let mine: Vec<Planned> = plans
            .into_iter()
            .zip(won)
            .filter_map(|(plan, won)| {
                if !won {
                    report.claimed_elsewhere += 1;
                }
                won.then_some(plan)
            })
            .collect();
        self.send(mine, &mut report).await?;
        self.remind(&mut report).await?;
        Ok(report)
    }

    /// Re-sends the posts this process (its `instance`) claimed for today
    /// but never sent, because it stopped (or crashed) between the claim
    /// and the send, or while a failed post waited for its retry. Each goes
    /// out with the nonce chosen at its claim, so a platform that already
    /// got it drops the repeat (Discord within a few minutes, Matrix for
    /// the same session). Posts of past days stay unsent. The app runs this
    /// once, when the platforms are connected, before the first tick.
    #[tracing::instrument(skip_all)]
    pub async fn resend_unsent(self: &Arc<Self>) -> Result<TickReport, StoreError> {
        let inner = &self.bot.inner;
        let now = inner.clock.now();
        let unsent = inner
            .store
            .unsent_daily_posts(
                &inner.settings.instance,
                &self.platforms,
                now - UNSENT_LOOKBACK,
            )
            .await?;
        let mut report = TickReport {
            due: unsent.len(),
            ..TickReport::default()
        };
        let mut plans = Vec::new();
        for post in unsent {
            let subscription = post.subscription;
            let zone = daily::parse_time_zone(&subscription.time_zone).unwrap_or(chrono_tz::UTC);
            if daily::local_date(now, zone) != post.local_date {
                report.skipped += 1;
                continue;
            }
            let Some(message) = self.rerender(post.local_date, &post.event_key) else {
                tracing::warn!(
                    id = subscription.id,
                    event = %post.event_key,
                    "an unsent daily post's event is no longer in the pack"
                );
                report.skipped += 1;
                continue;
            };
            plans.push(Planned {
                subscription_id: subscription.id,
                channel: subscription.channel,
                local_date: post.local_date,
                message,
                nonce: post.nonce,
            });
        }
        if !plans.is_empty() {
            tracing::info!(
                count = plans.len(),
                "re-sending daily posts claimed before a stop"
            );
        }
        self.send(plans, &mut report).await?;
        Ok(report)
    }

    /// The message of a claimed post, rendered again from its date and
    /// event key as the tick that claimed it rendered it.
    fn rerender(&self, local_date: NaiveDate, event_key: &str) -> Option<Message> {
        let inner = &self.bot.inner;
        // Every other event counts as used, so the choice is this event,
        // with the framing it had for this date.
        let others: HashSet<String> = inner
            .events
            .iter()
            .map(onthisday::event_key)
            .filter(|key| key != event_key)
            .collect();
        let choice = onthisday::choose_for_channel(&inner.events, local_date, &others)
            .filter(|choice| onthisday::event_key(choice.event) == event_key)?;
        Some(render::daily_post_message(
            &inner.pack,
            &inner.answerer,
            local_date,
            choice.framing,
            choice.event,
        ))
    }

    /// Sends claimed posts (first attempts, concurrently), records how each
    /// went, disables gone channels and starts retries for failed sends.
    async fn send(
        self: &Arc<Self>,
        plans: Vec<Planned>,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let inner = &self.bot.inner;
        let now = inner.clock.now();
        let mut sends = JoinSet::new();
        for plan in plans {
            let outbox = inner.outbox.clone();
            sends.spawn(async move {
                let result = outbox
                    .post_once(&plan.channel, &plan.message, &plan.nonce)
                    .await;
                (plan, result)
            });
        }
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        while let Some(joined) = sends.join_next().await {
            let Ok((plan, result)) = joined else { continue };
            match result {
                Ok(_) => {
                    report.sent += 1;
                    sent.push((plan.subscription_id, plan.local_date));
                }
                Err(error) => failed.push((plan, error)),
            }
        }
        let mut records: Vec<(i64, NaiveDate, DailyOutcome<'_>)> = sent
            .iter()
            .map(|&(id, date)| (id, date, DailyOutcome::Sent))
            .collect();
        let errors: Vec<String> = failed.iter().map(|(_, e)| e.to_string()).collect();
        for ((plan, error), text) in failed.iter().zip(&errors) {
            records.push((
                plan.subscription_id,
                plan.local_date,
                match error {
                    SendError::Gone(_) => DailyOutcome::Failed(text),
                    SendError::Failed(_) => DailyOutcome::Retrying(text),
                },
            ));
        }
        inner
            .store
            .record_daily_attempts(&records, FAILED_DAYS_LIMIT, inner.clock.now())
            .await?;
        for (plan, error) in failed {
            match error {
                SendError::Gone(reason) => {
                    report.disabled += 1;
                    tracing::warn!(channel = %plan.channel.id, %reason, "daily post channel is gone; disabling it");
                    inner
                        .store
                        .disable_daily_by_id(
                            plan.subscription_id,
                            &format!("the channel is gone or forbids posting: {reason}"),
                            now,
                        )
                        .await?;
                }
                SendError::Failed(reason) => {
                    report.retrying += 1;
                    tracing::warn!(channel = %plan.channel.id, %reason, "daily post failed; will retry");
                    let scheduler = self.clone();
                    let mut retries = self.retries.lock().unwrap_or_else(|e| e.into_inner());
                    // Finished retries are dropped here, so the set holds
                    // only those in flight.
                    while retries.try_join_next().is_some() {}
                    retries.spawn(async move { scheduler.retry(plan, now).await });
                }
            }
        }
        Ok(())
    }

    /// Retries a failed post after each of [`RETRY_DELAYS`] (counted from
    /// the first failure), recording every attempt; gives up (status
    /// `failed`) after the last.
    async fn retry(&self, plan: Planned, failed_at: DateTime<Utc>) {
        let inner = &self.bot.inner;
        let mut due = failed_at;
        for (attempt, delay) in RETRY_DELAYS.iter().enumerate() {
            due += chrono::Duration::from_std(*delay).unwrap_or_default();
            inner.clock.sleep_until(due).await;
            let result = inner
                .outbox
                .post_once(&plan.channel, &plan.message, &plan.nonce)
                .await;
            let last = attempt + 1 == RETRY_DELAYS.len();
            let (outcome, gone) = match &result {
                Ok(_) => (Ok(()), false),
                Err(error) => (Err(error.to_string()), matches!(error, SendError::Gone(_))),
            };
            let record = match &outcome {
                Ok(()) => DailyOutcome::Sent,
                Err(text) if gone || last => DailyOutcome::Failed(text),
                Err(text) => DailyOutcome::Retrying(text),
            };
            let now = inner.clock.now();
            if let Err(error) = inner
                .store
                .record_daily_attempts(
                    &[(plan.subscription_id, plan.local_date, record)],
                    FAILED_DAYS_LIMIT,
                    now,
                )
                .await
            {
                tracing::error!(error = ?error, "could not record a daily post attempt");
            }
            if gone {
                let _ = inner
                    .store
                    .disable_daily_by_id(
                        plan.subscription_id,
                        "the channel is gone or forbids posting",
                        now,
                    )
                    .await;
            }
            if outcome.is_ok() || gone {
                return;
            }
        }
        tracing::error!(channel = %plan.channel.id, "daily post failed after every retry");
    }

    /// Waits for retries in flight (tests, shutdown).
    pub async fn finish_retries(&self) {
        let mut retries =
            std::mem::take(&mut *self.retries.lock().unwrap_or_else(|e| e.into_inner()));
        while retries.join_next().await.is_some() {}
    }

    /// Ticks at the start of every minute until `shutdown` turns true.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        // A post sent before the platforms are connected would only fail
        // and wait for its retry.
        tokio::select! {
            () = self.bot.inner.outbox.connected() => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        match self.resend_unsent().await {
            Ok(report) => {
                self.reports.send_replace(report);
            }
            Err(error) => tracing::error!(error = ?error, "re-sending unsent daily posts failed"),
        }
        loop {
            match self.tick().await {
                Ok(report) => {
                    self.reports.send_replace(report);
                }
                Err(error) => tracing::error!(error = ?error, "daily post tick failed"),
            }
            let now = self.bot.inner.clock.now();
            let next_minute = now + chrono::Duration::seconds(60 - i64::from(now.second()))
                - chrono::Duration::nanoseconds(i64::from(now.nanosecond()));
            tokio::select! {
                () = self.bot.inner.clock.sleep_until(next_minute) => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }
}
