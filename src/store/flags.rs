//! Flags and retirements of quiz questions, per scope: players report a
//! question as wrong, admins see the reports and retire questions from the
//! scope's quizzes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::identity::{ScopeRef, UserRef};

use super::write::WriteTx;
use super::{PgStore, SqliteStore, StoreError, millis};

/// Reports on one question, for admins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedQuestion {
    pub question_id: String,
    pub prompt: String,
    pub flags: i64,
    /// Each player's reason, with their name.
    pub reasons: Vec<(String, String)>,
    pub retired: bool,
}

/// Flagged and retired questions, per scope.
#[async_trait]
pub trait FlagStore: Send + Sync {
    /// Records (or updates) a player's flag on a question.
    async fn flag_question(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        question_id: &str,
        prompt: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The flagged questions of a scope, most flagged first.
    async fn question_flags(&self, scope: &ScopeRef) -> Result<Vec<FlaggedQuestion>, StoreError>;

    /// Takes a question out of the scope's quizzes (`retire`), or puts it back.
    async fn set_question_retired(
        &self,
        scope: &ScopeRef,
        by: &UserRef,
        question_id: &str,
        retire: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The ids of the questions retired in a scope.
    async fn retired_questions(&self, scope: &ScopeRef) -> Result<Vec<String>, StoreError>;
}

#[async_trait]
impl FlagStore for SqliteStore {
    async fn flag_question(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        question_id: &str,
        prompt: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        let user_id = Self::user_id(&mut tx, user).await?;
        sqlx::query(FLAG)
            .bind(scope_id)
            .bind(question_id)
            .bind(user_id)
            .bind(prompt)
            .bind(reason)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn question_flags(&self, scope: &ScopeRef) -> Result<Vec<FlaggedQuestion>, StoreError> {
        let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT f.question_id, f.prompt, u.display_name, f.reason,
                    EXISTS (SELECT 1 FROM retired_questions r
                            WHERE r.scope_id = f.scope_id AND r.question_id = f.question_id)
             FROM question_flags f
             JOIN scopes s ON s.id = f.scope_id
             JOIN users u ON u.id = f.user_id
             WHERE s.platform = $1 AND s.platform_scope_id = $2
             ORDER BY f.question_id, f.flagged_at_ms",
        )
        .bind(scope.platform.as_str())
        .bind(&scope.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(group_flags(rows.into_iter()))
    }

    async fn set_question_retired(
        &self,
        scope: &ScopeRef,
        by: &UserRef,
        question_id: &str,
        retire: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        if retire {
            let user_id = Self::user_id(&mut tx, by).await?;
            sqlx::query(RETIRE)
                .bind(scope_id)
                .bind(question_id)
                .bind(user_id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(UNRETIRE)
                .bind(scope_id)
                .bind(question_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn retired_questions(&self, scope: &ScopeRef) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(RETIRED)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .fetch_all(&self.pool)
            .await?)
    }
}

#[async_trait]
impl FlagStore for PgStore {
    async fn flag_question(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
        question_id: &str,
        prompt: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        let user_id = Self::user_id(&mut tx, user).await?;
        sqlx::query(FLAG)
            .bind(scope_id)
            .bind(question_id)
            .bind(user_id)
            .bind(prompt)
            .bind(reason)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn question_flags(&self, scope: &ScopeRef) -> Result<Vec<FlaggedQuestion>, StoreError> {
        // EXISTS is a boolean here, an integer in SQLite.
        let rows: Vec<(String, String, String, String, bool)> = sqlx::query_as(
            "SELECT f.question_id, f.prompt, u.display_name, f.reason,
                    EXISTS (SELECT 1 FROM retired_questions r
                            WHERE r.scope_id = f.scope_id AND r.question_id = f.question_id)
             FROM question_flags f
             JOIN scopes s ON s.id = f.scope_id
             JOIN users u ON u.id = f.user_id
             WHERE s.platform = $1 AND s.platform_scope_id = $2
             ORDER BY f.question_id, f.flagged_at_ms",
        )
        .bind(scope.platform.as_str())
        .bind(&scope.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(group_flags(rows.into_iter().map(
            |(question_id, prompt, name, reason, retired)| {
                (question_id, prompt, name, reason, i64::from(retired))
            },
        )))
    }

    async fn set_question_retired(
        &self,
        scope: &ScopeRef,
        by: &UserRef,
        question_id: &str,
        retire: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        if retire {
            let user_id = Self::user_id(&mut tx, by).await?;
            sqlx::query(RETIRE)
                .bind(scope_id)
                .bind(question_id)
                .bind(user_id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(UNRETIRE)
                .bind(scope_id)
                .bind(question_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn retired_questions(&self, scope: &ScopeRef) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(RETIRED)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .fetch_all(&self.pool)
            .await?)
    }
}

const FLAG: &str =
    "INSERT INTO question_flags (scope_id, question_id, user_id, prompt, reason, flagged_at_ms)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (scope_id, question_id, user_id)
     DO UPDATE SET reason = excluded.reason, flagged_at_ms = excluded.flagged_at_ms";

const RETIRE: &str =
    "INSERT INTO retired_questions (scope_id, question_id, retired_by, retired_at_ms)
     VALUES ($1, $2, $3, $4) ON CONFLICT (scope_id, question_id) DO NOTHING";

const UNRETIRE: &str = "DELETE FROM retired_questions WHERE scope_id = $1 AND question_id = $2";

const RETIRED: &str =
    "SELECT r.question_id FROM retired_questions r JOIN scopes s ON s.id = r.scope_id
     WHERE s.platform = $1 AND s.platform_scope_id = $2 ORDER BY r.question_id";

/// Flag rows (question, prompt, player, reason, retired) in question order,
/// grouped per question, most flagged first.
fn group_flags(
    rows: impl Iterator<Item = (String, String, String, String, i64)>,
) -> Vec<FlaggedQuestion> {
    let mut flagged: Vec<FlaggedQuestion> = Vec::new();
    for (question_id, prompt, name, reason, retired) in rows {
        match flagged.last_mut() {
            Some(last) if last.question_id == question_id => {
                last.flags += 1;
                last.reasons.push((name, reason));
            }
            _ => flagged.push(FlaggedQuestion {
                question_id,
                prompt,
                flags: 1,
                reasons: vec![(name, reason)],
                retired: retired != 0,
            }),
        }
    }
    flagged.sort_by(|a, b| {
        b.flags
            .cmp(&a.flags)
            .then_with(|| a.question_id.cmp(&b.question_id))
    });
    flagged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Platform;
    use crate::store::tests::on_both_engines;

    on_both_engines! {
    async fn flags_and_retirements_are_kept_per_scope(store, raw) {
        let class = ScopeRef::new(Platform::Discord, "class");
        let other = ScopeRef::new(Platform::Discord, "other");
        let alice = UserRef::new(Platform::Discord, "a", "alice");
        let bob = UserRef::new(Platform::Discord, "b", "bob");
        let now = Utc::now();
        store
            .flag_question(&class, &alice, "q1", "Who?", "two answers fit", now)
            .await
            .unwrap();
        store
            .flag_question(&class, &bob, "q1", "Who?", "wrong", now)
            .await
            .unwrap();
        store
            .flag_question(&class, &alice, "q1", "Who?", "both fit", now)
            .await
            .unwrap();
        store
            .flag_question(&class, &bob, "q2", "When?", "typo", now)
            .await
            .unwrap();
        let flags = store.question_flags(&class).await.unwrap();
        assert_eq!(flags.len(), 2);
        assert_eq!((flags[0].question_id.as_str(), flags[0].flags), ("q1", 2));
        assert!(
            flags[0]
                .reasons
                .contains(&("alice".into(), "both fit".into()))
        );
        assert!(store.question_flags(&other).await.unwrap().is_empty());

        store
            .set_question_retired(&class, &alice, "q1", true, now)
            .await
            .unwrap();
        store
            .set_question_retired(&class, &alice, "q1", true, now)
            .await
            .unwrap();
        assert_eq!(store.retired_questions(&class).await.unwrap(), ["q1"]);
        assert!(store.retired_questions(&other).await.unwrap().is_empty());
        assert!(store.question_flags(&class).await.unwrap()[0].retired);
        store
            .set_question_retired(&class, &alice, "q1", false, now)
            .await
            .unwrap();
        assert!(store.retired_questions(&class).await.unwrap().is_empty());
    }
    }
}
