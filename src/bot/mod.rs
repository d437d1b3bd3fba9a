//! The platform-neutral bot: turns a user's [`Command`] into reply
//! [`Message`]s, runs quiz sessions, and speaks to the outside world only
//! through the [`Outbox`] trait. No platform types and no SQL live here.

pub mod command;
pub mod daily;
pub mod outbox;
pub mod quiz;
pub mod reminder;
pub mod render;
pub mod reply;
mod report;
pub mod review;
mod season;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveTime, TimeZone, Weekday};
use tokio::sync::{Mutex, oneshot};

use crate::clock::Clock;
use crate::content::Pack;
use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use crate::store::{InterruptedQuiz, Store, StoreError};
use crate::study::answer::{Answer, Answerer};
use crate::study::scoring::ScoringRules;

pub use command::{Command, CommandError, DailyCommand, DateQuery, Period, parse_command};
pub use daily::{DailyScheduler, TickReport};
pub use outbox::{Outbox, PostedMessage, SendError};
pub use quiz::{AnswerOutcome, Given, QuizMode, QuizOptions};
pub use reply::{Action, Attachment, Message, Quote, Visibility, escape};

/// What an answer's outcome looks like to the player, decided and worded
/// once for every platform: a typed answer that was taken gets a 👍, a
/// picked choice a private "You chose B."; a second answer, a stale button
/// or a quiz that is over get a private note. Text that is no answer gets
/// nothing (it was chat).
fn answer_actions(outcome: Option<AnswerOutcome>, picked: bool) -> Vec<Action> {
    let note = |text: &str| vec![Action::Note(text.to_string())];
    match outcome {
        Some(AnswerOutcome::Accepted { choice }) if picked => note(&format!(
            "You chose {}.",
            choice.as_deref().unwrap_or("that")
        )),
        Some(AnswerOutcome::Accepted { .. }) => vec![Action::React("👍")],
        Some(AnswerOutcome::AlreadyAnswered) => {
            note("You already answered this round; your first answer counts.")
        }
        Some(AnswerOutcome::Stale | AnswerOutcome::NotAnAnswer) if picked => {
            note("That question is over; answer the current one.")
        }
        None if picked => note("No quiz is running here any more."),
        Some(AnswerOutcome::Stale | AnswerOutcome::NotAnAnswer) | None => Vec::new(),
    }
}

/// Who sent a command, and from where.
#[derive(Debug, Clone)]
pub struct Origin {
    pub user: UserRef,
    pub channel: ChannelRef,
    /// Whether the user may run admin commands here (stop anyone's quiz...).
    pub is_admin: bool,
}

impl Origin {
    pub fn scope(&self) -> &ScopeRef {
        &self.channel.scope
    }
}

/// Errors while handling a command. `User` is shown as is; the others are
/// logged with their chain and shown as a short apology.
#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error("storage failed")]
    Store(#[from] StoreError),
}

impl BotError {
    /// What the user sees.
    pub fn to_message(&self) -> Message {
        match self {
            BotError::User(text) => Message::text(text.clone()).ephemeral(),
            BotError::Command(error) => Message::text(error.to_string()).ephemeral(),
            BotError::Store(_) => Message::text(
                "Sorry, something went wrong on my side. Please try again in a moment.",
            )
            .ephemeral(),
        }
    }
}

/// Behaviour switches of the bot core.
#[derive(Debug, Clone)]
pub struct BotSettings {
    /// The command character on Matrix (`!` by default). Discord and the
    /// terminal use `/`.
    pub matrix_prefix: char,
    pub scoring: ScoringRules,
    /// Pause after a reveal before the next question.
    pub pause_between_rounds: Duration,
    /// Fixed seed for question order and choice shuffling (tests).
    pub seed: Option<u64>,
    /// Passages shown by `/ask` at most.
    pub ask_passages: usize,
    /// This process's name, recorded with each quiz it runs so a restart
    /// closes only its own (processes sharing one database need distinct
    /// names).
    pub instance: String,
}

impl Default for BotSettings {
    fn default() -> Self {
        Self {
            matrix_prefix: '!',
            scoring: ScoringRules::default(),
            pause_between_rounds: Duration::from_secs(3),
            seed: None,
            ask_passages: 3,
            instance: "main".into(),
        }
    }
}

pub(crate) struct Shared {
    pub(crate) pack: Arc<Pack>,
    pub(crate) answerer: Answerer,
    /// The pack's dated events plus dated sentences of its document.
    pub(crate) events: Vec<crate::content::DatedEvent>,
    pub(crate) store: Store,
    pub(crate) outbox: Arc<dyn Outbox>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: BotSettings,
    pub(crate) quizzes: Mutex<HashMap<ChannelRef, quiz::RunningQuiz>>,
    /// Question generation's document-wide work, built on first use.
    pub(crate) generator: tokio::sync::OnceCell<Arc<crate::study::quizgen::Generator>>,
    /// Each player's missed questions from the last quiz in a channel.
    pub(crate) reviews: Mutex<HashMap<(ChannelRef, String), Vec<quiz::Missed>>>,
    /// Each player's open `/review` session.
    pub(crate) review_sessions: Mutex<review::Sessions>,
    pub(crate) review_scheduler: review::Scheduler,
}

/// The bot; cheap to clone, shared by every platform task.
#[derive(Clone)]
pub struct Bot {
    pub(crate) inner: Arc<Shared>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("pack", &self.inner.pack.manifest.id)
            .finish_non_exhaustive()
    }
}

impl Bot {
    pub fn new(
        pack: Arc<Pack>,
        store: Store,
        outbox: Arc<dyn Outbox>,
        clock: Arc<dyn Clock>,
        settings: BotSettings,
    ) -> Self {
        let answerer = Answerer::new(&pack.document, &pack.synonyms);
        let events = crate::study::onthisday::all_events(&pack);
        Self {
            inner: Arc::new(Shared {
                pack,
                answerer,
                events,
                store,
                outbox,
                clock,
                settings,
                quizzes: Mutex::new(HashMap::new()),
                generator: tokio::sync::OnceCell::new(),
                reviews: Mutex::new(HashMap::new()),
                review_sessions: Mutex::new(HashMap::new()),
                review_scheduler: review::Scheduler::default(),
            }),
        }
    }

    /// The clock everything here waits on (platforms wait out rate limits
    /// on it too).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    pub fn pack(&self) -> &Pack {
        &self.inner.pack
    }

    pub fn answerer(&self) -> &Answerer {
        &self.inner.answerer
    }

    pub fn settings(&self) -> &BotSettings {
        &self.inner.settings
    }

    /// Closes the quiz sessions this process (its `instance`) left open on
    /// `platforms` and returns them; [`Bot::tell_interrupted`] tells their
    /// channels once the platform is connected. Call once at start-up.
    pub async fn recover_interrupted_quizzes(
        &self,
        platforms: &[Platform],
    ) -> Result<Vec<InterruptedQuiz>, StoreError> {
        self.inner
            .store
            .close_interrupted_quizzes(
                &self.inner.settings.instance,
                platforms,
                self.inner.clock.now(),
            )
            .await
    }

    /// Tells a channel that its quiz was interrupted by a restart.
    pub async fn tell_interrupted(&self, quiz: &InterruptedQuiz) {
        let text = format!(
            "The quiz that was running here was interrupted when I restarted. Points from the {} revealed round{} are kept; start a new one with {}quiz.",
            quiz.rounds_revealed,
            if quiz.rounds_revealed == 1 { "" } else { "s" },
            self.prefix(quiz.channel.scope.platform)
        );
        if let Err(error) = self
            .inner
            .outbox
            .post(&quiz.channel, &Message::text(text))
            .await
        {
            tracing::warn!(error = %error, "could not tell a channel its quiz was interrupted");
        }
    }

    /// Handles one command and returns the replies to show the sender.
    /// Errors become short messages (internal ones are logged).
    pub async fn handle(&self, origin: &Origin, command: Command) -> Vec<Message> {
        match self.try_handle(origin, command).await {
            Ok(messages) => messages,
            Err(error) => {
                if !matches!(error, BotError::User(_) | BotError::Command(_)) {
                    tracing::error!(error = ?error, "command failed");
                }
                vec![error.to_message()]
            }
        }
    }

    async fn try_handle(
        &self,
        origin: &Origin,
        command: Command,
    ) -> Result<Vec<Message>, BotError> {
        match command {
            Command::Ask(question) => Ok(vec![self.ask_off_runtime(question).await]),
            Command::QuizStart(options) => {
                let solo = origin.channel.scope.platform == crate::identity::Platform::Console;
                quiz::start(
                    self,
                    origin.channel.clone(),
                    origin.user.clone(),
                    options,
                    solo,
                )
                .await
            }
            Command::QuizStop => self.stop_quiz(origin).await,
            Command::Hint => self.quiz_hint(origin).await,
            Command::Skip => self.quiz_skip(origin).await,
            Command::QuizReview => Ok(self.quiz_review(origin).await),
            Command::Review => self.review_start(origin).await,
            Command::ReviewStatus => self.review_status(origin).await,
            Command::ReviewRemind { on, time } => self.review_remind(origin, on, time).await,
            Command::QuizFlag { id, reason } => self.quiz_flag(origin, &id, &reason).await,
            Command::QuizFlags => self.quiz_flags(origin).await,
            Command::QuizRetire { id, retire } => self.quiz_retire(origin, &id, retire).await,
            Command::Score(name) => self.score(origin, name.as_deref()).await,
            Command::Leaderboard(period) => self.leaderboard(origin.scope(), period).await,
            Command::SeasonNew => self.season_new(origin).await,
            Command::SeasonStatus => self.season_status(origin).await,
            Command::Report => self.report(origin).await,
            Command::OnThisDay(date) => Ok(vec![self.on_this_day(date)]),
            Command::Daily(command) => self.daily_command(origin, command).await,
            Command::BankImport { file_name, text } => {
                Ok(vec![self.import_bank(origin, &file_name, &text).await])
            }
            Command::Help => Ok(vec![self.help(origin.channel.scope.platform)]),
        }
    }

    /// Handles a command as [`Action`]s: its replies, or an acknowledgement
    /// when its effect shows elsewhere.
    pub async fn on_command(&self, origin: &Origin, command: Command) -> Vec<Action> {
        let acknowledgement = command.acknowledgement();
        let replies = self.handle(origin, command).await;
        if replies.is_empty() {
            return vec![Action::Ack(acknowledgement)];
        }
        replies.into_iter().map(Action::Reply).collect()
    }

    /// Handles a line of text from a text platform: a command, an answer to a
    /// running quiz, or (when `questions_by_default`) a question to answer.
    pub async fn on_text(
        &self,
        origin: &Origin,
        line: &str,
        questions_by_default: bool,
    ) -> Vec<Action> {
        let line = line.trim();
        if line.is_empty() {
            return Vec::new();
        }
        match parse_command(line, self.prefix(origin.channel.scope.platform)) {
            Ok(Some(command)) => return self.on_command(origin, command).await,
            Ok(None) => {}
            Err(error) => return vec![Action::Reply(BotError::from(error).to_message())],
        }
        let mut actions = self.on_answer_text(origin, line).await;
        if actions.is_empty()
            && !self.quiz_running(&origin.channel).await
            && let Some(review) = self
                .review_answer(origin, review::ReviewGiven::Text(line))
                .await
        {
            actions = review;
        }
        if actions.is_empty() && questions_by_default {
            return vec![Action::Reply(self.ask_off_runtime(line.to_string()).await)];
        }
        actions
    }

    /// Text that may answer the running quiz (Discord's typed answers read
    /// from channel messages). Nothing when it is no answer: it was chat.
    pub async fn on_answer_text(&self, origin: &Origin, text: &str) -> Vec<Action> {
        let outcome = self
            .answer_quiz(origin, Given::Text(text.trim().to_string()))
            .await;
        answer_actions(outcome, false)
    }

    /// A picked choice (a Discord button, a Matrix reaction), by its key
    /// `quiz:<session>:<round>:<index>`.
    pub async fn on_choice(&self, origin: &Origin, key: &str) -> Vec<Action> {
        if review::is_review_key(key) {
            return self
                .review_answer(origin, review::ReviewGiven::Key(key))
                .await
                .unwrap_or_else(|| {
                    vec![Action::Note(
                        "That review is over; start another with /review.".into(),
                    )]
                });
        }
        let Some(given) = Given::from_choice_key(key) else {
            return vec![Action::Note("That button is not mine.".into())];
        };
        let outcome = self.answer_quiz(origin, given).await;
        answer_actions(outcome, true)
    }

    /// Passes an answer to the quiz running in the origin's channel.
    /// `None` when no quiz is running there.
    pub async fn answer_quiz(&self, origin: &Origin, given: Given) -> Option<AnswerOutcome> {
        let sender = {
            let quizzes = self.inner.quizzes.lock().await;
            quizzes.get(&origin.channel)?.inputs.clone()
        };
        let (reply, outcome) = oneshot::channel();
        sender
            .send(quiz::QuizInput::Answer {
                user: origin.user.clone(),
                given,
                reply,
            })
            .await
            .ok()?;
        outcome.await.ok()
    }

    async fn stop_quiz(&self, origin: &Origin) -> Result<Vec<Message>, BotError> {
        let sender = {
            let quizzes = self.inner.quizzes.lock().await;
            let Some(running) = quizzes.get(&origin.channel) else {
                return Err(BotError::User("No quiz is running in this channel.".into()));
            };
            if running.started_by.id != origin.user.id && !origin.is_admin {
                return Err(BotError::User(format!(
                    "Only {} (who started it) or an admin can stop this quiz.",
                    escape(&running.started_by.display_name)
                )));
            }
            running.inputs.clone()
        };
        let (reply, done) = oneshot::channel();
        let by = format!("stopped by {}", origin.user.display_name);
        if sender
            .send(quiz::QuizInput::Stop { by, reply })
            .await
            .is_ok()
        {
            let _ = done.await;
        }
        Ok(Vec::new())
    }

    /// Stops every running quiz (graceful shutdown) and waits for them to
    /// post their final leaderboards.
    pub async fn shutdown(&self, reason: &str) {
        let running: Vec<quiz::RunningQuiz> = {
            let mut quizzes = self.inner.quizzes.lock().await;
            quizzes.drain().map(|(_, quiz)| quiz).collect()
        };
        for quiz in running {
            let (reply, done) = oneshot::channel();
            if quiz
                .inputs
                .send(quiz::QuizInput::Stop {
                    by: reason.to_string(),
                    reply,
                })
                .await
                .is_ok()
            {
                let _ = done.await;
            }
            let _ = quiz.task.await;
            tracing::debug!(session = quiz.session_id, "quiz stopped for shutdown");
        }
    }

    /// Imports a question bank sent in chat (a file's name and text) into
    /// the origin's scope; admins only. Its questions join the scope's
    /// quizzes (source `bank` or `mixed`).
    pub async fn import_bank(&self, origin: &Origin, file_name: &str, text: &str) -> Message {
        use crate::content::import::{self, Format};
        if !origin.is_admin {
            return BotError::User("Only an admin or teacher can import a question bank.".into())
                .to_message();
        }
        let path = std::path::Path::new(file_name);
        let Some(format) = Format::guess(path, text) else {
            return Message::text(format!(
                "I cannot tell what format {} is in. Send a GIFT (.gift), Aiken (.txt), CSV/TSV, Red trivia YAML or Open Trivia DB JSON file.",
                escape(file_name)
            ))
            .ephemeral();
        };
        let tab_separated = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        let questions = match import::parse(format, file_name, text, tab_separated) {
            Ok(questions) if !questions.is_empty() => questions,
            Ok(_) => {
                return Message::text(format!("{} holds no questions.", escape(file_name)))
                    .ephemeral();
            }
            Err(errors) => {
                let shown: Vec<String> = errors
                    .0
                    .iter()
                    .take(10)
                    .map(|e| format!("- {}", escape(&e.to_string())))
                    .collect();
                let more = errors.0.len().saturating_sub(10);
                let mut body = format!(
                    "{} was not imported; fix these and send it again:\n{}",
                    escape(file_name),
                    shown.join("\n")
                );
                if more > 0 {
                    body.push_str(&format!("\n…and {more} more."));
                }
                return Message::text(body).ephemeral();
            }
        };
        let bank = path
            .file_stem()
            .map_or("bank".into(), |s| s.to_string_lossy().to_string());
        match self.inner.store.add_scope_bank(origin.scope(), &bank, &questions, self.inner.clock.now()).await {
            Ok(total) => Message::text(format!(
                "Imported {} questions from {} ({}). This server now has {total} imported questions; they join the next {}quiz.",
                questions.len(),
                escape(file_name),
                format.name(),
                self.prefix(origin.channel.scope.platform)
            ))
            .ephemeral(),
            Err(error) => BotError::from(error).to_message(),
        }
    }

    /// Whether a quiz is running in `channel`.
    pub async fn quiz_running(&self, channel: &ChannelRef) -> bool {
        self.inner.quizzes.lock().await.contains_key(channel)
    }

    /// [`Bot::ask`] on a blocking thread: the sentence encoder is busy
    /// for milliseconds per question, which must not stall the runtime.
    async fn ask_off_runtime(&self, question: String) -> Message {
        let bot = self.clone();
        match tokio::task::spawn_blocking(move || bot.ask(&question)).await {
            Ok(message) => message,
            Err(error) => {
                tracing::error!(error = ?error, "answering a question failed");
                BotError::User("Sorry, answering that failed.".into()).to_message()
            }
        }
    }

    /// Answers a question from the document, as a message.
    pub fn ask(&self, question: &str) -> Message {
        let answer = self
            .inner
            .answerer
            .answer(question, self.inner.settings.ask_passages);
        self.answer_message(&answer)
    }

    /// Renders an [`Answer`] (see [`render::answer_message`]).
    pub fn answer_message(&self, answer: &Answer) -> Message {
        render::answer_message(&self.inner.pack, answer)
    }

    /// A sentence of the document as a quote with its location.
    pub fn sentence_quote(&self, index: usize, bold: &[(usize, usize)]) -> Option<Quote> {
        let pack = &self.inner.pack;
        let sentence = pack.document.sentence(index)?;
        Some(render::passage_quote(pack, index, &sentence.text, bold, ""))
    }

    /// The time zone of a scope (the pack's default until scopes can choose).
    pub fn scope_time_zone(&self, _scope: &ScopeRef) -> chrono_tz::Tz {
        self.inner.pack.time_zone()
    }

    async fn score(&self, origin: &Origin, name: Option<&str>) -> Result<Vec<Message>, BotError> {
        let store = &self.inner.store;
        let user = match name {
            None => origin.user.clone(),
            Some(name) => {
                let name = name.trim_start_matches('@');
                match store.find_player(origin.scope(), name).await? {
                    Some(user) => user,
                    None => {
                        return Err(BotError::User(format!(
                            "{} has no score here yet.",
                            escape(name)
                        )));
                    }
                }
            }
        };
        let message = match store.score(origin.scope(), &user).await? {
            None if name.is_none() => Message::text(format!(
                "You have no score here yet. Start a quiz with {}quiz.",
                self.prefix(origin.channel.scope.platform)
            )),
            None => Message::text(format!(
                "{} has no score here yet.",
                escape(&user.display_name)
            )),
            Some(card) => {
                let accuracy = if card.answered > 0 {
                    100 * card.correct / card.answered
                } else {
                    0
                };
                Message::titled(
                    format!("Score: {}", escape(&card.display_name)),
                    format!(
                        "Rank {} of {} · {} points · {}/{} right ({accuracy}%) · best streak {}",
                        card.rank,
                        card.players,
                        card.points,
                        card.correct,
                        card.answered,
                        card.best_streak
                    ),
                )
            }
        };
        Ok(vec![message])
    }

    async fn leaderboard(
        &self,
        scope: &ScopeRef,
        period: Period,
    ) -> Result<Vec<Message>, BotError> {
        let (since, name) = match period {
            Period::Season | Period::Current => {
                match self.inner.store.current_season(scope).await? {
                    Some(season) => (Some(season.started_at), format!("season {}", season.number)),
                    None if period == Period::Current => (None, Period::All.name().to_string()),
                    None => {
                        return Err(BotError::User(format!(
                            "No season has been started here; an admin starts one with {}season new.",
                            self.prefix(scope.platform)
                        )));
                    }
                }
            }
            other => (self.period_start(scope, other), other.name().to_string()),
        };
        let rows = self.inner.store.leaderboard(scope, since, 10).await?;
        let title = format!("Leaderboard ({name})");
        if rows.is_empty() {
            return Ok(vec![Message::titled(
                title,
                "No points scored yet. Start a quiz and be the first!",
            )]);
        }
        let body = rows
            .iter()
            .enumerate()
            .map(|(rank, row)| {
                format!(
                    "{}. {} — {} points ({}/{} right)",
                    rank + 1,
                    escape(&row.display_name),
                    row.points,
                    row.correct,
                    row.answered
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        Ok(vec![Message::titled(title, body)])
    }

    /// Start of the current week (Monday 00:00) or month in the scope's
    /// time zone, as a UTC instant; `None` for all time.
    pub fn period_start(
        &self,
        scope: &ScopeRef,
        period: Period,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let zone = self.scope_time_zone(scope);
        let today = self.inner.clock.now().with_timezone(&zone).date_naive();
        let start = match period {
            Period::All | Period::Season | Period::Current => return None,
            Period::Week => {
                today - chrono::Days::new(u64::from(today.weekday().days_since(Weekday::Mon)))
            }
            Period::Month => today.with_day(1).unwrap_or(today),
        };
        let midnight = start.and_time(NaiveTime::MIN);
        // Midnight may not exist (a DST jump at 00:00): take the earliest
        // valid instant after it.
        let local = zone.from_local_datetime(&midnight).earliest().or_else(|| {
            zone.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
        })?;
        Some(local.with_timezone(&chrono::Utc))
    }

    /// The "on this day" message for a date (today in the pack's zone when
    /// not given).
    pub fn on_this_day(&self, date: Option<DateQuery>) -> Message {
        let pack = &self.inner.pack;
        let today = self
            .inner
            .clock
            .now()
            .with_timezone(&pack.time_zone())
            .date_naive();
        let date = date.map_or(today, |d| d.resolve(today));
        render::on_this_day_message(pack, &self.inner.events, &self.inner.answerer, date)
    }

    /// The command character of `platform`'s commands, as every hint,
    /// error and help text the bot writes there spells it.
    pub fn prefix(&self, platform: Platform) -> char {
        match platform {
            Platform::Matrix => self.inner.settings.matrix_prefix,
            Platform::Discord | Platform::Console => '/',
        }
    }

    /// The command list, derived from [`command::COMMANDS`] and spelled
    /// for `platform`.
    fn help(&self, platform: Platform) -> Message {
        let prefix = self.prefix(platform);
        let pack = &self.inner.pack.manifest;
        let mut body = String::from(
            "Ask me anything about the document and I quote the passage that answers it.\n",
        );
        for spec in command::commands_on(platform) {
            body.push_str(&command::help_line(spec, platform, prefix));
            body.push('\n');
        }
        body.push_str(&format!(
            "A quiz has {} rounds of {} s unless you say otherwise. During a quiz, answer with the letter (A, B, C...) or, in typed mode, the answer itself.",
            QuizOptions::default().rounds,
            QuizOptions::default().seconds
        ));
        Message::titled(
            format!("Lectern — studying “{}”", escape(&pack.title)),
            body,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answers_outcome_is_worded_once_for_every_platform() {
        let accepted = || {
            Some(AnswerOutcome::Accepted {
                choice: Some("B".into()),
            })
        };
        assert_eq!(answer_actions(accepted(), false), vec![Action::React("👍")]);
        assert_eq!(
            answer_actions(accepted(), true),
            vec![Action::Note("You chose B.".into())]
        );
        for picked in [false, true] {
            assert_eq!(
                answer_actions(Some(AnswerOutcome::AlreadyAnswered), picked),
                vec![Action::Note(
                    "You already answered this round; your first answer counts.".into()
                )]
            );
        }
        assert_eq!(
            answer_actions(Some(AnswerOutcome::Stale), true),
            vec![Action::Note(
                "That question is over; answer the current one.".into()
            )]
        );
        assert_eq!(
            answer_actions(None, true),
            vec![Action::Note("No quiz is running here any more.".into())]
        );
        // Chat that is no answer gets nothing.
        assert!(answer_actions(Some(AnswerOutcome::NotAnAnswer), false).is_empty());
        assert!(answer_actions(None, false).is_empty());
    }
}
