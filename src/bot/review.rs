//! Personal review (`/review`): a private practice session of the questions
//! a player missed (due by their FSRS schedule) and then of those they have
//! not seen, one at a time. Answers update the player's memory cards and
//! never the scores. Scheduling is the `rs-fsrs` crate's (FSRS with its
//! default weights, no fuzz); this module only maps a right answer to
//! "Good" and a wrong one to "Again" and keeps the session.
//!
//! A session belongs to a player (not a channel) and is private: an
//! ephemeral message with buttons on Discord, a direct-message room on
//! Matrix (typed letters there), the terminal as it is. It reviews the
//! scope where `/review` was asked, wherever the answers come from.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::{DateTime, Utc};
use rs_fsrs::{Card, FSRS, Parameters, Rating, State};

use crate::content::{Pack, Question, QuestionOrigin};
use crate::identity::{ChannelRef, Platform, ScopeRef, UserRef};
use crate::store::{AskedItem, ReviewCard};
use crate::study::text;

use super::reply::{Choice, Message, choice_label, escape};
use super::{Action, Bot, BotError, Origin};

/// Questions in one review session at most.
pub const SESSION_ITEMS: usize = 10;

/// The stable id of a question: a bank question's own id; for a generated
/// question, a hash of its source sentence and its answer, so the id does
/// not change with the build, the seed or the sentence's position.
pub fn item_id(question: &Question, pack: &Pack) -> String {
    if question.origin != QuestionOrigin::Generated {
        return question.id.clone();
    }
    let source = question
        .source_sentence
        .and_then(|i| pack.document.sentence(i))
        .map_or_else(|| question.prompt.clone(), |s| s.text.clone());
    let mut hasher = blake3::Hasher::new();
    hasher.update(source.as_bytes());
    hasher.update(&[0x1f]);
    hasher.update(question.answer().as_bytes());
    let hex = hasher.finalize().to_hex();
    format!("g-{}", &hex.as_str()[..16])
}

/// The FSRS scheduler with fixed parameters (no fuzz: the same answers give
/// the same schedule, which tests and players can rely on).
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: FSRS,
}

impl Default for Scheduler {
    fn default() -> Self {
        Self {
            fsrs: FSRS::new(Parameters {
                enable_fuzz: false,
                ..Parameters::default()
            }),
        }
    }
}

impl Scheduler {
    /// The card after answering at `now`: right is "Good", wrong "Again".
    /// No card yet is a new card.
    pub fn answer(
        &self,
        card: Option<&ReviewCard>,
        correct: bool,
        now: DateTime<Utc>,
    ) -> ReviewCard {
        let current = card.map_or_else(
            || Card {
                due: now,
                last_review: now,
                ..Card::default()
            },
            to_fsrs,
        );
        let rating = if correct { Rating::Good } else { Rating::Again };
        from_fsrs(&self.fsrs.next(current, now, rating).card)
    }
}

fn to_fsrs(card: &ReviewCard) -> Card {
    Card {
        due: card.due,
        stability: card.stability,
        difficulty: card.difficulty,
        elapsed_days: card.elapsed_days,
        scheduled_days: card.scheduled_days,
        reps: i32::try_from(card.reps).unwrap_or(i32::MAX),
        lapses: i32::try_from(card.lapses).unwrap_or(i32::MAX),
        state: match card.state {
            1 => State::Learning,
            2 => State::Review,
            3 => State::Relearning,
            _ => State::New,
        },
        last_review: card.last_review,
    }
}

fn from_fsrs(card: &Card) -> ReviewCard {
    ReviewCard {
        due: card.due,
        stability: card.stability,
        difficulty: card.difficulty,
        elapsed_days: card.elapsed_days,
        scheduled_days: card.scheduled_days,
        reps: i64::from(card.reps),
        lapses: i64::from(card.lapses),
        state: card.state as i64,
        last_review: card.last_review,
    }
}

/// "in 10 minutes", "in 3 days": how far `due` is from `now`.
pub fn wait_words(now: DateTime<Utc>, due: DateTime<Utc>) -> String {
    let minutes = (due - now).num_minutes().max(0);
    let (n, unit) = if minutes < 60 {
        (minutes.max(1), "minute")
    } else if minutes < 48 * 60 {
        (minutes / 60, "hour")
    } else {
        (minutes / (24 * 60), "day")
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The question being reviewed, its choices shuffled.
struct Current {
    item: AskedItem,
    choices: Vec<String>,
    answer_index: Option<usize>,
}

/// One player's review session.
pub(crate) struct ReviewSession {
    scope: ScopeRef,
    /// Where typed answers are read (the terminal, a Matrix direct-message
    /// room); `None`: buttons only (Discord).
    answer_channel: Option<ChannelRef>,
    serial: u64,
    queue: VecDeque<AskedItem>,
    current: Option<Current>,
    asked: usize,
    total: usize,
    right: usize,
}

/// Sessions by player.
pub(crate) type Sessions = HashMap<(Platform, String), ReviewSession>;

/// The key of a review choice: `review:<serial>:<index>`.
fn choice_key(serial: u64, index: usize) -> String {
    format!("review:{serial}:{index}")
}

fn parse_choice_key(key: &str) -> Option<(u64, usize)> {
    let mut parts = key.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("review"), Some(serial), Some(index), None) => {
            Some((serial.parse().ok()?, index.parse().ok()?))
        }
        _ => None,
    }
}

/// Whether a platform key is a review choice.
pub fn is_review_key(key: &str) -> bool {
    key.starts_with("review:")
}

impl Bot {
    /// `/review`: starts (or restarts) the caller's private review of this
    /// scope: due cards first, then questions they have not seen.
    pub(crate) async fn review_start(&self, origin: &Origin) -> Result<Vec<Message>, BotError> {
        let store = &self.inner.store;
        let now = self.inner.clock.now();
        let scope = origin.scope();
        let mut queue: Vec<AskedItem> = store
            .due_reviews(scope, &origin.user, now, SESSION_ITEMS as u32)
            .await?
            .into_iter()
            .map(|due| AskedItem {
                item_id: due.item_id,
                question: due.question,
            })
            .collect();
        if queue.len() < SESSION_ITEMS {
            let room = (SESSION_ITEMS - queue.len()) as u32;
            queue.extend(store.unseen_items(scope, &origin.user, room).await?);
        }
        if queue.len() < SESSION_ITEMS {
            // Bank questions never asked here yet count as unseen too.
            let seen = store.seen_items(scope, &origin.user).await?;
            let retired: HashSet<String> =
                store.retired_questions(scope).await?.into_iter().collect();
            let mut taken: HashSet<String> = queue.iter().map(|i| i.item_id.clone()).collect();
            let mut bank = self.inner.pack.questions.clone();
            bank.extend(store.scope_questions(scope).await?);
            for question in bank {
                if queue.len() >= SESSION_ITEMS {
                    break;
                }
                let id = item_id(&question, &self.inner.pack);
                if seen.contains(&id) || retired.contains(&question.id) || !taken.insert(id.clone())
                {
                    continue;
                }
                queue.push(AskedItem {
                    item_id: id,
                    question,
                });
            }
        }
        let p = self.prefix(origin.channel.scope.platform);
        if queue.is_empty() {
            return Ok(vec![
                Message::text(format!(
                    "Nothing to review here: you have no missed questions due and no questions left \
                     that you have not seen. {p}review status shows when the next is due."
                ))
                .private(),
            ]);
        }
        let answer_channel =
            (origin.channel.scope.platform == Platform::Console).then(|| origin.channel.clone());
        let mut sessions = self.inner.review_sessions.lock().await;
        let serial = self.next_review_serial(&sessions);
        let total = queue.len();
        let mut session = ReviewSession {
            scope: scope.clone(),
            answer_channel,
            serial,
            queue: queue.into(),
            current: None,
            asked: 0,
            total,
            right: 0,
        };
        let question = self.next_review_question(&mut session);
        sessions.insert((origin.user.platform, origin.user.id.clone()), session);
        Ok(question.into_iter().map(Message::private).collect())
    }

    fn next_review_serial(&self, sessions: &Sessions) -> u64 {
        // Unique among open sessions and changing with every start, so a
        // button from an earlier session is stale.
        let now = self.inner.clock.now().timestamp_millis().unsigned_abs();
        let highest = sessions.values().map(|s| s.serial).max().unwrap_or(0);
        now.max(highest + 1)
    }

    /// Takes the next item off the queue and words its question.
    fn next_review_question(&self, session: &mut ReviewSession) -> Option<Message> {
        let item = session.queue.pop_front()?;
        session.asked += 1;
        let mut rng = fastrand::Rng::with_seed(session.serial ^ session.asked as u64);
        let mut choices = item.question.choices.clone();
        rng.shuffle(&mut choices);
        let answer = item.question.answer().to_string();
        let answer_index = (!choices.is_empty())
            .then(|| choices.iter().position(|c| *c == answer))
            .flatten();
        let mut message = Message::titled(
            format!("Review question {} of {}", session.asked, session.total),
            escape(&item.question.prompt),
        );
        message.choices = choices
            .iter()
            .enumerate()
            .map(|(index, text)| Choice {
                label: choice_label(index),
                text: escape(text),
                key: choice_key(session.serial, index),
            })
            .collect();
        let how = if choices.is_empty() {
            "type your answer".to_string()
        } else {
            let labels: Vec<String> = (0..choices.len()).map(choice_label).collect();
            format!("answer {}", labels.join(", "))
        };
        message.footer = Some(format!(
            "Private review: {how}. Review answers never change the leaderboard."
        ));
        session.current = Some(Current {
            item,
            choices,
            answer_index,
        });
        Some(message)
    }

    /// A review answer: typed text from the session's answer channel, or a
    /// review button. `None` when it is not for a review (chat, another
    /// channel, no session).
    pub(crate) async fn review_answer(
        &self,
        origin: &Origin,
        given: ReviewGiven<'_>,
    ) -> Option<Vec<Action>> {
        let mut sessions = self.inner.review_sessions.lock().await;
        let key = (origin.user.platform, origin.user.id.clone());
        let session = sessions.get_mut(&key)?;
        let current = session.current.as_ref()?;
        let (correct, _picked) = match given {
            ReviewGiven::Text(text) => {
                if session.answer_channel.as_ref() != Some(&origin.channel) {
                    return None;
                }
                judge_text(current, text)?
            }
            ReviewGiven::Key(key) => {
                let (serial, index) = parse_choice_key(key)?;
                if serial != session.serial || index >= current.choices.len() {
                    return Some(vec![Action::Note(
                        "That review question is over; answer the current one.".into(),
                    )]);
                }
                (
                    Some(index) == current.answer_index,
                    current.choices.get(index).cloned(),
                )
            }
        };
        let now = self.inner.clock.now();
        let store = &self.inner.store;
        let item = current.item.clone();
        let before = match store
            .review_card(&session.scope, &origin.user, &item.item_id)
            .await
        {
            Ok(card) => card,
            Err(error) => {
                tracing::error!(error = ?error, "could not read a review card");
                return Some(vec![Action::Reply(
                    BotError::Store(error).to_message().private(),
                )]);
            }
        };
        let card = self
            .inner
            .review_scheduler
            .answer(before.as_ref(), correct, now);
        if let Err(error) = store
            .record_review(&session.scope, &origin.user, &item, &card, correct, now)
            .await
        {
            tracing::error!(error = ?error, "could not save a review answer");
            return Some(vec![Action::Reply(
                BotError::Store(error).to_message().private(),
            )]);
        }
        if correct {
            session.right += 1;
        }
        let verdict = if correct {
            "✅ Right.".to_string()
        } else {
            format!("❌ The answer is {}.", escape(item.question.answer()))
        };
        let mut body = format!(
            "{verdict}\nYou will see it again {}.",
            wait_words(now, card.due)
        );
        if let Some(explanation) = &item.question.explanation {
            body.push_str(&format!("\n{}", escape(explanation)));
        }
        let mut result = Message::titled(escape(&item.question.prompt), body);
        if !correct
            && let Some(quote) = item
                .question
                .source_sentence
                .and_then(|i| self.sentence_quote(i, &[]))
        {
            result.quotes.push(quote);
        }
        let mut replies = vec![result.private()];
        match self.next_review_question(session) {
            Some(next) => replies.push(next.private()),
            None => {
                let p = self.prefix(origin.channel.scope.platform);
                replies.push(
                    Message::titled(
                        "Review done",
                        format!(
                            "{} of {} right. {p}review status shows when the next review is due.",
                            session.right, session.total
                        ),
                    )
                    .private(),
                );
                sessions.remove(&key);
            }
        }
        Some(replies.into_iter().map(Action::Reply).collect())
    }

    /// Where a platform shows a player's private review (a Matrix
    /// direct-message room): typed answers are read there from now on.
    pub async fn review_delivered_in(&self, user: &UserRef, channel: &ChannelRef) {
        let mut sessions = self.inner.review_sessions.lock().await;
        if let Some(session) = sessions.get_mut(&(user.platform, user.id.clone())) {
            session.answer_channel = Some(channel.clone());
        }
    }

    /// `/review status`: how many are due and when the next comes.
    pub(crate) async fn review_status(&self, origin: &Origin) -> Result<Vec<Message>, BotError> {
        let now = self.inner.clock.now();
        let status = self
            .inner
            .store
            .review_status(origin.scope(), &origin.user, now)
            .await?;
        let p = self.prefix(origin.channel.scope.platform);
        let next = match status.next_due {
            Some(due) => format!(
                "The next is due {} ({} UTC).",
                wait_words(now, due),
                due.format("%Y-%m-%d %H:%M")
            ),
            None => "No other review is scheduled.".to_string(),
        };
        let reminder = match self
            .inner
            .store
            .review_reminder(origin.scope(), &origin.user)
            .await?
        {
            Some(reminder) if reminder.enabled => format!(
                "Daily reminder: on, at {} {} ({p}review remind off stops it).",
                reminder.local_time, reminder.time_zone
            ),
            _ => format!("Daily reminder: off ({p}review remind on [HH:MM] turns it on)."),
        };
        Ok(vec![
            Message::titled(
                "Your reviews",
                format!(
                    "{} due now, of {} question{} you are learning here. {next}\n{p}review starts a review.\n{reminder}",
                    status.due,
                    status.cards,
                    if status.cards == 1 { "" } else { "s" }
                ),
            )
            .private(),
        ])
    }
}

/// What a player gave to a review.
pub(crate) enum ReviewGiven<'a> {
    Text(&'a str),
    Key(&'a str),
}

/// A typed letter, a choice's text, or a typed answer; `None` when the text
/// is no answer at all.
fn judge_text(current: &Current, text: &str) -> Option<(bool, Option<String>)> {
    let trimmed = text.trim().trim_end_matches(['.', ')', '!']);
    if trimmed.is_empty() {
        return None;
    }
    if current.choices.is_empty() {
        let mut accepted = current.item.question.answers.clone();
        accepted.push(current.item.question.answer().to_string());
        return Some((
            crate::study::matching::typed_answer_matches(trimmed, &accepted),
            Some(trimmed.to_string()),
        ));
    }
    let letter = (trimmed.chars().count() == 1)
        .then(|| trimmed.chars().next())
        .flatten()
        .filter(char::is_ascii_alphabetic)
        .map(|c| (c.to_ascii_uppercase() as u8 - b'A') as usize);
    let index = letter.or_else(|| {
        let folded = text::fold(trimmed);
        current.choices.iter().position(|c| text::fold(c) == folded)
    })?;
    (index < current.choices.len()).then(|| {
        (
            Some(index) == current.answer_index,
            current.choices.get(index).cloned(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn intervals_grow_after_right_answers_and_shrink_after_a_wrong_one() {
        let scheduler = Scheduler::default();
        let mut now = at(1, 9);
        let mut card = scheduler.answer(None, true, now);
        let mut last = card.due - now;
        for _ in 0..3 {
            now = card.due;
            card = scheduler.answer(Some(&card), true, now);
            let interval = card.due - now;
            assert!(interval > last, "{interval} after {last}");
            last = interval;
        }
        now = card.due;
        card = scheduler.answer(Some(&card), false, now);
        assert!(card.due - now < last, "a lapse brings it back sooner");
        assert_eq!(card.lapses, 1);
    }

    #[test]
    fn review_keys_round_trip() {
        assert_eq!(parse_choice_key(&choice_key(42, 3)), Some((42, 3)));
        assert_eq!(parse_choice_key("quiz:1:2:3"), None);
        assert_eq!(parse_choice_key("review:x:1"), None);
        assert!(is_review_key("review:1:2"));
    }

    #[test]
    fn wait_words_pick_a_readable_unit() {
        let now = at(1, 9);
        assert_eq!(
            wait_words(now, now + chrono::Duration::minutes(10)),
            "in 10 minutes"
        );
        assert_eq!(
            wait_words(now, now + chrono::Duration::hours(5)),
            "in 5 hours"
        );
        assert_eq!(
            wait_words(now, now + chrono::Duration::days(3)),
            "in 3 days"
        );
    }
}
