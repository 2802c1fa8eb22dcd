//! Where a mail item lives: its (folder, UID) pairs, and the local halves of moves and deletes.
//! A local move leaves a placeholder in the target folder (UID 0, carrying the item's state) that
//! the next download of that folder fills in by Message-ID, so the item keeps its id.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::changes::ChangeKind;
use crate::folders::FolderRole;
use crate::imap::{FLAG_ANSWERED, FLAG_FLAGGED, FLAG_SEEN};
use crate::items::ItemKind;
use crate::{StoreError, Tx};

/// One folder holding a mail item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Folder id.
    pub folder_id: i64,
    /// Folder name as the server spells it (decoded).
    pub folder: String,
    /// The folder's special use.
    pub role: FolderRole,
    /// IMAP UID in that folder; 0 when not known yet (e.g. just moved there locally).
    pub uid: u32,
    /// UIDVALIDITY the UID belongs to; 0 when unknown.
    pub uidvalidity: u32,
}

fn locations(conn: &Connection, item_id: i64) -> Result<Vec<Location>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.name, f.role, mf.uid, mf.uidvalidity FROM mail_folders mf
         JOIN folders f ON f.id = mf.folder_id WHERE mf.item_id = ?1 ORDER BY f.id",
    )?;
    let rows = stmt.query_map([item_id], |row| {
        Ok(Location {
            folder_id: row.get(0)?,
            folder: row.get(1)?,
            role: FolderRole::parse(&row.get::<_, String>(2)?),
            uid: row.get(3)?,
            uidvalidity: row.get(4)?,
        })
    })?;
    rows.collect::<rusqlite::Result<_>>()
        .context("Cannot read the folders of the message")
}

fn kind_and_title(conn: &Connection, item_id: i64) -> Result<(ItemKind, String)> {
    let (kind, title): (String, String) = conn
        .query_row(
            "SELECT kind, title FROM items WHERE id = ?1",
            [item_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .ok_or(StoreError::NoSuchItem(item_id))?;
    Ok((ItemKind::parse(&kind)?, title))
}

impl Tx<'_> {
    /// The folders holding an item (empty for items that are not mail).
    pub fn locations(&self, item_id: i64) -> Result<Vec<Location>> {
        locations(self.conn(), item_id)
    }

    /// The local half of a move: the item leaves the folders `from` and is in `to`, at a UID
    /// not known yet (the next sync of `to` fills it in). Records an `updated` change.
    pub fn relocate_item(&mut self, item_id: i64, from: &[i64], to: i64) -> Result<()> {
        let (kind, title) = kind_and_title(self.conn(), item_id)?;
        for folder_id in from.iter().filter(|&&f| f != to) {
            self.conn()
                .execute(
                    "DELETE FROM mail_folders WHERE item_id = ?1 AND folder_id = ?2",
                    params![item_id, folder_id],
                )
                .context("Cannot take the message out of its folder")?;
        }
        // The placeholder carries the item's state, which is the union over its folders' flags.
        self.conn()
            .execute(
                "INSERT INTO mail_folders (item_id, folder_id, uid, uidvalidity, flags)
                 SELECT ?1, ?2, 0, 0, (CASE WHEN unread THEN 0 ELSE ?3 END) | (CASE WHEN flagged THEN ?4 ELSE 0 END)
                 FROM items WHERE id = ?1
                 ON CONFLICT (item_id, folder_id) DO NOTHING",
                params![item_id, to, FLAG_SEEN, FLAG_FLAGGED],
            )
            .context("Cannot put the message in its new folder")?;
        self.record(ChangeKind::Updated, item_id, kind, &title)
    }

    /// Sets an item's read and flagged state as the user asked: on the item and, for mail, in
    /// every folder holding it (the item's state is the union over its folders). Returns whether
    /// anything changed.
    pub fn set_user_state(
        &mut self,
        item_id: i64,
        unread: Option<bool>,
        flagged: Option<bool>,
    ) -> Result<bool> {
        let bit = |value: Option<bool>, flag: u32| match value {
            Some(true) => (flag, 0),
            Some(false) => (0, flag),
            None => (0, 0),
        };
        let (set_seen, clear_seen) = bit(unread.map(|u| !u), FLAG_SEEN);
        let (set_flagged, clear_flagged) = bit(flagged, FLAG_FLAGGED);
        self.conn()
            .execute(
                "UPDATE mail_folders SET flags = (flags | ?2) & ~?3 WHERE item_id = ?1",
                params![item_id, set_seen | set_flagged, clear_seen | clear_flagged],
            )
            .context("Cannot store the message's flags")?;
        self.set_item_state(item_id, unread, flagged)
    }

    /// Marks a message answered (`\Answered`) in every folder holding it, e.g. once a reply to
    /// it was sent. Returns whether it was not already; the change is recorded.
    pub fn set_answered(&mut self, item_id: i64) -> Result<bool> {
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE mail_folders SET flags = flags | ?2 WHERE item_id = ?1 AND flags & ?2 = 0",
            )?
            .execute(params![item_id, FLAG_ANSWERED])
            .context("Cannot mark the message answered")?;
        if changed > 0 {
            self.record_folder_change(item_id)?;
        }
        Ok(changed > 0)
    }

    /// Deletes an item and everything stored with it (search index, folders, body, attachments)
    /// and records a `removed` change.
    pub fn delete_item(&mut self, item_id: i64) -> Result<()> {
        let (kind, title) = kind_and_title(self.conn(), item_id)?;
        self.conn()
            .execute(
                // An item still queued for the index has no words there.
                "DELETE FROM items_fts WHERE rowid = (SELECT sort_key FROM items WHERE id = ?1
                 AND id NOT IN (SELECT item_id FROM index_queue))",
                [item_id],
            )
            .context("Cannot remove the item from the search index")?;
        self.conn()
            .execute("DELETE FROM items WHERE id = ?1", [item_id])
            .context("Cannot delete the item")?;
        self.record(ChangeKind::Removed, item_id, kind, &title)
    }
}

impl crate::Store {
    /// The folders holding an item (empty for items that are not mail).
    pub fn locations(&self, item_id: i64) -> Result<Vec<Location>> {
        self.read(|conn| locations(conn, item_id))
    }
}
