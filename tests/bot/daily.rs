//! Daily "on this day" posts: subscriptions, local times across DST, exactly
//! once across processes and restarts, retries and disabling.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use lectern::bot::{
    Bot, BotSettings, Command, DailyScheduler, Message, Origin, Outbox, PostedMessage, SendError,
    Visibility, parse_command,
};
use lectern::clock::ManualClock;
use lectern::content::Pack;
use lectern::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use lectern::store::{AskedItem, Store};

/// How the fake platform answers posts.
#[derive(Clone, Copy)]
enum Behaviour {
    Works,
    /// Fails this many times (transiently), then works.
    FailsFirst(usize),
    Gone,
}

struct RecordingOutbox {
    behaviour: Behaviour,
    attempts: AtomicUsize,
    posts: Mutex<Vec<(ChannelRef, Message)>>,
    /// Messages posted to one user alone (review reminders).
    private: Mutex<Vec<(UserRef, Message)>>,
    changed: Notify,
}

impl RecordingOutbox {
    fn new(behaviour: Behaviour) -> Arc<Self> {
        Arc::new(Self {
            behaviour,
            attempts: AtomicUsize::new(0),
            posts: Mutex::new(Vec::new()),
            private: Mutex::new(Vec::new()),
            changed: Notify::new(),
        })
    }

    fn posts(&self) -> Vec<(ChannelRef, Message)> {
        self.posts.lock().unwrap().clone()
    }

    fn private(&self) -> Vec<(UserRef, Message)> {
        self.private.lock().unwrap().clone()
    }

    async fn wait_for_attempts(&self, n: usize) {
        let wait = async {
            loop {
                let notified = self.changed.notified();
                if self.attempts.load(Ordering::SeqCst) >= n {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("attempts happen");
    }
}

#[async_trait]
impl Outbox for RecordingOutbox {
    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        let attempt = self.attempts.fetch_add(1, Ordering::SeqCst);
        let result = match self.behaviour {
            Behaviour::Works => Ok(()),
            Behaviour::FailsFirst(n) if attempt < n => {
                Err(SendError::Failed("503 from the platform".into()))
            }
            Behaviour::FailsFirst(_) => Ok(()),
            Behaviour::Gone => Err(SendError::Gone("unknown channel".into())),
        };
        if result.is_ok() {
            self.posts
                .lock()
                .unwrap()
                .push((channel.clone(), message.clone()));
        }
        self.changed.notify_waiters();
        result.map(|()| PostedMessage(attempt.to_string()))
    }

    async fn post_private(
        &self,
        user: &UserRef,
        _channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        self.private
            .lock()
            .unwrap()
            .push((user.clone(), message.clone()));
        Ok(PostedMessage("private".into()))
    }

    async fn edit(&self, _: &ChannelRef, _: &PostedMessage, _: &Message) -> Result<(), SendError> {
        Ok(())
    }
}

struct DailyApp {
    bot: Bot,
    scheduler: Arc<DailyScheduler>,
    outbox: Arc<RecordingOutbox>,
    store: Store,
}

async fn app_on(db: &Path, clock: Arc<ManualClock>, behaviour: Behaviour) -> DailyApp {
    let store = Store::open(db).await.unwrap();
    let outbox = RecordingOutbox::new(behaviour);
    let pack = Arc::new(Pack::bundled().unwrap());
    let bot = Bot::new(
        pack,
        store.clone(),
        outbox.clone(),
        clock,
        BotSettings::default(),
    );
    let scheduler = DailyScheduler::new(bot.clone(), vec![Platform::Discord]);
    DailyApp {
        bot,
        scheduler,
        outbox,
        store,
    }
}

/// An app on its own new database, with the clock at `at`.
async fn fresh(at: &str, behaviour: Behaviour) -> (tempfile::TempDir, Arc<ManualClock>, DailyApp) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(utc(at)));
    let app = app_on(&dir.path().join("d.db"), clock.clone(), behaviour).await;
    (dir, clock, app)
}

/// [`fresh`], with channel "c" subscribed to 08:00 in Europe/London.
async fn subscribed(
    at: &str,
    behaviour: Behaviour,
) -> (tempfile::TempDir, Arc<ManualClock>, DailyApp) {
    let (dir, clock, app) = fresh(at, behaviour).await;
    send(&app, &admin_in("c"), "/daily set 08:00 Europe/London").await;
    (dir, clock, app)
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn admin_in(channel: &str) -> Origin {
    Origin {
        user: UserRef::new(Platform::Discord, "teacher", "teacher"),
        channel: ChannelRef::new(ScopeRef::new(Platform::Discord, "school"), channel),
        is_admin: true,
    }
}

async fn send(app: &DailyApp, origin: &Origin, line: &str) -> String {
    let command: Command = parse_command(line, '/').unwrap().unwrap();
    app.bot
        .handle(origin, command)
        .await
        .iter()
        .map(|m| m.body.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn posts_at_the_chosen_local_time_in_two_zones() {
    let (_dir, clock, app) = fresh("2026-11-25T06:00:00Z", Behaviour::Works).await;
    let berlin = admin_in("berlin");
    let new_york = admin_in("new-york");
    let reply = send(&app, &berlin, "/daily set 08:00 Europe/Berlin").await;
    assert!(
        reply.contains("Next: Wed 25 Nov 2026 08:00 CET (07:00 UTC)"),
        "{reply}"
    );
    send(&app, &new_york, "/daily set 08:00 America/New_York").await;

    assert_eq!(app.scheduler.tick().await.unwrap().sent, 0);
    clock.set(utc("2026-11-25T07:00:00Z"));
    assert_eq!(app.scheduler.tick().await.unwrap().sent, 1);
    assert_eq!(app.outbox.posts()[0].0, berlin.channel);
    clock.set(utc("2026-11-25T13:00:30Z"));
    assert_eq!(app.scheduler.tick().await.unwrap().sent, 1);
    assert_eq!(app.outbox.posts()[1].0, new_york.channel);
    assert_eq!(app.scheduler.tick().await.unwrap().sent, 0, "once a day");

    let post = &app.outbox.posts()[0].1;
    let title = post.title.clone().unwrap();
    assert!(
        title.starts_with("On this day: 25 November") || title.contains("November"),
        "{title}"
    );
    assert!(
        post.footer
            .as_deref()
            .unwrap_or("")
            .starts_with("Source: http"),
        "{post:?}"
    );
    let status = send(&app, &new_york, "/daily status").await;
    assert!(
        status.contains("Next: Thu 26 Nov 2026 08:00 EST (13:00 UTC)"),
        "{status}"
    );
}

#[tokio::test]
async fn dst_days_post_once_at_the_right_instant() {
    // (zone, local time, set at, first instant it must post, later check on the same day)
    let cases = [
        (
            "Europe/Berlin",
            "02:30",
            "2026-03-28T12:00:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-29T22:00:00Z",
        ),
        (
            "America/New_York",
            "02:15",
            "2026-03-07T12:00:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-09T03:00:00Z",
        ),
        (
            "Europe/Berlin",
            "02:30",
            "2026-10-24T12:00:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-25T01:30:00Z",
        ),
        (
            "America/New_York",
            "01:30",
            "2026-10-31T12:00:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T06:30:00Z",
        ),
    ];
    for (zone, time, set_at, fires_at, repeat_at) in cases {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(utc(set_at)));
        let app = app_on(&dir.path().join("d.db"), clock.clone(), Behaviour::Works).await;
        send(&app, &admin_in("c"), &format!("/daily set {time} {zone}")).await;
        clock.set(utc(fires_at) - chrono::Duration::seconds(1));
        assert_eq!(
            app.scheduler.tick().await.unwrap().sent,
            0,
            "{zone} {time}: not before {fires_at}"
        );
        clock.set(utc(fires_at));
        assert_eq!(
            app.scheduler.tick().await.unwrap().sent,
            1,
            "{zone} {time}: at {fires_at}"
        );
        clock.set(utc(repeat_at));
        assert_eq!(
            app.scheduler.tick().await.unwrap().sent,
            0,
            "{zone} {time}: not again at {repeat_at}"
        );
    }
}

#[tokio::test]
async fn two_schedulers_on_one_database_post_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let clock = Arc::new(ManualClock::new(utc("2026-11-25T07:00:00Z")));
    let one = app_on(&db, clock.clone(), Behaviour::Works).await;
    let two = app_on(&db, clock.clone(), Behaviour::Works).await;
    for channel in ["a", "b", "c"] {
        send(&one, &admin_in(channel), "/daily set 08:00 Europe/London").await;
    }
    clock.set(utc("2026-11-25T08:00:00Z"));
    let (first, second) = tokio::join!(one.scheduler.tick(), two.scheduler.tick());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.sent + second.sent, 3, "{first:?} {second:?}");
    assert_eq!(one.outbox.posts().len() + two.outbox.posts().len(), 3);
}

#[tokio::test]
async fn a_restart_after_the_minute_posts_late_once_and_never_for_yesterday() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let clock = Arc::new(ManualClock::new(utc("2026-11-24T07:00:00Z")));
    {
        let app = app_on(&db, clock.clone(), Behaviour::Works).await;
        send(&app, &admin_in("c"), "/daily set 08:00 Europe/London").await;
    }
    // Down through yesterday's 08:00 and today's; back at 10:00.
    clock.set(utc("2026-11-25T10:00:00Z"));
    let app = app_on(&db, clock.clone(), Behaviour::Works).await;
    let report = app.scheduler.tick().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(app.scheduler.tick().await.unwrap().sent, 0);
    let subscription = app
        .store
        .daily_subscription(&admin_in("c").channel)
        .await
        .unwrap()
        .unwrap();
    let posts = app.store.daily_posts(subscription.id).await.unwrap();
    let dates: Vec<&str> = posts.iter().map(|p| p.local_date.as_str()).collect();
    assert_eq!(dates, ["2026-11-25"]);
    assert_eq!(subscription.next_fire_at, utc("2026-11-26T08:00:00Z"));
}

#[tokio::test]
async fn a_failing_send_is_retried_with_backoff_and_recorded() {
    let (_dir, clock, app) = subscribed("2026-11-25T07:00:00Z", Behaviour::FailsFirst(2)).await;
    clock.set(utc("2026-11-25T08:00:00Z"));
    let report = app.scheduler.tick().await.unwrap();
    assert_eq!((report.sent, report.retrying), (0, 1));
    clock.advance(Duration::from_secs(60));
    app.outbox.wait_for_attempts(2).await;
    assert!(app.outbox.posts().is_empty());
    clock.advance(Duration::from_secs(5 * 60));
    app.outbox.wait_for_attempts(3).await;
    app.scheduler.finish_retries().await;
    assert_eq!(app.outbox.posts().len(), 1);
    let subscription = app
        .store
        .daily_subscription(&admin_in("c").channel)
        .await
        .unwrap()
        .unwrap();
    let post = &app.store.daily_posts(subscription.id).await.unwrap()[0];
    assert_eq!((post.status.as_str(), post.attempts), ("sent", 3));
    assert!(post.last_error.as_deref().unwrap().contains("503"));
    assert!(subscription.enabled);
}

#[tokio::test]
async fn a_gone_channel_is_disabled_not_retried() {
    let (_dir, clock, app) = subscribed("2026-11-25T07:00:00Z", Behaviour::Gone).await;
    let origin = admin_in("c");
    clock.set(utc("2026-11-25T08:00:00Z"));
    let report = app.scheduler.tick().await.unwrap();
    assert_eq!((report.disabled, report.retrying), (1, 0));
    clock.advance(Duration::from_secs(3600 * 30));
    assert_eq!(app.scheduler.tick().await.unwrap().due, 0);
    assert_eq!(app.outbox.attempts.load(Ordering::SeqCst), 1);
    let status = send(&app, &origin, "/daily status").await;
    assert!(
        status.contains("The daily post is off here (the channel is gone or forbids posting"),
        "{status}"
    );
}

#[tokio::test]
async fn no_event_repeats_in_a_channel_until_its_candidates_are_used() {
    let (_dir, clock, app) = subscribed("2026-11-05T07:00:00Z", Behaviour::Works).await;
    // 5-9 November all lie within a week of the three 7 November events.
    for day in 5..=9 {
        clock.set(utc(&format!("2026-11-{day:02}T08:00:00Z")));
        assert_eq!(app.scheduler.tick().await.unwrap().sent, 1);
    }
    let subscription = app
        .store
        .daily_subscription(&admin_in("c").channel)
        .await
        .unwrap()
        .unwrap();
    let keys: Vec<String> = app
        .store
        .daily_posts(subscription.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.event_key)
        .collect();
    let distinct: std::collections::HashSet<&String> = keys.iter().collect();
    assert_eq!(distinct.len(), keys.len(), "{keys:#?}");
    // The day itself gets "On this day" when it has an unused event.
    let seventh = &app.outbox.posts()[2].1;
    assert!(seventh.body.starts_with("On this day in"), "{seventh:?}");
}

#[tokio::test]
async fn only_admins_change_the_daily_post_and_bad_input_is_explained() {
    let (_dir, _clock, app) = fresh("2026-11-25T07:00:00Z", Behaviour::Works).await;
    let mut student = admin_in("c");
    student.is_admin = false;
    assert!(
        send(&app, &student, "/daily set 08:00")
            .await
            .contains("Only an admin")
    );
    assert!(
        send(&app, &student, "/daily status")
            .await
            .contains("No daily post here")
    );
    assert_eq!(
        parse_command("/daily set 08:00 Europe/Berln", '/')
            .unwrap_err()
            .to_string(),
        "Europe/Berln is not a time zone; did you mean Europe/Berlin?"
    );
    // Without a zone, the scope's (the pack's default, Europe/London) is used.
    let reply = send(&app, &admin_in("c"), "/daily set 09:15").await;
    assert!(reply.contains("09:15 Europe/London"), "{reply}");
    assert!(
        send(&app, &admin_in("c"), "/daily off")
            .await
            .contains("turned off")
    );
}

#[tokio::test]
async fn a_channel_that_keeps_failing_is_retried_then_turned_off() {
    let (_dir, clock, app) =
        subscribed("2026-11-25T07:00:00Z", Behaviour::FailsFirst(usize::MAX)).await;
    let origin = admin_in("c");
    for (day, date) in ["2026-11-25", "2026-11-26", "2026-11-27"]
        .into_iter()
        .enumerate()
    {
        clock.set(utc(&format!("{date}T08:00:00Z")));
        assert_eq!(
            app.scheduler.tick().await.unwrap().retrying,
            1,
            "day {date}"
        );
        // Retries after 1, 5 and 30 minutes: four attempts a day.
        for (step, minutes) in [1, 5, 30].into_iter().enumerate() {
            clock.advance(Duration::from_secs(minutes * 60));
            app.outbox.wait_for_attempts(day * 4 + step + 2).await;
        }
        app.scheduler.finish_retries().await;
        let subscription = app
            .store
            .daily_subscription(&origin.channel)
            .await
            .unwrap()
            .unwrap();
        let post = app
            .store
            .daily_posts(subscription.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(
            (post.status.as_str(), post.attempts),
            ("failed", 4),
            "{date}"
        );
        assert_eq!(
            subscription.enabled,
            day < 2,
            "turned off only after the third failed day ({date})"
        );
    }
    assert!(app.outbox.posts().is_empty());
    let status = send(&app, &origin, "/daily status").await;
    assert!(
        status.contains("posting failed after every retry on 3 days in a row: sending failed: 503"),
        "{status}"
    );
    clock.set(utc("2026-11-28T08:00:00Z"));
    assert_eq!(app.scheduler.tick().await.unwrap().due, 0);
}

/// Ann's review card for the pack's first question, due at `due`.
async fn card_due(app: &DailyApp, ann: &Origin, due: &str) {
    let question = app.bot.pack().questions[0].clone();
    let item = AskedItem {
        item_id: question.id.clone(),
        question,
    };
    let card = crate::helpers::lapsed_card(utc(due), utc("2026-11-25T12:00:00Z"));
    app.store
        .record_review(ann.scope(), &ann.user, &item, &card, false, utc(due))
        .await
        .unwrap();
}

/// The opt-in review reminder on the manual clock: answered privately; at
/// its local time (17:00 in London, UTC in November) it goes out, to the
/// player alone, only on days with reviews due, once a day at most, also
/// with two schedulers on one database; turned off, it stops.
#[tokio::test]
async fn the_review_reminder_goes_out_once_a_day_and_only_when_reviews_are_due() {
    let (dir, clock, app) = fresh("2026-11-25T10:00:00Z", Behaviour::Works).await;
    let ann = Origin {
        user: UserRef::new(Platform::Discord, "7", "Ann"),
        channel: ChannelRef::new(ScopeRef::new(Platform::Discord, "school"), "c"),
        is_admin: false,
    };
    let command = parse_command("/review remind on", '/').unwrap().unwrap();
    let replies = app.bot.handle(&ann, command).await;
    assert_eq!(replies[0].visibility, Visibility::Private, "{replies:?}");
    assert!(
        replies[0]
            .body
            .contains("each day at 17:00 Europe/London, when some of your reviews here are due"),
        "{replies:?}"
    );

    // Day 1, 17:00: nothing due, nothing sent.
    clock.set(utc("2026-11-25T17:00:00Z"));
    let tick = app.scheduler.tick().await.unwrap();
    assert_eq!((tick.reminders_sent, tick.reminders_not_due), (0, 1));
    // A card falls due at 18:00; the day's time has passed.
    card_due(&app, &ann, "2026-11-25T18:00:00Z").await;
    clock.set(utc("2026-11-25T18:30:00Z"));
    assert_eq!(app.scheduler.tick().await.unwrap().reminders_sent, 0);
    clock.set(utc("2026-11-26T16:59:00Z"));
    assert_eq!(app.scheduler.tick().await.unwrap().reminders_sent, 0);
    assert!(app.outbox.private().is_empty() && app.outbox.posts().is_empty());

    // Day 2, 17:00, with a second scheduler on the same database: one
    // reminder, to Ann alone.
    clock.set(utc("2026-11-26T17:00:00Z"));
    let other = app_on(&dir.path().join("d.db"), clock.clone(), Behaviour::Works).await;
    let (first, second) = tokio::join!(app.scheduler.tick(), other.scheduler.tick());
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.reminders_sent + second.reminders_sent, 1);
    let sent: Vec<(UserRef, Message)> = app
        .outbox
        .private()
        .into_iter()
        .chain(other.outbox.private())
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let (to, reminder) = &sent[0];
    assert_eq!(to, &ann.user);
    assert_eq!(reminder.title.as_deref(), Some("Reviews due"));
    assert!(
        reminder.body.starts_with("Ann, you have 1 review due."),
        "{reminder:?}"
    );
    assert_eq!(reminder.visibility, Visibility::Private);
    assert!(app.outbox.posts().is_empty(), "nothing in the channel");
    clock.set(utc("2026-11-26T21:00:00Z"));
    let (first, second) = tokio::join!(app.scheduler.tick(), other.scheduler.tick());
    assert_eq!(
        first.unwrap().reminders_sent + second.unwrap().reminders_sent,
        0,
        "once a day"
    );

    // Day 3: reviewed, due in a week: nothing.
    card_due(&app, &ann, "2026-12-03T09:00:00Z").await;
    clock.set(utc("2026-11-27T17:00:00Z"));
    let tick = app.scheduler.tick().await.unwrap();
    assert_eq!((tick.reminders_sent, tick.reminders_not_due), (0, 1));

    // Day 9: due again, reminded again; then turned off: no more.
    clock.set(utc("2026-12-03T17:00:00Z"));
    assert_eq!(app.scheduler.tick().await.unwrap().reminders_sent, 1);
    let command = parse_command("/review remind off", '/').unwrap().unwrap();
    let replies = app.bot.handle(&ann, command).await;
    assert!(
        replies[0].body.starts_with("Daily review reminder off."),
        "{replies:?}"
    );
    clock.set(utc("2026-12-04T17:00:00Z"));
    let tick = app.scheduler.tick().await.unwrap();
    assert_eq!((tick.reminders_sent, tick.reminders_not_due), (0, 0));
    assert_eq!(
        app.outbox.private().len() + other.outbox.private().len(),
        2,
        "day 2 (by either scheduler) and day 9"
    );
}

#[test]
fn review_remind_reads_on_with_a_time_and_off() {
    use chrono::NaiveTime;
    assert_eq!(
        parse_command("/review remind on 07:30", '/'),
        Ok(Some(Command::ReviewRemind {
            on: true,
            time: NaiveTime::from_hms_opt(7, 30, 0)
        }))
    );
    assert_eq!(
        parse_command("!review remind off", '!'),
        Ok(Some(Command::ReviewRemind {
            on: false,
            time: None
        }))
    );
    let error = parse_command("!review remind maybe", '!')
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("Write !review remind on [HH:MM]"),
        "{error}"
    );
    let error = parse_command("/review remind on 25:00", '/')
        .unwrap_err()
        .to_string();
    assert!(error.contains("is not a time of day"), "{error}");
}
