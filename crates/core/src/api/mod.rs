//! The API: the only door into the core. Every front end (the Tauri shell, the `satu` CLI, the
//! tests) calls these methods and gets DTOs ([`dto`]) or an [`error::ApiError`] back.
//!
//! One file per domain. Each method is a short pass-through to the module that owns the logic
//! (`crate::send`, `crate::caldav`, `crate::matrix`, `crate::timeline`, …), handing it the shared
//! `Context` (`crate::context`); nothing behind the door imports it back.

mod accounts;
mod audit;
mod backup;
mod calendar;
mod chat;
pub mod dto;
pub mod error;
mod import;
mod mail;
mod rules;
mod send;
mod settings;
mod sync;
mod tasks;
mod timeline;
mod trust;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use tokio_util::sync::CancellationToken;

pub use crate::accounts::with_discovered;
pub use crate::import::{LOCAL_ACCOUNT, SAMPLE_ACCOUNT};
pub use crate::instance::{
    claim as claim_instance, Claim as InstanceClaim, Claimed as InstanceClaimed,
    Listener as InstanceListener,
};
pub use crate::links::LinkDecision;
pub use crate::live::LiveOptions;

use crate::context::Context;
use crate::timeline::view::Views;
pub(crate) use error::ApiResult;

/// Log targets held at `debug` whatever `SATU_LOG` says: at `trace` they write the raw
/// protocol, a `LOGIN` with its password included. Front ends add `TARGET=debug` directives for
/// these after the user's filter.
pub const QUIET_LOG_TARGETS: &[&str] = &["async_imap", "imap_proto"];

/// A handle on one Satu data directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Satu {
    ctx: Context,
    /// The live views of the timeline this handle keeps open (`open_view`).
    views: Arc<Mutex<Views>>,
}

impl Satu {
    /// Opens the data directory (creating it and the database if needed).
    pub fn open(data_dir: &Path) -> ApiResult<Satu> {
        Ok(Satu {
            ctx: Context::open(data_dir)?,
            views: Arc::default(),
        })
    }

    /// Where this process's actions come from in the audit trail: `window` for the app (and
    /// the window in a browser), `cli` (the default) for the command line.
    pub fn set_origin(&self, origin: &str) {
        self.ctx
            .store()
            .set_audit_source(&crate::audit::actor(), origin);
    }

    /// This process shows a window: from now on its sync and indexer threads run below the
    /// window's CPU priority, so that an initial sync never makes scrolling stutter (the CLI
    /// does not call it: without a window, a sync takes what CPU there is).
    pub fn put_the_window_first(&self) {
        crate::thrift::put_the_window_first();
    }

    /// The default data directory: `$SATU_DATA_DIR`, else the OS data dir (`~/.local/share/satu`
    /// on Linux).
    pub fn default_data_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("SATU_DATA_DIR") {
            return PathBuf::from(dir);
        }
        #[cfg(target_os = "macos")]
        let base =
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"));
        #[cfg(target_os = "windows")]
        let base = std::env::var_os("APPDATA").map(PathBuf::from);
        #[cfg(not(any(target_os = "macos", target_os = "windows")))]
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
        base.unwrap_or_else(|| PathBuf::from(".")).join("satu")
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.ctx.data_dir()
    }

    /// The folder the app writes its log files to (`SATU_LOG_DIR`, else the system's place).
    pub fn log_dir() -> PathBuf {
        crate::diagnostics::log_dir()
    }

    /// What to send along when asking for help: versions, the system, the accounts' servers
    /// and login methods, the settings, the live sync's state and the last log lines; never a
    /// password, token or message.
    pub fn diagnostics(&self) -> ApiResult<String> {
        crate::diagnostics::report(&self.ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::{self, Diff, TimelineQuery, ViewDiffs, ViewQuery};
    use crate::error::ErrorCode;

    #[cfg(unix)]
    #[test]
    fn the_data_directory_and_the_database_are_the_users_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = parent.path().join("satu");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        let satu = Satu::open(&dir).expect("open");
        satu.open_sample(b"From a@x Mon Nov  2 09:14:00 2026\nSubject: Hi\n\nHi\n")
            .expect("sample");
        assert_eq!(mode(&dir), 0o700);
        for file in ["satu.db", "satu.db-wal", "satu.db-shm"] {
            let path = dir.join(file);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{file}");
            }
        }
        drop(satu);
        // Loosened by hand (or by an older Satu): repaired on the next open.
        let loose = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(&dir, loose.clone()).expect("chmod");
        std::fs::set_permissions(dir.join("satu.db"), std::fs::Permissions::from_mode(0o644))
            .expect("chmod");
        Satu::open(&dir).expect("open again");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("satu.db")), 0o600);
    }

    /// A message of an mbox: `id` its Message-ID, `reply_to` the one it answers.
    fn message(id: u32, minute: u32, subject: &str, reply_to: Option<u32>) -> String {
        let refs = reply_to
            .map(|r| format!("In-Reply-To: <{r}@x>\nReferences: <{r}@x>\n"))
            .unwrap_or_default();
        format!(
            "From a@x Mon Nov  2 09:{minute:02}:00 2026\nFrom: A <a@example.com>\nSubject: {subject}\nMessage-ID: <{id}@x>\n{refs}Date: Mon, 2 Nov 2026 09:{minute:02}:00 +0000\n\nText {id}\n\n"
        )
    }

    /// The rows a view has after its diffs, replayed as a window does.
    fn replay(rows: &mut Vec<dto::Item>, batch: &ViewDiffs) {
        for step in &batch.diffs {
            match step {
                Diff::Reset { items } => *rows = items.clone(),
                Diff::Insert { index, item } => rows.insert(*index, item.clone()),
                Diff::Set { index, item } => rows[*index] = item.clone(),
                Diff::Remove { index } => {
                    rows.remove(*index);
                }
            }
        }
    }

    #[test]
    fn a_view_of_conversations_follows_the_store_by_its_diffs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let satu = Satu::open(dir.path()).expect("open");
        let first: String = [
            message(1, 1, "Plan", None),
            message(2, 2, "Lunch", None),
            message(3, 3, "Re: Plan", Some(1)),
            message(4, 4, "Budget", None),
        ]
        .concat();
        satu.open_sample(first.as_bytes()).expect("import");
        let query = ViewQuery {
            timeline: TimelineQuery {
                threads: Some(true),
                limit: Some(2),
                ..Default::default()
            },
            search: None,
        };
        let page = satu.open_view(query.clone()).expect("open");
        let titles = |rows: &[dto::Item]| rows.iter().map(|i| i.title.clone()).collect::<Vec<_>>();
        assert_eq!(titles(&page.items), ["Budget", "Re: Plan"]);
        assert!(!page.complete);
        let id = page.view;
        let mut rows = page.items;
        let mut version = page.version;
        let mut check = |satu: &Satu, rows: &mut Vec<dto::Item>| {
            let store = satu.ctx.store();
            let batches = satu.views().expect("views").refresh(store);
            assert_eq!(batches.len(), 1, "{batches:?}");
            assert_eq!(
                (batches[0].view, batches[0].version),
                (id, version + 1),
                "in order"
            );
            version = batches[0].version;
            replay(rows, &batches[0]);
            let fresh = satu.open_view(query.clone()).expect("read again");
            satu.close_view(fresh.view).expect("close");
            assert_eq!(*rows, fresh.items, "the diffs give what a fresh read gives");
        };
        // A reply brings its conversation up, as one row with its count.
        satu.open_sample(message(5, 5, "Re: Plan", Some(3)).as_bytes())
            .expect("reply");
        check(&satu, &mut rows);
        assert_eq!(titles(&rows), ["Re: Plan", "Budget"]);
        assert_eq!(rows[0].thread_size, 3);
        // Read: the row changes in place. More rows: they come at the end.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime
            .block_on(satu.mark(rows[1].id, Some(false), None))
            .expect("mark");
        check(&satu, &mut rows);
        assert!(!rows[1].unread);
        let batch = satu.view_more(id, 5).expect("more").expect("a batch");
        replay(&mut rows, &batch);
        assert_eq!(titles(&rows), ["Re: Plan", "Budget", "Lunch"]);
        assert!(batch.complete);
        satu.close_view(id).expect("close");
        assert!(satu.view_more(id, 1).is_err());
    }

    #[test]
    fn imports_and_reads_back_through_the_api() {
        let dir = tempfile::tempdir().expect("tempdir");
        let satu = Satu::open(dir.path()).expect("open");
        let mbox = b"From a@x Mon Nov  2 09:14:00 2026\nFrom: A <a@example.com>\nSubject: Hello\nMessage-ID: <1@x>\nDate: Mon, 2 Nov 2026 09:14:00 +0000\n\nHi there\n";
        let report = satu.open_sample(mbox).expect("sample");
        assert_eq!((report.imported, report.duplicates), (1, 0));
        assert_eq!(satu.open_sample(mbox).expect("again").duplicates, 1);
        let items = satu.timeline(&TimelineQuery::default()).expect("timeline");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].time, "2026-11-02T09:14:00Z");
        assert_eq!(items[0].message_id.as_deref(), Some("1@x"));
        assert_eq!(satu.item(items[0].id).expect("item"), items[0]);
        let detail = satu.show(items[0].id).expect("show");
        assert_eq!(detail.body_text.as_deref(), Some("Hi there\n"));
        let err = satu.show(999).expect_err("missing");
        assert_eq!(err.code, ErrorCode::NotFound);
        let err = satu
            .timeline(&TimelineQuery {
                kind: Some("memo".into()),
                ..Default::default()
            })
            .expect_err("kind");
        assert_eq!(err.code, ErrorCode::InvalidInput);
    }
}
