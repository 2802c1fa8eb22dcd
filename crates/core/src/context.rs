//! What the core's workers share: the store, the data directory, the OS keyring's naming, the
//! wake signals of the live loops, and what the live loops report.
//!
//! The API ([`crate::api::Satu`]) holds one [`Context`] and hands `&Context` to the domain
//! modules; background workers hold a clone. Nothing below `api/` ever sees `Satu`, so the door
//! and the rooms behind it never import each other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use satu_store::Store;
use tokio::sync::{broadcast, Notify};

use crate::dto::LiveStatus;
use crate::error::ApiError;
use crate::secrets;

/// How long an action waits for the server before leaving its change queued.
pub(crate) const PUSH_NOW_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared state of one open data directory. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    store: Arc<Store>,
    data_dir: PathBuf,
    /// The latest live-sync status of each account (while the live loops run).
    pub(crate) live_status: Arc<Mutex<BTreeMap<i64, LiveStatus>>>,
    /// Items whose new-mail notification the user clicked.
    clicks: broadcast::Sender<i64>,
    /// Wakes the outbox loop: a message was queued or taken back, a draft changed.
    pub(crate) outbox_wake: Arc<Notify>,
    /// Wakes the CalDAV loop: a task or event changed here, or the window wants fresh calendars.
    pub(crate) caldav_wake: Arc<Notify>,
    /// Wakes the chat senders: a message was written or a room read here.
    pub(crate) chat_wake: Arc<Notify>,
    /// Wakes the live loops waiting out a backoff: an account just signed in again.
    pub(crate) signed_in: Arc<Notify>,
    /// Tells the live sync that `sync.paused` changed in this process (another process's change
    /// is seen within a second).
    pub(crate) pause_changed: Arc<Notify>,
    /// When the live sync (the app, `satu watch`) started or resumed, Unix ms; 0 when it does
    /// not run in this process. Sync health counts delays only of what changed since.
    pub(crate) live_since: Arc<std::sync::atomic::AtomicI64>,
    /// Wakes the backup schedule: it changed in this process.
    pub(crate) backup_wake: Arc<Notify>,
    /// When the diagnostics last ran by themselves for each account (sync health), so that a
    /// slow spell runs them once, not with every late mail.
    pub(crate) diagnosed: Arc<Mutex<std::collections::HashMap<i64, std::time::Instant>>>,
}

impl Context {
    /// Opens (and creates) the data directory and its database, private to the user.
    pub(crate) fn open(data_dir: &Path) -> Result<Context, ApiError> {
        use anyhow::Context as _;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("Cannot create the data directory {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("Cannot resolve the data directory {}", data_dir.display()))?;
        let db = data_dir.join("satu.db");
        make_private(&data_dir, &db)?;
        let store = Store::open(&db)?;
        // The audit trail's "who" (the OS user and device); "from where" is the command line
        // until the window says otherwise (`Satu::set_origin`).
        store.set_audit_source(&crate::audit::actor(), "cli");
        Ok(Context {
            store: Arc::new(store),
            data_dir,
            live_status: Arc::default(),
            clicks: broadcast::channel(16).0,
            outbox_wake: Arc::default(),
            caldav_wake: Arc::default(),
            chat_wake: Arc::default(),
            signed_in: Arc::default(),
            pause_changed: Arc::default(),
            live_since: Arc::default(),
            diagnosed: Arc::default(),
            backup_wake: Arc::default(),
        })
    }

    /// The store.
    pub(crate) fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The data directory (absolute).
    pub(crate) fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Keyring key of an account's secret (password or token): unique per data directory, so
    /// two Satu data directories (or test runs) never share a secret.
    pub(crate) fn secret_key(&self, account_id: i64) -> String {
        format!("{}#account-{account_id}", self.data_dir.display())
    }

    /// The account's secret from the OS keyring.
    pub(crate) fn secret(&self, account_id: i64) -> Result<String, ApiError> {
        secrets::password(&self.secret_key(account_id))
    }

    /// Where notification clicks are announced.
    pub(crate) fn clicks(&self) -> broadcast::Sender<i64> {
        self.clicks.clone()
    }

    /// A local task or event changed: the CalDAV loop pushes it now. The loop is the only
    /// waiter, so the wake is kept for it when it is busy with a pass (`notify_one`): a change
    /// made during a pass is pushed right after it, not a period later.
    pub(crate) fn calendar_changed(&self) {
        self.caldav_wake.notify_one();
    }

    /// The outbox or the drafts changed: the outbox loop (the only waiter) looks now, or right
    /// after the send in flight.
    pub(crate) fn outbox_changed(&self) {
        self.outbox_wake.notify_one();
    }
}

/// Makes the data directory (0700) and the database with its WAL and shared-memory files
/// (0600) the user's alone, creating the database file first so that SQLite never makes it
/// readable by others (it gives the WAL and shm files the database's mode); modes loosened by
/// hand or by an older Satu are repaired. On Windows the data directory is in the user's
/// profile (`%APPDATA%`), which only the user can read.
fn make_private(data_dir: &Path, db: &Path) -> Result<(), ApiError> {
    #[cfg(unix)]
    {
        use anyhow::Context as _;
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        let set = |path: &Path, mode: u32| -> Result<(), ApiError> {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .with_context(|| format!("Cannot make {} private", path.display()))?;
            Ok(())
        };
        set(data_dir, 0o700)?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(db)
            .with_context(|| format!("Cannot create the database {}", db.display()))?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            if path.exists() {
                set(&path, 0o600)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (data_dir, db);
    Ok(())
}
