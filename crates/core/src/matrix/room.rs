//! What a person does in a room: find it by what they typed, write (queued, then sent), retry,
//! join.

use std::time::Duration;

use satu_store::Store;

use crate::context::{Context, PUSH_NOW_TIMEOUT};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// A room by what a person typed: its number (`satu chat rooms`), its Matrix id, or its
/// name (which must be unique).
pub(crate) fn find(store: &Store, room: &str) -> ApiResult<satu_store::ChatRoom> {
    let rooms = store.chat_rooms(None)?;
    let wanted = room.trim();
    let found: Vec<&satu_store::ChatRoom> = match wanted.parse::<i64>() {
        Ok(id) => rooms.iter().filter(|r| r.id == id).collect(),
        Err(_) => {
            let exact: Vec<_> = rooms.iter().filter(|r| r.room_id == wanted).collect();
            if exact.is_empty() {
                rooms
                    .iter()
                    .filter(|r| r.name.eq_ignore_ascii_case(wanted))
                    .collect()
            } else {
                exact
            }
        }
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ApiError::new(
            ErrorCode::NotFound,
            format!(
                "No room {wanted:?}: give its number, id or name from `satu chat rooms` (run `satu sync` if it is new)"
            ),
        )
        .with_field("room")),
        many => Err(ApiError::invalid(
            "room",
            format!(
                "{} rooms are named {wanted:?}: give the number instead ({})",
                many.len(),
                many.iter()
                    .map(|r| r.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Writes `text` to `room` (number, id or name), as a reply to chat item `reply_to` when
/// given. The message is in the timeline at once and queued with its transaction id, then
/// sent (for at most 10 s here; offline it stays queued and the live loop or the next
/// `satu sync` sends it, never twice).
pub(crate) async fn write(
    ctx: &Context,
    room: &str,
    text: &str,
    reply_to: Option<i64>,
) -> ApiResult<crate::dto::Item> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid("text", "The message is empty"));
    }
    let room = find(ctx.store(), room)?;
    if room.membership != "join" {
        return Err(ApiError::invalid(
            "room",
            format!(
                "You are not in {} ({}): join it first (`satu chat join {}`)",
                room.name, room.membership, room.id
            ),
        ));
    }
    let reply_event = match reply_to {
        None => String::new(),
        Some(item) => {
            let (info, _, _) = ctx.store().chat_message(item)?.ok_or_else(|| {
                ApiError::invalid("reply_to", format!("Item {item} is not a chat message"))
            })?;
            if info.room != room.id {
                return Err(ApiError::invalid(
                    "reply_to",
                    format!("Item {item} is in another room ({})", info.room_name),
                ));
            }
            info.event_id.ok_or_else(|| {
                ApiError::invalid(
                    "reply_to",
                    format!("Item {item} is not sent yet: answer it once it is"),
                )
            })?
        }
    };
    let account = ctx.store().account(room.account_id)?;
    let txn = crate::matrix::new_txn_id();
    let id = ctx.store().write(|tx| {
        let id = tx.queue_chat_message(
            room.id,
            &account.username,
            &txn,
            text,
            &reply_event,
            crate::send::now_ms(),
        )?;
        crate::audit::record(
            tx,
            "chat.send",
            Some(room.account_id),
            Some(id),
            serde_json::json!({ "room": room.room_id, "txn": txn }),
        )?;
        Ok(id)
    })?;
    ctx.chat_wake.notify_waiters();
    push_now(ctx, &account).await;
    Ok(ctx.store().item_row(id)?.into())
}

/// Tries to push an account's queued messages and read markers for at most
/// [`PUSH_NOW_TIMEOUT`]; failures leave them queued.
pub(crate) async fn push_now(ctx: &Context, account: &satu_store::Account) {
    let push = async {
        let client = crate::matrix::client(ctx, account)?;
        crate::matrix::flush(ctx.store(), account, &client, false).await
    };
    match tokio::time::timeout(PUSH_NOW_TIMEOUT, push).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::info!(account_id = account.id, error = %format!("{e:#}"), "Chat change queued: the homeserver is not reachable now.");
        }
        Err(_) => {
            tracing::info!(
                account_id = account.id,
                "Chat change queued: the homeserver is slow to answer."
            );
        }
    }
}

/// Sends a message that failed for good again (its transaction id stays the same).
pub(crate) async fn retry(ctx: &Context, id: i64) -> ApiResult<crate::dto::Item> {
    let (info, _, _) = ctx
        .store()
        .chat_message(id)?
        .ok_or_else(|| ApiError::invalid("id", format!("Item {id} is not a chat message")))?;
    if info.state != "failed" {
        return Err(ApiError::invalid(
            "id",
            format!("Message {id} is {}, not failed", info.state),
        ));
    }
    ctx.store()
        .write(|tx| tx.chat_retry(id, crate::send::now_ms()))?;
    let account = ctx.store().account(ctx.store().item_row(id)?.account_id)?;
    push_now(ctx, &account).await;
    Ok(ctx.store().item_row(id)?.into())
}

/// Joins `room` (accepting its invitation), then syncs the account.
pub(crate) async fn join(ctx: &Context, room: &str) -> ApiResult<crate::dto::ChatRoom> {
    let room = find(ctx.store(), room)?;
    let account = ctx.store().account(room.account_id)?;
    let client = crate::matrix::client(ctx, &account)?;
    client
        .join(&room.room_id)
        .await
        .map_err(anyhow::Error::from)?;
    crate::matrix::sync_once(ctx.store(), &account, &client, Duration::ZERO).await?;
    Ok(find(ctx.store(), &room.id.to_string())?.into())
}
