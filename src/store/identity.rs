//! Users and scopes: `(platform, id)` rows every other table points at.
//! One multi-row upsert each, used for one row and for many alike; the
//! PostgreSQL versions sort their rows first, so concurrent transactions
//! (several processes, several committers) lock rows in one order and
//! cannot deadlock each other.

use std::collections::HashMap;

use sqlx::{PgConnection, QueryBuilder, Sqlite, SqliteConnection};

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

/// [`upsert_users`] on PostgreSQL, in three statements that lock only what
/// they change: new users are inserted (`ON CONFLICT DO NOTHING` takes no
/// lock on an existing row), renamed users are updated, and the others'
/// ids are read. A group commit names the same players round after round;
/// rewriting (and locking) each of their rows every time would make
/// concurrent committers queue behind each other.
pub(super) async fn upsert_users_pg(
    tx: &mut PgConnection,
    users: &[&UserRef],
) -> Result<Ids, StoreError> {
    let mut sorted = users.to_vec();
    sorted.sort_by(|a, b| (a.platform.as_str(), &a.id).cmp(&(b.platform.as_str(), &b.id)));
    sorted.dedup_by(|a, b| a.platform == b.platform && a.id == b.id);
    let platforms: Vec<&str> = sorted.iter().map(|u| u.platform.as_str()).collect();
    let keys: Vec<&str> = sorted.iter().map(|u| u.id.as_str()).collect();
    let names: Vec<&str> = sorted.iter().map(|u| u.display_name.as_str()).collect();
    let mut ids = Ids::new();
    let inserted: Vec<IdRow> = sqlx::query_as(
        "INSERT INTO users (platform, platform_user_id, display_name)
         SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[])
         ON CONFLICT (platform, platform_user_id) DO NOTHING
         RETURNING id, platform, platform_user_id AS key",
    )
    .bind(&platforms)
    .bind(&keys)
    .bind(&names)
    .fetch_all(&mut *tx)
    .await?;
    for row in inserted {
        let (key, id) = row.entry("users")?;
        ids.insert(key, id);
    }
    if ids.len() == sorted.len() {
        return Ok(ids);
    }
    sqlx::query(
        "UPDATE users SET display_name = v.name
         FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[]) AS v (platform, key, name)
         WHERE users.platform = v.platform AND users.platform_user_id = v.key
           AND users.display_name <> v.name",
    )
    .bind(&platforms)
    .bind(&keys)
    .bind(&names)
    .execute(&mut *tx)
    .await?;
    existing_ids_pg(tx, "users", "platform_user_id", &platforms, &keys, &mut ids).await?;
    Ok(ids)
}

/// [`upsert_scopes`] on PostgreSQL: new scopes inserted, the others read
/// (no lock on an existing scope's row).
pub(super) async fn upsert_scopes_pg(
    tx: &mut PgConnection,
    scopes: &[&ScopeRef],
) -> Result<Ids, StoreError> {
    let mut sorted = scopes.to_vec();
    sorted.sort_by(|a, b| (a.platform.as_str(), &a.id).cmp(&(b.platform.as_str(), &b.id)));
    sorted.dedup_by(|a, b| a.platform == b.platform && a.id == b.id);
    let platforms: Vec<&str> = sorted.iter().map(|s| s.platform.as_str()).collect();
    let keys: Vec<&str> = sorted.iter().map(|s| s.id.as_str()).collect();
    let mut ids = Ids::new();
    let inserted: Vec<IdRow> = sqlx::query_as(
        "INSERT INTO scopes (platform, platform_scope_id)
         SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[])
         ON CONFLICT (platform, platform_scope_id) DO NOTHING
         RETURNING id, platform, platform_scope_id AS key",
    )
    .bind(&platforms)
    .bind(&keys)
    .fetch_all(&mut *tx)
    .await?;
    for row in inserted {
        let (key, id) = row.entry("scopes")?;
        ids.insert(key, id);
    }
    if ids.len() < sorted.len() {
        existing_ids_pg(
            tx,
            "scopes",
            "platform_scope_id",
            &platforms,
            &keys,
            &mut ids,
        )
        .await?;
    }
    Ok(ids)
}

/// Reads the ids of rows the insert did not return. A new statement, so it
/// sees a row another transaction committed while the insert waited on it.
async fn existing_ids_pg(
    tx: &mut PgConnection,
    table: &'static str,
    key_column: &str,
    platforms: &[&str],
    keys: &[&str],
    ids: &mut Ids,
) -> Result<(), StoreError> {
    let rows: Vec<IdRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.id, t.platform, t.{key_column} AS key
         FROM {table} t JOIN UNNEST($1::TEXT[], $2::TEXT[]) AS v (platform, key)
           ON t.platform = v.platform AND t.{key_column} = v.key"
    )))
    .bind(platforms)
    .bind(keys)
    .fetch_all(&mut *tx)
    .await?;
    for row in rows {
        let (key, id) = row.entry(table)?;
        ids.insert(key, id);
    }
    Ok(())
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
