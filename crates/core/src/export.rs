//! Mail for people, not just machines (`satu export mbox|maildir`): a folder as an mbox file
//! (mboxrd) or a Maildir, so that any mail program opens what Satu holds. Each account's
//! folders go under a directory of its own: `OUT/<account>/<folder>.mbox` or
//! `OUT/<account>/<folder>/{cur,new,tmp}`. Nothing is overwritten. Mail kept with its header
//! only (selective offline) is exported as that header and counted, so that the report says
//! what is missing.
//!
//! The formats are decided by the pure functions here ([`from_line`], [`quote_from`],
//! [`maildir_name`], [`safe_name`]), tested beside.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use satu_store::{AccountKind, FLAG_ANSWERED, FLAG_FLAGGED, FLAG_SEEN};

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Mbox,
    Maildir,
}

impl Format {
    pub(crate) fn parse(name: &str) -> ApiResult<Format> {
        match name {
            "mbox" => Ok(Format::Mbox),
            "maildir" => Ok(Format::Maildir),
            other => Err(ApiError::invalid(
                "format",
                format!("{other:?} is not a format Satu exports: mbox or maildir"),
            )),
        }
    }
}

/// The `From ` line that opens a message in an mbox: the sender and the time in `asctime`
/// form (UTC).
pub(crate) fn from_line(sender: Option<&str>, time_ms: i64) -> String {
    let sender = sender
        .filter(|s| !s.is_empty() && !s.contains(char::is_whitespace))
        .unwrap_or("MAILER-DAEMON");
    let when = chrono::DateTime::from_timestamp_millis(time_ms)
        .unwrap_or_default()
        .format("%a %b %e %H:%M:%S %Y");
    format!("From {sender} {when}\n")
}

/// A message as an mbox holds it (mboxrd): lines end in LF, every line that begins with any
/// number of `>` and then `From ` gets one more `>`, and it ends with a line break.
pub(crate) fn quote_from(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 64);
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        let quoted = text.iter().position(|&b| b != b'>').unwrap_or(text.len());
        if text[quoted..].starts_with(b"From ") {
            out.push(b'>');
        }
        out.extend_from_slice(text);
        out.push(b'\n');
    }
    out
}

/// A Maildir file name: unique (time, item, a counter) with the flags in their order (`F`
/// flagged, `R` answered, `S` seen).
pub(crate) fn maildir_name(time_ms: i64, item: i64, flags: u32) -> String {
    let mut letters = String::new();
    if flags & FLAG_FLAGGED != 0 {
        letters.push('F');
    }
    if flags & FLAG_ANSWERED != 0 {
        letters.push('R');
    }
    if flags & FLAG_SEEN != 0 {
        letters.push('S');
    }
    format!("{}.{item}.satu:2,{letters}", time_ms.max(0) / 1000)
}

/// A folder or account name as a file name: no separators, no control characters, not
/// hidden, not empty.
pub(crate) fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

/// Exports the folders named in `folders` (every folder when empty) of `account` (every mail
/// account when `None`) into the directory `out`, in `format`. `progress` hears each folder.
pub(crate) fn export(
    ctx: &Context,
    format: Format,
    account: Option<i64>,
    folders: &[String],
    out: &Path,
    progress: &(dyn Fn(dto::ExportProgress) + Send + Sync),
) -> ApiResult<dto::ExportReport> {
    let store = ctx.store();
    let out = std::path::absolute(out)
        .map_err(|e| ApiError::invalid("out", format!("Cannot use {}: {e}", out.display())))?;
    let accounts: Vec<_> = store
        .accounts()?
        .into_iter()
        .filter(|a| matches!(a.kind, AccountKind::Imap | AccountKind::Local))
        .filter(|a| account.is_none_or(|id| id == a.id))
        .collect();
    if let Some(id) = account {
        if accounts.is_empty() {
            return Err(ApiError::not_found(
                "account",
                format!("No mail account with id {id}"),
            ));
        }
    }
    // What goes where, checked before anything is written.
    let mut plan: Vec<(i64, String, i64, PathBuf)> = Vec::new();
    let mut found = vec![false; folders.len()];
    for a in &accounts {
        let label = if a.email.is_empty() {
            &a.name
        } else {
            &a.email
        };
        let dir = out.join(safe_name(label));
        for folder in store.folders(a.id)? {
            if !folders.is_empty() {
                let Some(i) = folders.iter().position(|f| f == &folder.name) else {
                    continue;
                };
                found[i] = true;
            }
            let name = safe_name(&folder.name);
            let target = match format {
                Format::Mbox => dir.join(format!("{name}.mbox")),
                Format::Maildir => dir.join(name),
            };
            if target.exists() {
                return Err(ApiError::invalid(
                    "out",
                    format!(
                        "{} exists: export into a new or empty folder (nothing is overwritten)",
                        target.display()
                    ),
                ));
            }
            plan.push((a.id, folder.name.clone(), folder.id, target));
        }
    }
    if let Some(i) = found.iter().position(|f| !f) {
        return Err(ApiError::not_found(
            "folder",
            format!(
                "No folder {:?} (see satu folders for their names)",
                folders[i]
            ),
        ));
    }
    let mut report = dto::ExportReport {
        format: match format {
            Format::Mbox => "mbox".into(),
            Format::Maildir => "maildir".into(),
        },
        out: out.display().to_string(),
        folders: Vec::new(),
        messages: 0,
        headers_only: 0,
    };
    let total = plan.len() as u64;
    for (done, (account_id, folder, folder_id, target)) in plan.into_iter().enumerate() {
        progress(dto::ExportProgress {
            folder: folder.clone(),
            done: done as u64,
            total,
        });
        let failed = |e: std::io::Error| {
            let full = if e.raw_os_error() == Some(28) {
                " (the disk is full)"
            } else {
                ""
            };
            ApiError::internal(format!("Cannot write {}: {e}{full}", target.display()))
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let mut messages = store.imap_messages(folder_id)?;
        // One copy per item: a folder may still hold an old UIDVALIDITY's rows.
        messages.sort_by_key(|m| (m.item_id, std::cmp::Reverse(m.uidvalidity)));
        messages.dedup_by_key(|m| m.item_id);
        let mut rows = Vec::with_capacity(messages.len());
        for m in &messages {
            let row = store.item_row(m.item_id)?;
            rows.push((row.time_ms, m.item_id, m.flags, row));
        }
        rows.sort_by_key(|(time, id, _, _)| (*time, *id));
        let mut written = 0;
        let mut headers_only = 0;
        match format {
            Format::Mbox => {
                let file = File::options()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                    .map_err(failed)?;
                let mut file = BufWriter::with_capacity(1 << 20, file);
                for (time, id, _, row) in &rows {
                    let raw = store.raw_message(*id)?;
                    if store.remote_copy(*id)?.is_some() {
                        headers_only += 1;
                    }
                    let sender = row.sender.as_ref().map(|p| p.address.as_str());
                    file.write_all(from_line(sender, *time).as_bytes())
                        .map_err(failed)?;
                    file.write_all(&quote_from(&raw)).map_err(failed)?;
                    file.write_all(b"\n").map_err(failed)?;
                    written += 1;
                }
                let file = file.into_inner().map_err(|e| failed(e.into_error()))?;
                file.sync_all().map_err(failed)?;
            }
            Format::Maildir => {
                for sub in ["cur", "new", "tmp"] {
                    std::fs::create_dir_all(target.join(sub)).map_err(failed)?;
                }
                for (time, id, flags, _) in &rows {
                    let raw = store.raw_message(*id)?;
                    if store.remote_copy(*id)?.is_some() {
                        headers_only += 1;
                    }
                    // Written in tmp/ and moved into cur/ whole, as Maildir wants.
                    let name = maildir_name(*time, *id, *flags);
                    let temporary = target.join("tmp").join(&name);
                    std::fs::write(&temporary, &raw).map_err(failed)?;
                    std::fs::rename(&temporary, target.join("cur").join(&name)).map_err(failed)?;
                    written += 1;
                }
            }
        }
        report.messages += written;
        report.headers_only += headers_only;
        report.folders.push(dto::ExportedFolder {
            account: account_id,
            folder,
            path: target.display().to_string(),
            messages: written,
            headers_only,
        });
    }
    crate::audit::record_now(
        store,
        "export.mail",
        account,
        None,
        serde_json::json!({
            "format": report.format,
            "out": report.out,
            "folders": report.folders.iter().map(|f| f.folder.clone()).collect::<Vec<_>>(),
            "messages": report.messages,
        }),
    )?;
    tracing::info!(
        out = %out.display(),
        messages = report.messages,
        headers_only = report.headers_only,
        "Mail exported."
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_message_opens_with_its_sender_and_time_and_from_lines_are_quoted() {
        assert_eq!(
            from_line(Some("ana@example.com"), 1_704_067_200_000),
            "From ana@example.com Mon Jan  1 00:00:00 2024\n"
        );
        assert_eq!(
            from_line(None, 0),
            "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
        );
        assert_eq!(
            from_line(Some("two words"), 0),
            "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
        );
        let raw = b"Subject: x\r\n\r\nFrom here\r\n>From there\r\nnot From\r\nlast";
        assert_eq!(
            quote_from(raw),
            b"Subject: x\n\n>From here\n>>From there\nnot From\nlast\n".to_vec()
        );
    }

    #[test]
    fn maildir_names_carry_the_flags_in_order() {
        assert_eq!(maildir_name(1_000_500, 7, 0), "1000.7.satu:2,");
        assert_eq!(
            maildir_name(2_000, 8, FLAG_SEEN | FLAG_FLAGGED | FLAG_ANSWERED),
            "2.8.satu:2,FRS"
        );
        assert_eq!(maildir_name(-5, 9, FLAG_SEEN), "0.9.satu:2,S");
    }

    #[test]
    fn names_become_safe_file_names() {
        assert_eq!(safe_name("INBOX"), "INBOX");
        assert_eq!(safe_name("Archive/2024"), "Archive_2024");
        assert_eq!(safe_name("..hidden"), "hidden");
        assert_eq!(safe_name("a:b*c?"), "a_b_c_");
        assert_eq!(safe_name("  "), "_");
        assert_eq!(safe_name("Données"), "Données");
    }
}
