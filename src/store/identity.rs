//! Users and scopes: `(platform, id)` rows every other table points at.
//! One multi-row upsert each, used for one row and for many alike.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::identity::{Platform, ScopeRef, UserRef};

use super::{BATCH_ROWS, SqliteStore, StoreError, platform};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::temp_sqlite;

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
}
