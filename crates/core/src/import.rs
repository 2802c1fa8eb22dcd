//! Offline imports (mbox, Maildir, .eml) into a local account. Idempotent: a message already
//! stored (same Message-ID, or the same bytes when it has none) is counted, not duplicated.
//! Messages are parsed as they are read (an mbox is streamed, never loaded whole) and stored in
//! batches of [`BATCH`], one transaction each. [`new_mail`] turns a parsed message into the store's
//! `NewMail`; the IMAP sync and the outbox use it too.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use satu_mail::mbox::MboxReader;
use satu_mail::{parse_message, ParsedMail};
use satu_store::{Inserted, NewAttachment, NewMail, Person, Store};

use crate::dto::ImportReport;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Messages per write transaction: large enough to amortize the commit, small enough that the
/// timeline shows progress and a crash loses little work (the import can simply be re-run).
const BATCH: usize = 500;

/// One message to import with the state its source gave it.
pub(crate) struct Incoming {
    pub raw: Vec<u8>,
    pub seen: bool,
    pub flagged: bool,
}

/// Turns a parsed message into the store's shape.
pub(crate) fn new_mail(
    parsed: ParsedMail,
    raw: Vec<u8>,
    account_id: i64,
    folder: Option<(i64, u32, u32)>,
    fallback_time_ms: i64,
    seen: bool,
    flagged: bool,
) -> NewMail {
    // A reply may say how a task's work goes; only replies are read.
    let progress = (!parsed.in_reply_to.is_empty() || parsed.subject_is_reply)
        .then(|| parsed.body_text.as_deref().and_then(crate::progress::read))
        .flatten()
        .map(|p| satu_store::TaskProgress {
            percent: p.percent.map(i64::from),
            done: p.done,
        });
    NewMail {
        account_id,
        time_ms: parsed.date_ms.unwrap_or(fallback_time_ms),
        title: parsed.subject,
        sender: parsed.from.map(|(name, address)| Person { name, address }),
        unread: !seen,
        flagged,
        snippet: parsed.snippet,
        message_id: parsed.message_id,
        in_reply_to: parsed.in_reply_to,
        references: parsed.references,
        subject_key: parsed.subject_key,
        subject_is_reply: parsed.subject_is_reply,
        recipients: parsed.recipients,
        body_text: parsed.body_text,
        body_html: parsed.body_html,
        quarantine: parsed.quarantined,
        raw,
        attachments: parsed
            .attachments
            .into_iter()
            .map(|a| NewAttachment {
                name: a.name,
                mime_type: a.mime_type,
                size: a.content.len() as i64,
            })
            .collect(),
        folder,
        gm_msgid: None,
        remote_size: None,
        progress,
    }
}

/// Imports `messages` into folder `folder` of the local account `account_name`.
pub(crate) fn import(
    store: &Store,
    account_name: &str,
    folder: &str,
    fallback_time_ms: i64,
    messages: impl Iterator<Item = Result<Incoming>>,
) -> Result<ImportReport> {
    let (account, folder_id) = store.write(|tx| {
        let account = tx.local_account(account_name)?;
        Ok((account, tx.local_folder(account, folder)?))
    })?;
    let mut report = ImportReport {
        account,
        folder: folder.to_owned(),
        ..ImportReport::default()
    };
    let mut batch: Vec<(NewMail, bool)> = Vec::with_capacity(BATCH);
    let flush = |batch: &mut Vec<(NewMail, bool)>, report: &mut ImportReport| -> Result<()> {
        let outcomes = store.write(|tx| {
            let outcomes = batch
                .iter()
                .map(|(mail, _)| tx.insert_mail(mail))
                .collect::<Result<Vec<_>>>()?;
            // What is imported is searched for next: index it with the import, not later.
            let added: Vec<i64> = outcomes
                .iter()
                .filter_map(|o| match o {
                    Inserted::Added(id) => Some(*id),
                    Inserted::Existing(_) => None,
                })
                .collect();
            tx.index_now(&added)?;
            Ok(outcomes)
        })?;
        for (outcome, (_, quarantined)) in outcomes.iter().zip(batch.iter()) {
            match outcome {
                Inserted::Added(_) => report.imported += 1,
                Inserted::Existing(_) => report.duplicates += 1,
            }
            if *quarantined {
                report.quarantined += 1;
            }
        }
        batch.clear();
        Ok(())
    };
    for message in messages {
        let Incoming { raw, seen, flagged } = message?;
        let parsed = parse_message(&raw);
        let quarantined = parsed.quarantined.is_some();
        batch.push((
            new_mail(
                parsed,
                raw,
                account,
                Some((folder_id, 0, 0)),
                fallback_time_ms,
                seen,
                flagged,
            ),
            quarantined,
        ));
        if batch.len() >= BATCH {
            flush(&mut batch, &mut report)?;
        }
    }
    flush(&mut batch, &mut report)?;
    Ok(report)
}

/// Modification time of a file in Unix ms (the fallback for messages without a Date).
pub(crate) fn mtime_ms(path: &Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The messages of an mbox file; fails at once when it is not an mbox.
pub(crate) fn mbox_messages(path: &Path) -> Result<impl Iterator<Item = Result<Incoming>>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("Cannot open {}", path.display()))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        anyhow::bail!(crate::ApiError::invalid(
            "file",
            format!("{} is a directory, not an mbox file", path.display())
        ));
    }
    let reader = MboxReader::new(BufReader::new(file))
        .with_context(|| format!("Cannot import {}", path.display()))?;
    Ok(reader.map(|m| {
        m.map(|raw| Incoming {
            raw,
            seen: true,
            flagged: false,
        })
        .context("Cannot read the mbox file")
    }))
}

/// Name of the local account that `open_sample` imports into.
pub const SAMPLE_ACCOUNT: &str = "Sample mailbox";
/// Name of the local account that imports go to.
pub const LOCAL_ACCOUNT: &str = "Local mail";

/// Imports an mbox file into the local account.
pub(crate) fn mbox(store: &Store, path: &Path) -> ApiResult<ImportReport> {
    let messages = mbox_messages(path)?;
    let folder = folder_name(path, "Imported");
    Ok(import(
        store,
        LOCAL_ACCOUNT,
        &folder,
        mtime_ms(path),
        messages,
    )?)
}

/// Imports a Maildir into the local account, keeping its seen and flagged state.
pub(crate) fn maildir(store: &Store, dir: &Path) -> ApiResult<ImportReport> {
    if !dir.exists() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("{} does not exist", dir.display()),
        )
        .with_field("file"));
    }
    let entries =
        satu_mail::maildir::list(dir).map_err(|e| ApiError::invalid("file", format!("{e:#}")))?;
    let messages = entries.into_iter().map(|entry| {
        let raw = std::fs::read(&entry.path)
            .with_context(|| format!("Cannot read {}", entry.path.display()))?;
        Ok(Incoming {
            raw,
            seen: entry.seen,
            flagged: entry.flagged,
        })
    });
    let folder = folder_name(dir, "Maildir");
    Ok(import(
        store,
        LOCAL_ACCOUNT,
        &folder,
        mtime_ms(dir),
        messages,
    )?)
}

/// Imports .eml files into the local account. Every file is checked before anything is
/// imported, so a bad path imports nothing.
pub(crate) fn eml(store: &Store, paths: &[PathBuf]) -> ApiResult<ImportReport> {
    let mut raws = Vec::with_capacity(paths.len());
    for path in paths {
        let raw = std::fs::read(path).with_context(|| format!("Cannot read {}", path.display()))?;
        if raw.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::invalid(
                "file",
                format!("{} is empty: it holds no message", path.display()),
            ));
        }
        raws.push(raw);
    }
    let fallback = paths.first().map(|p| mtime_ms(p)).unwrap_or(0);
    let messages = raws.into_iter().map(|raw| {
        Ok(Incoming {
            raw,
            seen: true,
            flagged: false,
        })
    });
    Ok(import(
        store,
        LOCAL_ACCOUNT,
        "Imported",
        fallback,
        messages,
    )?)
}

/// Imports the sample mailbox shipped with the app into its own local account.
pub(crate) fn sample(store: &Store, mbox: &[u8]) -> ApiResult<ImportReport> {
    let reader =
        satu_mail::mbox::MboxReader::new(mbox).context("The bundled sample mailbox is damaged")?;
    let messages = reader.map(|m| {
        m.map(|raw| Incoming {
            raw,
            seen: false,
            flagged: false,
        })
        .context("Cannot read the sample mailbox")
    });
    let now = chrono::Utc::now().timestamp_millis();
    Ok(import(store, SAMPLE_ACCOUNT, "INBOX", now, messages)?)
}

fn folder_name(path: &Path, fallback: &str) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}
