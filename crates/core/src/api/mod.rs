//! The API: the only door into the core. Every front end (the Tauri shell, the `satu` CLI, the
//! tests) calls these methods and gets DTOs ([`dto`]) or an [`ApiError`] back.
//!
//! One file per domain. Each method is a short pass-through to the module that owns the logic
//! (`crate::send`, `crate::caldav`, `crate::matrix`, `crate::timeline`, …), handing it the shared
//! [`Context`]; nothing behind the door imports it back.

mod accounts;
mod calendar;
mod chat;
pub mod dto;
pub mod error;
mod import;
mod mail;
mod send;
mod settings;
mod sync;
mod tasks;
mod timeline;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use tokio_util::sync::CancellationToken;

pub use crate::import::{LOCAL_ACCOUNT, SAMPLE_ACCOUNT};
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::TimelineQuery;
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
