//! Drafts: what the user is writing, saved as they type. Each save is a new revision; the core
//! puts the latest revision in the account's Drafts folder and removes the one before, and the
//! row remembers the Message-ID of that copy. A draft holds text and recipients (and what it
//! answers or forwards); files picked in the window go with the send only.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _, Row};

use crate::{StoreError, Tx};

/// A draft's content, to save.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftContent {
    /// The account it is written from.
    pub account_id: i64,
    /// To, as typed.
    pub to: Vec<String>,
    /// Cc.
    pub cc: Vec<String>,
    /// Bcc.
    pub bcc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The item it answers.
    pub reply_to_item: Option<i64>,
    /// The mail it forwards.
    pub forward_of: Option<i64>,
    /// The address it is written from ('' for the account's own).
    pub from: String,
}

/// A stored draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Draft id.
    pub id: i64,
    /// Its content.
    pub content: DraftContent,
    /// Unix milliseconds of the last save.
    pub updated_ms: i64,
    /// Revision (bumped by every save).
    pub revision: i64,
    /// The revision in the Drafts folder (0: none yet).
    pub synced_revision: i64,
    /// Message-ID of the copy in Drafts ('' when none).
    pub server_message_id: String,
    /// Message-ID of a copy that was being uploaded ('' when none).
    pub pending_message_id: String,
    /// Sent or discarded (its copy in Drafts is still to be removed).
    pub deleted: bool,
}

const COLUMNS: &str = "id, account_id, to_addrs, cc_addrs, bcc_addrs, subject, body, reply_to_item,
    forward_of, updated_at, revision, synced_revision, server_message_id, pending_message_id, deleted,
    from_address";

fn lines(text: String) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Draft> {
    Ok(Draft {
        id: row.get(0)?,
        content: DraftContent {
            account_id: row.get(1)?,
            to: lines(row.get(2)?),
            cc: lines(row.get(3)?),
            bcc: lines(row.get(4)?),
            subject: row.get(5)?,
            body: row.get(6)?,
            reply_to_item: row.get(7)?,
            forward_of: row.get(8)?,
            from: row.get(15)?,
        },
        updated_ms: row.get(9)?,
        revision: row.get(10)?,
        synced_revision: row.get(11)?,
        server_message_id: row.get(12)?,
        pending_message_id: row.get(13)?,
        deleted: row.get(14)?,
    })
}

fn draft(conn: &Connection, id: i64) -> Result<Draft> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM drafts WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
        .context("Cannot read the draft")?
        .ok_or_else(|| StoreError::NoSuchDraft(id).into())
}

impl Tx<'_> {
    /// Saves a draft: a new one (`id` None) or a new revision of draft `id`. Returns its id.
    pub fn save_draft(
        &mut self,
        id: Option<i64>,
        content: &DraftContent,
        now_ms: i64,
    ) -> Result<i64> {
        let args = (
            content.account_id,
            content.to.join("\n"),
            content.cc.join("\n"),
            content.bcc.join("\n"),
            &content.subject,
            &content.body,
            content.reply_to_item,
            content.forward_of,
            now_ms,
            &content.from,
        );
        match id {
            None => {
                self.conn()
                    .prepare_cached(
                        "INSERT INTO drafts (account_id, to_addrs, cc_addrs, bcc_addrs, subject, body,
                             reply_to_item, forward_of, updated_at, from_address)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    )?
                    .execute(params![args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8, args.9])
                    .context("Cannot save the draft")?;
                Ok(self.conn().last_insert_rowid())
            }
            Some(id) => {
                let changed = self
                    .conn()
                    .prepare_cached(
                        "UPDATE drafts SET account_id = ?2, to_addrs = ?3, cc_addrs = ?4, bcc_addrs = ?5,
                             subject = ?6, body = ?7, reply_to_item = ?8, forward_of = ?9, updated_at = ?10,
                             from_address = ?11, revision = revision + 1
                         WHERE id = ?1 AND deleted = 0",
                    )?
                    .execute(params![id, args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8, args.9])
                    .context("Cannot save the draft")?;
                if changed == 0 {
                    return Err(StoreError::NoSuchDraft(id).into());
                }
                Ok(id)
            }
        }
    }

    /// Sent or discarded: the draft leaves the window; its copy in Drafts is removed next.
    pub fn delete_draft(&mut self, id: i64) -> Result<()> {
        draft(self.conn(), id)?;
        self.conn()
            .execute("UPDATE drafts SET deleted = 1 WHERE id = ?1", [id])
            .context("Cannot delete the draft")?;
        Ok(())
    }

    /// A copy of revision `revision` is about to be uploaded with `message_id`.
    pub fn begin_draft_upload(&mut self, id: i64, message_id: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE drafts SET pending_message_id = ?2 WHERE id = ?1",
                params![id, message_id],
            )
            .context("Cannot record the draft's upload")?;
        Ok(())
    }

    /// The copy with `message_id` of revision `revision` is in Drafts (the older one removed).
    pub fn draft_uploaded(&mut self, id: i64, revision: i64, message_id: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE drafts SET synced_revision = ?2, server_message_id = ?3, pending_message_id = ''
                 WHERE id = ?1",
                params![id, revision, message_id],
            )
            .context("Cannot record the draft's upload")?;
        Ok(())
    }

    /// A deleted draft's copies left Drafts: forget it.
    pub fn forget_draft(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM drafts WHERE id = ?1 AND deleted = 1", [id])
            .context("Cannot forget the draft")?;
        Ok(())
    }
}

impl crate::Store {
    /// The drafts being written, newest first (deleted ones left out).
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM drafts WHERE deleted = 0 ORDER BY updated_at DESC, id DESC"
            ))?;
            let rows = stmt.query_map([], from_row)?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the drafts")
        })
    }

    /// One draft (a deleted one too).
    pub fn draft(&self, id: i64) -> Result<Draft> {
        self.read(|conn| draft(conn, id))
    }

    /// Drafts of `account` whose copy in Drafts is behind (a new revision, or deleted).
    pub fn drafts_to_sync(&self, account: i64) -> Result<Vec<Draft>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM drafts WHERE account_id = ?1
                 AND (deleted = 1 OR revision > synced_revision) ORDER BY id"
            ))?;
            let rows = stmt.query_map([account], from_row)?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the drafts")
        })
    }
}
