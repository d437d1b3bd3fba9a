//! Standings: a player's score card, finding a player by name, and the
//! leaderboards (all time from the running totals, or since a moment and
//! per quiz session from the answers, through one aggregate query).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder, Sqlite};

use crate::identity::{ScopeRef, UserRef};

use super::{PgStore, SqliteStore, StoreError, millis, platform};

/// A user's standing in a scope.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ScoreCard {
    pub display_name: String,
    pub points: i64,
    pub answered: i64,
    pub correct: i64,
    pub best_streak: i64,
    /// 1-based rank by points in the scope.
    pub rank: i64,
    /// How many players have a score in the scope.
    pub players: i64,
}

/// One leaderboard line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeaderboardRow {
    pub user_id: String,
    pub display_name: String,
    pub points: i64,
    pub correct: i64,
    pub answered: i64,
}

#[derive(sqlx::FromRow)]
struct PlayerRow {
    id: i64,
    platform: String,
    platform_user_id: String,
    display_name: String,
}

impl PlayerRow {
    fn user(self) -> Result<UserRef, StoreError> {
        Ok(UserRef::new(
            platform("users", self.id, &self.platform)?,
            self.platform_user_id,
            self.display_name,
        ))
    }
}

/// A player's standing in a scope (the same SQL on both engines).
const SCORE_CARD: &str =
    "SELECT u.display_name, sc.points, sc.answered, sc.correct, sc.best_streak,
            (SELECT COUNT(*) FROM scores o WHERE o.scope_id = sc.scope_id AND o.points > sc.points) + 1 AS rank,
            (SELECT COUNT(*) FROM scores o WHERE o.scope_id = sc.scope_id) AS players
     FROM scores sc
     JOIN users u ON u.id = sc.user_id
     JOIN scopes s ON s.id = sc.scope_id
     WHERE s.platform = $1 AND s.platform_scope_id = $2
       AND u.platform = $3 AND u.platform_user_id = $4";

/// A scope's player by name or id, best first.
const FIND_PLAYER: &str = "SELECT u.id, u.platform, u.platform_user_id, u.display_name
     FROM scores sc JOIN users u ON u.id = sc.user_id JOIN scopes s ON s.id = sc.scope_id
     WHERE s.platform = $1 AND s.platform_scope_id = $2
       AND (LOWER(u.display_name) = LOWER($3) OR u.platform_user_id = $3)
     ORDER BY sc.points DESC LIMIT 1";

/// The all-time leaderboard, from the running totals.
const ALL_TIME_LEADERBOARD: &str =
    "SELECT u.platform_user_id AS user_id, u.display_name, sc.points, sc.correct, sc.answered
     FROM scores sc JOIN users u ON u.id = sc.user_id JOIN scopes s ON s.id = sc.scope_id
     WHERE s.platform = $1 AND s.platform_scope_id = $2
     ORDER BY sc.points DESC, sc.correct DESC, u.display_name LIMIT $3";

/// Which answers a leaderboard adds up.
pub(super) enum Answers<'a> {
    /// A scope's answers at or after a moment.
    ScopeSince(&'a ScopeRef, DateTime<Utc>),
    /// One quiz session's answers.
    Session(i64),
}

/// Points, right answers and answers per player from `quiz_answers`, best
/// first: the one query behind period leaderboards and a quiz's results.
pub(super) async fn answer_totals(
    pool: &sqlx::SqlitePool,
    answers: Answers<'_>,
    limit: Option<u32>,
) -> Result<Vec<LeaderboardRow>, StoreError> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT u.platform_user_id AS user_id, u.display_name, SUM(a.points) AS points,
                SUM(a.correct) AS correct, COUNT(*) AS answered
         FROM quiz_answers a JOIN users u ON u.id = a.user_id ",
    );
    push_answer_filter(&mut query, answers, limit);
    Ok(query.build_query_as().fetch_all(pool).await?)
}

/// [`answer_totals`] on PostgreSQL, where `SUM` of BIGINT is NUMERIC.
pub(super) async fn answer_totals_pg(
    pool: &sqlx::PgPool,
    answers: Answers<'_>,
    limit: Option<u32>,
) -> Result<Vec<LeaderboardRow>, StoreError> {
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT u.platform_user_id AS user_id, u.display_name, SUM(a.points)::BIGINT AS points,
                SUM(a.correct)::BIGINT AS correct, COUNT(*) AS answered
         FROM quiz_answers a JOIN users u ON u.id = a.user_id ",
    );
    push_answer_filter(&mut query, answers, limit);
    Ok(query.build_query_as().fetch_all(pool).await?)
}

/// The `WHERE … GROUP BY … ORDER BY … LIMIT` both engines share.
fn push_answer_filter<DB>(query: &mut QueryBuilder<DB>, answers: Answers<'_>, limit: Option<u32>)
where
    DB: sqlx::Database,
    for<'t> &'t str: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    match answers {
        Answers::ScopeSince(scope, since) => {
            query.push("JOIN scopes s ON s.id = a.scope_id WHERE s.platform = ");
            query.push_bind(scope.platform.as_str());
            query.push(" AND s.platform_scope_id = ");
            query.push_bind(scope.id.clone());
            query.push(" AND a.answered_at_ms >= ");
            query.push_bind(millis(since));
        }
        Answers::Session(session_id) => {
            query.push("WHERE a.session_id = ");
            query.push_bind(session_id);
        }
    }
    query.push(
        " GROUP BY u.id, u.platform_user_id, u.display_name
         ORDER BY points DESC, correct DESC, u.display_name",
    );
    if let Some(limit) = limit {
        query.push(" LIMIT ");
        query.push_bind(i64::from(limit));
    }
}

/// Standings and leaderboards.
#[async_trait]
pub trait ScoreStore: Send + Sync {
    /// A user's all-time standing in a scope, if they have played there.
    async fn score(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
    ) -> Result<Option<ScoreCard>, StoreError>;

    /// Finds a user of the scope by display name (case-insensitive) or id,
    /// for `/score NAME`.
    async fn find_player(
        &self,
        scope: &ScopeRef,
        name: &str,
    ) -> Result<Option<UserRef>, StoreError>;

    /// The top players of a scope: all time when `since` is `None`, else by
    /// points earned at or after `since`.
    async fn leaderboard(
        &self,
        scope: &ScopeRef,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<LeaderboardRow>, StoreError>;
}

#[async_trait]
impl ScoreStore for SqliteStore {
    async fn score(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
    ) -> Result<Option<ScoreCard>, StoreError> {
        Ok(sqlx::query_as(SCORE_CARD)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .bind(user.platform.as_str())
            .bind(&user.id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn find_player(
        &self,
        scope: &ScopeRef,
        name: &str,
    ) -> Result<Option<UserRef>, StoreError> {
        let row: Option<PlayerRow> = sqlx::query_as(FIND_PLAYER)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(PlayerRow::user).transpose()
    }

    async fn leaderboard(
        &self,
        scope: &ScopeRef,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<LeaderboardRow>, StoreError> {
        match since {
            Some(since) => {
                answer_totals(&self.pool, Answers::ScopeSince(scope, since), Some(limit)).await
            }
            None => Ok(sqlx::query_as(ALL_TIME_LEADERBOARD)
                .bind(scope.platform.as_str())
                .bind(&scope.id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?),
        }
    }
}

#[async_trait]
impl ScoreStore for PgStore {
    async fn score(
        &self,
        scope: &ScopeRef,
        user: &UserRef,
    ) -> Result<Option<ScoreCard>, StoreError> {
        Ok(sqlx::query_as(SCORE_CARD)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .bind(user.platform.as_str())
            .bind(&user.id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn find_player(
        &self,
        scope: &ScopeRef,
        name: &str,
    ) -> Result<Option<UserRef>, StoreError> {
        let row: Option<PlayerRow> = sqlx::query_as(FIND_PLAYER)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(PlayerRow::user).transpose()
    }

    async fn leaderboard(
        &self,
        scope: &ScopeRef,
        since: Option<DateTime<Utc>>,
        limit: u32,
    ) -> Result<Vec<LeaderboardRow>, StoreError> {
        match since {
            Some(since) => {
                answer_totals_pg(&self.pool, Answers::ScopeSince(scope, since), Some(limit)).await
            }
            None => Ok(sqlx::query_as(ALL_TIME_LEADERBOARD)
                .bind(scope.platform.as_str())
                .bind(&scope.id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{ChannelRef, Platform};
    use crate::store::tests::at;
    use crate::store::tests::on_both_engines;
    use crate::store::{QuizStore, RoundAnswer};

    /// A value someone changed by hand in the database (`scores.points` set
    /// to text) is an error the caller can report, never a panic.
    #[tokio::test]
    async fn finding_11_a_tampered_value_is_an_error_not_a_panic() {
        let (_dir, store) = crate::store::tests::temp_sqlite().await;
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "c");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let session = store
            .start_quiz_session(&channel, &ann, 1, "test", at(8))
            .await
            .unwrap();
        let answer = RoundAnswer {
            user: ann.clone(),
            correct: true,
            points: 10,
            response_ms: 1000,
            streak: 1,
        };
        store
            .record_round(session, 1, &scope, &[answer], at(8))
            .await
            .unwrap();
        sqlx::query("UPDATE scores SET points = 'lots'")
            .execute(&store.writer)
            .await
            .unwrap();
        assert!(store.score(&scope, &ann).await.is_err());
        assert!(store.leaderboard(&scope, None, 10).await.is_err());
    }

    on_both_engines! {
    async fn standings_rank_players_and_periods_count_only_recent_answers(store, raw) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "c");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let ben = UserRef::new(Platform::Discord, "2", "Ben");
        let session = store
            .start_quiz_session(&channel, &ann, 2, "test", at(8))
            .await
            .unwrap();
        let answer = |user: &UserRef, points| RoundAnswer {
            user: user.clone(),
            correct: points > 0,
            points,
            response_ms: 1000,
            streak: u32::from(points > 0),
        };
        store
            .record_round(
                session,
                1,
                &scope,
                &[answer(&ann, 10), answer(&ben, 0)],
                at(8),
            )
            .await
            .unwrap();
        store
            .record_round(session, 2, &scope, &[answer(&ben, 7)], at(12))
            .await
            .unwrap();

        let card = store.score(&scope, &ann).await.unwrap().unwrap();
        assert_eq!((card.points, card.rank, card.players), (10, 1, 2));
        let card = store.score(&scope, &ben).await.unwrap().unwrap();
        assert_eq!(
            (card.points, card.answered, card.correct, card.rank),
            (7, 2, 1, 2)
        );
        let all = store.leaderboard(&scope, None, 10).await.unwrap();
        assert_eq!(all[0].display_name, "Ann");
        let since_noon = store.leaderboard(&scope, Some(at(12)), 10).await.unwrap();
        assert_eq!(since_noon.len(), 1);
        assert_eq!(
            (since_noon[0].user_id.as_str(), since_noon[0].points),
            ("2", 7)
        );
        let results = store.session_results(session).await.unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(
            store.find_player(&scope, "ben").await.unwrap(),
            Some(ben.clone())
        );
        assert_eq!(store.find_player(&scope, "2").await.unwrap(), Some(ben));
        assert_eq!(store.find_player(&scope, "cat").await.unwrap(), None);
    }
    }
}
