//! What the CalDAV task sync reads and writes: the tasks with local changes, the task of a UID,
//! and applying the server's version. What to apply is the core's decision (a merge of the base,
//! local and server versions); this only stores it, each in the caller's transaction.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _, Row};

use crate::items::free_sort_key;
use crate::{ChangeKind, ItemKind, TaskStatus, Tx};

/// The fields a task shares with its VTODO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFields {
    /// SUMMARY.
    pub title: String,
    /// STATUS.
    pub status: TaskStatus,
    /// DUE, Unix milliseconds.
    pub due_ms: Option<i64>,
}

/// A task as the sync sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncTask {
    /// The task's item id.
    pub item_id: i64,
    /// Its account.
    pub account_id: i64,
    /// iCalendar UID.
    pub uid: String,
    /// Its current fields.
    pub fields: TaskFields,
    /// The fields last agreed with the server (`None` before the first sync).
    pub base: Option<TaskFields>,
    /// When it was completed.
    pub completed_ms: Option<i64>,
    /// The mail it was made from (Message-ID), '' when none.
    pub mail_message_id: String,
    /// The start of its text.
    pub description: String,
    /// Where it lives on the server.
    pub calendar_id: Option<i64>,
    /// Its href ('' before the first push).
    pub href: String,
    /// Its etag ('' before the first push).
    pub etag: String,
    /// Local revision; > `synced_revision` means changes to push.
    pub revision: i64,
    /// The revision the server has.
    pub synced_revision: i64,
    /// Why the last sync could not settle it ('' when it did).
    pub sync_error: String,
    /// Unix milliseconds.
    pub created_ms: i64,
    /// Unix milliseconds.
    pub updated_ms: i64,
    /// Its VTODO as the server last had it ('' for a task never on a server).
    pub ics: String,
    /// The chat message it was made from, as a `matrix:` URI; '' when none.
    pub chat_link: String,
    /// PERCENT-COMPLETE here (a reply's "50%" moves it).
    pub percent: i64,
}

/// The server's version of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTask {
    /// UID.
    pub uid: String,
    /// Its fields.
    pub fields: TaskFields,
    /// COMPLETED.
    pub completed_ms: Option<i64>,
    /// The mail it links to (from `URL:mid:…`), '' when none.
    pub mail_message_id: String,
    /// DESCRIPTION.
    pub description: String,
    /// The whole text of the resource.
    pub ics: String,
    /// PRIORITY (0: none).
    pub priority: i64,
    /// PERCENT-COMPLETE.
    pub percent: i64,
    /// RELATED-TO (the parent's UID), '' when none.
    pub related_to: String,
    /// The task carries a snooze (`X-SATU-SNOOZE`): its mail is away from the Inbox until the
    /// task's due time, on every device.
    pub snooze: bool,
}

const COLUMNS: &str = "t.item_id, i.account_id, t.uid, i.title, t.status, t.due, t.base_title, t.base_status,
    t.base_due, t.completed_at, t.mail_message_id, i.snippet, t.calendar_id, t.href, t.etag, t.revision,
    t.synced_revision, t.sync_error, t.created_at, t.updated_at, t.ics, t.chat_link, t.percent";

fn from_row(row: &Row<'_>) -> rusqlite::Result<SyncTask> {
    let status: String = row.get(4)?;
    let base_status: String = row.get(7)?;
    Ok(SyncTask {
        item_id: row.get(0)?,
        account_id: row.get(1)?,
        uid: row.get(2)?,
        fields: TaskFields {
            title: row.get(3)?,
            status: TaskStatus::parse(&status),
            due_ms: row.get(5)?,
        },
        base: (!base_status.is_empty())
            .then(|| -> rusqlite::Result<TaskFields> {
                Ok(TaskFields {
                    title: row.get(6)?,
                    status: TaskStatus::parse(&base_status),
                    due_ms: row.get(8)?,
                })
            })
            .transpose()?,
        completed_ms: row.get(9)?,
        mail_message_id: row.get(10)?,
        description: row.get(11)?,
        calendar_id: row.get(12)?,
        href: row.get(13)?,
        etag: row.get(14)?,
        revision: row.get(15)?,
        synced_revision: row.get(16)?,
        sync_error: row.get(17)?,
        created_ms: row.get(18)?,
        updated_ms: row.get(19)?,
        ics: row.get(20)?,
        chat_link: row.get(21)?,
        percent: row.get(22)?,
    })
}

fn by_uid(conn: &Connection, uid: &str) -> Result<Option<SyncTask>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tasks t JOIN items i ON i.id = t.item_id WHERE t.uid = ?1"
    ))?
    .query_row([uid], from_row)
    .optional()
    .context("Cannot read the task")
}

impl crate::Store {
    /// Tasks with local changes the server does not have yet (conflicts waiting for the user
    /// left out).
    pub fn unsynced_tasks(&self) -> Result<Vec<SyncTask>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tasks t JOIN items i ON i.id = t.item_id
                 WHERE t.revision > t.synced_revision AND t.sync_error = '' ORDER BY t.item_id"
            ))?;
            let rows = stmt.query_map([], from_row)?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the tasks to sync")
        })
    }

    /// The task with this iCalendar UID.
    pub fn task_by_uid(&self, uid: &str) -> Result<Option<SyncTask>> {
        self.read(|conn| by_uid(conn, uid))
    }

    /// Task `item_id` as the sync sees it, whatever its state.
    pub fn unsynced_or_conflicted(&self, item_id: i64) -> Result<Option<SyncTask>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tasks t JOIN items i ON i.id = t.item_id WHERE t.item_id = ?1"
            ))?
            .query_row([item_id], from_row)
            .optional()
            .context("Cannot read the task")
        })
    }

    /// The task at `href` of calendar `calendar`.
    pub fn task_at(&self, calendar: i64, href: &str) -> Result<Option<SyncTask>> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tasks t JOIN items i ON i.id = t.item_id
                 WHERE t.calendar_id = ?1 AND t.href = ?2 AND t.href != ''"
            ))?
            .query_row(params![calendar, href], from_row)
            .optional()
            .context("Cannot read the task")
        })
    }
}

impl Tx<'_> {
    /// The server took revision `revision` of the task at `href` (new `etag`): that is the
    /// agreed version now. A change made meanwhile stays to be pushed.
    #[allow(clippy::too_many_arguments)]
    pub fn task_pushed(
        &mut self,
        item_id: i64,
        revision: i64,
        calendar_id: i64,
        href: &str,
        etag: &str,
        fields: &TaskFields,
        ics: &str,
    ) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE tasks SET ics = ?2 WHERE item_id = ?1",
                params![item_id, ics],
            )
            .context("Cannot record the pushed task")?;
        self.conn()
            .execute(
                "UPDATE tasks SET calendar_id = ?3, href = ?4, etag = ?5,
                     synced_revision = max(synced_revision, ?2), sync_error = '',
                     base_title = ?6, base_status = ?7, base_due = ?8
                 WHERE item_id = ?1",
                params![
                    item_id,
                    revision,
                    calendar_id,
                    href,
                    etag,
                    fields.title,
                    fields.status.as_str(),
                    fields.due_ms
                ],
            )
            .context("Cannot record the pushed task")?;
        Ok(())
    }

    /// Why the task cannot be synced until the user decides (a conflict); '' clears it.
    pub fn set_task_sync_error(&mut self, item_id: i64, error: &str) -> Result<()> {
        let title: String = self
            .conn()
            .query_row("SELECT title FROM items WHERE id = ?1", [item_id], |r| {
                r.get(0)
            })
            .context("Cannot read the task")?;
        self.conn()
            .execute(
                "UPDATE tasks SET sync_error = ?2 WHERE item_id = ?1",
                params![item_id, error],
            )
            .context("Cannot record the task's conflict")?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Task, &title)?;
        Ok(())
    }

    /// Sets a task's fields to `fields` (the server's or a merge), with the server's `etag` as
    /// the agreed version `base`. `pending`: the local side still has changes to push (a merge
    /// kept some); otherwise the task is in sync. Records an update when something shows.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_task_fields(
        &mut self,
        item_id: i64,
        fields: &TaskFields,
        completed_ms: Option<i64>,
        base: &TaskFields,
        calendar_id: i64,
        href: &str,
        etag: &str,
        pending: bool,
    ) -> Result<()> {
        let before: (String, String, Option<i64>) = self.conn().query_row(
            "SELECT i.title, t.status, t.due FROM tasks t JOIN items i ON i.id = t.item_id WHERE t.item_id = ?1",
            [item_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        self.conn()
            .execute(
                "UPDATE items SET title = ?2 WHERE id = ?1",
                params![item_id, fields.title],
            )
            .context("Cannot update the task")?;
        self.conn()
            .execute(
                "UPDATE tasks SET status = ?2, due = ?3, completed_at = ?4, calendar_id = ?5, href = ?6,
                     etag = ?7, base_title = ?8, base_status = ?9, base_due = ?10, sync_error = '',
                     synced_revision = CASE WHEN ?11 THEN synced_revision ELSE revision END
                 WHERE item_id = ?1",
                params![
                    item_id,
                    fields.status.as_str(),
                    fields.due_ms,
                    completed_ms,
                    calendar_id,
                    href,
                    etag,
                    base.title,
                    base.status.as_str(),
                    base.due_ms,
                    pending
                ],
            )
            .context("Cannot update the task")?;
        let changed = before.0 != fields.title
            || before.1 != fields.status.as_str()
            || before.2 != fields.due_ms;
        if changed {
            self.record(ChangeKind::Updated, item_id, ItemKind::Task, &fields.title)?;
        }
        Ok(())
    }

    /// A task another client made: a new task item of `account_id` (the mail's account when
    /// its `URL:mid:` names a mail stored here), in sync. Returns its id.
    pub fn add_remote_task(
        &mut self,
        account_id: i64,
        calendar_id: i64,
        href: &str,
        etag: &str,
        remote: &RemoteTask,
    ) -> Result<i64> {
        let now_ms = self.now() * 1000;
        let mail: Option<(i64, i64)> = if remote.mail_message_id.is_empty() {
            None
        } else {
            self.conn()
                .query_row(
                    "SELECT item_id, account_id FROM mail WHERE message_id = ?1 LIMIT 1",
                    [&remote.mail_message_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?
        };
        let owner = mail.map_or(account_id, |(_, account)| account);
        let time_ms = remote.fields.due_ms.unwrap_or(now_ms);
        let sort_key = free_sort_key(self.conn(), time_ms)?;
        let snippet: String = remote.description.chars().take(200).collect();
        self.conn()
            .execute(
                "INSERT INTO items (sort_key, kind, account_id, time, title, unread, flagged, snippet)
                 VALUES (?1, 'task', ?2, ?3, ?4, 0, 0, ?5)",
                params![sort_key, owner, time_ms, remote.fields.title, snippet],
            )
            .context("Cannot store the task")?;
        let id = self.conn().last_insert_rowid();
        self.conn()
            .execute(
                "INSERT INTO tasks (item_id, uid, status, due, completed_at, description, mail_message_id,
                     created_at, updated_at, calendar_id, href, etag, revision, synced_revision,
                     base_title, base_status, base_due)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, 1, 1, ?12, ?3, ?4)",
                params![
                    id,
                    remote.uid,
                    remote.fields.status.as_str(),
                    remote.fields.due_ms,
                    remote.completed_ms,
                    remote.description,
                    remote.mail_message_id,
                    now_ms,
                    calendar_id,
                    href,
                    etag,
                    remote.fields.title
                ],
            )
            .context("Cannot store the task's details")?;
        // A snooze's task is no task of the user's: not found by search either.
        if !remote.snooze {
            self.conn()
                .execute(
                    "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, '', ?3)",
                    params![sort_key, remote.fields.title, remote.description],
                )
                .context("Cannot index the task for search")?;
        }
        match mail {
            // Another device snoozed this mail: it is away here too, until the same time.
            Some((mail_id, _)) if remote.snooze => {
                if let (Some(until), false) =
                    (remote.fields.due_ms, remote.fields.status.is_closed())
                {
                    self.snooze_from_task(mail_id, until, id)?;
                }
            }
            Some((mail_id, _)) => {
                self.conn().execute(
                    "UPDATE items SET task_id = ?2 WHERE id = ?1 AND task_id IS NULL",
                    params![mail_id, id],
                )?;
            }
            None => {}
        }
        self.record(ChangeKind::Added, id, ItemKind::Task, &remote.fields.title)?;
        Ok(id)
    }

    /// The server's text of a task and what is read from it beside its fields.
    pub fn set_task_text(&mut self, item_id: i64, remote: &RemoteTask) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE tasks SET ics = ?2, priority = ?3, percent = ?4, related_to = ?5 WHERE item_id = ?1",
                params![
                    item_id,
                    remote.ics,
                    remote.priority,
                    remote.percent,
                    remote.related_to
                ],
            )
            .context("Cannot store the task's text")?;
        Ok(())
    }

    /// The user deleted a task: gone here at once, and from its task list with the next sync
    /// (`If-Match`: a version changed there since comes back).
    pub fn delete_task(&mut self, item_id: i64) -> Result<()> {
        let kind: String = self
            .conn()
            .query_row("SELECT kind FROM items WHERE id = ?1", [item_id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(crate::StoreError::NotTask(item_id))?;
        if kind != "task" {
            return Err(crate::StoreError::NotTask(item_id).into());
        }
        self.conn()
            .execute(
                "INSERT INTO dav_deletions (calendar_id, href, etag, uid, title)
                 SELECT t.calendar_id, t.href, t.etag, t.uid, i.title FROM tasks t JOIN items i ON i.id = t.item_id
                 WHERE t.item_id = ?1 AND t.calendar_id IS NOT NULL AND t.href != ''
                 ON CONFLICT (calendar_id, href) DO UPDATE SET etag = excluded.etag",
                [item_id],
            )
            .context("Cannot queue the task's deletion")?;
        // Its mail loses the link (ON DELETE SET NULL): that row changes too.
        let mails: Vec<(i64, String)> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT id, title FROM items WHERE task_id = ?1")?;
            let rows = stmt.query_map([item_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        self.delete_item(item_id)?;
        for (mail, title) in mails {
            self.record(ChangeKind::Updated, mail, ItemKind::Mail, &title)?;
        }
        Ok(())
    }

    /// Renames a task (pushed with the next sync).
    pub fn set_task_title(&mut self, item_id: i64, title: &str) -> Result<bool> {
        let (old, sort_key, snippet): (String, i64, String) = self
            .conn()
            .query_row(
                "SELECT i.title, i.sort_key, i.snippet FROM items i JOIN tasks t ON t.item_id = i.id WHERE i.id = ?1",
                [item_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(crate::StoreError::NotTask(item_id))?;
        if old == title {
            return Ok(false);
        }
        let now_ms = self.now() * 1000;
        self.conn()
            .execute(
                "UPDATE items SET title = ?2 WHERE id = ?1",
                params![item_id, title],
            )
            .context("Cannot rename the task")?;
        self.conn()
            .execute(
                "UPDATE tasks SET revision = revision + 1, updated_at = ?2 WHERE item_id = ?1",
                params![item_id, now_ms],
            )
            .context("Cannot rename the task")?;
        self.conn()
            .execute("DELETE FROM items_fts WHERE rowid = ?1", [sort_key])
            .context("Cannot update the search index")?;
        self.conn()
            .execute(
                "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, '', ?3)",
                params![sort_key, title, snippet],
            )
            .context("Cannot update the search index")?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Task, title)?;
        Ok(true)
    }

    /// A task deleted on the server that the user keeps: made anew there on the next push.
    pub fn task_recreate(&mut self, item_id: i64) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE tasks SET href = '', etag = '', sync_error = '', base_status = '',
                     synced_revision = min(synced_revision, revision - 1)
                 WHERE item_id = ?1",
                [item_id],
            )
            .context("Cannot keep the task")?;
        Ok(())
    }

    /// A task deleted on the server: gone here too. When it carried a snooze, the snooze ends
    /// here as well (the other device brought the conversation back).
    pub fn remove_task(&mut self, item_id: i64) -> Result<()> {
        self.end_snooze_of_task(item_id)?;
        self.delete_item(item_id)
    }

    /// The calendar's sync cursor after a sync.
    pub fn set_calendar_sync_token(&mut self, calendar_id: i64, token: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE calendars SET sync_token = ?2 WHERE id = ?1",
                params![calendar_id, token],
            )
            .context("Cannot store the calendar's sync token")?;
        Ok(())
    }
}
