//! What the IMAP sync needs from the store: a folder's UID → item map with per-folder flags,
//! storing fetched messages with their flags, applying flag changes and expunges, and removing
//! messages that no folder holds any more.
//!
//! The store does not speak IMAP: flags are an opaque bit set except for [`FLAG_SEEN`] and
//! [`FLAG_FLAGGED`], which decide an item's read and flagged state (the union over its folders),
//! and [`FLAG_ANSWERED`], which the timeline shows.
//!
//! A local flag change still waiting in `ops` wins over the server's older view of that message.
//! Expunged UIDs, and UIDs of another UIDVALIDITY, are forgotten; the item itself goes only with
//! [`Tx::remove_orphan_mail`] (from the timeline and the search index, with a `removed` change),
//! which the core calls after a pass that saw every folder, so a message moved to a folder synced
//! later keeps its item. Mail just sent from here is spared while its copy in Sent is not known,
//! and for 15 minutes after sending.

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _};

use crate::{ChangeKind, Inserted, ItemKind, NewMail, Tx};

/// Bit of `mail_folders.flags`: the message was seen (read) in that folder.
pub const FLAG_SEEN: u32 = 1;
/// Bit of `mail_folders.flags`: the message is flagged in that folder.
pub const FLAG_FLAGGED: u32 = 2;
/// Bit of `mail_folders.flags`: the message was answered (from that folder or another client).
pub const FLAG_ANSWERED: u32 = 4;

/// One message of a synced folder as the store knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImapMessage {
    /// UID in the folder.
    pub uid: u32,
    /// The UIDVALIDITY the UID belongs to.
    pub uidvalidity: u32,
    /// The item.
    pub item_id: i64,
    /// Flag bits in that folder.
    pub flags: u32,
}

impl Tx<'_> {
    /// Stores a fetched message (its `folder` must be set) with its flags in that folder. A
    /// Message-ID already stored gains the folder (nothing duplicates); the item's read and
    /// flagged state becomes the union over its folders.
    pub fn insert_imap_mail(&mut self, mail: &NewMail, flags: u32) -> Result<Inserted> {
        let Some((folder_id, uid, _)) = mail.folder else {
            anyhow::bail!("An IMAP message must name its folder");
        };
        let inserted = self.insert_mail(mail)?;
        self.conn()
            .prepare_cached(
                "UPDATE mail_folders SET flags = ?3 WHERE item_id = ?1 AND folder_id = ?2",
            )?
            .execute(params![inserted.id(), folder_id, flags])
            .with_context(|| format!("Cannot store the flags of UID {uid}"))?;
        if let Inserted::Existing(id) = inserted {
            self.refresh_item_state(id)?;
        }
        Ok(inserted)
    }

    /// Sets the flags of UID `uid` of a folder; returns false when no item has that UID there.
    /// The item's state follows (union over its folders) and the change is recorded.
    pub fn set_imap_flags(&mut self, folder_id: i64, uid: u32, flags: u32) -> Result<bool> {
        let item: Option<(i64, u32)> = self
            .conn()
            .prepare_cached(
                "SELECT item_id, flags FROM mail_folders WHERE folder_id = ?1 AND uid = ?2",
            )?
            .query_row(params![folder_id, uid], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        let Some((item, old_flags)) = item else {
            return Ok(false);
        };
        // A local flag change still waiting for the server wins over the server's old view.
        let pending: bool = self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM ops WHERE item_id = ?1 AND kind = 'set_flags')",
            )?
            .query_row([item], |row| row.get(0))?;
        if pending {
            return Ok(true);
        }
        self.conn()
            .prepare_cached(
                "UPDATE mail_folders SET flags = ?3 WHERE item_id = ?1 AND folder_id = ?2",
            )?
            .execute(params![item, folder_id, flags])
            .with_context(|| format!("Cannot store the flags of UID {uid}"))?;
        let recorded = self.refresh_item_state(item)?;
        if !recorded && (old_flags ^ flags) & FLAG_ANSWERED != 0 {
            self.record_folder_change(item)?;
        }
        Ok(true)
    }

    /// Removes UIDs (expunged on the server) from a folder. Items still in another folder are
    /// updated; items in no folder any more are left for [`Tx::remove_orphan_mail`], so that a
    /// message moved to a folder synced later keeps its item. Returns how many were removed.
    pub fn forget_imap_uids(&mut self, folder_id: i64, uids: &[u32]) -> Result<usize> {
        let mut removed = 0;
        for &uid in uids {
            let item: Option<i64> = self
                .conn()
                .prepare_cached(
                    "DELETE FROM mail_folders WHERE folder_id = ?1 AND uid = ?2 RETURNING item_id",
                )?
                .query_row(params![folder_id, uid], |row| row.get(0))
                .optional()
                .with_context(|| format!("Cannot forget UID {uid}"))?;
            if let Some(item) = item {
                removed += 1;
                self.refresh_item_state(item)?;
                self.record_folder_change(item)?;
            }
        }
        Ok(removed)
    }

    /// Drops every UID mapping of a folder that belongs to another UIDVALIDITY (the server
    /// renumbered the folder). The messages are fetched again and rejoin their items by
    /// Message-ID; whatever is not found again is removed by [`Tx::remove_orphan_mail`].
    pub fn forget_stale_uids(&mut self, folder_id: i64, uidvalidity: u32) -> Result<usize> {
        let removed = self
            .conn()
            .execute(
                "DELETE FROM mail_folders WHERE folder_id = ?1 AND uidvalidity != ?2",
                params![folder_id, uidvalidity],
            )
            .context("Cannot drop the folder's old UIDs")?;
        Ok(removed)
    }

    /// Removes the mail items of an account that no folder holds any more (expunged everywhere):
    /// from the timeline, the search index and with a `removed` change. Returns their ids.
    pub fn remove_orphan_mail(&mut self, account_id: i64) -> Result<Vec<i64>> {
        let orphans: Vec<i64> = {
            let mut stmt = self.conn().prepare(
                "SELECT i.id FROM items i JOIN mail m ON m.item_id = i.id WHERE i.account_id = ?1 AND i.kind = 'mail'
                 AND NOT EXISTS (SELECT 1 FROM mail_folders mf WHERE mf.item_id = i.id)
                 -- Mail just sent from here waits for its copy in Sent to be synced.
                 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.account_id = i.account_id
                     AND o.message_id = m.message_id AND o.state = 'sent'
                     AND (o.in_sent = 0 OR o.sent_at > ?2))",
            )?;
            let recent = (self.now() - 15 * 60) * 1000;
            let rows = stmt.query_map(params![account_id, recent], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot find messages that left every folder")?
        };
        for &id in &orphans {
            self.delete_item(id)?;
        }
        Ok(orphans)
    }

    /// Records that UID `uid` of a folder is a copy of the stored mail `item` (recognised from a
    /// header-only look, so its body is not downloaded again), with its flags there. The item's
    /// read and flagged state becomes the union over its folders. Returns false when the item is
    /// gone meanwhile (the caller fetches the message whole then).
    pub fn link_imap_copy(
        &mut self,
        item: i64,
        (folder_id, uid, uidvalidity): (i64, u32, u32),
        flags: u32,
    ) -> Result<bool> {
        let exists: bool = self
            .conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM mail WHERE item_id = ?1)")?
            .query_row([item], |row| row.get(0))?;
        if !exists {
            return Ok(false);
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO mail_folders (item_id, folder_id, uid, uidvalidity, flags) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (item_id, folder_id) DO UPDATE SET uid = excluded.uid,
                     uidvalidity = excluded.uidvalidity, flags = excluded.flags",
            )?
            .execute(params![item, folder_id, uid, uidvalidity, flags])
            .with_context(|| format!("Cannot link UID {uid} to its stored message"))?;
        if !self.refresh_item_state(item)? {
            self.record_folder_change(item)?;
        }
        Ok(true)
    }

    /// Read = seen in any folder; flagged = flagged in any folder. Returns whether the item
    /// changed (and the change was recorded).
    fn refresh_item_state(&mut self, item: i64) -> Result<bool> {
        let state: Option<(bool, bool)> = self
            .conn()
            .prepare_cached(
                "SELECT max((flags & ?2) != 0), max((flags & ?3) != 0) FROM mail_folders
                 WHERE item_id = ?1 GROUP BY item_id",
            )?
            .query_row(params![item, FLAG_SEEN, FLAG_FLAGGED], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .optional()?;
        match state {
            Some((seen, flagged)) => self.set_item_state(item, Some(!seen), Some(flagged)),
            None => Ok(false),
        }
    }

    pub(crate) fn record_folder_change(&mut self, item: i64) -> Result<()> {
        let title: Option<String> = self
            .conn()
            .prepare_cached("SELECT title FROM items WHERE id = ?1")?
            .query_row([item], |row| row.get(0))
            .optional()?;
        if let Some(title) = title {
            self.record(ChangeKind::Updated, item, ItemKind::Mail, &title)?;
        }
        Ok(())
    }
}

impl crate::Store {
    /// The stored mail item of each message of an account named by (Message-ID, Gmail id):
    /// by the Gmail id when given and known, else by the Message-ID. `None` where neither is
    /// stored (or nothing names the message).
    pub fn stored_copies(
        &self,
        account_id: i64,
        names: &[(Option<&str>, Option<u64>)],
    ) -> Result<Vec<Option<i64>>> {
        self.read(|conn| {
            let any: bool = conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM mail WHERE account_id = ?1)")?
                .query_row([account_id], |row| row.get(0))?;
            if !any {
                return Ok(vec![None; names.len()]);
            }
            let mut by_gm = conn.prepare_cached(
                "SELECT item_id FROM mail WHERE account_id = ?1 AND gm_msgid = ?2 AND gm_msgid IS NOT NULL",
            )?;
            let mut by_id = conn.prepare_cached(
                "SELECT item_id FROM mail WHERE account_id = ?1 AND message_id = ?2",
            )?;
            let mut found = Vec::with_capacity(names.len());
            for (message_id, gm_msgid) in names {
                let mut item = None;
                if let Some(gm) = gm_msgid {
                    item = by_gm
                        .query_row(params![account_id, *gm as i64], |row| row.get(0))
                        .optional()?;
                }
                if let (None, Some(id)) = (item, message_id) {
                    item = by_id
                        .query_row(params![account_id, id], |row| row.get(0))
                        .optional()?;
                }
                found.push(item);
            }
            Ok(found)
        })
    }

    /// Every message mapping of a folder (any UIDVALIDITY), by UID.
    pub fn imap_messages(&self, folder_id: i64) -> Result<Vec<ImapMessage>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT uid, uidvalidity, item_id, flags FROM mail_folders WHERE folder_id = ?1 ORDER BY uid",
            )?;
            let rows = stmt.query_map([folder_id], |row| {
                Ok(ImapMessage {
                    uid: row.get(0)?,
                    uidvalidity: row.get(1)?,
                    item_id: row.get(2)?,
                    flags: row.get(3)?,
                })
            })?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the folder's messages")
        })
    }
}
