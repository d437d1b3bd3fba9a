//! "Now" and "wake me at", replaceable in tests. Everything that depends on
//! time (quiz rounds, speed points, leaderboards, daily posts) asks a
//! [`Clock`], so tests move time by hand with [`ManualClock`] instead of
//! sleeping, and database work never races a fake timer.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// A source of the current time that can also wait for a moment.
#[async_trait]
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Completes once `now() >= deadline`.
    async fn sleep_until(&self, deadline: DateTime<Utc>);

    /// Waits for `duration` from now.
    async fn sleep(&self, duration: Duration) {
        let deadline =
            self.now() + chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX);
        self.sleep_until(deadline).await;
    }
}

/// The real clock, with tokio timers.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn sleep_until(&self, deadline: DateTime<Utc>) {
        // Re-check after waking: the wall clock may have been adjusted.
        loop {
            let left = deadline - Utc::now();
            match left.to_std() {
                Ok(left) if !left.is_zero() => tokio::time::sleep(left).await,
                _ => return,
            }
        }
    }
}

/// A clock that moves only when a test moves it; sleepers wake as it passes
/// their deadline.
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<DateTime<Utc>>,
    /// The deadlines sleepers wait for, so a test can move time only once
    /// something waits (a wait that starts after the move would not end).
    sleepers: watch::Sender<Vec<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: watch::Sender::new(now),
            sleepers: watch::Sender::new(Vec::new()),
        }
    }

    /// Returns once something sleeps until `deadline`.
    pub async fn wait_for_sleeper(&self, deadline: DateTime<Utc>) {
        let mut sleepers = self.sleepers.subscribe();
        // The sender lives as long as the clock, which outlives the wait.
        let _ = sleepers.wait_for(|all| all.contains(&deadline)).await;
    }

    pub fn set(&self, now: DateTime<Utc>) {
        self.now.send_replace(now);
    }

    pub fn advance(&self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        self.now.send_modify(|now| *now += by);
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    async fn sleep_until(&self, deadline: DateTime<Utc>) {
        /// Takes the deadline off the list however the wait ends.
        struct Sleeping<'a>(&'a ManualClock, DateTime<Utc>);
        impl Drop for Sleeping<'_> {
            fn drop(&mut self) {
                self.0.sleepers.send_modify(|all| {
                    if let Some(at) = all.iter().position(|d| *d == self.1) {
                        all.swap_remove(at);
                    }
                });
            }
        }
        let mut receiver = self.now.subscribe();
        self.sleepers.send_modify(|all| all.push(deadline));
        let _sleeping = Sleeping(self, deadline);
        // The sender lives as long as the clock, which outlives the wait.
        let _ = receiver.wait_for(|now| *now >= deadline).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_sleepers_wake_when_time_passes_their_deadline() {
        let clock = std::sync::Arc::new(ManualClock::new(DateTime::UNIX_EPOCH));
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep(Duration::from_secs(10)).await })
        };
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(9));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(1));
        sleeper.await.unwrap();
        assert_eq!(
            clock.now(),
            DateTime::UNIX_EPOCH + chrono::Duration::seconds(10)
        );
    }
}
