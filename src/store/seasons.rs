//! Seasons: numbered periods a scope's admins start. Only the start of
//! each is kept; the season leaderboard is the answers since the current
//! season's start (through the period leaderboard), and the all-time totals
//! are never reset.
//!
//! A season's number is the scope's highest plus one. On SQLite the one
//! writer makes that safe; on PostgreSQL, where several processes write at
//! once, a start first locks the scope's row, so concurrent starts in one
//! scope take their numbers one after the other (and the primary key on
//! scope and number would refuse a duplicate regardless).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::identity::{ScopeRef, UserRef};

use super::write::WriteTx;
use super::{PgStore, SqliteStore, StoreError, instant, millis};

/// A scope's season.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Season {
    /// 1 for the first season started.
    pub number: i64,
    pub started_at: DateTime<Utc>,
}

/// Starting the scope's next season, numbered after its highest.
const NEXT_SEASON: &str = "INSERT INTO seasons (scope_id, number, started_at_ms, started_by)
 SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3 FROM seasons WHERE scope_id = $1
 RETURNING number";

/// The scope's latest season.
const CURRENT_SEASON: &str = "SELECT se.number, se.started_at_ms
 FROM seasons se JOIN scopes s ON s.id = se.scope_id
 WHERE s.platform = $1 AND s.platform_scope_id = $2
 ORDER BY se.number DESC LIMIT 1";

/// A stored (number, start) as a season.
fn season((number, at): (i64, i64)) -> Result<Season, StoreError> {
    Ok(Season {
        number,
        started_at: instant("seasons", number, at)?,
    })
}

/// Seasons per scope.
#[async_trait]
pub trait SeasonStore: Send + Sync {
    /// Starts the scope's next season at `at` and returns it.
    async fn start_season(
        &self,
        scope: &ScopeRef,
        by: &UserRef,
        at: DateTime<Utc>,
    ) -> Result<Season, StoreError>;

    /// The scope's current season, if one was ever started.
    async fn current_season(&self, scope: &ScopeRef) -> Result<Option<Season>, StoreError>;
}

#[async_trait]
impl SeasonStore for SqliteStore {
    async fn start_season(
        &self,
        scope: &ScopeRef,
        by: &UserRef,
        at: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let mut tx = WriteTx::begin(&self.writer).await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        let user_id = Self::user_id(&mut tx, by).await?;
        let number: i64 = sqlx::query_scalar(NEXT_SEASON)
            .bind(scope_id)
            .bind(millis(at))
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Season {
            number,
            started_at: at,
        })
    }

    async fn current_season(&self, scope: &ScopeRef) -> Result<Option<Season>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(CURRENT_SEASON)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(season).transpose()
    }
}

#[async_trait]
impl SeasonStore for PgStore {
    async fn start_season(
        &self,
        scope: &ScopeRef,
        by: &UserRef,
        at: DateTime<Utc>,
    ) -> Result<Season, StoreError> {
        let mut tx = self.pool.begin().await?;
        let scope_id = Self::scope_id(&mut tx, scope).await?;
        let user_id = Self::user_id(&mut tx, by).await?;
        // The scope's row lock orders concurrent starts: the second waits
        // for the first to commit, and its next statement (a new snapshot
        // under READ COMMITTED) sees the first one's season.
        sqlx::query("SELECT id FROM scopes WHERE id = $1 FOR UPDATE")
            .bind(scope_id)
            .execute(&mut *tx)
            .await?;
        let number: i64 = sqlx::query_scalar(NEXT_SEASON)
            .bind(scope_id)
            .bind(millis(at))
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Season {
            number,
            started_at: at,
        })
    }

    async fn current_season(&self, scope: &ScopeRef) -> Result<Option<Season>, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(CURRENT_SEASON)
            .bind(scope.platform.as_str())
            .bind(&scope.id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(season).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{ChannelRef, Platform};
    use crate::store::tests::at;
    use crate::store::tests::on_both_engines;
    use crate::store::{RoundAnswer, Store};

    on_both_engines! {
    /// A new season empties the season leaderboard while the all-time
    /// totals stay; two processes starting seasons at once get the next
    /// two numbers, never the same one.
    async fn a_season_resets_its_leaderboard_but_not_the_totals(store, raw, location) {
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let channel = ChannelRef::new(scope.clone(), "c");
        let ann = UserRef::new(Platform::Discord, "1", "Ann");
        let ben = UserRef::new(Platform::Discord, "2", "Ben");
        let answer = |user: &UserRef, points| RoundAnswer {
            user: user.clone(),
            correct: true,
            points,
            response_ms: 1000,
            streak: 1,
        };
        assert_eq!(store.current_season(&scope).await.unwrap(), None);
        let session = store.start_quiz_session(&channel, &ann, 2, "test", at(8)).await.unwrap();
        store.record_round(session, 1, &scope, &[answer(&ann, 10)], at(8)).await.unwrap();

        let first = store.start_season(&scope, &ann, at(9)).await.unwrap();
        assert_eq!(first, Season { number: 1, started_at: at(9) });
        assert_eq!(store.current_season(&scope).await.unwrap(), Some(first));
        let season_board = store.leaderboard(&scope, Some(first.started_at), 10).await.unwrap();
        assert!(season_board.is_empty(), "{season_board:?}");
        store.record_round(session, 2, &scope, &[answer(&ben, 5)], at(10)).await.unwrap();
        let season_board = store.leaderboard(&scope, Some(first.started_at), 10).await.unwrap();
        assert_eq!(
            season_board.iter().map(|r| (r.user_id.as_str(), r.points)).collect::<Vec<_>>(),
            [("2", 5)]
        );
        let all_time = store.leaderboard(&scope, None, 10).await.unwrap();
        assert_eq!(
            all_time.iter().map(|r| (r.user_id.as_str(), r.points)).collect::<Vec<_>>(),
            [("1", 10), ("2", 5)]
        );

        let other = Store::open(&location).await.unwrap();
        let (a, b) = tokio::join!(
            store.start_season(&scope, &ann, at(11)),
            other.start_season(&scope, &ben, at(11))
        );
        let mut numbers = [a.unwrap().number, b.unwrap().number];
        numbers.sort();
        assert_eq!(numbers, [2, 3]);
        assert_eq!(store.current_season(&scope).await.unwrap().map(|s| s.number), Some(3));
        let elsewhere = ScopeRef::new(Platform::Discord, "other guild");
        assert_eq!(store.start_season(&elsewhere, &ann, at(12)).await.unwrap().number, 1);
        assert_eq!(raw.count("SELECT COUNT(*) FROM seasons").await, 4);
        other.close().await;
    }
    }
}
