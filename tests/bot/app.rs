//! The app owns the lifecycle: one store, one daily scheduler for the
//! platforms this process serves, recovery of only its own quizzes, and a
//! shutdown that stops everything. Platforms here are recording fakes; the
//! Discord and Matrix suites run the real adapters through the same app.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};

use lectern::app::{App, AppSettings};
use lectern::bot::{Bot, BotSettings, Message, Outbox, PostedMessage, SendError};
use lectern::clock::ManualClock;
use lectern::content::Pack;
use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use lectern::platforms::Adapter;
use lectern::store::Store;

/// A platform that records what the bot posts; it counts as connected once
/// the test says so.
struct FakePlatform {
    platform: Platform,
    outbox: Arc<FakeOutbox>,
}

#[derive(Default)]
struct FakeOutbox {
    posts: Mutex<Vec<(ChannelRef, String)>>,
    changed: Notify,
    connected: watch::Sender<bool>,
}

impl FakeOutbox {
    fn posts(&self) -> Vec<(ChannelRef, String)> {
        self.posts.lock().unwrap().clone()
    }

    async fn wait_for_posts(&self, n: usize) -> Vec<(ChannelRef, String)> {
        let wait = async {
            loop {
                let notified = self.changed.notified();
                if self.posts.lock().unwrap().len() >= n {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("the posts arrive");
        self.posts()
    }
}

#[async_trait]
impl Outbox for FakeOutbox {
    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        self.posts
            .lock()
            .unwrap()
            .push((channel.clone(), message.to_markdown()));
        self.changed.notify_waiters();
        Ok(PostedMessage("1".into()))
    }

    async fn edit(&self, _: &ChannelRef, _: &PostedMessage, _: &Message) -> Result<(), SendError> {
        Ok(())
    }

    async fn connected(&self) {
        let _ = self.connected.subscribe().wait_for(|up| *up).await;
    }
}

fn fake(platform: Platform, connected: bool) -> (Box<dyn Adapter>, Arc<FakeOutbox>) {
    let outbox = Arc::new(FakeOutbox::default());
    outbox.connected.send_replace(connected);
    (
        Box::new(FakePlatform {
            platform,
            outbox: outbox.clone(),
        }),
        outbox,
    )
}

#[async_trait]
impl Adapter for FakePlatform {
    fn platform(&self) -> Platform {
        self.platform
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(
        self: Box<Self>,
        _bot: Bot,
        mut shutdown: watch::Receiver<bool>,
    ) -> anyhow::Result<()> {
        let _ = shutdown.wait_for(|stop| *stop).await;
        Ok(())
    }
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn channel(platform: Platform, id: &str) -> ChannelRef {
    ChannelRef::new(ScopeRef::new(platform, format!("scope-{id}")), id)
}

async fn start(
    db: &Path,
    clock: Arc<ManualClock>,
    instance: &str,
    adapters: Vec<Box<dyn Adapter>>,
) -> App {
    let settings = AppSettings {
        pack: Arc::new(Pack::bundled().unwrap()),
        database: db.to_path_buf(),
        clock,
        bot: BotSettings {
            pause_between_rounds: Duration::ZERO,
            instance: instance.into(),
            ..BotSettings::default()
        },
    };
    App::start(settings, adapters).await.unwrap()
}

/// A database with a daily post at 08:00 UTC in a Discord and a Matrix
/// channel, due at `at`.
async fn subscribed(db: &Path, at: DateTime<Utc>) {
    let store = Store::open(db).await.unwrap();
    for channel in [
        channel(Platform::Discord, "d"),
        channel(Platform::Matrix, "m"),
    ] {
        store
            .set_daily_subscription(&channel, "08:00", "UTC", at, at)
            .await
            .unwrap();
    }
    store.close().await;
}

#[tokio::test]
async fn two_platforms_share_one_scheduler_and_each_gets_its_post_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    subscribed(&db, utc("2026-11-25T08:00:00Z")).await;
    let clock = Arc::new(ManualClock::new(utc("2026-11-25T07:59:30Z")));
    let (discord, discord_posts) = fake(Platform::Discord, true);
    let (matrix, matrix_posts) = fake(Platform::Matrix, true);
    let app = start(&db, clock.clone(), "main", vec![discord, matrix]).await;
    let mut reports = app.scheduler().reports();
    let stop = app.stopper();
    let running = tokio::spawn(app.run_until(std::future::pending()));

    clock.advance(Duration::from_secs(30));
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        reports.wait_for(|report| report.due > 0),
    )
    .await
    .expect("the scheduler ticks")
    .unwrap()
    .clone();
    // One tick of one scheduler saw both platforms' channels and sent both.
    assert_eq!(
        (report.due, report.sent, report.claimed_elsewhere),
        (2, 2, 0)
    );
    assert_eq!(discord_posts.wait_for_posts(1).await[0].0.id, "d");
    assert_eq!(matrix_posts.wait_for_posts(1).await[0].0.id, "m");

    let _ = stop.send(true);
    running.await.unwrap().unwrap();
    assert_eq!(discord_posts.posts().len(), 1);
    assert_eq!(matrix_posts.posts().len(), 1);
}

#[tokio::test]
async fn finding_3_serving_one_platform_leaves_the_other_platforms_daily_posts_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    subscribed(&db, utc("2026-11-25T08:00:00Z")).await;
    let clock = Arc::new(ManualClock::new(utc("2026-11-25T08:00:30Z")));
    let (discord, discord_posts) = fake(Platform::Discord, true);
    let app = start(&db, clock, "main", vec![discord]).await;
    let stop = app.stopper();
    let running = tokio::spawn(app.run_until(std::future::pending()));
    discord_posts.wait_for_posts(1).await;
    let _ = stop.send(true);
    running.await.unwrap().unwrap();

    let store = Store::open(&db).await.unwrap();
    let matrix = store
        .daily_subscription(&channel(Platform::Matrix, "m"))
        .await
        .unwrap()
        .unwrap();
    assert!(matrix.enabled, "not disabled as unreachable: {matrix:?}");
    assert!(store.daily_posts(matrix.id).await.unwrap().is_empty());
    drop(store);
}

#[tokio::test]
async fn finding_2_a_restart_closes_only_this_process_quizzes_on_its_platforms_and_tells_them_once_connected()
 {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let at = utc("2026-11-25T09:00:00Z");
    let store = Store::open(&db).await.unwrap();
    let ann = UserRef::new(Platform::Discord, "1", "ann");
    let mine = channel(Platform::Discord, "mine");
    let other_process = channel(Platform::Discord, "other-process");
    let matrix = channel(Platform::Matrix, "matrix");
    let terminal = channel(Platform::Console, "terminal");
    for (channel, owner) in [
        (&mine, "main"),
        (&other_process, "shard-2"),
        (&matrix, "main"),
        (&terminal, "main"),
    ] {
        store
            .start_quiz_session(channel, &ann, 5, owner, at)
            .await
            .unwrap();
    }
    store.close().await;

    let clock = Arc::new(ManualClock::new(at));
    let (discord, discord_posts) = fake(Platform::Discord, false);
    let app = start(&db, clock.clone(), "main", vec![discord]).await;
    let store = app.store().clone();
    let stop = app.stopper();
    let running = tokio::spawn(app.run_until(std::future::pending()));
    // Closed at start-up; told only once Discord is connected.
    assert!(discord_posts.posts().is_empty());
    discord_posts.connected.send_replace(true);
    let posts = discord_posts.wait_for_posts(1).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].0, mine);
    assert!(posts[0].1.contains("interrupted"), "{}", posts[0].1);
    let still_open = store
        .close_interrupted_quizzes("shard-2", &[Platform::Discord], at)
        .await
        .unwrap();
    assert_eq!(
        still_open.len(),
        1,
        "the other process's quiz was left open"
    );
    assert_eq!(still_open[0].channel, other_process);
    let still_open = store
        .close_interrupted_quizzes("main", &[Platform::Matrix, Platform::Console], at)
        .await
        .unwrap();
    let channels: Vec<_> = still_open.iter().map(|q| q.channel.clone()).collect();
    assert_eq!(channels, vec![matrix, terminal]);
    let _ = stop.send(true);
    running.await.unwrap().unwrap();
}
