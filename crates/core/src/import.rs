//! Offline imports (mbox, Maildir, .eml) into a local account. Idempotent: a message already
//! stored (same Message-ID, or the same bytes when it has none) is counted, not duplicated.

use std::io::BufReader;
use std::path::Path;

use anyhow::{Context as _, Result};
use satu_mail::mbox::MboxReader;
use satu_mail::{parse_message, ParsedMail};
use satu_store::{Inserted, NewAttachment, NewMail, Person, Store};

use crate::dto::ImportReport;

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
            batch
                .iter()
                .map(|(mail, _)| tx.insert_mail(mail))
                .collect::<Result<Vec<_>>>()
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
