//! The I/O of an IMAP folder sync: gathers what [`imap_plan`](super::imap_plan) needs, then
//! applies its actions, each in its own transaction(s), the cursor last.
//!
//! New messages are fetched as a pipeline of three stages: the next `UID FETCH` is read from the
//! server while the previous batch is parsed on a blocking thread and the one before is written on
//! another, at most [`FETCH_AHEAD`] batches in flight, transactions in order. That takes 26 % less
//! wall time than fetch → parse → store in turn (`tests/bench/RESULTS.md`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use satu_mail::imap::{FetchedMessage, ImapSession, MessageFlags};
use satu_mail::parse_message;
use satu_store::{Folder, Inserted, NewMail, Store};

use super::imap_plan::{
    by_bytes, copies, delta_is_consistent, plan, queries, windows, Action, Answers, Copies,
    FlagQuery, LocalFolder, ServerFolder, UidQuery, FETCH_BATCH, FETCH_BYTES,
};
use crate::dto::Progress;
use crate::import::new_mail;

/// Flag changes applied per transaction.
const FLAG_BATCH: usize = 500;
/// The most UIDs an audit entry of messages gone from a folder lists (it always counts them
/// all).
const AUDIT_UIDS: usize = 1_000;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What one folder pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FolderOutcome {
    pub total: u64,
    pub fetched: u64,
    pub updated: u64,
    pub removed: u64,
    /// New UIDs recognised as copies of stored messages (not downloaded).
    pub linked: u64,
    /// Items this pass added to the timeline (the first [`ADDED_KEPT`]; new mail to tell of).
    pub added: Vec<i64>,
    /// New mail's arrival at the server (INTERNALDATE) and its commit here, Unix ms (the first
    /// [`ADDED_KEPT`]; sync health's delivery delay).
    pub arrivals: Vec<(i64, i64)>,
}

/// How many new item ids a folder pass keeps (an initial sync adds many more, and nobody is
/// told about those).
pub(crate) const ADDED_KEPT: usize = 100;

/// Brings one folder up to date with the server.
#[tracing::instrument(skip_all, fields(folder = %folder.name))]
pub(crate) async fn sync_folder(
    store: &Arc<Store>,
    session: &mut ImapSession,
    account_id: i64,
    folder: &Folder,
    report_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<FolderOutcome> {
    let gmail = session.has("X-GM-EXT-1");
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
    let mut actions = actions.into_iter().peekable();
    while let Some(action) = actions.next() {
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
                let removed = store.write(|tx| {
                    let removed = tx.forget_imap_uids(folder.id, &uids)?;
                    if removed > 0 {
                        // Moved or deleted on another device: the trail covers the mailbox.
                        crate::audit::record_from_server(
                            tx,
                            "mail.removed",
                            folder.account_id,
                            None,
                            serde_json::json!({
                                "folder": folder.name,
                                "messages": removed,
                                "uids": uids.iter().take(AUDIT_UIDS).collect::<Vec<_>>(),
                            }),
                        )?;
                    }
                    Ok(removed)
                })?;
                outcome.removed += removed as u64;
            }
            Action::UpdateFlags(changes) => {
                for chunk in changes.chunks(FLAG_BATCH) {
                    let updated = store.write(|tx| {
                        let mut changed = Vec::new();
                        for (uid, flags) in chunk {
                            if tx.set_imap_flags(folder.id, *uid, flags.bits())? {
                                changed
                                    .push(serde_json::json!({ "uid": uid, "flags": flags.bits() }));
                            }
                        }
                        if !changed.is_empty() {
                            crate::audit::record_from_server(
                                tx,
                                "mail.flags",
                                folder.account_id,
                                None,
                                serde_json::json!({ "folder": folder.name, "changed": changed }),
                            )?;
                        }
                        Ok(changed.len() as u64)
                    })?;
                    outcome.updated += updated;
                }
            }
            Action::FetchNew(uids) => {
                // Consecutive batches are one list, newest first (the plan emits them together).
                let mut wanted = uids;
                while let Some(Action::FetchNew(_)) = actions.peek() {
                    if let Some(Action::FetchNew(next)) = actions.next() {
                        wanted.extend(next);
                    }
                }
                let target = Target {
                    account_id,
                    folder_id: folder.id,
                    folder_name: &folder.name,
                    uidvalidity: server.uidvalidity,
                    gmail,
                    keep_from: folder.keep_days.map(|days| {
                        chrono::Utc::now().timestamp_millis() - i64::from(days) * DAY_MS
                    }),
                };
                for window in windows(&wanted) {
                    let (fetched, linked, added) = fetch_window(
                        store,
                        session,
                        &target,
                        window,
                        &mut progress,
                        report_progress,
                    )
                    .await?;
                    outcome.fetched += fetched;
                    outcome.linked += linked;
                    let room = ADDED_KEPT.saturating_sub(outcome.added.len());
                    outcome.added.extend(added.items.into_iter().take(room));
                    let room = ADDED_KEPT.saturating_sub(outcome.arrivals.len());
                    outcome
                        .arrivals
                        .extend(added.arrivals.into_iter().take(room));
                }
            }
            Action::SaveCursor(cursor) => {
                store.write(|tx| tx.set_imap_cursor(folder.id, cursor))?;
            }
        }
    }
    // Selective offline: bodies that aged out of the folder's window go (their headers stay).
    if folder.keep_days.is_some() {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let dropped = store.write(|tx| tx.drop_remote_bodies(folder.id, now_ms))?;
        if dropped > 0 {
            tracing::info!(dropped, "Bodies older than the folder keeps were dropped.");
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

/// Looks at a window of new UIDs header-only, records the copies of messages already stored
/// (without downloading them) and downloads the rest. Returns (stored, linked, new items).
async fn fetch_window(
    store: &Arc<Store>,
    session: &mut ImapSession,
    target: &Target<'_>,
    window: &[u32],
    progress: &mut Progress,
    report_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(u64, u64, Added)> {
    let envelopes = session.fetch_envelopes(window, target.gmail).await?;
    let names: Vec<(Option<&str>, Option<u64>)> = envelopes
        .iter()
        .map(|e| (e.message_id.as_deref(), e.gm_msgid))
        .collect();
    let stored = store.stored_copies(target.account_id, &names)?;
    let Copies {
        link,
        mut fetch,
        headers,
    } = copies(window, &envelopes, &stored, target.keep_from);
    let mut linked = 0u64;
    for chunk in link.chunks(FLAG_BATCH) {
        let gone = store.write(|tx| {
            let mut gone = Vec::new();
            for &(uid, item, flags) in chunk {
                let place = (target.folder_id, uid, target.uidvalidity);
                if !tx.link_imap_copy(item, place, flags.bits())? {
                    gone.push(uid);
                }
            }
            Ok(gone)
        })?;
        linked += (chunk.len() - gone.len()) as u64;
        // Deleted here meanwhile: download it after all.
        fetch.extend(gone);
    }
    if linked > 0 {
        tracing::debug!(
            linked,
            "Copies of stored messages recorded without downloading them."
        );
        progress.done += linked;
        report_progress(progress.clone());
    }
    // Bounded by bytes as well as by count.
    let sizes: BTreeMap<u32, u32> = envelopes
        .iter()
        .filter_map(|e| e.size.map(|size| (e.uid, size)))
        .collect();
    let batches: Vec<Vec<u32>> = fetch.chunks(FETCH_BATCH).map(<[u32]>::to_vec).collect();
    let batches = by_bytes(batches, &sizes, FETCH_BYTES);
    let (mut fetched, mut added) = fetch_and_store(
        store,
        session,
        target,
        batches,
        false,
        progress,
        report_progress,
    )
    .await?;
    if !headers.is_empty() {
        // Older than the folder keeps bodies for: the header alone, the body on open.
        let batches: Vec<Vec<u32>> = headers.chunks(FETCH_BATCH).map(<[u32]>::to_vec).collect();
        let (more, new) = fetch_and_store(
            store,
            session,
            target,
            batches,
            true,
            progress,
            report_progress,
        )
        .await?;
        fetched += more;
        added.take(new);
    }
    Ok((fetched, linked, added))
}

/// Batches fetched ahead of the one being parsed: bounds memory (a batch is at most
/// `FETCH_BATCH` messages and `FETCH_BYTES` bytes, or one larger message) while the server keeps
/// sending.
const FETCH_AHEAD: usize = 2;

/// Where fetched messages go.
struct Target<'a> {
    account_id: i64,
    folder_id: i64,
    folder_name: &'a str,
    uidvalidity: u32,
    /// The server offers `X-GM-EXT-1`: ask for Gmail's message ids.
    gmail: bool,
    /// Bodies are kept for mail received from then on (Unix ms; `None`: all).
    keep_from: Option<i64>,
}

/// A stored batch: (messages asked for, messages stored, new items, time spent storing, new
/// mail's (INTERNALDATE, commit time) in Unix ms).
type Stored = (usize, u64, Vec<i64>, Duration, Vec<(i64, i64)>);

/// Fetches `batches` of UIDs and stores them, as a pipeline of three stages that overlap: the
/// next `UID FETCH` is read from the server while the previous batch is parsed (a blocking
/// thread) and the one before is written (another blocking thread, one transaction per batch).
/// Batches are stored and reported in order. On any error the stages stop and the error is
/// returned; batches committed by then stay (the cursor is saved only after the whole plan, so
/// the next pass fetches what is missing). Returns how many messages were stored and the
/// first [`ADDED_KEPT`] new items.
async fn fetch_and_store(
    store: &Arc<Store>,
    session: &mut ImapSession,
    target: &Target<'_>,
    batches: Vec<Vec<u32>>,
    header_only: bool,
    progress: &mut Progress,
    report_progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<(u64, Added)> {
    let (sender, mut receiver) =
        tokio::sync::mpsc::channel::<(usize, Vec<FetchedMessage>, Duration)>(FETCH_AHEAD);
    let gmail = target.gmail;
    let fetch = async move {
        for uids in &batches {
            let started = Instant::now();
            let fetched = session.fetch_messages(uids, gmail, header_only).await?;
            if sender
                .send((uids.len(), fetched, started.elapsed()))
                .await
                .is_err()
            {
                break; // The storing side failed; its error is the one reported.
            }
        }
        anyhow::Ok(())
    };
    let (account_id, folder_id, uidvalidity) =
        (target.account_id, target.folder_id, target.uidvalidity);
    let store_all = async {
        let mut fetched_total = 0u64;
        let mut added_items = Added::default();
        let mut writing: Option<tokio::sync::oneshot::Receiver<Result<Stored>>> = None;
        while let Some((asked, fetched, fetch_time)) = receiver.recv().await {
            let parse_started = Instant::now();
            // Parsing is CPU work: off the async workers (the app shares them), below the
            // window's priority (thrift.rs).
            let mails = crate::thrift::background("parse", move || {
                parse_batch(fetched, (account_id, folder_id, uidvalidity), header_only)
            })?
            .await
            .context("Parsing fetched messages failed")?;
            let parse_time = parse_started.elapsed();
            if let Some(handle) = writing.take() {
                fetched_total +=
                    finish(handle, target, progress, report_progress, &mut added_items).await?;
            }
            tracing::debug!(
                messages = mails.len(),
                fetch_ms = fetch_time.as_millis() as u64,
                parse_ms = parse_time.as_millis() as u64,
                "Batch fetched and parsed."
            );
            let store = Arc::clone(store);
            writing = Some(crate::thrift::background("store", move || {
                let started = Instant::now();
                let (added, arrived) = store.write(|tx| {
                    let (mut added, mut arrived) = (Vec::new(), Vec::new());
                    for (mail, flags, internal) in &mails {
                        if let Inserted::Added(id) = tx.insert_imap_mail(mail, flags.bits())? {
                            added.push(id);
                            arrived.extend(*internal);
                        }
                    }
                    Ok((added, arrived))
                })?;
                let committed = chrono::Utc::now().timestamp_millis();
                let arrivals = arrived.into_iter().map(|t| (t, committed)).collect();
                Ok((
                    asked,
                    mails.len() as u64,
                    added,
                    started.elapsed(),
                    arrivals,
                ))
            })?);
        }
        if let Some(handle) = writing.take() {
            fetched_total +=
                finish(handle, target, progress, report_progress, &mut added_items).await?;
        }
        anyhow::Ok((fetched_total, added_items))
    };
    let (fetched, stored) = tokio::join!(fetch, store_all);
    // A lost connection says more than the storing side's "channel closed"; a store error
    // stops the fetching side without an error of its own.
    fetched?;
    stored.with_context(|| format!("Cannot store messages of {}", target.folder_name))
}

/// New items of a pass and their arrivals, the first [`ADDED_KEPT`] of each.
#[derive(Debug, Default)]
struct Added {
    items: Vec<i64>,
    arrivals: Vec<(i64, i64)>,
}

impl Added {
    fn take(&mut self, more: Added) {
        let room = ADDED_KEPT.saturating_sub(self.items.len());
        self.items.extend(more.items.into_iter().take(room));
        let room = ADDED_KEPT.saturating_sub(self.arrivals.len());
        self.arrivals.extend(more.arrivals.into_iter().take(room));
    }
}

/// Waits for a batch's transaction and reports it; keeps its new items (up to [`ADDED_KEPT`]).
async fn finish(
    handle: tokio::sync::oneshot::Receiver<Result<Stored>>,
    target: &Target<'_>,
    progress: &mut Progress,
    report_progress: &(dyn Fn(Progress) + Send + Sync),
    added_items: &mut Added,
) -> Result<u64> {
    let (asked, stored, items, store_time, arrivals) =
        handle.await.context("Storing a batch failed")??;
    let new_items = items.len();
    added_items.take(Added { items, arrivals });
    progress.done += asked as u64;
    tracing::info!(
        account = progress.account,
        folder = %target.folder_name,
        done = progress.done,
        total = progress.total,
        new_items,
        store_ms = store_time.as_millis() as u64,
        "Fetched a batch."
    );
    report_progress(progress.clone());
    Ok(stored)
}

/// Parses a fetched batch into what the store takes, in order, on every core the machine has
/// (each message is parsed on its own; the writer stays one thread).
fn parse_batch(
    fetched: Vec<FetchedMessage>,
    place: (i64, i64, u32),
    header_only: bool,
) -> Vec<(NewMail, MessageFlags, Option<i64>)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || fetched.len() < 2 * cores {
        return parse_part(fetched, place, header_only);
    }
    let per_part = fetched.len().div_ceil(cores);
    let mut parts: Vec<Vec<FetchedMessage>> = Vec::with_capacity(cores);
    let mut rest = fetched.into_iter();
    loop {
        let part: Vec<FetchedMessage> = rest.by_ref().take(per_part).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    crate::thrift::lower_priority();
                    parse_part(part, place, header_only)
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                // `parse_message` never fails; a panic in a parser thread is a bug to show.
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Parses messages in turn on this thread.
fn parse_part(
    fetched: Vec<FetchedMessage>,
    (account_id, folder_id, uidvalidity): (i64, i64, u32),
    header_only: bool,
) -> Vec<(NewMail, MessageFlags, Option<i64>)> {
    let fallback = chrono::Utc::now().timestamp_millis();
    fetched
        .into_iter()
        .map(|m| {
            let parsed = parse_message(&m.raw);
            let mut mail = new_mail(
                parsed,
                m.raw,
                account_id,
                Some((folder_id, m.uid, uidvalidity)),
                m.internal_date_ms.unwrap_or(fallback),
                m.flags.contains(MessageFlags::SEEN),
                m.flags.contains(MessageFlags::FLAGGED),
            );
            mail.gm_msgid = m.gm_msgid;
            if header_only {
                // Its body stays on the server: the whole message's size, not the header's.
                mail.remote_size = Some(m.size);
                mail.body_text = None;
                mail.body_html = None;
            }
            (mail, m.flags, m.internal_date_ms)
        })
        .collect()
}
