//! The I/O of an IMAP folder sync: gathers what [`imap_plan`](super::imap_plan) needs, then
//! applies its actions, each in its own transaction(s), the cursor last.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use satu_mail::imap::{ImapSession, MessageFlags};
use satu_mail::parse_message;
use satu_store::{Folder, Inserted, Store};

use super::imap_plan::{
    delta_is_consistent, plan, queries, Action, Answers, FlagQuery, LocalFolder, ServerFolder,
    UidQuery, FETCH_BATCH,
};
use crate::dto::Progress;
use crate::import::new_mail;

/// Flag changes applied per transaction.
const FLAG_BATCH: usize = 500;

/// What one folder pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FolderOutcome {
    pub total: u64,
    pub fetched: u64,
    pub updated: u64,
    pub removed: u64,
}

/// Brings one folder up to date with the server.
#[tracing::instrument(skip_all, fields(folder = %folder.name))]
pub(crate) async fn sync_folder(
    store: &Store,
    session: &mut ImapSession,
    account_id: i64,
    folder: &Folder,
    report_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<FolderOutcome> {
    let cursor = store.imap_cursor(folder.id)?;
    let known = cursor.map(|c| (c.uidvalidity, c.highest_modseq));
    let selected = session.select_folder(&folder.name, known).await?;
    let server = ServerFolder {
        uidvalidity: selected.uidvalidity,
        uid_next: selected.uid_next,
        highest_modseq: selected.highest_modseq,
        exists: selected.exists,
    };
    let stored = store.imap_messages(folder.id)?;
    let mut local = LocalFolder {
        cursor,
        messages: BTreeMap::new(),
        stale: 0,
    };
    for message in stored {
        if message.uid == 0 {
            // A local move's placeholder: the fetch of its new UID fills it in.
            continue;
        }
        if message.uidvalidity == server.uidvalidity {
            local
                .messages
                .insert(message.uid, MessageFlags::from_bits(message.flags));
        } else {
            local.stale += 1;
        }
    }

    let asked = queries(&local, &server, selected.qresync);
    tracing::debug!(?asked, "Asking the server.");
    let mut answers = Answers {
        vanished: selected.vanished,
        flags: selected.changed,
        ..Answers::default()
    };
    match asked.uids {
        UidQuery::None => {}
        UidQuery::All => answers.all_uids = Some(session.search_uids(None).await?),
        UidQuery::Since(from) => answers.new_uids = session.search_uids(Some(from)).await?,
    }
    if server.exists > 0 {
        match asked.flags {
            FlagQuery::None => {}
            FlagQuery::All => answers.flags.extend(session.fetch_flags(None).await?),
            FlagQuery::ChangedSince(modseq) => answers
                .flags
                .extend(session.fetch_flags(Some(modseq)).await?),
        }
    }
    if !delta_is_consistent(&local, &server, &answers) {
        tracing::info!("The incremental answer does not add up; listing every UID.");
        answers.all_uids = Some(session.search_uids(None).await?);
    }

    let actions = plan(&local, &server, &answers, FETCH_BATCH);
    let to_fetch: usize = actions
        .iter()
        .map(|a| match a {
            Action::FetchNew(uids) => uids.len(),
            _ => 0,
        })
        .sum();
    let mut outcome = FolderOutcome {
        total: u64::from(server.exists),
        ..FolderOutcome::default()
    };
    let mut progress = Progress {
        account: account_id,
        folder: folder.name.clone(),
        done: 0,
        total: to_fetch as u64,
    };
    for action in actions {
        match action {
            Action::ResetFolder { uidvalidity } => {
                let dropped = store.write(|tx| tx.forget_stale_uids(folder.id, uidvalidity))?;
                tracing::info!(
                    uidvalidity,
                    dropped,
                    "UIDVALIDITY changed: refetching the folder."
                );
            }
            Action::Forget(uids) => {
                let removed = store.write(|tx| tx.forget_imap_uids(folder.id, &uids))?;
                outcome.removed += removed as u64;
            }
            Action::UpdateFlags(changes) => {
                for chunk in changes.chunks(FLAG_BATCH) {
                    let updated = store.write(|tx| {
                        let mut updated = 0;
                        for (uid, flags) in chunk {
                            if tx.set_imap_flags(folder.id, *uid, flags.bits())? {
                                updated += 1;
                            }
                        }
                        Ok(updated)
                    })?;
                    outcome.updated += updated;
                }
            }
            Action::FetchNew(uids) => {
                let fetched = session.fetch_messages(&uids).await?;
                let fallback = chrono::Utc::now().timestamp_millis();
                let (folder_id, uidvalidity) = (folder.id, server.uidvalidity);
                // Parsing is CPU work: keep it off the async workers (the app shares them).
                let mails: Vec<_> = tokio::task::spawn_blocking(move || {
                    fetched
                        .into_iter()
                        .map(|m| {
                            let parsed = parse_message(&m.raw);
                            let mail = new_mail(
                                parsed,
                                m.raw,
                                account_id,
                                Some((folder_id, m.uid, uidvalidity)),
                                m.internal_date_ms.unwrap_or(fallback),
                                m.flags.contains(MessageFlags::SEEN),
                                m.flags.contains(MessageFlags::FLAGGED),
                            );
                            (mail, m.flags)
                        })
                        .collect()
                })
                .await
                .context("Parsing fetched messages failed")?;
                let added = store
                    .write(|tx| {
                        let mut added = 0u64;
                        for (mail, flags) in &mails {
                            if let Inserted::Added(_) = tx.insert_imap_mail(mail, flags.bits())? {
                                added += 1;
                            }
                        }
                        Ok(added)
                    })
                    .with_context(|| format!("Cannot store messages of {}", folder.name))?;
                outcome.fetched += mails.len() as u64;
                progress.done += uids.len() as u64;
                tracing::info!(
                    account = progress.account,
                    folder = %progress.folder,
                    done = progress.done,
                    total = progress.total,
                    new_items = added,
                    "Fetched a batch."
                );
                report_progress(progress.clone());
            }
            Action::SaveCursor(cursor) => {
                store.write(|tx| tx.set_imap_cursor(folder.id, cursor))?;
            }
        }
    }
    tracing::info!(
        total = outcome.total,
        fetched = outcome.fetched,
        updated = outcome.updated,
        removed = outcome.removed,
        "Folder synced."
    );
    Ok(outcome)
}
