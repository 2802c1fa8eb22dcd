//! Imports: mbox, Maildir, .eml files and the sample mailbox.

use std::path::{Path, PathBuf};

use super::{ApiResult, Satu};
use crate::dto::ImportReport;
use crate::import;

impl Satu {
    /// Imports an mbox file into the local account.
    pub fn import_mbox(&self, path: &Path) -> ApiResult<ImportReport> {
        import::mbox(self.ctx.store(), path)
    }

    /// Imports a Maildir into the local account, keeping its seen and flagged state.
    pub fn import_maildir(&self, dir: &Path) -> ApiResult<ImportReport> {
        import::maildir(self.ctx.store(), dir)
    }

    /// Imports .eml files into the local account. Every file is checked before anything is
    /// imported, so a bad path imports nothing.
    pub fn import_eml(&self, paths: &[PathBuf]) -> ApiResult<ImportReport> {
        import::eml(self.ctx.store(), paths)
    }

    /// Imports the sample mailbox shipped with the app into its own local account.
    pub fn open_sample(&self, mbox: &[u8]) -> ApiResult<ImportReport> {
        import::sample(self.ctx.store(), mbox)
    }
}
