//! Personal review: each player's memory cards (the FSRS state, as plain
//! numbers), which are due, and the log of review answers. Scheduling
//! itself is the bot's ([`crate::bot::review`]); this only keeps the state.
//! Nothing here touches the scores: review never moves a leaderboard.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::content::Question;
use crate::identity::{ScopeRef, UserRef};

use super::items::{AskedItem, keep_item, keep_item_pg};
use super::{PgStore, SqliteStore, StoreError, instant, millis};

/// A player's memory of one item, as FSRS keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewCard {
    pub due: DateTime<Utc>,
    pub stability: f64,
    pub difficulty: f64,
    pub elapsed_days: i64,
    pub scheduled_days: i64,
    pub reps: i64,
    pub lapses: i64,
    /// 0 new, 1 learning, 2 review, 3 relearning.
    pub state: i64,
    pub last_review: DateTime<Utc>,
}

/// An item due for review, with the question to ask and its card.
#[derive(Debug, Clone, PartialEq)]
pub struct DueItem {
    pub item_id: String,
    pub question: Question,
    pub card: ReviewCard,
}

/// How much a player has to review in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewStatus {
    /// Cards due now.
    pub due: i64,
    /// Every card the player has here.
    pub cards: i64,
    /// The earliest due time of the cards not yet due.
    pub next_due: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct CardRow {
    item_id: String,
    question_json: String,
    due_at_ms: i64,
    stability: f64,
    difficulty: f64,
    elapsed_days: i64,
    scheduled_days: i64,
    reps: i64,
    lapses: i64,
    state: i64,
    last_review_at_ms: i64,
}

impl CardRow {
    fn card(&self) -> Result<ReviewCard, StoreError> {
        Ok(ReviewCard {
            due: instant("review_cards", &self.item_id, self.due_at_ms)?,
            stability: self.stability,
            difficulty: self.difficulty,
            elapsed_days: self.elapsed_days,
            scheduled_days: self.scheduled_days,
            reps: self.reps,
            lapses: self.lapses,
            state: self.state,
            last_review: instant("review_cards", &self.item_id, self.last_review_at_ms)?,
        })
    }

    fn into_due(self) -> Result<DueItem, StoreError> {
        let question: Question = serde_json::from_str(&self.question_json)
            .map_err(|error| StoreError::bad_row("quiz_items", &self.item_id, error))?;
        Ok(DueItem {
            card: self.card()?,
            item_id: self.item_id,
            question,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    item_id: String,
    question_json: String,
}

impl ItemRow {
    fn into_asked(self) -> Result<AskedItem, StoreError> {
        let question = serde_json::from_str(&self.question_json)
            .map_err(|error| StoreError::bad_row("quiz_items", &self.item_id, error))?;
        Ok(AskedItem {
            item_id: self.item_id,
            question,
        })
    }
}

/// A [`REVIEW_STATUS`] row (due, cards, next due) read for `user`.
fn review_status(
    user: &UserRef,
    (due, cards, next): (i64, i64, Option<i64>),
) -> Result<ReviewStatus, StoreError> {
    Ok(ReviewStatus {
        due,
        cards,
        next_due: next
            .map(|ms| instant("review_cards", &user.id, ms))
            .transpose()?,
    })
}

/// Memory cards and review answers.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// The player's cards due at `now`, most overdue first.
    async fn due_reviews(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueItem>, StoreError>;

    /// Items asked in the scope that the player has neither answered in a
    /// quiz nor reviewed, oldest first.
    async fn unseen_items(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        limit: u32,
    ) -> Result<Vec<AskedItem>, StoreError>;

    /// Every item id the player answered in a quiz or has a card for here.
    async fn seen_items(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
    ) -> Result<HashSet<String>, StoreError>;

    /// The player's card for one item, if they have one.
    async fn review_card(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        item_id: &str,
    ) -> Result<Option<ReviewCard>, StoreError>;

    /// How many cards are due, and when the next one comes.
    async fn review_status(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        now: DateTime<Utc>,
    ) -> Result<ReviewStatus, StoreError>;

    /// Saves a review answer: the item as asked, the card's new state and a
    /// log row. Scores are not touched.
    async fn record_review(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        item: &AskedItem,
        card: &ReviewCard,
        correct: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The player's due cards, most overdue first (both engines).
const DUE_REVIEWS: &str =
    "SELECT c.item_id, i.question_json, c.due_at_ms, c.stability, c.difficulty,
 c.elapsed_days, c.scheduled_days, c.reps, c.lapses, c.state, c.last_review_at_ms
 FROM review_cards c
 JOIN scopes s ON s.id = c.scope_id
 JOIN users u ON u.id = c.user_id
 JOIN quiz_items i ON i.scope_id = c.scope_id AND i.item_id = c.item_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND u.platform = $3 AND u.platform_user_id = $4
 AND c.due_at_ms <= $5
 ORDER BY c.due_at_ms, c.item_id
 LIMIT $6";

/// Items asked in the scope the player has neither answered nor reviewed.
const UNSEEN_ITEMS: &str = "SELECT i.item_id, i.question_json
 FROM quiz_items i JOIN scopes s ON s.id = i.scope_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND NOT EXISTS (
 SELECT 1 FROM quiz_answers a JOIN users u ON u.id = a.user_id
 WHERE a.scope_id = i.scope_id AND a.item_id = i.item_id
 AND u.platform = $3 AND u.platform_user_id = $4)
 AND NOT EXISTS (
 SELECT 1 FROM review_cards c JOIN users u ON u.id = c.user_id
 WHERE c.scope_id = i.scope_id AND c.item_id = i.item_id
 AND u.platform = $3 AND u.platform_user_id = $4)
 ORDER BY i.first_asked_at_ms, i.item_id
 LIMIT $5";

/// Every item id the player answered in a quiz or has a card for.
const SEEN_ITEMS: &str = "SELECT a.item_id FROM quiz_answers a
 JOIN scopes s ON s.id = a.scope_id JOIN users u ON u.id = a.user_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND u.platform = $3 AND u.platform_user_id = $4 AND a.item_id IS NOT NULL
 UNION
 SELECT c.item_id FROM review_cards c
 JOIN scopes s ON s.id = c.scope_id JOIN users u ON u.id = c.user_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND u.platform = $3 AND u.platform_user_id = $4";

/// The player's card for one item (no question needed).
const REVIEW_CARD: &str =
    "SELECT c.item_id, '' AS question_json, c.due_at_ms, c.stability, c.difficulty,
 c.elapsed_days, c.scheduled_days, c.reps, c.lapses, c.state, c.last_review_at_ms
 FROM review_cards c
 JOIN scopes s ON s.id = c.scope_id
 JOIN users u ON u.id = c.user_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND u.platform = $3 AND u.platform_user_id = $4 AND c.item_id = $5";

/// Cards due, all cards, and the next due time of the others.
const REVIEW_STATUS: &str =
    "SELECT COALESCE(SUM(CASE WHEN c.due_at_ms <= $5 THEN 1 ELSE 0 END), 0),
 COUNT(*),
 MIN(CASE WHEN c.due_at_ms > $5 THEN c.due_at_ms END)
 FROM review_cards c
 JOIN scopes s ON s.id = c.scope_id
 JOIN users u ON u.id = c.user_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 AND u.platform = $3 AND u.platform_user_id = $4";

/// Saving a card's new state.
const SAVE_CARD: &str =
    "INSERT INTO review_cards (scope_id, user_id, item_id, due_at_ms, stability,
 difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review_at_ms)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
 ON CONFLICT (scope_id, user_id, item_id) DO UPDATE SET
 due_at_ms = excluded.due_at_ms, stability = excluded.stability,
 difficulty = excluded.difficulty, elapsed_days = excluded.elapsed_days,
 scheduled_days = excluded.scheduled_days, reps = excluded.reps,
 lapses = excluded.lapses, state = excluded.state,
 last_review_at_ms = excluded.last_review_at_ms";

/// Logging a review answer.
const LOG_REVIEW: &str =
    "INSERT INTO review_log (scope_id, user_id, item_id, reviewed_at_ms, correct, due_at_ms)
 VALUES ($1, $2, $3, $4, $5, $6)";

/// `ReviewStore` on an engine: the statements are shared, and only the
/// pool's and the write transaction's types differ (`write_tx`), with the
/// engine's `keep_item`.
macro_rules! review_store {
    ($store:ty, $keep_item:path) => {
        #[async_trait]
        impl ReviewStore for $store {
            async fn due_reviews(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
                now: DateTime<Utc>,
                limit: u32,
            ) -> Result<Vec<DueItem>, StoreError> {
                let rows: Vec<CardRow> = sqlx::query_as(DUE_REVIEWS)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .bind(user.platform.as_str())
                    .bind(&user.id)
                    .bind(millis(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(CardRow::into_due).collect()
            }

            async fn unseen_items(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
                limit: u32,
            ) -> Result<Vec<AskedItem>, StoreError> {
                let rows: Vec<ItemRow> = sqlx::query_as(UNSEEN_ITEMS)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .bind(user.platform.as_str())
                    .bind(&user.id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map(ItemRow::into_asked).collect()
            }

            async fn seen_items(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
            ) -> Result<HashSet<String>, StoreError> {
                let ids: Vec<String> = sqlx::query_scalar(SEEN_ITEMS)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .bind(user.platform.as_str())
                    .bind(&user.id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(ids.into_iter().collect())
            }

            async fn review_card(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
                item_id: &str,
            ) -> Result<Option<ReviewCard>, StoreError> {
                let row: Option<CardRow> = sqlx::query_as(REVIEW_CARD)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .bind(user.platform.as_str())
                    .bind(&user.id)
                    .bind(item_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|row| row.card()).transpose()
            }

            async fn review_status(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
                now: DateTime<Utc>,
            ) -> Result<ReviewStatus, StoreError> {
                let row: (i64, i64, Option<i64>) = sqlx::query_as(REVIEW_STATUS)
                    .bind(scope.platform.as_str())
                    .bind(&scope.id)
                    .bind(user.platform.as_str())
                    .bind(&user.id)
                    .bind(millis(now))
                    .fetch_one(&self.pool)
                    .await?;
                review_status(user, row)
            }

            async fn record_review(
                &self,
                scope: &ScopeRef,
                user: &UserRef,
                item: &AskedItem,
                card: &ReviewCard,
                correct: bool,
                at: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                let mut tx = self.write_tx().await?;
                let scope_id = Self::scope_id(&mut tx, scope).await?;
                let user_id = Self::user_id(&mut tx, user).await?;
                $keep_item(&mut tx, scope_id, item, at).await?;
                sqlx::query(SAVE_CARD)
                    .bind(scope_id)
                    .bind(user_id)
                    .bind(&item.item_id)
                    .bind(millis(card.due))
                    .bind(card.stability)
                    .bind(card.difficulty)
                    .bind(card.elapsed_days)
                    .bind(card.scheduled_days)
                    .bind(card.reps)
                    .bind(card.lapses)
                    .bind(card.state)
                    .bind(millis(card.last_review))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(LOG_REVIEW)
                    .bind(scope_id)
                    .bind(user_id)
                    .bind(&item.item_id)
                    .bind(millis(at))
                    .bind(i64::from(correct))
                    .bind(millis(card.due))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

review_store!(SqliteStore, keep_item);
review_store!(PgStore, keep_item_pg);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::QuestionOrigin;
    use crate::identity::Platform;
    use crate::store::tests::at;
    use crate::store::tests::on_both_engines;

    fn asked(item_id: &str) -> AskedItem {
        AskedItem {
            item_id: item_id.into(),
            question: Question {
                id: item_id.into(),
                prompt: format!("Question {item_id}?"),
                choices: Vec::new(),
                answer_index: None,
                answers: vec!["1917".into()],
                source_sentence: Some(3),
                kind: "number".into(),
                origin: QuestionOrigin::Generated,
                explanation: None,
            },
        }
    }

    fn card(due: DateTime<Utc>, reps: i64) -> ReviewCard {
        ReviewCard {
            due,
            stability: 2.5 * reps as f64,
            difficulty: 4.75,
            elapsed_days: reps,
            scheduled_days: reps + 1,
            reps,
            lapses: 0,
            state: 2,
            last_review: at(6),
        }
    }

    on_both_engines! {
    /// Review status counts the due cards and names the next one; a review
    /// answer moves its card, is logged, and leaves the scores alone.
    async fn a_review_moves_its_card_and_the_status_follows(store, raw) {
        let scope = ScopeRef::new(Platform::Matrix, "!room");
        let ann = UserRef::new(Platform::Matrix, "@ann:hs", "Ann");
        let other = UserRef::new(Platform::Matrix, "@ben:hs", "Ben");
        store.record_review(&scope, &ann, &asked("a"), &card(at(7), 1), true, at(6)).await.unwrap();
        store.record_review(&scope, &ann, &asked("b"), &card(at(20), 1), true, at(6)).await.unwrap();
        store.record_review(&scope, &ann, &asked("c"), &card(at(22), 1), false, at(6)).await.unwrap();
        store.record_review(&scope, &other, &asked("d"), &card(at(7), 1), true, at(6)).await.unwrap();

        let status = store.review_status(&scope, &ann, at(8)).await.unwrap();
        assert_eq!(status, ReviewStatus { due: 1, cards: 3, next_due: Some(at(20)) });
        let due = store.due_reviews(&scope, &ann, at(8), 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].item_id.as_str(), &due[0].card), ("a", &card(at(7), 1)));
        assert_eq!(due[0].question, asked("a").question);

        store.record_review(&scope, &ann, &asked("a"), &card(at(23), 2), true, at(8)).await.unwrap();
        let moved = store.review_card(&scope, &ann, "a").await.unwrap().unwrap();
        assert_eq!(moved, card(at(23), 2));
        assert_eq!((moved.stability, moved.difficulty), (5.0, 4.75));
        let status = store.review_status(&scope, &ann, at(8)).await.unwrap();
        assert_eq!(status, ReviewStatus { due: 0, cards: 3, next_due: Some(at(20)) });
        assert!(store.due_reviews(&scope, &ann, at(8), 10).await.unwrap().is_empty());
        let later = store.review_status(&scope, &ann, at(23)).await.unwrap();
        assert_eq!(later, ReviewStatus { due: 3, cards: 3, next_due: None });

        let seen = store.seen_items(&scope, &ann).await.unwrap();
        assert_eq!(seen, ["a", "b", "c"].map(String::from).into_iter().collect());
        assert_eq!(store.unseen_items(&scope, &ann, 10).await.unwrap(), vec![asked("d")]);
        assert_eq!(raw.count("SELECT COUNT(*) FROM review_log").await, 5);
        assert_eq!(raw.count("SELECT COUNT(*) FROM review_log WHERE correct = 0").await, 1);
        assert_eq!(raw.count("SELECT COUNT(*) FROM scores").await, 0, "review never scores");
    }
    }
}
