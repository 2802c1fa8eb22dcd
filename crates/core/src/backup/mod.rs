//! Backups: the whole local store (mail, chat, tasks, events, settings, drafts, cursors) in one
//! encrypted file, made while the sync goes on, verified, restored on another machine; and the
//! schedule that makes them by itself (run beside the live sync by the app and `satu watch`).
//!
//! - `file.rs`: the file format (age with a passphrase, zstd, tar with a manifest first).
//! - `plan.rs`: the decisions (due, prune, where a restore may write, the Health indicator).
//!
//! A backup is taken from a snapshot (`Store::snapshot_into`, `VACUUM INTO` in one read
//! transaction) into the data directory's `backup-work/`, locked so that one backup runs at a
//! time per data directory (the app and the CLI may both try). The secrets (passwords and
//! tokens from the OS keyring) go in only when asked, and then only encrypted. After a restore
//! the accounts resume from the cursors in the snapshot (UIDVALIDITY/MODSEQ, sync tokens, the
//! chat's `since`): nothing is downloaded again.

pub(crate) mod file;
pub(crate) mod plan;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use age::secrecy::SecretString;
use satu_store::{NumberSetting, TextSetting};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::secrets;
use file::{Content, Manifest};

/// How long after starting the schedule first looks (the app's start is busy enough), at most.
const SCHEDULE_FIRST: Duration = Duration::from_secs(30);

/// An account's secret in a backup.
#[derive(Serialize, Deserialize)]
struct Secret {
    account: i64,
    secret: String,
}

/// The keyring key of the passphrase scheduled backups are encrypted with.
fn passphrase_key(ctx: &Context) -> String {
    format!("{}#backup", ctx.data_dir().display())
}

/// What the user chose for the schedule.
pub(crate) fn schedule_of(ctx: &Context) -> ApiResult<plan::Schedule> {
    let store = ctx.store();
    Ok(plan::Schedule {
        every_hours: store.number_setting(NumberSetting::BackupEveryHours)?,
        dir: store
            .text_setting(TextSetting::BackupDir)?
            .unwrap_or_default(),
        keep: store.number_setting(NumberSetting::BackupKeep)?,
    })
}

/// The schedule as the API reports it.
pub(crate) fn schedule_report(ctx: &Context) -> ApiResult<dto::BackupSchedule> {
    let schedule = schedule_of(ctx)?;
    Ok(dto::BackupSchedule {
        every_hours: schedule.every_hours as u32,
        dir: schedule.dir,
        keep: schedule.keep as u32,
        passphrase_kept: secrets::secret_if_any(&passphrase_key(ctx))?.is_some(),
    })
}

/// Chooses the schedule: every `every_hours` (0: off) into `dir`, keeping the newest `keep`;
/// `passphrase` (when given) is kept in the OS keyring for the backups it makes.
pub(crate) fn set_schedule(
    ctx: &Context,
    every_hours: u32,
    dir: &str,
    keep: u32,
    passphrase: Option<&str>,
) -> ApiResult<dto::BackupSchedule> {
    let dir = dir.trim();
    if every_hours > 0 {
        if dir.is_empty() {
            return Err(ApiError::invalid(
                "dir",
                "Choose the folder the backups go into",
            ));
        }
        let path = Path::new(dir);
        if !path.is_absolute() {
            return Err(ApiError::invalid(
                "dir",
                format!("{dir} is not a full path: give the folder from the root (/…)"),
            ));
        }
        std::fs::create_dir_all(path).map_err(|e| {
            ApiError::invalid("dir", format!("Cannot create the folder {dir}: {e}"))
        })?;
        if passphrase.is_none_or(str::is_empty)
            && secrets::secret_if_any(&passphrase_key(ctx))?.is_none()
        {
            return Err(ApiError::invalid(
                "passphrase",
                "Choose a passphrase for the backups (kept in the OS keyring; you need it to restore)",
            ));
        }
    }
    if let Some(passphrase) = passphrase.filter(|p| !p.is_empty()) {
        check_passphrase(passphrase)?;
        secrets::set_password(&passphrase_key(ctx), passphrase)?;
    }
    ctx.store().write(|tx| {
        tx.set_number_setting(NumberSetting::BackupEveryHours, i64::from(every_hours))?;
        tx.set_number_setting(NumberSetting::BackupKeep, i64::from(keep))?;
        tx.set_text_setting(TextSetting::BackupDir, dir)
    })?;
    ctx.backup_wake.notify_one();
    schedule_report(ctx)
}

/// A passphrase worth the name.
fn check_passphrase(passphrase: &str) -> ApiResult<()> {
    if passphrase.chars().count() < 8 {
        return Err(ApiError::invalid(
            "passphrase",
            "The passphrase needs at least 8 characters (a few words are best)",
        ));
    }
    Ok(())
}

/// Holds `backup-work/` of a data directory while a backup is made.
struct WorkDir {
    dir: PathBuf,
    _lock: File,
}

impl WorkDir {
    fn claim(ctx: &Context) -> ApiResult<WorkDir> {
        let dir = ctx.data_dir().join("backup-work");
        let failed = |e: std::io::Error| {
            ApiError::internal(format!("Cannot prepare {}: {e}", dir.display()))
        };
        std::fs::create_dir_all(&dir).map_err(failed)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))
            .map_err(failed)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidInput,
                    "A backup of this data directory is being made already: wait for it to finish",
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
        }
        // What a backup killed half-way left.
        for entry in std::fs::read_dir(&dir).map_err(failed)?.flatten() {
            if entry.file_name() != "lock" {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(WorkDir { dir, _lock: lock })
    }
}

/// Makes a backup of the store into `out` (which must not exist), encrypted to `passphrase`,
/// with the accounts' secrets when `with_secrets`; reads it back when `verify` (scheduled
/// backups always do). `progress` hears each stage. Records it in the store.
pub(crate) async fn create(
    ctx: &Context,
    out: &Path,
    passphrase: &str,
    with_secrets: bool,
    verify: bool,
    scheduled: bool,
    progress: &(dyn Fn(dto::BackupProgress) + Send + Sync),
) -> ApiResult<dto::BackupReport> {
    check_passphrase(passphrase)?;
    let out = absolute(out)?;
    if out.exists() {
        return Err(ApiError::invalid(
            "out",
            format!(
                "{} exists: choose another name (a backup never overwrites a file)",
                out.display()
            ),
        ));
    }
    if let Some(parent) = out.parent() {
        if !parent.is_dir() {
            return Err(ApiError::invalid(
                "out",
                format!("The folder {} does not exist", parent.display()),
            ));
        }
    }
    let started = std::time::Instant::now();
    let at = chrono::Utc::now();
    let result = make(ctx, &out, passphrase, with_secrets, verify, progress, at).await;
    let path = out.display().to_string();
    match result {
        Ok(mut report) => {
            let items = report.counts.mail
                + report.counts.chat
                + report.counts.tasks
                + report.counts.events;
            ctx.store().write(|tx| {
                tx.record_backup(
                    at.timestamp(),
                    &path,
                    report.bytes,
                    items,
                    report.verified,
                    scheduled,
                )?;
                let detail = serde_json::json!({
                    "file": path,
                    "bytes": report.bytes,
                    "items": items,
                    "secrets": report.secrets,
                    "verified": report.verified,
                });
                if scheduled {
                    tx.audit_as("schedule", "backup.create", None, None, &detail.to_string())
                } else {
                    crate::audit::record(tx, "backup.create", None, None, detail)
                }
            })?;
            report.took_ms = started.elapsed().as_millis() as u64;
            tracing::info!(
                path,
                bytes = report.bytes,
                items,
                verified = report.verified,
                took_ms = report.took_ms,
                "Backup made."
            );
            Ok(report)
        }
        Err(e) => {
            let _ = ctx
                .store()
                .write(|tx| tx.record_backup_failure(at.timestamp(), &path, &e.message, scheduled));
            tracing::warn!(path, error = %e, "A backup failed.");
            Err(e)
        }
    }
}

async fn make(
    ctx: &Context,
    out: &Path,
    passphrase: &str,
    with_secrets: bool,
    verify: bool,
    progress: &(dyn Fn(dto::BackupProgress) + Send + Sync),
    at: chrono::DateTime<chrono::Utc>,
) -> ApiResult<dto::BackupReport> {
    let work = WorkDir::claim(ctx)?;
    progress(dto::BackupProgress {
        stage: "snapshot".into(),
        done: 0,
        total: 0,
    });
    let secrets = if with_secrets {
        let mut all = Vec::new();
        for account in ctx.store().accounts()? {
            if let Some(secret) = secrets::secret_if_any(&ctx.secret_key(account.id))? {
                all.push(Secret {
                    account: account.id,
                    secret,
                });
            }
        }
        Some(all)
    } else {
        None
    };
    let snapshot = work.dir.join(file::DATABASE);
    let (store, path) = (ctx.store().clone(), snapshot.clone());
    let (counts, audit_head) = tokio::task::spawn_blocking(move || store.snapshot_into(&path))
        .await
        .map_err(|e| ApiError::internal(format!("The snapshot stopped: {e}")))?
        .map_err(|e| ApiError::internal(format!("Cannot take a snapshot of the store: {e:#}")))?;
    progress(dto::BackupProgress {
        stage: "write".into(),
        done: 0,
        total: std::fs::metadata(&snapshot).map_or(0, |m| m.len()),
    });
    let mut contents = vec![(file::DATABASE.to_owned(), Content::File(snapshot.clone()))];
    if let Some(secrets) = &secrets {
        let json = serde_json::to_vec(secrets)
            .map_err(|e| ApiError::internal(format!("Cannot write the secrets: {e}")))?;
        contents.push((file::SECRETS.to_owned(), Content::Bytes(json)));
    }
    let manifest = Manifest {
        format: file::FORMAT.to_owned(),
        version: file::VERSION,
        satu: env!("CARGO_PKG_VERSION").to_owned(),
        schema: satu_store::LATEST_VERSION,
        created: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        counts: (&counts).into(),
        files: Vec::new(),
        audit_head,
    };
    let (out_path, passphrase_owned) = (out.to_owned(), SecretString::from(passphrase.to_owned()));
    let bytes = tokio::task::spawn_blocking(move || {
        let mut manifest = manifest;
        manifest.files = contents
            .iter()
            .map(|(name, content)| file::entry(name, content))
            .collect::<ApiResult<_>>()?;
        let bytes = file::write(&out_path, &passphrase_owned, &manifest, &contents)?;
        Ok::<_, ApiError>((bytes, manifest))
    })
    .await
    .map_err(|e| ApiError::internal(format!("Writing the backup stopped: {e}")))?;
    let _ = std::fs::remove_file(&snapshot);
    let (bytes, manifest) = bytes?;
    let mut report = report_of(out, bytes, &manifest, false);
    if verify {
        progress(dto::BackupProgress {
            stage: "verify".into(),
            done: 0,
            total: bytes,
        });
        drop(work);
        if let Err(e) = check(out, passphrase).await {
            let _ = std::fs::remove_file(out);
            return Err(ApiError::new(
                e.code,
                format!("The backup did not verify and was removed: {}", e.message),
            ));
        }
        report.verified = true;
    }
    Ok(report)
}

fn report_of(out: &Path, bytes: u64, manifest: &Manifest, verified: bool) -> dto::BackupReport {
    dto::BackupReport {
        path: out.display().to_string(),
        bytes,
        created: manifest.created.clone(),
        satu: manifest.satu.clone(),
        counts: dto::BackupCounts {
            mail: manifest.counts.mail,
            chat: manifest.counts.chat,
            tasks: manifest.counts.tasks,
            events: manifest.counts.events,
            accounts: manifest.counts.accounts,
        },
        secrets: manifest.files.iter().any(|f| f.name == file::SECRETS),
        verified,
        audit_head: manifest.audit_head.clone(),
        took_ms: 0,
    }
}

fn absolute(path: &Path) -> ApiResult<PathBuf> {
    std::path::absolute(path)
        .map_err(|e| ApiError::invalid("out", format!("Cannot use {}: {e}", path.display())))
}

/// Opens the backup `file` with `passphrase` into a temporary directory and checks it whole:
/// every file against its checksum, the database's `integrity_check`, its items against the
/// manifest. Changes nothing.
pub(crate) async fn check(file: &Path, passphrase: &str) -> ApiResult<dto::BackupReport> {
    let (file, passphrase) = (absolute(file)?, SecretString::from(passphrase.to_owned()));
    tokio::task::spawn_blocking(move || {
        let temp = tempfile::Builder::new()
            .prefix("satu-verify-")
            .tempdir()
            .map_err(|e| ApiError::internal(format!("Cannot make a temporary folder: {e}")))?;
        let manifest = file::read(&file, &passphrase, temp.path())?;
        check_database(&file, &temp.path().join(file::DATABASE), &manifest)?;
        let bytes = std::fs::metadata(&file).map_or(0, |m| m.len());
        Ok(report_of(&file, bytes, &manifest, true))
    })
    .await
    .map_err(|e| ApiError::internal(format!("Verifying stopped: {e}")))?
}

/// The database of a backup is whole and holds what its manifest says.
fn check_database(file: &Path, db: &Path, manifest: &Manifest) -> ApiResult<()> {
    let (verdict, counts) = satu_store::check_database(db)
        .map_err(|e| file::damaged(file, format!("its database cannot be checked: {e:#}")))?;
    if verdict != "ok" {
        return Err(file::damaged(
            file,
            format!("its database failed SQLite's integrity check: {verdict}"),
        ));
    }
    let counts = file::Counts::from(&counts);
    if counts != manifest.counts {
        return Err(file::damaged(
            file,
            format!(
                "its database holds {} items, its manifest says {}",
                counts.items(),
                manifest.counts.items()
            ),
        ));
    }
    Ok(())
}

/// Restores the backup `file` into the data directory `target`: an empty or new one, or, with
/// `replace`, one whose old content is first moved aside (never while a Satu runs on it).
/// Secrets in the backup go to the OS keyring for the new place; the accounts without are
/// named, to be signed in again.
pub(crate) async fn restore(
    file: &Path,
    passphrase: &str,
    target: &Path,
    replace: bool,
) -> ApiResult<dto::RestoreReport> {
    let file = absolute(file)?;
    let target = std::path::absolute(target).map_err(|e| {
        ApiError::invalid("data_dir", format!("Cannot use {}: {e}", target.display()))
    })?;
    let occupied = std::fs::read_dir(&target)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if target.exists() && !target.is_dir() {
        return Err(ApiError::invalid(
            "data_dir",
            format!("{} is a file, not a folder", target.display()),
        ));
    }
    let decision = plan::target(occupied, in_use(&target), replace);
    match decision {
        plan::Target::Refuse => {
            return Err(ApiError::invalid(
                "data_dir",
                format!(
                    "{} is not empty: restore into an empty folder, or add --replace (its content is moved aside first)",
                    target.display()
                ),
            ))
        }
        plan::Target::InUse => {
            return Err(ApiError::invalid(
                "data_dir",
                format!(
                    "Satu is running on {}: quit it (and satu watch) before restoring over it",
                    target.display()
                ),
            ))
        }
        plan::Target::Empty | plan::Target::MoveAside => {}
    }
    let parent = target
        .parent()
        .ok_or_else(|| ApiError::invalid("data_dir", "Restore into a folder, not the root"))?
        .to_owned();
    std::fs::create_dir_all(&parent).map_err(|e| {
        ApiError::invalid(
            "data_dir",
            format!("Cannot create {}: {e}", parent.display()),
        )
    })?;
    let name = target
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    // Read and checked beside the target (the same disk, so that moving it in is a rename).
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.restoring-"))
        .tempdir_in(&parent)
        .map_err(|e| {
            ApiError::invalid(
                "data_dir",
                format!("Cannot write into {}: {e}", parent.display()),
            )
        })?;
    let (passphrase, staged) = (
        SecretString::from(passphrase.to_owned()),
        staging.path().to_owned(),
    );
    let (source, manifest, secrets) = {
        let file = file.clone();
        tokio::task::spawn_blocking(move || {
            let manifest = file::read(&file, &passphrase, &staged)?;
            check_database(&file, &staged.join(file::DATABASE), &manifest)?;
            let secrets: Vec<Secret> = match std::fs::read(staged.join(file::SECRETS)) {
                Ok(json) => serde_json::from_slice(&json).map_err(|e| {
                    file::damaged(&file, format!("its secrets cannot be read: {e}"))
                })?,
                Err(_) => Vec::new(),
            };
            let _ = std::fs::remove_file(staged.join(file::SECRETS));
            Ok::<_, ApiError>((file, manifest, secrets))
        })
        .await
        .map_err(|e| ApiError::internal(format!("Restoring stopped: {e}")))??
    };
    let moved_aside = if decision == plan::Target::MoveAside {
        let aside = parent.join(format!(
            "{name}.before-restore-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        std::fs::rename(&target, &aside).map_err(|e| {
            ApiError::internal(format!(
                "Cannot move {} aside to {}: {e} (nothing was changed)",
                target.display(),
                aside.display()
            ))
        })?;
        Some(aside.display().to_string())
    } else {
        if target.exists() {
            std::fs::remove_dir(&target).map_err(|e| {
                ApiError::invalid("data_dir", format!("Cannot use {}: {e}", target.display()))
            })?;
        }
        None
    };
    let staged = staging.keep();
    std::fs::rename(&staged, &target).map_err(|e| {
        ApiError::internal(format!(
            "Cannot move the restored data into {}: {e} (it is in {})",
            target.display(),
            staged.display()
        ))
    })?;
    // Opened once: migrated to this build's schema, and the secrets' keys are the new place's.
    let ctx = Context::open(&target)?;
    crate::audit::record_now(
        ctx.store(),
        "backup.restore",
        None,
        None,
        serde_json::json!({
            "file": source.display().to_string(),
            "created": manifest.created,
            "items": manifest.counts.items(),
            "secrets": !secrets.is_empty(),
            "moved_aside": moved_aside,
        }),
    )?;
    let mut restored = Vec::new();
    for secret in &secrets {
        secrets::set_password(&ctx.secret_key(secret.account), &secret.secret)?;
        restored.push(secret.account);
    }
    let passwords_needed = ctx
        .store()
        .accounts()?
        .into_iter()
        .filter(|a| a.kind != satu_store::AccountKind::Local && !restored.contains(&a.id))
        .map(|a| dto::AccountName {
            id: a.id,
            name: a.name,
        })
        .collect();
    tracing::info!(
        from = %source.display(),
        into = %target.display(),
        items = manifest.counts.items(),
        "Backup restored."
    );
    let bytes = std::fs::metadata(&source).map_or(0, |m| m.len());
    Ok(dto::RestoreReport {
        data_dir: target.display().to_string(),
        backup: report_of(&source, bytes, &manifest, true),
        moved_aside,
        passwords_needed,
    })
}

/// Whether a Satu (the app) holds the data directory `dir`.
fn in_use(dir: &Path) -> bool {
    let Ok(lock) = File::options()
        .read(true)
        .write(true)
        .open(dir.join("instance.lock"))
    else {
        return false;
    };
    matches!(lock.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

/// The backups made, newest first, with whether each file is still there.
pub(crate) fn list(ctx: &Context) -> ApiResult<Vec<dto::BackupInfo>> {
    Ok(ctx
        .store()
        .backups()?
        .into_iter()
        .map(|b| dto::BackupInfo {
            id: b.id,
            exists: !b.gone && Path::new(&b.path).is_file(),
            created: chrono::DateTime::from_timestamp(b.at, 0)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            path: b.path,
            bytes: b.bytes,
            items: b.items,
            verified: b.verified,
            scheduled: b.scheduled,
            error: b.error,
        })
        .collect())
}

/// The backup indicator of the Health view: (status, age in s, detail).
pub(crate) fn indicator(ctx: &Context) -> ApiResult<(&'static str, Option<i64>, String)> {
    let schedule = schedule_of(ctx)?;
    let backups = ctx.store().backups()?;
    Ok(plan::indicator(
        &schedule,
        &backups,
        chrono::Utc::now().timestamp(),
    ))
}

/// The name of a scheduled backup made at `at`.
fn scheduled_name(at: chrono::DateTime<chrono::Utc>) -> String {
    format!("satu-{}.tar.zst.age", at.format("%Y-%m-%dT%H%M%SZ"))
}

/// Makes a backup now into the schedule's folder with its passphrase (the window's "Back up
/// now"), read back and checked; it is not pruned with the scheduled ones.
pub(crate) async fn now(
    ctx: &Context,
    progress: &(dyn Fn(dto::BackupProgress) + Send + Sync),
) -> ApiResult<dto::BackupReport> {
    let schedule = schedule_of(ctx)?;
    if schedule.dir.is_empty() {
        return Err(ApiError::invalid(
            "dir",
            "Choose the folder the backups go into first",
        ));
    }
    let Some(passphrase) = secrets::secret_if_any(&passphrase_key(ctx))? else {
        return Err(ApiError::invalid(
            "passphrase",
            "Choose the passphrase for the backups first",
        ));
    };
    std::fs::create_dir_all(&schedule.dir).map_err(|e| {
        ApiError::invalid(
            "dir",
            format!("Cannot create the folder {}: {e}", schedule.dir),
        )
    })?;
    let out = Path::new(&schedule.dir).join(scheduled_name(chrono::Utc::now()));
    create(ctx, &out, &passphrase, false, true, false, progress).await
}

/// Makes a scheduled backup now if one is due; prunes the old ones once it verified.
pub(crate) async fn scheduled_pass(ctx: &Context) -> ApiResult<Option<dto::BackupReport>> {
    let schedule = schedule_of(ctx)?;
    let now = chrono::Utc::now();
    if !plan::due(&schedule, &ctx.store().backups()?, now.timestamp()) {
        return Ok(None);
    }
    let out = Path::new(&schedule.dir).join(scheduled_name(now));
    let Some(passphrase) = secrets::secret_if_any(&passphrase_key(ctx))? else {
        let message = "The passphrase for scheduled backups is not in the OS keyring: choose it again in Settings (or satu backup schedule)";
        let _ = ctx.store().write(|tx| {
            tx.record_backup_failure(now.timestamp(), &out.display().to_string(), message, true)
        });
        return Err(ApiError::new(ErrorCode::Keyring, message));
    };
    if let Err(e) = std::fs::create_dir_all(&schedule.dir) {
        let message = format!("Cannot create the backup folder {}: {e}", schedule.dir);
        let _ = ctx.store().write(|tx| {
            tx.record_backup_failure(now.timestamp(), &out.display().to_string(), &message, true)
        });
        return Err(ApiError::internal(message));
    }
    // What a scheduled backup killed half-way left (never under a backup's own name).
    if let Ok(entries) = std::fs::read_dir(&schedule.dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("satu-") && name.contains(".tar.zst.age.partial-") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let report = create(ctx, &out, &passphrase, false, true, true, &|_| {}).await?;
    // Pruned only now that the new one verified.
    let backups = ctx.store().backups()?;
    if let Some(new) = backups.iter().find(|b| b.path == report.path && !b.gone) {
        for id in plan::prune(&backups, new, schedule.keep) {
            if let Some(old) = backups.iter().find(|b| b.id == id) {
                match std::fs::remove_file(&old.path) {
                    Ok(()) => tracing::info!(path = old.path, "Pruned an old backup."),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        tracing::warn!(path = old.path, error = %e, "Cannot prune an old backup.");
                        continue;
                    }
                }
                ctx.store().write(|tx| tx.backup_gone(id))?;
            }
        }
    }
    Ok(Some(report))
}

/// Runs the schedule until `cancel` fires: looks every `poll` (and at once when the schedule
/// changed in this process) whether a backup is due, and makes it.
pub(crate) async fn run(ctx: Context, cancel: CancellationToken, poll: Duration) {
    let mut wait = SCHEDULE_FIRST.min(poll);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = ctx.backup_wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
        wait = poll;
        let pass = scheduled_pass(&ctx);
        tokio::select! {
            // A backup in flight is left to finish its file: a cut one leaves only its partial
            // file and the work folder, both cleaned by the next.
            _ = cancel.cancelled() => return,
            result = pass => match result {
                Ok(Some(report)) => tracing::info!(path = report.path, "Scheduled backup made."),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "The scheduled backup failed."),
            }
        }
    }
}
