//! The daily review reminder, opt-in: `/review remind on [HH:MM]` and
//! `/review remind off`, and what the daily scheduler sends: once a day at
//! the player's local time, when some of their reviews in that scope are
//! due, a private note saying how many (a Discord direct message, a Matrix
//! direct-message room, the terminal as it is). Nothing is sent on a day
//! with none due.
//!
//! Each reminder is claimed in the store for its local date before it is
//! sent ([`crate::store::ReminderStore`]), so it goes out once a day at
//! most across restarts and processes; a failed send is recorded, not
//! retried (tomorrow's reminder will come).

use chrono::NaiveTime;
use tokio::task::JoinSet;

use crate::store::{DueReminder, ReminderClaim, StoreError};
use crate::study::daily;

use super::daily::{DailyScheduler, TickReport};
use super::reply::{Message, escape};
use super::{Bot, BotError, Origin};

/// The local time a reminder goes out at unless the player names one.
pub const DEFAULT_REMINDER_TIME: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

impl Bot {
    /// `/review remind on [HH:MM]` and `/review remind off`, answered
    /// privately.
    pub(crate) async fn review_remind(
        &self,
        origin: &Origin,
        on: bool,
        time: Option<NaiveTime>,
    ) -> Result<Vec<Message>, BotError> {
        let store = &self.inner.store;
        let now = self.inner.clock.now();
        let p = self.prefix(origin.channel.scope.platform);
        let text = if on {
            let zone = self.scope_time_zone(origin.scope());
            let time = time.unwrap_or(DEFAULT_REMINDER_TIME);
            let local_time = time.format("%H:%M").to_string();
            let next = daily::next_fire_after(now, time, zone);
            store
                .enable_review_reminder(
                    &origin.channel,
                    &origin.user,
                    &local_time,
                    zone.name(),
                    next,
                    now,
                )
                .await?;
            format!(
                "Daily review reminder on: each day at {local_time} {}, when some of your reviews \
                 here are due, I tell you privately how many. {p}review remind off stops it.",
                zone.name()
            )
        } else if store
            .disable_review_reminder(origin.scope(), &origin.user, now)
            .await?
        {
            format!("Daily review reminder off. {p}review remind on [HH:MM] turns it back on.")
        } else {
            format!(
                "Your daily review reminder was not on here. {p}review remind on [HH:MM] turns it on."
            )
        };
        Ok(vec![Message::text(text).private()])
    }

    /// The reminder's words: how many reviews are due, and how to start.
    fn reminder_message(&self, due: &DueReminder) -> Message {
        let p = self.prefix(due.reminder.channel.scope.platform);
        let count = due.due;
        Message::titled(
            "Reviews due",
            format!(
                "{}, you have {count} review{} due. {p}review in the channel where you turned \
                 on this reminder practises {}, privately and never scored.",
                escape(&due.user.display_name),
                if count == 1 { "" } else { "s" },
                if count == 1 { "it" } else { "them" },
            ),
        )
        .with_footer(format!("{p}review remind off stops these notes."))
        .private()
    }
}

impl DailyScheduler {
    /// Sends the reminders whose time has come (on this scheduler's
    /// platforms): each due one with reviews due is claimed for its local
    /// date, and only those this process claimed are sent; every one is
    /// moved to its next time, so a day without due reviews sends nothing.
    pub(crate) async fn remind(&self, report: &mut TickReport) -> Result<(), StoreError> {
        let inner = &self.bot().inner;
        let now = inner.clock.now();
        let due = inner
            .store
            .due_review_reminders(now, self.platforms())
            .await?;
        if due.is_empty() {
            return Ok(());
        }
        let mut claims = Vec::new();
        let mut planned = Vec::new();
        let mut moves = Vec::new();
        for reminder in due {
            let zone =
                daily::parse_time_zone(&reminder.reminder.time_zone).unwrap_or(chrono_tz::UTC);
            let time = daily::parse_time_of_day(&reminder.reminder.local_time)
                .unwrap_or(DEFAULT_REMINDER_TIME);
            moves.push((reminder.key, daily::next_fire_after(now, time, zone)));
            if reminder.due == 0 {
                report.reminders_not_due += 1;
                continue;
            }
            let local_date = daily::local_date(now, zone);
            claims.push(ReminderClaim {
                key: reminder.key,
                local_date,
                due: reminder.due,
                claimed_by: inner.settings.instance.clone(),
            });
            planned.push((reminder, local_date));
        }
        let won = inner
            .store
            .claim_review_reminders(&claims, &moves, now)
            .await?;
        let mut sends = JoinSet::new();
        for ((reminder, local_date), won) in planned.into_iter().zip(won) {
            if !won {
                report.reminders_claimed_elsewhere += 1;
                continue;
            }
            let outbox = inner.outbox.clone();
            let message = self.bot().reminder_message(&reminder);
            sends.spawn(async move {
                let result = outbox
                    .post_private(&reminder.user, &reminder.reminder.channel, &message)
                    .await;
                (reminder, local_date, result)
            });
        }
        while let Some(joined) = sends.join_next().await {
            let Ok((reminder, local_date, result)) = joined else {
                continue;
            };
            if let Err(error) = &result {
                tracing::warn!(user = %reminder.user.id, %error, "a review reminder could not be sent");
                report.reminders_failed += 1;
            } else {
                report.reminders_sent += 1;
            }
            inner
                .store
                .record_review_reminder(reminder.key, local_date, result.is_ok())
                .await?;
        }
        Ok(())
    }
}
