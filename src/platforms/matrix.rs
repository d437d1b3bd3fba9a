//! The Matrix platform (matrix-sdk): `!commands` in rooms, quiz answers by
//! reaction (🇦 🇧 🇨 🇩) or by typing, HTML replies with a plain-text body
//! that reply to the asking event, and end-to-end encrypted rooms.
//!
//! The session and the crypto store live in the data folder, so a restart
//! keeps the same device and keys. An initial sync before the handlers are
//! added skips what was said while the bot was away. No business rule lives
//! here.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use matrix_sdk::attachment::{AttachmentConfig, AttachmentInfo, BaseImageInfo};
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::{RequestConfig, SyncSettings};
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::error::ErrorKind;
use matrix_sdk::ruma::events::Mentions;
use matrix_sdk::ruma::events::reaction::{OriginalSyncReactionEvent, ReactionEventContent};
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent;
use matrix_sdk::ruma::events::room::message::{
    AddMentions, ForwardThread, MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId, RoomId, UInt, UserId};
use matrix_sdk::{Client, LoopCtrl, RoomState};
use tokio::sync::watch;

use crate::bot::reply::spans;
use crate::bot::{
    Action, Attachment, Bot, Message, Origin, Outbox, PostedMessage, SendError, Visibility,
};
use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// How the Matrix adapter runs.
#[derive(Debug, Clone)]
pub struct MatrixSettings {
    pub homeserver: String,
    /// The bot's user: `@lectern:example.org` or just `lectern`.
    pub user: String,
    /// Used only when there is no saved session yet.
    pub password: Option<crate::config::Secret>,
    /// Where the session and the encrypted state and crypto stores live.
    pub data_dir: PathBuf,
    /// The power level that counts as admin (changing room state: 50).
    pub admin_power_level: i64,
    /// The name shown for the bot's device.
    pub device_name: String,
}

/// Reaction keys for choices A–F.
const CHOICE_REACTIONS: [&str; 6] = ["🇦", "🇧", "🇨", "🇩", "🇪", "🇫"];

/// Posts for the bot core, remembering which quiz question each posted
/// event asks so reactions can be read as answers.
#[derive(Default)]
pub struct MatrixOutbox {
    /// Set once the first sync is done.
    client: tokio::sync::SetOnce<Client>,
    /// Question event -> the choices' keys (`quiz:<session>:<round>:<index>`),
    /// the newest [`QUESTIONS_REMEMBERED`] only.
    questions: Mutex<RecentQuestions>,
}

/// How many posted questions' reactions are still read as answers: far
/// more than the rounds running at once, so only long-closed rounds are
/// forgotten (their reactions would be "too late" anyway).
pub const QUESTIONS_REMEMBERED: usize = 4_096;

/// The newest posted questions, oldest forgotten first.
#[derive(Default)]
struct RecentQuestions {
    keys: HashMap<OwnedEventId, Vec<String>>,
    order: std::collections::VecDeque<OwnedEventId>,
}

impl RecentQuestions {
    fn insert(&mut self, event: OwnedEventId, keys: Vec<String>) {
        if self.keys.insert(event.clone(), keys).is_none() {
            self.order.push_back(event);
        }
        while self.order.len() > QUESTIONS_REMEMBERED {
            if let Some(oldest) = self.order.pop_front() {
                self.keys.remove(&oldest);
            }
        }
    }

    fn get(&self, event: &OwnedEventId) -> Option<&Vec<String>> {
        self.keys.get(event)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys.len()
    }
}

impl MatrixOutbox {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn room(&self, channel: &ChannelRef) -> Result<Room, SendError> {
        let client = self
            .client
            .get()
            .ok_or_else(|| SendError::Failed("not connected to Matrix yet".into()))?;
        let room_id = <&RoomId>::try_from(channel.id.as_str())
            .map_err(|_| SendError::Gone(format!("{} is not a Matrix room id", channel.id)))?;
        match client.get_room(room_id) {
            Some(room) if room.state() == RoomState::Joined => Ok(room),
            _ => Err(SendError::Gone(format!("not in room {}", channel.id))),
        }
    }

    /// The key of the choice a reaction picked, if the event was a question.
    fn choice_for(&self, event: &OwnedEventId, reaction: &str) -> Option<String> {
        let index = CHOICE_REACTIONS
            .iter()
            .position(|r| *r == reaction.trim_end_matches('\u{fe0f}'))?;
        self.questions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(event)?
            .get(index)
            .cloned()
    }
}

#[async_trait]
impl Outbox for MatrixOutbox {
    async fn connected(&self) {
        self.client.wait().await;
    }

    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        self.send(channel, message, None).await
    }

    /// With the nonce as the transaction id: the homeserver answers a
    /// repeat with the event it already made.
    async fn post_once(
        &self,
        channel: &ChannelRef,
        message: &Message,
        nonce: &str,
    ) -> Result<PostedMessage, SendError> {
        self.send(channel, message, Some(nonce)).await
    }

    /// In the bot's direct-message room with the user (made, the user
    /// invited, if there is none yet).
    async fn post_private(
        &self,
        user: &UserRef,
        _channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        let client = self
            .client
            .get()
            .ok_or_else(|| SendError::Failed("not connected to Matrix yet".into()))?;
        let user_id = <&UserId>::try_from(user.id.as_str())
            .map_err(|_| SendError::Gone(format!("{} is not a Matrix user id", user.id)))?;
        let room = match client.get_dm_room(user_id) {
            Some(room) => room,
            None => client
                .create_dm(user_id)
                .await
                .map_err(|e| SendError::Failed(e.to_string()))?,
        };
        self.send_in(&room, message, None).await
    }

    async fn edit(&self, _: &ChannelRef, _: &PostedMessage, _: &Message) -> Result<(), SendError> {
        Ok(())
    }

    /// Countdown edits would flood Matrix rooms with "(edited)" events.
    fn can_edit(&self) -> bool {
        false
    }
}

impl MatrixOutbox {
    async fn send(
        &self,
        channel: &ChannelRef,
        message: &Message,
        transaction: Option<&str>,
    ) -> Result<PostedMessage, SendError> {
        let room = self.room(channel)?;
        self.send_in(&room, message, transaction).await
    }

    async fn send_in(
        &self,
        room: &Room,
        message: &Message,
        transaction: Option<&str>,
    ) -> Result<PostedMessage, SendError> {
        let mut send = room.send(content(message));
        if let Some(transaction) = transaction {
            send = send.with_transaction_id(OwnedTransactionId::from(transaction));
        }
        let sent = send.await.map_err(|e| SendError::Failed(e.to_string()))?;
        let event_id = sent.response.event_id;
        if let Some(file) = &message.attachment {
            send_file(room, file)
                .await
                .map_err(|e| SendError::Failed(e.to_string()))?;
        }
        if !message.choices.is_empty() {
            let keys = message.choices.iter().map(|c| c.key.clone()).collect();
            self.questions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(event_id.clone(), keys);
            // Pre-react so answering is one tap.
            for reaction in CHOICE_REACTIONS.iter().take(message.choices.len()) {
                let annotation = ReactionEventContent::new(Annotation::new(
                    event_id.clone(),
                    (*reaction).to_string(),
                ));
                if let Err(error) = room.send(annotation).await {
                    tracing::warn!(error = %error, "could not add a choice reaction");
                }
            }
        }
        Ok(PostedMessage(event_id.to_string()))
    }
}

/// Uploads a message's file to `room` and posts it as its own event
/// (`m.image` with its size for a picture, encrypted in an encrypted
/// room), after the message's text.
async fn send_file(room: &Room, file: &Attachment) -> Result<(), Error> {
    let media_type: mime::Mime = file.media_type.parse()?;
    let mut config = AttachmentConfig::new();
    if let (true, Some((width, height))) = (file.is_image(), file.pixels) {
        config = config.info(AttachmentInfo::Image(BaseImageInfo {
            width: Some(UInt::from(width)),
            height: Some(UInt::from(height)),
            size: UInt::new(file.bytes.len() as u64),
            ..BaseImageInfo::default()
        }));
    }
    room.send_attachment(file.name.clone(), &media_type, file.bytes.to_vec(), config)
        .await?;
    Ok(())
}

/// Sends a reply's file after its text, logging a failure (the text
/// arrived).
async fn send_reply_file(room: &Room, reply: &Message) {
    if let Some(file) = &reply.attachment
        && let Err(error) = send_file(room, file).await
    {
        tracing::warn!(error = %error, file = %file.name, "could not upload a reply's file");
    }
}

/// Matrix drops events over 65,536 bytes. The content (plain text, HTML
/// and mentions, as JSON) is kept under this, which leaves room for the
/// envelope and a reply's relation.
pub const CONTENT_LIMIT: usize = 56 * 1024;

/// The message as Matrix content: an HTML body and its plain-text twin
/// (text as a reader sees it, never escaped Markdown), with no mentions
/// (user text can never ping anyone). A message too long
/// for one event is shortened, its longest text first, each cut marked
/// with "…", as the Discord path truncates its embeds.
pub fn content(message: &Message) -> RoomMessageEventContent {
    let mut message = message.clone();
    loop {
        let plain = message.render_text(str::to_string, str::to_string);
        let content = RoomMessageEventContent::text_html(plain.trim_end(), html(&message))
            .add_mentions(Mentions::new());
        let size = serde_json::to_vec(&content).map_or(usize::MAX, |json| json.len());
        if size <= CONTENT_LIMIT || !shorten(&mut message) {
            return content;
        }
    }
}

/// Halves the message's longest text; false when every text is short.
fn shorten(message: &mut Message) -> bool {
    let mut texts: Vec<&mut String> = Vec::new();
    texts.extend(message.title.as_mut());
    texts.push(&mut message.body);
    texts.extend(message.quotes.iter_mut().map(|quote| &mut quote.text));
    texts.extend(message.choices.iter_mut().map(|choice| &mut choice.text));
    texts.extend(message.footer.as_mut());
    let Some(longest) = texts.into_iter().max_by_key(|text| text.len()) else {
        return false;
    };
    let chars = longest.chars().count();
    if chars <= 32 {
        return false;
    }
    let mut cut: String = longest.chars().take(chars / 2).collect();
    // Never leave half a Markdown escape or bold marker at the cut.
    while cut.ends_with(['\\', '*']) {
        cut.pop();
    }
    cut.push('…');
    *longest = cut;
    true
}

/// Renders the bot's Markdown subset as HTML: `**bold**`, `_small print_`,
/// block quotes, line breaks; everything else is escaped.
pub fn html(message: &Message) -> String {
    let mut out = String::new();
    if let Some(title) = &message.title {
        out.push_str(&format!("<p><strong>{}</strong></p>", inline(title)));
    }
    if !message.body.is_empty() {
        out.push_str(&format!(
            "<p>{}</p>",
            message
                .body
                .lines()
                .map(inline)
                .collect::<Vec<_>>()
                .join("<br>")
        ));
    }
    for quote in &message.quotes {
        let lines: Vec<String> = quote.text.lines().map(inline).collect();
        out.push_str(&format!(
            "<blockquote>{}<br>— <em>{}</em></blockquote>",
            lines.join("<br>"),
            inline(&quote.location)
        ));
    }
    if !message.choices.is_empty() {
        let items: Vec<String> = message
            .choices
            .iter()
            .map(|c| {
                format!(
                    "{} <strong>{}</strong> {}",
                    CHOICE_REACTIONS.get(label_index(&c.label)).unwrap_or(&""),
                    c.label,
                    inline(&c.text)
                )
            })
            .collect();
        out.push_str(&format!("<p>{}</p>", items.join("<br>")));
    }
    if let Some(footer) = &message.footer {
        out.push_str(&format!(
            "<p><sub>{}</sub></p>",
            inline(footer.trim_matches('_'))
        ));
    }
    out
}

fn label_index(label: &str) -> usize {
    label
        .bytes()
        .next()
        .map_or(0, |b| usize::from(b.saturating_sub(b'A')))
}

/// Escapes HTML, turns `**x**` into `<strong>x</strong>`, and drops the
/// Markdown backslash escapes (Matrix shows the HTML).
fn inline(text: &str) -> String {
    let mut out = String::new();
    for span in spans(text) {
        if span.bold {
            out.push_str("<strong>");
        }
        for c in span.text.chars() {
            push_escaped(&mut out, c);
        }
        if span.bold {
            out.push_str("</strong>");
        }
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        c => out.push(c),
    }
}

/// Asks the homeserver for its versions once, without retries, so a wrong
/// URL or a closed port fails start-up at once with the cause (the client
/// proper retries passing failures for about a minute).
async fn probe(homeserver: &str) -> Result<(), Error> {
    let unreachable = |cause: String| -> Error {
        format!("the homeserver {homeserver} did not answer: {cause}").into()
    };
    let client = Client::builder()
        .homeserver_url(homeserver)
        .request_config(
            RequestConfig::new()
                .disable_retry()
                .timeout(std::time::Duration::from_secs(20)),
        )
        .build()
        .await
        .map_err(|error| unreachable(error_chain(&error)))?;
    client
        .server_versions()
        .await
        .map_err(|error| unreachable(error_chain(&error)))?;
    Ok(())
}

/// An error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// Logs in (first start) or restores the saved session (later starts), with
/// the SQLite state and crypto stores in the data folder.
pub async fn connect(settings: &MatrixSettings) -> Result<Client, Error> {
    probe(&settings.homeserver).await?;
    std::fs::create_dir_all(&settings.data_dir)?;
    let client = Client::builder()
        .homeserver_url(&settings.homeserver)
        .sqlite_store(settings.data_dir.join("store"), None)
        // 429s and passing failures are retried after the server's delay.
        .request_config(RequestConfig::new().retry_limit(8))
        .build()
        .await?;
    let session_file = settings.data_dir.join("session.json");
    if session_file.exists() {
        let session: MatrixSession =
            serde_json::from_str(&std::fs::read_to_string(&session_file)?)?;
        client.restore_session(session).await?;
        tracing::info!(device = %client.device_id().map(|d| d.to_string()).unwrap_or_default(), "restored the Matrix session");
    } else {
        let password = settings
            .password
            .as_ref()
            .map(crate::config::Secret::expose)
            .ok_or("no saved Matrix session and no password: set LECTERN_MATRIX__PASSWORD for the first login")?;
        client
            .matrix_auth()
            .login_username(&settings.user, password)
            .initial_device_display_name(&settings.device_name)
            .await?;
        let session = client
            .matrix_auth()
            .session()
            .ok_or("logged in but got no session")?;
        std::fs::write(&session_file, serde_json::to_string(&session)?)?;
        tracing::info!("logged in to Matrix with a new device");
    }
    Ok(client)
}

#[derive(Clone)]
struct Handler {
    bot: Bot,
    outbox: Arc<MatrixOutbox>,
    settings: MatrixSettings,
}

/// Joins a room, retrying with backoff (the invite may race the room's
/// creation on the server).
async fn join_with_retry(room: Room) {
    let mut delay = Duration::from_millis(500);
    for _ in 0..8 {
        match room.join().await {
            Ok(()) => {
                tracing::info!(room = %room.room_id(), "joined");
                return;
            }
            Err(error) => {
                tracing::warn!(room = %room.room_id(), error = %error, "join failed; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(60));
            }
        }
    }
}

async fn on_invite(event: StrippedRoomMemberEvent, room: Room, client: Client) {
    if client.user_id() == Some(event.state_key.as_ref()) {
        tokio::spawn(join_with_retry(room));
    }
}

async fn origin(
    room: &Room,
    sender: &UserId,
    settings: &MatrixSettings,
    check_admin: bool,
) -> Origin {
    let member = room.get_member(sender).await.ok().flatten();
    let name = member
        .as_ref()
        .and_then(|m| m.display_name().map(str::to_string))
        .unwrap_or_else(|| sender.localpart().to_string());
    let is_admin = check_admin
        && member.is_some_and(|m| match m.power_level() {
            matrix_sdk::ruma::events::room::power_levels::UserPowerLevel::Int(level) => {
                i64::from(level) >= settings.admin_power_level
            }
            _ => true,
        });
    let scope = ScopeRef::new(Platform::Matrix, room.room_id().to_string());
    Origin {
        user: UserRef::new(Platform::Matrix, sender.to_string(), name),
        channel: ChannelRef::new(scope, room.room_id().to_string()),
        is_admin,
    }
}

async fn on_message(
    event: OriginalSyncRoomMessageEvent,
    room: Room,
    client: Client,
    handler: Ctx<Handler>,
) {
    if room.state() != RoomState::Joined || client.user_id() == Some(event.sender.as_ref()) {
        return;
    }
    let MessageType::Text(text) = &event.content.msgtype else {
        return;
    };
    let body = text.body.trim();
    // Only commands need the sender's power level.
    let is_command = body.starts_with(handler.bot.prefix(Platform::Matrix));
    let origin = origin(&room, &event.sender, &handler.settings, is_command).await;
    for action in handler.bot.on_text(&origin, body, false).await {
        match action {
            Action::Reply(reply) if reply.visibility == Visibility::Private => {
                send_privately(&client, &room, &event, &origin, &handler.bot, &reply).await;
            }
            Action::Reply(reply) => {
                let content =
                    content(&reply).make_reply_to(&event, ForwardThread::Yes, AddMentions::No);
                match room.send(content).await {
                    Ok(_) => send_reply_file(&room, &reply).await,
                    Err(error) => tracing::warn!(error = %error, "could not send a reply"),
                }
            }
            Action::React(emoji) => {
                let received = ReactionEventContent::new(Annotation::new(
                    event.event_id.clone(),
                    emoji.to_string(),
                ));
                if let Err(error) = room.send(received).await {
                    tracing::warn!(error = %error, "could not mark an answer as received");
                }
            }
            // A room has no private replies; the command's effect shows.
            Action::Note(_) | Action::Ack(_) => {}
        }
    }
}

/// The direct-message room with `user`: this room when it is one, else
/// the bot's existing one with them, else a new one (encrypted, the user
/// invited).
async fn direct_room(client: &Client, room: &Room, user: &UserId) -> Result<Room, Error> {
    if room.is_direct().await.unwrap_or(false) && room.joined_members_count() <= 2 {
        return Ok(room.clone());
    }
    if let Some(direct) = client.get_dm_room(user) {
        return Ok(direct);
    }
    Ok(client.create_dm(user).await?)
}

/// A private reply (a review): sent in the direct-message room with the
/// asker, and typed answers are read there from then on. The room where
/// it was asked is told where to look.
async fn send_privately(
    client: &Client,
    room: &Room,
    event: &OriginalSyncRoomMessageEvent,
    origin: &Origin,
    bot: &Bot,
    reply: &Message,
) {
    let direct = match direct_room(client, room, &event.sender).await {
        Ok(direct) => direct,
        Err(error) => {
            tracing::warn!(error = %error, "could not open a direct-message room");
            let sorry = Message::text(
                "I could not open a direct message with you, so I cannot show your review here.",
            );
            let content = content(&sorry).make_reply_to(event, ForwardThread::Yes, AddMentions::No);
            if let Err(error) = room.send(content).await {
                tracing::warn!(error = %error, "could not send a reply");
            }
            return;
        }
    };
    let id = direct.room_id().to_string();
    let channel = ChannelRef::new(ScopeRef::new(Platform::Matrix, id.clone()), id);
    bot.review_delivered_in(&origin.user, &channel).await;
    if let Err(error) = direct.send(content(reply)).await {
        tracing::warn!(error = %error, "could not send a private reply");
        return;
    }
    send_reply_file(&direct, reply).await;
    if direct.room_id() != room.room_id() {
        let note = Message::text("I sent you that privately, in a direct message.");
        let content = content(&note).make_reply_to(event, ForwardThread::Yes, AddMentions::No);
        if let Err(error) = room.send(content).await {
            tracing::warn!(error = %error, "could not send a reply");
        }
    }
}

async fn on_reaction(
    event: OriginalSyncReactionEvent,
    room: Room,
    client: Client,
    handler: Ctx<Handler>,
) {
    if room.state() != RoomState::Joined || client.user_id() == Some(event.sender.as_ref()) {
        return;
    }
    let relation = &event.content.relates_to;
    let Some(key) = handler.outbox.choice_for(&relation.event_id, &relation.key) else {
        return;
    };
    let origin = origin(&room, &event.sender, &handler.settings, false).await;
    // The outcome is only notes for the player, which a room cannot show
    // privately.
    let _ = handler.bot.on_choice(&origin, &key).await;
}

/// Lectern on Matrix, for the [`App`](crate::app::App) to run.
pub struct Matrix {
    outbox: Arc<MatrixOutbox>,
    client: Client,
    settings: MatrixSettings,
}

impl Matrix {
    /// Logs in or restores the session (see [`connect`]).
    pub async fn connect(settings: MatrixSettings) -> Result<Self, Error> {
        let client = connect(&settings).await?;
        Ok(Self::new(client, settings))
    }

    /// Serves through an already connected client.
    pub fn new(client: Client, settings: MatrixSettings) -> Self {
        Self {
            outbox: MatrixOutbox::new(),
            client,
            settings,
        }
    }
}

#[async_trait]
impl crate::platforms::Adapter for Matrix {
    fn platform(&self) -> Platform {
        Platform::Matrix
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(self: Box<Self>, bot: Bot, shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        run(bot, self.outbox, self.client, self.settings, shutdown)
            .await
            .map_err(|error| anyhow::anyhow!(error).context("Matrix stopped"))
    }
}

/// Serves `bot` in the rooms `client` is in until `shutdown` turns true.
async fn run(
    bot: Bot,
    outbox: Arc<MatrixOutbox>,
    client: Client,
    settings: MatrixSettings,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), Error> {
    // Catch up without handlers: what was said while away is not answered.
    let response = client.sync_once(SyncSettings::default()).await?;
    let _ = outbox.client.set(client.clone());
    for room in client.invited_rooms() {
        tokio::spawn(join_with_retry(room));
    }
    client.add_event_handler_context(Handler {
        bot,
        outbox,
        settings,
    });
    client.add_event_handler(on_invite);
    client.add_event_handler(on_message);
    client.add_event_handler(on_reaction);
    // A homeserver outage is waited out: a failed sync is logged and the
    // next one tried (matrix-sdk spaces them), rather than ending the bot.
    // A revoked session still ends it.
    let sync = client.sync_with_result_callback(
        SyncSettings::default().token(response.next_batch),
        |result| async move {
            match result {
                Err(error)
                    if matches!(
                        error.client_api_error_kind(),
                        Some(ErrorKind::UnknownToken(_))
                    ) =>
                {
                    Err(error)
                }
                Err(error) => {
                    tracing::warn!(error = %error, "Matrix sync failed; trying again");
                    Ok(LoopCtrl::Continue)
                }
                Ok(_) => Ok(LoopCtrl::Continue),
            }
        },
    );
    tokio::select! {
        result = sync => result.map_err(Into::into),
        _ = shutdown.wait_for(|stop| *stop) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::reply::{Choice, Quote, escape};

    #[test]
    fn html_bodies_escape_user_text_and_keep_the_bots_formatting() {
        let mut message =
            Message::titled("Question 1 of 2", escape("Who wrote <b>this</b> @room?"));
        message.quotes.push(Quote {
            text: "He **did** it.".into(),
            location: "sentence 2 of 9".into(),
        });
        message.choices = vec![Choice {
            label: "A".into(),
            text: "Trotsky".into(),
            key: "quiz:1:1:0".into(),
        }];
        message.footer = Some("20 seconds".into());
        let html = html(&message);
        assert!(
            html.contains("Who wrote &lt;\u{200b}b&gt;this&lt;\u{200b}/b&gt; @\u{200b}room?"),
            "{html}"
        );
        assert!(
            html.contains(
                "<blockquote>He <strong>did</strong> it.<br>— <em>sentence 2 of 9</em></blockquote>"
            ),
            "{html}"
        );
        assert!(html.contains("🇦 <strong>A</strong> Trotsky"), "{html}");
    }

    #[test]
    fn plain_bodies_are_text_as_read_never_escaped_markdown() {
        let mut message = Message::titled(
            "Question 1 of 2",
            format!("Fill in: {}", escape("the ___ [of] *Stalin* @room")),
        );
        message.footer = Some("20 seconds".into());
        let json = serde_json::to_value(content(&message)).unwrap();
        let body = json["body"].as_str().unwrap();
        assert_eq!(
            body,
            "Question 1 of 2\nFill in: the ___ [of] *Stalin* @\u{200b}room\n20 seconds"
        );
    }

    #[test]
    fn finding_17_a_long_message_is_truncated_under_the_event_limit() {
        let mut message = Message::text(format!("Unknown command !{}", "é<\"x".repeat(20_000)));
        message.quotes.push(Quote {
            text: "A long passage & more. ".repeat(3_000),
            location: "sentence 1 of 2".into(),
        });
        let content = content(&message);
        let json = serde_json::to_vec(&content).unwrap();
        assert!(json.len() <= CONTENT_LIMIT, "{} bytes", json.len());
        assert!(json.len() < 65_536);
        assert!(
            content.body().starts_with("Unknown command !é<\"x"),
            "{}",
            &content.body()[..40]
        );
        assert!(content.body().contains('…'));
        // A short message is left whole.
        let short = super::content(&Message::text("Hello"));
        assert_eq!(short.body(), "Hello");
    }

    #[tokio::test]
    async fn finding_18_a_closed_homeserver_port_fails_at_once_with_the_cause() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let settings = MatrixSettings {
            homeserver: format!("http://127.0.0.1:{port}"),
            user: "lectern".into(),
            password: None,
            data_dir: dir.path().join("matrix"),
            admin_power_level: 50,
            device_name: "test".into(),
        };
        // Retries would take about a minute; the probe answers at once.
        let connecting =
            tokio::time::timeout(std::time::Duration::from_secs(30), connect(&settings));
        let error = connecting
            .await
            .expect("connecting to a closed port kept retrying")
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.starts_with(&format!(
                "the homeserver http://127.0.0.1:{port} did not answer: "
            )),
            "{error}"
        );
        assert!(
            error.to_lowercase().contains("connection refused"),
            "{error}"
        );
    }

    #[test]
    fn finding_16_the_question_map_keeps_only_the_newest_questions() {
        let outbox = MatrixOutbox::default();
        for n in 0..QUESTIONS_REMEMBERED + 10 {
            let event: OwnedEventId = format!("$q{n}:localhost").try_into().unwrap();
            outbox
                .questions
                .lock()
                .unwrap()
                .insert(event, vec![format!("quiz:1:{n}:0")]);
        }
        assert_eq!(outbox.questions.lock().unwrap().len(), QUESTIONS_REMEMBERED);
        assert_eq!(
            outbox.choice_for(&"$q0:localhost".try_into().unwrap(), "🇦"),
            None
        );
        let newest = format!("$q{}:localhost", QUESTIONS_REMEMBERED + 9);
        assert!(
            outbox
                .choice_for(&newest.try_into().unwrap(), "🇦")
                .is_some()
        );
    }

    #[test]
    fn replies_mention_nobody() {
        let content = content(&Message::text("@room hello"));
        let json = serde_json::to_value(&content).unwrap();
        assert_eq!(json["m.mentions"], serde_json::json!({}));
    }

    #[test]
    fn reactions_map_to_the_choices_of_their_question() {
        let outbox = MatrixOutbox::default();
        let event: OwnedEventId = "$question:localhost".try_into().unwrap();
        outbox.questions.lock().unwrap().insert(
            event.clone(),
            vec!["quiz:1:2:0".into(), "quiz:1:2:1".into()],
        );
        assert_eq!(
            outbox.choice_for(&event, "🇧").as_deref(),
            Some("quiz:1:2:1")
        );
        assert_eq!(
            outbox.choice_for(&event, "🇦\u{fe0f}").as_deref(),
            Some("quiz:1:2:0")
        );
        assert_eq!(outbox.choice_for(&event, "🇩"), None);
        assert_eq!(
            outbox.choice_for(&"$other:localhost".try_into().unwrap(), "🇦"),
            None
        );
    }
}
