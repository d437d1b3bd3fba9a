//! The Matrix adapter end to end against a real Synapse (see `synapse.rs`):
//! people are plain matrix-sdk clients; the bot runs as `lectern serve`
//! would, on a manual clock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use matrix_sdk::Client;
use matrix_sdk::RoomMemberships;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::deserialized_responses::EncryptionInfo;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::room::create_room::v3::Request as CreateRoom;
use matrix_sdk::ruma::events::InitialStateEvent;
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;
use matrix_sdk::ruma::events::room::message::{
    OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId, RoomId};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use lectern::app::{App, AppSettings};
use lectern::bot::{Bot, BotSettings, DailyScheduler, Message, Outbox};
use lectern::clock::ManualClock;
use lectern::config::Secret;
use lectern::content::Pack;
use lectern::identity::{Platform, ScopeRef};
use lectern::platforms::Adapter;
use lectern::platforms::matrix::{self, Matrix, MatrixSettings};
use lectern::store::Store;

use crate::synapse::Synapse;

const WAIT: Duration = Duration::from_secs(60);

/// A message seen by a person's client.
#[derive(Debug, Clone)]
struct Seen {
    room: OwnedRoomId,
    event_id: OwnedEventId,
    sender: OwnedUserId,
    content: Value,
    encrypted: bool,
}

/// A person with a plain matrix-sdk client that syncs in the background.
struct Person {
    client: Client,
    user_id: OwnedUserId,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Person {
    async fn new(synapse: &Synapse, name: &str) -> Self {
        let (user_id, localpart, password) = synapse.register(name);
        let dir = tempfile::tempdir().unwrap().keep();
        let client = Client::builder()
            .homeserver_url(&synapse.url)
            .sqlite_store(dir.join("store"), None)
            .build()
            .await
            .unwrap();
        client
            .matrix_auth()
            .login_username(&localpart, &password)
            .await
            .unwrap();
        client.sync_once(SyncSettings::default()).await.unwrap();
        let (tx, seen) = mpsc::unbounded_channel();
        client.add_event_handler(
            move |event: OriginalSyncRoomMessageEvent, room: Room, info: Option<EncryptionInfo>| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send(Seen {
                        room: room.room_id().to_owned(),
                        event_id: event.event_id.clone(),
                        sender: event.sender.clone(),
                        content: serde_json::to_value(&event.content).unwrap_or_default(),
                        encrypted: info.is_some(),
                    });
                }
            },
        );
        let syncing = client.clone();
        // Syncing goes on through a homeserver outage (the drill stops it).
        tokio::spawn(async move {
            syncing
                .sync_with_result_callback(SyncSettings::default(), |_| async {
                    Ok(matrix_sdk::LoopCtrl::Continue)
                })
                .await
        });
        Person {
            client,
            user_id: user_id.try_into().unwrap(),
            seen,
        }
    }

    /// Waits for a message from `sender` in `room` whose body contains `needle`.
    async fn wait_for(&mut self, room: &RoomId, sender: &OwnedUserId, needle: &str) -> Seen {
        let wait = async {
            while let Some(seen) = self.seen.recv().await {
                let body = seen.content["body"].as_str().unwrap_or_default();
                if seen.room == room && &seen.sender == sender && body.contains(needle) {
                    return seen;
                }
            }
            panic!("the client stopped");
        };
        tokio::time::timeout(WAIT, wait)
            .await
            .unwrap_or_else(|_| panic!("no message containing {needle:?} within {WAIT:?}"))
    }

    async fn say(&self, room: &RoomId, text: &str) -> OwnedEventId {
        let room = self.client.get_room(room).expect("in the room");
        room.send(RoomMessageEventContent::text_plain(text))
            .await
            .unwrap()
            .response
            .event_id
    }

    async fn react(&self, room: &RoomId, event: &OwnedEventId, key: &str) {
        let room = self.client.get_room(room).expect("in the room");
        room.send(ReactionEventContent::new(Annotation::new(
            event.clone(),
            key.to_string(),
        )))
        .await
        .unwrap();
    }

    async fn create_room(&self, invite: &[&OwnedUserId], encrypted: bool) -> OwnedRoomId {
        let mut request = CreateRoom::new();
        request.invite = invite.iter().map(|u| (*u).clone()).collect();
        if encrypted {
            let encryption = InitialStateEvent::with_empty_state_key(
                RoomEncryptionEventContent::with_recommended_defaults(),
            );
            request.initial_state = vec![encryption.to_raw_any()];
        }
        self.client
            .create_room(request)
            .await
            .unwrap()
            .room_id()
            .to_owned()
    }

    async fn join(&self, room: &RoomId) {
        self.client.join_room_by_id(room).await.unwrap();
    }

    /// Waits for an invitation to a room other than `room` (the bot's
    /// direct-message room) and joins it.
    async fn join_direct_room(&self, room: &RoomId) -> OwnedRoomId {
        let invited = async {
            loop {
                if let Some(invited) = self
                    .client
                    .invited_rooms()
                    .into_iter()
                    .find(|r| r.room_id() != room)
                {
                    return invited.room_id().to_owned();
                }
                // The client syncs in the background; look again shortly.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        let direct = tokio::time::timeout(WAIT, invited)
            .await
            .expect("an invitation to a direct-message room");
        self.join(&direct).await;
        direct
    }

    /// Waits until `user` has joined `room` (as this client sees it).
    async fn wait_for_member(&self, room: &RoomId, user: &OwnedUserId) {
        let wait = async {
            loop {
                if let Some(room) = self.client.get_room(room) {
                    let members = room
                        .members(RoomMemberships::JOIN)
                        .await
                        .unwrap_or_default();
                    if members.iter().any(|m| m.user_id() == user) {
                        return;
                    }
                }
                // The client syncs in the background; look again shortly.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        tokio::time::timeout(WAIT, wait)
            .await
            .expect("the member joined");
    }
}

/// The bot, as `lectern serve` runs it on Matrix.
struct MatrixBot {
    bot: Bot,
    /// Where the bot's own posts go (what the scheduler posts through).
    outbox: Arc<dyn Outbox>,
    user_id: OwnedUserId,
    device: String,
    store: Store,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

struct BotAccount {
    user: String,
    password: String,
    data: std::path::PathBuf,
    db: std::path::PathBuf,
}

fn bot_account(synapse: &Synapse) -> BotAccount {
    let (user, _, password) = synapse.register("lectern");
    let dir = tempfile::tempdir().unwrap().keep();
    BotAccount {
        user,
        password,
        data: dir.join("matrix"),
        db: dir.join("lectern.db"),
    }
}

async fn start_bot(synapse: &Synapse, account: &BotAccount, clock: Arc<ManualClock>) -> MatrixBot {
    start_bot_with(synapse, account, clock, Pack::bundled().unwrap()).await
}

async fn start_bot_with(
    synapse: &Synapse,
    account: &BotAccount,
    clock: Arc<ManualClock>,
    pack: Pack,
) -> MatrixBot {
    let matrix_settings = MatrixSettings {
        homeserver: synapse.url.clone(),
        user: account.user.clone(),
        password: Some(Secret::new(account.password.clone())),
        data_dir: account.data.clone(),
        admin_power_level: 50,
        device_name: "Lectern test".into(),
    };
    let client = matrix::connect(&matrix_settings)
        .await
        .expect("the bot logs in");
    let device = client.device_id().expect("a device").to_string();
    let user_id = client.user_id().expect("a user").to_owned();
    let settings = AppSettings {
        pack: Arc::new(pack),
        database: account.db.clone(),
        clock,
        bot: BotSettings {
            matrix_prefix: '!',
            pause_between_rounds: Duration::ZERO,
            seed: Some(5),
            ..BotSettings::default()
        },
    };
    let adapter = Matrix::new(client, matrix_settings);
    let outbox = adapter.outbox();
    let app = App::start(settings, vec![Box::new(adapter)]).await.unwrap();
    let (bot, store, stop) = (app.bot().clone(), app.store().clone(), app.stopper());
    let task = tokio::spawn(async move {
        app.run_until(std::future::pending())
            .await
            .expect("the bot runs");
    });
    MatrixBot {
        bot,
        outbox,
        user_id,
        device,
        store,
        stop,
        task,
    }
}

impl MatrixBot {
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(utc("2026-11-25T07:58:30Z")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_joins_on_invite_and_answers_ask_with_a_cited_passage() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let bot = start_bot(synapse, &account, clock()).await;
    let mut alice = Person::new(synapse, "alice").await;
    let room = alice.create_room(&[&bot.user_id], false).await;
    let asked = alice
        .say(
            &room,
            "!ask Who did Stalin defeat in the struggle for power?",
        )
        .await;
    let reply = alice.wait_for(&room, &bot.user_id, "Trotsky").await;
    assert!(
        reply.content["body"]
            .as_str()
            .unwrap()
            .contains("sentence 1 of 37"),
        "{:#}",
        reply.content
    );
    assert!(
        reply.content["formatted_body"]
            .as_str()
            .unwrap()
            .contains("<blockquote>"),
        "{:#}",
        reply.content
    );
    assert_eq!(reply.content["format"], "org.matrix.custom.html");
    assert_eq!(
        reply.content["m.relates_to"]["m.in_reply_to"]["event_id"],
        asked.to_string()
    );
    assert_eq!(
        reply.content["m.mentions"],
        serde_json::json!({}),
        "no pills or pings: {:#}",
        reply.content
    );

    // Hints and errors spell the commands the way Matrix users type them.
    alice.say(&room, "!score").await;
    let hint = alice.wait_for(&room, &bot.user_id, "no score").await;
    let body = hint.content["body"].as_str().unwrap();
    assert!(body.contains("Start a quiz with !quiz."), "{body}");
    alice.say(&room, "!nope").await;
    let error = alice.wait_for(&room, &bot.user_id, "Unknown command").await;
    let body = error.content["body"].as_str().unwrap();
    assert!(
        body.contains("Unknown command !nope. Commands: !ask, !quiz"),
        "{body}"
    );
    assert!(!body.contains("/quiz"), "{body}");
    bot.stop().await;
}

/// The right choice's letter for a question the bot posted, from the bank.
fn right_letter(body: &str, pack: &Pack) -> usize {
    let mut lines = body.lines();
    let _title = lines.next();
    let prompt = lines.next().unwrap();
    let question = pack
        .questions
        .iter()
        .find(|q| lectern::bot::escape(&q.prompt) == prompt)
        .unwrap_or_else(|| panic!("not a bank question: {prompt}"));
    let choices: Vec<&str> = body
        .lines()
        .filter_map(|l| l.trim_start().split_once(") ").map(|(_, t)| t))
        .collect();
    choices
        .iter()
        .position(|c| *c == lectern::bot::escape(question.answer()))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiz_answered_by_reactions_ends_with_the_right_leaderboard() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let clock = clock();
    let bot = start_bot(synapse, &account, clock.clone()).await;
    let pack = Pack::bundled().unwrap();
    let mut alice = Person::new(synapse, "alice").await;
    let bob = Person::new(synapse, "bob").await;
    let carol = Person::new(synapse, "carol").await;
    let dave = Person::new(synapse, "dave").await;
    let room = alice
        .create_room(
            &[&bot.user_id, &bob.user_id, &carol.user_id, &dave.user_id],
            false,
        )
        .await;
    for person in [&bob, &carol, &dave] {
        person.join(&room).await;
    }
    alice.wait_for_member(&room, &bot.user_id).await;
    alice.say(&room, "!quiz 3 20 bank").await;
    let keys = ["🇦", "🇧", "🇨", "🇩"];
    for round in 1..=3 {
        let question = alice
            .wait_for(&room, &bot.user_id, &format!("Question {round} of 3"))
            .await;
        let right = right_letter(question.content["body"].as_str().unwrap(), &pack);
        let wrong = (right + 1) % 4;
        // bob is always right, carol in rounds 1 and 3, dave never.
        bob.react(&room, &question.event_id, keys[right]).await;
        carol
            .react(
                &room,
                &question.event_id,
                keys[if round == 2 { wrong } else { right }],
            )
            .await;
        dave.react(&room, &question.event_id, keys[wrong]).await;
        // A second reaction by bob does not count.
        bob.react(&room, &question.event_id, keys[wrong]).await;
        // The bot handles a room's events in order: once it answers this, it has the reactions.
        alice.say(&room, "!score").await;
        alice
            .wait_for(&room, &bot.user_id, "no score here yet")
            .await;
        clock.advance(Duration::from_secs(20));
    }
    let last = alice.wait_for(&room, &bot.user_id, "Quiz over").await;
    let body = last.content["body"].as_str().unwrap();
    let bob_name = bob.user_id.localpart();
    let carol_name = carol.user_id.localpart();
    let dave_name = dave.user_id.localpart();
    assert!(
        body.contains(&format!(
            "1. {bob_name} — 480 points (3/3 right)\n2. {carol_name} — 300 points (2/3 right)\n3. {dave_name} — 0 points (0/3 right)"
        )),
        "{body}"
    );
    let scope = ScopeRef::new(Platform::Matrix, room.to_string());
    let rows = bot.store.leaderboard(&scope, None, 10).await.unwrap();
    let summary: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.user_id.clone(), r.points, r.correct))
        .collect();
    assert_eq!(
        summary,
        [
            (bob.user_id.to_string(), 480, 3),
            (carol.user_id.to_string(), 300, 2),
            (dave.user_id.to_string(), 0, 0)
        ]
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_room_admins_set_the_daily_post_and_it_arrives_once_at_its_time() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let clock = clock();
    let bot = start_bot(synapse, &account, clock.clone()).await;
    let mut alice = Person::new(synapse, "alice").await;
    let bob = Person::new(synapse, "bob").await;
    let room = alice
        .create_room(&[&bot.user_id, &bob.user_id], false)
        .await;
    bob.join(&room).await;
    alice.wait_for_member(&room, &bot.user_id).await;
    bob.say(&room, "!daily set 08:00").await;
    alice
        .wait_for(
            &room,
            &bot.user_id,
            "Only an admin can change this channel's daily post.",
        )
        .await;
    alice.say(&room, "!daily set 08:00 Europe/London").await;
    alice
        .wait_for(&room, &bot.user_id, "set for 08:00 Europe/London")
        .await;
    clock.set(utc("2026-11-25T08:00:00Z"));
    let post = alice
        .wait_for(&room, &bot.user_id, "This week in history: 25 November")
        .await;
    assert!(
        post.content["body"]
            .as_str()
            .unwrap()
            .contains("Source: http"),
        "{:#}",
        post.content
    );
    let again = DailyScheduler::new(bot.bot.clone(), vec![Platform::Matrix])
        .tick()
        .await
        .unwrap();
    assert_eq!(again.sent, 0, "exactly once");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_in_an_encrypted_room_gets_an_encrypted_correct_reply() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let bot = start_bot(synapse, &account, clock()).await;
    let mut alice = Person::new(synapse, "alice").await;
    let room = alice.create_room(&[&bot.user_id], true).await;
    // Room keys go to the members present when a message is sent: wait for the bot.
    alice.wait_for_member(&room, &bot.user_id).await;
    alice.say(&room, "!ask what is a kolkhoz").await;
    let reply = alice.wait_for(&room, &bot.user_id, "kolkhoz").await;
    assert!(reply.encrypted, "the reply was sent encrypted");
    let body = reply.content["body"].as_str().unwrap();
    assert!(
        body.contains("one big kolkhoz collective") && !body.contains('*'),
        "the plain body is text as read: {:#}",
        reply.content
    );
    assert!(
        reply.content["formatted_body"]
            .as_str()
            .unwrap()
            .contains("<strong>kolkhoz</strong>"),
        "{:#}",
        reply.content
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_device_and_does_not_answer_old_messages() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let first = start_bot(synapse, &account, clock()).await;
    let device = first.device.clone();
    let mut alice = Person::new(synapse, "alice").await;
    let room = alice.create_room(&[&first.user_id], false).await;
    alice.wait_for_member(&room, &first.user_id).await;
    alice.say(&room, "!help").await;
    alice.wait_for(&room, &first.user_id, "!quiz").await;
    let bot_user = first.user_id.clone();
    first.stop().await;

    // Said while the bot is away: not answered after the restart.
    let old = alice.say(&room, "!ask who was Trotsky").await;
    let second = start_bot(synapse, &account, clock()).await;
    assert_eq!(second.device, device, "the same device after a restart");
    alice.say(&room, "!ask what is a kolkhoz").await;
    let fresh = alice.wait_for(&room, &bot_user, "kolkhoz").await;
    assert_ne!(
        fresh.content["m.relates_to"]["m.in_reply_to"]["event_id"],
        old.to_string()
    );
    // Anything the bot said after the restart answered the new question only.
    while let Ok(seen) = alice.seen.try_recv() {
        if seen.sender == bot_user {
            assert_ne!(
                seen.content["m.relates_to"]["m.in_reply_to"]["event_id"],
                old.to_string(),
                "answered an old message"
            );
        }
    }
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drill_a_daily_post_sent_again_with_its_transaction_id_appears_once() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let bot = start_bot(synapse, &account, clock()).await;
    let mut alice = Person::new(synapse, "alice").await;
    let room = alice.create_room(&[&bot.user_id], false).await;
    alice.wait_for_member(&room, &bot.user_id).await;
    bot.outbox.connected().await;

    // A re-send after a crash carries the nonce stored with the claim as
    // its transaction id: the homeserver returns the first event.
    let channel = lectern::identity::ChannelRef::new(
        ScopeRef::new(Platform::Matrix, room.to_string()),
        room.to_string(),
    );
    let post = Message::titled("On this day: 25 November", "The daily post.");
    let first = bot
        .outbox
        .post_once(&channel, &post, "daily-0123456789abcdef")
        .await
        .unwrap();
    let again = bot
        .outbox
        .post_once(&channel, &post, "daily-0123456789abcdef")
        .await
        .unwrap();
    assert_eq!(first, again, "the same event");
    // A later message marks the end of what the bot posted.
    bot.outbox
        .post(&channel, &Message::text("The end of the drill."))
        .await
        .unwrap();
    let mut daily = 0;
    loop {
        let seen = alice.wait_for(&room, &bot.user_id, "").await;
        let body = seen.content["body"].as_str().unwrap_or_default();
        if body.contains("The end of the drill.") {
            break;
        }
        if body.contains("The daily post.") {
            daily += 1;
        }
    }
    assert_eq!(daily, 1, "the room shows the post once");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drill_homeserver_outage_mid_quiz_keeps_the_rounds_and_posts_the_due_daily_once() {
    let synapse = Synapse::start();
    let account = bot_account(&synapse);
    let clock = clock();
    let bot = start_bot(&synapse, &account, clock.clone()).await;
    let pack = Pack::bundled().unwrap();
    let mut alice = Person::new(&synapse, "alice").await;
    let bob = Person::new(&synapse, "bob").await;
    let room = alice
        .create_room(&[&bot.user_id, &bob.user_id], false)
        .await;
    bob.join(&room).await;
    alice.wait_for_member(&room, &bot.user_id).await;
    alice.say(&room, "!daily set 08:00 Europe/London").await;
    alice
        .wait_for(&room, &bot.user_id, "set for 08:00 Europe/London")
        .await;
    alice.say(&room, "!quiz 2 20 bank").await;
    let keys = ["🇦", "🇧", "🇨", "🇩"];
    let question = alice.wait_for(&room, &bot.user_id, "Question 1 of 2").await;
    let right = right_letter(question.content["body"].as_str().unwrap(), &pack);
    bob.react(&room, &question.event_id, keys[right]).await;
    alice.say(&room, "!score").await;
    alice
        .wait_for(&room, &bot.user_id, "no score here yet")
        .await;

    // The homeserver goes down; meanwhile round 1 ends and the daily post
    // comes due. Then it comes back on the same port and data.
    synapse.stop();
    clock.set(utc("2026-11-25T08:00:00Z"));
    synapse.restart();

    // Everything the bot posts from here, in order.
    let mut bodies: Vec<String> = Vec::new();
    let question = read_until(
        &mut alice,
        &room,
        &bot.user_id,
        &mut bodies,
        "Question 2 of 2",
    )
    .await;
    let right = right_letter(question.content["body"].as_str().unwrap(), &pack);
    bob.react(&room, &question.event_id, keys[right]).await;
    alice.say(&room, "!score").await;
    read_until(
        &mut alice,
        &room,
        &bot.user_id,
        &mut bodies,
        "no score here yet",
    )
    .await;
    // Round 2 ends; a daily post still waiting for its retry goes now.
    clock.advance(Duration::from_secs(60));
    read_until(&mut alice, &room, &bot.user_id, &mut bodies, "Quiz over").await;
    alice.say(&room, "!score").await;
    read_until(
        &mut alice,
        &room,
        &bot.user_id,
        &mut bodies,
        "no score here yet",
    )
    .await;
    let daily = bodies
        .iter()
        .filter(|b| b.contains("This week in history: 25 November"))
        .count();
    assert_eq!(daily, 1, "the daily post once: {bodies:#?}");
    let scope = ScopeRef::new(Platform::Matrix, room.to_string());
    let rows = bot.store.leaderboard(&scope, None, 10).await.unwrap();
    let summary: Vec<(String, i64, i64)> = rows
        .iter()
        .map(|r| (r.user_id.clone(), r.correct, r.answered))
        .collect();
    assert_eq!(summary, [(bob.user_id.to_string(), 2, 2)], "{bodies:#?}");
    bot.stop().await;
}

/// Reads what `sender` posts in `room` into `bodies` until a message
/// contains `needle`, and returns that message.
async fn read_until(
    person: &mut Person,
    room: &RoomId,
    sender: &OwnedUserId,
    bodies: &mut Vec<String>,
    needle: &str,
) -> Seen {
    loop {
        let seen = person.wait_for(room, sender, "").await;
        let body = seen.content["body"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        bodies.push(body.clone());
        if body.contains(needle) {
            return seen;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_goes_to_a_direct_message_room_and_is_answered_there() {
    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let bot = start_bot(synapse, &account, clock()).await;
    let mut alice = Person::new(synapse, "alice").await;
    let room = alice.create_room(&[&bot.user_id], false).await;
    alice.wait_for_member(&room, &bot.user_id).await;
    alice.say(&room, "!review").await;
    let note = alice.wait_for(&room, &bot.user_id, "privately").await;
    assert!(
        note.content["body"]
            .as_str()
            .unwrap()
            .contains("in a direct message"),
        "{:#}",
        note.content
    );

    // The bot invites alice to a direct-message room; she accepts.
    let direct = alice.join_direct_room(&room).await;
    let question = alice
        .wait_for(&direct, &bot.user_id, "Review question 1 of")
        .await;
    let body = question.content["body"].as_str().unwrap().to_string();
    assert!(body.contains("never change the leaderboard"), "{body}");

    // Answered by typing a letter in the direct-message room.
    alice.say(&direct, "A").await;
    let verdict = alice
        .wait_for(&direct, &bot.user_id, "You will see it again")
        .await;
    let text = verdict.content["body"].as_str().unwrap();
    assert!(
        text.contains("Right.") || text.contains("The answer is"),
        "{text}"
    );
    alice
        .wait_for(&direct, &bot.user_id, "Review question 2 of")
        .await;
    let scope = ScopeRef::new(Platform::Matrix, room.to_string());
    let status = bot
        .store
        .review_status(
            &scope,
            &lectern::identity::UserRef::new(Platform::Matrix, alice.user_id.to_string(), "alice"),
            utc("2026-11-25T08:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        status.cards, 1,
        "the answer updated alice's card for the room's scope"
    );
    bot.stop().await;
}

/// `!report` on a real Synapse: refused in the room to a member without
/// power; a room admin is told to look privately, gets the summary in a
/// direct-message room and the chart as an `m.image` upload there, which
/// downloads as a PNG of the chart's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_gives_a_room_admin_the_chart_as_an_upload() {
    use lectern::identity::{ChannelRef, UserRef};
    use lectern::store::{AskedItem, ItemAnswer, RoundAnswer};
    use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
    use matrix_sdk::ruma::events::room::message::MessageType;

    let synapse = Synapse::get();
    let account = bot_account(synapse);
    let clock = clock();
    let bot = start_bot(synapse, &account, clock.clone()).await;
    let mut alice = Person::new(synapse, "alice").await;
    let mut bob = Person::new(synapse, "bob").await;
    let room = alice
        .create_room(&[&bot.user_id, &bob.user_id], false)
        .await;
    alice.wait_for_member(&room, &bot.user_id).await;
    bob.join(&room).await;

    // One round in the room: bob wrong, alice right.
    let scope = ScopeRef::new(Platform::Matrix, room.to_string());
    let channel = ChannelRef::new(scope.clone(), room.to_string());
    let people = [
        UserRef::new(Platform::Matrix, alice.user_id.to_string(), "alice"),
        UserRef::new(Platform::Matrix, bob.user_id.to_string(), "bob"),
    ];
    let at = utc("2026-11-25T07:58:30Z");
    let session = bot
        .store
        .start_quiz_session(&channel, &people[0], 1, "main", at)
        .await
        .unwrap();
    let answers: Vec<RoundAnswer> = people
        .iter()
        .enumerate()
        .map(|(n, user)| RoundAnswer {
            user: user.clone(),
            correct: n == 0,
            points: if n == 0 { 10 } else { 0 },
            response_ms: 2000,
            streak: u32::from(n == 0),
        })
        .collect();
    bot.store
        .record_round(session, 1, &scope, &answers, at)
        .await
        .unwrap();
    let question = Pack::bundled().unwrap().questions[0].clone();
    let item = AskedItem {
        item_id: "item-1".into(),
        question,
    };
    let given: Vec<ItemAnswer> = people
        .iter()
        .enumerate()
        .map(|(n, user)| ItemAnswer {
            user: user.clone(),
            correct: n == 0,
            choice: Some(if n == 0 { "Lenin" } else { "Trotsky" }.into()),
        })
        .collect();
    bot.store
        .record_round_items(session, 1, &scope, &item, &given, at)
        .await
        .unwrap();

    bob.say(&room, "!report").await;
    bob.wait_for(
        &room,
        &bot.user_id,
        "Only an admin or teacher can see the class report",
    )
    .await;

    alice.say(&room, "!report").await;
    alice.wait_for(&room, &bot.user_id, "privately").await;
    let direct = alice.join_direct_room(&room).await;
    let summary = alice.wait_for(&direct, &bot.user_id, "Class report").await;
    let text = summary.content["body"].as_str().unwrap();
    assert!(text.contains("2 students counted."), "{text}");
    let image = alice.wait_for(&direct, &bot.user_id, "report.png").await;
    assert_eq!(image.content["msgtype"], "m.image", "{:#}", image.content);
    assert_eq!(image.content["info"]["mimetype"], "image/png");
    assert_eq!(image.content["info"]["w"], lectern::chart::WIDTH);
    assert_eq!(image.content["info"]["h"], lectern::chart::HEIGHT);
    let content: RoomMessageEventContent = serde_json::from_value(image.content.clone()).unwrap();
    let MessageType::Image(picture) = content.msgtype else {
        panic!("not an image: {:#}", image.content);
    };
    let bytes = alice
        .client
        .media()
        .get_media_content(
            &MediaRequestParameters {
                source: picture.source,
                format: MediaFormat::File,
            },
            false,
        )
        .await
        .expect("the upload downloads");
    assert_eq!(
        crate::report::png_size_and_variety(&bytes),
        ((lectern::chart::WIDTH, lectern::chart::HEIGHT), true)
    );
    bot.stop().await;
}
