//! Backups: make, check, list and restore them, and their schedule (`crate::backup`); and mail
//! exported for people (`crate::export`).

use std::path::Path;

use super::{ApiResult, Satu};
use crate::backup;
use crate::dto::{
    BackupInfo, BackupProgress, BackupReport, BackupSchedule, ExportProgress, ExportReport,
    RestoreReport,
};

impl Satu {
    /// Makes a backup of everything into `out` (a new file), encrypted to `passphrase`; the
    /// accounts' passwords and tokens go in only `with_secrets`. Taken from a snapshot while
    /// the sync goes on; read back and checked whole when `verify`. `progress` hears each stage.
    pub async fn backup_create(
        &self,
        out: &Path,
        passphrase: &str,
        with_secrets: bool,
        verify: bool,
        progress: &(dyn Fn(BackupProgress) + Send + Sync),
    ) -> ApiResult<BackupReport> {
        backup::create(
            &self.ctx,
            out,
            passphrase,
            with_secrets,
            verify,
            false,
            progress,
        )
        .await
    }

    /// Opens the backup `file` with `passphrase` and checks it whole (every checksum, the
    /// database's integrity, its items against its manifest). Changes nothing.
    pub async fn backup_verify(file: &Path, passphrase: &str) -> ApiResult<BackupReport> {
        backup::check(file, passphrase).await
    }

    /// Restores the backup `file` into the data directory `data_dir` (empty or new; with
    /// `replace`, its old content is moved aside first). Call it before opening `data_dir`.
    pub async fn backup_restore(
        file: &Path,
        passphrase: &str,
        data_dir: &Path,
        replace: bool,
    ) -> ApiResult<RestoreReport> {
        backup::restore(file, passphrase, data_dir, replace).await
    }

    /// Makes a backup now into the schedule's folder with its kept passphrase, read back and
    /// checked (the window's "Back up now").
    pub async fn backup_now(
        &self,
        progress: &(dyn Fn(BackupProgress) + Send + Sync),
    ) -> ApiResult<BackupReport> {
        backup::now(&self.ctx, progress).await
    }

    /// The backups made, newest first.
    pub fn backups(&self) -> ApiResult<Vec<BackupInfo>> {
        backup::list(&self.ctx)
    }

    /// The backup schedule.
    pub fn backup_schedule(&self) -> ApiResult<BackupSchedule> {
        backup::schedule_report(&self.ctx)
    }

    /// Schedules backups every `every_hours` (0: off) into `dir`, keeping the newest `keep`;
    /// `passphrase` (when given) is kept in the OS keyring for them. The app and `satu watch`
    /// make them.
    pub fn set_backup_schedule(
        &self,
        every_hours: u32,
        dir: &str,
        keep: u32,
        passphrase: Option<&str>,
    ) -> ApiResult<BackupSchedule> {
        backup::set_schedule(&self.ctx, every_hours, dir, keep, passphrase)
    }

    /// Writes the mail of `folders` (every folder when empty) of `account` (every mail
    /// account when `None`) into the directory `out` as `mbox` or `maildir`, one directory per
    /// account; nothing is overwritten. `progress` hears each folder.
    pub async fn export_mail(
        &self,
        format: &str,
        account: Option<i64>,
        folders: &[String],
        out: &Path,
        progress: &(dyn Fn(ExportProgress) + Send + Sync),
    ) -> ApiResult<ExportReport> {
        let format = crate::export::Format::parse(format)?;
        crate::export::export(&self.ctx, format, account, folders, out, progress)
    }
}
