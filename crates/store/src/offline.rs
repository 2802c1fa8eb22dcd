//! Selective offline (`0023_offline_window.sql`): an account or a folder keeps message bodies
//! for the last N days only. Older mail is stored with its header alone (`mail.remote = 1`):
//! listed, threaded, found by subject and sender; [`Tx::fill_body`] stores its whole message when
//! the user opens it. [`Tx::drop_remote_bodies`] applies a window to what is already stored (a
//! new choice, or mail that has aged out of it): the header stays in `mail_raw`, the words stay
//! in the search index, the attachments stay listed.

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _};

use crate::{ChangeKind, ItemKind, NewMail, Tx};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The header of a message: everything before its first empty line (the whole when none).
pub(crate) fn header_of(raw: &[u8]) -> &[u8] {
    let crlf = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
    let lf = raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => &raw[..a.min(b)],
        (Some(end), None) | (None, Some(end)) => &raw[..end],
        (None, None) => raw,
    }
}

/// Where a mail kept with its header only can be downloaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCopy {
    /// Account id.
    pub account_id: i64,
    /// Folder id and name on the server.
    pub folder_id: i64,
    pub folder: String,
    /// UID and the UIDVALIDITY it belongs to.
    pub uid: u32,
    pub uidvalidity: u32,
    /// The whole message's size on the server (bytes).
    pub size: i64,
}

impl Tx<'_> {
    /// Drops the bodies of the folder's mail older than the folder's window (`keep_days` before
    /// `now_ms`), unless another folder of the same item keeps it. Returns how many.
    pub fn drop_remote_bodies(&mut self, folder_id: i64, now_ms: i64) -> Result<u64> {
        let keep: Option<i64> = self
            .conn()
            .query_row(
                "SELECT coalesce(f.offline_days, a.offline_days) FROM folders f
                 JOIN accounts a ON a.id = f.account_id WHERE f.id = ?1",
                [folder_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        let Some(days) = keep else {
            return Ok(0);
        };
        let cutoff = now_ms.saturating_sub(days.saturating_mul(DAY_MS));
        let items: Vec<(i64, Vec<u8>)> = {
            let mut stmt = self.conn().prepare(
                "SELECT m.item_id, r.raw FROM mail m
                 JOIN items i ON i.id = m.item_id
                 JOIN mail_raw r ON r.item_id = m.item_id
                 JOIN mail_folders mf ON mf.item_id = m.item_id AND mf.folder_id = ?1
                 WHERE m.remote = 0 AND mf.uid > 0 AND i.time < ?2
                   AND NOT EXISTS (
                       SELECT 1 FROM mail_folders o JOIN folders f ON f.id = o.folder_id
                       JOIN accounts a ON a.id = f.account_id
                       WHERE o.item_id = m.item_id AND (o.uid = 0
                           OR coalesce(f.offline_days, a.offline_days) IS NULL
                           OR i.time >= ?3 - coalesce(f.offline_days, a.offline_days) * ?4))",
            )?;
            let rows = stmt.query_map(params![folder_id, cutoff, now_ms, DAY_MS], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot find the bodies to drop")?
        };
        for (id, raw) in &items {
            self.conn()
                .prepare_cached("UPDATE mail_raw SET raw = ?2 WHERE item_id = ?1")?
                .execute(params![id, header_of(raw)])
                .context("Cannot drop a message's body")?;
            self.conn()
                .prepare_cached(
                    "UPDATE mail SET body_text = NULL, body_html = NULL, remote = 1 WHERE item_id = ?1",
                )?
                .execute([id])
                .context("Cannot drop a message's body")?;
        }
        Ok(items.len() as u64)
    }

    /// Stores the whole message of mail `id`, kept with its header only until now (downloaded
    /// when the user opened it): its body, original, attachments and snippet, and its words in
    /// the search index. Records it as updated. Returns false when it was not header-only.
    pub fn fill_body(&mut self, id: i64, mail: &NewMail) -> Result<bool> {
        let remote: Option<bool> = self
            .conn()
            .query_row("SELECT remote FROM mail WHERE item_id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?;
        if remote != Some(true) {
            return Ok(false);
        }
        self.conn()
            .execute(
                "UPDATE mail SET body_text = ?2, body_html = ?3, size = ?4, quarantine = ?5, remote = 0
                 WHERE item_id = ?1",
                params![
                    id,
                    mail.body_text,
                    mail.body_html,
                    mail.raw.len() as i64,
                    mail.quarantine
                ],
            )
            .context("Cannot store the downloaded message")?;
        self.conn()
            .execute(
                "UPDATE mail_raw SET raw = ?2 WHERE item_id = ?1",
                params![id, mail.raw],
            )
            .context("Cannot store the downloaded original")?;
        self.conn()
            .execute(
                "UPDATE items SET snippet = ?2 WHERE id = ?1",
                params![id, mail.snippet],
            )
            .context("Cannot store the downloaded message's snippet")?;
        self.conn()
            .execute("DELETE FROM attachments WHERE item_id = ?1", [id])
            .context("Cannot replace the attachments")?;
        self.insert_attachments(id, &mail.attachments)?;
        // Its words: indexed again with the body.
        if !crate::search_index::is_queued(self.conn(), id)? {
            self.conn()
                .execute(
                    "DELETE FROM items_fts WHERE rowid = (SELECT sort_key FROM items WHERE id = ?1)",
                    [id],
                )
                .context("Cannot index the downloaded message")?;
            self.queue_for_index(id)?;
        }
        self.index_now(&[id])?;
        let title: String =
            self.conn()
                .query_row("SELECT title FROM items WHERE id = ?1", [id], |row| {
                    row.get(0)
                })?;
        self.record(ChangeKind::Updated, id, ItemKind::Mail, &title)?;
        Ok(true)
    }
}

impl crate::Store {
    /// Where mail `id` can be downloaded from when only its header is stored; `None` when its
    /// body is here (or it has no folder on a server).
    pub fn remote_copy(&self, id: i64) -> Result<Option<RemoteCopy>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT m.account_id, f.id, f.name, mf.uid, mf.uidvalidity, m.size FROM mail m
                 JOIN mail_folders mf ON mf.item_id = m.item_id AND mf.uid > 0
                 JOIN folders f ON f.id = mf.folder_id
                 WHERE m.item_id = ?1 AND m.remote = 1
                 ORDER BY f.role = 'inbox' DESC, f.name LIMIT 1",
                [id],
                |row| {
                    Ok(RemoteCopy {
                        account_id: row.get(0)?,
                        folder_id: row.get(1)?,
                        folder: row.get(2)?,
                        uid: row.get(3)?,
                        uidvalidity: row.get(4)?,
                        size: row.get(5)?,
                    })
                },
            )
            .optional()
            .context("Cannot read where the message is")
        })
    }

    /// The folders (id, name) of an account holding mail kept with its header only: where a
    /// search must ask the server too.
    pub fn folders_with_remote_mail(&self, account_id: i64) -> Result<Vec<(i64, String)>> {
        self.read(|conn| {
            // From the header-only mail (`mail_remote`, a partial index): nothing to read when
            // every body is here.
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT f.id, f.name FROM mail m
                 JOIN mail_folders mf ON mf.item_id = m.item_id AND mf.uid > 0
                 JOIN folders f ON f.id = mf.folder_id
                 WHERE m.account_id = ?1 AND m.remote = 1 ORDER BY f.name",
            )?;
            let rows = stmt.query_map([account_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the folders with mail on the server")
        })
    }

    /// The items of UIDs of a folder (those stored), as timeline rows, newest first.
    pub fn items_of_uids(&self, folder_id: i64, uids: &[u32]) -> Result<Vec<crate::ItemRow>> {
        self.read(|conn| {
            let mut ids = Vec::new();
            let mut stmt = conn.prepare_cached(
                "SELECT item_id FROM mail_folders WHERE folder_id = ?1 AND uid = ?2",
            )?;
            for uid in uids {
                if let Some(id) = stmt
                    .query_row(params![folder_id, uid], |row| row.get::<_, i64>(0))
                    .optional()?
                {
                    ids.push(id);
                }
            }
            let mut rows = ids
                .into_iter()
                .map(|id| crate::items::item_row_of(conn, id))
                .collect::<Result<Vec<_>>>()?;
            rows.sort_by_key(|row| std::cmp::Reverse(row.time_ms));
            Ok(rows)
        })
    }
}
