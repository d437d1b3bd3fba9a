//! A fake Discord on 127.0.0.1 for end-to-end tests: the REST API the bot
//! uses (recorded, with canned answers) and a plain `ws://` gateway that
//! says HELLO, answers heartbeats with ACKs, and delivers events the test
//! injects. Every fixture is checked against serenity's own model types
//! before it is sent, because serenity drops payloads it cannot parse (a
//! test would hang instead of failing).
//!
//! The gateway is sharded as Discord's is: each connection IDENTIFYs as
//! shard `[id, total]`, its READY and GUILD_CREATEs name only the guilds on
//! that shard (`(guild_id >> 22) % total`), and an event reaches only the
//! connection of its guild's shard (events without a guild go to shard 0).
//! Each shard is its own session, with its own sequence numbers and its
//! own events kept for a RESUME. So several bot processes, each running
//! some of the shards, each see only their own guilds.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use poise::serenity_prelude as serenity;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};

pub const APPLICATION_ID: u64 = 1_000;
pub const BOT_USER_ID: u64 = 1_001;
pub const GUILD_ID: u64 = 2_000;
pub const CHANNEL_ID: u64 = 3_000;
pub const TOKEN: &str = "fake-bot-token";
/// A user's direct-message channel is this plus their id.
pub const DM_CHANNEL_BASE: u64 = 900_000;

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    /// The JSON body (a multipart request's `payload_json` part).
    pub body: Value,
    /// The files of a multipart request: (file name, bytes).
    pub files: Vec<(String, Vec<u8>)>,
}

/// A multipart/form-data body's parts: (name, file name, bytes).
fn multipart_parts(content_type: &str, body: &[u8]) -> Vec<(String, Option<String>, Vec<u8>)> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("boundary="))
    else {
        return Vec::new();
    };
    let delimiter = format!("--{}", boundary.trim_matches('"')).into_bytes();
    let find = |haystack: &[u8], needle: &[u8], from: usize| {
        haystack
            .get(from..)?
            .windows(needle.len())
            .position(|window| window == needle)
            .map(|at| at + from)
    };
    let mut parts = Vec::new();
    let mut at = match find(body, &delimiter, 0) {
        Some(start) => start + delimiter.len(),
        None => return parts,
    };
    while let Some(end) = find(body, &delimiter, at) {
        let part = &body[at..end];
        at = end + delimiter.len();
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n", 0) else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let field = |key: &str| {
            headers
                .split(';')
                .find_map(|item| item.trim().strip_prefix(&format!("{key}=\"")))
                .and_then(|rest| rest.split('"').next())
                .map(str::to_string)
        };
        if let Some(name) = field("name") {
            parts.push((name, field("filename"), part[split + 4..].to_vec()));
        }
    }
    parts
}

/// A message the fake created in a channel: what its users see.
#[derive(Debug, Clone)]
pub struct Posted {
    pub id: u64,
    pub channel: String,
    pub nonce: Option<String>,
    pub body: Value,
    created: Instant,
}

/// What the fake does with the next message a bot posts in a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// The request arrived, but Discord never made the message, and never
    /// answers (the bot is killed while it waits).
    BeforeCreating,
    /// Discord made the message; its reply never left (as above).
    AfterCreating,
    /// Discord makes the message and answers only once the test calls
    /// [`FakeDiscord::release_held_posts`]: the bot waits, however long.
    UntilReleased,
}

/// The shard a guild's events go to, by Discord's rule.
pub fn shard_of(guild_id: u64, total_shards: u64) -> u64 {
    (guild_id >> 22) % total_shards.max(1)
}

/// One shard's gateway session.
#[derive(Default)]
struct Shard {
    /// The open connection's queue, while one is open.
    sender: Option<mpsc::UnboundedSender<Value>>,
    /// This session's dispatches, for replay on RESUME.
    dispatched: Vec<Value>,
    /// The last sequence number of this session.
    sequence: u64,
    identifies: u64,
    resumes: u64,
}

impl Shard {
    /// The next dispatch of this session, kept for a RESUME.
    fn next_dispatch(&mut self, event: &str, data: Value) -> Value {
        self.sequence += 1;
        let payload = json!({"op": 0, "s": self.sequence, "t": event, "d": data});
        self.dispatched.push(payload.clone());
        payload
    }
}

/// How long Discord checks an enforced nonce for uniqueness ("the past
/// few minutes").
const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

#[derive(Default)]
struct Shared {
    calls: Mutex<Vec<Call>>,
    messages: Mutex<Vec<Posted>>,
    /// Posts to hold: in one channel, or in any (`None`), first come first.
    holds: Mutex<Vec<(Option<String>, Hold)>>,
    /// Posts still to answer with 429, and the `retry-after` they carry.
    rate_limited: Mutex<(usize, u64)>,
    /// The channel of every post that was held.
    held: Mutex<Vec<String>>,
    /// Posts waiting for [`FakeDiscord::release_held_posts`], by channel.
    gates: Mutex<Vec<(String, oneshot::Sender<()>)>>,
    changed: Notify,
    attachments: Mutex<HashMap<String, Vec<u8>>>,
    /// The guilds the bot is in, with their text channels.
    guilds: Mutex<BTreeMap<u64, Vec<u64>>>,
    /// Gateway sessions by shard id.
    shards: Mutex<BTreeMap<u64, Shard>>,
    /// Shards across the bot, as its last IDENTIFY said.
    total_shards: AtomicU64,
    /// IDENTIFYs refused for a shard past the total: `[id, total]`.
    invalid_shards: Mutex<Vec<[u64; 2]>>,
    next_id: AtomicU64,
    port: AtomicU64,
}

/// Handle to a running fake Discord.
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
    pub base_url: String,
}

/// Where an interaction happens: a channel and its guild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub guild: u64,
    pub channel: u64,
}

/// The one channel most tests use.
pub const HOME: Place = Place {
    guild: GUILD_ID,
    channel: CHANNEL_ID,
};

/// A Discord user as JSON.
pub fn user_json(id: u64, name: &str) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name, "avatar": null, "bot": false})
}

/// A guild member as JSON; `permissions` is Discord's bit set as a string.
pub fn member_json(id: u64, name: &str, permissions: &str) -> Value {
    json!({
        "user": user_json(id, name), "roles": [], "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": false, "mute": false, "flags": 0, "permissions": permissions
    })
}

/// Manage Server, as Discord sends it in `member.permissions`.
pub const MANAGE_GUILD: &str = "32";
/// Send Messages only: an ordinary student.
pub const STUDENT: &str = "2048";

impl FakeDiscord {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        shared.next_id.store(10_000, Ordering::SeqCst);
        shared.total_shards.store(1, Ordering::SeqCst);
        shared
            .guilds
            .lock()
            .unwrap()
            .insert(GUILD_ID, vec![CHANNEL_ID]);
        let app = Router::new()
            .route("/gateway", get(gateway))
            .fallback(rest)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        shared.port.store(u64::from(port), Ordering::SeqCst);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            shared,
            base_url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Puts the bot in one more guild, with these text channels (before
    /// the bot connects: its shard's READY and GUILD_CREATE name it).
    pub fn add_guild(&self, guild: u64, channels: &[u64]) {
        self.shared
            .guilds
            .lock()
            .unwrap()
            .insert(guild, channels.to_vec());
    }

    /// Serves `bytes` at the URL this returns (for attachments).
    pub fn host_file(&self, name: &str, bytes: &[u8]) -> String {
        self.shared
            .attachments
            .lock()
            .unwrap()
            .insert(name.to_string(), bytes.to_vec());
        format!("{}/attachments/{name}", self.base_url)
    }

    /// The messages in `channel`, oldest first (a message Discord returned
    /// again for a repeated nonce is there once).
    pub fn messages(&self, channel: u64) -> Vec<Posted> {
        let channel = channel.to_string();
        self.shared
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.channel == channel)
            .cloned()
            .collect()
    }

    /// The next `count` messages posted in a channel are refused with 429
    /// as Discord refuses them: `retry-after` (seconds), the
    /// `X-RateLimit-*` headers and the JSON body; nothing is made.
    pub fn rate_limit_next_posts(&self, count: usize, retry_after_seconds: u64) {
        *self.shared.rate_limited.lock().unwrap() = (count, retry_after_seconds);
    }

    /// Waits (at most 10 s) until `channel` has `count` messages.
    pub async fn wait_for_messages(&self, channel: u64, count: usize) -> Vec<Posted> {
        self.wait_for_messages_within(Duration::from_secs(10), channel, count)
            .await
    }

    /// [`FakeDiscord::wait_for_messages`] with its own limit.
    pub async fn wait_for_messages_within(
        &self,
        limit: Duration,
        channel: u64,
        count: usize,
    ) -> Vec<Posted> {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                let found = self.messages(channel);
                if found.len() >= count {
                    return found;
                }
                notified.await;
            }
        };
        match tokio::time::timeout(limit, wait).await {
            Ok(found) => found,
            Err(_) => panic!(
                "timed out waiting for {count} messages in {channel}; calls so far:\n{:#?}",
                self.calls()
            ),
        }
    }

    /// The next message posted in any channel is handled as `hold` says.
    pub fn hold_next_post(&self, hold: Hold) {
        self.shared.holds.lock().unwrap().push((None, hold));
    }

    /// The next message posted in `channel` is handled as `hold` says.
    pub fn hold_next_post_in(&self, channel: u64, hold: Hold) {
        self.shared
            .holds
            .lock()
            .unwrap()
            .push((Some(channel.to_string()), hold));
    }

    /// Makes and answers the posts in `channel` held
    /// [`Hold::UntilReleased`]; returns how many there were.
    pub fn release_held_posts(&self, channel: u64) -> usize {
        let channel = channel.to_string();
        let mut gates = self.shared.gates.lock().unwrap();
        let (open, waiting): (Vec<_>, Vec<_>) = gates
            .drain(..)
            .partition(|(held_in, _)| *held_in == channel);
        *gates = waiting;
        let released = open.len();
        for (_, gate) in open {
            let _ = gate.send(());
        }
        released
    }

    /// Waits (at most `limit`) until a post has been held.
    pub async fn wait_until_held(&self, limit: Duration) {
        self.wait_until_held_where(limit, None).await;
    }

    /// Waits (at most `limit`) until a post in `channel` has been held.
    pub async fn wait_until_held_in(&self, channel: u64, limit: Duration) {
        self.wait_until_held_where(limit, Some(channel.to_string()))
            .await;
    }

    async fn wait_until_held_where(&self, limit: Duration, channel: Option<String>) {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                if self
                    .shared
                    .held
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|c| channel.as_ref().is_none_or(|wanted| wanted == c))
                {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() {
            panic!(
                "timed out waiting for a held post in {channel:?}; calls so far:\n{:#?}",
                self.calls()
            );
        }
    }

    /// Every REST call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `count` calls match, and returns them.
    pub async fn wait_for_calls(&self, count: usize, matches: impl Fn(&Call) -> bool) -> Vec<Call> {
        self.wait_for_calls_within(Duration::from_secs(10), count, matches)
            .await
    }

    /// [`FakeDiscord::wait_for_calls`] with its own limit (a bot process
    /// that starts from scratch takes longer than 10 s in a debug build).
    pub async fn wait_for_calls_within(
        &self,
        limit: Duration,
        count: usize,
        matches: impl Fn(&Call) -> bool,
    ) -> Vec<Call> {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                let found: Vec<Call> = self.calls().into_iter().filter(|c| matches(c)).collect();
                if found.len() >= count {
                    return found;
                }
                notified.await;
            }
        };
        match tokio::time::timeout(limit, wait).await {
            Ok(found) => found,
            Err(_) => panic!(
                "timed out waiting for {count} matching REST calls; calls so far:\n{:#?}",
                self.calls()
            ),
        }
    }

    /// Waits until the bot is connected to the gateway and has registered its commands.
    pub async fn wait_until_ready(&self) {
        self.wait_for_calls(1, |c| {
            c.method == Method::PUT && c.path.ends_with("/commands")
        })
        .await;
    }

    /// Sends a gateway dispatch event, after checking serenity can read it,
    /// to the shard of its `guild_id` (shard 0 when it has none).
    pub fn dispatch(&self, event: &str, data: Value) {
        if event == "INTERACTION_CREATE"
            && let Err(error) = serde_json::from_value::<serenity::Interaction>(data.clone())
        {
            panic!("fixture is not a valid interaction ({error}): {data:#}");
        }
        if event == "MESSAGE_CREATE"
            && let Err(error) = serde_json::from_value::<serenity::Message>(data.clone())
        {
            panic!("fixture is not a valid message ({error}): {data:#}");
        }
        let shard = data["guild_id"]
            .as_str()
            .and_then(|id| id.parse::<u64>().ok())
            .map_or(0, |guild| {
                shard_of(guild, self.shared.total_shards.load(Ordering::SeqCst))
            });
        let mut shards = self.shared.shards.lock().unwrap();
        let shard = shards.entry(shard).or_default();
        let payload = shard.next_dispatch(event, data);
        // While the bot is away the event waits in `dispatched`: a RESUME
        // replays it, as Discord does.
        if let Some(sender) = &shard.sender {
            let _ = sender.send(payload);
        }
    }

    /// Closes the gateway websocket of shard 0 with `code` (4000 "unknown
    /// error" is one a bot may resume after).
    pub fn close_gateway(&self, code: u16) {
        self.control(0, json!({"close": code}));
    }

    /// Sends INVALID_SESSION (op 9) with `d: false` on shard 0: the session
    /// cannot be resumed and the bot must identify again.
    pub fn invalidate_session(&self) {
        self.control(0, json!({"invalid": true}));
    }

    fn control(&self, shard: u64, order: Value) {
        let sender = self
            .shared
            .shards
            .lock()
            .unwrap()
            .get_mut(&shard)
            .and_then(|shard| shard.sender.take());
        let sender = sender.expect("the bot is connected");
        sender
            .send(json!({"control": order}))
            .expect("gateway is open");
    }

    /// Waits (at most 30 s: serenity waits 5 s between identifies) until
    /// the bot has identified `identifies` times and resumed `resumes`
    /// times in all, and every shard it identified is connected.
    pub async fn wait_for_sessions(&self, identifies: u64, resumes: u64) {
        let counts = || {
            let shards = self.shared.shards.lock().unwrap();
            let sum = |count: fn(&Shard) -> u64| shards.values().map(count).sum::<u64>();
            let connected = shards
                .values()
                .all(|shard| shard.identifies == 0 || shard.sender.is_some());
            (sum(|s| s.identifies), sum(|s| s.resumes), connected)
        };
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                let (identified, resumed, connected) = counts();
                if identified >= identifies && resumed >= resumes && connected {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .is_err()
        {
            let (identified, resumed, _) = counts();
            panic!(
                "timed out waiting for {identifies} identifies and {resumes} resumes (have {identified} and {resumed})"
            );
        }
    }

    /// Waits (at most `limit`) until `shard` has identified `identifies`
    /// times and is connected.
    pub async fn wait_for_shard(&self, shard: u64, identifies: u64, limit: Duration) {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                if self
                    .shared
                    .shards
                    .lock()
                    .unwrap()
                    .get(&shard)
                    .is_some_and(|s| s.identifies >= identifies && s.sender.is_some())
                {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() {
            panic!(
                "timed out waiting for shard {shard} to identify {identifies} times; sessions: {:?}",
                self.sessions()
            );
        }
    }

    /// The IDENTIFYs refused (close code 4010) for a shard id past the
    /// total, as `[id, total]`.
    pub fn invalid_shards(&self) -> Vec<[u64; 2]> {
        self.shared.invalid_shards.lock().unwrap().clone()
    }

    /// Each shard's (identifies, resumes) so far.
    pub fn sessions(&self) -> BTreeMap<u64, (u64, u64)> {
        self.shared
            .shards
            .lock()
            .unwrap()
            .iter()
            .map(|(id, shard)| (*id, (shard.identifies, shard.resumes)))
            .collect()
    }

    fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// A slash command invocation in [`HOME`]; `options` as Discord sends them.
    pub fn command(
        &self,
        name: &str,
        options: Value,
        member: Value,
        resolved: Option<Value>,
    ) -> (String, Value) {
        self.command_in(HOME, name, options, member, resolved)
    }

    /// A slash command invocation in `place`.
    pub fn command_in(
        &self,
        place: Place,
        name: &str,
        options: Value,
        member: Value,
        resolved: Option<Value>,
    ) -> (String, Value) {
        let id = self.next_id();
        let token = format!("interaction-token-{id}");
        let mut data = json!({"id": (APPLICATION_ID + 500).to_string(), "name": name, "type": 1, "options": options});
        if let Some(resolved) = resolved {
            data["resolved"] = resolved;
        }
        let interaction = json!({
            "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 2, "data": data,
            "guild_id": place.guild.to_string(), "channel_id": place.channel.to_string(), "member": member,
            "token": token, "version": 1, "app_permissions": "2048", "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 26214400
        });
        (token, interaction)
    }

    /// A message a user typed in the channel.
    pub fn user_message(&self, user_id: u64, name: &str, content: &str) -> Value {
        let id = self.next_id();
        json!({
            "id": id.to_string(), "channel_id": CHANNEL_ID.to_string(), "guild_id": GUILD_ID.to_string(),
            "author": user_json(user_id, name), "content": content,
            "timestamp": "2026-11-25T12:00:00+00:00", "edited_timestamp": null, "tts": false,
            "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
            "pinned": false, "type": 0
        })
    }

    /// A button click in [`HOME`] on `message` (as the bot posted it).
    pub fn button(&self, custom_id: &str, member: Value, message: Value) -> (String, Value) {
        self.button_in(HOME, custom_id, member, message)
    }

    /// A button click in `place` on `message`.
    pub fn button_in(
        &self,
        place: Place,
        custom_id: &str,
        member: Value,
        message: Value,
    ) -> (String, Value) {
        let id = self.next_id();
        let token = format!("interaction-token-{id}");
        let interaction = json!({
            "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 3,
            "data": {"custom_id": custom_id, "component_type": 2},
            "guild_id": place.guild.to_string(), "channel_id": place.channel.to_string(), "member": member,
            "message": message, "token": token, "version": 1, "app_permissions": "2048", "locale": "en-US",
            "guild_locale": "en-US", "entitlements": [], "authorizing_integration_owners": {}, "context": 0, "attachment_size_limit": 26214400
        });
        (token, interaction)
    }
}

/// A message as Discord returns it, built from what the bot sent.
fn message_json(id: u64, channel: &str, sent: &Value) -> Value {
    let message = json!({
        "id": id.to_string(), "channel_id": channel, "author": {"id": BOT_USER_ID.to_string(), "username": "lectern", "discriminator": "0", "avatar": null, "bot": true},
        "content": sent.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2026-11-25T12:00:00+00:00", "edited_timestamp": null, "tts": false, "mention_everyone": false,
        "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": sent.get("embeds").cloned().unwrap_or(json!([])),
        "components": sent.get("components").cloned().unwrap_or(json!([])),
        "pinned": false, "type": 0
    });
    if let Err(error) = serde_json::from_value::<serenity::Message>(message.clone()) {
        panic!("the fake's message fixture does not parse ({error}): {message:#}");
    }
    message
}

async fn rest(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    // A token the fake does not know is refused, as Discord refuses it.
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    if authorization.is_some_and(|given| given != format!("Bot {TOKEN}")) {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"message": "401: Unauthorized", "code": 0})),
        )
            .into_response();
    }
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes: Bytes = axum::body::to_bytes(request.into_body(), 10 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let mut body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let mut files = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        for (name, file_name, part) in multipart_parts(&content_type, &bytes) {
            match file_name {
                Some(file_name) => files.push((file_name, part)),
                None if name == "payload_json" => {
                    body = serde_json::from_slice(&part).unwrap_or(Value::Null);
                }
                None => {}
            }
        }
    }
    let port = shared.port.load(Ordering::SeqCst);
    if let Some(name) = path.strip_prefix("/attachments/") {
        return match shared.attachments.lock().unwrap().get(name) {
            Some(bytes) => (StatusCode::OK, bytes.clone()).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    shared.calls.lock().unwrap().push(Call {
        method: method.clone(),
        path: path.clone(),
        body: body.clone(),
        files,
    });
    shared.changed.notify_waiters();
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let json_response = |value: Value| (StatusCode::OK, axum::Json(value)).into_response();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => {
            json_response(json!({"url": format!("ws://127.0.0.1:{port}/gateway")}))
        }
        ("GET", ["gateway", "bot"]) => json_response(json!({
            "url": format!("ws://127.0.0.1:{port}/gateway"), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        })),
        ("GET", ["users", "@me"]) => json_response(json!({
            "id": BOT_USER_ID.to_string(), "username": "lectern", "discriminator": "0", "avatar": null,
            "bot": true, "verified": true, "mfa_enabled": false
        })),
        ("GET", ["oauth2", "applications", "@me"]) => json_response(json!({
            "id": APPLICATION_ID.to_string(), "name": "Lectern", "icon": null, "description": "", "bot_public": true,
            "bot_require_code_grant": false, "verify_key": "0", "flags": 0,
            "owner": {"id": "42", "username": "teacher", "discriminator": "0", "avatar": null}
        })),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => json_response(json!([])),
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("PUT", ["channels", _, "messages", _, "reactions", _, "@me"]) => {
            StatusCode::NO_CONTENT.into_response()
        }
        ("POST", ["webhooks", _, _])
        | ("PATCH", ["webhooks", _, _, "messages", _])
        | ("GET", ["webhooks", _, _, "messages", _]) => {
            let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
            json_response(message_json(id, &CHANNEL_ID.to_string(), &body))
        }
        // Opening a direct message: the channel is the recipient's id plus
        // DM_CHANNEL_BASE, the same for every call.
        ("POST", ["users", "@me", "channels"]) => {
            let recipient: u64 = body["recipient_id"]
                .as_str()
                .and_then(|id| id.parse().ok())
                .unwrap_or_default();
            json_response(json!({
                "id": (DM_CHANNEL_BASE + recipient).to_string(), "type": 1,
                "last_message_id": null, "recipients": [user_json(recipient, "recipient")]
            }))
        }
        ("POST", ["channels", channel, "messages"]) => post_message(&shared, channel, &body).await,
        ("PATCH", ["channels", channel, "messages", id]) => {
            json_response(message_json(id.parse().unwrap_or(1), channel, &body))
        }
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "Unknown route in the fake", "code": 0})),
        )
            .into_response(),
    }
}

/// A message posted in a channel. With `enforce_nonce`, a nonce this bot
/// (the fake's only author) used in the last few minutes returns the
/// message made then, and nothing new is made, as Discord documents.
async fn post_message(shared: &Shared, channel: &str, body: &Value) -> Response {
    let nonce = match &body["nonce"] {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    let limited = {
        let mut rate_limited = shared.rate_limited.lock().unwrap();
        let (left, seconds) = *rate_limited;
        (left > 0).then(|| {
            rate_limited.0 -= 1;
            seconds
        })
    };
    if let Some(seconds) = limited {
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            + seconds;
        let headers = [
            ("retry-after", seconds.to_string()),
            ("x-ratelimit-limit", "5".to_string()),
            ("x-ratelimit-remaining", "0".to_string()),
            ("x-ratelimit-reset", reset.to_string()),
            ("x-ratelimit-reset-after", format!("{seconds}.000")),
            ("x-ratelimit-bucket", "fake-channel-messages".to_string()),
            ("x-ratelimit-scope", "user".to_string()),
        ];
        let body = json!({"message": "You are being rate limited.", "retry_after": seconds as f64, "global": false, "code": 0});
        return (StatusCode::TOO_MANY_REQUESTS, headers, axum::Json(body)).into_response();
    }
    let hold = {
        let mut holds = shared.holds.lock().unwrap();
        holds
            .iter()
            .position(|(only_in, _)| only_in.as_deref().is_none_or(|c| c == channel))
            .map(|index| holds.remove(index).1)
    };
    // The gate is in place before the post counts as held, so a test that
    // saw it held can release it.
    let released = (hold == Some(Hold::UntilReleased)).then(|| {
        let (gate, released) = oneshot::channel();
        shared
            .gates
            .lock()
            .unwrap()
            .push((channel.to_string(), gate));
        released
    });
    if let Some(released) = released {
        shared.held.lock().unwrap().push(channel.to_string());
        shared.changed.notify_waiters();
        // Then made and answered as any post.
        let _ = released.await;
    }
    let hold = hold.filter(|hold| *hold != Hold::UntilReleased);
    let repeat = {
        let messages = shared.messages.lock().unwrap();
        nonce
            .as_ref()
            .filter(|_| body["enforce_nonce"] == json!(true))
            .and_then(|nonce| {
                messages
                    .iter()
                    .find(|m| m.nonce.as_ref() == Some(nonce) && m.created.elapsed() < NONCE_WINDOW)
            })
            .cloned()
    };
    let message = match repeat {
        Some(first) => message_json(first.id, &first.channel, &first.body),
        None if hold == Some(Hold::BeforeCreating) => Value::Null,
        None => {
            let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
            shared.messages.lock().unwrap().push(Posted {
                id,
                channel: channel.to_string(),
                nonce,
                body: body.clone(),
                created: Instant::now(),
            });
            message_json(id, channel, body)
        }
    };
    if hold.is_some() {
        shared.held.lock().unwrap().push(channel.to_string());
        shared.changed.notify_waiters();
        // The bot is killed while it waits for this answer.
        std::future::pending::<()>().await;
    }
    shared.changed.notify_waiters();
    (StatusCode::OK, axum::Json(message)).into_response()
}

async fn gateway(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| session(shared, socket))
}

/// A guild as GUILD_CREATE carries it, checked against serenity's model.
fn guild_json(id: u64, channels: &[u64]) -> Value {
    let channels: Vec<Value> = channels
        .iter()
        .enumerate()
        .map(|(position, channel)| {
            json!({"id": channel.to_string(), "type": 0, "guild_id": id.to_string(),
                "name": format!("class-{position}"), "position": position, "permission_overwrites": [],
                "nsfw": false, "topic": null, "last_message_id": null, "parent_id": null,
                "rate_limit_per_user": 0})
        })
        .collect();
    let guild = json!({
        "id": id.to_string(), "name": format!("Class {id}"), "icon": null, "splash": null,
        "discovery_splash": null, "owner_id": "42", "afk_channel_id": null, "afk_timeout": 300,
        "verification_level": 0, "default_message_notifications": 1, "explicit_content_filter": 0,
        "roles": [], "emojis": [], "features": [], "mfa_level": 0, "application_id": null,
        "system_channel_id": null, "system_channel_flags": 0, "rules_channel_id": null,
        "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0,
        "preferred_locale": "en-US", "public_updates_channel_id": null, "nsfw_level": 0,
        "stickers": [], "premium_progress_bar_enabled": false,
        "joined_at": "2024-01-01T00:00:00+00:00", "large": false, "unavailable": false,
        "member_count": 3, "voice_states": [], "members": [], "channels": channels, "threads": [],
        "presences": [], "stage_instances": [], "guild_scheduled_events": []
    });
    if let Err(error) = serde_json::from_value::<serenity::Guild>(guild.clone()) {
        panic!("the fake's guild fixture does not parse ({error}): {guild:#}");
    }
    guild
}

/// A new session for shard `[id, total]` (IDENTIFY): READY naming the
/// shard's guilds, then a GUILD_CREATE for each, in order.
fn identify(
    shared: &Shared,
    id: u64,
    total: u64,
    events: &mpsc::UnboundedSender<Value>,
) -> Vec<Value> {
    let port = shared.port.load(Ordering::SeqCst);
    shared.total_shards.store(total.max(1), Ordering::SeqCst);
    let guilds: Vec<(u64, Vec<u64>)> = shared
        .guilds
        .lock()
        .unwrap()
        .iter()
        .filter(|(guild, _)| shard_of(**guild, total) == id)
        .map(|(guild, channels)| (*guild, channels.clone()))
        .collect();
    let mut shards = shared.shards.lock().unwrap();
    let shard = shards.entry(id).or_default();
    // A new session: nothing of the last one can be resumed.
    shard.sequence = 0;
    shard.dispatched.clear();
    let unavailable: Vec<Value> = guilds
        .iter()
        .map(|(guild, _)| json!({"id": guild.to_string(), "unavailable": true}))
        .collect();
    let mut frames = vec![shard.next_dispatch("READY", json!({
        "v": 10,
        "user": {"id": BOT_USER_ID.to_string(), "username": "lectern", "discriminator": "0", "avatar": null, "bot": true, "verified": true, "mfa_enabled": false},
        "guilds": unavailable,
        "session_id": format!("fake-session-{id}"),
        "resume_gateway_url": format!("ws://127.0.0.1:{port}/gateway"),
        "shard": [id, total],
        "application": {"id": APPLICATION_ID.to_string(), "flags": 0}
    }))];
    for (guild, channels) in &guilds {
        frames.push(shard.next_dispatch("GUILD_CREATE", guild_json(*guild, channels)));
    }
    shard.sender = Some(events.clone());
    shard.identifies += 1;
    frames
}

/// A resumed session (RESUME names it by `session_id`): what the bot missed
/// after `seen`, then RESUMED. `None` for a session the fake never began.
fn resume(
    shared: &Shared,
    session_id: &str,
    seen: u64,
    events: &mpsc::UnboundedSender<Value>,
) -> Option<(u64, Vec<Value>)> {
    let id: u64 = session_id.strip_prefix("fake-session-")?.parse().ok()?;
    let mut shards = shared.shards.lock().unwrap();
    let shard = shards.get_mut(&id)?;
    let mut frames: Vec<Value> = shard
        .dispatched
        .iter()
        .filter(|event| event["s"].as_u64().is_some_and(|s| s > seen))
        .cloned()
        .collect();
    frames.push(json!({"op": 0, "s": null, "t": "RESUMED", "d": {}}));
    shard.sender = Some(events.clone());
    shard.resumes += 1;
    Some((id, frames))
}

/// The connection of `shard` is gone: events wait for a RESUME from now on.
fn disconnected(shared: &Shared, shard: Option<u64>, events: &mpsc::UnboundedSender<Value>) {
    let Some(shard) = shard else { return };
    if let Some(shard) = shared.shards.lock().unwrap().get_mut(&shard)
        && shard
            .sender
            .as_ref()
            .is_some_and(|sender| sender.same_channel(events))
    {
        shard.sender = None;
    }
    shared.changed.notify_waiters();
}

async fn session(shared: Arc<Shared>, socket: WebSocket) {
    let (events, queue) = mpsc::unbounded_channel::<Value>();
    let mut shard = None;
    serve_session(&shared, socket, &events, queue, &mut shard).await;
    disconnected(&shared, shard, &events);
}

async fn serve_session(
    shared: &Shared,
    mut socket: WebSocket,
    events: &mpsc::UnboundedSender<Value>,
    mut queue: mpsc::UnboundedReceiver<Value>,
    shard: &mut Option<u64>,
) {
    let hello = json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 41250}});
    if socket
        .send(WsMessage::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(WsMessage::Text(text))) = incoming else { return };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                let frames = match frame["op"].as_u64() {
                    Some(6) => {
                        // Replay what the bot missed, then RESUMED.
                        let seen = frame["d"]["seq"].as_u64().unwrap_or(0);
                        let session_id = frame["d"]["session_id"].as_str().unwrap_or_default();
                        let Some((id, frames)) = resume(shared, session_id, seen, events) else {
                            let invalid = json!({"op": 9, "s": null, "t": null, "d": false});
                            if socket.send(WsMessage::Text(invalid.to_string().into())).await.is_err() { return; }
                            continue;
                        };
                        *shard = Some(id);
                        frames
                    }
                    Some(2) => {
                        let given = &frame["d"]["shard"];
                        let (id, total) = (given[0].as_u64().unwrap_or(0), given[1].as_u64().unwrap_or(1));
                        if id >= total {
                            // As Discord answers a shard that does not exist.
                            shared.invalid_shards.lock().unwrap().push([id, total]);
                            shared.changed.notify_waiters();
                            let frame = CloseFrame { code: 4010, reason: "Invalid shard".into() };
                            let _ = socket.send(WsMessage::Close(Some(frame))).await;
                            return;
                        }
                        *shard = Some(id);
                        identify(shared, id, total, events)
                    }
                    Some(1) => vec![json!({"op": 11, "s": null, "t": null, "d": null})],
                    _ => Vec::new(),
                };
                for frame in frames {
                    if socket.send(WsMessage::Text(frame.to_string().into())).await.is_err() { return; }
                }
                shared.changed.notify_waiters();
            }
            Some(event) = queue.recv() => {
                if let Some(code) = event["control"]["close"].as_u64() {
                    let frame = CloseFrame { code: u16::try_from(code).unwrap_or(4000), reason: "closed by the test".into() };
                    let _ = socket.send(WsMessage::Close(Some(frame))).await;
                    return;
                }
                if event["control"]["invalid"] == json!(true) {
                    let invalid = json!({"op": 9, "s": null, "t": null, "d": false});
                    let _ = socket.send(WsMessage::Text(invalid.to_string().into())).await;
                    // The bot identifies again on a new connection.
                    continue;
                }
                if socket.send(WsMessage::Text(event.to_string().into())).await.is_err() { return; }
            }
        }
    }
}
