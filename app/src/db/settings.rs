//! The browser's transition settings: one row per overridden transition, and the log of every
//! change with the setting before and after it. Changes are written in one transaction that
//! first checks each row's revision, so a page saved over someone else's change is refused.
//!
//! Settings travel as plain values ([`SettingValues`]): the console gives them their meaning,
//! so this module knows the table, not the console's types.

use std::collections::HashMap;

use serde::Serialize;
use switchyard_engine::Actor;

use super::Db;
use crate::with_pool;

/// What one override holds, as stored; every `None` leaves the code's choice. Its JSON (the
/// change log's `before` and `after`) has the shape of the console's setting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SettingValues {
    /// `shown`, `hidden` or `groups` (the table refuses anything else); `None`: the code's.
    pub visibility: Option<String>,
    /// The groups that see it when `visibility` is `groups`.
    pub groups: Vec<String>,
    /// The console's label, or `None` for the declared one.
    pub label: Option<String>,
    /// The console's help text, or `None` for the declared one.
    pub help_text: Option<String>,
}

/// An override as stored, with the revision a page must post back to change it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredSetting {
    /// What it overrides.
    pub values: SettingValues,
    /// Bumped by every change; 0 for a transition never changed.
    pub revision: i64,
}

/// One transition's new setting, and the revision the page saw.
#[derive(Clone, Debug)]
pub struct SettingWrite {
    /// The transition.
    pub transition: String,
    /// The revision the page showed.
    pub expected_revision: i64,
    /// The setting to store.
    pub after: SettingValues,
}

/// One logged change.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangeRecord {
    /// Its id.
    pub id: i64,
    /// The transition.
    pub transition: String,
    /// Who made it.
    pub actor_username: String,
    /// When (RFC 3339 UTC).
    pub changed_at: String,
    /// The setting before (JSON).
    pub before: String,
    /// The setting after (JSON).
    pub after: String,
    /// The change it reverted.
    pub reverts: Option<i64>,
}

/// Why settings were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The transition's setting changed since the page showed it.
    #[error("the setting of `{0}` changed since it was read")]
    Stale(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[derive(sqlx::FromRow)]
struct SettingRow {
    transition: String,
    visibility: Option<String>,
    groups: String,
    label: Option<String>,
    help_text: Option<String>,
    revision: i64,
}

impl SettingRow {
    fn stored(&self) -> StoredSetting {
        StoredSetting {
            values: SettingValues {
                visibility: self.visibility.clone(),
                groups: serde_json::from_str(&self.groups).unwrap_or_default(),
                label: self.label.clone(),
                help_text: self.help_text.clone(),
            },
            revision: self.revision,
        }
    }
}

const SELECT_SQLITE: &str = "SELECT transition, visibility, groups, label, help_text, revision \
    FROM transition_settings WHERE resource = $1";
const SELECT_POSTGRES: &str = "SELECT transition, visibility, groups::text AS groups, label, \
    help_text, revision FROM transition_settings WHERE resource = $1";

/// Every override of `resource`, by transition.
pub async fn read_all(
    db: &Db,
    resource: &str,
) -> Result<HashMap<String, StoredSetting>, sqlx::Error> {
    let sql = match db {
        Db::Sqlite(_) => SELECT_SQLITE,
        Db::Postgres(_) => SELECT_POSTGRES,
    };
    let rows: Vec<SettingRow> = with_pool!(db, pool => {
        sqlx::query_as(sql).bind(resource).fetch_all(pool).await
    })?;
    Ok(rows
        .into_iter()
        .map(|row| (row.transition.clone(), row.stored()))
        .collect())
}

/// The statements of a save, per backend.
struct SaveSql {
    /// Opens the transaction: SQLite takes the write lock at once, so the revision read and
    /// the write cannot interleave with another save.
    begin: &'static str,
    /// PostgreSQL serializes saves of one resource (a row that does not exist yet cannot be
    /// locked with `FOR UPDATE`).
    lock: Option<&'static str>,
    current: &'static str,
    upsert: &'static str,
    log: &'static str,
}

const SAVE_SQLITE: SaveSql = SaveSql {
    begin: "BEGIN IMMEDIATE",
    lock: None,
    current: "SELECT transition, visibility, groups, label, help_text, revision \
        FROM transition_settings WHERE resource = $1 AND transition = $2",
    upsert: "INSERT INTO transition_settings (resource, transition, visibility, groups, label, \
        help_text, revision) VALUES ($1, $2, $3, $4, $5, $6, $7) \
        ON CONFLICT (resource, transition) DO UPDATE SET visibility = excluded.visibility, \
        groups = excluded.groups, label = excluded.label, help_text = excluded.help_text, \
        revision = excluded.revision, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
    log: "INSERT INTO transition_setting_changes (resource, transition, actor_id, \
        actor_username, before, after, reverts) VALUES ($1, $2, $3, $4, $5, $6, $7)",
};

const SAVE_POSTGRES: SaveSql = SaveSql {
    begin: "BEGIN",
    lock: Some("SELECT pg_advisory_xact_lock(hashtext('transition_settings:' || $1))"),
    current: "SELECT transition, visibility, groups::text AS groups, label, help_text, revision \
        FROM transition_settings WHERE resource = $1 AND transition = $2",
    upsert: "INSERT INTO transition_settings (resource, transition, visibility, groups, label, \
        help_text, revision) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) \
        ON CONFLICT (resource, transition) DO UPDATE SET visibility = excluded.visibility, \
        groups = excluded.groups, label = excluded.label, help_text = excluded.help_text, \
        revision = excluded.revision, updated_at = now()",
    log: "INSERT INTO transition_setting_changes (resource, transition, actor_id, \
        actor_username, before, after, reverts) \
        VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)",
};

fn json(setting: &SettingValues) -> Result<String, sqlx::Error> {
    serde_json::to_string(setting).map_err(|error| sqlx::Error::Encode(error.into()))
}

/// Stores `writes` for `resource` as `actor`, all or none, and logs each real change (with
/// `reverts` when it undoes a logged one). A write whose expected revision is not the stored
/// one refuses the whole save. Returns how many settings changed.
pub async fn save(
    db: &Db,
    resource: &str,
    writes: &[SettingWrite],
    actor: &Actor,
    reverts: Option<i64>,
) -> Result<usize, SaveError> {
    let sql = match db {
        Db::Sqlite(_) => &SAVE_SQLITE,
        Db::Postgres(_) => &SAVE_POSTGRES,
    };
    let changed = with_pool!(db, pool => {
        let mut tx = pool.begin_with(sql.begin).await?;
        if let Some(lock) = sql.lock {
            sqlx::query(lock).bind(resource).execute(&mut *tx).await?;
        }
        let mut changed = 0;
        for write in writes {
            let current: Option<SettingRow> = sqlx::query_as(sql.current)
                .bind(resource)
                .bind(&write.transition)
                .fetch_optional(&mut *tx)
                .await?;
            let current = current.map(|row| row.stored()).unwrap_or_default();
            if current.revision != write.expected_revision {
                return Err(SaveError::Stale(write.transition.clone()));
            }
            if current.values == write.after {
                continue;
            }
            let after = &write.after;
            sqlx::query(sql.upsert)
                .bind(resource)
                .bind(&write.transition)
                .bind(&after.visibility)
                .bind(serde_json::to_string(&after.groups).map_err(|e| sqlx::Error::Encode(e.into()))?)
                .bind(&after.label)
                .bind(&after.help_text)
                .bind(current.revision + 1)
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql.log)
                .bind(resource)
                .bind(&write.transition)
                .bind(actor.id)
                .bind(&actor.username)
                .bind(json(&current.values)?)
                .bind(json(after)?)
                .bind(reverts)
                .execute(&mut *tx)
                .await?;
            changed += 1;
        }
        tx.commit().await?;
        changed
    });
    Ok(changed)
}

const CHANGES_SQLITE: &str = "SELECT id, transition, actor_username, changed_at, before, after, \
    reverts FROM transition_setting_changes WHERE resource = $1";
const CHANGES_POSTGRES: &str = "SELECT id, transition, actor_username, \
    to_char(changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS changed_at, \
    before::text AS before, after::text AS after, reverts \
    FROM transition_setting_changes WHERE resource = $1";

/// The newest `limit` changes of `resource`'s settings.
pub async fn changes(
    db: &Db,
    resource: &str,
    limit: i64,
) -> Result<Vec<ChangeRecord>, sqlx::Error> {
    let sql = match db {
        Db::Sqlite(_) => CHANGES_SQLITE,
        Db::Postgres(_) => CHANGES_POSTGRES,
    };
    let sql = format!("{sql} ORDER BY id DESC LIMIT $2");
    with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(resource).bind(limit).fetch_all(pool).await
    })
}

/// One change of `resource`'s settings.
pub async fn change(db: &Db, resource: &str, id: i64) -> Result<Option<ChangeRecord>, sqlx::Error> {
    let sql = match db {
        Db::Sqlite(_) => CHANGES_SQLITE,
        Db::Postgres(_) => CHANGES_POSTGRES,
    };
    let sql = format!("{sql} AND id = $2");
    with_pool!(db, pool => {
        sqlx::query_as(&sql).bind(resource).bind(id).fetch_optional(pool).await
    })
}

/// Every group's name, sorted.
pub async fn group_names(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    with_pool!(db, pool => {
        sqlx::query_scalar("SELECT name FROM groups ORDER BY name").fetch_all(pool).await
    })
}
