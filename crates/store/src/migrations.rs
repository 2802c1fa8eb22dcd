//! Numbered, append-only migrations (`migrations/NNNN_name.sql`). Each runs in one transaction that
//! also bumps `PRAGMA user_version`, so a crash leaves the database at the old or the new version,
//! never between. A migration whose first line is `-- satu: rebuilds tables` runs with foreign
//! keys off, so that SQLite's generalized ALTER TABLE can drop and recreate a table others refer
//! to without cascading; `foreign_key_check` must pass before it commits. The rules for writing
//! one are in `migrations/NOTES.md`; `tests/tidy.rs` checks the numbering, the list below, the
//! checksums of shipped files and `STRICT`.

use anyhow::{Context as _, Result};
use rusqlite::Connection;

use crate::StoreError;

/// The migrations in order; index + 1 is the schema version each one produces.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_timeline",
        include_str!("../migrations/0001_timeline.sql"),
    ),
    ("0002_sync", include_str!("../migrations/0002_sync.sql")),
    (
        "0003_imap_flags",
        include_str!("../migrations/0003_imap_flags.sql"),
    ),
    (
        "0004_quarantine",
        include_str!("../migrations/0004_quarantine.sql"),
    ),
    (
        "0005_attachment_content",
        include_str!("../migrations/0005_attachment_content.sql"),
    ),
    (
        "0006_folder_push",
        include_str!("../migrations/0006_folder_push.sql"),
    ),
    ("0007_tasks", include_str!("../migrations/0007_tasks.sql")),
    (
        "0008_threads",
        include_str!("../migrations/0008_threads.sql"),
    ),
    ("0009_outbox", include_str!("../migrations/0009_outbox.sql")),
    ("0010_drafts", include_str!("../migrations/0010_drafts.sql")),
    (
        "0011_sources",
        include_str!("../migrations/0011_sources.sql"),
    ),
    (
        "0012_task_sync",
        include_str!("../migrations/0012_task_sync.sql"),
    ),
    ("0013_events", include_str!("../migrations/0013_events.sql")),
    (
        "0014_answers_activity",
        include_str!("../migrations/0014_answers_activity.sql"),
    ),
    (
        "0015_task_text",
        include_str!("../migrations/0015_task_text.sql"),
    ),
    ("0016_chat", include_str!("../migrations/0016_chat.sql")),
    ("0017_oauth", include_str!("../migrations/0017_oauth.sql")),
    (
        "0018_snoozes",
        include_str!("../migrations/0018_snoozes.sql"),
    ),
    (
        "0019_identities",
        include_str!("../migrations/0019_identities.sql"),
    ),
    (
        "0020_contacts",
        include_str!("../migrations/0020_contacts.sql"),
    ),
    (
        "0021_index_queue",
        include_str!("../migrations/0021_index_queue.sql"),
    ),
    (
        "0022_gmail_ids",
        include_str!("../migrations/0022_gmail_ids.sql"),
    ),
    (
        "0023_offline_window",
        include_str!("../migrations/0023_offline_window.sql"),
    ),
    (
        "0024_offline_by_size",
        include_str!("../migrations/0024_offline_by_size.sql"),
    ),
    ("0025_health", include_str!("../migrations/0025_health.sql")),
    (
        "0026_diagnoses",
        include_str!("../migrations/0026_diagnoses.sql"),
    ),
    (
        "0027_backups",
        include_str!("../migrations/0027_backups.sql"),
    ),
    ("0028_audit", include_str!("../migrations/0028_audit.sql")),
    (
        "0029_sender_checks",
        include_str!("../migrations/0029_sender_checks.sql"),
    ),
    ("0030_rules", include_str!("../migrations/0030_rules.sql")),
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database to [`LATEST_VERSION`].
pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    run_to(conn, LATEST_VERSION)
}

/// Brings the database to `target` (tests stop early to build old schemas).
pub(crate) fn run_to(conn: &mut Connection, target: i64) -> Result<()> {
    let current = version(conn)?;
    if current > LATEST_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            supported: LATEST_VERSION,
        }
        .into());
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= current || version > target {
            continue;
        }
        // A migration that rebuilds a table others refer to (SQLite's generalized ALTER TABLE)
        // runs with foreign keys off, so that dropping the old table cascades nowhere; they are
        // checked before it commits and on again after it, whatever happened.
        let rebuilds = sql.starts_with(REBUILDS_TABLES);
        if rebuilds {
            conn.pragma_update(None, "foreign_keys", false)?;
        }
        let result = apply(conn, name, sql, version, rebuilds);
        if rebuilds {
            conn.pragma_update(None, "foreign_keys", true)?;
        }
        result?;
        tracing::info!(migration = name, "Applied database migration.");
    }
    Ok(())
}

/// The first line of a migration that rebuilds tables (see `run_to`).
const REBUILDS_TABLES: &str = "-- satu: rebuilds tables";

fn apply(conn: &mut Connection, name: &str, sql: &str, version: i64, rebuilds: bool) -> Result<()> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
        .with_context(|| format!("Cannot start migration {name}"))?;
    tx.execute_batch(sql)
        .with_context(|| format!("Migration {name} failed"))?;
    if rebuilds {
        let broken: i64 = tx
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| {
                row.get(0)
            })
            .with_context(|| format!("Cannot check the foreign keys after migration {name}"))?;
        anyhow::ensure!(
            broken == 0,
            "Migration {name} would leave {broken} rows pointing at nothing; nothing was changed"
        );
    }
    tx.pragma_update(None, "user_version", version)?;
    tx.commit()
        .with_context(|| format!("Cannot commit migration {name}"))
}

/// The schema version of the database.
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .context("Cannot read the schema version")
}
