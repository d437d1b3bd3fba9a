//! The Discord adapter end to end: the real serenity client and poise
//! framework against the fake Discord in `fake_discord.rs`, over loopback.

use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::watch;

use lectern::app::{App, AppSettings};
use lectern::bot::{Bot, BotSettings, DailyScheduler};
use lectern::clock::ManualClock;
use lectern::content::Pack;
use lectern::identity::{Platform, ScopeRef};
use lectern::platforms::discord::{self, Discord, DiscordSettings};
use lectern::store::Store;

use crate::fake_discord::{
    CHANNEL_ID, FakeDiscord, GUILD_ID, MANAGE_GUILD, STUDENT, TOKEN, member_json,
};

pub(crate) struct DiscordApp {
    pub(crate) fake: FakeDiscord,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) store: Store,
    bot: Bot,
    pub(crate) stop: watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn start_with(pack: Pack) -> DiscordApp {
    start_reading(pack, false).await
}

async fn start_reading(pack: Pack, read_messages: bool) -> DiscordApp {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(utc("2026-11-25T07:58:30Z")));
    let settings = AppSettings {
        pack: Arc::new(pack),
        database: dir.path().join("discord.db"),
        clock: clock.clone(),
        bot: BotSettings {
            pause_between_rounds: Duration::ZERO,
            seed: Some(11),
            ..BotSettings::default()
        },
    };
    let discord_settings = DiscordSettings {
        dev_guild: None,
        teacher_role: None,
        shards: Some(1),
        shard_range: None,
        read_messages,
    };
    let adapter = Discord::new(discord::http_via(TOKEN, &fake.base_url), discord_settings);
    let app = App::start(settings, vec![Box::new(adapter)]).await.unwrap();
    let (bot, store, stop) = (app.bot().clone(), app.store().clone(), app.stopper());
    tokio::spawn(app.run_until(std::future::pending()));
    fake.wait_until_ready().await;
    DiscordApp {
        fake,
        clock,
        store,
        bot,
        stop,
        _dir: dir,
    }
}

pub(crate) async fn start() -> DiscordApp {
    start_with(Pack::bundled().unwrap()).await
}

pub(crate) fn teacher() -> Value {
    member_json(42, "teacher", MANAGE_GUILD)
}

pub(crate) fn student(id: u64, name: &str) -> Value {
    member_json(id, name, STUDENT)
}

/// The interaction callback for `token` (the bot's reply), once it arrives.
pub(crate) async fn callback(app: &DiscordApp, token: &str) -> Value {
    let suffix = format!("/{token}/callback");
    app.fake
        .wait_for_calls(1, |c| c.path.ends_with(&suffix))
        .await
        .remove(0)
        .body
}

/// What the bot finally showed for a deferred interaction.
pub(crate) async fn followup(app: &DiscordApp, token: &str) -> Value {
    let needle = format!("/{token}");
    let calls = app
        .fake
        .wait_for_calls(1, |c| {
            c.path.contains(&needle) && c.path.contains("/webhooks/") && c.method != Method::GET
        })
        .await;
    calls[0].body.clone()
}

pub(crate) fn description(body: &Value) -> String {
    let embeds = body
        .get("data")
        .and_then(|d| d.get("embeds"))
        .or_else(|| body.get("embeds"));
    embeds
        .and_then(|e| e[0]["description"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn channel_posts(app: &DiscordApp) -> Vec<Value> {
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    app.fake
        .calls()
        .into_iter()
        .filter(|c| c.method == Method::POST && c.path == path)
        .map(|c| c.body)
        .collect()
}

async fn wait_for_posts(app: &DiscordApp, count: usize) -> Vec<Value> {
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages");
    app.fake
        .wait_for_calls(count, |c| c.method == Method::POST && c.path == path)
        .await
        .into_iter()
        .map(|c| c.body)
        .collect()
}

#[tokio::test]
async fn ask_answers_with_a_cited_passage_and_no_mentions() {
    let app = start().await;
    let (token, interaction) = app.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "Who did Stalin defeat in the struggle for power?"}]),
        student(7, "sam"),
        None,
    );
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert_eq!(reply["type"], 4, "answered in the callback: {reply:#}");
    let text = description(&reply);
    assert!(
        text.contains("Trotsky") && text.contains("sentence 1 of 37"),
        "{text}"
    );
    assert_eq!(
        reply["data"]["allowed_mentions"]["parse"],
        json!([]),
        "{reply:#}"
    );
    let _ = app.stop.send(true);
}

#[tokio::test]
async fn a_non_admin_cannot_set_the_daily_post() {
    let app = start().await;
    let options = json!([{"name": "set", "type": 1, "options": [{"name": "time", "type": 3, "value": "08:00"}]}]);
    let (token, interaction) = app.fake.command("daily", options, student(7, "sam"), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert!(
        description(&reply).contains("Only an admin can change this channel's daily post."),
        "{reply:#}"
    );
    assert_eq!(
        reply["data"]["flags"], 64,
        "refusals are ephemeral: {reply:#}"
    );
    let _ = app.stop.send(true);
}

#[tokio::test]
async fn the_daily_post_arrives_at_the_scheduled_time_exactly_once() {
    let app = start().await;
    let options = json!([{"name": "set", "type": 1, "options": [
        {"name": "time", "type": 3, "value": "08:00"}, {"name": "zone", "type": 3, "value": "Europe/London"}
    ]}]);
    let (token, interaction) = app.fake.command("daily", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert!(
        description(&reply).contains("set for 08:00 Europe/London"),
        "{reply:#}"
    );
    assert!(channel_posts(&app).is_empty());

    app.clock.set(utc("2026-11-25T08:00:00Z"));
    let posts = wait_for_posts(&app, 1).await;
    let post = &posts[0];
    assert_eq!(
        post["embeds"][0]["title"], "This week in history: 25 November",
        "{post:#}"
    );
    assert_eq!(post["allowed_mentions"]["parse"], json!([]));
    // Another tick in the same minute, or from a second process, posts nothing.
    let again = DailyScheduler::new(app.bot.clone(), vec![Platform::Discord])
        .tick()
        .await
        .unwrap();
    assert_eq!(again.sent, 0);
    assert_eq!(channel_posts(&app).len(), 1);
    let _ = app.stop.send(true);
}

/// The right letter for a posted question, found in the pack's bank.
pub(crate) fn right_index(post: &Value, pack: &Pack) -> usize {
    let text = post["embeds"][0]["description"].as_str().unwrap();
    let prompt = text.lines().next().unwrap();
    let question = pack
        .questions
        .iter()
        .find(|q| lectern::bot::escape(&q.prompt) == prompt)
        .unwrap_or_else(|| panic!("not a bank question: {prompt}"));
    let choices: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once(")** ").map(|(_, t)| t))
        .collect();
    choices
        .iter()
        .position(|c| *c == lectern::bot::escape(question.answer()))
        .unwrap()
}

pub(crate) fn custom_id(post: &Value, index: usize) -> String {
    post["components"][0]["components"][index]["custom_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_three_round_quiz_with_three_players_ends_with_the_right_leaderboard() {
    let app = start().await;
    let pack = Pack::bundled().unwrap();
    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "rounds", "type": 4, "value": 3}, {"name": "seconds", "type": 4, "value": 20},
        {"name": "source", "type": 4, "value": 1}
    ]}]);
    let (token, interaction) = app.fake.command("quiz", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    assert_eq!(
        callback(&app, &token).await["type"],
        5,
        "a quiz start is deferred"
    );
    assert!(
        description(&followup(&app, &token).await)
            .contains("Quiz started: 3 rounds of 20 seconds.")
    );

    let players = [(101, "ann"), (102, "ben"), (103, "cat")];
    // ann is always right, ben right in rounds 1 and 3, cat never.
    for round in 1..=3 {
        let posts = wait_for_posts(&app, 2 * round - 1).await;
        let question = posts.last().unwrap();
        assert!(
            question["embeds"][0]["title"]
                .as_str()
                .unwrap()
                .starts_with(&format!("Question {round} of 3"))
        );
        let right = right_index(question, &pack);
        let wrong = (right + 1) % 4;
        let message = json!({
            "id": "1", "channel_id": CHANNEL_ID.to_string(),
            "author": {"id": "1001", "username": "lectern", "discriminator": "0", "avatar": null, "bot": true},
            "content": "", "timestamp": "2026-11-25T12:00:00+00:00", "edited_timestamp": null, "tts": false,
            "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": false, "type": 0
        });
        for (id, name) in players {
            let pick = match (name, round) {
                ("ann", _) | ("ben", 1 | 3) => right,
                _ => wrong,
            };
            let (token, click) = app.fake.button(
                &custom_id(question, pick),
                student(id, name),
                message.clone(),
            );
            app.fake.dispatch("INTERACTION_CREATE", click);
            let answer = callback(&app, &token).await;
            let label = ["A", "B", "C", "D"][pick];
            assert_eq!(
                answer["data"]["content"],
                format!("You chose {label}."),
                "{answer:#}"
            );
            assert_eq!(answer["data"]["flags"], 64);
        }
        // A second click by ann in the same round does not count.
        let (token, click) = app.fake.button(
            &custom_id(question, wrong),
            student(101, "ann"),
            message.clone(),
        );
        app.fake.dispatch("INTERACTION_CREATE", click);
        assert!(
            callback(&app, &token).await["data"]["content"]
                .as_str()
                .unwrap()
                .contains("already answered")
        );
        // The teacher started but does not play: the round closes at its deadline.
        app.clock.advance(Duration::from_secs(20));
    }
    let posts = wait_for_posts(&app, 7).await;
    let last = &posts[6];
    assert_eq!(last["embeds"][0]["title"], "Quiz over: final leaderboard");
    assert_eq!(
        last["embeds"][0]["description"],
        "1. ann — 480 points (3/3 right)\n2. ben — 300 points (2/3 right)\n3. cat — 0 points (0/3 right)"
    );
    let reveal = &posts[1];
    assert!(
        reveal["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("Answer: ")
    );
    assert!(
        reveal["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("> — *sentence"),
        "{reveal:#}"
    );
    // The rows in SQLite.
    let scope = ScopeRef::new(Platform::Discord, GUILD_ID.to_string());
    let rows = app.store.leaderboard(&scope, None, 10).await.unwrap();
    let summary: Vec<(String, i64, i64, i64)> = rows
        .iter()
        .map(|r| (r.display_name.clone(), r.points, r.correct, r.answered))
        .collect();
    assert_eq!(
        summary,
        [
            ("ann".to_string(), 480, 3, 3),
            ("ben".to_string(), 300, 2, 3),
            ("cat".to_string(), 0, 0, 3)
        ]
    );
    let _ = app.stop.send(true);
}

/// A copy of the bundled pack without its hand-written bank, so a quiz from
/// the bank can only use what was imported.
fn pack_without_bank() -> (tempfile::TempDir, Pack) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/content/ussr")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "questions.toml" {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    let pack = Pack::load(dir.path()).unwrap();
    assert!(pack.questions.is_empty());
    (dir, pack)
}

#[tokio::test]
async fn an_imported_bank_feeds_the_next_quiz_and_never_pings() {
    let (_pack_dir, pack) = pack_without_bank();
    let app = start_with(pack).await;
    let gift = "::ping:: Who shouted @everyone in class? {=Trotsky ~Lenin ~Stalin ~Hitler}\n\nWho led the Red Army? {=Trotsky ~Lenin ~Stalin}\n";
    let url = app.fake.host_file("class.gift", gift.as_bytes());
    let resolved = json!({"attachments": {"555": {
        "id": "555", "filename": "class.gift", "size": gift.len(), "url": url, "proxy_url": url
    }}});
    let options = json!([{"name": "import", "type": 1, "options": [{"name": "file", "type": 11, "value": "555"}]}]);

    // Students may not import.
    let (token, interaction) = app.fake.command(
        "bank",
        options.clone(),
        student(7, "sam"),
        Some(resolved.clone()),
    );
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    assert!(
        description(&followup(&app, &token).await).contains("Only an admin or teacher can import")
    );

    let (token, interaction) = app.fake.command("bank", options, teacher(), Some(resolved));
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = followup(&app, &token).await;
    assert!(
        description(&reply).contains("Imported 2 questions from class.gift (gift)"),
        "{reply:#}"
    );

    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "rounds", "type": 4, "value": 2}, {"name": "source", "type": 4, "value": 1}
    ]}]);
    let (_, interaction) = app.fake.command("quiz", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let posts = wait_for_posts(&app, 1).await;
    let question = &posts[0];
    let text = question["embeds"][0]["description"].as_str().unwrap();
    assert!(
        text.starts_with("Who shouted @\u{200b}everyone in class?")
            || text.starts_with("Who led the Red Army?"),
        "{text}"
    );
    assert_eq!(
        question["allowed_mentions"]["parse"],
        json!([]),
        "{question:#}"
    );
    // Whichever came first, the @everyone question is posted defused in this quiz.
    app.clock.advance(Duration::from_secs(20));
    let posts = wait_for_posts(&app, 3).await;
    let all: String = posts
        .iter()
        .map(|p| {
            p["embeds"][0]["description"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        all.contains("@\u{200b}everyone") && !all.contains("@everyone"),
        "{all}"
    );
    assert!(
        posts
            .iter()
            .all(|p| p["allowed_mentions"]["parse"] == json!([]))
    );
    let _ = app.stop.send(true);
}

#[tokio::test]
async fn a_typed_quiz_reads_answers_from_channel_messages() {
    let app = start_reading(Pack::bundled().unwrap(), true).await;
    let pack = Pack::bundled().unwrap();
    let options = json!([{"name": "start", "type": 1, "options": [
        {"name": "rounds", "type": 4, "value": 1}, {"name": "mode", "type": 4, "value": 1},
        {"name": "source", "type": 4, "value": 1}
    ]}]);
    let (_, interaction) = app.fake.command("quiz", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let posts = wait_for_posts(&app, 1).await;
    let question = &posts[0];
    assert!(
        question["components"]
            .as_array()
            .is_none_or(|c| c.is_empty()),
        "typed mode has no buttons"
    );
    let prompt = question["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let asked = pack
        .questions
        .iter()
        .find(|q| lectern::bot::escape(&q.prompt) == prompt)
        .unwrap();
    // In typed mode a player's first message in the round is their answer;
    // the bot reacts to each answer it took, so the room sees it counted.
    app.fake.dispatch(
        "MESSAGE_CREATE",
        app.fake
            .user_message(101, "ann", &asked.answer().to_lowercase()),
    );
    app.fake.dispatch(
        "MESSAGE_CREATE",
        app.fake.user_message(102, "ben", "no idea"),
    );
    app.fake
        .wait_for_calls(2, |c| {
            c.method == Method::PUT && c.path.contains("/reactions/")
        })
        .await;
    app.fake.dispatch(
        "MESSAGE_CREATE",
        app.fake.user_message(102, "ben", "kolkhoz? trotsky?"),
    );
    app.clock.advance(Duration::from_secs(20));
    let posts = wait_for_posts(&app, 3).await;
    let reveal = posts[1]["embeds"][0]["description"].as_str().unwrap();
    assert!(reveal.contains("✅ ann"), "{reveal}");
    assert!(reveal.contains("❌ ben"), "{reveal}");
    assert!(
        posts[2]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .starts_with("1. ann — 150 points (1/1 right)")
    );
    let _ = app.stop.send(true);
}

#[tokio::test]
async fn finding_18_a_bad_discord_token_fails_at_start_up_with_the_cause() {
    let fake = FakeDiscord::start().await;
    let settings = DiscordSettings {
        dev_guild: None,
        teacher_role: None,
        shards: Some(1),
        shard_range: None,
        read_messages: false,
    };
    let refused = Discord::connect(
        discord::http_via("not-the-token", &fake.base_url),
        settings.clone(),
    )
    .await;
    let error = refused.err().expect("a bad token was accepted").to_string();
    assert!(
        error.starts_with("Discord refused the bot token (")
            && error.ends_with("); check DISCORD_TOKEN or [discord] token_file")
            && error.contains("401"),
        "{error}"
    );
    assert!(
        Discord::connect(discord::http_via(TOKEN, &fake.base_url), settings)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn review_is_ephemeral_and_its_buttons_answer_privately_without_scoring() {
    let app = start().await;
    let options = json!([{"name": "start", "type": 1, "options": []}]);
    let (token, interaction) = app.fake.command("review", options, student(7, "sam"), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert_eq!(reply["data"]["flags"], 64, "review is ephemeral: {reply:#}");
    let title = reply["data"]["embeds"][0]["title"].as_str().unwrap();
    assert!(title.starts_with("Review question 1 of "), "{reply:#}");
    let button = reply["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(button.starts_with("review:"), "{button}");

    let message = json!({
        "id": "1", "channel_id": CHANNEL_ID.to_string(),
        "author": {"id": "1001", "username": "lectern", "discriminator": "0", "avatar": null, "bot": true},
        "content": "", "timestamp": "2026-11-25T12:00:00+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 0
    });
    let (token, click) = app.fake.button(&button, student(7, "sam"), message);
    app.fake.dispatch("INTERACTION_CREATE", click);
    let answer = callback(&app, &token).await;
    assert_eq!(answer["data"]["flags"], 64, "{answer:#}");
    let embeds = answer["data"]["embeds"].as_array().unwrap();
    assert_eq!(
        embeds.len(),
        2,
        "the verdict and the next question: {answer:#}"
    );
    let verdict = embeds[0]["description"].as_str().unwrap();
    assert!(
        verdict.contains("Right.") || verdict.contains("The answer is"),
        "{verdict}"
    );
    assert!(
        embeds[1]["title"]
            .as_str()
            .unwrap()
            .starts_with("Review question 2 of "),
        "{answer:#}"
    );
    assert!(channel_posts(&app).is_empty(), "nothing in the channel");
    let scope = ScopeRef::new(Platform::Discord, GUILD_ID.to_string());
    assert!(
        app.store
            .leaderboard(&scope, None, 10)
            .await
            .unwrap()
            .is_empty(),
        "review answers are never scored"
    );
    let _ = app.stop.send(true);
}

#[tokio::test]
async fn only_admins_start_a_season_and_it_is_announced_in_the_channel() {
    let app = start().await;
    let options = json!([{"name": "new", "type": 1, "options": []}]);
    let (token, interaction) = app
        .fake
        .command("season", options.clone(), student(7, "sam"), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert!(
        description(&reply).contains("Only an admin or teacher can start a new season."),
        "{reply:#}"
    );
    assert_eq!(reply["data"]["flags"], 64, "{reply:#}");

    let (token, interaction) = app.fake.command("season", options, teacher(), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert_eq!(
        reply["data"]["embeds"][0]["title"], "Season 1 starts now",
        "{reply:#}"
    );
    assert_ne!(
        reply["data"]["flags"], 64,
        "announced to everyone: {reply:#}"
    );
    let _ = app.stop.send(true);
}

/// The review reminder on the fake Discord: turned on with the slash
/// command (answered ephemerally), it arrives at 17:00 as a direct message
/// to the student alone, once, when a review is due.
#[tokio::test]
async fn the_review_reminder_is_a_direct_message_to_the_student() {
    use lectern::store::AskedItem;
    let app = start().await;
    let options = json!([{"name": "remind", "type": 1, "options": [
        {"name": "switch", "type": 4, "value": 0}
    ]}]);
    let (token, interaction) = app.fake.command("review", options, student(7, "sam"), None);
    app.fake.dispatch("INTERACTION_CREATE", interaction);
    let reply = callback(&app, &token).await;
    assert!(
        description(&reply).contains("Daily review reminder on: each day at 17:00 Europe/London"),
        "{reply:#}"
    );
    assert_eq!(reply["data"]["flags"], 64, "private: {reply:#}");

    let scope = lectern::identity::ScopeRef::new(Platform::Discord, GUILD_ID.to_string());
    let sam = lectern::identity::UserRef::new(Platform::Discord, "7", "sam");
    let question = Pack::bundled().unwrap().questions[0].clone();
    let item = AskedItem {
        item_id: question.id.clone(),
        question,
    };
    let card =
        crate::helpers::lapsed_card(utc("2026-11-25T09:00:00Z"), utc("2026-11-25T07:58:30Z"));
    app.store
        .record_review(
            &scope,
            &sam,
            &item,
            &card,
            false,
            utc("2026-11-25T07:58:30Z"),
        )
        .await
        .unwrap();

    app.clock.set(utc("2026-11-25T17:00:00Z"));
    let direct = crate::fake_discord::DM_CHANNEL_BASE + 7;
    let posts = app.fake.wait_for_messages(direct, 1).await;
    let text = posts[0].body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.starts_with("sam, you have 1 review due."), "{text}");
    assert!(
        channel_posts(&app).is_empty(),
        "nothing in the class channel"
    );
    let opened: Vec<_> = app
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.path.ends_with("/users/@me/channels"))
        .collect();
    assert_eq!(opened[0].body["recipient_id"], "7");
    // Later the same day the scheduler ticks again: nothing more.
    app.clock.set(utc("2026-11-25T21:00:00Z"));
    let again = DailyScheduler::new(app.bot.clone(), vec![Platform::Discord])
        .tick()
        .await
        .unwrap();
    assert_eq!(again.reminders_sent, 0);
    assert_eq!(app.fake.messages(direct).len(), 1);
    let _ = app.stop.send(true);
}
