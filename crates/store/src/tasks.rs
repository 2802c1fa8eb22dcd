//! Tasks: items of kind `task` with a `tasks` row (shaped like an iCalendar VTODO), made by hand
//! or from a mail. What flagging a mail does and whether replies move a task are settings
//! (`settings.rs`).
//!
//! A task made from a mail names it by Message-ID (`tasks.mail_message_id`, shown to other devices
//! as an RFC 2392 `mid:` URL), and the mail's item points at the task (`items.task_id`). The task
//! item takes the mail's subject, sender and snippet. The Message-ID is the truth: the link
//! survives moves (one item per Message-ID), and a mail stored again (a folder renumbered, the
//! mail deleted and fetched anew) finds its task again when it is stored (`Tx::relink_task` in
//! `insert_mail`). A mail never gets two tasks.
//!
//! Flagging a mail, by the user or by the server, or storing a mail already flagged makes its task
//! in the same transaction when `tasks.from_flagged` is on (the default).
//!
//! One message updates progress: a mail that joins the conversation of a task's mail after the
//! task was made is the task's activity (`task_activity`, shown with the task), and moves a task
//! that needs action to "in process" when `tasks.progress_from_replies` is on (the default).
//! `Tx::note_task_activity` runs in `insert_mail`'s transaction. Tasks made from chat messages are
//! in `chat.rs`; their CalDAV side is in `task_sync.rs`.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _};
use sha2::{Digest as _, Sha256};

use crate::items::free_sort_key;
use crate::{ChangeKind, ItemKind, Setting, StoreError, Tx};

/// A task's status (iCalendar STATUS of a VTODO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    /// Not started (NEEDS-ACTION).
    NeedsAction,
    /// Started (IN-PROCESS).
    InProcess,
    /// Done (COMPLETED).
    Completed,
    /// Dropped (CANCELLED).
    Cancelled,
}

impl TaskStatus {
    /// The stored name: `needs-action`, `in-process`, `completed` or `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NeedsAction => "needs-action",
            TaskStatus::InProcess => "in-process",
            TaskStatus::Completed => "completed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name; unknown names are `needs-action`.
    pub fn parse(s: &str) -> Self {
        match s {
            "in-process" => TaskStatus::InProcess,
            "completed" => TaskStatus::Completed,
            "cancelled" => TaskStatus::Cancelled,
            _ => TaskStatus::NeedsAction,
        }
    }

    /// Completed or cancelled: nothing left to do.
    pub fn is_closed(self) -> bool {
        matches!(self, TaskStatus::Completed | TaskStatus::Cancelled)
    }
}

/// The task part of a timeline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TodoInfo {
    /// Status.
    pub status: TaskStatus,
    /// Due, Unix milliseconds.
    pub due_ms: Option<i64>,
    /// When it was completed, Unix milliseconds.
    pub completed_ms: Option<i64>,
    /// The mail it was made from, by Message-ID; `None` when not made from a mail.
    pub mail_message_id: Option<String>,
    /// That mail's item, when it is stored here (for a task made from a chat message: that
    /// message's item).
    pub mail_item: Option<i64>,
    /// A sync conflict waiting for the user (why, with the server's values).
    pub conflict: Option<String>,
    /// PRIORITY (1 highest … 9 lowest; 0 none).
    pub priority: i64,
    /// PERCENT-COMPLETE.
    pub percent: i64,
    /// RELATED-TO: the parent task's UID.
    pub related_to: Option<String>,
}

impl Tx<'_> {
    /// The task made from mail item `mail_id`, made now if it has none: title from the subject,
    /// sender and snippet from the mail, due at `due_ms`. Returns the task's item id and whether
    /// it was made now (an existing task is returned unchanged).
    pub fn task_from_mail(&mut self, mail_id: i64, due_ms: Option<i64>) -> Result<(i64, bool)> {
        let mail: Option<MailForTask> = self
            .conn()
            .prepare_cached(
                "SELECT i.kind, i.account_id, i.title, i.sender_name, i.sender_address, i.snippet, i.task_id,
                        m.message_id
                 FROM items i LEFT JOIN mail m ON m.item_id = i.id WHERE i.id = ?1",
            )?
            .query_row([mail_id], |row| {
                Ok(MailForTask {
                    kind: row.get(0)?,
                    account_id: row.get(1)?,
                    title: row.get(2)?,
                    sender_name: row.get(3)?,
                    sender_address: row.get(4)?,
                    snippet: row.get(5)?,
                    task: row.get(6)?,
                    message_id: row.get(7)?,
                })
            })
            .optional()?;
        let mail = mail.ok_or(StoreError::NoSuchItem(mail_id))?;
        if mail.kind == "chat" {
            return self.task_from_chat(mail_id, due_ms);
        }
        let Some(message_id) = mail.message_id.filter(|_| mail.kind == "mail") else {
            return Err(StoreError::NotMail(mail_id).into());
        };
        if let Some(task) = mail.task {
            return Ok((task, false));
        }
        // A task made from this message before (say before the mail was fetched again).
        if let Some(task) = task_of_message(self.conn(), mail.account_id, &message_id)? {
            self.link_mail_to_task(mail_id, task, &mail.title)?;
            return Ok((task, false));
        }

        let now_ms = self.now() * 1000;
        let time_ms = due_ms.unwrap_or(now_ms);
        let sort_key = free_sort_key(self.conn(), time_ms)?;
        let title = if mail.title.trim().is_empty() {
            "(no subject)".to_owned()
        } else {
            mail.title.clone()
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO items (sort_key, kind, account_id, time, title, sender_name, sender_address, unread, flagged, snippet)
                 VALUES (?1, 'task', ?2, ?3, ?4, ?5, ?6, 0, 0, ?7)",
            )?
            .execute(params![
                sort_key,
                mail.account_id,
                time_ms,
                title,
                mail.sender_name,
                mail.sender_address,
                mail.snippet
            ])
            .context("Cannot store the task")?;
        let task = self.conn().last_insert_rowid();
        let uid = task_uid(mail.account_id, &message_id, now_ms, task);
        self.conn()
            .prepare_cached(
                "INSERT INTO tasks (item_id, uid, due, mail_message_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![task, uid, due_ms, message_id, now_ms])
            .context("Cannot store the task's details")?;
        self.conn()
            .prepare_cached(
                "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                sort_key,
                title,
                format!("{} {}", mail.sender_name, mail.sender_address),
                mail.snippet
            ])
            .context("Cannot index the task for search")?;
        self.record(ChangeKind::Added, task, ItemKind::Task, &title)?;
        self.link_mail_to_task(mail_id, task, &mail.title)?;
        tracing::debug!(mail_id, task, "Task made from mail.");
        Ok((task, true))
    }

    /// Sets a task's status (completing it stamps `completed_at`, reopening it clears that).
    /// Returns whether it changed.
    pub fn set_task_status(&mut self, task: i64, status: TaskStatus) -> Result<bool> {
        let title = task_title(self.conn(), task)?;
        let now_ms = self.now() * 1000;
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE tasks SET status = ?2, updated_at = ?3, revision = revision + 1,
                     completed_at = CASE WHEN ?2 = 'completed' THEN coalesce(completed_at, ?3) END,
                     percent = CASE WHEN ?2 = 'completed' THEN 100 WHEN percent = 100 THEN 0 ELSE percent END
                 WHERE item_id = ?1 AND status != ?2",
            )?
            .execute(params![task, status.as_str(), now_ms])
            .context("Cannot change the task's status")?;
        if changed > 0 {
            self.record(ChangeKind::Updated, task, ItemKind::Task, &title)?;
        }
        Ok(changed > 0)
    }

    /// Sets (or clears) the due time of task `task` (Unix milliseconds). Returns whether it
    /// changed.
    pub fn set_task_due(&mut self, task: i64, due_ms: Option<i64>) -> Result<bool> {
        let title = task_title(self.conn(), task)?;
        let now_ms = self.now() * 1000;
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE tasks SET due = ?2, updated_at = ?3, revision = revision + 1
                 WHERE item_id = ?1 AND due IS NOT ?2",
            )?
            .execute(params![task, due_ms, now_ms])
            .context("Cannot change the task's due date")?;
        if changed > 0 {
            self.record(ChangeKind::Updated, task, ItemKind::Task, &title)?;
        }
        Ok(changed > 0)
    }

    /// A mail was just flagged (by the user or by the server) or stored flagged: makes its task
    /// when the user wants that and it has none yet.
    pub(crate) fn on_mail_flagged(&mut self, mail_id: i64) -> Result<()> {
        if self.setting(Setting::TaskFromFlagged)? {
            self.task_from_mail(mail_id, None)?;
        }
        Ok(())
    }

    /// A mail just stored: if a task was made from its Message-ID before, links it again.
    pub(crate) fn relink_task(
        &mut self,
        mail_id: i64,
        account_id: i64,
        message_id: &str,
    ) -> Result<()> {
        if let Some(task) = task_of_message(self.conn(), account_id, message_id)? {
            self.conn()
                .prepare_cached("UPDATE items SET task_id = ?2 WHERE id = ?1")?
                .execute(params![mail_id, task])
                .context("Cannot link the mail to its task")?;
        }
        Ok(())
    }

    fn link_mail_to_task(&mut self, mail_id: i64, task: i64, title: &str) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE items SET task_id = ?2 WHERE id = ?1")?
            .execute(params![mail_id, task])
            .context("Cannot link the mail to its task")?;
        self.record(ChangeKind::Updated, mail_id, ItemKind::Mail, title)
    }
}

struct MailForTask {
    kind: String,
    account_id: i64,
    title: String,
    sender_name: String,
    sender_address: String,
    snippet: String,
    task: Option<i64>,
    message_id: Option<String>,
}

/// The task made from Message-ID `message_id` of an account, if any. Asked for every stored
/// message: the CROSS JOIN keeps SQLite on the `tasks_mail` index (the `!= ''` lets it use that
/// partial index) instead of walking all the account's items (4 ms instead of 3 µs at 20k).
fn task_of_message(conn: &Connection, account_id: i64, message_id: &str) -> Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT t.item_id FROM tasks t CROSS JOIN items i ON i.id = t.item_id
         WHERE t.mail_message_id = ?1 AND t.mail_message_id != '' AND i.account_id = ?2",
    )?
    .query_row(params![message_id, account_id], |row| row.get(0))
    .optional()
    .context("Cannot look for the mail's task")
}

fn task_title(conn: &Connection, task: i64) -> Result<String> {
    conn.prepare_cached(
        "SELECT i.title FROM items i JOIN tasks t ON t.item_id = i.id WHERE i.id = ?1",
    )?
    .query_row([task], |row| row.get(0))
    .optional()?
    .ok_or_else(|| StoreError::NotTask(task).into())
}

/// A globally unique iCalendar UID for a new task.
pub(crate) fn task_uid(account_id: i64, message_id: &str, now_ms: i64, task: i64) -> String {
    let mut hash = Sha256::new();
    hash.update(account_id.to_le_bytes());
    hash.update(message_id.as_bytes());
    hash.update(now_ms.to_le_bytes());
    hash.update(task.to_le_bytes());
    let digest = hash.finalize();
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@satu")
}

impl crate::Store {
    /// Every task: open ones first (by due date, those without one last, then newest made),
    /// then closed ones (most recently completed first).
    pub fn tasks(&self) -> Result<Vec<crate::ItemRow>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {} FROM items i LEFT JOIN mail m ON m.item_id = i.id LEFT JOIN tasks t ON t.item_id = i.id
                 WHERE i.kind = 'task' AND NOT EXISTS (SELECT 1 FROM snoozes s WHERE s.task_id = i.id)
                 ORDER BY t.status IN ('completed', 'cancelled'), t.due IS NULL, t.due,
                          t.completed_at DESC, t.created_at DESC, i.id DESC",
                crate::items::row_columns()
            ))?;
            let rows = stmt.query_map([], crate::items::row_from)?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the tasks")
        })
    }
}

/// A message in the conversation of a task's mail that came after the task was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// The message's item.
    pub item_id: i64,
    /// Its time, Unix ms.
    pub time_ms: i64,
    /// Its title (subject).
    pub title: String,
    /// Who wrote it.
    pub sender: String,
    /// The start of its text.
    pub snippet: String,
    /// The status it moved the task to ('' when none).
    pub moved_to: String,
}

/// What a message says of a task's work (see `NewMail::progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskProgress {
    /// PERCENT-COMPLETE it names.
    pub percent: Option<i64>,
    /// The work is done.
    pub done: bool,
}

impl Tx<'_> {
    /// Mail `mail_id` (sent at `time_ms`) joined a conversation: for each task made from a mail
    /// of that conversation before it was sent, it is activity; with `tasks.progress_from_replies`
    /// on, it moves a task that needs action to "in process", and what it says of the work
    /// (`progress`: "50%", "done") sets the task's percent and status, when its sender took part
    /// in the conversation and no later message set them already.
    pub(crate) fn note_task_activity(
        &mut self,
        mail_id: i64,
        time_ms: i64,
        message_id: &str,
        progress: Option<TaskProgress>,
    ) -> Result<()> {
        let tasks: Vec<(i64, String)> = {
            let mut stmt = self.conn().prepare_cached(
                // The thread's mail that became tasks, through the partial index of items with a
                // task (`items_thread_task`): a few rows, however long the thread (walking every
                // message of the thread took a third of a 100 000-message sync).
                "SELECT DISTINCT t.item_id, t.status FROM items me
                 JOIN items src ON src.thread_id = me.thread_id AND src.task_id IS NOT NULL
                 JOIN tasks t ON t.item_id = src.task_id
                 WHERE me.id = ?1 AND me.thread_id IS NOT NULL AND src.id != me.id
                     AND t.mail_message_id != '' AND t.mail_message_id != ?2
                     AND t.created_at <= ?3",
            )?;
            let rows = stmt.query_map(params![mail_id, message_id, time_ms], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if tasks.is_empty() {
            return Ok(());
        }
        let on = self.setting(Setting::ProgressFromReplies)?;
        for (task, status) in tasks {
            let says = match progress {
                Some(p) if on && self.may_move_task(task, mail_id, time_ms)? => Some(p),
                _ => None,
            };
            if let Some(p) = says {
                self.apply_progress(task, &status, mail_id, p)?;
                continue;
            }
            let moves = on && status == TaskStatus::NeedsAction.as_str();
            self.conn()
                .execute(
                    "INSERT OR IGNORE INTO task_activity (task_id, item_id, moved_to) VALUES (?1, ?2, ?3)",
                    params![task, mail_id, if moves { TaskStatus::InProcess.as_str() } else { "" }],
                )
                .context("Cannot note the task's activity")?;
            if moves {
                self.set_task_status(task, TaskStatus::InProcess)?;
            } else {
                let title = task_title(self.conn(), task)?;
                self.record(ChangeKind::Updated, task, ItemKind::Task, &title)?;
            }
        }
        Ok(())
    }
}

impl Tx<'_> {
    /// What message `item_id` says of task `task`'s work (its status now `status`): noted as
    /// activity ("50%", "completed") and set.
    fn apply_progress(
        &mut self,
        task: i64,
        status: &str,
        item_id: i64,
        p: TaskProgress,
    ) -> Result<()> {
        let moved_to = if p.done {
            TaskStatus::Completed.as_str().to_owned()
        } else {
            format!("{}%", p.percent.unwrap_or(0))
        };
        self.conn()
            .execute(
                "INSERT OR IGNORE INTO task_activity (task_id, item_id, moved_to) VALUES (?1, ?2, ?3)",
                params![task, item_id, moved_to],
            )
            .context("Cannot note the task's activity")?;
        if p.done {
            self.set_task_status(task, TaskStatus::Completed)?;
        } else if let Some(percent) = p.percent {
            if status == TaskStatus::NeedsAction.as_str() {
                self.set_task_status(task, TaskStatus::InProcess)?;
            }
            self.set_task_percent(task, percent)?;
        }
        Ok(())
    }

    /// A chat message (item `item_id`, sent at `time_ms`) that answers the chat message
    /// `reply_to` (an event id) of account `account_id`: when a task was made from that message
    /// and `tasks.progress_from_replies` is on, what it says of the work (`progress`) moves the
    /// task, unless a later message did already. Room members are its participants. Returns
    /// whether a task moved.
    pub fn chat_reply_progress(
        &mut self,
        account_id: i64,
        reply_to: &str,
        item_id: i64,
        time_ms: i64,
        progress: TaskProgress,
    ) -> Result<bool> {
        if reply_to.is_empty() || !self.setting(Setting::ProgressFromReplies)? {
            return Ok(false);
        }
        let found: Option<(i64, String)> = self
            .conn()
            .prepare_cached(
                "SELECT t.item_id, t.status FROM chat_messages c
                 JOIN items i ON i.id = c.item_id
                 JOIN tasks t ON t.item_id = i.task_id
                 WHERE c.account_id = ?1 AND c.event_id = ?2",
            )?
            .query_row(params![account_id, reply_to], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .context("Cannot look for the task of a chat message")?;
        let Some((task, status)) = found else {
            return Ok(false);
        };
        if self.later_progress(task, time_ms)? {
            return Ok(false);
        }
        self.apply_progress(task, &status, item_id, progress)?;
        Ok(true)
    }

    /// Whether a message sent after `time_ms` set task `task`'s progress already.
    fn later_progress(&self, task: i64, time_ms: i64) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM task_activity a JOIN items i ON i.id = a.item_id
                     WHERE a.task_id = ?1 AND a.moved_to != '' AND a.moved_to != 'in-process'
                       AND i.time > ?2)",
            )?
            .query_row(params![task, time_ms], |r| r.get(0))?)
    }

    /// Whether mail `mail_id` (sent at `time_ms`) may set task `task`'s progress: its sender
    /// took part in the conversation (wrote in it, was among the recipients of the task's mail,
    /// or is the user), and no message sent later set it already.
    fn may_move_task(&self, task: i64, mail_id: i64, time_ms: i64) -> Result<bool> {
        if self.later_progress(task, time_ms)? {
            return Ok(false);
        }
        let took_part: bool = self
            .conn()
            .prepare_cached(
                "SELECT EXISTS (
                     SELECT 1 FROM items me
                     WHERE me.id = ?2 AND me.sender_address != '' AND (
                         EXISTS (SELECT 1 FROM items o WHERE o.thread_id = me.thread_id AND o.id != me.id
                                 AND lower(o.sender_address) = lower(me.sender_address))
                         OR EXISTS (SELECT 1 FROM items src JOIN mail m ON m.item_id = src.id
                                    WHERE src.task_id = ?1
                                      AND instr(lower(m.recipients), lower(me.sender_address)) > 0)
                         OR EXISTS (SELECT 1 FROM accounts a WHERE lower(a.email) = lower(me.sender_address))
                         OR EXISTS (SELECT 1 FROM identities d WHERE lower(d.address) = lower(me.sender_address))))",
            )?
            .query_row(params![task, mail_id], |r| r.get(0))?;
        Ok(took_part)
    }

    /// Sets task `task`'s PERCENT-COMPLETE (0–100); 100 completes it. Returns whether it changed.
    pub fn set_task_percent(&mut self, task: i64, percent: i64) -> Result<bool> {
        let percent = percent.clamp(0, 100);
        if percent == 100 {
            return self.set_task_status(task, TaskStatus::Completed);
        }
        let title = task_title(self.conn(), task)?;
        let now_ms = self.now() * 1000;
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE tasks SET percent = ?2, updated_at = ?3, revision = revision + 1
                 WHERE item_id = ?1 AND percent != ?2",
            )?
            .execute(params![task, percent, now_ms])
            .context("Cannot change the task's progress")?;
        if changed > 0 {
            self.record(ChangeKind::Updated, task, ItemKind::Task, &title)?;
        }
        Ok(changed > 0)
    }
}

impl crate::Store {
    /// What happened in the conversation of task `task`'s mail since it was made, oldest first.
    pub fn task_activity(&self, task: i64) -> Result<Vec<Activity>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT i.id, i.time, i.title, CASE WHEN i.sender_name != '' THEN i.sender_name ELSE i.sender_address END,
                     i.snippet, a.moved_to
                 FROM task_activity a JOIN items i ON i.id = a.item_id
                 WHERE a.task_id = ?1 ORDER BY i.time, i.id",
            )?;
            let rows = stmt.query_map([task], |r| {
                Ok(Activity {
                    item_id: r.get(0)?,
                    time_ms: r.get(1)?,
                    title: r.get(2)?,
                    sender: r.get(3)?,
                    snippet: r.get(4)?,
                    moved_to: r.get(5)?,
                })
            })?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the task's activity")
        })
    }
}
