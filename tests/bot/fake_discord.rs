//! A fake Discord on 127.0.0.1 for end-to-end tests: the REST API the bot
//! uses (recorded, with canned answers) and a plain `ws://` gateway that
//! says HELLO, answers IDENTIFY with READY and heartbeats with ACKs, and
//! delivers events the test injects. Every fixture is checked against
//! serenity's own model types before it is sent, because serenity drops
//! payloads it cannot parse (a test would hang instead of failing).

use std::collections::HashMap;
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
use tokio::sync::{Notify, mpsc};

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

/// What the fake does with the next message a bot posts in a channel,
/// before answering (the bot is killed while it waits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// The request arrived, but Discord never made the message.
    BeforeCreating,
    /// Discord made the message; its reply never left.
    AfterCreating,
}

/// How long Discord checks an enforced nonce for uniqueness ("the past
/// few minutes").
const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

#[derive(Default)]
struct Shared {
    calls: Mutex<Vec<Call>>,
    messages: Mutex<Vec<Posted>>,
    hold: Mutex<Option<Hold>>,
    /// Posts still to answer with 429, and the `retry-after` they carry.
    rate_limited: Mutex<(usize, u64)>,
    held: AtomicU64,
    changed: Notify,
    attachments: Mutex<HashMap<String, Vec<u8>>>,
    gateway: Mutex<Option<mpsc::UnboundedSender<Value>>>,
    /// Every dispatch sent, for replay on RESUME.
    dispatched: Mutex<Vec<Value>>,
    identifies: AtomicU64,
    resumes: AtomicU64,
    connected: Notify,
    next_id: AtomicU64,
    port: AtomicU64,
}

/// Handle to a running fake Discord.
#[derive(Clone)]
pub struct FakeDiscord {
    shared: Arc<Shared>,
    pub base_url: String,
    sequence: Arc<AtomicU64>,
}

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
            sequence: Arc::new(AtomicU64::new(1)),
        }
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
        match tokio::time::timeout(Duration::from_secs(10), wait).await {
            Ok(found) => found,
            Err(_) => panic!(
                "timed out waiting for {count} messages; calls so far:\n{:#?}",
                self.calls()
            ),
        }
    }

    /// The next message posted in a channel is handled as `hold` says and
    /// never answered.
    pub fn hold_next_post(&self, hold: Hold) {
        *self.shared.hold.lock().unwrap() = Some(hold);
    }

    /// Waits (at most `limit`) until a post is being held.
    pub async fn wait_until_held(&self, limit: Duration) {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                if self.shared.held.load(Ordering::SeqCst) > 0 {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(limit, wait).await.is_err() {
            panic!(
                "timed out waiting for a held post; calls so far:\n{:#?}",
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

    /// Sends a gateway dispatch event, after checking serenity can read it.
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
        let sequence = self.sequence.fetch_add(1, Ordering::SeqCst) + 1;
        let payload = json!({"op": 0, "s": sequence, "t": event, "d": data});
        self.shared.dispatched.lock().unwrap().push(payload.clone());
        // While the bot is away the event waits in `dispatched`: a RESUME
        // replays it, as Discord does.
        if let Some(sender) = self.shared.gateway.lock().unwrap().clone() {
            let _ = sender.send(payload);
        }
    }

    /// Closes the gateway websocket with `code` (4000 "unknown error" is
    /// one a bot may resume after).
    pub fn close_gateway(&self, code: u16) {
        self.control(json!({"close": code}));
    }

    /// Sends INVALID_SESSION (op 9) with `d: false`: the session cannot be
    /// resumed and the bot must identify again.
    pub fn invalidate_session(&self) {
        self.control(json!({"invalid": true}));
    }

    fn control(&self, order: Value) {
        let sender = self.shared.gateway.lock().unwrap().take();
        let sender = sender.expect("the bot is connected");
        sender
            .send(json!({"control": order}))
            .expect("gateway is open");
    }

    /// Waits (at most 30 s: serenity waits 5 s between identifies) until
    /// the bot has identified `identifies` times and resumed `resumes` times.
    pub async fn wait_for_sessions(&self, identifies: u64, resumes: u64) {
        let wait = async {
            loop {
                let notified = self.shared.changed.notified();
                if self.shared.identifies.load(Ordering::SeqCst) >= identifies
                    && self.shared.resumes.load(Ordering::SeqCst) >= resumes
                    && self.shared.gateway.lock().unwrap().is_some()
                {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .is_err()
        {
            panic!(
                "timed out waiting for {identifies} identifies and {resumes} resumes (have {} and {})",
                self.shared.identifies.load(Ordering::SeqCst),
                self.shared.resumes.load(Ordering::SeqCst)
            );
        }
    }

    fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// A slash command invocation; `options` as Discord sends them.
    pub fn command(
        &self,
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
            "guild_id": GUILD_ID.to_string(), "channel_id": CHANNEL_ID.to_string(), "member": member,
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

    /// A button click on `message` (as the bot posted it).
    pub fn button(&self, custom_id: &str, member: Value, message: Value) -> (String, Value) {
        let id = self.next_id();
        let token = format!("interaction-token-{id}");
        let interaction = json!({
            "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 3,
            "data": {"custom_id": custom_id, "component_type": 2},
            "guild_id": GUILD_ID.to_string(), "channel_id": CHANNEL_ID.to_string(), "member": member,
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
    let hold = shared.hold.lock().unwrap().take();
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
        shared.held.fetch_add(1, Ordering::SeqCst);
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

async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let port = shared.port.load(Ordering::SeqCst);
    let hello = json!({"op": 10, "s": null, "t": null, "d": {"heartbeat_interval": 41250}});
    if socket
        .send(WsMessage::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let (events, mut queue) = mpsc::unbounded_channel::<Value>();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(WsMessage::Text(text))) = incoming else { return };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                match frame["op"].as_u64() {
                    Some(6) => {
                        // Replay what the bot missed, then RESUMED.
                        let seen = frame["d"]["seq"].as_u64().unwrap_or(0);
                        let missed: Vec<Value> = shared
                            .dispatched
                            .lock()
                            .unwrap()
                            .iter()
                            .filter(|event| event["s"].as_u64().is_some_and(|s| s > seen))
                            .cloned()
                            .collect();
                        for event in missed {
                            if socket.send(WsMessage::Text(event.to_string().into())).await.is_err() { return; }
                        }
                        let resumed = json!({"op": 0, "s": null, "t": "RESUMED", "d": {}});
                        if socket.send(WsMessage::Text(resumed.to_string().into())).await.is_err() { return; }
                        *shared.gateway.lock().unwrap() = Some(events.clone());
                        shared.resumes.fetch_add(1, Ordering::SeqCst);
                        shared.changed.notify_waiters();
                    }
                    Some(2) => {
                        let ready = json!({"op": 0, "s": 1, "t": "READY", "d": {
                            "v": 10,
                            "user": {"id": BOT_USER_ID.to_string(), "username": "lectern", "discriminator": "0", "avatar": null, "bot": true, "verified": true, "mfa_enabled": false},
                            "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
                            "session_id": "fake-session",
                            "resume_gateway_url": format!("ws://127.0.0.1:{port}/gateway"),
                            "shard": [0, 1],
                            "application": {"id": APPLICATION_ID.to_string(), "flags": 0}
                        }});
                        if socket.send(WsMessage::Text(ready.to_string().into())).await.is_err() { return; }
                        *shared.gateway.lock().unwrap() = Some(events.clone());
                        shared.identifies.fetch_add(1, Ordering::SeqCst);
                        shared.connected.notify_waiters();
                        shared.changed.notify_waiters();
                    }
                    Some(1) => {
                        let ack = json!({"op": 11, "s": null, "t": null, "d": null});
                        if socket.send(WsMessage::Text(ack.to_string().into())).await.is_err() { return; }
                    }
                    _ => {}
                }
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
