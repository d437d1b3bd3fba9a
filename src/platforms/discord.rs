//! The Discord platform (serenity + poise): slash commands, buttons and
//! embeds over the platform-neutral bot.
//!
//! Commands turn into [`Command`]s (or quiz answers) and the bot's
//! [`Message`]s are rendered as embeds with A–D buttons; the
//! [`DiscordOutbox`] posts what the bot sends on its own (quiz rounds,
//! reveals, daily posts). Every message is sent with no mentions allowed.
//! No business rule lives here.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton,
    CreateEmbed, CreateEmbedFooter, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateMessage, EditMessage, GatewayIntents, Http, MessageId, ResolvedValue,
};
use tokio::sync::watch;

use crate::bot::command::{self, Args, CommandSpec, ParamKind};
use crate::bot::{
    Action, Bot, BotError, Message, Origin, Outbox, PostedMessage, SendError, Visibility,
};
use crate::clock::Clock;
use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, DiscordState, Error>;

/// How the Discord adapter runs.
#[derive(Debug, Clone)]
pub struct DiscordSettings {
    /// Register commands in this guild only (instant updates while developing).
    pub dev_guild: Option<u64>,
    /// Members with this role may run admin commands, besides Manage Server.
    pub teacher_role: Option<u64>,
    /// Shards: `None` asks Discord how many ("auto").
    pub shards: Option<u32>,
    /// Run only these shards (end exclusive) of this many, when several
    /// processes share the bot's shards (serenity's `start_shard_range`).
    pub shard_range: Option<(std::ops::Range<u32>, u32)>,
    /// Whether typed-mode quizzes read channel messages (needs the
    /// privileged MESSAGE_CONTENT intent enabled in the developer portal).
    pub read_messages: bool,
}

/// What commands can reach.
pub struct DiscordState {
    bot: Bot,
    settings: DiscordSettings,
}

/// Posts and edits channel messages for the bot core.
#[derive(Default)]
pub struct DiscordOutbox {
    /// Set once the gateway is ready.
    http: tokio::sync::SetOnce<Arc<Http>>,
    /// The bot's clock, which a 429 is waited out on (set with `http`).
    clock: std::sync::OnceLock<Arc<dyn Clock>>,
    /// Posts through a proxy go out on this client, so a 429's
    /// `retry-after` can be read (serenity keeps only the error's message).
    client: reqwest::Client,
}

/// How many times one post is sent while Discord answers 429.
const RATE_LIMITED_ATTEMPTS: u32 = 5;

/// A longer `retry-after` than this fails the post (a daily post is then
/// retried later) rather than holding a quiz round.
const LONGEST_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// How long a 429 asks to wait: the `retry-after` header (seconds), else
/// the body's `retry_after`, else one second.
fn retry_after(headers: &reqwest::header::HeaderMap, body: &[u8]) -> Duration {
    let from_header = headers
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<f64>().ok());
    let from_body = || {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|json| json["retry_after"].as_f64())
    };
    from_header
        .or_else(from_body)
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map_or(Duration::from_secs(1), Duration::from_secs_f64)
}

impl DiscordOutbox {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    fn http(&self) -> Result<&Arc<Http>, SendError> {
        self.http
            .get()
            .ok_or_else(|| SendError::Failed("not connected to Discord yet".into()))
    }

    async fn send(
        &self,
        channel: &ChannelRef,
        message: &Message,
        nonce: Option<&str>,
    ) -> Result<PostedMessage, SendError> {
        let http = self.http()?;
        let channel = channel_id(channel)?;
        let mut builder = CreateMessage::new()
            .embed(embed(message))
            .components(buttons(message))
            .allowed_mentions(CreateAllowedMentions::new());
        if let Some(file) = attachment(message) {
            builder = builder.add_file(file);
        }
        if let Some(nonce) = nonce {
            builder = builder
                .nonce(serenity::Nonce::String(nonce.to_string()))
                .enforce_nonce(true);
        }
        match (&http.proxy, &http.ratelimiter) {
            // A file goes as multipart, which only serenity's own path sends.
            (Some(proxy), None) if message.attachment.is_none() => {
                self.send_via(http, proxy, channel, &builder).await
            }
            // serenity's rate limiter waits out 429s itself.
            _ => {
                let sent = channel
                    .send_message(http, builder)
                    .await
                    .map_err(send_error)?;
                Ok(PostedMessage(sent.id.get().to_string()))
            }
        }
    }

    /// Posts through `proxy`, where serenity's rate limiter is off: a 429
    /// is waited out on the bot's clock for as long as it says
    /// (`retry-after`), then the same post is sent again.
    async fn send_via(
        &self,
        http: &Http,
        proxy: &str,
        channel: ChannelId,
        builder: &CreateMessage,
    ) -> Result<PostedMessage, SendError> {
        let failed = |error: &dyn std::fmt::Display| SendError::Failed(error.to_string());
        let body = serde_json::to_vec(builder).map_err(|e| failed(&e))?;
        for _ in 0..RATE_LIMITED_ATTEMPTS {
            let request = serenity::http::Request::new(
                serenity::http::Route::ChannelMessages {
                    channel_id: channel,
                },
                serenity::http::LightMethod::Post,
            )
            .body(Some(body.clone()));
            let response = request
                .build(&self.client, http.token(), Some(proxy))
                .map_err(|e| failed(&e))?
                .send()
                .await
                .map_err(|e| failed(&e))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response.bytes().await.map_err(|e| failed(&e))?;
            match status {
                200..=299 => {
                    let sent: serenity::Message =
                        serde_json::from_slice(&bytes).map_err(|e| failed(&e))?;
                    return Ok(PostedMessage(sent.id.get().to_string()));
                }
                429 => {
                    let wait = retry_after(&headers, &bytes);
                    if wait > LONGEST_RATE_LIMIT_WAIT {
                        return Err(SendError::Failed(format!(
                            "rate limited by Discord for {} s",
                            wait.as_secs()
                        )));
                    }
                    tracing::warn!(channel = %channel, wait = ?wait, "rate limited by Discord; waiting");
                    match self.clock.get() {
                        Some(clock) => clock.sleep(wait).await,
                        None => tokio::time::sleep(wait).await,
                    }
                }
                _ => {
                    let reason = serde_json::from_slice::<serde_json::Value>(&bytes)
                        .ok()
                        .and_then(|json| json["message"].as_str().map(str::to_string))
                        .unwrap_or_default();
                    return Err(if matches!(status, 403 | 404) {
                        SendError::Gone(format!("{status}: {reason}"))
                    } else {
                        SendError::Failed(format!("{status}: {reason}"))
                    });
                }
            }
        }
        Err(SendError::Failed(format!(
            "still rate limited by Discord after {RATE_LIMITED_ATTEMPTS} attempts"
        )))
    }
}

fn channel_id(channel: &ChannelRef) -> Result<ChannelId, SendError> {
    channel
        .id
        .parse::<u64>()
        .ok()
        .filter(|id| *id != 0)
        .map(ChannelId::new)
        .ok_or_else(|| SendError::Gone(format!("{} is not a Discord channel id", channel.id)))
}

/// Maps serenity errors: missing, forbidden or unknown channels are gone.
fn send_error(error: serenity::Error) -> SendError {
    if let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response)) = &error {
        let status = response.status_code.as_u16();
        if matches!(status, 403 | 404) {
            return SendError::Gone(format!("{status}: {}", response.error.message));
        }
    }
    SendError::Failed(error.to_string())
}

#[async_trait]
impl Outbox for DiscordOutbox {
    async fn connected(&self) {
        self.http.wait().await;
    }

    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        self.send(channel, message, None).await
    }

    /// With an enforced nonce: Discord returns the message it already
    /// created for this nonce in the last few minutes instead of a new one.
    async fn post_once(
        &self,
        channel: &ChannelRef,
        message: &Message,
        nonce: &str,
    ) -> Result<PostedMessage, SendError> {
        self.send(channel, message, Some(nonce)).await
    }

    /// In the direct-message channel with the user (opened if need be).
    async fn post_private(
        &self,
        user: &UserRef,
        _channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        let http = self.http()?;
        let id = user
            .id
            .parse::<u64>()
            .ok()
            .filter(|id| *id != 0)
            .ok_or_else(|| SendError::Gone(format!("{} is not a Discord user id", user.id)))?;
        let direct = serenity::UserId::new(id)
            .create_dm_channel(http)
            .await
            .map_err(send_error)?;
        let channel = ChannelRef::new(
            ScopeRef::new(Platform::Discord, format!("dm-{id}")),
            direct.id.get().to_string(),
        );
        self.send(&channel, message, None).await
    }

    async fn edit(
        &self,
        channel: &ChannelRef,
        posted: &PostedMessage,
        message: &Message,
    ) -> Result<(), SendError> {
        let http = self.http()?;
        let id = posted
            .0
            .parse::<u64>()
            .map_err(|_| SendError::Gone("bad message id".into()))?;
        let builder = EditMessage::new()
            .embed(embed(message))
            .components(buttons(message))
            .allowed_mentions(CreateAllowedMentions::new());
        channel_id(channel)?
            .edit_message(http, MessageId::new(id), builder)
            .await
            .map_err(send_error)?;
        Ok(())
    }
}

/// Discord's limits on embed text.
const DESCRIPTION_LIMIT: usize = 4096;
const TITLE_LIMIT: usize = 256;

fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit - 1).collect();
    cut.push('…');
    cut
}

/// The message as an embed: the body, quotes as block quotes with their
/// place in the document, choices as lines, the footer as small print.
pub fn embed(message: &Message) -> CreateEmbed {
    let mut description = message.body.clone();
    for quote in &message.quotes {
        description.push_str("\n\n");
        for line in quote.text.lines() {
            description.push_str(&format!("> {line}\n"));
        }
        description.push_str(&format!("> — *{}*", quote.location));
    }
    if !message.choices.is_empty() {
        description.push('\n');
        for choice in &message.choices {
            description.push_str(&format!("\n**{})** {}", choice.label, choice.text));
        }
    }
    let mut embed = CreateEmbed::new()
        .description(truncate(description.trim(), DESCRIPTION_LIMIT))
        .colour(0x3b6ea5);
    if let Some(title) = &message.title {
        embed = embed.title(truncate(&title.replace("**", ""), TITLE_LIMIT));
    }
    if let Some(footer) = &message.footer {
        embed = embed.footer(CreateEmbedFooter::new(truncate(
            &footer.replace('_', ""),
            2048,
        )));
    }
    // An attached picture is shown in the embed.
    if let Some(file) = message.attachment.as_ref().filter(|file| file.is_image()) {
        embed = embed.image(format!("attachment://{}", file.name));
    }
    embed
}

/// The message's file, as Discord uploads it.
fn attachment(message: &Message) -> Option<CreateAttachment> {
    message
        .attachment
        .as_ref()
        .map(|file| CreateAttachment::bytes(file.bytes.to_vec(), file.name.clone()))
}

/// A–F buttons for the choices, carrying their keys as custom ids.
pub fn buttons(message: &Message) -> Vec<CreateActionRow> {
    if message.choices.is_empty() {
        return Vec::new();
    }
    message
        .choices
        .chunks(5)
        .map(|row| {
            CreateActionRow::Buttons(
                row.iter()
                    .map(|choice| {
                        CreateButton::new(choice.key.clone())
                            .label(choice.label.clone())
                            .style(ButtonStyle::Primary)
                    })
                    .collect(),
            )
        })
        .collect()
}

/// A reply to an interaction, rendered like a message.
fn reply(message: &Message) -> poise::CreateReply {
    let reply = poise::CreateReply::default()
        .embed(embed(message))
        .components(buttons(message))
        .ephemeral(message.visibility != Visibility::Public)
        .allowed_mentions(CreateAllowedMentions::new());
    match attachment(message) {
        Some(file) => reply.attachment(file),
        None => reply,
    }
}

fn user_ref(user: &serenity::User, member: Option<&serenity::Member>) -> UserRef {
    let name = member.map_or_else(
        || user.display_name().to_string(),
        |m| m.display_name().to_string(),
    );
    UserRef::new(Platform::Discord, user.id.get().to_string(), name)
}

fn channel_ref(
    guild: Option<serenity::GuildId>,
    channel: ChannelId,
    user: &serenity::User,
) -> ChannelRef {
    // A direct message has no guild: the conversation is its own scope.
    let scope = match guild {
        Some(guild) => guild.get().to_string(),
        None => format!("dm-{}", user.id.get()),
    };
    ChannelRef::new(
        ScopeRef::new(Platform::Discord, scope),
        channel.get().to_string(),
    )
}

/// Manage Server (or Administrator) or the configured teacher role.
fn member_is_admin(member: Option<&serenity::Member>, teacher_role: Option<u64>) -> bool {
    let Some(member) = member else {
        return false;
    };
    let by_permission = member
        .permissions
        .is_some_and(|p| p.manage_guild() || p.administrator());
    let by_role = teacher_role.is_some_and(|role| member.roles.iter().any(|r| r.get() == role));
    by_permission || by_role
}

async fn origin(ctx: Context<'_>) -> Origin {
    let member = ctx.author_member().await;
    let member = member.as_deref();
    Origin {
        user: user_ref(ctx.author(), member),
        channel: channel_ref(ctx.guild_id(), ctx.channel_id(), ctx.author()),
        is_admin: member_is_admin(member, ctx.data().settings.teacher_role),
    }
}

async fn send_replies(ctx: Context<'_>, replies: &[Message]) -> Result<(), Error> {
    for message in replies {
        ctx.send(reply(message)).await?;
    }
    Ok(())
}

/// Every slash command runs this: it reads the options into [`Args`], lets
/// the command's parser from the core table make a [`Command`], runs it
/// and sends the replies.
fn slash_action(
    ctx: poise::ApplicationContext<'_, DiscordState, Error>,
) -> poise::BoxFuture<'_, Result<(), poise::FrameworkError<'_, DiscordState, Error>>> {
    Box::pin(async move {
        run_command(ctx)
            .await
            .map_err(|error| poise::FrameworkError::new_command(ctx.into(), error))
    })
}

async fn run_command(ctx: poise::ApplicationContext<'_, DiscordState, Error>) -> Result<(), Error> {
    let Some(spec) = command::spec_named(&ctx.command.qualified_name) else {
        return Err(format!("no command {} in the table", ctx.command.qualified_name).into());
    };
    if spec.slow {
        // Posting the first question may take a moment: acknowledge now.
        ctx.defer_response(true).await?;
    }
    let ctx = Context::Application(ctx);
    let args = match options(ctx, spec).await {
        Ok(args) => args,
        Err(refusal) => return send_replies(ctx, &[refusal]).await,
    };
    let actions = match (spec.parse)(&args) {
        Ok(command) => {
            let origin = origin(ctx).await;
            ctx.data().bot.on_command(&origin, command).await
        }
        Err(error) => vec![Action::Reply(BotError::from(error).to_message())],
    };
    // An interaction must be answered: notes and acknowledgements are
    // said privately.
    let replies: Vec<Message> = actions
        .into_iter()
        .filter_map(|action| match action {
            Action::Reply(message) => Some(message),
            Action::Note(text) | Action::Ack(text) => Some(Message::text(text).ephemeral()),
            Action::React(_) => None,
        })
        .collect();
    send_replies(ctx, &replies).await
}

/// The interaction's options as [`Args`]; an attachment is downloaded.
/// `Err` is the message to show instead.
async fn options(ctx: Context<'_>, spec: &CommandSpec) -> Result<Args, Message> {
    let Context::Application(app) = ctx else {
        return Ok(Args::default());
    };
    let mut args = Args {
        invoked_as: spec.leaf().to_string(),
        prefix: '/',
        ..Args::default()
    };
    for option in app.args {
        let param = spec.params.iter().find(|p| p.name == option.name);
        let value = match (&option.value, param.map(|p| p.kind)) {
            (ResolvedValue::Integer(index), Some(ParamKind::Choice(choices))) => {
                usize::try_from(*index)
                    .ok()
                    .and_then(|i| choices.get(i))
                    .map(|(_, word)| word.to_string())
            }
            (ResolvedValue::Integer(value), _) => Some(value.to_string()),
            (ResolvedValue::String(text), _) => Some(text.to_string()),
            (ResolvedValue::Boolean(value), _) => Some(value.to_string()),
            (ResolvedValue::User(user, _), _) => Some(user.id.get().to_string()),
            (ResolvedValue::Attachment(file), _) => {
                args.file = Some((file.filename.clone(), download(file).await?));
                None
            }
            _ => None,
        };
        if let Some(value) = value {
            args.named.push((option.name.to_string(), value));
        }
    }
    Ok(args)
}

/// An attached file's text.
async fn download(file: &serenity::Attachment) -> Result<String, Message> {
    let too_big =
        || Message::text("That file is over 10 MB; split it into smaller banks.").ephemeral();
    if u64::from(file.size) > crate::content::import::MAX_BYTES {
        return Err(too_big());
    }
    match file.download().await {
        // The size Discord states is checked again against what arrived.
        Ok(bytes) if bytes.len() as u64 > crate::content::import::MAX_BYTES => Err(too_big()),
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
            Message::text("That file is not UTF-8 text; save it as UTF-8 and send it again.")
                .ephemeral()
        }),
        Err(error) => {
            tracing::warn!(error = %error, "could not download an attachment");
            Err(
                Message::text("Sorry, I could not download that file. Please try again.")
                    .ephemeral(),
            )
        }
    }
}

/// How a parameter kind is declared to Discord.
fn option_type(
    kind: ParamKind,
) -> fn(serenity::CreateCommandOption) -> serenity::CreateCommandOption {
    use serenity::CommandOptionType as T;
    match kind {
        ParamKind::Text => |b| b.kind(T::String),
        ParamKind::Integer | ParamKind::Choice(_) => |b| b.kind(T::Integer).min_int_value(0),
        ParamKind::Flag => |b| b.kind(T::Boolean),
        ParamKind::User => |b| b.kind(T::User),
        ParamKind::File => |b| b.kind(T::Attachment),
    }
}

/// A table command as a poise command.
fn slash_command(spec: &'static CommandSpec) -> poise::Command<DiscordState, Error> {
    let parameters = spec
        .params
        .iter()
        .map(|param| poise::CommandParameter {
            name: param.name.to_string(),
            description: Some(param.description.to_string()),
            required: param.required,
            choices: match param.kind {
                ParamKind::Choice(choices) => choices
                    .iter()
                    .map(|(name, _)| poise::CommandParameterChoice {
                        name: name.to_string(),
                        localizations: Default::default(),
                        __non_exhaustive: (),
                    })
                    .collect(),
                _ => Vec::new(),
            },
            type_setter: Some(option_type(param.kind)),
            name_localizations: Default::default(),
            description_localizations: Default::default(),
            channel_types: None,
            autocomplete_callback: None,
            __non_exhaustive: (),
        })
        .collect();
    let command = poise::Command {
        name: spec.leaf().to_string(),
        qualified_name: spec.name.to_string(),
        identifying_name: spec.name.to_string(),
        source_code_name: spec.name.to_string(),
        description: Some(capitalised(spec.summary)),
        slash_action: Some(slash_action),
        parameters,
        ..Default::default()
    };
    if spec.cooldown_seconds > 0
        && let Ok(mut config) = command.cooldown_config.write()
    {
        config.user = Some(std::time::Duration::from_secs(spec.cooldown_seconds));
    }
    command
}

/// "answer from ..." -> "Answer from ...".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Handles what is not a command: quiz buttons, and typed quiz answers.
async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    state: &DiscordState,
) -> Result<(), Error> {
    match event {
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(component),
        } => on_button(ctx, component, state).await,
        serenity::FullEvent::Message { new_message }
            if !new_message.author.bot && state.settings.read_messages =>
        {
            let origin = Origin {
                user: user_ref(&new_message.author, None),
                channel: channel_ref(
                    new_message.guild_id,
                    new_message.channel_id,
                    &new_message.author,
                ),
                is_admin: false,
            };
            // Only answers matter here; other chat is left alone. A taken
            // answer gets a 👍 (received, not judged) so players see it
            // counted; a channel message cannot be answered privately, so
            // notes are not sent.
            for action in state
                .bot
                .on_answer_text(&origin, &new_message.content)
                .await
            {
                if let Action::React(emoji) = action {
                    new_message
                        .react(&ctx.http, serenity::ReactionType::Unicode(emoji.into()))
                        .await?;
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A click on a quiz button: `quiz:<session>:<round>:<choice>`.
async fn on_button(
    ctx: &serenity::Context,
    component: &serenity::ComponentInteraction,
    state: &DiscordState,
) -> Result<(), Error> {
    let origin = Origin {
        user: user_ref(&component.user, component.member.as_ref()),
        channel: channel_ref(component.guild_id, component.channel_id, &component.user),
        is_admin: false,
    };
    let actions = state
        .bot
        .on_choice(&origin, &component.data.custom_id)
        .await;
    // A review answer replies with messages (the verdict and the next
    // question, with its buttons): one private response with their embeds.
    let replies: Vec<&Message> = actions
        .iter()
        .filter_map(|action| match action {
            Action::Reply(message) => Some(message),
            _ => None,
        })
        .collect();
    let response = if replies.is_empty() {
        let text = actions
            .into_iter()
            .find_map(|action| match action {
                Action::Note(text) | Action::Ack(text) => Some(text),
                Action::Reply(_) | Action::React(_) => None,
            })
            .unwrap_or_else(|| "Done.".into());
        CreateInteractionResponseMessage::new().content(text)
    } else {
        let components = replies
            .iter()
            .rev()
            .find(|message| !message.choices.is_empty())
            .map(|message| buttons(message))
            .unwrap_or_default();
        CreateInteractionResponseMessage::new()
            .embeds(replies.iter().map(|message| embed(message)).collect())
            .components(components)
    }
    .ephemeral(true)
    .allowed_mentions(CreateAllowedMentions::new());
    component
        .create_response(&ctx.http, CreateInteractionResponse::Message(response))
        .await?;
    Ok(())
}

/// Reports command errors: the user gets a short apology, the log the chain.
async fn on_error(error: poise::FrameworkError<'_, DiscordState, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::error!(command = %ctx.command().name, error = %error, "command failed");
            let sorry = Message::text(
                "Sorry, something went wrong on my side. Please try again in a moment.",
            )
            .ephemeral();
            let _ = ctx.send(reply(&sorry)).await;
        }
        poise::FrameworkError::CooldownHit {
            remaining_cooldown,
            ctx,
            ..
        } => {
            let text = format!(
                "Please wait {:.0} s before asking again.",
                remaining_cooldown.as_secs_f64().ceil()
            );
            let _ = ctx.send(reply(&Message::text(text).ephemeral())).await;
        }
        other => {
            if let Err(error) = poise::builtins::on_error(other).await {
                tracing::error!(error = %error, "error while handling an error");
            }
        }
    }
}

/// The commands Lectern registers, derived from the core's command table:
/// a group (`/quiz`) becomes a command with subcommands.
fn commands() -> Vec<poise::Command<DiscordState, Error>> {
    let mut commands: Vec<poise::Command<DiscordState, Error>> = Vec::new();
    for spec in command::COMMANDS {
        let Some(group) = spec.group() else {
            commands.push(slash_command(spec));
            continue;
        };
        let index = match commands.iter().position(|c| c.name == group) {
            Some(index) => index,
            None => {
                let summary = command::group_named(group).map_or("", |g| g.summary);
                commands.push(poise::Command {
                    name: group.to_string(),
                    qualified_name: group.to_string(),
                    identifying_name: group.to_string(),
                    source_code_name: group.to_string(),
                    description: Some(summary.to_string()),
                    slash_action: Some(slash_action),
                    subcommand_required: true,
                    ..Default::default()
                });
                commands.len() - 1
            }
        };
        commands[index].subcommands.push(slash_command(spec));
    }
    commands
}

/// The permissions Lectern needs in a channel: View Channel, Send
/// Messages, Embed Links, and Add Reactions with Read Message History (to
/// mark typed quiz answers as received). Buttons and slash commands need
/// nothing more.
pub const INVITE_PERMISSIONS: u64 = 1024 | 2048 | 16384 | 64 | 65536;

/// The URL that invites the bot to a server with just the scopes and
/// permissions it needs.
pub fn invite_url(application_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope=bot%20applications.commands&permissions={INVITE_PERMISSIONS}"
    )
}

/// Asks Discord for the bot's application id (for the invite URL).
pub async fn application_id(http: &Http) -> Result<u64, Error> {
    Ok(http.get_current_application_info().await?.id.get())
}

/// The HTTP client for a bot token, sending no mentions by default.
pub fn http(token: &str) -> Http {
    serenity::HttpBuilder::new(token)
        .default_allowed_mentions(CreateAllowedMentions::new())
        .build()
}

/// An HTTP client that sends every request to `base_url` instead of
/// discord.com (tests, or an HTTP proxy shared by several processes). The
/// rate limiter is off, as serenity only honours the proxy without it.
pub fn http_via(token: &str, base_url: &str) -> Http {
    serenity::HttpBuilder::new(token)
        .proxy(base_url)
        .ratelimiter_disabled(true)
        .default_allowed_mentions(CreateAllowedMentions::new())
        .build()
}

/// The gateway intents Lectern needs: guilds and guild messages; message
/// content only for typed-mode quizzes.
pub fn intents(read_messages: bool) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES;
    if read_messages {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// Lectern on Discord, for the [`App`](crate::app::App) to run.
pub struct Discord {
    outbox: Arc<DiscordOutbox>,
    http: Http,
    settings: DiscordSettings,
}

impl Discord {
    /// `http` from [`http`] (discord.com) or [`http_via`] (a proxy, tests).
    pub fn new(http: Http, settings: DiscordSettings) -> Self {
        Self {
            outbox: DiscordOutbox::new(),
            http,
            settings,
        }
    }

    /// Asks Discord who the token belongs to before serving, so a wrong
    /// token or an unreachable Discord stops start-up at once, with
    /// Discord's own answer, instead of ending the gateway later.
    pub async fn connect(http: Http, settings: DiscordSettings) -> Result<Self, Error> {
        if let Err(error) = http.get_current_user().await {
            let refused = matches!(
                &error,
                serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(response))
                    if response.status_code.as_u16() == 401
            );
            return Err(if refused {
                format!(
                    "Discord refused the bot token ({error}); check DISCORD_TOKEN or [discord] token_file"
                )
                .into()
            } else {
                format!("could not reach Discord: {error}").into()
            });
        }
        Ok(Self::new(http, settings))
    }
}

#[async_trait]
impl crate::platforms::Adapter for Discord {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        self.outbox.clone()
    }

    async fn run(self: Box<Self>, bot: Bot, shutdown: watch::Receiver<bool>) -> anyhow::Result<()> {
        run(bot, self.outbox, self.http, self.settings, shutdown)
            .await
            .map_err(|error| anyhow::anyhow!(error).context("Discord stopped"))
    }
}

/// Connects to Discord with `http` and serves `bot` until `shutdown` turns
/// true, then disconnects.
async fn run(
    bot: Bot,
    outbox: Arc<DiscordOutbox>,
    http: Http,
    settings: DiscordSettings,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), Error> {
    let state_settings = settings.clone();
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands(),
            on_error: |error| Box::pin(on_error(error)),
            event_handler: |ctx, event, _framework, state| Box::pin(on_event(ctx, event, state)),
            allowed_mentions: Some(CreateAllowedMentions::new()),
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
                match state_settings.dev_guild {
                    Some(guild) => {
                        poise::builtins::register_in_guild(ctx, &framework.options().commands, serenity::GuildId::new(guild)).await?
                    }
                    None => poise::builtins::register_globally(ctx, &framework.options().commands).await?,
                }
                let _ = outbox.clock.set(bot.clock());
                let _ = outbox.http.set(ctx.http.clone());
                Ok(DiscordState { bot, settings: state_settings })
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, intents(settings.read_messages))
        .framework(framework)
        .await?;
    let shards = client.shard_manager.clone();
    let stopper = tokio::spawn(async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
        shards.shutdown_all().await;
    });
    let result = match (settings.shard_range.clone(), settings.shards) {
        (Some((range, total)), _) => {
            client
                .start_shard_range(serenity_shard_range(&range), total)
                .await
        }
        (None, Some(count)) => client.start_shards(count).await,
        (None, None) => client.start_autosharded().await,
    };
    stopper.abort();
    result.map_err(Into::into)
}

/// Our shard range (end exclusive) as serenity's `start_shard_range` takes
/// it: the range's end is the last shard it runs (`4..7` runs shards 4, 5,
/// 6 and 7). Passed as is, a process would also run the shard after its
/// last: the next process's first shard (two processes would then serve
/// that shard's guilds), or for the last process one past the total,
/// which Discord refuses (close code 4010) and serenity retries forever.
fn serenity_shard_range(range: &std::ops::Range<u32>) -> std::ops::Range<u32> {
    range.start..range.end.saturating_sub(1).max(range.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::reply::{Choice, Quote};

    #[test]
    fn a_shard_range_reaches_serenity_with_its_last_shard_as_the_end() {
        // "0-1" and "2-3" of 4: the config's ranges end after the last shard.
        assert_eq!(serenity_shard_range(&(0..2)), 0..1);
        assert_eq!(serenity_shard_range(&(2..4)), 2..3);
        assert_eq!(serenity_shard_range(&(5..6)), 5..5);
    }

    #[test]
    fn a_question_renders_as_an_embed_with_a_button_per_choice() {
        let mut message =
            Message::titled("Question 1 of 3", "Who?").with_footer("20 seconds to answer A, B");
        message.choices = vec![
            Choice {
                label: "A".into(),
                text: "Trotsky".into(),
                key: "quiz:1:1:0".into(),
            },
            Choice {
                label: "B".into(),
                text: "Lenin".into(),
                key: "quiz:1:1:1".into(),
            },
        ];
        message.quotes.push(Quote {
            text: "He **did**.".into(),
            location: "sentence 2 of 9".into(),
        });
        let embed = serde_json::to_value(embed(&message)).unwrap();
        assert_eq!(embed["title"], "Question 1 of 3");
        let description = embed["description"].as_str().unwrap();
        assert!(
            description.contains("> He **did**.\n> — *sentence 2 of 9*"),
            "{description}"
        );
        assert!(
            description.ends_with("**A)** Trotsky\n**B)** Lenin"),
            "{description}"
        );
        let rows = serde_json::to_value(buttons(&message)).unwrap();
        assert_eq!(rows[0]["components"][1]["custom_id"], "quiz:1:1:1");
        assert_eq!(rows[0]["components"][1]["label"], "B");
    }

    #[test]
    fn slash_commands_are_derived_from_the_core_table() {
        let commands = commands();
        let mut registered = Vec::new();
        for command in &commands {
            assert!(
                command.create_as_slash_command().is_some(),
                "{}",
                command.name
            );
            if command.subcommands.is_empty() {
                registered.push(command.qualified_name.clone());
            }
            for sub in &command.subcommands {
                registered.push(sub.qualified_name.clone());
            }
        }
        let table: Vec<String> = crate::bot::command::COMMANDS
            .iter()
            .map(|spec| spec.name.to_string())
            .collect();
        assert_eq!(registered, table);
        let ask = commands.iter().find(|c| c.name == "ask").unwrap();
        assert_eq!(
            ask.cooldown_config.read().unwrap().user,
            Some(std::time::Duration::from_secs(3))
        );
    }

    #[test]
    fn long_text_is_cut_to_discord_limits() {
        let message = Message::text("x".repeat(5000));
        let embed = serde_json::to_value(embed(&message)).unwrap();
        assert_eq!(
            embed["description"].as_str().unwrap().chars().count(),
            DESCRIPTION_LIMIT
        );
    }

    #[test]
    fn the_invite_url_asks_for_the_bot_and_commands_scopes_and_minimal_permissions() {
        let url = invite_url(1234);
        assert_eq!(
            url,
            "https://discord.com/oauth2/authorize?client_id=1234&scope=bot%20applications.commands&permissions=85056"
        );
        let permissions = serenity::Permissions::from_bits_truncate(INVITE_PERMISSIONS);
        assert!(
            permissions.view_channel() && permissions.send_messages() && permissions.embed_links()
        );
        assert!(permissions.add_reactions() && permissions.read_message_history());
        assert!(!permissions.manage_messages() && !permissions.mention_everyone());
    }

    #[test]
    fn intents_ask_for_message_content_only_for_typed_quizzes() {
        assert!(!intents(false).contains(GatewayIntents::MESSAGE_CONTENT));
        assert!(intents(true).contains(GatewayIntents::MESSAGE_CONTENT));
    }
}
