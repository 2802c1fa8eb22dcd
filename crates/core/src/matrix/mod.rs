//! Chat over Matrix: accounts, the `/sync` loop, sending, read markers and history.
//!
//! A pass is one `/sync` from the stored `since` (`source_cursors`, source `matrix`): when a
//! room's timeline says events were left out (`limited`), the gap is filled with `/messages`
//! back to the newest event already stored before anything is written; then [`plan`] turns the
//! answer into changes and they are applied with the new `since` in one transaction, so a pass
//! killed at any moment is simply redone. Messages written here are items at once, queued with
//! a transaction id chosen before the first attempt ([`flush`] sends them; the homeserver
//! answers a repeated id with the same event, so a resend after a crash never makes a second
//! one, and `/sync` bringing the event back first finds the queued item by that id). Read
//! markers move here first and are pushed after.
//!
//! - Gaps are paged back 100 events a page, up to 20 pages, to the newest stored event or to
//!   where the user joined; a room whose history the server refuses keeps its older history to
//!   page later (`satu chat history`); only network trouble fails the pass. A first sync keeps
//!   the newest 50 per room. Formatted bodies are sanitized like mail's HTML.
//! - [`flush`] sends queued messages, then read markers that moved here. Transient failures back
//!   off (5 s … 15 min) and are never given up on; refusals fail the message with the server's
//!   words (`satu chat retry`); a marker the server refuses is not tried again.
//! - `satu sync` ([`sync_account`]) syncs before it sends, so a message whose answer was lost is
//!   recognised by its transaction id first.
//! - A room's items share one conversation key, so the grouped timeline shows a room as one row
//!   and `thread` lists it. Reading a chat item reads its room up to it (see the store's
//!   `chat.rs` for how markers compare).
//!
//! The live loop of an account is `live/matrix.rs`; adding an account is [`account`]; what a
//! person does in a room (find, write, retry, join) is [`room`].

pub(crate) mod account;
pub(crate) mod content;
pub(crate) mod plan;
pub(crate) mod room;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::{Context as _, Result};
use satu_matrix::{Client, Event, MatrixConfig, MatrixError, SyncResponse};
use satu_store::{Account, NewChatMessage, Store};

use crate::context::Context;
use crate::secrets;
use plan::ChatChange;

/// `source_cursors.source` of the `since` token.
pub(crate) const SOURCE: &str = "matrix";
/// Timeline events per room in a `/sync` answer.
const TIMELINE_LIMIT: u32 = 50;
/// Events per `/messages` page.
const PAGE: u32 = 100;
/// Pages read to fill one gap (beyond them the rest stays for `satu chat history`).
const GAP_PAGES: usize = 20;

/// Held while queued chat changes are pushed.
static FLUSH: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PassReport {
    /// Rooms the answer spoke of.
    pub rooms: u64,
    /// Messages stored.
    pub messages: u64,
    /// Messages edited or redacted.
    pub updated: u64,
    /// Messages sent from the queue.
    pub sent: u64,
    /// Read markers pushed.
    pub read_markers: u64,
}

/// The account's client with its access token from the keyring.
pub(crate) fn client(ctx: &Context, account: &Account) -> Result<Client> {
    let token = secrets::password(&ctx.secret_key(account.id))?;
    Ok(Client::new(&MatrixConfig {
        homeserver: account.url.clone(),
        access_token: Some(token),
        ca_file: account.ca_file.as_ref().map(Into::into),
    })?)
}

/// A transaction id that no other message of this data directory uses.
pub(crate) fn new_txn_id() -> String {
    let now = crate::send::now_ms();
    format!("satu.{now:x}.{:016x}", fastrand::u64(..))
}

/// One `/sync` (waiting up to `wait` for news) applied to the store. Returns what it did and
/// the items it added.
pub(crate) async fn sync_once(
    store: &Store,
    account: &Account,
    client: &Client,
    wait: Duration,
) -> Result<(PassReport, Vec<i64>)> {
    let since = store.source_cursor(account.id, SOURCE, "")?;
    let filter = satu_matrix::sync_filter(TIMELINE_LIMIT);
    let sync = client
        .sync(since.as_deref(), wait, &filter)
        .await
        .with_context(|| format!("Cannot sync the Matrix account {}", account.name))?;
    let older = if since.is_some() {
        fill_gaps(store, account, client, &sync).await?
    } else {
        BTreeMap::new()
    };
    let changes = plan::plan_sync(&sync, &older, &account.username);
    let (mut report, added) = apply(store, account, &changes, Some(&sync.next_batch))?;
    report.rooms =
        (sync.rooms.join.len() + sync.rooms.invite.len() + sync.rooms.leave.len()) as u64;
    Ok((report, added))
}

/// For each room whose timeline left events out since the last sync: the events before it,
/// back to the newest one already stored (oldest first), and where history goes on from when
/// the pages ran out before reaching it.
async fn fill_gaps(
    store: &Store,
    account: &Account,
    client: &Client,
    sync: &SyncResponse,
) -> Result<BTreeMap<String, (Vec<Event>, Option<String>)>> {
    let mut older = BTreeMap::new();
    for (room_id, room) in &sync.rooms.join {
        let (true, Some(mut from)) = (room.timeline.limited, room.timeline.prev_batch.clone())
        else {
            continue;
        };
        let mut events: Vec<Event> = Vec::new();
        let mut members: Vec<Event> = Vec::new();
        let mut reached = false;
        let mut joined = false;
        for _ in 0..GAP_PAGES {
            let page = match client.messages_before(room_id, &from, PAGE).await {
                Ok(page) => page,
                Err(e) if e.is_transient() => {
                    return Err(anyhow::Error::from(e)
                        .context(format!("Cannot fill the gap in room {room_id}")));
                }
                Err(e) => {
                    // This room's history cannot be read now; the others go on, and what is
                    // left stays as its older history.
                    tracing::warn!(account_id = account.id, room = %room_id, error = %e, "Cannot fill a gap.");
                    break;
                }
            };
            members.extend(page.state);
            for event in page.chunk {
                let known = match &event.event_id {
                    Some(id) => store.chat_event_item(account.id, id)?.is_some(),
                    None => false,
                };
                if known {
                    reached = true;
                    break;
                }
                // Where the user joined (a room joined since the last sync): what came before
                // is older history, paged on demand.
                joined = event.kind == "m.room.member"
                    && event.state_key.as_deref() == Some(account.username.as_str())
                    && event
                        .content
                        .get("membership")
                        .and_then(serde_json::Value::as_str)
                        == Some("join");
                events.push(event);
                if joined {
                    break;
                }
            }
            if reached {
                break;
            }
            match page.end {
                Some(end) if end != from => from = end,
                _ => {
                    reached = true;
                    break;
                }
            }
            if joined {
                break;
            }
        }
        // The senders' member events too (they only name people).
        events.extend(members);
        events.reverse();
        tracing::info!(account_id = account.id, room = %room_id, events = events.len(), reached, "Filled a gap.");
        older.insert(room_id.clone(), (events, (!reached).then_some(from)));
    }
    Ok(older)
}

/// The row id of Matrix room `room_id`, from `rooms` or the store (made when new).
fn room_row(
    tx: &mut satu_store::Tx<'_>,
    rooms: &mut HashMap<String, i64>,
    account_id: i64,
    room_id: &str,
) -> Result<i64> {
    if let Some(room) = rooms.get(room_id) {
        return Ok(*room);
    }
    let room = tx.chat_room(account_id, room_id)?;
    rooms.insert(room_id.to_owned(), room);
    Ok(room)
}

/// Applies changes (and the new `since`, when given) in one transaction.
fn apply(
    store: &Store,
    account: &Account,
    changes: &[ChatChange],
    since: Option<&str>,
) -> Result<(PassReport, Vec<i64>)> {
    store.write(|tx| {
        let mut rooms: HashMap<String, i64> = HashMap::new();
        let mut report = PassReport::default();
        let mut added = Vec::new();
        let own = account.username.as_str();
        for change in changes {
            match change {
                ChatChange::Room { room_id, update } => {
                    let room = room_row(tx, &mut rooms, account.id, room_id)?;
                    tx.update_chat_room(room, update, own)?;
                }
                ChatChange::Member {
                    room_id,
                    user_id,
                    name,
                    membership,
                } => {
                    let room = room_row(tx, &mut rooms, account.id, room_id)?;
                    tx.set_chat_member(room, user_id, name, membership)?;
                }
                ChatChange::Message { room_id, message } => {
                    let room = room_row(tx, &mut rooms, account.id, room_id)?;
                    let new = NewChatMessage {
                        room,
                        event_id: message.event_id.clone(),
                        txn_id: message.txn_id.clone(),
                        sender: message.sender.clone(),
                        time_ms: message.time_ms,
                        msgtype: message.msgtype.clone(),
                        body: message.body.clone(),
                        html: message
                            .html
                            .as_deref()
                            .map(satu_mail::sanitize::sanitize_html),
                        reply_to: message.reply_to.clone(),
                        thread_root: message.thread_root.clone(),
                        encrypted: message.encrypted,
                        redacted: message.redacted,
                        unread: message.unread,
                    };
                    if let Some(id) = tx.insert_chat_message(&new)? {
                        report.messages += 1;
                        added.push(id);
                        // A reply to the message a task came from may say how the work goes.
                        if let Some(p) = (!new.reply_to.is_empty())
                            .then(|| crate::progress::read(&new.body))
                            .flatten()
                        {
                            tx.chat_reply_progress(
                                account.id,
                                &new.reply_to,
                                id,
                                new.time_ms,
                                satu_store::TaskProgress {
                                    percent: p.percent.map(i64::from),
                                    done: p.done,
                                },
                            )?;
                        }
                    }
                }
                ChatChange::Edit {
                    target,
                    sender,
                    event_id,
                    time_ms,
                    body,
                    html,
                    ..
                } => {
                    let html = html.as_deref().map(satu_mail::sanitize::sanitize_html);
                    if tx.edit_chat_message(
                        account.id,
                        target,
                        sender,
                        event_id,
                        *time_ms,
                        body,
                        html.as_deref(),
                    )? {
                        report.updated += 1;
                        crate::audit::record_from_server(
                            tx,
                            "chat.edit",
                            account.id,
                            None,
                            serde_json::json!({ "event": target, "edit": event_id }),
                        )?;
                    }
                }
                ChatChange::Redact { target, .. } => {
                    if tx.redact_chat_message(account.id, target)? {
                        report.updated += 1;
                        crate::audit::record_from_server(
                            tx,
                            "chat.redact",
                            account.id,
                            None,
                            serde_json::json!({ "event": target }),
                        )?;
                    }
                }
                ChatChange::ReadUpTo {
                    room_id,
                    event_id,
                    time_ms,
                } => {
                    let room = room_row(tx, &mut rooms, account.id, room_id)?;
                    tx.chat_read_up_to(room, event_id, *time_ms, true)?;
                }
                ChatChange::History { room_id, token } => {
                    let room = room_row(tx, &mut rooms, account.id, room_id)?;
                    tx.set_history_token(room, token)?;
                }
                ChatChange::DirectRooms(direct) => {
                    let list: Vec<&str> = direct.iter().map(String::as_str).collect();
                    tx.set_direct_rooms(account.id, &list)?;
                }
            }
        }
        if let Some(since) = since {
            tx.set_source_cursor(account.id, SOURCE, "", since)?;
        }
        Ok((report, added))
    })
}

/// Sends the account's queued messages that are due (all of them, backoff or not, when `all`:
/// a sync the user asked for, a connection just made), then pushes moved read markers. Stops
/// at the first failure that concerns the whole account (the network, the token) and returns
/// it; a message the server refuses fails alone.
pub(crate) async fn flush(
    store: &Store,
    account: &Account,
    client: &Client,
    all: bool,
) -> Result<PassReport> {
    // One flush at a time in this process (the live pusher and an action's push now); across
    // processes the transaction ids keep the server right and the states the store.
    let _one = FLUSH.lock().await;
    let mut report = PassReport::default();
    let due = if all { i64::MAX } else { crate::send::now_ms() };
    for queued in store.due_chat_messages(account.id, due)? {
        let reply = if queued.reply_to.is_empty() {
            None
        } else {
            store
                .chat_quote(account.id, &queued.reply_to)?
                .map(|(item, _, snippet)| {
                    let sender = store
                        .item_row(item)
                        .ok()
                        .and_then(|row| row.sender.map(|p| p.address))
                        .unwrap_or_default();
                    (sender, snippet)
                })
        };
        let body = content::text_message(
            &queued.body,
            reply.as_ref().map(|(sender, snippet)| {
                (queued.reply_to.as_str(), sender.as_str(), snippet.as_str())
            }),
        );
        match client
            .send(&queued.room_id, "m.room.message", &queued.txn_id, &body)
            .await
        {
            Ok(event_id) => {
                // Crash tests: the server has the event, the store does not know yet.
                crate::fault::abort_at("chat-after-send");
                store.write(|tx| tx.chat_sent(queued.item_id, &event_id))?;
                report.sent += 1;
                tracing::info!(account_id = account.id, item = queued.item_id, %event_id, "Chat message sent.");
            }
            Err(e) if e.is_transient() || matches!(e, MatrixError::TokenRejected { .. }) => {
                // The network or the server's load: tried again later, however long it takes
                // (a message is never given up on for being offline).
                let attempts = queued.attempts + 1;
                let delay = (5_000_i64 << (attempts - 1).clamp(0, 8)).min(15 * 60 * 1000);
                let next = Some(crate::send::now_ms() + delay);
                let reason = e.to_string();
                store.write(|tx| tx.chat_send_failed(queued.item_id, &reason, next))?;
                return Err(anyhow::Error::from(e).context("Cannot send the chat message"));
            }
            Err(e) => {
                let reason = e.to_string();
                store.write(|tx| tx.chat_send_failed(queued.item_id, &reason, None))?;
                tracing::warn!(account_id = account.id, item = queued.item_id, error = %reason, "The homeserver refused a chat message.");
            }
        }
    }
    for (room, room_id, event_id) in store.read_markers_to_push(account.id)? {
        match client.set_read_marker(&room_id, &event_id).await {
            Ok(()) => report.read_markers += 1,
            Err(e) if e.is_transient() || matches!(e, MatrixError::TokenRejected { .. }) => {
                return Err(anyhow::Error::from(e)
                    .context(format!("Cannot move the read marker in {room_id}")));
            }
            // Refused for good (a room left, an event the server does not know): not tried
            // again, and the other rooms go on.
            Err(e) => {
                tracing::warn!(account_id = account.id, room = %room_id, error = %e, "The homeserver refused a read marker.");
            }
        }
        store.write(|tx| tx.chat_read_pushed(room, &event_id))?;
    }
    Ok(report)
}

/// One pass for `satu sync`: a `/sync` that does not wait (so a message whose send answer
/// was lost is recognised by its transaction id before anything is sent again), then queued
/// sends and read markers.
pub(crate) async fn sync_account(ctx: &Context, account: &Account) -> Result<PassReport> {
    let client = client(ctx, account)?;
    let (mut report, _) = sync_once(ctx.store(), account, &client, Duration::ZERO).await?;
    let pushed = flush(ctx.store(), account, &client, true).await?;
    report.sent = pushed.sent;
    report.read_markers = pushed.read_markers;
    Ok(report)
}

/// Loads up to `pages` pages of older history of room `room` (a row id). Returns how many
/// messages were stored and whether the start of the room was reached.
pub(crate) async fn load_history(
    ctx: &Context,
    account: &Account,
    room: i64,
    pages: usize,
) -> Result<(u64, bool)> {
    let client = client(ctx, account)?;
    let store = ctx.store();
    let mut stored = 0;
    for _ in 0..pages {
        let Some(row) = store.chat_room_by_id(room)? else {
            break;
        };
        if row.history_token.is_empty() {
            return Ok((stored, true));
        }
        let page = client
            .messages_before(&row.room_id, &row.history_token, PAGE)
            .await
            .with_context(|| format!("Cannot read the history of {}", row.name))?;
        // Only a page without an `end` (or the same one again) is the start of the room: an
        // empty page with one is not.
        let done = page.end.is_none() || page.end.as_deref() == Some(row.history_token.as_str());
        let next = if done { None } else { page.end.as_deref() };
        let changes = plan::plan_history(
            &row.room_id,
            &page.chunk,
            &page.state,
            next,
            &account.username,
        );
        let (report, _) = apply(store, account, &changes, None)?;
        stored += report.messages;
        if done {
            return Ok((stored, true));
        }
    }
    Ok((stored, false))
}
