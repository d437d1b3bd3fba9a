//! Question banks a scope imported in chat: one JSON document per
//! question, replaced by bank name. A stored question that no longer
//! decodes is an error naming its row, never silently dropped.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use crate::content::Question;
use crate::identity::ScopeRef;

use super::write::WriteTx;
use super::{BATCH_ROWS, PgStore, SqliteStore, StoreError, millis};

#[derive(sqlx::FromRow)]
struct StoredQuestion {
    id: i64,
    question_json: String,
}

/// Imported question banks, per scope.
#[async_trait]
pub trait BankStore: Send + Sync {
    /// Adds an imported bank's questions to a scope, replacing a bank of
    /// the same name. Returns how many questions the scope has now.
    async fn add_scope_bank(
        &self,
        scope: &ScopeRef,
        bank: &str,
        questions: &[Question],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError>;

    /// The questions a scope imported, in the order they were added.
    async fn scope_questions(&self, scope: &ScopeRef) -> Result<Vec<Question>, StoreError>;
}

#[async_trait]
impl BankStore for SqliteStore {
    async fn add_scope_bank(
        &self,
        scope: &ScopeRef,
        bank: &str,
        questions: &[Question],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let encoded = encode(questions)?;
        let mut tx = WriteTx::begin(&self.writer).await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        sqlx::query(DELETE_BANK)
            .bind(scope_id)
            .bind(bank)
            .execute(&mut *tx)
            .await?;
        for chunk in encoded.chunks(BATCH_ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO scope_questions (scope_id, bank, question_json, added_at_ms) ",
            );
            insert.push_values(chunk, |mut row, json| {
                row.push_bind(scope_id)
                    .push_bind(bank)
                    .push_bind(json)
                    .push_bind(millis(now));
            });
            insert.build().execute(&mut *tx).await?;
        }
        let total: i64 = sqlx::query_scalar(COUNT_QUESTIONS)
            .bind(scope_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(total)
    }

    async fn scope_questions(&self, scope: &ScopeRef) -> Result<Vec<Question>, StoreError> {
        let rows: Vec<StoredQuestion> = sqlx::query_as(SCOPE_QUESTIONS)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .fetch_all(&self.pool)
            .await?;
        decode(rows)
    }
}

#[async_trait]
impl BankStore for PgStore {
    async fn add_scope_bank(
        &self,
        scope: &ScopeRef,
        bank: &str,
        questions: &[Question],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let encoded = encode(questions)?;
        let mut tx = self.pool.begin().await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        sqlx::query(DELETE_BANK)
            .bind(scope_id)
            .bind(bank)
            .execute(&mut *tx)
            .await?;
        // In order, so ids (and reading order) follow the bank's order.
        sqlx::query(
            "INSERT INTO scope_questions (scope_id, bank, question_json, added_at_ms)
             SELECT $1, $2, q.json, $3 FROM UNNEST($4::TEXT[]) WITH ORDINALITY AS q (json, n)
             ORDER BY q.n",
        )
        .bind(scope_id)
        .bind(bank)
        .bind(millis(now))
        .bind(&encoded)
        .execute(&mut *tx)
        .await?;
        let total: i64 = sqlx::query_scalar(COUNT_QUESTIONS)
            .bind(scope_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(total)
    }

    async fn scope_questions(&self, scope: &ScopeRef) -> Result<Vec<Question>, StoreError> {
        let rows: Vec<StoredQuestion> = sqlx::query_as(SCOPE_QUESTIONS)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .fetch_all(&self.pool)
            .await?;
        decode(rows)
    }
}

const DELETE_BANK: &str = "DELETE FROM scope_questions WHERE scope_id = $1 AND bank = $2";

const COUNT_QUESTIONS: &str = "SELECT COUNT(*) FROM scope_questions WHERE scope_id = $1";

const SCOPE_QUESTIONS: &str =
    "SELECT q.id, q.question_json FROM scope_questions q JOIN scopes s ON s.id = q.scope_id
     WHERE s.platform = $1 AND s.platform_scope_id = $2 ORDER BY q.id";

/// The questions as JSON, or an error naming the one that did not serialise.
fn encode(questions: &[Question]) -> Result<Vec<String>, StoreError> {
    questions
        .iter()
        .map(|question| {
            serde_json::to_string(question).map_err(|error| StoreError::BadValue {
                what: format!("question {:?}", question.id),
                problem: error.to_string(),
            })
        })
        .collect()
}

/// Stored questions, or an error naming the row that no longer decodes.
fn decode(rows: Vec<StoredQuestion>) -> Result<Vec<Question>, StoreError> {
    rows.into_iter()
        .map(|row| {
            serde_json::from_str(&row.question_json)
                .map_err(|error| StoreError::bad_row("scope_questions", row.id, error))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::QuestionOrigin;
    use crate::identity::Platform;
    use crate::store::tests::on_both_engines;

    fn question(id: &str) -> Question {
        Question {
            id: id.into(),
            prompt: "Who?".into(),
            choices: vec!["Trotsky".into(), "Lenin".into()],
            answer_index: Some(0),
            answers: vec!["Trotsky".into()],
            source_sentence: None,
            kind: "bank".into(),
            origin: QuestionOrigin::Generated,
            explanation: None,
        }
    }

    on_both_engines! {
    async fn a_bank_replaces_its_namesake_and_a_broken_row_is_an_error_naming_it(store, raw) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let now = Utc::now();
        let total = store
            .add_scope_bank(&scope, "class", &[question("a"), question("b")], now)
            .await
            .unwrap();
        assert_eq!(total, 2);
        let total = store
            .add_scope_bank(&scope, "class", &[question("c")], now)
            .await
            .unwrap();
        assert_eq!(total, 1, "the bank of the same name was replaced");
        let total = store
            .add_scope_bank(&scope, "extra", &[question("d"), question("e")], now)
            .await
            .unwrap();
        assert_eq!(total, 3, "another bank is added beside it");
        assert_eq!(
            store.scope_questions(&scope).await.unwrap(),
            vec![question("c"), question("d"), question("e")],
            "in the order they were added"
        );
        store.add_scope_bank(&scope, "extra", &[], now).await.unwrap();
        let other = ScopeRef::new(Platform::Discord, "other");
        assert!(store.scope_questions(&other).await.unwrap().is_empty());
        let stored = store.scope_questions(&scope).await.unwrap();
        assert_eq!(stored, vec![question("c")]);

        raw.execute("UPDATE scope_questions SET question_json = '{\"id\": 3}'").await;
        let error = store.scope_questions(&scope).await.unwrap_err().to_string();
        assert!(
            error.starts_with("scope_questions row ") && error.contains("cannot be read"),
            "{error}"
        );
    }
    }
}
