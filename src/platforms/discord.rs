//! The Discord platform (serenity + poise): slash commands, buttons and
//! embeds over the platform-neutral bot.
//!
//! Commands turn into [`Command`]s (or quiz answers) and the bot's
//! [`Message`]s are rendered as embeds with A–D buttons; the
//! [`DiscordOutbox`] posts what the bot sends on its own (quiz rounds,
//! reveals, daily posts). Every message is sent with no mentions allowed.
//! No business rule lives here.

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, ChannelId, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponse, CreateInteractionResponseMessage, CreateMessage,
    EditMessage, GatewayIntents, Http, MessageId,
};
use tokio::sync::watch;

use crate::bot::{
    AnswerOutcome, Bot, Command, DailyCommand, DailyScheduler, DateQuery, Given, Message, Origin,
    Outbox, Period, PostedMessage, QuizMode, QuizOptions, SendError, Visibility, quiz::QuizSource,
};
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
    http: OnceLock<Arc<Http>>,
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
    async fn post(
        &self,
        channel: &ChannelRef,
        message: &Message,
    ) -> Result<PostedMessage, SendError> {
        let http = self.http()?;
        let builder = CreateMessage::new()
            .embed(embed(message))
            .components(buttons(message))
            .allowed_mentions(CreateAllowedMentions::new());
        let sent = channel_id(channel)?
            .send_message(http, builder)
            .await
            .map_err(send_error)?;
        Ok(PostedMessage(sent.id.get().to_string()))
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
    embed
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
    poise::CreateReply::default()
        .embed(embed(message))
        .components(buttons(message))
        .ephemeral(message.visibility == Visibility::Ephemeral)
        .allowed_mentions(CreateAllowedMentions::new())
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

/// Runs a bot command and sends its replies to the interaction.
async fn respond(ctx: Context<'_>, command: Command) -> Result<(), Error> {
    let origin = origin(ctx).await;
    let replies = ctx.data().bot.handle(&origin, command).await;
    send_replies(ctx, &replies).await
}

async fn send_replies(ctx: Context<'_>, replies: &[Message]) -> Result<(), Error> {
    if replies.is_empty() {
        ctx.send(reply(&Message::text("Done.").ephemeral())).await?;
    }
    for message in replies {
        ctx.send(reply(message)).await?;
    }
    Ok(())
}

/// Answers a question from the study document, quoting the passage.
#[poise::command(slash_command, user_cooldown = 3)]
async fn ask(
    ctx: Context<'_>,
    #[description = "Your question"] question: String,
) -> Result<(), Error> {
    respond(ctx, Command::Ask(question)).await
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum ModeChoice {
    #[name = "multiple choice"]
    Choice,
    #[name = "typed"]
    Typed,
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum SourceChoice {
    #[name = "mixed"]
    Mixed,
    #[name = "bank"]
    Bank,
    #[name = "generated"]
    Generated,
}

/// Quizzes for everyone in this channel.
#[poise::command(
    slash_command,
    subcommands(
        "quiz_start",
        "quiz_stop",
        "quiz_review",
        "quiz_flag",
        "quiz_flags",
        "quiz_retire"
    )
)]
async fn quiz(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Starts a quiz in this channel: everyone can answer.
#[poise::command(slash_command, rename = "start")]
async fn quiz_start(
    ctx: Context<'_>,
    #[description = "Rounds (default 10)"]
    #[min = 1]
    #[max = 50]
    rounds: Option<u32>,
    #[description = "Seconds per round (default 20)"]
    #[min = 5]
    #[max = 300]
    seconds: Option<u32>,
    #[description = "Multiple choice (buttons) or typed answers"] mode: Option<ModeChoice>,
    #[description = "Questions from the banks, generated from the document, or both"]
    source: Option<SourceChoice>,
    #[description = "Seed: the same seed gives every class the same quiz"]
    #[min = 0]
    seed: Option<u64>,
) -> Result<(), Error> {
    let defaults = QuizOptions::default();
    let options = QuizOptions {
        rounds: rounds.unwrap_or(defaults.rounds),
        seconds: seconds.unwrap_or(defaults.seconds),
        mode: match mode {
            Some(ModeChoice::Typed) => QuizMode::Typed,
            _ => QuizMode::MultipleChoice,
        },
        source: match source {
            Some(SourceChoice::Bank) => QuizSource::Bank,
            Some(SourceChoice::Generated) => QuizSource::Generated,
            _ => QuizSource::Mixed,
        },
        seed,
    };
    if let Err(error) = options.validate() {
        return send_replies(ctx, &[Message::text(error.to_string()).ephemeral()]).await;
    }
    // Posting the first question may take a moment: acknowledge now.
    ctx.defer_ephemeral().await?;
    let origin = origin(ctx).await;
    let replies = ctx
        .data()
        .bot
        .handle(&origin, Command::QuizStart(options))
        .await;
    if replies.is_empty() {
        let text = format!(
            "Quiz started: {} rounds of {} seconds.",
            options.rounds, options.seconds
        );
        return send_replies(ctx, &[Message::text(text).ephemeral()]).await;
    }
    send_replies(ctx, &replies).await
}

/// Stops the quiz in this channel (its starter or an admin).
#[poise::command(slash_command, rename = "stop")]
async fn quiz_stop(ctx: Context<'_>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let origin = origin(ctx).await;
    let replies = ctx.data().bot.handle(&origin, Command::QuizStop).await;
    if replies.is_empty() {
        return send_replies(ctx, &[Message::text("Quiz stopped.").ephemeral()]).await;
    }
    send_replies(ctx, &replies).await
}

/// The questions you missed in the last quiz here, with the passages to reread (only you see it).
#[poise::command(slash_command, rename = "review")]
async fn quiz_review(ctx: Context<'_>) -> Result<(), Error> {
    respond(ctx, Command::QuizReview).await
}

/// Report a quiz question as wrong (its id is shown under each answer).
#[poise::command(slash_command, rename = "flag")]
async fn quiz_flag(
    ctx: Context<'_>,
    #[description = "The question's id, shown under its answer"] id: String,
    #[description = "What is wrong with it"] reason: Option<String>,
) -> Result<(), Error> {
    respond(
        ctx,
        Command::QuizFlag {
            id,
            reason: reason.unwrap_or_default(),
        },
    )
    .await
}

/// The questions players flagged here (admins and teachers).
#[poise::command(slash_command, rename = "flags")]
async fn quiz_flags(ctx: Context<'_>) -> Result<(), Error> {
    respond(ctx, Command::QuizFlags).await
}

/// Take a question out of this server's quizzes, or put it back (admins and teachers).
#[poise::command(slash_command, rename = "retire")]
async fn quiz_retire(
    ctx: Context<'_>,
    #[description = "The question's id"] id: String,
    #[description = "Put it back instead"] restore: Option<bool>,
) -> Result<(), Error> {
    respond(
        ctx,
        Command::QuizRetire {
            id,
            retire: !restore.unwrap_or(false),
        },
    )
    .await
}

/// Shows rank, points, accuracy and best streak in this server.
#[poise::command(slash_command)]
async fn score(
    ctx: Context<'_>,
    #[description = "Whose score (default: yours)"] user: Option<serenity::User>,
) -> Result<(), Error> {
    respond(ctx, Command::Score(user.map(|u| u.id.get().to_string()))).await
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
enum PeriodChoice {
    #[name = "all time"]
    All,
    #[name = "this week"]
    Week,
    #[name = "this month"]
    Month,
}

/// The top 10 of this server.
#[poise::command(slash_command)]
async fn leaderboard(
    ctx: Context<'_>,
    #[description = "Period"] period: Option<PeriodChoice>,
) -> Result<(), Error> {
    let period = match period {
        Some(PeriodChoice::Week) => Period::Week,
        Some(PeriodChoice::Month) => Period::Month,
        _ => Period::All,
    };
    respond(ctx, Command::Leaderboard(period)).await
}

/// A dated event from the study pack for a day (default today).
#[poise::command(slash_command)]
async fn onthisday(
    ctx: Context<'_>,
    #[description = "YYYY-MM-DD or MM-DD"] date: Option<String>,
) -> Result<(), Error> {
    match date.as_deref().map(DateQuery::parse).transpose() {
        Ok(date) => respond(ctx, Command::OnThisDay(date)).await,
        Err(error) => send_replies(ctx, &[Message::text(error.to_string()).ephemeral()]).await,
    }
}

/// The daily "on this day" post in this channel.
#[poise::command(slash_command, subcommands("daily_set", "daily_off", "daily_status"))]
async fn daily(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Posts an "on this day" fact here every day at a local time (admins).
#[poise::command(slash_command, rename = "set")]
async fn daily_set(
    ctx: Context<'_>,
    #[description = "Local time, HH:MM (24-hour)"] time: String,
    #[description = "IANA time zone, e.g. Europe/Berlin (default: the server's)"] zone: Option<
        String,
    >,
) -> Result<(), Error> {
    use crate::study::daily::{parse_time_of_day, parse_time_zone};
    let parsed = parse_time_of_day(&time).and_then(|time| {
        let zone = zone.as_deref().map(parse_time_zone).transpose()?;
        Ok(DailyCommand::Set { time, zone })
    });
    match parsed {
        Ok(command) => respond(ctx, Command::Daily(command)).await,
        Err(error) => send_replies(ctx, &[Message::text(error).ephemeral()]).await,
    }
}

/// Stops the daily post here (admins).
#[poise::command(slash_command, rename = "off")]
async fn daily_off(ctx: Context<'_>) -> Result<(), Error> {
    respond(ctx, Command::Daily(DailyCommand::Off)).await
}

/// When the next daily post comes (local time and UTC).
#[poise::command(slash_command, rename = "status")]
async fn daily_status(ctx: Context<'_>) -> Result<(), Error> {
    respond(ctx, Command::Daily(DailyCommand::Status)).await
}

/// Question banks for this server.
#[poise::command(slash_command, subcommands("bank_import"))]
async fn bank(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Imports a question bank file (GIFT, Aiken, CSV/TSV, Red YAML, OpenTDB JSON) (admins).
#[poise::command(slash_command, rename = "import")]
async fn bank_import(
    ctx: Context<'_>,
    #[description = "The bank file"] file: serenity::Attachment,
) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    let origin = origin(ctx).await;
    let message = if u64::from(file.size) > crate::content::import::MAX_BYTES {
        Message::text("That file is over 10 MB; split it into smaller banks.").ephemeral()
    } else {
        match file.download().await {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    ctx.data()
                        .bot
                        .import_bank(&origin, &file.filename, &text)
                        .await
                }
                Err(_) => Message::text(
                    "That file is not UTF-8 text; save it as UTF-8 and send it again.",
                )
                .ephemeral(),
            },
            Err(error) => {
                tracing::warn!(error = %error, "could not download an attachment");
                Message::text("Sorry, I could not download that file. Please try again.")
                    .ephemeral()
            }
        }
    };
    send_replies(ctx, &[message]).await
}

/// What Lectern can do.
#[poise::command(slash_command)]
async fn help(ctx: Context<'_>) -> Result<(), Error> {
    respond(ctx, Command::Help).await
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
            // answer gets a 👍 (received, not judged) so players see it counted.
            if let Some(AnswerOutcome::Accepted { .. }) = state
                .bot
                .answer_quiz(&origin, Given::Text(new_message.content.clone()))
                .await
            {
                new_message
                    .react(&ctx.http, serenity::ReactionType::Unicode("👍".into()))
                    .await?;
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
    let given = Given::from_choice_key(&component.data.custom_id);
    let text = match given {
        None => "That button is not mine.".to_string(),
        Some(given) => {
            let origin = Origin {
                user: user_ref(&component.user, component.member.as_ref()),
                channel: channel_ref(component.guild_id, component.channel_id, &component.user),
                is_admin: false,
            };
            let label = match &given {
                Given::Choice { index, .. } => crate::bot::reply::choice_label(*index),
                Given::Text(text) => text.clone(),
            };
            match state.bot.answer_quiz(&origin, given).await {
                Some(AnswerOutcome::Accepted { .. }) => format!("You chose {label}."),
                Some(AnswerOutcome::AlreadyAnswered) => {
                    "You already answered this round; your first answer counts.".into()
                }
                Some(AnswerOutcome::Stale) | Some(AnswerOutcome::NotAnAnswer) => {
                    "That question is over; answer the current one.".into()
                }
                None => "No quiz is running here any more.".into(),
            }
        }
    };
    let response = CreateInteractionResponseMessage::new()
        .content(text)
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

/// The commands Lectern registers.
fn commands() -> Vec<poise::Command<DiscordState, Error>> {
    vec![
        ask(),
        quiz(),
        score(),
        leaderboard(),
        onthisday(),
        daily(),
        bank(),
        help(),
    ]
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

/// Connects to Discord with `http` and serves `bot` until `shutdown` turns
/// true, then stops quizzes (scores kept) and disconnects.
pub async fn run(
    bot: Bot,
    outbox: Arc<DiscordOutbox>,
    http: Http,
    settings: DiscordSettings,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), Error> {
    let state_bot = bot.clone();
    let state_settings = settings.clone();
    let scheduler_shutdown = shutdown.clone();
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
                let _ = outbox.http.set(ctx.http.clone());
                if let Err(error) = state_bot.recover_interrupted_quizzes().await {
                    tracing::error!(error = ?error, "could not close interrupted quizzes");
                }
                tokio::spawn(DailyScheduler::new(state_bot.clone()).run(scheduler_shutdown));
                Ok(DiscordState { bot: state_bot, settings: state_settings })
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
    let result = match settings.shards {
        Some(count) => client.start_shards(count).await,
        None => client.start_autosharded().await,
    };
    stopper.abort();
    bot.shutdown("the bot is shutting down").await;
    result.map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::reply::{Choice, Quote};

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
