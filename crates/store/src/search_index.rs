//! The full-text index of mail, filled after the mail is stored.
//!
//! Writing a message's words into the contentless FTS5 table `items_fts` cost about a third of an
//! IMAP sync's CPU inside the single writer's transaction (`tests/bench/RESULTS.md`). So storing a
//! message queues its item in `index_queue` instead, and the indexer ([`Store::index_step`], run by
//! the core in the background and by `satu index --wait`) writes the words later: the newest
//! queued items first (what the user searches for first), each chunk inserted in ascending
//! `sort_key` order (FTS5 writes out its pending terms early whenever a rowid comes before the
//! last one) and removed from the queue in the same transaction. A crash loses nothing and
//! duplicates nothing: a queue row is gone exactly when its words are in.
//!
//! Until then search finds a queued item by its title and sender (a `LIKE` over the queue only,
//! which is small unless an initial sync has just run), and [`Store::index_pending`] tells how
//! many items are not yet searchable by their text.
//!
//! Chat, tasks and events are few and small, so they are still indexed as they are stored.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::items::{truncate_utf8, FTS_BODY_LIMIT};
use crate::{Store, Tx};

/// What the search index holds for one mail: (title, sender, body).
pub(crate) type IndexText = (String, String, String);

/// The words a mail is found by: its title, its sender's name and address, its body text (at
/// most [`FTS_BODY_LIMIT`] bytes) and its attachments' names.
pub(crate) fn mail_text(conn: &Connection, id: i64) -> Result<Option<IndexText>> {
    let row: Option<(String, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT i.title, i.sender_name, i.sender_address, m.body_text
             FROM items i LEFT JOIN mail m ON m.item_id = i.id WHERE i.id = ?1",
        )?
        .query_row([id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    let Some((title, name, address, body)) = row else {
        return Ok(None);
    };
    let mut text = truncate_utf8(body.as_deref().unwrap_or(""), FTS_BODY_LIMIT).to_owned();
    let mut names =
        conn.prepare_cached("SELECT name FROM attachments WHERE item_id = ?1 ORDER BY id")?;
    for name in names.query_map([id], |row| row.get::<_, String>(0))? {
        text.push('\n');
        text.push_str(&name?);
    }
    Ok(Some((title, format!("{name} {address}"), text)))
}

/// Whether item `id` waits in the index queue (its words are not in `items_fts` yet).
pub(crate) fn is_queued(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM index_queue WHERE item_id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

impl Tx<'_> {
    /// Queues item `id` for the search index (its words are written by the indexer).
    pub(crate) fn queue_for_index(&mut self, id: i64) -> Result<()> {
        self.conn()
            .prepare_cached("INSERT OR IGNORE INTO index_queue (item_id) VALUES (?1)")?
            .execute([id])
            .with_context(|| format!("Cannot queue item {id} for search"))?;
        Ok(())
    }

    /// Indexes these items now if they are queued (mail the user sent, imported or is about to
    /// look for), in this transaction. Returns how many were indexed.
    pub fn index_now(&mut self, ids: &[i64]) -> Result<u64> {
        let mut keyed = Vec::with_capacity(ids.len());
        for &id in ids {
            let key: Option<i64> = self
                .conn()
                .prepare_cached(
                    "SELECT i.sort_key FROM index_queue q JOIN items i ON i.id = q.item_id
                     WHERE q.item_id = ?1",
                )?
                .query_row([id], |row| row.get(0))
                .optional()?;
            if let Some(key) = key {
                keyed.push((key, id));
            }
        }
        self.index_keyed(keyed)
    }

    /// Indexes the newest `max` queued items. Returns how many were indexed.
    pub fn index_queued(&mut self, max: usize) -> Result<u64> {
        let keyed: Vec<(i64, i64)> = self
            .conn()
            .prepare_cached(
                "SELECT i.sort_key, i.id FROM index_queue q JOIN items i ON i.id = q.item_id
                 ORDER BY i.sort_key DESC LIMIT ?1",
            )?
            .query_map([max as i64], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot read the index queue")?;
        self.index_keyed(keyed)
    }

    /// Writes the words of queued items (sort key, id) in ascending sort key order and takes them
    /// off the queue.
    fn index_keyed(&mut self, mut keyed: Vec<(i64, i64)>) -> Result<u64> {
        keyed.sort_unstable();
        let mut indexed = 0;
        for (key, id) in keyed {
            if let Some((title, sender, body)) = mail_text(self.conn(), id)? {
                self.conn()
                    .prepare_cached(
                        "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![key, title, sender, body])
                    .with_context(|| format!("Cannot index item {id} for search"))?;
                indexed += 1;
            }
            self.conn()
                .prepare_cached("DELETE FROM index_queue WHERE item_id = ?1")?
                .execute([id])
                .context("Cannot take an item off the index queue")?;
        }
        Ok(indexed)
    }
}

/// Whether any item waits for the search index (asked by every search: a lookup, not a count).
pub(crate) fn any_pending(conn: &Connection) -> Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM index_queue)")?
        .query_row([], |row| row.get(0))
        .context("Cannot read the index queue")
}

/// How many items wait for the search index.
pub(crate) fn pending(conn: &Connection) -> Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM index_queue")?
        .query_row([], |row| row.get::<_, i64>(0))
        .map(|n| n as u64)
        .context("Cannot count the index queue")
}

impl Store {
    /// How many items wait for the search index (0: search sees every word of everything).
    pub fn index_pending(&self) -> Result<u64> {
        self.read(pending)
    }

    /// Indexes the newest `max` queued items in one transaction. Returns (indexed, still
    /// pending).
    pub fn index_step(&self, max: usize) -> Result<(u64, u64)> {
        self.write(|tx| {
            let indexed = tx.index_queued(max)?;
            Ok((indexed, pending(tx.conn())?))
        })
    }
}
