//! Daily-post scheduler at scale: 10,000 channels due in the same minute,
//! one tick through a fake transport that accepts every post.
//!
//! `cargo bench --bench daily` prints the tick time (target: under 1 s) and
//! its parts. Setup (subscribing the channels) is not timed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic on failure

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use lectern::bot::{Bot, BotSettings, DailyScheduler, Message, Outbox, PostedMessage, SendError};
use lectern::clock::ManualClock;
use lectern::content::Pack;
use lectern::identity::{ChannelRef, Platform, ScopeRef};
use lectern::store::Store;

const CHANNELS: usize = 10_000;

#[derive(Default)]
struct CountingOutbox {
    posts: AtomicUsize,
}

#[async_trait]
impl Outbox for CountingOutbox {
    async fn post(&self, _: &ChannelRef, _: &Message) -> Result<PostedMessage, SendError> {
        let n = self.posts.fetch_add(1, Ordering::Relaxed);
        Ok(PostedMessage(n.to_string()))
    }

    async fn edit(&self, _: &ChannelRef, _: &PostedMessage, _: &Message) -> Result<(), SendError> {
        Ok(())
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("bench.db")).await.expect("database");
        let set_at: DateTime<Utc> = "2026-11-25T07:00:00Z".parse().expect("time");
        let due_at: DateTime<Utc> = "2026-11-25T08:00:00Z".parse().expect("time");
        for i in 0..CHANNELS {
            let channel = ChannelRef::new(ScopeRef::new(Platform::Discord, format!("guild-{}", i / 10)), format!("channel-{i}"));
            store
                .set_daily_subscription(&channel, "08:00", "Europe/London", due_at, set_at)
                .await
                .expect("subscribe");
        }
        let clock = Arc::new(ManualClock::new(due_at));
        let outbox = Arc::new(CountingOutbox::default());
        let pack = Arc::new(Pack::bundled().expect("pack"));
        let bot = Bot::new(pack, store, outbox.clone(), clock, BotSettings::default());
        let scheduler = DailyScheduler::new(bot, vec![Platform::Discord]);
        let started = Instant::now();
        let report = scheduler.tick().await.expect("tick");
        let elapsed = started.elapsed();
        assert_eq!(report.sent, CHANNELS, "{report:?}");
        assert_eq!(outbox.posts.load(Ordering::Relaxed), CHANNELS);
        println!("daily/tick: {CHANNELS} channels due in one minute posted in {elapsed:?} ({:.0} posts/s)", CHANNELS as f64 / elapsed.as_secs_f64());
        let started = Instant::now();
        let idle = scheduler.tick().await.expect("tick");
        println!("daily/tick-idle: nothing due, {:?} ({} due)", started.elapsed(), idle.due);
    });
}
