//! Quiz sessions: one tokio task per running quiz, owning its state and
//! receiving answers over a channel. One quiz per channel at a time.
//!
//! Each round posts a question, collects one answer per player (the first
//! counts), closes at the deadline or early when every joined player has
//! answered, commits the round's points in one transaction, and posts a
//! reveal that quotes the sentence that teaches the answer (and the reason
//! the document gives, where it gives one). At the end each player can see
//! the questions they missed with the passages to reread (`/quiz review`,
//! privately; the terminal prints it). A crash loses at most the round in
//! flight.
//!
//! Questions are generated off the async runtime (`spawn_blocking`), from a
//! [`Generator`] built once per pack, so a textbook-sized pack never stalls
//! the bot. A seed makes the whole quiz (questions, order, choices) the same
//! for every class that uses it; retired questions never play.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;

use crate::content::Question;
use crate::content::glossary::Glossary;
use crate::identity::{ChannelRef, UserRef};
use crate::store::{AskedItem, ItemAnswer, RoundAnswer};
use crate::study::matching::{typed_answer_matches, with_other_names};
use crate::study::quizgen::{Generator, MAX_ANSWER_SHARE};
use crate::study::text;

use super::Bot;
use super::command::CommandError;
use super::outbox::PostedMessage;
use super::reply::{Choice, Message, choice_label, escape};

/// How players answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuizMode {
    /// Pick one of the lettered choices.
    #[default]
    MultipleChoice,
    /// Type the answer.
    Typed,
}

/// Where the questions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuizSource {
    /// The pack's question banks (hand-written and imported).
    Bank,
    /// Made from the document's sentences.
    Generated,
    /// Both, shuffled together.
    #[default]
    Mixed,
}

/// What `/quiz` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuizOptions {
    pub rounds: u32,
    pub seconds: u32,
    pub mode: QuizMode,
    pub source: QuizSource,
    /// The same seed gives the same quiz (questions, order and choices).
    pub seed: Option<u64>,
}

impl Default for QuizOptions {
    fn default() -> Self {
        Self {
            rounds: 10,
            seconds: 20,
            mode: QuizMode::default(),
            source: QuizSource::default(),
            seed: None,
        }
    }
}

pub const MAX_ROUNDS: u32 = 50;
pub const SECONDS_RANGE: (u32, u32) = (5, 300);
/// Rounds in a row without any answer after which a quiz ends itself.
pub const IDLE_ROUNDS_LIMIT: u32 = 3;
/// How often the question's countdown is edited, where edits are possible.
const COUNTDOWN_EVERY: Duration = Duration::from_secs(5);

impl QuizOptions {
    pub fn validate(&self) -> Result<(), CommandError> {
        if self.rounds == 0 || self.rounds > MAX_ROUNDS {
            return Err(CommandError::BadArgument(format!(
                "A quiz has 1 to {MAX_ROUNDS} rounds."
            )));
        }
        let (min, max) = SECONDS_RANGE;
        if self.seconds < min || self.seconds > max {
            return Err(CommandError::BadArgument(format!(
                "A round lasts {min} to {max} seconds."
            )));
        }
        Ok(())
    }
}

/// What a player's answer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Counted. `choice` is the picked label in multiple-choice mode.
    Accepted { choice: Option<String> },
    /// The player had already answered this round.
    AlreadyAnswered,
    /// The text is not an answer to this question (chat, or a letter out of range).
    NotAnAnswer,
    /// A button from an earlier round or quiz.
    Stale,
}

/// What a player gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    /// Typed text: a letter, a choice's text, or a typed answer.
    Text(String),
    /// A button press carrying its session and round.
    Choice {
        session_id: i64,
        round: u32,
        index: usize,
    },
}

impl Given {
    /// The key a choice carries on a platform (a Discord button's custom
    /// id, a Matrix question's reaction map): `quiz:<session>:<round>:<index>`.
    pub fn choice_key(session_id: i64, round: u32, index: usize) -> String {
        format!("quiz:{session_id}:{round}:{index}")
    }

    /// Reads a key made by [`Given::choice_key`] back as an answer.
    pub fn from_choice_key(key: &str) -> Option<Self> {
        let mut parts = key.split(':');
        let (Some("quiz"), Some(session), Some(round), Some(index), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        Some(Given::Choice {
            session_id: session.parse().ok()?,
            round: round.parse().ok()?,
            index: index.parse().ok()?,
        })
    }
}

pub(crate) enum QuizInput {
    Answer {
        user: UserRef,
        given: Given,
        reply: oneshot::Sender<AnswerOutcome>,
    },
    Stop {
        by: String,
        reply: oneshot::Sender<()>,
    },
    /// `/hint`: the hint's text, or why there is none.
    Hint {
        user: UserRef,
        reply: oneshot::Sender<Result<String, String>>,
    },
    /// `/skip`: a vote to end the round; the reply says where the vote stands.
    Skip {
        user: UserRef,
        reply: oneshot::Sender<String>,
    },
}

/// The registry's view of a running quiz.
pub(crate) struct RunningQuiz {
    pub(crate) inputs: mpsc::Sender<QuizInput>,
    pub(crate) started_by: UserRef,
    pub(crate) session_id: i64,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// A question as played: choices shuffled.
struct PlayedQuestion {
    question: Question,
    choices: Vec<String>,
    answer_index: Option<usize>,
    /// Typed answers that count: the question's, plus the glossary's other
    /// names for them.
    accepted: Vec<String>,
}

impl PlayedQuestion {
    fn prepare(
        question: Question,
        mode: QuizMode,
        glossary: &Glossary,
        rng: &mut fastrand::Rng,
    ) -> Self {
        let mut accepted = question.answers.clone();
        accepted.push(question.answer().to_string());
        let accepted = with_other_names(&accepted, glossary);
        if mode == QuizMode::Typed || !question.is_multiple_choice() {
            return Self {
                question,
                choices: Vec::new(),
                answer_index: None,
                accepted,
            };
        }
        let answer = question.answer().to_string();
        let mut choices = question.choices.clone();
        rng.shuffle(&mut choices);
        let answer_index = choices.iter().position(|c| *c == answer);
        Self {
            question,
            choices,
            answer_index,
            accepted,
        }
    }

    fn accepted_answers(&self) -> Vec<String> {
        self.accepted.clone()
    }

    /// Reads a typed line as a choice index (multiple choice) or checks it
    /// (typed). Returns None when the text is not an answer at all.
    fn judge_text(&self, text: &str) -> Option<(bool, Option<usize>)> {
        let trimmed = text.trim().trim_end_matches(['.', ')', '!']);
        if self.choices.is_empty() {
            if trimmed.is_empty() {
                return None;
            }
            return Some((
                typed_answer_matches(trimmed, &self.accepted_answers()),
                None,
            ));
        }
        let letter_index = (trimmed.chars().count() == 1)
            .then(|| trimmed.chars().next())
            .flatten()
            .filter(char::is_ascii_alphabetic)
            .map(|c| (c.to_ascii_uppercase() as u8 - b'A') as usize);
        let index = letter_index.or_else(|| {
            let folded = text::fold(trimmed);
            self.choices.iter().position(|c| text::fold(c) == folded)
        })?;
        (index < self.choices.len()).then(|| (Some(index) == self.answer_index, Some(index)))
    }
}

struct PlayerAnswer {
    user: UserRef,
    correct: bool,
    elapsed: Duration,
    choice: Option<usize>,
    /// The choice's text, or what was typed: kept with the item record.
    given: String,
}

/// A question a player missed, for their end-of-quiz review.
#[derive(Debug, Clone)]
pub(crate) struct Missed {
    pub(crate) prompt: String,
    pub(crate) answer: String,
    pub(crate) source_sentence: Option<usize>,
    pub(crate) explanation: Option<String>,
}

fn already_running(bot: &Bot, channel: &ChannelRef) -> super::BotError {
    super::BotError::User(format!(
        "A quiz is already running in this channel. Its starter or an admin can stop it with {}quiz stop.",
        bot.prefix(channel.scope.platform)
    ))
}

/// The pack's question generator, built once, off the async runtime.
pub(crate) async fn generator(bot: &Bot) -> Arc<Generator> {
    let pack = bot.inner.pack.clone();
    bot.inner
        .generator
        .get_or_init(|| async move {
            let fallback = pack.clone();
            match tokio::task::spawn_blocking(move || Generator::new(&pack)).await {
                Ok(generator) => Arc::new(generator),
                // Only a panic inside generation gets here; build it here then.
                Err(_) => Arc::new(Generator::new(&fallback)),
            }
        })
        .await
        .clone()
}

/// Picks `rounds` questions in order, keeping any one answer under
/// [`MAX_ANSWER_SHARE`] of the quiz when the pool allows it.
fn balanced(pool: Vec<Question>, rounds: usize) -> Vec<Question> {
    let cap = ((rounds as f64 * MAX_ANSWER_SHARE).floor() as usize).max(1);
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    for question in pool {
        if chosen.len() == rounds {
            break;
        }
        let count = counts.entry(question.answer().to_lowercase()).or_default();
        if *count < cap {
            *count += 1;
            chosen.push(question);
        } else {
            skipped.push(question);
        }
    }
    let missing = rounds.saturating_sub(chosen.len());
    chosen.extend(skipped.into_iter().take(missing));
    chosen
}

/// Starts a quiz task for `channel`. Returns once the first question is
/// posted (or the start failed), so later input sees the quiz running.
pub(crate) async fn start(
    bot: &Bot,
    channel: ChannelRef,
    starter: UserRef,
    options: QuizOptions,
    solo: bool,
) -> Result<Vec<Message>, super::BotError> {
    if bot.inner.quizzes.lock().await.contains_key(&channel) {
        return Err(already_running(bot, &channel));
    }
    let seed = options
        .seed
        .or(bot.inner.settings.seed)
        .unwrap_or_else(|| bot.inner.clock.now().timestamp_millis() as u64);
    let mut rng = fastrand::Rng::with_seed(seed);
    let generation_seed = rng.u64(..);
    let rounds = options.rounds as usize;
    let store = &bot.inner.store;
    let retired: HashSet<String> = store
        .retired_questions(&channel.scope)
        .await?
        .into_iter()
        .collect();
    let generator = generator(bot).await;
    let generated = if options.source == QuizSource::Bank {
        Vec::new()
    } else {
        // Enough to replace retired questions.
        let count = rounds + retired.len().min(rounds * 4);
        let generator = generator.clone();
        tokio::task::spawn_blocking(move || generator.generate(count, generation_seed))
            .await
            .unwrap_or_default()
    };
    // The pack's banks plus the banks this scope imported from chat.
    let mut bank = bot.inner.pack.questions.clone();
    bank.extend(store.scope_questions(&channel.scope).await?);
    let mut pool: Vec<Question> = match options.source {
        QuizSource::Bank => {
            rng.shuffle(&mut bank);
            bank
        }
        // Generated questions come spread over the document already.
        QuizSource::Generated => generated,
        QuizSource::Mixed => {
            bank.extend(generated);
            rng.shuffle(&mut bank);
            bank
        }
    };
    pool.retain(|q| !retired.contains(&q.id));
    if pool.is_empty() {
        return Err(super::BotError::User(
            "This content pack has no quiz questions yet.".into(),
        ));
    }
    let questions: Vec<PlayedQuestion> = balanced(pool, rounds)
        .into_iter()
        .map(|q| PlayedQuestion::prepare(q, options.mode, generator.glossary(), &mut rng))
        .collect();
    let rounds = questions.len() as u32;
    let mut running = bot.inner.quizzes.lock().await;
    if running.contains_key(&channel) {
        return Err(already_running(bot, &channel));
    }
    let session_id = bot
        .inner
        .store
        .start_quiz_session(
            &channel,
            &starter,
            rounds,
            &bot.inner.settings.instance,
            bot.inner.clock.now(),
        )
        .await?;
    let (inputs, receiver) = mpsc::channel(256);
    let (ready_tx, ready_rx) = oneshot::channel();
    let run = QuizRun {
        bot: bot.clone(),
        channel: channel.clone(),
        session_id,
        options,
        questions,
        solo,
        inputs: receiver,
        pending_acks: Vec::new(),
        streaks: HashMap::new(),
        joined: HashSet::from([starter.id.clone()]),
        players: HashMap::from([(starter.id.clone(), starter.clone())]),
        missed: HashMap::new(),
        hinted: HashSet::new(),
        skip_votes: HashSet::new(),
        skipped: None,
        pending_notes: Vec::new(),
        ready: Some(ready_tx),
    };
    let task = tokio::spawn(run.play());
    running.insert(
        channel,
        RunningQuiz {
            inputs,
            started_by: starter,
            session_id,
            task,
        },
    );
    drop(running);
    // The task signals once the first question is out; if it died, say so.
    ready_rx
        .await
        .map_err(|_| super::BotError::User("The quiz could not start.".into()))?;
    Ok(Vec::new())
}

struct QuizRun {
    bot: Bot,
    channel: ChannelRef,
    session_id: i64,
    options: QuizOptions,
    questions: Vec<PlayedQuestion>,
    solo: bool,
    inputs: mpsc::Receiver<QuizInput>,
    /// Answers accepted but not yet acknowledged: acknowledged when the quiz
    /// is idle again, so a scripted player never races ahead of the rounds.
    pending_acks: Vec<(oneshot::Sender<AnswerOutcome>, AnswerOutcome)>,
    streaks: HashMap<String, u32>,
    joined: HashSet<String>,
    /// Everyone who joined, by id, for the review.
    players: HashMap<String, UserRef>,
    /// What each player missed (wrong or unanswered after joining).
    missed: HashMap<String, Vec<Missed>>,
    /// Players who took a hint this round (their speed bonus is halved).
    hinted: HashSet<String>,
    /// Players who voted to skip this round.
    skip_votes: HashSet<String>,
    /// Set when this round was skipped by vote: (votes, players).
    skipped: Option<(usize, usize)>,
    /// Replies held until the quiz is idle again (a skip vote that ended the
    /// round is answered once the reveal is out).
    pending_notes: Vec<(oneshot::Sender<String>, String)>,
    ready: Option<oneshot::Sender<()>>,
}

enum RoundEnd {
    Closed(Vec<PlayerAnswer>),
    /// Stopped mid-round; answers given so far are still revealed and scored.
    Stopped {
        by: String,
        pending: Option<oneshot::Sender<()>>,
        answers: Vec<PlayerAnswer>,
    },
}

impl QuizRun {
    async fn post(&self, message: &Message) -> Option<PostedMessage> {
        match self.bot.inner.outbox.post(&self.channel, message).await {
            Ok(posted) => Some(posted),
            Err(error) => {
                tracing::warn!(channel = %self.channel.id, error = %error, "could not post a quiz message");
                None
            }
        }
    }

    fn flush_acks(&mut self) {
        for (reply, outcome) in self.pending_acks.drain(..) {
            let _ = reply.send(outcome);
        }
        for (reply, note) in self.pending_notes.drain(..) {
            let _ = reply.send(note);
        }
    }

    /// A hint for `user` in this round, from halfway through it.
    fn hint(
        &mut self,
        round: u32,
        user: &UserRef,
        answers: &[PlayerAnswer],
        started: DateTime<Utc>,
    ) -> Result<String, String> {
        let limit = Duration::from_secs(u64::from(self.options.seconds));
        let elapsed = (self.bot.inner.clock.now() - started)
            .to_std()
            .unwrap_or_default();
        let half = limit / 2;
        if elapsed < half {
            let wait = (half - elapsed).as_secs_f64().ceil().max(1.0);
            return Err(format!(
                "Hints open halfway through the round: in {wait:.0} s."
            ));
        }
        if answers.iter().any(|a| a.user.id == user.id) {
            return Err("You already answered this round.".into());
        }
        self.hinted.insert(user.id.clone());
        let question = &self.questions[(round - 1) as usize];
        let seed = (self.session_id as u64).wrapping_mul(1_000_003) ^ u64::from(round);
        Ok(format!(
            "{} Taking a hint halves your speed bonus this round.",
            hint_text(question, seed)
        ))
    }

    #[tracing::instrument(skip_all, fields(session = self.session_id, channel = %self.channel.id))]
    async fn play(mut self) {
        let total = self.questions.len() as u32;
        let mut idle_rounds = 0;
        // None: every round was played.
        let mut end_reason: Option<String> = None;
        let mut stop_reply = None;
        for round in 1..=total {
            let outcome = self.play_round(round, total).await;
            match outcome {
                RoundEnd::Stopped {
                    by,
                    pending,
                    answers,
                } => {
                    if !answers.is_empty() {
                        self.reveal(round, answers).await;
                    }
                    end_reason = Some(by);
                    stop_reply = pending;
                    break;
                }
                RoundEnd::Closed(answers) => {
                    idle_rounds = if answers.is_empty() {
                        idle_rounds + 1
                    } else {
                        0
                    };
                    self.reveal(round, answers).await;
                    if idle_rounds >= IDLE_ROUNDS_LIMIT && round < total {
                        end_reason =
                            Some(format!("nobody answered for {IDLE_ROUNDS_LIMIT} rounds"));
                        break;
                    }
                    let pause = self.bot.inner.settings.pause_between_rounds;
                    if round < total && !pause.is_zero() {
                        self.bot.inner.clock.sleep(pause).await;
                    }
                }
            }
        }
        self.finish(end_reason.as_deref()).await;
        if let Some(reply) = stop_reply {
            let _ = reply.send(());
        }
    }

    fn question_message(
        &self,
        round: u32,
        total: u32,
        question: &PlayedQuestion,
        left: Duration,
    ) -> Message {
        let mut message = Message::titled(
            format!("Question {round} of {total}"),
            escape(&question.question.prompt),
        );
        message.choices = question
            .choices
            .iter()
            .enumerate()
            .map(|(index, text)| Choice {
                label: choice_label(index),
                text: escape(text),
                key: Given::choice_key(self.session_id, round, index),
            })
            .collect();
        let how = if question.choices.is_empty() {
            "type your answer".to_string()
        } else {
            let labels: Vec<String> = (0..question.choices.len()).map(choice_label).collect();
            format!("answer {}", labels.join(", "))
        };
        message.footer = Some(format!("{} seconds to {how}", left.as_secs()));
        message
    }

    async fn play_round(&mut self, round: u32, total: u32) -> RoundEnd {
        let index = (round - 1) as usize;
        let limit = Duration::from_secs(u64::from(self.options.seconds));
        let clock = self.bot.inner.clock.clone();
        let started = clock.now();
        let deadline = started + chrono::Duration::from_std(limit).unwrap_or_default();
        let every = chrono::Duration::from_std(COUNTDOWN_EVERY).unwrap_or_default();
        let message = self.question_message(round, total, &self.questions[index], limit);
        let posted = self.post(&message).await;
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(());
        }
        let can_edit = posted.is_some() && self.bot.inner.outbox.can_edit();
        let mut next_tick = started + every;
        let mut answers: Vec<PlayerAnswer> = Vec::new();
        self.hinted.clear();
        self.skip_votes.clear();
        self.skipped = None;
        loop {
            let everyone_answered = self
                .joined
                .iter()
                .all(|id| answers.iter().any(|a| a.user.id == *id));
            if !answers.is_empty() && everyone_answered && (round > 1 || self.solo) {
                return RoundEnd::Closed(answers);
            }
            // Idle: waiting for input. Acknowledge what came before.
            self.flush_acks();
            tokio::select! {
                () = clock.sleep_until(deadline) => return RoundEnd::Closed(answers),
                () = clock.sleep_until(next_tick), if can_edit && next_tick + every <= deadline => {
                    next_tick += every;
                    let left = (deadline - clock.now()).to_std().unwrap_or_default();
                    let update = self.question_message(round, total, &self.questions[index], left);
                    if let Some(posted) = &posted {
                        let _ = self.bot.inner.outbox.edit(&self.channel, posted, &update).await;
                    }
                }
                input = self.inputs.recv() => match input {
                    None => return RoundEnd::Stopped { by: "shut down".into(), pending: None, answers },
                    Some(QuizInput::Stop { by, reply }) => return RoundEnd::Stopped { by, pending: Some(reply), answers },
                    Some(QuizInput::Hint { user, reply }) => {
                        let hint = self.hint(round, &user, &answers, started);
                        let _ = reply.send(hint);
                    }
                    Some(QuizInput::Skip { user, reply }) => {
                        if !self.joined.contains(&user.id) {
                            let _ = reply.send("Only players in this quiz can vote to skip; answer a question to join.".into());
                            continue;
                        }
                        self.skip_votes.insert(user.id.clone());
                        let (votes, players) = (self.skip_votes.len(), self.joined.len());
                        let needed = players / 2 + 1;
                        if votes >= needed {
                            self.skipped = Some((votes, players));
                            self.pending_notes.push((reply, format!("Skip vote {votes} of {players}: the round is skipped.")));
                            return RoundEnd::Closed(answers);
                        }
                        let _ = reply.send(format!("Skip vote {votes} of {players}: {needed} needed to skip this round."));
                    }
                    Some(QuizInput::Answer { user, given, reply }) => {
                        let outcome = self.take_answer(round, &mut answers, user, given, started);
                        match outcome {
                            AnswerOutcome::Accepted { .. } => self.pending_acks.push((reply, outcome)),
                            other => { let _ = reply.send(other); }
                        }
                    }
                },
            }
        }
    }

    fn take_answer(
        &mut self,
        round: u32,
        answers: &mut Vec<PlayerAnswer>,
        user: UserRef,
        given: Given,
        started: DateTime<Utc>,
    ) -> AnswerOutcome {
        let question = &self.questions[(round - 1) as usize];
        let typed = match &given {
            Given::Text(text) => text.trim().to_string(),
            Given::Choice { .. } => String::new(),
        };
        let judged = match given {
            Given::Text(text) => question.judge_text(&text),
            Given::Choice {
                session_id,
                round: r,
                index,
            } => {
                if session_id != self.session_id || r != round {
                    return AnswerOutcome::Stale;
                }
                (index < question.choices.len())
                    .then(|| (Some(index) == question.answer_index, Some(index)))
            }
        };
        let Some((correct, choice)) = judged else {
            return AnswerOutcome::NotAnAnswer;
        };
        if answers.iter().any(|a| a.user.id == user.id) {
            return AnswerOutcome::AlreadyAnswered;
        }
        self.joined.insert(user.id.clone());
        self.players
            .entry(user.id.clone())
            .or_insert_with(|| user.clone());
        let elapsed = (self.bot.inner.clock.now() - started)
            .to_std()
            .unwrap_or_default();
        let given = choice
            .and_then(|index| question.choices.get(index).cloned())
            .unwrap_or(typed);
        answers.push(PlayerAnswer {
            user,
            correct,
            elapsed,
            choice,
            given,
        });
        AnswerOutcome::Accepted {
            choice: choice.map(choice_label),
        }
    }

    async fn reveal(&mut self, round: u32, answers: Vec<PlayerAnswer>) {
        let question = &self.questions[(round - 1) as usize];
        let limit = Duration::from_secs(u64::from(self.options.seconds));
        let rules = self.bot.inner.settings.scoring;
        let mut results = Vec::new();
        let mut lines = Vec::new();
        for answer in &answers {
            let streak = self.streaks.entry(answer.user.id.clone()).or_insert(0);
            *streak = if answer.correct { *streak + 1 } else { 0 };
            let hinted = self.hinted.contains(&answer.user.id);
            let points =
                rules.points_with_hint(answer.correct, answer.elapsed, limit, *streak, hinted);
            let seconds = answer.elapsed.as_secs_f64();
            let name = escape(&answer.user.display_name);
            lines.push(if answer.correct {
                let streak_note = if *streak > 1 {
                    format!(", streak {streak}")
                } else {
                    String::new()
                };
                let hint_note = if hinted { " (hint)" } else { "" };
                format!("✅ {name} — {seconds:.1} s, +{points}{streak_note}{hint_note}")
            } else {
                let picked = answer
                    .choice
                    .map(|c| format!(" (chose {})", choice_label(c)))
                    .unwrap_or_default();
                format!("❌ {name}{picked}")
            });
            results.push(RoundAnswer {
                user: answer.user.clone(),
                correct: answer.correct,
                points,
                response_ms: answer.elapsed.as_millis() as u64,
                streak: *streak,
            });
        }
        for (id, streak) in self.streaks.iter_mut() {
            if !answers.iter().any(|a| a.user.id == *id) {
                *streak = 0;
            }
        }
        let missed = Missed {
            prompt: question.question.prompt.clone(),
            answer: question.question.answer().to_string(),
            source_sentence: question.question.source_sentence,
            explanation: question.question.explanation.clone(),
        };
        for id in &self.joined {
            if !answers.iter().any(|a| a.user.id == *id && a.correct) {
                self.missed
                    .entry(id.clone())
                    .or_default()
                    .push(missed.clone());
            }
        }
        if let Err(error) = self
            .bot
            .inner
            .store
            .record_round(
                self.session_id,
                round,
                &self.channel.scope,
                &results,
                self.bot.inner.clock.now(),
            )
            .await
        {
            tracing::error!(error = ?error, "could not record a quiz round");
            lines.push("(These points could not be saved; sorry.)".into());
        } else {
            self.record_items(round, &answers).await;
        }
        let answer_text = match question.answer_index {
            Some(i) => format!("{}) {}", choice_label(i), escape(&question.choices[i])),
            None => escape(question.question.answer()),
        };
        if lines.is_empty() {
            lines.push("Nobody answered.".into());
        }
        if !self.hinted.is_empty() {
            let mut names: Vec<String> = self
                .hinted
                .iter()
                .filter_map(|id| self.players.get(id).map(|u| escape(&u.display_name)))
                .collect();
            names.sort();
            if names.len() < self.hinted.len() {
                names.push(format!("{} other", self.hinted.len() - names.len()));
            }
            lines.push(format!("💡 Hint used by {}.", names.join(", ")));
        }
        if let Some((votes, players)) = self.skipped {
            lines.push(format!("⏭ Skipped by vote ({votes} of {players})."));
        }
        let mut body = lines.join("\n");
        if let Some(explanation) = &question.question.explanation {
            body.push_str(&format!("\n\n{}", escape(explanation)));
        }
        let mut message = Message::titled(format!("Answer: {answer_text}"), body);
        if let Some(quote) = question
            .question
            .source_sentence
            .and_then(|i| self.bot.sentence_quote(i, &[]))
        {
            message.quotes.push(quote);
        }
        message.footer = Some(format!(
            "Question {} · wrong? {}quiz flag {} [why]",
            escape(&question.question.id),
            self.bot.prefix(self.channel.scope.platform),
            escape(&question.question.id)
        ));
        self.post(&message).await;
    }

    /// Records which item the round asked and what each joined player
    /// gave (nothing, for those who did not answer), which also makes the
    /// missed ones due for their `/review`. A failure here costs the item
    /// record only; the points are already saved.
    async fn record_items(&self, round: u32, answers: &[PlayerAnswer]) {
        let question = &self.questions[(round - 1) as usize].question;
        let item = AskedItem {
            item_id: super::review::item_id(question, &self.bot.inner.pack),
            question: question.clone(),
        };
        let mut ids: Vec<&String> = self.joined.iter().collect();
        ids.sort();
        let records: Vec<ItemAnswer> = ids
            .into_iter()
            .filter_map(|id| {
                let given = answers.iter().find(|a| a.user.id == *id);
                Some(ItemAnswer {
                    user: self.players.get(id)?.clone(),
                    correct: given.is_some_and(|a| a.correct),
                    choice: given.map(|a| a.given.clone()),
                })
            })
            .collect();
        if let Err(error) = self
            .bot
            .inner
            .store
            .record_round_items(
                self.session_id,
                round,
                &self.channel.scope,
                &item,
                &records,
                self.bot.inner.clock.now(),
            )
            .await
        {
            tracing::error!(error = ?error, "could not record a round's item");
        }
    }

    /// Keeps each player's missed questions for `/quiz review`; in the
    /// terminal (one screen, no private replies) prints them right away.
    async fn keep_reviews(&mut self) {
        let mut reviews = self.bot.inner.reviews.lock().await;
        let mut ids: Vec<&String> = self.players.keys().collect();
        ids.sort();
        let mut printed = Vec::new();
        for id in ids {
            let missed = self.missed.get(id).cloned().unwrap_or_default();
            let user = &self.players[id];
            if self.solo {
                printed.push(review_message(&self.bot, &user.display_name, &missed));
            }
            reviews.insert((self.channel.clone(), id.clone()), missed);
        }
        drop(reviews);
        for message in printed {
            self.post(&message).await;
        }
    }

    /// Ends the quiz: `reason` says why it ended early (`None`: every round
    /// was played).
    async fn finish(&mut self, reason: Option<&str>) {
        // Leave the registry first so a new /quiz can start right after.
        self.bot.inner.quizzes.lock().await.remove(&self.channel);
        let store = &self.bot.inner.store;
        if let Err(error) = store
            .finish_quiz_session(
                self.session_id,
                reason.unwrap_or("finished"),
                self.bot.inner.clock.now(),
            )
            .await
        {
            tracing::error!(error = ?error, "could not close a quiz session");
        }
        let prefix = self.bot.prefix(self.channel.scope.platform);
        let results = match store.session_results(self.session_id).await {
            Ok(results) => Some(results),
            Err(error) => {
                tracing::error!(error = ?error, "could not read a quiz's final scores");
                None
            }
        };
        let mut body = String::new();
        if let Some(reason) = reason {
            body.push_str(&format!("The quiz ended: {}.\n", escape(reason)));
        }
        match &results {
            None => body.push_str(&format!(
                "Sorry, I could not read the final scores. Every revealed round's points are saved: {prefix}leaderboard shows them."
            )),
            Some(results) if results.is_empty() => body.push_str("No points were scored."),
            Some(results) => {
            for (rank, row) in results.iter().take(10).enumerate() {
                body.push_str(&format!(
                    "{}. {} — {} points ({}/{} right)\n",
                    rank + 1,
                    escape(&row.display_name),
                    row.points,
                    row.correct,
                    row.answered
                ));
            }
            }
        }
        let message =
            Message::titled("Quiz over: final leaderboard", body.trim_end()).with_footer(format!(
                "{prefix}quiz review shows each player the questions they missed · {prefix}score shows your total, {prefix}leaderboard the channel's"
            ));
        self.post(&message).await;
        self.keep_reviews().await;
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(());
        }
        self.flush_acks();
        // Answers still queued are for a quiz that no longer exists.
        self.inputs.close();
        while let Ok(input) = self.inputs.try_recv() {
            match input {
                QuizInput::Answer { reply, .. } => {
                    let _ = reply.send(AnswerOutcome::Stale);
                }
                QuizInput::Stop { reply, .. } => {
                    let _ = reply.send(());
                }
                QuizInput::Hint { reply, .. } => {
                    let _ = reply.send(Err("No quiz is running in this channel.".into()));
                }
                QuizInput::Skip { reply, .. } => {
                    let _ = reply.send("No quiz is running in this channel.".into());
                }
            }
        }
    }
}

/// The hint for a question: two wrong choices removed (one when there are
/// three), or the first letter of a typed answer and its length.
fn hint_text(question: &PlayedQuestion, seed: u64) -> String {
    if question.choices.len() >= 3
        && let Some(right) = question.answer_index
    {
        let mut wrong: Vec<usize> = (0..question.choices.len())
            .filter(|i| *i != right)
            .collect();
        fastrand::Rng::with_seed(seed).shuffle(&mut wrong);
        let remove = if question.choices.len() >= 4 { 2 } else { 1 };
        let mut removed: Vec<usize> = wrong.into_iter().take(remove).collect();
        removed.sort_unstable();
        let named: Vec<String> = removed
            .iter()
            .map(|i| format!("{}) {}", choice_label(*i), escape(&question.choices[*i])))
            .collect();
        return format!("Hint: it is not {}.", named.join(" and not "));
    }
    let answer = question.question.answer();
    let first: String = answer.chars().take(1).collect();
    format!(
        "Hint: the answer starts with \"{}\" ({} characters).",
        escape(&first),
        answer.chars().count()
    )
}

/// A player's review: each missed question, its answer, the document's
/// reason where there is one, and the passage to reread.
pub(crate) fn review_message(bot: &Bot, name: &str, missed: &[Missed]) -> Message {
    let title = format!("Review for {}", escape(name));
    if missed.is_empty() {
        return Message::titled(title, "You missed nothing in that quiz. Well done!");
    }
    let mut body = format!(
        "{} question{} to go over:\n",
        missed.len(),
        if missed.len() == 1 { "" } else { "s" }
    );
    let mut message = Message::titled(title, String::new());
    for (n, item) in missed.iter().enumerate() {
        body.push_str(&format!(
            "{}. {}\n   Answer: {}\n",
            n + 1,
            escape(&item.prompt),
            escape(&item.answer)
        ));
        if let Some(explanation) = &item.explanation {
            body.push_str(&format!("   {}\n", escape(explanation)));
        }
        if let Some(quote) = item
            .source_sentence
            .and_then(|i| bot.sentence_quote(i, &[]))
        {
            body.push_str(&format!(
                "   Reread: sentence {} (quoted below)\n",
                item.source_sentence.unwrap_or(0) + 1
            ));
            message.quotes.push(quote);
        }
    }
    message.body = body.trim_end().to_string();
    message
}

impl Bot {
    /// `/quiz review`: the caller's missed questions from the last quiz in
    /// this channel, shown only to them.
    pub(crate) async fn quiz_review(&self, origin: &super::Origin) -> Vec<Message> {
        let reviews = self.inner.reviews.lock().await;
        match reviews.get(&(origin.channel.clone(), origin.user.id.clone())) {
            Some(missed) => vec![review_message(self, &origin.user.display_name, missed).ephemeral()],
            None => vec![Message::text(format!(
                "You have not played a quiz in this channel since I started. Start one with {}quiz.",
                self.prefix(origin.channel.scope.platform)
            ))
            .ephemeral()],
        }
    }

    /// The running quiz's input queue in the caller's channel.
    async fn quiz_inputs(
        &self,
        origin: &super::Origin,
    ) -> Result<mpsc::Sender<QuizInput>, super::BotError> {
        let quizzes = self.inner.quizzes.lock().await;
        quizzes
            .get(&origin.channel)
            .map(|running| running.inputs.clone())
            .ok_or_else(|| super::BotError::User("No quiz is running in this channel.".into()))
    }

    /// `/hint`: a hint for the caller, from halfway through a round.
    pub(crate) async fn quiz_hint(
        &self,
        origin: &super::Origin,
    ) -> Result<Vec<Message>, super::BotError> {
        let inputs = self.quiz_inputs(origin).await?;
        let (reply, hint) = oneshot::channel();
        let gone = || super::BotError::User("No quiz is running in this channel.".into());
        inputs
            .send(QuizInput::Hint {
                user: origin.user.clone(),
                reply,
            })
            .await
            .map_err(|_| gone())?;
        match hint.await.map_err(|_| gone())? {
            Ok(text) => Ok(vec![Message::text(text).ephemeral()]),
            Err(refusal) => Err(super::BotError::User(refusal)),
        }
    }

    /// `/skip`: the caller's vote to skip the round.
    pub(crate) async fn quiz_skip(
        &self,
        origin: &super::Origin,
    ) -> Result<Vec<Message>, super::BotError> {
        let inputs = self.quiz_inputs(origin).await?;
        let (reply, said) = oneshot::channel();
        let gone = || super::BotError::User("No quiz is running in this channel.".into());
        inputs
            .send(QuizInput::Skip {
                user: origin.user.clone(),
                reply,
            })
            .await
            .map_err(|_| gone())?;
        Ok(vec![
            Message::text(said.await.map_err(|_| gone())?).ephemeral(),
        ])
    }

    /// The prompt of a question by id, from the banks or the generator.
    async fn question_prompt(
        &self,
        origin: &super::Origin,
        id: &str,
    ) -> Result<Option<String>, super::BotError> {
        if let Some(q) = self.inner.pack.questions.iter().find(|q| q.id == id) {
            return Ok(Some(q.prompt.clone()));
        }
        if let Some(q) = self
            .inner
            .store
            .scope_questions(origin.scope())
            .await?
            .into_iter()
            .find(|q| q.id == id)
        {
            return Ok(Some(q.prompt));
        }
        let generator = generator(self).await;
        let id = id.to_string();
        Ok(tokio::task::spawn_blocking(move || {
            generator
                .pool(1)
                .into_iter()
                .find(|q| q.id == id)
                .map(|q| q.prompt)
        })
        .await
        .unwrap_or(None))
    }

    /// `/quiz flag ID [reason]`: any player reports a question as wrong.
    pub(crate) async fn quiz_flag(
        &self,
        origin: &super::Origin,
        id: &str,
        reason: &str,
    ) -> Result<Vec<Message>, super::BotError> {
        let Some(prompt) = self.question_prompt(origin, id).await? else {
            return Err(super::BotError::User(format!(
                "There is no question {}. Its id is shown under each answer.",
                escape(id)
            )));
        };
        let reason = if reason.trim().is_empty() {
            "(no reason given)"
        } else {
            reason.trim()
        };
        self.inner
            .store
            .flag_question(
                origin.scope(),
                &origin.user,
                id,
                &prompt,
                reason,
                self.inner.clock.now(),
            )
            .await?;
        Ok(vec![
            Message::text(format!(
                "Thanks: question {} is flagged for the teachers here.",
                escape(id)
            ))
            .ephemeral(),
        ])
    }

    /// `/quiz flags`: admins see the flagged questions.
    pub(crate) async fn quiz_flags(
        &self,
        origin: &super::Origin,
    ) -> Result<Vec<Message>, super::BotError> {
        if !origin.is_admin {
            return Err(super::BotError::User(
                "Only an admin or teacher can see the flags.".into(),
            ));
        }
        let flags = self.inner.store.question_flags(origin.scope()).await?;
        if flags.is_empty() {
            return Ok(vec![
                Message::text("No question has been flagged here.").ephemeral(),
            ]);
        }
        let p = self.prefix(origin.channel.scope.platform);
        let mut body = String::new();
        for flag in &flags {
            let reasons: Vec<String> = flag
                .reasons
                .iter()
                .map(|(who, why)| format!("{}: {}", escape(who), escape(why)))
                .collect();
            body.push_str(&format!(
                "- {} ({} flag{}{}) {}\n  {}\n",
                escape(&flag.question_id),
                flag.flags,
                if flag.flags == 1 { "" } else { "s" },
                if flag.retired { ", retired" } else { "" },
                escape(&flag.prompt),
                reasons.join("; ")
            ));
        }
        Ok(vec![
            Message::titled("Flagged questions", body.trim_end())
                .with_footer(format!("{p}quiz retire ID takes a question out of quizzes here; {p}quiz unretire ID puts it back"))
                .ephemeral(),
        ])
    }

    /// `/quiz retire ID` / `/quiz unretire ID`: admins only.
    pub(crate) async fn quiz_retire(
        &self,
        origin: &super::Origin,
        id: &str,
        retire: bool,
    ) -> Result<Vec<Message>, super::BotError> {
        if !origin.is_admin {
            return Err(super::BotError::User(
                "Only an admin or teacher can retire questions.".into(),
            ));
        }
        if retire && self.question_prompt(origin, id).await?.is_none() {
            return Err(super::BotError::User(format!(
                "There is no question {}. Its id is shown under each answer and in {}quiz flags.",
                escape(id),
                self.prefix(origin.channel.scope.platform)
            )));
        }
        self.inner
            .store
            .set_question_retired(
                origin.scope(),
                &origin.user,
                id,
                retire,
                self.inner.clock.now(),
            )
            .await?;
        Ok(vec![
            Message::text(if retire {
                format!("Question {} will not be asked here again.", escape(id))
            } else {
                format!("Question {} can be asked here again.", escape(id))
            })
            .ephemeral(),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::QuestionOrigin;

    fn question(choices: &[&str], answer: usize) -> Question {
        Question {
            id: "q".into(),
            prompt: "Who?".into(),
            choices: choices.iter().map(|c| c.to_string()).collect(),
            answer_index: Some(answer),
            answers: vec![choices[answer].to_string()],
            source_sentence: None,
            kind: "bank".into(),
            origin: QuestionOrigin::Generated,
            explanation: None,
        }
    }

    #[test]
    fn letters_and_choice_texts_are_answers_other_text_is_not() {
        let mut rng = fastrand::Rng::with_seed(1);
        let played = PlayedQuestion::prepare(
            question(&["Trotsky", "Lenin", "Hitler"], 0),
            QuizMode::MultipleChoice,
            &Glossary::default(),
            &mut rng,
        );
        let right = played.answer_index.unwrap();
        assert_eq!(
            played.judge_text(&choice_label(right).to_lowercase()),
            Some((true, Some(right)))
        );
        assert_eq!(played.judge_text("trotsky"), Some((true, Some(right))));
        assert_eq!(played.judge_text("D"), None);
        assert_eq!(played.judge_text("who was lenin?"), None);
    }

    #[test]
    fn typed_mode_hides_choices_and_matches_forgivingly() {
        let mut rng = fastrand::Rng::with_seed(1);
        let played = PlayedQuestion::prepare(
            question(&["Trotsky", "Lenin"], 0),
            QuizMode::Typed,
            &Glossary::default(),
            &mut rng,
        );
        assert!(played.choices.is_empty());
        assert_eq!(played.judge_text("trotksy"), Some((true, None)));
        assert_eq!(played.judge_text("Lenin"), Some((false, None)));
        assert_eq!(played.judge_text("Leon Trotsky"), Some((true, None)));
    }

    #[test]
    fn typed_answers_accept_the_glossarys_other_names() {
        let mut rng = fastrand::Rng::with_seed(1);
        let glossary = Glossary {
            same: vec![vec!["soviet union".into(), "ussr".into()]],
            ..Glossary::default()
        };
        let played = PlayedQuestion::prepare(
            question(&["Soviet Union", "Japan"], 0),
            QuizMode::Typed,
            &glossary,
            &mut rng,
        );
        assert_eq!(played.judge_text("the USSR"), Some((true, None)));
    }

    #[test]
    fn a_quiz_keeps_each_answer_under_its_share_when_it_can() {
        let pool: Vec<Question> = (0..20)
            .map(|i| question(&[if i % 2 == 0 { "Stalin" } else { "Lenin" }, "x"], 0))
            .chain((0..10).map(|i| {
                let mut q = question(&["Hitler", "y"], 0);
                q.choices[0] = format!("answer {i}");
                q
            }))
            .collect();
        let chosen = balanced(pool, 10);
        assert_eq!(chosen.len(), 10);
        let stalin = chosen.iter().filter(|q| q.answer() == "Stalin").count();
        assert_eq!(stalin, 1);
    }

    #[test]
    fn choice_keys_round_trip_and_reject_anything_else() {
        let key = Given::choice_key(12, 3, 1);
        assert_eq!(key, "quiz:12:3:1");
        assert_eq!(
            Given::from_choice_key(&key),
            Some(Given::Choice {
                session_id: 12,
                round: 3,
                index: 1
            })
        );
        for bad in [
            "quiz:12:3",
            "quiz:12:3:1:9",
            "poll:12:3:1",
            "quiz:x:3:1",
            "",
        ] {
            assert_eq!(Given::from_choice_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn options_are_validated() {
        assert!(
            QuizOptions {
                rounds: 0,
                ..QuizOptions::default()
            }
            .validate()
            .is_err()
        );
        assert!(
            QuizOptions {
                seconds: 2,
                ..QuizOptions::default()
            }
            .validate()
            .is_err()
        );
        assert!(QuizOptions::default().validate().is_ok());
    }
}
