//! CalDAV: tasks (VTODO, [`tasks`]) and events (VEVENT, [`events`]) kept in sync with the
//! calendars and task lists of CalDAV accounts. One pass over an account refreshes its list of
//! calendars, pulls each collection (RFC 6578 sync-collection from the stored token; a full
//! listing when the server forgot it; the ctag and an etag listing on servers without
//! sync-collection), then pushes local changes (`If-Match`, or `If-None-Match: *` for new
//! ones) and local deletions. What to do with a resource changed on both sides is a pure
//! three-way merge against the version both last agreed on; when it cannot merge, nothing is
//! overwritten: the item shows the conflict and the user chooses.
//!
//! A pass, step by step ([`sync_account`]):
//!
//! - The account's calendar list is refreshed from its home (calendars made or removed elsewhere).
//! - Each collection is pulled. Without a token, one sync-collection asks for every resource's
//!   data too, so that the token and the data come in one answer. Every answer is read as it
//!   arrives (`SyncStream`: never whole in memory), in parts of 200 and then of up to 1000, each
//!   part parsed and expanded on a blocking thread while the one before is written, each in one
//!   transaction, its items in timeline order (see the store's `items.rs`). A server that
//!   refuses that answer or cannot start it in time is asked for the etags only. Hrefs whose
//!   data did not come are fetched with multigets of 200, two in flight while the answers before
//!   are parsed and stored, each answer in one transaction. What waits in `dav_deletions` is not
//!   brought back. The token (or ctag) is saved after the data.
//! - Local deletions go first (a name freed can be reused), then tasks and events whose
//!   `revision` is ahead of `synced_revision`.
//!
//! Passes run from `satu sync` and from the live CalDAV loop (`live/caldav.rs`): every 30 s, at
//! once after a local change or the window's focus (`caldav_wake`), and 5 s, 10 s, … after a pass
//! that failed, so what was changed offline goes up soon after the server is back. Adding an
//! account is [`account`]; ICS files are [`exchange`], invitations by mail [`invite`].

pub(crate) mod account;
pub(crate) mod events;
pub(crate) mod exchange;
pub(crate) mod ics;
pub(crate) mod invite;
pub(crate) mod tasks;
pub(crate) mod vtimezone;

use anyhow::{Context as _, Result};
use satu_caldav::{CaldavConfig, CaldavError, Client};
use satu_store::{Account, CalendarRow, Store};

use crate::context::Context;
use crate::dto::TaskSyncCounts;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PassReport {
    pub tasks: TaskSyncCounts,
    pub events: TaskSyncCounts,
}

pub(crate) fn client(ctx: &Context, account: &Account) -> Result<Client> {
    Ok(Client::new(&CaldavConfig {
        url: account.url.clone(),
        username: account.username.clone(),
        auth: crate::oauth::auth(ctx, account)?,
        ca_file: account.ca_file.as_ref().map(Into::into),
    })?)
}

/// A file name for a new resource: its UID, made safe for a URL path.
pub(crate) fn resource_name(uid: &str) -> String {
    let safe: String = uid
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.ics")
}

/// The etag of what was just written at `href`: the PUT's answer, else read back.
pub(crate) async fn written_etag(
    client: &Client,
    collection: &str,
    href: &str,
    answered: Option<String>,
) -> Result<String> {
    if let Some(etag) = answered {
        return Ok(etag);
    }
    Ok(client
        .multiget(collection, &[href.to_owned()])
        .await?
        .into_iter()
        .next()
        .map(|(_, etag, _)| etag)
        .unwrap_or_default())
}

/// The store's rows for the calendars a server listed.
pub(crate) fn new_calendars(listed: Vec<satu_caldav::Calendar>) -> Vec<satu_store::NewCalendar> {
    listed
        .into_iter()
        .map(|c| satu_store::NewCalendar {
            href: c.href,
            name: c.name,
            color: c.color,
            components: c.components,
        })
        .collect()
}

/// Resources asked for in one multiget.
const MULTIGET_CHUNK: usize = 200;
/// The most resources of a sync-collection answer stored in one transaction, and the parts it
/// is read in as it arrives: few enough per transaction that a pass cut short keeps most of
/// what it got and that what is held at once stays small (an answer of 100 000 events is never
/// whole in memory), many enough that the full-text index is not flushed and merged after every
/// few events (200 per transaction made 10 000 events take 0.4 s longer).
const STORE_CHUNK: usize = 1000;
/// Multigets in flight while earlier answers are stored.
const MULTIGET_AHEAD: usize = 2;

/// Requests in flight, stopped when the pass that asked for them ends early (an error, the
/// live loop stopping).
struct InFlight<T>(std::collections::VecDeque<tokio::task::JoinHandle<T>>);

impl<T> Drop for InFlight<T> {
    fn drop(&mut self) {
        for handle in &self.0 {
            handle.abort();
        }
    }
}

/// Servers without a working sync-collection are synced by ctag and etag listing; tests force
/// that path with `SATU_CALDAV_NO_SYNC_COLLECTION=1` against servers that have it.
fn sync_collection_disabled() -> bool {
    std::env::var_os("SATU_CALDAV_NO_SYNC_COLLECTION").is_some_and(|v| v == "1")
}

/// One pass over a CalDAV account: calendars, pull, push.
#[tracing::instrument(skip_all, fields(account_id = account.id, source = "caldav"))]
pub(crate) async fn sync_account(ctx: &Context, account: &Account) -> Result<PassReport> {
    let pass = pass_over(ctx, account).await;
    let outcome = pass
        .as_ref()
        .map(drop)
        .map_err(crate::error::ApiError::from);
    crate::health::record_pass(ctx.store(), account.id, outcome.as_ref().copied());
    pass
}

async fn pass_over(ctx: &Context, account: &Account) -> Result<PassReport> {
    let store = ctx.store();
    let since = match ctx.live_since.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        since => Some(since),
    };
    let client = client(ctx, account)?;
    let mut report = PassReport::default();
    if !account.home.is_empty() {
        // Calendars made or removed by other clients.
        let listed = client
            .calendars(&account.home)
            .await
            .context("Cannot list the calendars")?;
        let rows = new_calendars(listed);
        store.write(|tx| tx.replace_calendars(account.id, &rows))?;
    }
    let calendars = store.calendars(Some(account.id))?;
    for calendar in &calendars {
        pull(store, &client, account, calendar, &mut report, since)
            .await
            .with_context(|| format!("Cannot sync the calendar {}", calendar.name))?;
    }
    // Deletions first: a resource made again under the same name after one is a new one.
    push_deletions(store, &client, &calendars, &mut report.events).await?;
    tasks::push_all(store, &client, account, &calendars, &mut report.tasks).await?;
    events::push_all(store, &client, &calendars, &mut report.events).await?;
    if report != PassReport::default() {
        tracing::info!(?report, "CalDAV synced.");
    }
    Ok(report)
}

/// Where a collection's sync stands after a pass.
enum Cursor {
    /// RFC 6578: the token comes at the end of the answer ([`Cursor::Token`] once read).
    SyncToken,
    /// RFC 6578, the answer read whole: its token.
    Token(String),
    /// No sync-collection: the ctag ('-' when the server has none either).
    Ctag(String),
}

/// What changed in a collection since the last pass, by the best means the server has: a
/// sync-collection answer read as it arrives, or an etag listing compared with the store's.
async fn changes(
    client: &Client,
    store: &Store,
    calendar: &CalendarRow,
) -> Result<(satu_caldav::SyncStream, Cursor)> {
    // A server that could not do sync-collection before is not asked again.
    let by_ctag =
        sync_collection_disabled() || (calendar.sync_token.is_empty() && !calendar.ctag.is_empty());
    if !by_ctag {
        let answer = match calendar.sync_token.as_str() {
            "" => everything_since_nothing(client, &calendar.href).await,
            token => {
                client
                    .sync_collection(
                        &calendar.href,
                        Some(token),
                        false,
                        (MULTIGET_CHUNK, STORE_CHUNK),
                    )
                    .await
            }
        };
        let answer = match answer {
            Err(CaldavError::SyncTokenInvalid { .. }) => {
                everything_since_nothing(client, &calendar.href).await
            }
            other => other,
        };
        match answer {
            Ok(stream) => return Ok((stream, Cursor::SyncToken)),
            Err(CaldavError::Server { status, .. })
                if matches!(status, 400 | 403 | 405 | 415 | 501) =>
            {
                tracing::info!(calendar = %calendar.href, status, "No sync-collection here: syncing by ctag and etags.");
            }
            Err(CaldavError::BadResponse { reason, .. }) => {
                tracing::info!(calendar = %calendar.href, %reason, "sync-collection unusable: syncing by ctag and etags.");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (ctag, listing) = client.listing(&calendar.href).await?;
    if !ctag.is_empty() && ctag == calendar.ctag {
        let none = satu_caldav::SyncStream::whole(satu_caldav::SyncChanges::default());
        return Ok((none, Cursor::Ctag(ctag)));
    }
    let local = store.calendar_etags(calendar.id)?;
    let changes = satu_caldav::diff_listing(&local, &listing);
    // Without a ctag every pass lists the etags; '-' still marks the path taken.
    let ctag = if ctag.is_empty() {
        "-".to_owned()
    } else {
        ctag
    };
    Ok((satu_caldav::SyncStream::whole(changes), Cursor::Ctag(ctag)))
}

/// The initial sync-collection (no token): asked with every resource's data, so that the
/// token and the data come in one answer (a listing and then multigets cost a server such as
/// Radicale about twice as much). A server that refuses that (Radicale refuses a REPORT with
/// more than 10 000 VEVENTs in its data, `[reporting] max_expand_occurrence`) or cannot start
/// answering in time is asked again for the token and etags only; the data then comes in
/// multigets. Either answer is read as it arrives, in parts: the first of [`MULTIGET_CHUNK`]
/// (stored soon), then of [`STORE_CHUNK`].
async fn everything_since_nothing(
    client: &Client,
    href: &str,
) -> Result<satu_caldav::SyncStream, CaldavError> {
    match client
        .sync_collection(href, None, true, (MULTIGET_CHUNK, STORE_CHUNK))
        .await
    {
        Err(CaldavError::Server { status, .. }) if (400..600).contains(&status) => {
            tracing::info!(calendar = %href, status, "A sync-collection with the data refused: asking for the etags.");
        }
        Err(e @ (CaldavError::Unreachable { .. } | CaldavError::BadResponse { .. })) => {
            tracing::info!(calendar = %href, error = %e, "A sync-collection with the data failed: asking for the etags.");
        }
        other => return other,
    }
    client
        .sync_collection(href, None, false, (MULTIGET_CHUNK, STORE_CHUNK))
        .await
}

/// When each resource of a pull that was changed elsewhere was changed (its LAST-MODIFIED or
/// DTSTAMP): Satu's own writes come back with the etag it stored and are not a delay.
fn changed_elsewhere(
    store: &Store,
    calendar_id: i64,
    resources: &[(String, String, String)],
) -> Result<Vec<i64>> {
    let mut changed = Vec::new();
    for (href, etag, text) in resources {
        if store.etag_at(calendar_id, href)?.as_deref() == Some(etag.as_str()) {
            continue;
        }
        changed.extend(ics::changed_ms(text));
    }
    Ok(changed)
}

async fn pull(
    store: &Store,
    client: &Client,
    account: &Account,
    calendar: &CalendarRow,
    report: &mut PassReport,
    live_since: Option<i64>,
) -> Result<()> {
    // Sync health: when what a later pass brings was changed on the server (its LAST-MODIFIED
    // or DTSTAMP), for changes made while the live sync ran (not the first sync's whole
    // calendar).
    let first = calendar.sync_token.is_empty() && calendar.ctag.is_empty();
    let since = live_since.filter(|_| !first);
    let mut changed_at: Vec<i64> = Vec::new();
    let (mut stream, cursor) = changes(client, store, calendar).await?;
    // What waits to be deleted there is not brought back here (if it changed there since, the
    // DELETE's If-Match fails and the next pull brings that version).
    let deleting: std::collections::HashSet<String> = store
        .dav_deletions(calendar.id)?
        .into_iter()
        .map(|(_, href, _, _)| href)
        .collect();
    // The answer's parts as they arrive: what came with its data is read on a blocking thread
    // while the part before is stored (each part in one transaction, see STORE_CHUNK); what
    // came without (hrefs and etags, small) and what went are kept for after.
    let mut hrefs = Vec::new();
    let mut removed = Vec::new();
    let mut reading: Option<tokio::sync::oneshot::Receiver<Vec<Read>>> = None;
    while let Some(part) = stream.next().await? {
        hrefs.extend(
            part.changed
                .into_iter()
                .map(|(h, _)| h)
                .filter(|h| !deleting.contains(h)),
        );
        removed.extend(part.removed);
        let mut fetched = part.fetched;
        fetched.retain(|(h, _, _)| !deleting.contains(h));
        if since.is_some() {
            changed_at.extend(changed_elsewhere(store, calendar.id, &fetched)?);
        }
        if fetched.is_empty() {
            continue;
        }
        if let Some(before) = reading.replace(read_in_background(fetched)?) {
            let read = before
                .await
                .context("Reading the calendar's data stopped")?;
            store_answer(store, account, calendar, read, report).await?;
        }
    }
    if let Some(last) = reading {
        let read = last.await.context("Reading the calendar's data stopped")?;
        store_answer(store, account, calendar, read, report).await?;
    }
    let cursor = match cursor {
        Cursor::SyncToken => Cursor::Token(stream.token().unwrap_or_default().to_owned()),
        other => other,
    };
    drop(stream);
    // Multigets of MULTIGET_CHUNK resources, up to MULTIGET_AHEAD in flight while the answers
    // before are parsed and stored: the server's work and Satu's overlap.
    let mut pending = InFlight(std::collections::VecDeque::new());
    let mut chunks = hrefs.chunks(MULTIGET_CHUNK);
    loop {
        while pending.0.len() < MULTIGET_AHEAD {
            let Some(chunk) = chunks.next() else { break };
            let (client, collection, chunk) =
                (client.clone(), calendar.href.clone(), chunk.to_vec());
            pending.0.push_back(tokio::spawn(async move {
                client.multiget(&collection, &chunk).await
            }));
        }
        let Some(next) = pending.0.pop_front() else {
            break;
        };
        let resources = match next.await {
            Ok(answer) => answer?,
            Err(e) => anyhow::bail!("A multiget stopped: {e}"),
        };
        if since.is_some() {
            changed_at.extend(changed_elsewhere(store, calendar.id, &resources)?);
        }
        store_answer(store, account, calendar, read_answer(resources), report).await?;
    }
    for href in &removed {
        if let Some(task) = store.task_at(calendar.id, href)? {
            if task.revision == task.synced_revision {
                store.write(|tx| tx.remove_task(task.item_id))?;
                report.tasks.removed += 1;
            } else {
                store.write(|tx| {
                    tx.set_task_sync_error(
                        task.item_id,
                        "Deleted on the server but changed here: keep it (satu task resolve ID --keep here) or let it go (--keep server)",
                    )
                })?;
                report.tasks.conflicts += 1;
            }
        } else if let Some(event) = store.event_at(calendar.id, href)? {
            events::removed_on_server(store, &event, &mut report.events)?;
        }
    }
    if let Some(since) = since {
        let now = chrono::Utc::now().timestamp_millis();
        let arrivals: Vec<(i64, i64)> = changed_at.into_iter().map(|t| (t, now)).collect();
        let delays = crate::health::delivery_delays(&arrivals, since, 0);
        crate::health::record_timings(store, account.id, "calendar_delay", &delays);
    }
    store.write(|tx| {
        // Sync health: when each calendar last synced without an error.
        tx.set_calendar_synced(calendar.id)?;
        match &cursor {
            Cursor::Token(token) => tx.set_calendar_sync_token(calendar.id, token),
            Cursor::SyncToken => Ok(()),
            Cursor::Ctag(ctag) => {
                tx.set_calendar_sync_token(calendar.id, "")?;
                tx.set_calendar_ctag(calendar.id, ctag)
            }
        }
    })?;
    Ok(())
}

/// One resource of an answer, read: what it holds, parsed and expanded. Reading needs no
/// store, so the parts of a sync-collection answer are read on a blocking thread while the
/// part before is stored ([`read_in_background`]).
enum Read {
    Task {
        href: String,
        etag: String,
        remote: satu_store::RemoteTask,
    },
    Event {
        href: String,
        etag: String,
        text: String,
        event: Box<ics::EventObject>,
        record: satu_store::EventRecord,
    },
}

/// Reads an answer's resources (href, etag, iCalendar text); what is neither a VTODO nor a
/// VEVENT is left out.
fn read_answer(resources: Vec<(String, String, String)>) -> Vec<Read> {
    let mut read = Vec::with_capacity(resources.len());
    for (href, etag, text) in resources {
        let todo = if text.contains("VTODO") {
            tasks::from_vtodo(&text)
        } else {
            None
        };
        if let Some(remote) = todo {
            read.push(Read::Task { href, etag, remote });
        } else if let Some(event) = ics::read_event(&text) {
            let record = events::record(&event);
            read.push(Read::Event {
                href,
                etag,
                text,
                event: Box::new(event),
                record,
            });
        } else {
            tracing::debug!(%href, "Neither a VTODO nor a VEVENT: left alone.");
        }
    }
    read
}

/// [`read_answer`] on a thread below the window's priority (thrift.rs).
fn read_in_background(
    resources: Vec<(String, String, String)>,
) -> Result<tokio::sync::oneshot::Receiver<Vec<Read>>> {
    crate::thrift::background("calendar", move || read_answer(resources))
}

/// Stores one read answer: tasks one by one, events in one transaction.
async fn store_answer(
    store: &Store,
    account: &Account,
    calendar: &CalendarRow,
    read: Vec<Read>,
    report: &mut PassReport,
) -> Result<()> {
    let mut answer = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Read::Task { href, etag, remote } => tasks::take_remote(
                store,
                account,
                calendar,
                &href,
                &etag,
                &remote,
                &mut report.tasks,
            )?,
            Read::Event {
                href,
                etag,
                text,
                event,
                record,
            } => answer.push((href, etag, text, event, record)),
        }
    }
    // In timeline order: an item's full-text row is keyed by its place in the timeline (its
    // start, for an event), and FTS5 writes out what it holds whenever a row comes before the
    // one it took last; in answer order that was nearly every event (half the time of storing
    // them).
    answer.sort_by_key(|(_, _, _, _, record)| record.start_ms);
    store.write(|tx| {
        for (href, etag, text, event, record) in &answer {
            events::take_remote(
                tx,
                account.id,
                calendar.id,
                href,
                etag,
                text,
                event,
                record,
                &mut report.events,
            )?;
        }
        Ok(())
    })?;
    // Freeing a thousand parsed events is a few ms the next part need not wait for.
    drop(tokio::task::spawn_blocking(move || drop(answer)));
    if crate::fault::armed("caldav-pause-after-answer") {
        // Crash tests: one answer stored, the others not yet; the test kills the process here.
        tracing::error!("SATU_FAULT=caldav-pause-after-answer: pausing after a stored answer.");
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
    Ok(())
}

/// Deletes on the server what was deleted here (`If-Match`: a resource changed there since
/// comes back on the next pull instead).
async fn push_deletions(
    store: &Store,
    client: &Client,
    calendars: &[CalendarRow],
    report: &mut TaskSyncCounts,
) -> Result<()> {
    for calendar in calendars {
        for (id, href, etag, title) in store.dav_deletions(calendar.id)? {
            match client.delete(&href, &etag).await {
                Ok(()) => report.pushed += 1,
                Err(CaldavError::Conflict { .. }) => {
                    tracing::warn!(%href, %title, "Deleted here but changed on the server since: it stays on the server and comes back here.");
                    // Forget what this calendar last saw, so the next pull brings it back.
                    store.write(|tx| {
                        tx.set_calendar_sync_token(calendar.id, "")?;
                        tx.set_calendar_ctag(calendar.id, "")
                    })?;
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("Cannot delete {title:?} on the server"))
                }
            }
            store.write(|tx| tx.deletion_done(id))?;
        }
    }
    Ok(())
}
