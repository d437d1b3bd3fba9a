//! Users and scopes: `(platform, id)` rows every other table points at.
//! One multi-row upsert each, used for one row and for many alike; the
//! PostgreSQL versions sort their rows first, so concurrent transactions
//! (several processes, several committers) lock rows in one order and
//! cannot deadlock each other.

use std::collections::HashMap;

use sqlx::{PgConnection, Postgres, QueryBuilder, Sqlite, SqliteConnection};

use crate::identity::{Platform, ScopeRef, UserRef};

use super::{BATCH_ROWS, PgStore, SqliteStore, StoreError, platform};

/// A row id by `(platform, platform's id)`.
pub(super) type Ids = HashMap<(Platform, String), i64>;

#[derive(sqlx::FromRow)]
struct IdRow {
    id: i64,
    platform: String,
    key: String,
}

impl IdRow {
    fn entry(self, table: &'static str) -> Result<((Platform, String), i64), StoreError> {
        Ok((
            (platform(table, self.id, &self.platform)?, self.key),
            self.id,
        ))
    }
}

/// Inserts the users (or updates their display names) and returns their ids.
pub(super) async fn upsert_users(
    tx: &mut SqliteConnection,
    users: &[&UserRef],
) -> Result<Ids, StoreError> {
    let mut ids = Ids::new();
    for chunk in users.chunks(BATCH_ROWS) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO users (platform, platform_user_id, display_name) ",
        );
        insert.push_values(chunk, |mut row, user| {
            row.push_bind(user.platform.as_str())
                .push_bind(&user.id)
                .push_bind(&user.display_name);
        });
        insert.push(
            " ON CONFLICT (platform, platform_user_id) DO UPDATE SET display_name = excluded.display_name
             RETURNING id, platform, platform_user_id AS key",
        );
        for row in insert.build_query_as::<IdRow>().fetch_all(&mut *tx).await? {
            let (key, id) = row.entry("users")?;
            ids.insert(key, id);
        }
    }
    Ok(ids)
}

/// Inserts the scopes that are new and returns every scope's id.
pub(super) async fn upsert_scopes(
    tx: &mut SqliteConnection,
    scopes: &[&ScopeRef],
) -> Result<Ids, StoreError> {
    let mut ids = Ids::new();
    for chunk in scopes.chunks(BATCH_ROWS) {
        let mut insert =
            QueryBuilder::<Sqlite>::new("INSERT INTO scopes (platform, platform_scope_id) ");
        insert.push_values(chunk, |mut row, scope| {
            row.push_bind(scope.platform.as_str()).push_bind(&scope.id);
        });
        insert.push(
            " ON CONFLICT (platform, platform_scope_id) DO UPDATE SET platform = excluded.platform
             RETURNING id, platform, platform_scope_id AS key",
        );
        for row in insert.build_query_as::<IdRow>().fetch_all(&mut *tx).await? {
            let (key, id) = row.entry("scopes")?;
            ids.insert(key, id);
        }
    }
    Ok(ids)
}

impl SqliteStore {
    /// The id of `user`, inserted or renamed as needed.
    pub(super) async fn user_id(
        tx: &mut SqliteConnection,
        user: &UserRef,
    ) -> Result<i64, StoreError> {
        let ids = upsert_users(tx, &[user]).await?;
        ids.get(&(user.platform, user.id.clone()))
            .copied()
            .ok_or_else(|| StoreError::bad_row("users", &user.id, "the upsert returned no id"))
    }

    /// The id of `scope`, inserted as needed.
    pub(super) async fn scope_id(
        tx: &mut SqliteConnection,
        scope: &ScopeRef,
    ) -> Result<i64, StoreError> {
        let ids = upsert_scopes(tx, &[scope]).await?;
        ids.get(&(scope.platform, scope.id.clone()))
            .copied()
            .ok_or_else(|| StoreError::bad_row("scopes", &scope.id, "the upsert returned no id"))
    }
}

/// [`upsert_users`] on PostgreSQL.
pub(super) async fn upsert_users_pg(
    tx: &mut PgConnection,
    users: &[&UserRef],
) -> Result<Ids, StoreError> {
    let mut sorted = users.to_vec();
    sorted.sort_by(|a, b| (a.platform.as_str(), &a.id).cmp(&(b.platform.as_str(), &b.id)));
    sorted.dedup_by(|a, b| a.platform == b.platform && a.id == b.id);
    let mut ids = Ids::new();
    for chunk in sorted.chunks(BATCH_ROWS) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO users (platform, platform_user_id, display_name) ",
        );
        insert.push_values(chunk, |mut row, user| {
            row.push_bind(user.platform.as_str())
                .push_bind(&user.id)
                .push_bind(&user.display_name);
        });
        insert.push(
            " ON CONFLICT (platform, platform_user_id) DO UPDATE SET display_name = excluded.display_name
             RETURNING id, platform, platform_user_id AS key",
        );
        for row in insert.build_query_as::<IdRow>().fetch_all(&mut *tx).await? {
            let (key, id) = row.entry("users")?;
            ids.insert(key, id);
        }
    }
    Ok(ids)
}

/// [`upsert_scopes`] on PostgreSQL.
pub(super) async fn upsert_scopes_pg(
    tx: &mut PgConnection,
    scopes: &[&ScopeRef],
) -> Result<Ids, StoreError> {
    let mut sorted = scopes.to_vec();
    sorted.sort_by(|a, b| (a.platform.as_str(), &a.id).cmp(&(b.platform.as_str(), &b.id)));
    sorted.dedup_by(|a, b| a.platform == b.platform && a.id == b.id);
    let mut ids = Ids::new();
    for chunk in sorted.chunks(BATCH_ROWS) {
        let mut insert =
            QueryBuilder::<Postgres>::new("INSERT INTO scopes (platform, platform_scope_id) ");
        insert.push_values(chunk, |mut row, scope| {
            row.push_bind(scope.platform.as_str()).push_bind(&scope.id);
        });
        insert.push(
            " ON CONFLICT (platform, platform_scope_id) DO UPDATE SET platform = excluded.platform
             RETURNING id, platform, platform_scope_id AS key",
        );
        for row in insert.build_query_as::<IdRow>().fetch_all(&mut *tx).await? {
            let (key, id) = row.entry("scopes")?;
            ids.insert(key, id);
        }
    }
    Ok(ids)
}

impl PgStore {
    /// The id of `user`, inserted or renamed as needed.
    pub(super) async fn user_id(tx: &mut PgConnection, user: &UserRef) -> Result<i64, StoreError> {
        let ids = upsert_users_pg(tx, &[user]).await?;
        ids.get(&(user.platform, user.id.clone()))
            .copied()
            .ok_or_else(|| StoreError::bad_row("users", &user.id, "the upsert returned no id"))
    }

    /// The id of `scope`, inserted as needed.
    pub(super) async fn scope_id(
        tx: &mut PgConnection,
        scope: &ScopeRef,
    ) -> Result<i64, StoreError> {
        let ids = upsert_scopes_pg(tx, &[scope]).await?;
        ids.get(&(scope.platform, scope.id.clone()))
            .copied()
            .ok_or_else(|| StoreError::bad_row("scopes", &scope.id, "the upsert returned no id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::{temp_postgres, temp_sqlite};

    #[tokio::test]
    async fn a_user_is_one_row_per_platform_and_keeps_the_latest_name() {
        let (_dir, store) = temp_sqlite().await;
        let mut tx = store.writer.begin().await.unwrap();
        let ann = UserRef::new(Platform::Discord, "1", "ann");
        let first = SqliteStore::user_id(&mut tx, &ann).await.unwrap();
        let renamed = UserRef::new(Platform::Discord, "1", "Ann B.");
        assert_eq!(
            SqliteStore::user_id(&mut tx, &renamed).await.unwrap(),
            first
        );
        let matrix = UserRef::new(Platform::Matrix, "1", "ann");
        assert_ne!(SqliteStore::user_id(&mut tx, &matrix).await.unwrap(), first);
        let name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(first)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(name, "Ann B.");
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let id = SqliteStore::scope_id(&mut tx, &scope).await.unwrap();
        assert_eq!(SqliteStore::scope_id(&mut tx, &scope).await.unwrap(), id);
        let many = upsert_scopes(
            &mut tx,
            &[&scope, &ScopeRef::new(Platform::Matrix, "guild")],
        )
        .await
        .unwrap();
        assert_eq!(many.len(), 2);
        assert_eq!(many[&(Platform::Discord, "guild".to_string())], id);
    }

    /// The same on PostgreSQL, where a row may appear twice in one call
    /// (an upsert there may not touch a row twice in one statement).
    #[tokio::test]
    async fn a_user_is_one_row_per_platform_and_keeps_the_latest_name_on_postgres() {
        let (_database, store) = temp_postgres().await;
        let mut tx = store.pool.begin().await.unwrap();
        let ann = UserRef::new(Platform::Discord, "1", "ann");
        let first = PgStore::user_id(&mut tx, &ann).await.unwrap();
        let renamed = UserRef::new(Platform::Discord, "1", "Ann B.");
        assert_eq!(PgStore::user_id(&mut tx, &renamed).await.unwrap(), first);
        let matrix = UserRef::new(Platform::Matrix, "1", "ann");
        assert_ne!(PgStore::user_id(&mut tx, &matrix).await.unwrap(), first);
        let name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(first)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(name, "Ann B.");
        let twice = upsert_users_pg(&mut tx, &[&ann, &matrix, &ann])
            .await
            .unwrap();
        assert_eq!(twice.len(), 2);
        let scope = ScopeRef::new(Platform::Discord, "guild");
        let id = PgStore::scope_id(&mut tx, &scope).await.unwrap();
        assert_eq!(PgStore::scope_id(&mut tx, &scope).await.unwrap(), id);
        let other = ScopeRef::new(Platform::Matrix, "guild");
        let many = upsert_scopes_pg(&mut tx, &[&scope, &other, &scope])
            .await
            .unwrap();
        assert_eq!(many.len(), 2);
        assert_eq!(many[&(Platform::Discord, "guild".to_string())], id);
    }
}
