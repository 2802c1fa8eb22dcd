//! Backups of the store (`backups`): a consistent snapshot of the whole database taken while
//! the sync goes on (`VACUUM INTO` on a reader of its own: one read transaction, so the copy is
//! the database as of one moment, never a file copy of a live database), and the record of
//! every backup made. What goes into the backup file, and how, is the core's (`core/src/backup`).

use std::path::Path;

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension as _};

use crate::{Store, Tx};

/// A backup Satu made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRow {
    /// Row id.
    pub id: i64,
    /// When the snapshot was taken (Unix seconds).
    pub at: i64,
    /// The file.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Items in the snapshot.
    pub items: u64,
    /// Read back and checked after writing.
    pub verified: bool,
    /// Made by the schedule.
    pub scheduled: bool,
    /// Pruned, found missing, or never written.
    pub gone: bool,
    /// Why the attempt failed ('' when it did not).
    pub error: String,
}

/// What a snapshot holds, per kind of item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemCounts {
    /// Mail.
    pub mail: u64,
    /// Chat messages.
    pub chat: u64,
    /// Tasks.
    pub tasks: u64,
    /// Events.
    pub events: u64,
    /// Accounts.
    pub accounts: u64,
}

impl ItemCounts {
    /// Every item.
    pub fn items(&self) -> u64 {
        self.mail + self.chat + self.tasks + self.events
    }
}

/// Counts the items of the database on `conn`.
fn item_counts(conn: &Connection) -> Result<ItemCounts> {
    let kinds: Vec<(String, i64)> = conn
        .prepare("SELECT kind, count(*) FROM items GROUP BY kind")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()
        .context("Cannot count the items")?;
    let mut counts = ItemCounts::default();
    for (kind, n) in kinds {
        let n = n as u64;
        match kind.as_str() {
            "mail" => counts.mail = n,
            "chat" => counts.chat = n,
            "task" => counts.tasks = n,
            "event" => counts.events = n,
            _ => {}
        }
    }
    counts.accounts = conn
        .query_row("SELECT count(*) FROM accounts", [], |r| r.get::<_, i64>(0))
        .context("Cannot count the accounts")? as u64;
    Ok(counts)
}

/// Checks the database file at `path` (a backup's, opened read-only): SQLite's
/// `integrity_check` verdict ("ok" when whole) and what it holds.
pub fn check_database(path: &Path) -> Result<(String, ItemCounts)> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("Cannot open {}", path.display()))?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .context("Cannot run SQLite's integrity check")?;
    let counts = if verdict == "ok" {
        item_counts(&conn)?
    } else {
        ItemCounts::default()
    };
    Ok((verdict, counts))
}

impl Store {
    /// Writes a consistent copy of the whole database to `path` (which must not exist), while
    /// writers go on. Returns what the copy holds and its audit trail's head (the last entry's
    /// hash, '' without entries): the copy's own, not the live store's a moment later.
    pub fn snapshot_into(&self, path: &Path) -> Result<(ItemCounts, String)> {
        // A connection of its own: a reader of the pool is `query_only`, which VACUUM refuses.
        let conn = Connection::open_with_flags(
            self.path(),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("Cannot open {} to back it up", self.path().display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        let target = path
            .to_str()
            .with_context(|| format!("The path {} is not UTF-8", path.display()))?;
        conn.execute("VACUUM INTO ?1", [target])
            .with_context(|| format!("Cannot copy the database into {}", path.display()))?;
        let copy = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("Cannot open the copy {}", path.display()))?;
        let head: Option<String> = copy
            .query_row("SELECT hash FROM audit ORDER BY id DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()
            .context("Cannot read the copy's audit trail")?;
        Ok((item_counts(&copy)?, head.unwrap_or_default()))
    }

    /// Every backup made, newest first.
    pub fn backups(&self) -> Result<Vec<BackupRow>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, at, path, bytes, items, verified, scheduled, gone, error FROM backups
                 ORDER BY at DESC, id DESC",
            )?;
            let rows = statement
                .query_map([], |r| {
                    Ok(BackupRow {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        path: r.get(2)?,
                        bytes: r.get::<_, i64>(3)? as u64,
                        items: r.get::<_, i64>(4)? as u64,
                        verified: r.get(5)?,
                        scheduled: r.get(6)?,
                        gone: r.get(7)?,
                        error: r.get(8)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the backups")?;
            Ok(rows)
        })
    }
}

impl Tx<'_> {
    /// Notes a backup written (`verified`: read back and checked). Returns its row id.
    pub fn record_backup(
        &mut self,
        at: i64,
        path: &str,
        bytes: u64,
        items: u64,
        verified: bool,
        scheduled: bool,
    ) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO backups (at, path, bytes, items, verified, scheduled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                at,
                path,
                bytes as i64,
                items as i64,
                verified,
                scheduled
            ])
            .context("Cannot note the backup")?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Notes a backup attempt that failed (nothing was written).
    pub fn record_backup_failure(
        &mut self,
        at: i64,
        path: &str,
        error: &str,
        scheduled: bool,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO backups (at, path, bytes, items, verified, scheduled, gone, error)
                 VALUES (?1, ?2, 0, 0, 0, ?3, 1, ?4)",
            )?
            .execute(params![at, path, scheduled, error])
            .context("Cannot note the failed backup")?;
        Ok(())
    }

    /// Notes that backup `id`'s file was pruned or is missing.
    pub fn backup_gone(&mut self, id: i64) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE backups SET gone = 1 WHERE id = ?1")?
            .execute([id])
            .context("Cannot note the pruned backup")?;
        Ok(())
    }
}
