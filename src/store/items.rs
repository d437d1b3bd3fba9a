//! Item-level records: which question (by its stable item id) each revealed
//! round asked, the choice each player gave, and the questions a scope has
//! been asked, kept as asked so a review can ask them again and a report
//! can name them. Missing a question in a quiz makes (or brings forward) a
//! review card for the player, due at once.
//!
//! The round itself (answers, points, running totals) is committed first
//! by [`QuizStore::record_round`](super::QuizStore::record_round); this
//! adds the item columns to those rows in a second, small transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::content::Question;
use crate::identity::{ScopeRef, UserRef};

use super::identity::{upsert_users, upsert_users_pg};
use super::write::WriteTx;
use super::{PgStore, SqliteStore, StoreError, millis};

/// A question as asked, under its stable item id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedItem {
    pub item_id: String,
    pub question: Question,
}

impl AskedItem {
    pub(super) fn json(&self) -> Result<String, StoreError> {
        serde_json::to_string(&self.question).map_err(|error| StoreError::BadValue {
            what: format!("question {:?}", self.item_id),
            problem: error.to_string(),
        })
    }
}

/// One player's answer to an item in a quiz round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemAnswer {
    pub user: UserRef,
    pub correct: bool,
    /// The choice's text, or what was typed; `None` when the player had
    /// joined but did not answer.
    pub choice: Option<String>,
}

/// Item-level records of quiz rounds.
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// Records which item a revealed round asked and each player's choice
    /// (on the rows [`record_round`](super::QuizStore::record_round) wrote),
    /// keeps the item as asked, and makes each player who missed it (wrong
    /// or no answer) a review card due at `at`, or brings theirs forward.
    async fn record_round_items(
        &self,
        session_id: i64,
        round: u32,
        scope: &ScopeRef,
        item: &AskedItem,
        answers: &[ItemAnswer],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// Keeping an item as first asked (the same SQL on both engines; a later
/// asking changes nothing).
const KEEP_ITEM: &str = "INSERT INTO quiz_items
   (scope_id, item_id, prompt, answer, question_json, first_asked_at_ms)
 VALUES ($1, $2, $3, $4, $5, $6)
 ON CONFLICT (scope_id, item_id) DO NOTHING";

/// Keeps `item` in `quiz_items` (the first asking stays).
pub(super) async fn keep_item(
    tx: &mut sqlx::SqliteConnection,
    scope_id: i64,
    item: &AskedItem,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(KEEP_ITEM)
        .bind(scope_id)
        .bind(&item.item_id)
        .bind(&item.question.prompt)
        .bind(item.question.answer())
        .bind(item.json()?)
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// [`keep_item`] on PostgreSQL.
pub(super) async fn keep_item_pg(
    tx: &mut sqlx::PgConnection,
    scope_id: i64,
    item: &AskedItem,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(KEEP_ITEM)
        .bind(scope_id)
        .bind(&item.item_id)
        .bind(&item.question.prompt)
        .bind(item.question.answer())
        .bind(item.json()?)
        .bind(millis(at))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Recording an answer's item and choice on the row the round wrote.
const ANSWER_ITEM: &str = "UPDATE quiz_answers SET item_id = $1, choice = $2
 WHERE session_id = $3 AND round = $4 AND user_id = $5";

/// A missed item's card: a new card is due now; an existing one is due no
/// later than now.
const MISSED_CARD: &str =
    "INSERT INTO review_cards (scope_id, user_id, item_id, due_at_ms, stability,
     difficulty, elapsed_days, scheduled_days, reps, lapses, state, last_review_at_ms)
 VALUES ($1, $2, $3, $4, 0, 0, 0, 0, 0, 0, 0, $4)
 ON CONFLICT (scope_id, user_id, item_id) DO UPDATE SET
     due_at_ms = CASE WHEN review_cards.due_at_ms < excluded.due_at_ms
                      THEN review_cards.due_at_ms ELSE excluded.due_at_ms END";

#[async_trait]
impl ItemStore for SqliteStore {
    async fn record_round_items(
        &self,
        session_id: i64,
        round: u32,
        scope: &ScopeRef,
        item: &AskedItem,
        answers: &[ItemAnswer],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        keep_item(&mut tx, scope_id, item, at).await?;
        let users: Vec<&UserRef> = answers.iter().map(|a| &a.user).collect();
        let ids = upsert_users(&mut tx, &users).await?;
        for answer in answers {
            let Some(&user_id) = ids.get(&(answer.user.platform, answer.user.id.clone())) else {
                continue;
            };
            sqlx::query(ANSWER_ITEM)
                .bind(&item.item_id)
                .bind(answer.choice.as_deref())
                .bind(session_id)
                .bind(i64::from(round))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if answer.correct {
                continue;
            }
            sqlx::query(MISSED_CARD)
                .bind(scope_id)
                .bind(user_id)
                .bind(&item.item_id)
                .bind(millis(at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl ItemStore for PgStore {
    async fn record_round_items(
        &self,
        session_id: i64,
        round: u32,
        scope: &ScopeRef,
        item: &AskedItem,
        answers: &[ItemAnswer],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        keep_item_pg(&mut tx, scope_id, item, at).await?;
        let users: Vec<&UserRef> = answers.iter().map(|a| &a.user).collect();
        let ids = upsert_users_pg(&mut tx, &users).await?;
        // In user id order, one row per user: concurrent writers lock rows
        // in one order, and no statement touches a row twice.
        let mut rows: Vec<(i64, &ItemAnswer)> = answers
            .iter()
            .filter_map(|answer| {
                ids.get(&(answer.user.platform, answer.user.id.clone()))
                    .map(|&user_id| (user_id, answer))
            })
            .collect();
        rows.sort_by_key(|(user_id, _)| *user_id);
        rows.dedup_by_key(|(user_id, _)| *user_id);
        for (user_id, answer) in &rows {
            sqlx::query(ANSWER_ITEM)
                .bind(&item.item_id)
                .bind(answer.choice.as_deref())
                .bind(session_id)
                .bind(i64::from(round))
                .bind(*user_id)
                .execute(&mut *tx)
                .await?;
            if !answer.correct {
                sqlx::query(MISSED_CARD)
                    .bind(scope_id)
                    .bind(*user_id)
                    .bind(&item.item_id)
                    .bind(millis(at))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::QuestionOrigin;
    use crate::identity::{ChannelRef, Platform};
    use crate::store::RoundAnswer;
    use crate::store::tests::at;
    use crate::store::tests::on_both_engines;

    fn asked(item_id: &str, prompt: &str) -> AskedItem {
        AskedItem {
            item_id: item_id.into(),
            question: Question {
                id: item_id.into(),
                prompt: prompt.into(),
                choices: vec!["Trotsky".into(), "Lenin".into()],
                answer_index: Some(0),
                answers: vec!["Trotsky".into()],
                source_sentence: None,
                kind: "person".into(),
                origin: QuestionOrigin::Generated,
                explanation: None,
            },
        }
    }

    on_both_engines! {
    /// A revealed round's item and choices land on its answer rows, the
    /// item is kept as first asked, and only the player who missed it gets
    /// a card, due at once; missing it again never pushes the card later.
    async fn a_missed_item_is_recorded_and_makes_a_card_due_at_once(store, raw) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "c");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let ben = UserRef::new(Platform::Discord, "2", "Ben");
        let session = store.start_quiz_session(&channel, &ann, 2, "test", at(8)).await.unwrap();
        let answer = |user: &UserRef, correct: bool| RoundAnswer {
            user: user.clone(),
            correct,
            points: if correct { 10 } else { 0 },
            response_ms: 1000,
            streak: u32::from(correct),
        };
        let item = asked("item-1", "Who led the Red Army?");
        for (round, hour) in [(1, 9), (2, 8)] {
            store
                .record_round(session, round, &scope, &[answer(&ann, true), answer(&ben, false)], at(hour))
                .await
                .unwrap();
            let reworded = asked("item-1", &format!("Asked in round {round}"));
            store
                .record_round_items(
                    session,
                    round,
                    &scope,
                    if round == 1 { &item } else { &reworded },
                    &[
                        ItemAnswer { user: ann.clone(), correct: true, choice: Some("Trotsky".into()) },
                        ItemAnswer { user: ben.clone(), correct: false, choice: Some("Lenin".into()) },
                    ],
                    at(hour),
                )
                .await
                .unwrap();
        }
        assert_eq!(
            raw.count("SELECT COUNT(*) FROM quiz_answers a JOIN users u ON u.id = a.user_id
                       WHERE a.item_id = 'item-1' AND u.platform_user_id = '2' AND a.choice = 'Lenin'")
                .await,
            2
        );
        assert_eq!(
            raw.count("SELECT COUNT(*) FROM quiz_items WHERE prompt = 'Who led the Red Army?'").await,
            1,
            "the item stays as first asked"
        );
        assert_eq!(store.review_card(&scope, &ann, "item-1").await.unwrap(), None);
        let card = store.review_card(&scope, &ben, "item-1").await.unwrap().unwrap();
        assert_eq!((card.due, card.reps, card.state), (at(8), 0, 0));
        let due = store.due_reviews(&scope, &ben, at(8), 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].question, item.question);
        assert!(store.seen_items(&scope, &ann).await.unwrap().contains("item-1"));
        assert_eq!(raw.count("SELECT COUNT(*) FROM review_cards").await, 1);
    }
    }
}
