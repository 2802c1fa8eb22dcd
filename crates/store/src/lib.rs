//! # Satu's local store
//!
//! One SQLite database is the single local truth: accounts, the unified timeline (mail, chat,
//! tasks, events), the full-text index, sync cursors, the queue of pending remote operations and
//! the change feed.
//!
//! Concurrency: one writer connection behind a mutex (so there is never more than one write
//! transaction) and a small pool of read-only connections; WAL lets readers run beside the writer.
//! Every write goes through [`Store::write`], which runs one `BEGIN IMMEDIATE` transaction and,
//! once it has committed, publishes the changes it recorded on the change feed.
//!
//! The store knows nothing of protocols or serialization (its types are not `Serialize`): IMAP
//! flags are a bit set, iCalendar is text, Matrix events arrive as plain rows. What to write is the
//! core's decision; the store keeps it, each write in the caller's transaction.
//!
//! Tables (the schema is `migrations/`; each file there says what its columns mean):
//!
//! - `accounts` (`accounts.rs`): mail, CalDAV and Matrix accounts; never a password.
//! - `items`, `items_fts`, `mail`, `mail_raw`, `attachments` (`items.rs`): the timeline, its
//!   contentless FTS5 index (rowid = `sort_key`), mail details, the original message whole, and
//!   attachment metadata only (the bytes are decoded again from `mail_raw` when opened).
//! - `folders`, `mail_folders`, `imap_sync` (`folders.rs`, `imap.rs`, `locations.rs`): folders
//!   (with `push`: watched by IDLE), item ↔ folder with UID, UIDVALIDITY and the flag bits of that
//!   copy, and each folder's cursor.
//! - `source_cursors`: the other sources' cursors (Matrix `since`, and beside it the account's
//!   last `m.direct` list).
//! - `ops` (`ops.rs`): pending remote operations. `change_log` (`changes.rs`): the change feed.
//! - `outbox` (`outbox.rs`): every message from queued to sent or failed: its fixed Message-ID and
//!   bytes, the SMTP envelope, state, how far the last attempt got, attempts, next attempt, reason.
//! - `drafts` (`drafts.rs`): what is being written, with the Message-ID of its copy in Drafts.
//! - `tasks`, `task_activity` (`tasks.rs`, `task_sync.rs`).
//! - `settings`, `remote_content_senders` (`settings.rs`).
//! - `calendars` (`calendars.rs`): calendars and task lists of CalDAV accounts, with their sync
//!   token (or the ctag on servers without sync-collection).
//! - `events`, `event_occurrences`, `dav_deletions`, `invitation_answers` (`events.rs`).
//! - `chat_rooms`, `chat_members`, `chat_messages` (`chat.rs`).
//! - `snoozes` (`snoozes.rs`): conversations away from the Inbox until a time.
//! - `identities` (`identities.rs`): the addresses an account sends from, with signatures.
//! - `contacts` (`contacts.rs`): addresses seen and written to, for completion.
//! - `offline_days` of accounts and folders, `mail.remote` (`offline.rs`): selective offline,
//!   bodies kept for the last N days; older mail stored with its header only.
//! - `index_queue` (`search_index.rs`): mail stored but not yet in `items_fts`, indexed in the
//!   background newest first.
//! - `health_hours`, `diagnoses` (`health.rs`): what the sync measured of its own traffic, per
//!   hour and account (histograms of timings, counts of outcomes), kept 30 days; the
//!   diagnostics it ran by itself.
//! - `backups` (`backup.rs`): every backup made; the snapshot a backup is made of.
//! - `audit`, `audit_anchor` (`audit.rs`): the hash-chained audit trail, appended in the
//!   transaction of each action.

mod accounts;
mod audit;
mod backup;
mod calendars;
mod changes;
mod chat;
mod connection;
mod contacts;
mod drafts;
mod events;
mod folders;
mod health;
mod identities;
mod imap;
mod items;
mod locations;
mod migrations;
mod oauth;
mod offline;
mod ops;
mod outbox;
mod rules;
mod search_index;
mod settings;
mod snoozes;
mod task_sync;
mod tasks;
mod trust;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context as _, Result};
use rusqlite::Connection;
use tokio::sync::broadcast;

pub use accounts::{smtp_security_for, Account, AccountKind, NewAccount, Security};
pub use audit::{audit_hash, chain_break, AuditEntry, AuditFilter};
pub use backup::{check_database, BackupRow, ItemCounts};
pub use calendars::{CalendarRow, NewCalendar};
pub use changes::{Change, ChangeKind};
pub use chat::{
    localpart, matrix_uri, room_display_name, ChatInfo, ChatRoom, NewChatMessage, QueuedChat,
    RoomUpdate,
};
pub use contacts::Contact;
pub use drafts::{Draft, DraftContent};
pub use events::{EventInfo, EventRecord, Occurrence, OccurrenceRow, SyncEvent};
pub use folders::{Folder, FolderRole, ImapCursor, NewFolder};
pub use health::{health_bucket, HealthHour, HEALTH_BUCKETS_MS, HEALTH_KEEP_HOURS};
pub use identities::Identity;
pub use imap::{ImapMessage, FLAG_ANSWERED, FLAG_FLAGGED, FLAG_SEEN};
pub use items::{
    AttachmentInfo, Counts, Inserted, ItemDetail, ItemKind, ItemRow, NewAttachment, NewMail,
    Person, TimelineQuery,
};
pub use locations::Location;
pub use migrations::LATEST_VERSION;
pub use oauth::OAuthGrant;
pub use offline::RemoteCopy;
pub use ops::{Op, OpState};
pub use outbox::{NewOutgoing, OutboxState, Outgoing, Stage};
pub use rules::RuleRow;
pub use settings::{NumberSetting, Setting, TextSetting};
pub use snoozes::Snooze;
pub use task_sync::{RemoteTask, SyncTask, TaskFields};
pub use tasks::{Activity, TaskProgress, TaskStatus, TodoInfo};
pub use trust::{SenderCheck, SenderKnowledge, Unchecked};

/// Errors a caller may want to branch on. Everything else is an `anyhow::Error` with context.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database was written by a newer Satu; this one must not touch it.
    #[error("The database is at schema version {found}, newer than this Satu understands ({supported}); update Satu")]
    NewerSchema {
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// No item with this id.
    #[error("No item with id {0}")]
    NoSuchItem(i64),
    /// No rule with this id.
    #[error("No rule with id {0} (see `satu rule list`)")]
    NoSuchRule(i64),
    /// No account with this id.
    #[error("No account with id {0}")]
    NoSuchAccount(i64),
    /// The item is not a mail (a task can be made only from a mail).
    #[error("Item {0} is not a mail")]
    NotMail(i64),
    /// No task with this id.
    #[error("No task with id {0}")]
    NotTask(i64),
    /// No message with this id in the outbox.
    #[error("No message with id {0} in the outbox")]
    NoSuchOutgoing(i64),
    /// No draft with this id.
    #[error("No draft with id {0}")]
    NoSuchDraft(i64),
}

/// Capacity of the in-process change feed. A subscriber that falls further behind is told it
/// lagged and re-reads from the persisted change log.
const FEED_CAPACITY: usize = 4096;
/// Read connections kept open for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The store: one writer, pooled readers, and the change feed.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    feed: broadcast::Sender<Change>,
    audit_source: std::sync::RwLock<audit::AuditSource>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// A write transaction. Changes recorded with [`Tx::record`] go to the change log in the same
/// transaction and are broadcast after commit.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
    recorded: Vec<Change>,
    now: i64,
    audit_source: audit::AuditSource,
}

impl<'a> Tx<'a> {
    /// The underlying SQLite transaction.
    pub fn conn(&self) -> &rusqlite::Transaction<'a> {
        &self.tx
    }

    /// Unix seconds at the start of this transaction.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Records a change of an item, to be published once the transaction commits.
    pub fn record(
        &mut self,
        change: ChangeKind,
        item_id: i64,
        kind: ItemKind,
        title: &str,
    ) -> Result<()> {
        let seq = changes::append(&self.tx, change, item_id, kind, title, self.now)?;
        self.recorded.push(Change {
            seq,
            change,
            item_id,
            kind,
            title: title.to_owned(),
        });
        Ok(())
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("Cannot create the data directory {}", dir.display()))?;
        }
        let mut writer = connection::open_writer(path)?;
        migrations::run(&mut writer)
            .with_context(|| format!("Cannot migrate the database {}", path.display()))?;
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        Ok(Store {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            feed,
            audit_source: std::sync::RwLock::default(),
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction (BEGIN IMMEDIATE). On success the transaction commits and
    /// the changes it recorded are broadcast; on error it rolls back and nothing is published.
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("Cannot start a write transaction")?;
        let audit_source = self
            .audit_source
            .read()
            .map(|s| s.clone())
            .unwrap_or_default();
        let mut tx = Tx {
            tx,
            recorded: Vec::new(),
            now: unix_now(),
            audit_source,
        };
        let value = f(&mut tx)?;
        let Tx { tx, recorded, .. } = tx;
        tx.commit().context("Cannot commit the write transaction")?;
        for change in recorded {
            // No subscriber is not an error.
            let _ = self.feed.send(change);
        }
        Ok(value)
    }

    /// Runs `f` on a read-only connection (a consistent snapshot if `f` opens a transaction).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = match lock(&self.readers)?.pop() {
            Some(conn) => conn,
            None => connection::open_reader(&self.path)?,
        };
        let result = f(&conn);
        let mut idle = lock(&self.readers)?;
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// Subscribes to changes committed by this process. Changes by other processes (and anything a
    /// lagging receiver missed) are in the change log: see [`Store::changes_since`].
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.feed.subscribe()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    mutex
        .lock()
        .map_err(|_| anyhow::anyhow!("A store lock was poisoned by a panic in another thread"))
}

/// Current Unix time in seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
