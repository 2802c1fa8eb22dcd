//! The change feed: every change to an item is appended to `change_log` in the transaction that
//! makes it, then broadcast in-process after commit. Subscribers in other processes (or ones that
//! lagged) read the log from their last `seq`.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection};

use crate::ItemKind;

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// A new item.
    Added,
    /// An item's state or content changed.
    Updated,
    /// The item is gone.
    Removed,
}

impl ChangeKind {
    /// `added`, `updated` or `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Updated => "updated",
            ChangeKind::Removed => "removed",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "added" => Ok(ChangeKind::Added),
            "updated" => Ok(ChangeKind::Updated),
            "removed" => Ok(ChangeKind::Removed),
            other => anyhow::bail!("Unknown change {other:?} in the change log"),
        }
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Position in the change log (increasing).
    pub seq: i64,
    /// What happened.
    pub change: ChangeKind,
    /// The item.
    pub item_id: i64,
    /// The item's kind.
    pub kind: ItemKind,
    /// The item's title at the time.
    pub title: String,
}

pub(crate) fn append(
    conn: &Connection,
    change: ChangeKind,
    item_id: i64,
    kind: ItemKind,
    title: &str,
    now: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO change_log (change, item_id, kind, title, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![change.as_str(), item_id, kind.as_str(), title, now])
    .context("Cannot append to the change log")?;
    Ok(conn.last_insert_rowid())
}

impl crate::Store {
    /// The newest change's seq (0 when the log is empty).
    pub fn latest_change_seq(&self) -> Result<i64> {
        self.read(|conn| {
            conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |row| {
                row.get(0)
            })
            .context("Cannot read the change log")
        })
    }

    /// Changes after `seq`, oldest first, at most `limit`.
    pub fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<Change>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, change, item_id, kind, title FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![seq, limit], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })?;
            rows.map(|row| {
                let (seq, change, item_id, kind, title) = row?;
                Ok(Change {
                    seq,
                    change: ChangeKind::parse(&change)?,
                    item_id,
                    kind: ItemKind::parse(&kind)?,
                    title,
                })
            })
            .collect()
        })
    }

    /// Drops all but the newest `keep` entries of the change log.
    pub fn trim_change_log(&self, keep: i64) -> Result<()> {
        self.write(|tx| {
            tx.conn()
                .execute(
                    "DELETE FROM change_log WHERE seq <= (SELECT coalesce(max(seq), 0) FROM change_log) - ?1",
                    [keep],
                )
                .context("Cannot trim the change log")?;
            Ok(())
        })
    }
}
