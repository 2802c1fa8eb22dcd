//! The unified timeline: items, mail details, threads and full-text search.
//!
//! Order. `items.sort_key` = (time in ms << 20) + a free slot of that millisecond is the timeline
//! order and the rowid of the contentless FTS5 index `items_fts`. A match walked in rowid order is
//! already newest first, so "the first 50 results" reads 50 index entries instead of sorting every
//! match; search stays fast at any size. FTS5 writes out its pending index whenever a rowid comes
//! before the last one, so a transaction that writes many items should write them in timeline
//! order (the CalDAV pull sorts each part by start; IMAP batches come in UID order, which is
//! roughly date order).
//!
//! Mail. One item per (account, Message-ID): a message stored again only gains the folder.
//! [`Tx::insert_mail`] stores, indexes, threads and records the `added` change in the caller's
//! transaction, finds the message's task again (`relink_task`), notes task activity, and makes the
//! task of a flagged mail when the setting says so.
//!
//! Threads. `items.thread_id` is the conversation key: the thread of the nearest stored ancestor
//! (In-Reply-To, then References newest first), else of a same-subject message when the subject
//! marks a reply, else a new one. A late parent merges the replies stored before it into its
//! thread and records each as updated. [`TimelineQuery::threads`] keeps an item only when no newer
//! item of its thread passes the same filters (`items_thread_sort` makes that one index probe per
//! row), so grouped pages stay consistent with `before` paging; every row carries `thread_size`
//! and `thread_unread`. The items of a chat room share one key too.

use anyhow::{Context as _, Result};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension as _, Row};

use crate::tasks::{TaskStatus, TodoInfo};
use crate::{ChangeKind, StoreError, Tx};

/// Kind of a timeline item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A mail message.
    Mail,
    /// A chat message.
    Chat,
    /// A task (VTODO).
    Task,
    /// A calendar event (VEVENT).
    Event,
}

impl ItemKind {
    /// `mail`, `chat`, `task` or `event`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Mail => "mail",
            ItemKind::Chat => "chat",
            ItemKind::Task => "task",
            ItemKind::Event => "event",
        }
    }

    /// Parses `mail`, `chat`, `task` or `event`.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "mail" => Ok(ItemKind::Mail),
            "chat" => Ok(ItemKind::Chat),
            "task" => Ok(ItemKind::Task),
            "event" => Ok(ItemKind::Event),
            other => anyhow::bail!("Unknown item kind {other:?}: use mail, chat, task or event"),
        }
    }
}

/// A person (sender).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Display name, if any.
    pub name: Option<String>,
    /// Address.
    pub address: String,
}

/// An attachment to store with a message.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// File name ('' becomes "attachment").
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Decoded size in bytes. The bytes themselves stay in the original message.
    pub size: i64,
}

/// A parsed mail message to store.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// Account it belongs to.
    pub account_id: i64,
    /// Unix milliseconds.
    pub time_ms: i64,
    /// Subject.
    pub title: String,
    /// From.
    pub sender: Option<Person>,
    /// Not yet seen.
    pub unread: bool,
    /// Flagged.
    pub flagged: bool,
    /// Start of the text, for the list.
    pub snippet: String,
    /// Message-ID without angle brackets (synthesized when missing).
    pub message_id: String,
    /// In-Reply-To message id, '' when none.
    pub in_reply_to: String,
    /// References, oldest first.
    pub references: Vec<String>,
    /// Normalized subject for the threading fallback.
    pub subject_key: String,
    /// Whether the subject marked a reply or forward (Re:, Fwd:, …).
    pub subject_is_reply: bool,
    /// To and Cc for display.
    pub recipients: String,
    /// Text body.
    pub body_text: Option<String>,
    /// Sanitized HTML body.
    pub body_html: Option<String>,
    /// Why the message could be read only in part; `None` when it parsed cleanly.
    pub quarantine: Option<String>,
    /// The original message.
    pub raw: Vec<u8>,
    /// Attachments.
    pub attachments: Vec<NewAttachment>,
    /// Folder holding it, with its UID and UIDVALIDITY (0, 0 for local folders).
    pub folder: Option<(i64, u32, u32)>,
    /// Gmail's id of the message (`X-GM-MSGID`), where the server says it.
    pub gm_msgid: Option<u64>,
    /// `Some(size of the whole message)` when only its header was fetched (`raw` is the header;
    /// the body stays on the server until the message is opened: selective offline).
    pub remote_size: Option<u32>,
    /// What the message says of the work, when it answers in a task's conversation ("50%",
    /// "done"): read by the core from its first line (`core/src/progress.rs`).
    pub progress: Option<crate::TaskProgress>,
}

/// The outcome of storing a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new item.
    Added(i64),
    /// The Message-ID was already stored for this account: the existing item (now also in the
    /// given folder).
    Existing(i64),
}

impl Inserted {
    /// The item id either way.
    pub fn id(self) -> i64 {
        match self {
            Inserted::Added(id) | Inserted::Existing(id) => id,
        }
    }
}

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    /// Item id.
    pub id: i64,
    /// Kind.
    pub kind: ItemKind,
    /// Account id.
    pub account_id: i64,
    /// Title (subject).
    pub title: String,
    /// Sender.
    pub sender: Option<Person>,
    /// Unix milliseconds.
    pub time_ms: i64,
    /// Unread.
    pub unread: bool,
    /// Flagged.
    pub flagged: bool,
    /// Answered (mail: `\Answered` in any of its folders).
    pub answered: bool,
    /// Thread key.
    pub thread: Option<i64>,
    /// Items in its thread (1 when it is alone).
    pub thread_size: i64,
    /// Unread items in its thread.
    pub thread_unread: i64,
    /// Snippet.
    pub snippet: String,
    /// Message-ID (mail).
    pub message_id: Option<String>,
    /// Folders holding it (mail).
    pub folders: Vec<String>,
    /// Linked task.
    pub task: Option<i64>,
    /// The task's own details (items of kind task only).
    pub todo: Option<TodoInfo>,
    /// The event's own details (items of kind event only).
    pub event: Option<crate::EventInfo>,
    /// The chat message's own details (items of kind chat only).
    pub chat: Option<crate::ChatInfo>,
    /// When the conversation comes back from its snooze (Unix ms), if it is snoozed.
    pub snoozed_until_ms: Option<i64>,
}

/// Attachment metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// File name.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Size in bytes.
    pub size: i64,
}

/// An item with its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDetail {
    /// The timeline row.
    pub row: ItemRow,
    /// To and Cc.
    pub recipients: String,
    /// Text body.
    pub body_text: Option<String>,
    /// Sanitized HTML body.
    pub body_html: Option<String>,
    /// Why the message could be read only in part; `None` when it parsed cleanly.
    pub quarantine: Option<String>,
    /// Attachments.
    pub attachments: Vec<AttachmentInfo>,
    /// Only the header is stored; the body is on the server (selective offline).
    pub remote: bool,
}

/// Which part of the timeline to read.
#[derive(Debug, Clone, Default)]
pub struct TimelineQuery {
    /// At most this many rows.
    pub limit: u32,
    /// Only this kind.
    pub kind: Option<ItemKind>,
    /// Only unread items.
    pub unread_only: bool,
    /// Only flagged items.
    pub flagged_only: bool,
    /// Only items older than this item (paging).
    pub before: Option<i64>,
    /// Only these accounts (empty: all).
    pub accounts: Vec<i64>,
    /// Only items in this folder.
    pub folder: Option<i64>,
    /// Leave out the accounts not shown in the unified timeline (`accounts.in_timeline`).
    pub unified: bool,
    /// One row per thread: its newest item among those the other filters keep.
    pub threads: bool,
    /// Only the items of this thread (a thread key, [`ItemRow::thread`]).
    pub thread: Option<i64>,
    /// Only the messages of this chat room (`chat_rooms.id`).
    pub room: Option<i64>,
    /// The Inbox: mail in an INBOX (or an ordinary folder of a local account), chats, and open
    /// tasks; never Trash, Junk, Sent, Drafts, archived mail or events.
    pub inbox: bool,
    /// Only snoozed conversations (the Inbox leaves them out until their time).
    pub snoozed: bool,
    /// Only mail whose sender check did not verify it (`unverified` or `failed`; mail not
    /// checked yet is left out).
    pub unverified: bool,
}

/// Bytes of body text kept in the full-text index per item.
pub(crate) const FTS_BODY_LIMIT: usize = 256 * 1024;

/// The columns of a timeline row, each with the name [`row_from`] reads it by: the item's own,
/// then subqueries for its folders, task, event and thread, then its chat message
/// ([`crate::chat::CHAT_COLUMN`], last). A column's index is its place here (`Col::Name as
/// usize`), so the SQL and the reader cannot drift apart.
macro_rules! timeline_columns {
    ($($name:ident = $sql:literal,)*) => {
        #[derive(Clone, Copy)]
        enum Col {
            $($name,)*
            /// The chat message, after every other column.
            Chat,
        }

        /// The SQL of the columns before [`Col::Chat`], each followed by a comma.
        const BASE_COLUMNS: &str = concat!($($sql, ",\n    ",)*);
    };
}

timeline_columns! {
    Id = "i.id",
    Kind = "i.kind",
    Account = "i.account_id",
    Title = "i.title",
    SenderName = "i.sender_name",
    SenderAddress = "i.sender_address",
    Time = "i.time",
    Unread = "i.unread",
    Flagged = "i.flagged",
    Thread = "i.thread_id",
    Snippet = "i.snippet",
    MessageId = "m.message_id",
    Task = "i.task_id",
    Folders = "(SELECT group_concat(name, char(31)) FROM (SELECT f.name FROM mail_folders mf JOIN folders f ON f.id = mf.folder_id
        WHERE mf.item_id = i.id ORDER BY f.name))",
    Answered = "(SELECT max((mf.flags & 4) != 0) FROM mail_folders mf WHERE mf.item_id = i.id)",
    TaskStatus = "(SELECT status FROM tasks WHERE item_id = i.id)",
    TaskDue = "(SELECT due FROM tasks WHERE item_id = i.id)",
    TaskCompleted = "(SELECT completed_at FROM tasks WHERE item_id = i.id)",
    TaskMailMessageId = "(SELECT nullif(mail_message_id, '') FROM tasks WHERE item_id = i.id)",
    TaskMailItem = "coalesce((SELECT m2.item_id FROM tasks t2 CROSS JOIN mail m2 ON m2.account_id = i.account_id AND m2.message_id = t2.mail_message_id
        WHERE t2.item_id = i.id AND t2.mail_message_id != ''),
        (SELECT x.id FROM items x WHERE x.task_id = i.id AND x.kind = 'chat'))",
    ThreadSize = "(SELECT count(*) FROM items t3 WHERE t3.thread_id = i.thread_id)",
    ThreadUnread = "(SELECT count(*) FROM items t4 WHERE t4.thread_id = i.thread_id AND t4.unread = 1)",
    TaskConflict = "(SELECT nullif(sync_error, '') FROM tasks WHERE item_id = i.id)",
    EventEnd = "(SELECT end_ms FROM events WHERE item_id = i.id)",
    EventAllDay = "(SELECT all_day FROM events WHERE item_id = i.id)",
    EventLocation = "(SELECT location FROM events WHERE item_id = i.id)",
    EventRecurring = "(SELECT rrule != '' FROM events WHERE item_id = i.id)",
    TaskPriority = "(SELECT priority FROM tasks WHERE item_id = i.id)",
    TaskPercent = "(SELECT percent FROM tasks WHERE item_id = i.id)",
    TaskRelatedTo = "(SELECT nullif(related_to, '') FROM tasks WHERE item_id = i.id)",
    SnoozedUntil = "(SELECT min(s.until) FROM snoozes s WHERE s.item_id = i.id OR s.thread_id = i.thread_id)",
}

impl Col {
    fn at(self) -> usize {
        self as usize
    }
}

/// The columns of a timeline row ([`row_from`] reads them) for the item aliased `i` (with its
/// mail row `m`).
pub(crate) fn row_columns() -> &'static str {
    static COLUMNS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| format!("{BASE_COLUMNS}{}", crate::chat::CHAT_COLUMN))
}

pub(crate) fn row_from(row: &Row<'_>) -> rusqlite::Result<ItemRow> {
    let kind: String = row.get(Col::Kind.at())?;
    let sender_name: String = row.get(Col::SenderName.at())?;
    let sender_address: String = row.get(Col::SenderAddress.at())?;
    let folders: Option<String> = row.get(Col::Folders.at())?;
    let status: Option<String> = row.get(Col::TaskStatus.at())?;
    let todo = match status {
        Some(status) => Some(TodoInfo {
            status: TaskStatus::parse(&status),
            due_ms: row.get(Col::TaskDue.at())?,
            completed_ms: row.get(Col::TaskCompleted.at())?,
            mail_message_id: row.get(Col::TaskMailMessageId.at())?,
            mail_item: row.get(Col::TaskMailItem.at())?,
            conflict: row.get(Col::TaskConflict.at())?,
            priority: row
                .get::<_, Option<i64>>(Col::TaskPriority.at())?
                .unwrap_or(0),
            percent: row
                .get::<_, Option<i64>>(Col::TaskPercent.at())?
                .unwrap_or(0),
            related_to: row.get(Col::TaskRelatedTo.at())?,
        }),
        None => None,
    };
    let thread: Option<i64> = row.get(Col::Thread.at())?;
    let unread: bool = row.get(Col::Unread.at())?;
    Ok(ItemRow {
        id: row.get(Col::Id.at())?,
        kind: ItemKind::parse(&kind).unwrap_or(ItemKind::Mail),
        account_id: row.get(Col::Account.at())?,
        title: row.get(Col::Title.at())?,
        sender: (!sender_address.is_empty() || !sender_name.is_empty()).then(|| Person {
            name: (!sender_name.is_empty()).then_some(sender_name),
            address: sender_address,
        }),
        time_ms: row.get(Col::Time.at())?,
        unread,
        flagged: row.get(Col::Flagged.at())?,
        answered: row
            .get::<_, Option<bool>>(Col::Answered.at())?
            .unwrap_or(false),
        thread,
        thread_size: row.get::<_, i64>(Col::ThreadSize.at())?.max(1),
        thread_unread: if thread.is_some() {
            row.get(Col::ThreadUnread.at())?
        } else {
            i64::from(unread)
        },
        snippet: row.get(Col::Snippet.at())?,
        message_id: row.get(Col::MessageId.at())?,
        task: row.get(Col::Task.at())?,
        todo,
        event: crate::events::event_info(
            row,
            [
                Col::EventEnd.at(),
                Col::EventAllDay.at(),
                Col::EventLocation.at(),
                Col::EventRecurring.at(),
            ],
        )?,
        chat: crate::chat::chat_info(row, Col::Chat.at())?,
        snoozed_until_ms: row.get(Col::SnoozedUntil.at())?,
        folders: folders
            .map(|f| f.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default(),
    })
}

/// The sort key of an item at `time_ms`: the first free slot of that millisecond.
pub(crate) fn free_sort_key(conn: &Connection, time_ms: i64) -> Result<i64> {
    // Keys are (ms << 20) + slot; times before 1970 or absurdly far ahead are clamped so the
    // shift cannot overflow.
    let base = time_ms.clamp(0, (i64::MAX >> 20) - 1) << 20;
    let used: Option<i64> = conn
        .prepare_cached("SELECT max(sort_key) FROM items WHERE sort_key >= ?1 AND sort_key < ?2")?
        .query_row(params![base, base + (1 << 20)], |row| row.get(0))?;
    Ok(match used {
        None => base,
        Some(key) if key + 1 < base + (1 << 20) => key + 1,
        Some(_) => anyhow::bail!("More than a million items in one millisecond"),
    })
}

/// The FTS5 query for what a person typed: every word must match, the last one as a prefix (so
/// results follow typing). Words are quoted, so no input is an FTS syntax error.
pub(crate) fn fts_query(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let quoted = format!("\"{}\"", word.replace('"', "\"\""));
            if i == last {
                format!("{quoted}*")
            } else {
                quoted
            }
        })
        .collect();
    Some(terms.join(" "))
}

pub(crate) fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Tx<'_> {
    /// One timeline row, read inside this transaction.
    pub fn item_row(&self, id: i64) -> Result<ItemRow> {
        item_row(self.conn(), id)
    }

    /// Stores a parsed message: one item per (account, Message-ID). A message already stored gains
    /// the folder and is reported as [`Inserted::Existing`]; nothing is duplicated.
    pub fn insert_mail(&mut self, mail: &NewMail) -> Result<Inserted> {
        let existing: Option<i64> = self
            .conn()
            .prepare_cached("SELECT item_id FROM mail WHERE account_id = ?1 AND message_id = ?2")?
            .query_row(params![mail.account_id, mail.message_id], |row| row.get(0))
            .optional()?;
        if let Some(id) = existing {
            if let Some((folder_id, uid, uidvalidity)) = mail.folder {
                let added = self
                    .conn()
                    .prepare_cached(
                        "INSERT INTO mail_folders (item_id, folder_id, uid, uidvalidity) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (item_id, folder_id) DO UPDATE SET uid = excluded.uid, uidvalidity = excluded.uidvalidity
                         WHERE uid != excluded.uid OR uidvalidity != excluded.uidvalidity",
                    )?
                    .execute(params![id, folder_id, uid, uidvalidity])?;
                if added > 0 {
                    self.record(ChangeKind::Updated, id, ItemKind::Mail, &mail.title)?;
                }
            }
            return Ok(Inserted::Existing(id));
        }

        let sort_key = free_sort_key(self.conn(), mail.time_ms)?;
        let (sender_name, sender_address) = match &mail.sender {
            Some(p) => (p.name.clone().unwrap_or_default(), p.address.clone()),
            None => (String::new(), String::new()),
        };
        self.conn()
            .prepare_cached(
                "INSERT INTO items (sort_key, kind, account_id, time, title, sender_name, sender_address, unread, flagged, snippet)
                 VALUES (?1, 'mail', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                sort_key,
                mail.account_id,
                mail.time_ms,
                mail.title,
                sender_name,
                sender_address,
                mail.unread,
                mail.flagged,
                mail.snippet,
            ])
            .context("Cannot store the message")?;
        let id = self.conn().last_insert_rowid();
        self.conn()
            .prepare_cached(
                "INSERT INTO mail (item_id, account_id, message_id, in_reply_to, refs, subject_key, recipients, body_text, body_html, size, quarantine, gm_msgid, remote)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                id,
                mail.account_id,
                mail.message_id,
                mail.in_reply_to,
                mail.references.join(" "),
                mail.subject_key,
                mail.recipients,
                mail.body_text,
                mail.body_html,
                mail.remote_size
                    .map_or(mail.raw.len() as i64, i64::from),
                mail.quarantine,
                mail.gm_msgid.map(|id| id as i64),
                mail.remote_size.is_some(),
            ])
            .context("Cannot store the message details")?;
        self.conn()
            .prepare_cached("INSERT INTO mail_raw (item_id, raw) VALUES (?1, ?2)")?
            .execute(params![id, mail.raw])
            .context("Cannot store the original message")?;
        self.insert_attachments(id, &mail.attachments)?;
        if let Some((folder_id, uid, uidvalidity)) = mail.folder {
            self.conn()
                .prepare_cached("INSERT INTO mail_folders (item_id, folder_id, uid, uidvalidity) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![id, folder_id, uid, uidvalidity])
                .context("Cannot link the message to its folder")?;
        }
        self.queue_for_index(id)?;
        self.note_contacts(
            mail.account_id,
            &sender_name,
            &sender_address,
            &mail.recipients,
            mail.time_ms,
        )?;
        self.thread_mail(id, mail)?;
        self.record(ChangeKind::Added, id, ItemKind::Mail, &mail.title)?;
        self.relink_task(id, mail.account_id, &mail.message_id)?;
        self.note_task_activity(id, mail.time_ms, &mail.message_id, mail.progress)?;
        if mail.flagged {
            self.on_mail_flagged(id)?;
        }
        Ok(Inserted::Added(id))
    }

    /// Lists a message's attachments (their bytes stay in the original message).
    pub(crate) fn insert_attachments(
        &mut self,
        id: i64,
        attachments: &[NewAttachment],
    ) -> Result<()> {
        for attachment in attachments {
            let name = if attachment.name.is_empty() {
                "attachment"
            } else {
                &attachment.name
            };
            self.conn()
                .prepare_cached(
                    "INSERT INTO attachments (item_id, name, mime_type, size) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, name, attachment.mime_type, attachment.size])
                .context("Cannot store an attachment")?;
        }
        Ok(())
    }

    /// Puts a new message into its thread: the thread of the nearest ancestor we have (In-Reply-To,
    /// then References newest first), else of a same-subject message when the subject says it is a
    /// reply, else a new thread. Replies stored before their parent (newest-first sync) join it.
    fn thread_mail(&mut self, id: i64, mail: &NewMail) -> Result<()> {
        let mut thread: Option<i64> = None;
        let ancestors = std::iter::once(&mail.in_reply_to).chain(mail.references.iter().rev());
        for ancestor in ancestors.filter(|a| !a.is_empty()) {
            thread = self
                .conn()
                .prepare_cached(
                    "SELECT coalesce(i.thread_id, i.id) FROM mail m JOIN items i ON i.id = m.item_id
                     WHERE m.account_id = ?1 AND m.message_id = ?2",
                )?
                .query_row(params![mail.account_id, ancestor], |row| row.get(0))
                .optional()?;
            if thread.is_some() {
                break;
            }
        }
        if thread.is_none() && mail.subject_is_reply && !mail.subject_key.is_empty() {
            thread = self
                .conn()
                .prepare_cached(
                    "SELECT coalesce(i.thread_id, i.id) FROM mail m JOIN items i ON i.id = m.item_id
                     WHERE m.account_id = ?1 AND m.subject_key = ?2 AND m.item_id != ?3 ORDER BY i.sort_key DESC LIMIT 1",
                )?
                .query_row(params![mail.account_id, mail.subject_key, id], |row| row.get(0))
                .optional()?;
        }
        let thread = thread.unwrap_or(id);
        self.conn()
            .prepare_cached("UPDATE items SET thread_id = ?2 WHERE id = ?1")?
            .execute(params![id, thread])?;
        // Children that arrived first: merge their threads into this one. Each moved item is
        // an update on the feed, so a window grouping by thread regroups them.
        let moved: Vec<(i64, String, String)> = self
            .conn()
            .prepare_cached(
                "UPDATE items SET thread_id = ?1 WHERE thread_id IN (
                     SELECT coalesce(i.thread_id, i.id) FROM mail m JOIN items i ON i.id = m.item_id
                     WHERE m.account_id = ?2 AND m.in_reply_to = ?3 AND m.item_id != ?4) AND thread_id != ?1
                 RETURNING id, kind, title",
            )?
            .query_map(params![thread, mail.account_id, mail.message_id, id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot join replies to their thread")?;
        for (moved_id, kind, title) in moved {
            self.record(
                ChangeKind::Updated,
                moved_id,
                ItemKind::parse(&kind)?,
                &title,
            )?;
        }
        Ok(())
    }

    /// Sets the read and flagged state of an item; records the change when something changed.
    /// Returns whether anything changed.
    pub fn set_item_state(
        &mut self,
        id: i64,
        unread: Option<bool>,
        flagged: Option<bool>,
    ) -> Result<bool> {
        let (kind, title, was_flagged): (String, String, bool) = self
            .conn()
            .prepare_cached("SELECT kind, title, flagged FROM items WHERE id = ?1")?
            .query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .optional()?
            .ok_or(StoreError::NoSuchItem(id))?;
        let changed = self
            .conn()
            .execute(
                "UPDATE items SET unread = coalesce(?2, unread), flagged = coalesce(?3, flagged)
                 WHERE id = ?1 AND (unread != coalesce(?2, unread) OR flagged != coalesce(?3, flagged))",
                params![id, unread, flagged],
            )
            .context("Cannot update the item")?;
        if changed > 0 {
            let kind = ItemKind::parse(&kind)?;
            self.record(ChangeKind::Updated, id, kind, &title)?;
            if kind == ItemKind::Mail && !was_flagged && flagged == Some(true) {
                self.on_mail_flagged(id)?;
            }
        }
        Ok(changed > 0)
    }
}

/// The conditions of `query` (all but paging) on the items aliased `alias`, with their arguments.
fn view_filter(
    conn: &Connection,
    query: &TimelineQuery,
    alias: &str,
) -> Result<(String, Vec<rusqlite::types::Value>)> {
    let mut sql = String::new();
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(kind) = query.kind {
        sql.push_str(&format!(" AND {alias}.kind = ?"));
        args.push(kind.as_str().to_owned().into());
    }
    if query.unread_only {
        sql.push_str(&format!(" AND {alias}.unread = 1"));
    }
    if query.flagged_only {
        sql.push_str(&format!(" AND {alias}.flagged = 1"));
    }
    if query.unverified {
        sql.push_str(&format!(
            " AND {alias}.kind = 'mail' AND EXISTS (SELECT 1 FROM sender_checks chk
                 WHERE chk.item_id = {alias}.id AND chk.verdict != 'verified')"
        ));
    }
    if !query.accounts.is_empty() {
        sql.push_str(&format!(
            " AND {alias}.account_id IN ({})",
            vec!["?"; query.accounts.len()].join(",")
        ));
        args.extend(query.accounts.iter().map(|&a| a.into()));
    }
    if let Some(folder) = query.folder {
        sql.push_str(&format!(
            " AND {alias}.id IN (SELECT item_id FROM mail_folders WHERE folder_id = ?)"
        ));
        args.push(folder.into());
    }
    if let Some(thread) = query.thread {
        sql.push_str(&format!(" AND {alias}.thread_id = ?"));
        args.push(thread.into());
    }
    if let Some(room) = query.room {
        sql.push_str(&format!(
            " AND {alias}.id IN (SELECT item_id FROM chat_messages WHERE room = ?)"
        ));
        args.push(room.into());
    }
    if query.inbox {
        // The folders that make the Inbox, as literals (as the hidden accounts below): the
        // check stays a lookup per row along the sort-key walk.
        let inboxes: Vec<i64> = conn
            .prepare_cached(
                "SELECT f.id FROM folders f JOIN accounts a ON a.id = f.account_id
                 WHERE f.role = 'inbox' OR (a.kind = 'local' AND f.role = '')",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot read which folders are inboxes")?;
        let folders = if inboxes.is_empty() {
            "NULL".to_owned()
        } else {
            vec!["?"; inboxes.len()].join(",")
        };
        // `+kind`: not an index term. Given one, SQLite answered the OR with one index search
        // per kind and sorted every match (2.4 s for the first page of a 1 000 000-item store)
        // instead of walking the sort-key index newest first and stopping at the page's end.
        sql.push_str(&format!(
            " AND (+{alias}.kind = 'chat'
                 OR (+{alias}.kind = 'task' AND EXISTS (SELECT 1 FROM tasks t
                     WHERE t.item_id = {alias}.id AND t.status IN ('needs-action', 'in-process')))
                 OR (+{alias}.kind = 'mail' AND EXISTS (SELECT 1 FROM mail_folders mf
                     WHERE mf.item_id = {alias}.id AND mf.folder_id IN ({folders}))))"
        ));
        args.extend(inboxes.into_iter().map(Into::into));
        // A snoozed conversation is away until its time.
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM snoozes s
                 WHERE s.item_id = {alias}.id OR s.thread_id = {alias}.thread_id)"
        ));
    }
    // The task that carries a snooze to other devices is not a task of the user's.
    sql.push_str(&format!(
        " AND (+{alias}.kind != 'task' OR NOT EXISTS (SELECT 1 FROM snoozes sc WHERE sc.task_id = {alias}.id))"
    ));
    if query.snoozed {
        sql.push_str(&format!(
            " AND {alias}.kind = 'mail' AND EXISTS (SELECT 1 FROM snoozes s
                 WHERE s.item_id = {alias}.id OR s.thread_id = {alias}.thread_id)"
        ));
    }
    if query.unified {
        // The hidden accounts as literals: a subquery here made SQLite sort every item instead
        // of walking the sort-key index newest first (0.86 s instead of 1 ms at 100k items).
        let hidden: Vec<i64> = conn
            .prepare_cached("SELECT id FROM accounts WHERE in_timeline = 0")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()
            .context("Cannot read which accounts are hidden")?;
        if !hidden.is_empty() {
            sql.push_str(&format!(
                " AND {alias}.account_id NOT IN ({})",
                vec!["?"; hidden.len()].join(",")
            ));
            args.extend(hidden.into_iter().map(Into::into));
        }
    }
    Ok((sql, args))
}

fn timeline(conn: &Connection, query: &TimelineQuery) -> Result<Vec<ItemRow>> {
    let (sql, args) = timeline_sql(conn, query)?;
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args), row_from)?;
    rows.collect::<rusqlite::Result<_>>()
        .context("Cannot read the timeline")
}

/// The SQL of a page of the timeline, with its arguments.
pub(crate) fn timeline_sql(
    conn: &Connection,
    query: &TimelineQuery,
) -> Result<(String, Vec<rusqlite::types::Value>)> {
    let mut sql = format!(
        "SELECT {} FROM items i LEFT JOIN mail m ON m.item_id = i.id WHERE 1",
        row_columns()
    );
    let (filter, mut args) = view_filter(conn, query, "i")?;
    sql.push_str(&filter);
    if let Some(before) = query.before {
        let key: i64 = conn
            .query_row(
                "SELECT sort_key FROM items WHERE id = ?1",
                [before],
                |row| row.get(0),
            )
            .optional()?
            .ok_or(StoreError::NoSuchItem(before))?;
        sql.push_str(" AND i.sort_key < ?");
        args.push(key.into());
    }
    if query.threads {
        // The newest item of its thread that the view keeps: no newer one passes the same
        // filter. Paging stays consistent: a thread shown on an earlier page has a newer item.
        let (newer, newer_args) = view_filter(conn, query, "n")?;
        sql.push_str(&format!(
            " AND (i.thread_id IS NULL OR NOT EXISTS (SELECT 1 FROM items n
                 WHERE n.thread_id = i.thread_id AND n.sort_key > i.sort_key{newer}))"
        ));
        args.extend(newer_args);
    }
    sql.push_str(" ORDER BY i.sort_key DESC LIMIT ?");
    args.push(i64::from(query.limit).into());
    Ok((sql, args))
}

/// Every item of the thread of item `id`, oldest first, with content (the conversation).
fn thread(conn: &Connection, id: i64) -> Result<Vec<ItemDetail>> {
    let key: Option<i64> = conn
        .query_row("SELECT thread_id FROM items WHERE id = ?1", [id], |row| {
            row.get(0)
        })
        .optional()?
        .ok_or(StoreError::NoSuchItem(id))?;
    let Some(key) = key else {
        return Ok(vec![item(conn, id)?]);
    };
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT id FROM items WHERE thread_id = ?1 ORDER BY sort_key")?
        .query_map([key], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()
        .context("Cannot read the thread")?;
    ids.into_iter().map(|id| item(conn, id)).collect()
}

fn search(conn: &Connection, text: &str, limit: u32) -> Result<Vec<ItemRow>> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    // The inner query walks the index newest first and stops at `limit`.
    let indexed = "i.sort_key IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)";
    let queued = queued_match(text);
    let filter = match (&queued, crate::search_index::any_pending(conn)?) {
        (Some((sql, _)), true) => format!("({indexed} OR {sql})"),
        _ => indexed.to_owned(),
    };
    let sql = format!(
        "SELECT {} FROM items i LEFT JOIN mail m ON m.item_id = i.id
         WHERE {filter} ORDER BY i.sort_key DESC LIMIT ?2",
        row_columns()
    );
    use rusqlite::types::Value;
    let mut values: Vec<Value> = vec![Value::Text(query), Value::Integer(i64::from(limit))];
    if filter != indexed {
        let words = queued.map(|(_, words)| words).unwrap_or_default();
        values.extend(words.into_iter().map(Value::Text));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values.iter()), row_from)?;
    rows.collect::<rusqlite::Result<_>>()
        .context("Cannot search")
}

/// The condition that finds an item still waiting for the search index ([`crate::search_index`])
/// by its title or sender: each word typed in one of them (case-insensitive for ASCII letters),
/// with the `LIKE` patterns it binds from `?3` on. `None` when nothing was typed.
fn queued_match(text: &str) -> Option<(String, Vec<String>)> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '"' || c == '*' || c == '(' || c == ')'))
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| {
            let escaped = w
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect();
    if words.is_empty() {
        return None;
    }
    let each: Vec<String> = (3..3 + words.len())
        .map(|n| {
            format!(
                "(i.title LIKE ?{n} ESCAPE '\\' OR i.sender_name LIKE ?{n} ESCAPE '\\' \
                 OR i.sender_address LIKE ?{n} ESCAPE '\\')"
            )
        })
        .collect();
    Some((
        format!(
            "i.id IN (SELECT q.item_id FROM index_queue q JOIN items i ON i.id = q.item_id WHERE {})",
            each.join(" AND ")
        ),
        words,
    ))
}

/// One timeline row, read on `conn`.
pub(crate) fn item_row_of(conn: &Connection, id: i64) -> Result<ItemRow> {
    item_row(conn, id)
}

fn item_row(conn: &Connection, id: i64) -> Result<ItemRow> {
    conn.prepare_cached(&format!(
        "SELECT {} FROM items i LEFT JOIN mail m ON m.item_id = i.id WHERE i.id = ?1",
        row_columns()
    ))?
    .query_row([id], row_from)
    .optional()
    .context("Cannot read the item")?
    .ok_or_else(|| StoreError::NoSuchItem(id).into())
}

fn item(conn: &Connection, id: i64) -> Result<ItemDetail> {
    let row = item_row(conn, id)?;
    let (recipients, body_text, body_html, quarantine, remote) = conn
        .query_row(
            "SELECT recipients, body_text, body_html, quarantine, remote FROM mail WHERE item_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT name, mime_type, size FROM attachments WHERE item_id = ?1 ORDER BY id",
    )?;
    let attachments = stmt
        .query_map([id], |r| {
            Ok(AttachmentInfo {
                name: r.get(0)?,
                mime_type: r.get(1)?,
                size: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ItemDetail {
        row,
        recipients,
        body_text,
        body_html,
        quarantine,
        attachments,
        remote,
    })
}

impl crate::Store {
    /// A page of the timeline, newest first.
    pub fn timeline(&self, query: &TimelineQuery) -> Result<Vec<ItemRow>> {
        self.read(|conn| timeline(conn, query))
    }

    /// The conversation of item `id`: every item of its thread, oldest first, with content (only
    /// the item itself when it is not threaded).
    pub fn thread(&self, id: i64) -> Result<Vec<ItemDetail>> {
        self.read(|conn| thread(conn, id))
    }

    /// Full-text search over every item: the newest `limit` matches, newest first.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<ItemRow>> {
        self.read(|conn| search(conn, text, limit))
    }

    /// One timeline row (no content), or [`StoreError::NoSuchItem`].
    pub fn item_row(&self, id: i64) -> Result<ItemRow> {
        self.read(|conn| item_row(conn, id))
    }

    /// One item with its content, or [`StoreError::NoSuchItem`].
    pub fn item(&self, id: i64) -> Result<ItemDetail> {
        self.read(|conn| item(conn, id))
    }

    /// Attachment `index` (0-based, in the order [`Store::item`] lists them) of an item;
    /// [`StoreError::NoSuchItem`] when the item does not exist, `None` when it has no such
    /// attachment. Its bytes are in [`Store::raw_message`].
    pub fn attachment(&self, id: i64, index: u32) -> Result<Option<AttachmentInfo>> {
        self.read(|conn| {
            item_row(conn, id)?;
            conn.prepare_cached(
                "SELECT name, mime_type, size FROM attachments WHERE item_id = ?1
                 ORDER BY id LIMIT 1 OFFSET ?2",
            )?
            .query_row(params![id, index], |r| {
                Ok(AttachmentInfo {
                    name: r.get(0)?,
                    mime_type: r.get(1)?,
                    size: r.get(2)?,
                })
            })
            .optional()
            .context("Cannot read the attachment")
        })
    }

    /// A mail's Message-ID and References (oldest first), for a reply to it; `None` for items
    /// that are not mail.
    pub fn mail_references(&self, id: i64) -> Result<Option<(String, Vec<String>)>> {
        self.read(|conn| {
            item_row(conn, id)?;
            let row: Option<(String, String)> = conn
                .query_row(
                    "SELECT message_id, refs FROM mail WHERE item_id = ?1",
                    [id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            Ok(row.map(|(id, refs)| (id, refs.split_whitespace().map(str::to_owned).collect())))
        })
    }

    /// The original bytes of a message.
    pub fn raw_message(&self, id: i64) -> Result<Vec<u8>> {
        self.read(|conn| {
            conn.query_row("SELECT raw FROM mail_raw WHERE item_id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NoSuchItem(id).into())
        })
    }
}

/// How many items need attention, per account and per folder (the sidebar's counts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Per account: (account id, unread mail and chat, flagged items, open tasks).
    pub accounts: Vec<(i64, i64, i64, i64)>,
    /// Per folder: (folder id, unread messages).
    pub folders: Vec<(i64, i64)>,
}

impl crate::Store {
    /// Unread, flagged and open-task counts per account and unread counts per folder.
    pub fn counts(&self) -> Result<Counts> {
        self.read(|conn| {
            // One pass over the items (and one over the open tasks), whatever the number of
            // accounts.
            let mut stmt = conn.prepare_cached(
                "SELECT a.id, coalesce(c.unread, 0), coalesce(c.flagged, 0), coalesce(t.open, 0)
                 FROM accounts a
                 LEFT JOIN (SELECT account_id,
                                   sum(unread = 1 AND kind IN ('mail', 'chat')) AS unread,
                                   sum(flagged = 1) AS flagged
                            FROM items GROUP BY account_id) c ON c.account_id = a.id
                 LEFT JOIN (SELECT i.account_id, count(*) AS open
                            FROM tasks tk JOIN items i ON i.id = tk.item_id
                            WHERE tk.status NOT IN ('completed', 'cancelled')
                              AND NOT EXISTS (SELECT 1 FROM snoozes s WHERE s.task_id = tk.item_id)
                            GROUP BY i.account_id) t ON t.account_id = a.id
                 ORDER BY a.id",
            )?;
            let accounts = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
                .collect::<rusqlite::Result<_>>()
                .context("Cannot count the accounts' items")?;
            let mut stmt = conn.prepare_cached(
                "SELECT mf.folder_id, count(*) FROM items i JOIN mail_folders mf ON mf.item_id = i.id
                 WHERE i.unread = 1 GROUP BY mf.folder_id ORDER BY mf.folder_id",
            )?;
            let folders = stmt
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()
                .context("Cannot count the folders' unread messages")?;
            Ok(Counts { accounts, folders })
        })
    }
}
