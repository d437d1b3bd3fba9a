//! Fault drills (issue 16), each asserting what users see (channel
//! messages, the answers they are told were taken, scores in the store):
//!
//! - the bot killed between claiming a daily post and sending it: the real
//!   `lectern serve` runs against the fake Discord (`[discord] proxy`),
//!   which holds the post's request while the test kills the process with
//!   SIGKILL, so the kill lands deterministically after the claim is
//!   committed and before the send completes; a second process re-sends;
//! - Discord answering 429 with `retry-after` in the middle of a quiz;
//! - the gateway closing with a resumable code, and an invalid session;
//! - two `lectern serve` processes on one PostgreSQL, each running half of
//!   the shards as compose.yaml runs them (issue 15): each sees only its
//!   own guilds, the daily posts both schedulers find due at the same
//!   moment go out once, and one process killed with SIGKILL mid-quiz and
//!   restarted closes only its own quiz while the other's runs to its end,
//!   with every point in the store exactly what the players were shown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::Method;
use chrono::Utc;

use lectern::clock::Clock;
use lectern::identity::{ChannelRef, Platform, ScopeRef};
use lectern::store::Store;

use crate::fake_discord::{CHANNEL_ID, FakeDiscord, GUILD_ID, Hold, Place, TOKEN, shard_of};

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
fn terminate(child: &mut Child) {
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

    let mut second = serve(&fake, dir.path(), &database, "second");
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    fake.wait_for_calls_within(PROCESS_LIMIT, 2, |c| {
        c.method == Method::POST && c.path == path
    })
    .await;
    terminate(&mut second);
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

// Two processes on one PostgreSQL, each running half of the Discord shards
// (issue 15), as compose.yaml runs them: four shards, "0-1" and "2-3".

/// Shards across both processes, as in compose.yaml.
const TOTAL_SHARDS: u64 = 4;
/// A guild on shard 1 (process a's half) and one on shard 2 (process b's).
const GUILD_A: u64 = (1 << 22) | 7;
const GUILD_B: u64 = (2 << 22) | 7;
const QUIZ_A: Place = Place {
    guild: GUILD_A,
    channel: 3_101,
};
const DAILY_A: Place = Place {
    guild: GUILD_A,
    channel: 3_102,
};
const QUIZ_B: Place = Place {
    guild: GUILD_B,
    channel: 3_201,
};
const DAILY_B: Place = Place {
    guild: GUILD_B,
    channel: 3_202,
};

/// One process of the pair: its instance name and its shards.
#[derive(Clone, Copy)]
struct Half {
    instance: &'static str,
    shard_range: &'static str,
}

const HALF_A: Half = Half {
    instance: "bot-a",
    shard_range: "0-1",
};
const HALF_B: Half = Half {
    instance: "bot-b",
    shard_range: "2-3",
};

/// The fake Discord, a PostgreSQL database and the folder of the logs.
struct ShardDrill {
    fake: FakeDiscord,
    dir: tempfile::TempDir,
    pool: sqlx::PgPool,
    store: Store,
    pack: lectern::content::Pack,
    database: crate::helpers::TempPostgres,
}

fn channel_in(place: Place) -> ChannelRef {
    ChannelRef::new(
        ScopeRef::new(Platform::Discord, place.guild.to_string()),
        place.channel.to_string(),
    )
}

/// A message's embed title and description.
fn title_and_text(posted: &crate::fake_discord::Posted) -> (String, String) {
    let embed = &posted.body["embeds"][0];
    (
        embed["title"].as_str().unwrap_or_default().to_string(),
        embed["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

impl ShardDrill {
    /// The fake with both guilds, and a database whose daily posts in
    /// `DAILY_A` and `DAILY_B` are due now.
    async fn new() -> Self {
        let fake = FakeDiscord::start().await;
        fake.add_guild(GUILD_A, &[QUIZ_A.channel, DAILY_A.channel]);
        fake.add_guild(GUILD_B, &[QUIZ_B.channel, DAILY_B.channel]);
        assert_eq!(
            [
                shard_of(GUILD_A, TOTAL_SHARDS),
                shard_of(GUILD_B, TOTAL_SHARDS)
            ],
            [1, 2]
        );
        let database = crate::helpers::TempPostgres::new().await;
        let store = Store::open(database.url.as_str()).await.unwrap();
        let now = Utc::now();
        for place in [DAILY_A, DAILY_B] {
            store
                .set_daily_subscription(&channel_in(place), "00:00", "UTC", now, now)
                .await
                .unwrap();
        }
        let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("discord_token.txt"), TOKEN).unwrap();
        std::fs::write(
            dir.path().join("lectern.toml"),
            format!(
                "[discord]\nproxy = {:?}\n[quiz]\npause_seconds = 0\n",
                fake.base_url
            ),
        )
        .unwrap();
        Self {
            fake,
            dir,
            pool,
            store,
            pack: lectern::content::Pack::bundled().unwrap(),
            database,
        }
    }

    /// `lectern serve` for `half`, configured as compose.yaml configures
    /// its bots (the same `LECTERN_` variables, the token from a file), on
    /// the fake (`[discord] proxy`); its log is `{run}.log`.
    fn serve(&self, half: Half, run: &str) -> Serving {
        let dir = self.dir.path();
        let log = std::fs::File::create(dir.join(format!("{run}.log"))).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("LECTERN_") {
                command.env_remove(name);
            }
        }
        command
            .args([
                "--config",
                dir.join("lectern.toml").to_str().unwrap(),
                "serve",
            ])
            .current_dir(dir)
            .env_remove("DISCORD_TOKEN")
            .env("LECTERN_DATABASE", &self.database.url)
            .env("LECTERN_INSTANCE", half.instance)
            .env("LECTERN_DISCORD__TOKEN_FILE", dir.join("discord_token.txt"))
            .env("LECTERN_DISCORD__SHARD_RANGE", half.shard_range)
            .env("LECTERN_DISCORD__TOTAL_SHARDS", TOTAL_SHARDS.to_string())
            .env("RUST_LOG", "lectern=debug,serenity=info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map(Serving)
            .unwrap()
    }

    /// Every process's log so far, for a failure's message.
    fn logs(&self) -> String {
        let mut logs = String::new();
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "log"))
            .collect();
        names.sort();
        for path in names {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            logs.push_str(&format!("--- {}\n{text}\n", path.display()));
        }
        logs
    }

    /// Asks the database until `check` answers (a row, a lock wait: there
    /// is nothing to be notified of); fails after `PROCESS_LIMIT`, which
    /// only guards against a hang.
    async fn until<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = std::time::Instant::now() + PROCESS_LIMIT;
        loop {
            if let Some(found) = check().await {
                return found;
            }
            if std::time::Instant::now() > deadline {
                panic!("timed out waiting for {what}");
            }
            // The poll's interval, not a wait for something to happen.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The bot's reply to the interaction of `token`, once it arrives.
    async fn callback(&self, token: &str) -> serde_json::Value {
        let suffix = format!("/{token}/callback");
        self.fake
            .wait_for_calls_within(PROCESS_LIMIT, 1, |c| c.path.ends_with(&suffix))
            .await
            .remove(0)
            .body
    }

    /// `/quiz start` in `place` by `starter`, three rounds of 20 seconds
    /// from the bank. The starter plays: once every player has answered a
    /// round after the first, it closes without waiting for its deadline.
    async fn start_quiz(&self, place: Place, (id, name): (u64, &str)) {
        let options = serde_json::json!([{"name": "start", "type": 1, "options": [
            {"name": "rounds", "type": 4, "value": 3}, {"name": "seconds", "type": 4, "value": 20},
            {"name": "source", "type": 4, "value": 1}
        ]}]);
        let (token, interaction) = self.fake.command_in(
            place,
            "quiz",
            options,
            crate::discord::student(id, name),
            None,
        );
        self.fake.dispatch("INTERACTION_CREATE", interaction);
        assert_eq!(self.callback(&token).await["type"], 5, "deferred");
    }

    /// A student clicks choice `index` of `question` in `place`; returns
    /// the interaction's token.
    fn click(
        &self,
        place: Place,
        question: &serde_json::Value,
        index: usize,
        (id, name): (u64, &str),
    ) -> String {
        let (token, interaction) = self.fake.button_in(
            place,
            &crate::discord::custom_id(question, index),
            crate::discord::student(id, name),
            clicked_message(),
        );
        self.fake.dispatch("INTERACTION_CREATE", interaction);
        token
    }

    /// [`ShardDrill::click`], then what the bot told the student.
    async fn answer(
        &self,
        place: Place,
        question: &serde_json::Value,
        index: usize,
        student: (u64, &str),
    ) -> String {
        let token = self.click(place, question, index, student);
        self.callback(&token).await["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The right choice of `question`, and a wrong one.
    fn right_and_wrong(&self, question: &serde_json::Value) -> (usize, usize) {
        let right = crate::discord::right_index(question, &self.pack);
        (right, (right + 1) % 4)
    }

    /// The messages in `place`, once there are `count`.
    async fn messages(&self, place: Place, count: usize) -> Vec<crate::fake_discord::Posted> {
        self.fake
            .wait_for_messages_within(PROCESS_LIMIT, place.channel, count)
            .await
    }

    /// Each quiz session: (channel, owner, revealed rounds, end reason).
    async fn sessions(&self) -> Vec<SessionRow> {
        sqlx::query_as(
            "SELECT channel_id, owner, revealed, end_reason FROM quiz_sessions ORDER BY channel_id",
        )
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }
}

type SessionRow = (String, String, i64, Option<String>);

/// A quiz session as [`ShardDrill::sessions`] lists it.
fn session(place: Place, owner: &str, revealed: i64, ended: Option<&str>) -> SessionRow {
    (
        place.channel.to_string(),
        owner.to_string(),
        revealed,
        ended.map(str::to_string),
    )
}

impl Drop for ShardDrill {
    /// A failed drill shows what the processes logged.
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.logs());
        }
    }
}

/// A `lectern serve` process of the drill, killed if the drill fails
/// before stopping it.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Kills the process with SIGKILL (`kill -9`) and checks that is how it ended.
fn kill_9(mut serving: Serving) {
    use std::os::unix::process::ExitStatusExt;
    serving.0.kill().unwrap();
    let status = serving.0.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{status}");
}

/// The points each reveal in a channel showed: (round, player) → (points,
/// right), from lines such as "✅ ann — 1.2 s, +15" and "❌ ben (chose B)".
fn points_shown(messages: &[crate::fake_discord::Posted]) -> BTreeMap<(i64, String), (i64, bool)> {
    let mut shown = BTreeMap::new();
    let mut round = 0;
    for message in messages {
        let (title, text) = title_and_text(message);
        if title.starts_with("Question ") {
            round += 1;
        }
        if !title.starts_with("Answer: ") {
            continue;
        }
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("✅ ") {
                let (name, after) = rest.split_once(" — ").unwrap();
                let points: String = after
                    .split_once(", +")
                    .unwrap()
                    .1
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                shown.insert((round, name.to_string()), (points.parse().unwrap(), true));
            } else if let Some(rest) = line.strip_prefix("❌ ") {
                let name = rest.split(" (chose").next().unwrap();
                shown.insert((round, name.to_string()), (0, false));
            }
        }
    }
    shown
}

#[tokio::test]
async fn drill_two_processes_on_half_the_shards_each_keep_their_quizzes_through_a_kill_9() {
    let started = std::time::Instant::now();
    let drill = ShardDrill::new().await;
    let fake = &drill.fake;
    let pool = &drill.pool;
    let (ann, ben, cat, dan) = ((101, "ann"), (102, "ben"), (103, "cat"), (104, "dan"));

    // Both schedulers find the daily posts due; their claims wait behind a
    // lock the test holds on the subscriptions until both are waiting, so
    // the two processes claim the same posts at the same time.
    let mut lock = pool.begin().await.unwrap();
    sqlx::query("SELECT id FROM daily_subscriptions FOR UPDATE")
        .fetch_all(&mut *lock)
        .await
        .unwrap();
    let a = drill.serve(HALF_A, "a");
    let mut b = drill.serve(HALF_B, "b");
    for shard in 0..TOTAL_SHARDS {
        fake.wait_for_shard(shard, 1, PROCESS_LIMIT).await;
    }
    drill
        .until("both processes' daily claims to wait", || async move {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'
                   AND query LIKE 'INSERT INTO daily_posts%'",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            (waiting == 2).then_some(())
        })
        .await;
    lock.rollback().await.unwrap();
    drill.messages(DAILY_A, 1).await;
    drill.messages(DAILY_B, 1).await;
    drill
        .until("both daily posts to be recorded sent", || async move {
            let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM daily_posts")
                .fetch_all(pool)
                .await
                .unwrap();
            (statuses == ["sent", "sent"]).then_some(())
        })
        .await;

    // A quiz in each half; each runs in the process that has its guild's shard.
    drill.start_quiz(QUIZ_A, ann).await;
    drill.start_quiz(QUIZ_B, cat).await;
    let question_a = drill.messages(QUIZ_A, 1).await[0].body.clone();
    let question_b = drill.messages(QUIZ_B, 1).await[0].body.clone();
    let owners: Vec<(String, String)> = drill
        .sessions()
        .await
        .into_iter()
        .map(|(channel, owner, ..)| (channel, owner))
        .collect();
    assert_eq!(
        owners,
        [
            (QUIZ_A.channel.to_string(), "bot-a".to_string()),
            (QUIZ_B.channel.to_string(), "bot-b".to_string())
        ]
    );

    // Round 1 (it runs to its deadline): ann right, ben wrong; cat and dan right.
    let (right, wrong) = drill.right_and_wrong(&question_a);
    for (index, student) in [(right, ann), (wrong, ben)] {
        let told = drill.answer(QUIZ_A, &question_a, index, student).await;
        assert!(told.starts_with("You chose"), "{told}");
    }
    let (right, _) = drill.right_and_wrong(&question_b);
    for student in [cat, dan] {
        let told = drill.answer(QUIZ_B, &question_b, right, student).await;
        assert!(told.starts_with("You chose"), "{told}");
    }
    let question_a = drill.messages(QUIZ_A, 3).await[2].body.clone();
    let question_b = drill.messages(QUIZ_B, 3).await[2].body.clone();

    // Round 2 in a: both answer right, which closes the round; its points
    // are committed, and process a is killed while Discord holds the reveal.
    fake.hold_next_post_in(QUIZ_A.channel, Hold::BeforeCreating);
    let (right, _) = drill.right_and_wrong(&question_a);
    let told = drill.answer(QUIZ_A, &question_a, right, ann).await;
    assert!(told.starts_with("You chose"), "{told}");
    drill.click(QUIZ_A, &question_a, right, ben);
    fake.wait_until_held_in(QUIZ_A.channel, PROCESS_LIMIT).await;
    kill_9(a);

    // Round 2 in b goes on while a is dead: cat right, dan wrong. Its
    // reveal waits at Discord until a has restarted, so b's quiz is still
    // running when a recovers.
    fake.hold_next_post_in(QUIZ_B.channel, Hold::UntilReleased);
    let (right, wrong) = drill.right_and_wrong(&question_b);
    let told = drill.answer(QUIZ_B, &question_b, right, cat).await;
    assert!(told.starts_with("You chose"), "{told}");
    let dan_round_2 = drill.click(QUIZ_B, &question_b, wrong, dan);
    fake.wait_until_held_in(QUIZ_B.channel, PROCESS_LIMIT).await;
    assert_eq!(
        drill.sessions().await,
        [
            session(QUIZ_A, "bot-a", 2, None),
            session(QUIZ_B, "bot-b", 2, None)
        ]
    );

    // a restarts: it closes its own quiz, and tells the channel so.
    let mut a = drill.serve(HALF_A, "a-restarted");
    for shard in [0, 1] {
        fake.wait_for_shard(shard, 2, PROCESS_LIMIT).await;
    }
    let notice = title_and_text(&drill.messages(QUIZ_A, 4).await[3]).1;
    assert!(
        notice.contains("interrupted when I restarted")
            && notice.contains("Points from the 2 revealed rounds are kept"),
        "{notice}"
    );
    assert_eq!(
        drill.sessions().await,
        [
            session(QUIZ_A, "bot-a", 2, Some("interrupted")),
            session(QUIZ_B, "bot-b", 2, None)
        ],
        "a's recovery closes a's quiz, not b's"
    );

    // b's quiz goes on: its reveal goes out, round 3 is played to the end.
    assert_eq!(fake.release_held_posts(QUIZ_B.channel), 1);
    let told = drill.callback(&dan_round_2).await;
    assert!(
        told["data"]["content"]
            .as_str()
            .unwrap_or_default()
            .starts_with("You chose"),
        "{told:#}"
    );
    let question_b = drill.messages(QUIZ_B, 5).await[4].body.clone();
    assert!(
        title_and_text(&drill.messages(QUIZ_B, 5).await[4])
            .0
            .starts_with("Question 3 of 3")
    );
    let (right, _) = drill.right_and_wrong(&question_b);
    let told = drill.answer(QUIZ_B, &question_b, right, cat).await;
    assert!(told.starts_with("You chose"), "{told}");
    let last = drill.click(QUIZ_B, &question_b, right, dan);
    let messages_b = drill.messages(QUIZ_B, 7).await;
    drill.callback(&last).await;
    let (title, standings) = title_and_text(&messages_b[6]);
    assert_eq!(title, "Quiz over: final leaderboard");
    assert!(!standings.contains("The quiz ended"), "{standings}");
    // Each process ran exactly its own shards; b never left the gateway
    // (its shards identified once, never resumed), a identified twice.
    assert_eq!(
        fake.sessions(),
        BTreeMap::from([(0, (2, 0)), (1, (2, 0)), (2, (1, 0)), (3, (1, 0))])
    );
    assert_eq!(fake.invalid_shards(), Vec::<[u64; 2]>::new());

    terminate(&mut a.0);
    terminate(&mut b.0);
    let elapsed = started.elapsed();

    // What users saw: nothing more than the above, and each daily post once.
    let messages_a = fake.messages(QUIZ_A.channel);
    assert_eq!(messages_a.len(), 4, "{messages_a:#?}");
    assert_eq!(fake.messages(QUIZ_B.channel).len(), 7);
    for place in [DAILY_A, DAILY_B] {
        let posts = fake.messages(place.channel);
        assert_eq!(posts.len(), 1, "{posts:#?}");
        let subscription = drill
            .store
            .daily_subscription(&channel_in(place))
            .await
            .unwrap()
            .unwrap();
        let records = drill.store.daily_posts(subscription.id).await.unwrap();
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(
            (records[0].status.as_str(), records[0].attempts),
            ("sent", 1)
        );
    }
    assert!(fake.messages(crate::fake_discord::CHANNEL_ID).is_empty());
    // Each interaction reached one process: none was answered twice.
    let mut callbacks: BTreeMap<String, usize> = BTreeMap::new();
    for call in fake.calls() {
        if call.path.ends_with("/callback") {
            *callbacks.entry(call.path).or_default() += 1;
        }
    }
    assert!(callbacks.values().all(|n| *n == 1), "{callbacks:#?}");
    // Two starts; a: two answers in round 1, ann's in round 2 (ben's was
    // taken as the process died); b: six answers.
    assert_eq!(callbacks.len(), 2 + 3 + 6, "{callbacks:#?}");

    // Scores add up exactly: every answer row is what its reveal showed
    // (a's round 2 was committed but its reveal never made), b's quiz ran
    // to the end, and each running total is the sum of its rows.
    assert_eq!(
        drill.sessions().await,
        [
            session(QUIZ_A, "bot-a", 2, Some("interrupted")),
            session(QUIZ_B, "bot-b", 3, Some("finished"))
        ]
    );
    let rows: Vec<(String, i64, String, i64, i64)> = sqlx::query_as(
        "SELECT q.channel_id, a.round, u.display_name, a.points, a.correct
         FROM quiz_answers a JOIN quiz_sessions q ON q.id = a.session_id
         JOIN users u ON u.id = a.user_id ORDER BY 1, 2, 3",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut stored = BTreeMap::new();
    for (channel, round, name, points, correct) in rows {
        stored.insert((channel, round, name), (points, correct == 1));
    }
    let mut expected = BTreeMap::new();
    for (place, messages) in [(QUIZ_A, &messages_a), (QUIZ_B, &messages_b)] {
        for ((round, name), shown) in points_shown(messages) {
            expected.insert((place.channel.to_string(), round, name), shown);
        }
    }
    for name in ["ann", "ben"] {
        let key = (QUIZ_A.channel.to_string(), 2, name.to_string());
        let row = stored.get(&key).copied();
        assert!(
            row.is_some_and(|(points, correct)| correct && points > 0),
            "{key:?}: {row:?}"
        );
        expected.insert(key, row.unwrap());
    }
    assert_eq!(stored, expected);
    for (place, players) in [
        (QUIZ_A, [("ann", 2, 2), ("ben", 1, 2)]),
        (QUIZ_B, [("cat", 3, 3), ("dan", 2, 3)]),
    ] {
        let sums: Vec<(String, i64, i64, i64)> = players
            .iter()
            .map(|&(player, correct, answered)| {
                let mine: Vec<(i64, bool)> = stored
                    .iter()
                    .filter(|((channel, _, name), _)| {
                        *channel == place.channel.to_string() && name == player
                    })
                    .map(|(_, row)| *row)
                    .collect();
                assert_eq!(
                    (mine.iter().filter(|(_, right)| *right).count(), mine.len()),
                    (correct, answered),
                    "{player}: {mine:?}"
                );
                (
                    player.to_string(),
                    mine.iter().map(|(points, _)| points).sum(),
                    correct as i64,
                    answered as i64,
                )
            })
            .collect();
        let scope = ScopeRef::new(Platform::Discord, place.guild.to_string());
        let mut totals: Vec<(String, i64, i64, i64)> = drill
            .store
            .leaderboard(&scope, None, 10)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.display_name.clone(), r.points, r.correct, r.answered))
            .collect();
        totals.sort();
        assert_eq!(totals, sums, "{place:?}");
    }
    // b's final leaderboard showed the same totals.
    for row in drill
        .store
        .leaderboard(
            &ScopeRef::new(Platform::Discord, GUILD_B.to_string()),
            None,
            10,
        )
        .await
        .unwrap()
    {
        let line = format!(
            "{} — {} points ({}/{} right)",
            row.display_name, row.points, row.correct, row.answered
        );
        assert!(standings.contains(&line), "{line:?} in {standings}");
    }
    drill.store.close().await;
    eprintln!("two-process drill: {:.1} s", elapsed.as_secs_f64());
}
