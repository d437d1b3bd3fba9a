//! Fault drills (issue 16), each asserting what users see (channel
//! messages, the answers they are told were taken, scores in the store):
//!
//! - the bot killed between claiming a daily post and sending it: the real
//!   `lectern serve` runs against the fake Discord (`[discord] proxy`),
//!   which holds the post's request while the test kills the process with
//!   SIGKILL, so the kill lands deterministically after the claim is
//!   committed and before the send completes; a second process re-sends;
//! - Discord answering 429 with `retry-after` in the middle of a quiz;
//! - the gateway closing with a resumable code, and an invalid session.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::Method;
use chrono::Utc;

use lectern::clock::Clock;
use lectern::identity::{ChannelRef, Platform, ScopeRef};
use lectern::store::Store;

use crate::fake_discord::{CHANNEL_ID, FakeDiscord, GUILD_ID, Hold, TOKEN};

/// A process that starts from scratch (migrations, the pack, the gateway)
/// takes a while in a debug build; this only guards against a hang.
const PROCESS_LIMIT: Duration = Duration::from_secs(120);

fn channel() -> ChannelRef {
    ChannelRef::new(
        ScopeRef::new(Platform::Discord, GUILD_ID.to_string()),
        CHANNEL_ID.to_string(),
    )
}

/// A database whose channel's daily post is due now: 00:00 UTC has always
/// passed today, so today's post is due (late, on the same date).
async fn database_with_a_due_post(path: &Path) {
    let store = Store::open(path).await.unwrap();
    let now = Utc::now();
    store
        .set_daily_subscription(&channel(), "00:00", "UTC", now, now)
        .await
        .unwrap();
    store.close().await;
}

/// `lectern serve` on Discord through the fake, on `database`.
fn serve(fake: &FakeDiscord, dir: &Path, database: &Path, run: &str) -> Child {
    let config = dir.join("lectern.toml");
    std::fs::write(
        &config,
        format!(
            "database = {database:?}\n[discord]\nproxy = {:?}\nshards = \"1\"\n",
            fake.base_url
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join(format!("{run}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["--config", config.to_str().unwrap(), "serve"])
        .current_dir(dir)
        .env_remove("LECTERN_DATABASE")
        .env_remove("LECTERN_PACK")
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", "lectern=debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// Stops `child` as `docker stop` does (SIGTERM) and waits for it, so
/// everything it was doing is recorded.
fn terminate(mut child: Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "lectern serve exited with {exit}");
}

fn message_posts(fake: &FakeDiscord) -> Vec<serde_json::Value> {
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    fake.calls()
        .into_iter()
        .filter(|c| c.method == Method::POST && c.path == path)
        .map(|c| c.body)
        .collect()
}

/// Runs the drill: the first process is killed while the fake holds the
/// post as `hold` says; a second one starts on the same database. Returns
/// the fake, the database and the log folder.
async fn kill_between_claim_and_send(hold: Hold) -> (FakeDiscord, PathBuf, tempfile::TempDir) {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("lectern.db");
    database_with_a_due_post(&database).await;

    fake.hold_next_post(hold);
    let mut first = serve(&fake, dir.path(), &database, "first");
    fake.wait_until_held(PROCESS_LIMIT).await;
    first.kill().unwrap();
    first.wait().unwrap();

    // The claim survived the kill, unsent, with the nonce the post carried.
    let store = Store::open(&database).await.unwrap();
    let subscription = store.daily_subscription(&channel()).await.unwrap().unwrap();
    let posts = store.daily_posts(subscription.id).await.unwrap();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].status, "claimed", "{posts:?}");
    store.close().await;

    let second = serve(&fake, dir.path(), &database, "second");
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    fake.wait_for_calls_within(PROCESS_LIMIT, 2, |c| {
        c.method == Method::POST && c.path == path
    })
    .await;
    terminate(second);
    (fake, database, dir)
}

/// What both drills check once the second process has stopped: one post
/// in the channel, both attempts with the same enforced nonce, recorded sent.
async fn assert_posted_once(fake: &FakeDiscord, database: &Path, logs: &Path) {
    let messages = fake.messages(CHANNEL_ID);
    let read_log = || std::fs::read_to_string(logs.join("second.log")).unwrap_or_default();
    assert_eq!(messages.len(), 1, "{messages:#?}\n{}", read_log());
    let title = messages[0].body["embeds"][0]["title"].as_str().unwrap();
    assert!(
        title.contains("in history") || title.starts_with("On this day"),
        "{title}"
    );
    let attempts = message_posts(fake);
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["enforce_nonce"], true);
    assert_eq!(attempts[0]["nonce"], attempts[1]["nonce"]);
    assert_eq!(
        attempts[0]["embeds"], attempts[1]["embeds"],
        "the same post"
    );
    assert_eq!(
        messages[0].nonce.as_deref(),
        attempts[0]["nonce"].as_str(),
        "{messages:#?}"
    );

    let store = Store::open(database).await.unwrap();
    let subscription = store.daily_subscription(&channel()).await.unwrap().unwrap();
    let posts = store.daily_posts(subscription.id).await.unwrap();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(
        (posts[0].status.as_str(), posts[0].attempts),
        ("sent", 1),
        "{posts:?}\n{}",
        read_log()
    );
    assert!(subscription.enabled);
    store.close().await;
}

#[tokio::test]
async fn drill_kill_after_claim_before_discord_has_the_post_sends_it_once_on_restart() {
    let (fake, database, dir) = kill_between_claim_and_send(Hold::BeforeCreating).await;
    assert_posted_once(&fake, &database, dir.path()).await;
}

#[tokio::test]
async fn drill_kill_after_discord_made_the_post_but_before_its_reply_does_not_post_twice() {
    let (fake, database, dir) = kill_between_claim_and_send(Hold::AfterCreating).await;
    assert_posted_once(&fake, &database, dir.path()).await;
}

/// A message the fake's button clicks come from (its content is not read).
fn clicked_message() -> serde_json::Value {
    serde_json::json!({
        "id": "1", "channel_id": CHANNEL_ID.to_string(),
        "author": {"id": "1001", "username": "lectern", "discriminator": "0", "avatar": null, "bot": true},
        "content": "", "timestamp": "2026-11-25T12:00:00+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 0
    })
}

/// Waits until the outbox sleeps out the 429 on the bot's clock (until
/// exactly `retry_after` from now, as Discord asked), checks nothing was
/// posted meanwhile, then moves the clock past it.
async fn wait_out_429(app: &crate::discord::DiscordApp, posted_before: usize, retry_after: u64) {
    let until = app.clock.now() + chrono::Duration::seconds(retry_after as i64);
    tokio::time::timeout(Duration::from_secs(10), app.clock.wait_for_sleeper(until))
        .await
        .expect("the bot waits out the 429 for its retry-after");
    assert_eq!(app.fake.messages(CHANNEL_ID).len(), posted_before);
    app.clock.advance(Duration::from_secs(retry_after));
}

#[tokio::test]
async fn drill_discord_429s_are_waited_out_and_every_quiz_message_is_posted_once() {
    use crate::discord::{callback, custom_id, right_index, student, teacher};
    let app = crate::discord::start().await;
    let pack = lectern::content::Pack::bundled().unwrap();
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    let is_post = |c: &crate::fake_discord::Call| c.method == Method::POST && c.path == path;

    // The first question is refused once with retry-after 3 s.
    app.fake.rate_limit_next_posts(1, 3);
    let options = serde_json::json!([{"name": "start", "type": 1, "options": [
        {"name": "rounds", "type": 4, "value": 2}, {"name": "seconds", "type": 4, "value": 20},
        {"name": "source", "type": 4, "value": 1}
    ]}]);
    let (_, interaction) = app.fake.command("quiz", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    app.fake.wait_for_calls(1, is_post).await;
    wait_out_429(&app, 0, 3).await;

    let mut attempts = 1;
    for round in 1..=2 {
        let messages = app.fake.wait_for_messages(CHANNEL_ID, 2 * round - 1).await;
        attempts += 1;
        let question = &messages.last().unwrap().body;
        assert!(
            question["embeds"][0]["title"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Question {round} of 2")),
            "{question:#}"
        );
        let right = right_index(question, &pack);
        let (token, click) = app.fake.button(
            &custom_id(question, right),
            student(101, "ann"),
            clicked_message(),
        );
        app.fake.dispatch("INTERACTION_CREATE", click);
        assert!(
            callback(&app, &token).await["data"]["content"]
                .as_str()
                .unwrap()
                .starts_with("You chose")
        );
        // This round's reveal is refused twice before it goes out.
        app.fake.rate_limit_next_posts(2, 2);
        app.clock.advance(Duration::from_secs(20));
        for _ in 0..2 {
            attempts += 1;
            app.fake.wait_for_calls(attempts, is_post).await;
            wait_out_429(&app, 2 * round - 1, 2).await;
        }
        attempts += 1;
        app.fake.wait_for_messages(CHANNEL_ID, 2 * round).await;
    }
    let messages = app.fake.wait_for_messages(CHANNEL_ID, 5).await;
    let titles: Vec<&str> = messages
        .iter()
        .map(|m| m.body["embeds"][0]["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(titles.len(), 5, "{titles:#?}");
    assert!(titles[0].starts_with("Question 1 of 2"), "{titles:#?}");
    assert!(titles[1].starts_with("Answer: "), "{titles:#?}");
    assert!(titles[2].starts_with("Question 2 of 2"), "{titles:#?}");
    assert!(titles[3].starts_with("Answer: "), "{titles:#?}");
    assert_eq!(titles[4], "Quiz over: final leaderboard");
    assert!(
        messages[4].body["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("ann — ")
            && messages[4].body["embeds"][0]["description"]
                .as_str()
                .unwrap()
                .contains("(2/2 right)"),
        "{:#}",
        messages[4].body
    );
    // Every refused post was sent again, and nothing else twice.
    assert_eq!(app.fake.calls().into_iter().filter(is_post).count(), 10);
    let scope = ScopeRef::new(Platform::Discord, GUILD_ID.to_string());
    let rows = app.store.leaderboard(&scope, None, 10).await.unwrap();
    let summary: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.display_name.clone(), r.correct, r.answered))
        .collect();
    assert_eq!(summary, [("ann".to_string(), 2, 2)]);
    let _ = app.stop.send(true);
}

/// A click on `question`'s choice `index` by a student; returns what the
/// bot told them (privately).
async fn click(
    app: &crate::discord::DiscordApp,
    question: &serde_json::Value,
    index: usize,
    (id, name): (u64, &str),
) -> String {
    use crate::discord::{callback, custom_id, student};
    let (token, interaction) = app.fake.button(
        &custom_id(question, index),
        student(id, name),
        clicked_message(),
    );
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    callback(app, &token).await["data"]["content"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn drill_discord_gateway_resume_and_invalid_session_lose_and_double_no_answer() {
    use crate::discord::{right_index, teacher};
    let app = crate::discord::start().await;
    let pack = lectern::content::Pack::bundled().unwrap();
    let (ann, ben, cat) = ((101, "ann"), (102, "ben"), (103, "cat"));
    let options = serde_json::json!([{"name": "start", "type": 1, "options": [
        {"name": "rounds", "type": 4, "value": 2}, {"name": "seconds", "type": 4, "value": 20},
        {"name": "source", "type": 4, "value": 1}
    ]}]);
    let (_, interaction) = app.fake.command("quiz", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);

    // Round 1: the socket closes with a resumable code between two answers;
    // ben answers while the bot is away, and the RESUME replays it.
    let messages = app.fake.wait_for_messages(CHANNEL_ID, 1).await;
    let question = messages[0].body.clone();
    let right = right_index(&question, &pack);
    let wrong = (right + 1) % 4;
    assert!(
        click(&app, &question, right, ann)
            .await
            .starts_with("You chose")
    );
    app.fake.close_gateway(4000);
    let (token, interaction) = app.fake.button(
        &crate::discord::custom_id(&question, right),
        crate::discord::student(ben.0, ben.1),
        clicked_message(),
    );
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    app.fake.wait_for_sessions(1, 1).await;
    let told = crate::discord::callback(&app, &token).await;
    assert!(
        told["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("You chose"),
        "{told:#}"
    );
    assert!(
        click(&app, &question, wrong, cat)
            .await
            .starts_with("You chose")
    );
    assert!(
        click(&app, &question, wrong, ann)
            .await
            .contains("already answered")
    );
    app.clock.advance(Duration::from_secs(20));

    // Round 2: the session is invalidated after ann's answer; the bot
    // identifies again and the others answer on the new session.
    let messages = app.fake.wait_for_messages(CHANNEL_ID, 3).await;
    let question = messages[2].body.clone();
    assert!(
        question["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Question 2 of 2")
    );
    let right = right_index(&question, &pack);
    assert!(
        click(&app, &question, right, ann)
            .await
            .starts_with("You chose")
    );
    app.fake.invalidate_session();
    app.fake.wait_for_sessions(2, 1).await;
    assert!(
        click(&app, &question, right, ben)
            .await
            .starts_with("You chose")
    );
    assert!(
        click(&app, &question, right, cat)
            .await
            .starts_with("You chose")
    );
    assert!(
        click(&app, &question, right, ben)
            .await
            .contains("already answered")
    );
    app.clock.advance(Duration::from_secs(20));

    let messages = app.fake.wait_for_messages(CHANNEL_ID, 5).await;
    assert_eq!(
        messages[4].body["embeds"][0]["title"],
        "Quiz over: final leaderboard"
    );
    let scope = ScopeRef::new(Platform::Discord, GUILD_ID.to_string());
    let rows = app.store.leaderboard(&scope, None, 10).await.unwrap();
    let summary: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.display_name.clone(), r.correct, r.answered))
        .collect();
    assert_eq!(
        summary,
        [
            ("ann".to_string(), 2, 2),
            ("ben".to_string(), 2, 2),
            ("cat".to_string(), 1, 2)
        ]
    );
    // Each answer was answered once: no event was delivered twice.
    let callbacks = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.path.ends_with("/callback"))
        .count();
    assert_eq!(callbacks, 1 + 8, "the quiz command and eight clicks");
    let _ = app.stop.send(true);
}
