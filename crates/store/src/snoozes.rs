//! Snoozed conversations (`snoozes`): a snoozed mail and its thread leave the Inbox until a
//! time; then the conversation comes back to the top of the timeline. What "back" means (unread,
//! the server told) is decided in the core (`satu_core::snooze`); here are the rows.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::items::free_sort_key;
use crate::{ChangeKind, ItemKind, Store, StoreError, Tx};

/// One snoozed conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snooze {
    /// The mail the user snoozed.
    pub item_id: i64,
    /// Its thread's key (every message of it is snoozed), `None` when it has none.
    pub thread_id: Option<i64>,
    /// When it comes back (Unix ms).
    pub until_ms: i64,
    /// The task telling other devices of the snooze, when there is one.
    pub task_id: Option<i64>,
    /// The mail's subject.
    pub title: String,
}

const SELECT: &str = "SELECT s.item_id, s.thread_id, s.until, s.task_id, i.title
     FROM snoozes s JOIN items i ON i.id = s.item_id";

fn snooze_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<Snooze> {
    Ok(Snooze {
        item_id: row.get(0)?,
        thread_id: row.get(1)?,
        until_ms: row.get(2)?,
        task_id: row.get(3)?,
        title: row.get(4)?,
    })
}

/// The snooze covering item `id` (its own, or its thread's).
fn snooze_of(conn: &Connection, id: i64) -> Result<Option<Snooze>> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE s.item_id = ?1
            OR s.thread_id = (SELECT thread_id FROM items WHERE id = ?1)
         ORDER BY s.until LIMIT 1"
    ))?
    .query_row([id], snooze_from)
    .optional()
    .context("Cannot read the item's snooze")
}

impl Store {
    /// Every snoozed conversation, the soonest back first.
    pub fn snoozes(&self) -> Result<Vec<Snooze>> {
        self.read(|conn| {
            conn.prepare_cached(&format!("{SELECT} ORDER BY s.until, s.item_id"))?
                .query_map([], snooze_from)?
                .collect::<rusqlite::Result<_>>()
                .context("Cannot read the snoozed conversations")
        })
    }

    /// The snoozes whose time has come at `now_ms`.
    pub fn due_snoozes(&self, now_ms: i64) -> Result<Vec<Snooze>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "{SELECT} WHERE s.until <= ?1 ORDER BY s.until, s.item_id"
            ))?
            .query_map([now_ms], snooze_from)?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot read the snoozes due")
        })
    }

    /// The snooze covering item `id`, if any.
    pub fn snooze_of(&self, id: i64) -> Result<Option<Snooze>> {
        self.read(|conn| snooze_of(conn, id))
    }
}

impl Tx<'_> {
    /// Snoozes mail `id` and its conversation until `until_ms` (a new time replaces an earlier
    /// snooze of the same conversation). Returns the snooze.
    pub fn snooze(&mut self, id: i64, until_ms: i64) -> Result<Snooze> {
        let (kind, thread, title): (String, Option<i64>, String) = self
            .conn()
            .query_row(
                "SELECT kind, thread_id, title FROM items WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?
            .ok_or(StoreError::NoSuchItem(id))?;
        if kind != "mail" {
            return Err(StoreError::NotMail(id).into());
        }
        // One snooze per conversation: the latest choice holds.
        let replaced = match thread {
            Some(thread) => self
                .conn()
                .query_row(
                    "DELETE FROM snoozes WHERE thread_id = ?1 OR item_id = ?2 RETURNING task_id",
                    params![thread, id],
                    |row| row.get::<_, Option<i64>>(0),
                )
                .optional()?
                .flatten(),
            None => self
                .conn()
                .query_row(
                    "DELETE FROM snoozes WHERE item_id = ?1 RETURNING task_id",
                    [id],
                    |row| row.get::<_, Option<i64>>(0),
                )
                .optional()?
                .flatten(),
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO snoozes (item_id, thread_id, until, task_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id, thread, until_ms, replaced, self.now() * 1000])
            .context("Cannot store the snooze")?;
        self.record(ChangeKind::Updated, id, ItemKind::Mail, &title)?;
        Ok(Snooze {
            item_id: id,
            thread_id: thread,
            until_ms,
            task_id: replaced,
            title,
        })
    }

    /// Makes the task that tells other devices of the snooze of mail `id` (a task due at
    /// `until_ms` whose text `ics` says so; pushed with the next sync, never shown as a task of
    /// the user's). Returns its item id.
    pub fn add_snooze_task(&mut self, id: i64, until_ms: i64, uid: &str, ics: &str) -> Result<i64> {
        let (account_id, title, message_id): (i64, String, String) = self
            .conn()
            .query_row(
                "SELECT i.account_id, i.title, m.message_id FROM items i JOIN mail m ON m.item_id = i.id
                 WHERE i.id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?
            .ok_or(StoreError::NotMail(id))?;
        let now_ms = self.now() * 1000;
        let sort_key = free_sort_key(self.conn(), until_ms)?;
        self.conn()
            .execute(
                "INSERT INTO items (sort_key, kind, account_id, time, title, unread, flagged)
                 VALUES (?1, 'task', ?2, ?3, ?4, 0, 0)",
                params![sort_key, account_id, until_ms, title],
            )
            .context("Cannot store the snooze's task")?;
        let task = self.conn().last_insert_rowid();
        self.conn()
            .execute(
                "INSERT INTO tasks (item_id, uid, due, mail_message_id, created_at, updated_at, ics)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                params![task, uid, until_ms, message_id, now_ms, ics],
            )
            .context("Cannot store the snooze's task")?;
        self.conn()
            .execute(
                "UPDATE snoozes SET task_id = ?2 WHERE item_id = ?1",
                params![id, task],
            )
            .context("Cannot link the snooze to its task")?;
        Ok(task)
    }

    /// A snooze another device made (its task arrived): mail `id` is away until `until_ms`.
    pub(crate) fn snooze_from_task(&mut self, id: i64, until_ms: i64, task: i64) -> Result<()> {
        let snooze = self.snooze(id, until_ms)?;
        if let Some(old) = snooze.task_id.filter(|&old| old != task) {
            // This device's own task for an earlier snooze of the same conversation goes.
            self.delete_task(old)?;
        }
        self.conn()
            .execute(
                "UPDATE snoozes SET task_id = ?2 WHERE item_id = ?1",
                params![id, task],
            )
            .context("Cannot link the snooze to its task")?;
        Ok(())
    }

    /// The task carrying a snooze is gone from the server: that snooze ends here.
    pub(crate) fn end_snooze_of_task(&mut self, task: i64) -> Result<()> {
        let ended: Option<(i64, String)> = self
            .conn()
            .query_row(
                "DELETE FROM snoozes WHERE task_id = ?1
                 RETURNING item_id, (SELECT title FROM items WHERE id = item_id)",
                [task],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    ))
                },
            )
            .optional()?;
        if let Some((item, title)) = ended {
            self.record(ChangeKind::Updated, item, ItemKind::Mail, &title)?;
        }
        Ok(())
    }

    /// Ends the snooze covering item `id` (its own or its thread's) without more: the
    /// conversation is in the Inbox again where it was. Returns the snooze ended.
    pub fn unsnooze(&mut self, id: i64) -> Result<Option<Snooze>> {
        let Some(snooze) = snooze_of(self.conn(), id)? else {
            return Ok(None);
        };
        self.conn()
            .execute("DELETE FROM snoozes WHERE item_id = ?1", [snooze.item_id])
            .context("Cannot end the snooze")?;
        if let Some(task) = snooze.task_id {
            // Other devices learn of it: the task goes from the task list.
            self.delete_task(task)?;
        }
        self.record(
            ChangeKind::Updated,
            snooze.item_id,
            ItemKind::Mail,
            &snooze.title,
        )?;
        Ok(Some(snooze))
    }

    /// Ends a snooze whose time has come: the conversation's newest message in an Inbox (not a
    /// reply in Sent, say; the snoozed mail itself when none is) moves to the top of the
    /// timeline (a sort key at `now_ms`; its search entry moves along). Returns that message's
    /// id.
    pub fn wake(&mut self, snooze: &Snooze, now_ms: i64) -> Result<i64> {
        self.conn()
            .execute("DELETE FROM snoozes WHERE item_id = ?1", [snooze.item_id])
            .context("Cannot end the snooze")?;
        if let Some(task) = snooze.task_id {
            self.delete_task(task)?;
        }
        let newest: i64 = match snooze.thread_id {
            Some(thread) => self
                .conn()
                .query_row(
                    "SELECT i.id FROM items i WHERE i.thread_id = ?1 AND i.kind = 'mail'
                       AND EXISTS (SELECT 1 FROM mail_folders mf JOIN folders f ON f.id = mf.folder_id
                           JOIN accounts a ON a.id = f.account_id
                           WHERE mf.item_id = i.id AND (f.role = 'inbox' OR (a.kind = 'local' AND f.role = '')))
                     ORDER BY i.sort_key DESC LIMIT 1",
                    [thread],
                    |row| row.get(0),
                )
                .optional()?
                .unwrap_or(snooze.item_id),
            None => snooze.item_id,
        };
        self.resurface(newest, now_ms)?;
        Ok(newest)
    }

    /// Gives mail `id` a sort key at `now_ms` (the top of the timeline), moving its search
    /// entry (the contentless index is keyed by sort key: it is written again from the mail).
    fn resurface(&mut self, id: i64, now_ms: i64) -> Result<()> {
        let old_key: i64 = self
            .conn()
            .query_row("SELECT sort_key FROM items WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .ok_or(StoreError::NoSuchItem(id))?;
        let (title, sender, body) =
            crate::search_index::mail_text(self.conn(), id)?.ok_or(StoreError::NoSuchItem(id))?;
        let new_key = free_sort_key(self.conn(), now_ms)?;
        if new_key <= old_key {
            return Ok(());
        }
        // Mail still queued for the index has no entry to move: the indexer reads the new key.
        let queued = crate::search_index::is_queued(self.conn(), id)?;
        if !queued {
            self.conn()
                .execute("DELETE FROM items_fts WHERE rowid = ?1", [old_key])
                .context("Cannot move the mail's search entry")?;
        }
        self.conn()
            .execute(
                "UPDATE items SET sort_key = ?2 WHERE id = ?1",
                params![id, new_key],
            )
            .context("Cannot move the mail to the top")?;
        if !queued {
            self.conn()
                .execute(
                    "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
                    params![new_key, title, sender, body],
                )
                .context("Cannot move the mail's search entry")?;
        }
        self.record(ChangeKind::Updated, id, ItemKind::Mail, &title)?;
        Ok(())
    }
}
