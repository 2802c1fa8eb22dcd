//! Chat: the rooms of Matrix accounts and their messages, items of kind `chat`.
//!
//! A room is a source (`chat_rooms`): its name, whether it is direct or encrypted, its mute, its
//! read marker (here and on the server) and the token to page older history from. Each message
//! is an item with a `chat_messages` row, keyed by event id; a message written here is an item
//! at once, with the transaction id that its send will use, and becomes the server's event when
//! the send answers or `/sync` brings it back (whichever comes first). The items of a room share
//! one conversation key (`items.thread_id`), so a grouped timeline shows a room as one row.
//!
//! Read markers compare by time (`chat_rooms.read_time`): a read here moves ours only forward and
//! waits to be pushed; the server's marker reads the items up to its event's time, also when that
//! event is no stored message (a join, a reaction), and moves ours when not older. A task made of
//! a message ([`Tx::task_from_chat`]) names it by a `matrix:roomid/…/e/…` URI (`tasks.chat_link`),
//! and the message's `items.task_id` points at it, as for mail.

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _, Row};

use crate::items::free_sort_key;
use crate::{ChangeKind, ItemKind, Tx};

/// Bytes of a message's text kept in the search index and the snippet's characters.
const SNIPPET_CHARS: usize = 200;

/// A room as stored, with its unread count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRoom {
    /// Row id.
    pub id: i64,
    /// Account.
    pub account_id: i64,
    /// Matrix room id.
    pub room_id: String,
    /// Shown name.
    pub name: String,
    /// Topic.
    pub topic: String,
    /// Direct chat.
    pub direct: bool,
    /// End-to-end encrypted.
    pub encrypted: bool,
    /// `join`, `invite` or `leave`.
    pub membership: String,
    /// Notifications off.
    pub muted: bool,
    /// Unread messages here.
    pub unread: i64,
    /// Messages stored.
    pub messages: i64,
    /// Time of the newest message (Unix ms).
    pub last_ms: Option<i64>,
    /// The conversation key of its items.
    pub thread_key: Option<i64>,
    /// Token for older history ('' at the start of the room).
    pub history_token: String,
    /// The read marker here and on the server.
    pub read_event: String,
    /// The read marker the server has.
    pub read_synced: String,
}

/// What a sync says about a room; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomUpdate {
    /// m.room.name.
    pub explicit_name: Option<String>,
    /// m.room.canonical_alias.
    pub alias: Option<String>,
    /// The members to name it after (user ids).
    pub heroes: Option<Vec<String>>,
    /// m.room.topic.
    pub topic: Option<String>,
    /// In m.direct.
    pub direct: Option<bool>,
    /// m.room.encryption seen.
    pub encrypted: Option<bool>,
    /// `join`, `invite` or `leave`.
    pub membership: Option<String>,
}

/// A message to store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewChatMessage {
    /// Its room's row id.
    pub room: i64,
    /// Event id.
    pub event_id: String,
    /// This device's transaction id, when the server says it sent it (`unsigned.transaction_id`).
    pub txn_id: Option<String>,
    /// Sender's user id.
    pub sender: String,
    /// Unix ms.
    pub time_ms: i64,
    /// `m.text`, `m.notice`, `m.emote`, `m.image`, …
    pub msgtype: String,
    /// Text (reply fallback removed).
    pub body: String,
    /// Sanitized HTML.
    pub html: Option<String>,
    /// The event it answers.
    pub reply_to: String,
    /// Its thread's root.
    pub thread_root: String,
    /// Encrypted and unreadable here.
    pub encrypted: bool,
    /// Already redacted.
    pub redacted: bool,
    /// Not read yet (false for the user's own messages).
    pub unread: bool,
}

/// The chat part of a timeline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatInfo {
    /// The room's row id.
    pub room: i64,
    /// Matrix room id.
    pub room_id: String,
    /// The room's shown name.
    pub room_name: String,
    /// Event id; `None` while it waits to be sent.
    pub event_id: Option<String>,
    /// Sender's user id.
    pub sender: String,
    /// `queued`, `sent` or `failed`.
    pub state: String,
    /// Why the last send failed ('' when none).
    pub error: String,
    /// The event it answers ('' when none).
    pub reply_to: String,
    /// Its thread's root ('' when none).
    pub thread_root: String,
    /// Edited since it was sent.
    pub edited: bool,
    /// Its text was removed.
    pub redacted: bool,
    /// Encrypted, not readable here.
    pub encrypted: bool,
    /// `m.text`, `m.notice`, …
    pub msgtype: String,
}

/// A message written here that waits for its send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedChat {
    /// Its item.
    pub item_id: i64,
    /// Account.
    pub account_id: i64,
    /// Matrix room id.
    pub room_id: String,
    /// The transaction id every attempt uses.
    pub txn_id: String,
    /// Text.
    pub body: String,
    /// The event it answers ('' when none).
    pub reply_to: String,
    /// Attempts so far.
    pub attempts: i64,
}

/// The SQL of [`ChatInfo`] for the item aliased `i`, one text column (fields joined by
/// U+001F, which is removed from every field the server chose, so no field can shift the
/// others) so the timeline's row query stays one subquery longer.
pub(crate) const CHAT_COLUMN: &str = "(SELECT replace(r.room_id, char(31), '') || char(31) || replace(r.name, char(31), '') || char(31)
        || replace(coalesce(c.event_id, ''), char(31), '') || char(31) || replace(c.sender, char(31), '') || char(31) || c.state
        || char(31) || replace(c.error, char(31), '') || char(31) || replace(c.reply_to, char(31), '') || char(31)
        || replace(c.thread_root, char(31), '') || char(31) || (c.edit_event != '') || char(31) || c.redacted || char(31)
        || c.encrypted || char(31) || replace(c.msgtype, char(31), '') || char(31) || r.id
     FROM chat_messages c JOIN chat_rooms r ON r.id = c.room WHERE c.item_id = i.id)";

/// Reads [`CHAT_COLUMN`].
pub(crate) fn chat_info(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<ChatInfo>> {
    let Some(text) = row.get::<_, Option<String>>(index)? else {
        return Ok(None);
    };
    let f: Vec<&str> = text.split('\u{1f}').collect();
    let get = |i: usize| f.get(i).copied().unwrap_or_default().to_owned();
    Ok(Some(ChatInfo {
        room_id: get(0),
        room_name: get(1),
        event_id: Some(get(2)).filter(|e| !e.is_empty()),
        sender: get(3),
        state: get(4),
        error: get(5),
        reply_to: get(6),
        thread_root: get(7),
        edited: get(8) == "1",
        redacted: get(9) == "1",
        encrypted: get(10) == "1",
        msgtype: get(11),
        room: get(12).parse().unwrap_or_default(),
    }))
}

const ROOM_COLUMNS: &str = "r.id, r.account_id, r.room_id, r.name, r.topic, r.direct, r.encrypted, r.membership, r.muted,
    (SELECT count(*) FROM chat_messages c JOIN items i ON i.id = c.item_id WHERE c.room = r.id AND i.unread = 1),
    (SELECT count(*) FROM chat_messages c WHERE c.room = r.id),
    (SELECT max(i.time) FROM chat_messages c JOIN items i ON i.id = c.item_id WHERE c.room = r.id),
    r.thread_key, r.history_token, r.read_event, r.read_synced";

fn room_from(row: &Row<'_>) -> rusqlite::Result<ChatRoom> {
    Ok(ChatRoom {
        id: row.get(0)?,
        account_id: row.get(1)?,
        room_id: row.get(2)?,
        name: row.get(3)?,
        topic: row.get(4)?,
        direct: row.get(5)?,
        encrypted: row.get(6)?,
        membership: row.get(7)?,
        muted: row.get(8)?,
        unread: row.get(9)?,
        messages: row.get(10)?,
        last_ms: row.get(11)?,
        thread_key: row.get(12)?,
        history_token: row.get(13)?,
        read_event: row.get(14)?,
        read_synced: row.get(15)?,
    })
}

fn rooms_where(
    conn: &rusqlite::Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<ChatRoom>> {
    let sql = format!(
        "SELECT {ROOM_COLUMNS} FROM chat_rooms r WHERE {filter}
         ORDER BY coalesce((SELECT max(i.time) FROM chat_messages c JOIN items i ON i.id = c.item_id WHERE c.room = r.id), 0) DESC, r.id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(args, room_from)?;
    rows.collect::<rusqlite::Result<_>>()
        .context("Cannot read the chat rooms")
}

/// The name a room is shown with (the Matrix spec's room naming, simplified): its name, else
/// its alias, else its other members' names, else "Empty room".
pub fn room_display_name(
    explicit_name: &str,
    alias: &str,
    heroes: &[(String, String)],
    own_user: &str,
) -> String {
    if !explicit_name.trim().is_empty() {
        return explicit_name.trim().to_owned();
    }
    if !alias.trim().is_empty() {
        return alias.trim().to_owned();
    }
    let names: Vec<String> = heroes
        .iter()
        .filter(|(id, _)| id != own_user)
        .map(|(id, name)| {
            if name.trim().is_empty() {
                localpart(id).to_owned()
            } else {
                name.trim().to_owned()
            }
        })
        .collect();
    match names.len() {
        0 => "Empty room".to_owned(),
        1..=3 => names.join(", "),
        n => format!("{} and {} others", names[..2].join(", "), n - 2),
    }
}

/// `alice` of `@alice:example.org`.
pub fn localpart(user_id: &str) -> &str {
    user_id
        .trim_start_matches('@')
        .split(':')
        .next()
        .unwrap_or(user_id)
}

/// The `matrix:` URI of event `event_id` in room `room_id` (the Matrix spec's URI scheme:
/// `matrix:roomid/ROOM/e/EVENT`, sigils dropped, each part percent-encoded).
pub fn matrix_uri(room_id: &str, event_id: &str) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "matrix:roomid/{}/e/{}",
        encode(room_id.trim_start_matches('!')),
        encode(event_id.trim_start_matches('$'))
    )
}

/// `rooms` as one text, each between U+001F marks, for a membership test in SQL.
fn marked_list(rooms: &[&str]) -> String {
    let mut list = String::from("\u{1f}");
    for room in rooms {
        list.push_str(room);
        list.push('\u{1f}');
    }
    list
}

fn snippet(body: &str) -> String {
    body.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(SNIPPET_CHARS)
        .collect()
}

impl Tx<'_> {
    /// The row id of room `room_id` of an account, made when new (direct when the account's
    /// last m.direct named it).
    pub fn chat_room(&mut self, account_id: i64, room_id: &str) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO chat_rooms (account_id, room_id, direct)
                 VALUES (?1, ?2, coalesce((SELECT instr(cursor, char(31) || ?2 || char(31)) > 0 FROM source_cursors
                     WHERE account_id = ?1 AND source = 'matrix' AND collection = 'm.direct'), 0))
                 ON CONFLICT (account_id, room_id) DO NOTHING",
            )?
            .execute(params![account_id, room_id])
            .context("Cannot store the room")?;
        self.conn()
            .prepare_cached("SELECT id FROM chat_rooms WHERE account_id = ?1 AND room_id = ?2")?
            .query_row(params![account_id, room_id], |r| r.get(0))
            .context("Cannot read the room")
    }

    /// Records a member's display name (and membership) in a room.
    pub fn set_chat_member(
        &mut self,
        room: i64,
        user_id: &str,
        display_name: &str,
        membership: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO chat_members (room, user_id, display_name, membership) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (room, user_id) DO UPDATE SET display_name = excluded.display_name,
                     membership = excluded.membership",
            )?
            .execute(params![room, user_id, display_name, membership])
            .context("Cannot store the room member")?;
        Ok(())
    }

    /// A member's display name in a room ('' when unknown).
    fn member_name(&self, room: i64, user_id: &str) -> Result<String> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT display_name FROM chat_members WHERE room = ?1 AND user_id = ?2",
            )?
            .query_row(params![room, user_id], |r| r.get(0))
            .optional()?
            .unwrap_or_default())
    }

    /// Applies what a sync says about a room and names it again; the room's items take a new
    /// name with it. `own_user` is left out of the members it is named after.
    pub fn update_chat_room(
        &mut self,
        room: i64,
        update: &RoomUpdate,
        own_user: &str,
    ) -> Result<()> {
        // A field the sync did not speak of (NULL) stays as it is; encryption is never turned
        // off again in Matrix.
        self.conn()
            .prepare_cached(
                "UPDATE chat_rooms SET explicit_name = coalesce(?2, explicit_name), alias = coalesce(?3, alias),
                     heroes = coalesce(?4, heroes), topic = coalesce(?5, topic), direct = coalesce(?6, direct),
                     encrypted = max(encrypted, coalesce(?7, 0)), membership = coalesce(?8, membership)
                 WHERE id = ?1",
            )?
            .execute(params![
                room,
                update.explicit_name,
                update.alias,
                update.heroes.as_ref().map(|h| h.join(" ")),
                update.topic,
                update.direct,
                update.encrypted,
                update.membership
            ])
            .context("Cannot store the room")?;
        self.rename_chat_room(room, own_user)
    }

    /// Names a room from what is stored about it; when the name changed, its items follow.
    fn rename_chat_room(&mut self, room: i64, own_user: &str) -> Result<()> {
        let (explicit, alias, heroes, old): (String, String, String, String) = self
            .conn()
            .query_row(
                "SELECT explicit_name, alias, heroes, name FROM chat_rooms WHERE id = ?1",
                [room],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .context("Cannot read the room")?;
        let mut heroes: Vec<String> = heroes.split_whitespace().map(str::to_owned).collect();
        if heroes.is_empty() {
            // No heroes from the server: the members known here, by join order.
            let mut stmt = self.conn().prepare_cached(
                "SELECT user_id FROM chat_members WHERE room = ?1 AND membership IN ('join', 'invite')
                 ORDER BY user_id LIMIT 6",
            )?;
            heroes = stmt
                .query_map([room], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
        }
        let mut named = Vec::new();
        for id in heroes {
            let name = self.member_name(room, &id)?;
            named.push((id, name));
        }
        let name = room_display_name(&explicit, &alias, &named, own_user);
        if name == old {
            return Ok(());
        }
        self.conn()
            .execute(
                "UPDATE chat_rooms SET name = ?2 WHERE id = ?1",
                params![room, name],
            )
            .context("Cannot name the room")?;
        self.conn()
            .execute(
                "UPDATE items SET title = ?2 WHERE id IN (SELECT item_id FROM chat_messages WHERE room = ?1)",
                params![room, name],
            )
            .context("Cannot rename the room's messages")?;
        Ok(())
    }

    /// The item of event `event_id` of an account, if stored.
    pub fn chat_event_item(&self, account_id: i64, event_id: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT item_id FROM chat_messages WHERE account_id = ?1 AND event_id = ?2",
            )?
            .query_row(params![account_id, event_id], |r| r.get(0))
            .optional()?)
    }

    /// Stores a message from the server. A message already stored (by event id) is left as it
    /// is; one sent from here (by transaction id) becomes the server's event. Returns the new
    /// item's id, or `None` when it was there already.
    pub fn insert_chat_message(&mut self, message: &NewChatMessage) -> Result<Option<i64>> {
        let (account_id, room_name, thread_key): (i64, String, Option<i64>) = self
            .conn()
            .prepare_cached("SELECT account_id, name, thread_key FROM chat_rooms WHERE id = ?1")?
            .query_row([message.room], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .context("Cannot read the message's room")?;
        if self
            .chat_event_item(account_id, &message.event_id)?
            .is_some()
        {
            // Seen again, now redacted (a gap filled, history paged): its text goes.
            if message.redacted {
                self.redact_chat_message(account_id, &message.event_id)?;
            }
            return Ok(None);
        }
        if let Some(txn) = message.txn_id.as_deref().filter(|t| !t.is_empty()) {
            let local: Option<i64> = self
                .conn()
                .prepare_cached(
                    "SELECT item_id FROM chat_messages WHERE account_id = ?1 AND txn_id = ?2 AND txn_id != ''",
                )?
                .query_row(params![account_id, txn], |r| r.get(0))
                .optional()?;
            if let Some(item) = local {
                self.chat_sent(item, &message.event_id)?;
                return Ok(None);
            }
        }
        let (id, sort_key, sender_name) = self.add_chat_item(
            message.room,
            (account_id, &room_name, thread_key),
            &message.sender,
            message.time_ms,
            message.unread,
            &message.body,
        )?;
        self.conn()
            .prepare_cached(
                "INSERT INTO chat_messages (item_id, account_id, room, event_id, txn_id, sender, msgtype, body, html,
                     reply_to, thread_root, redacted, encrypted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                id,
                account_id,
                message.room,
                message.event_id,
                message.txn_id.clone().unwrap_or_default(),
                message.sender,
                message.msgtype,
                message.body,
                message.html,
                message.reply_to,
                message.thread_root,
                message.redacted,
                message.encrypted
            ])
            .context("Cannot store the chat message's details")?;
        self.index_chat(
            sort_key,
            &room_name,
            &sender_name,
            &message.sender,
            &message.body,
        )?;
        self.record(ChangeKind::Added, id, ItemKind::Chat, &room_name)?;
        Ok(Some(id))
    }

    /// The timeline item of a chat message in `room` (its account, name and conversation key
    /// given): titled with the room, from `sender`, in the room's conversation (the first item
    /// of a room starts it). Returns its id, sort key and the sender's display name.
    fn add_chat_item(
        &mut self,
        room: i64,
        (account_id, room_name, thread_key): (i64, &str, Option<i64>),
        sender: &str,
        time_ms: i64,
        unread: bool,
        body: &str,
    ) -> Result<(i64, i64, String)> {
        let sender_name = self.member_name(room, sender)?;
        let sort_key = free_sort_key(self.conn(), time_ms)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO items (sort_key, kind, account_id, time, title, sender_name, sender_address, unread,
                     flagged, snippet, thread_id)
                 VALUES (?1, 'chat', ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9)",
            )?
            .execute(params![
                sort_key,
                account_id,
                time_ms,
                room_name,
                sender_name,
                sender,
                unread,
                snippet(body),
                thread_key
            ])
            .context("Cannot store the chat message")?;
        let id = self.conn().last_insert_rowid();
        if thread_key.is_none() {
            self.conn().execute(
                "UPDATE chat_rooms SET thread_key = ?2 WHERE id = ?1",
                params![room, id],
            )?;
            self.conn()
                .execute("UPDATE items SET thread_id = ?1 WHERE id = ?1", [id])?;
        }
        Ok((id, sort_key, sender_name))
    }

    fn index_chat(
        &mut self,
        sort_key: i64,
        room: &str,
        name: &str,
        sender: &str,
        body: &str,
    ) -> Result<()> {
        if body.is_empty() {
            return Ok(());
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![sort_key, room, format!("{name} {sender}"), body])
            .context("Cannot index the chat message for search")?;
        Ok(())
    }

    /// Replaces a message's text (an edit, or a redaction with `None`): the snippet and the
    /// search index follow. Records an update.
    fn set_chat_text(&mut self, item_id: i64, text: Option<(&str, Option<&str>)>) -> Result<()> {
        let (sort_key, room, name, sender): (i64, String, String, String) = self
            .conn()
            .query_row(
                "SELECT sort_key, title, sender_name, sender_address FROM items WHERE id = ?1",
                [item_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .context("Cannot read the chat message")?;
        self.conn()
            .execute("DELETE FROM items_fts WHERE rowid = ?1", [sort_key])
            .context("Cannot update the search index")?;
        let (body, html) = text.unwrap_or(("", None));
        self.conn()
            .execute(
                "UPDATE items SET snippet = ?2 WHERE id = ?1",
                params![item_id, snippet(body)],
            )
            .context("Cannot update the chat message")?;
        self.conn()
            .execute(
                "UPDATE chat_messages SET body = ?2, html = ?3 WHERE item_id = ?1",
                params![item_id, body, html],
            )
            .context("Cannot update the chat message")?;
        self.index_chat(sort_key, &room, &name, &sender, body)?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Chat, &room)
    }

    /// Applies an edit (m.replace) by `sender` of event `target`: only its own sender may edit
    /// a message, a redacted one stays redacted, and an older edit than the one shown is
    /// ignored. Returns whether it applied.
    #[allow(clippy::too_many_arguments)]
    pub fn edit_chat_message(
        &mut self,
        account_id: i64,
        target: &str,
        sender: &str,
        edit_event: &str,
        time_ms: i64,
        body: &str,
        html: Option<&str>,
    ) -> Result<bool> {
        let found: Option<(i64, String, bool, i64, String)> = self
            .conn()
            .prepare_cached(
                "SELECT item_id, sender, redacted, edited_at, edit_event FROM chat_messages
                 WHERE account_id = ?1 AND event_id = ?2",
            )?
            .query_row(params![account_id, target], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((item, original_sender, redacted, edited_at, applied)) = found else {
            return Ok(false);
        };
        if original_sender != sender || redacted || applied == edit_event || time_ms < edited_at {
            return Ok(false);
        }
        self.conn().execute(
            "UPDATE chat_messages SET edit_event = ?2, edited_at = ?3 WHERE item_id = ?1",
            params![item, edit_event, time_ms],
        )?;
        self.set_chat_text(item, Some((body, html)))?;
        Ok(true)
    }

    /// Removes the text of event `target` (a redaction). Returns whether it applied.
    pub fn redact_chat_message(&mut self, account_id: i64, target: &str) -> Result<bool> {
        let Some(item) = self.chat_event_item(account_id, target)? else {
            return Ok(false);
        };
        let changed = self.conn().execute(
            "UPDATE chat_messages SET redacted = 1 WHERE item_id = ?1 AND redacted = 0",
            [item],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        self.set_chat_text(item, None)?;
        Ok(true)
    }

    /// The user has read room `room` up to event `event_id` (at `time_ms` when the caller
    /// knows it: a marker may name an event that is not a stored message, a member change or a
    /// reaction): every message up to its time is read. `from_server`: the server says so (its
    /// marker is that too, and it moves ours when not older); else it was read here and waits
    /// to be pushed (it moves ours when newer). Returns the items that became read.
    pub fn chat_read_up_to(
        &mut self,
        room: i64,
        event_id: &str,
        time_ms: Option<i64>,
        from_server: bool,
    ) -> Result<Vec<i64>> {
        let stored: Option<i64> = self
            .conn()
            .prepare_cached(
                "SELECT i.time FROM chat_messages c JOIN items i ON i.id = c.item_id
                 WHERE c.room = ?1 AND c.event_id = ?2",
            )?
            .query_row(params![room, event_id], |r| r.get(0))
            .optional()?;
        if from_server {
            self.conn().execute(
                "UPDATE chat_rooms SET read_synced = ?2 WHERE id = ?1",
                params![room, event_id],
            )?;
        }
        // Unknown event, unknown time (older than the history kept): nothing here is older.
        let Some(at) = stored.or(time_ms) else {
            return Ok(Vec::new());
        };
        let current: i64 = self
            .conn()
            .prepare_cached("SELECT read_time FROM chat_rooms WHERE id = ?1")?
            .query_row([room], |r| r.get(0))
            .context("Cannot read the room's read marker")?;
        let moves = if from_server {
            at >= current
        } else {
            at > current
        };
        if moves {
            self.conn().execute(
                "UPDATE chat_rooms SET read_event = ?2, read_time = ?3 WHERE id = ?1",
                params![room, event_id, at],
            )?;
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.id, i.title FROM chat_messages c JOIN items i ON i.id = c.item_id
             WHERE c.room = ?1 AND i.unread = 1 AND i.time <= ?2",
        )?;
        let read: Vec<(i64, String)> = stmt
            .query_map(params![room, at], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        drop(stmt);
        for (id, title) in &read {
            self.conn()
                .execute("UPDATE items SET unread = 0 WHERE id = ?1", [id])?;
            self.record(ChangeKind::Updated, *id, ItemKind::Chat, title)?;
        }
        Ok(read.into_iter().map(|(id, _)| id).collect())
    }

    /// The user read chat item `item_id` here: it and everything before it in its room are
    /// read, and the room's marker moves to the newest sent message up to it (pushed later).
    pub fn chat_mark_read(&mut self, item_id: i64) -> Result<Vec<i64>> {
        let found: Option<(i64, i64)> = self
            .conn()
            .prepare_cached(
                "SELECT c.room, i.time FROM chat_messages c JOIN items i ON i.id = c.item_id WHERE c.item_id = ?1",
            )?
            .query_row([item_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((room, at)) = found else {
            return Ok(Vec::new());
        };
        let event: Option<String> = self
            .conn()
            .prepare_cached(
                "SELECT c.event_id FROM chat_messages c JOIN items i ON i.id = c.item_id
                 WHERE c.room = ?1 AND c.event_id IS NOT NULL AND i.time <= ?2 ORDER BY i.time DESC, i.id DESC LIMIT 1",
            )?
            .query_row(params![room, at], |r| r.get(0))
            .optional()?;
        match event {
            Some(event) => self.chat_read_up_to(room, &event, None, false),
            None => {
                // Only messages not sent yet: they are read, with nothing to tell the server.
                let changed = self.set_item_state(item_id, Some(false), None)?;
                Ok(if changed { vec![item_id] } else { Vec::new() })
            }
        }
    }

    /// The server has the room's read marker as stored here (or refused it for good: it is
    /// not tried again).
    pub fn chat_read_pushed(&mut self, room: i64, event_id: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE chat_rooms SET read_synced = ?2 WHERE id = ?1",
                params![room, event_id],
            )
            .context("Cannot record the read marker")?;
        Ok(())
    }

    /// Queues a message written here to room `room`: an item at once (read, from `sender`),
    /// sent later with `txn_id` (chosen now, before any attempt). Returns its item id.
    pub fn queue_chat_message(
        &mut self,
        room: i64,
        sender: &str,
        txn_id: &str,
        body: &str,
        reply_to: &str,
        time_ms: i64,
    ) -> Result<i64> {
        let (account_id, room_name, thread_key): (i64, String, Option<i64>) = self
            .conn()
            .prepare_cached("SELECT account_id, name, thread_key FROM chat_rooms WHERE id = ?1")?
            .query_row([room], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .context("Cannot read the room")?;
        let (id, sort_key, sender_name) = self.add_chat_item(
            room,
            (account_id, &room_name, thread_key),
            sender,
            time_ms,
            false,
            body,
        )?;
        self.conn()
            .prepare_cached(
                "INSERT INTO chat_messages (item_id, account_id, room, event_id, txn_id, sender, body, reply_to, state,
                     next_attempt)
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, 'queued', ?8)",
            )?
            .execute(params![id, account_id, room, txn_id, sender, body, reply_to, time_ms])
            .context("Cannot queue the message")?;
        self.index_chat(sort_key, &room_name, &sender_name, sender, body)?;
        self.record(ChangeKind::Added, id, ItemKind::Chat, &room_name)?;
        Ok(id)
    }

    /// A queued message was sent: it is event `event_id` now. When that event is stored
    /// already as an item of its own (it came back without its transaction id), that one is
    /// kept and the queued copy goes: one message, once.
    pub fn chat_sent(&mut self, item_id: i64, event_id: &str) -> Result<()> {
        let account_id: i64 = self
            .conn()
            .query_row(
                "SELECT account_id FROM chat_messages WHERE item_id = ?1",
                [item_id],
                |r| r.get(0),
            )
            .context("Cannot read the message")?;
        if let Some(other) = self.chat_event_item(account_id, event_id)? {
            if other != item_id {
                return self.delete_item(item_id);
            }
        }
        let title: String = self
            .conn()
            .query_row("SELECT title FROM items WHERE id = ?1", [item_id], |r| {
                r.get(0)
            })
            .context("Cannot read the message")?;
        self.conn()
            .execute(
                "UPDATE chat_messages SET event_id = ?2, state = 'sent', error = '' WHERE item_id = ?1",
                params![item_id, event_id],
            )
            .context("Cannot record the sent message")?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Chat, &title)
    }

    /// A send failed: tried again at `next_attempt_ms`, or, when `None`, failed for good (the
    /// message stays, marked, for the user to retry).
    pub fn chat_send_failed(
        &mut self,
        item_id: i64,
        error: &str,
        next_attempt_ms: Option<i64>,
    ) -> Result<()> {
        let title: String = self
            .conn()
            .query_row("SELECT title FROM items WHERE id = ?1", [item_id], |r| {
                r.get(0)
            })
            .context("Cannot read the message")?;
        self.conn()
            .execute(
                "UPDATE chat_messages SET attempts = attempts + 1, error = ?2,
                     state = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'queued' END,
                     next_attempt = coalesce(?3, next_attempt)
                 WHERE item_id = ?1 AND state = 'queued' AND event_id IS NULL",
                params![item_id, error, next_attempt_ms],
            )
            .context("Cannot record the failed send")?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Chat, &title)
    }

    /// Queues a failed message again, now.
    pub fn chat_retry(&mut self, item_id: i64, now_ms: i64) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE chat_messages SET state = 'queued', attempts = 0, next_attempt = ?2
             WHERE item_id = ?1 AND state = 'failed'",
            params![item_id, now_ms],
        )?;
        Ok(changed > 0)
    }

    /// Mutes or unmutes a room's notifications.
    pub fn set_room_muted(&mut self, room: i64, muted: bool) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE chat_rooms SET muted = ?2 WHERE id = ?1",
                params![room, muted],
            )
            .context("Cannot change the room's notifications")?;
        Ok(())
    }

    /// Where older history of a room continues ('' at its start).
    pub fn set_history_token(&mut self, room: i64, token: &str) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE chat_rooms SET history_token = ?2 WHERE id = ?1",
                params![room, token],
            )
            .context("Cannot store the room's history token")?;
        Ok(())
    }

    /// Sets a sync cursor (Matrix `since`; CalDAV keeps its own in `calendars`).
    pub fn set_source_cursor(
        &mut self,
        account_id: i64,
        source: &str,
        collection: &str,
        cursor: &str,
    ) -> Result<()> {
        let now = self.now();
        self.conn()
            .prepare_cached(
                "INSERT INTO source_cursors (account_id, source, collection, cursor, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account_id, source, collection) DO UPDATE SET cursor = excluded.cursor,
                     updated_at = excluded.updated_at",
            )?
            .execute(params![account_id, source, collection, cursor, now])
            .context("Cannot store the sync cursor")?;
        Ok(())
    }

    /// The account's direct chats are exactly `rooms` (m.direct): the rooms stored now, and
    /// those stored later (the list is kept beside the `since` cursor).
    pub fn set_direct_rooms(&mut self, account_id: i64, rooms: &[&str]) -> Result<()> {
        let list = marked_list(rooms);
        self.set_source_cursor(account_id, "matrix", "m.direct", &list)?;
        self.conn()
            .execute(
                "UPDATE chat_rooms SET direct = (instr(?2, char(31) || room_id || char(31)) > 0) WHERE account_id = ?1",
                params![account_id, list],
            )
            .context("Cannot store the direct chats")?;
        Ok(())
    }

    /// Records the Matrix device of an account's access token.
    pub fn set_matrix_device(
        &mut self,
        account_id: i64,
        user_id: &str,
        device_id: &str,
    ) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE accounts SET username = ?2, device_id = ?3 WHERE id = ?1",
                params![account_id, user_id, device_id],
            )
            .context("Cannot store the account's device")?;
        Ok(())
    }

    /// The task made from chat item `item_id`, made now if it has none: titled with the
    /// message's text, naming it by a `matrix:` URI (the room and event ids, as other clients
    /// open it), due at `due_ms`. Returns the task's id and whether it was made now.
    pub fn task_from_chat(&mut self, item_id: i64, due_ms: Option<i64>) -> Result<(i64, bool)> {
        type Found = (
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            String,
            String,
        );
        let found: Found = self
            .conn()
            .prepare_cached(
                "SELECT i.account_id, i.title, i.sender_name, i.sender_address, i.task_id, c.event_id, r.room_id, c.body
                 FROM items i JOIN chat_messages c ON c.item_id = i.id JOIN chat_rooms r ON r.id = c.room
                 WHERE i.id = ?1",
            )?
            .query_row([item_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .optional()?
            .ok_or(crate::StoreError::NoSuchItem(item_id))?;
        let (account_id, room_name, sender_name, sender, task, event_id, room_id, body) = found;
        if let Some(task) = task {
            return Ok((task, false));
        }
        let link = match &event_id {
            Some(event) => matrix_uri(&room_id, event),
            None => String::new(),
        };
        let first_line = body
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        let mut title: String = first_line.trim().chars().take(120).collect();
        if title.is_empty() {
            title = format!("Message in {room_name}");
        }
        let now_ms = self.now() * 1000;
        let time_ms = due_ms.unwrap_or(now_ms);
        let sort_key = free_sort_key(self.conn(), time_ms)?;
        let description = snippet(&body);
        self.conn()
            .prepare_cached(
                "INSERT INTO items (sort_key, kind, account_id, time, title, sender_name, sender_address, unread, flagged, snippet)
                 VALUES (?1, 'task', ?2, ?3, ?4, ?5, ?6, 0, 0, ?7)",
            )?
            .execute(params![sort_key, account_id, time_ms, title, sender_name, sender, description])
            .context("Cannot store the task")?;
        let task = self.conn().last_insert_rowid();
        let uid = crate::tasks::task_uid(account_id, &link, now_ms, task);
        self.conn()
            .prepare_cached(
                "INSERT INTO tasks (item_id, uid, due, chat_link, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![task, uid, due_ms, link, now_ms])
            .context("Cannot store the task's details")?;
        self.conn()
            .prepare_cached(
                "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                sort_key,
                title,
                format!("{sender_name} {sender}"),
                description
            ])
            .context("Cannot index the task for search")?;
        self.record(ChangeKind::Added, task, ItemKind::Task, &title)?;
        self.conn()
            .execute(
                "UPDATE items SET task_id = ?2 WHERE id = ?1",
                params![item_id, task],
            )
            .context("Cannot link the message to its task")?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Chat, &room_name)?;
        Ok((task, true))
    }
}

impl crate::Store {
    /// The rooms of every Matrix account (or just `account`), most recently active first.
    pub fn chat_rooms(&self, account: Option<i64>) -> Result<Vec<ChatRoom>> {
        self.read(|conn| match account {
            Some(id) => rooms_where(conn, "r.account_id = ?1", [id]),
            None => rooms_where(conn, "1", []),
        })
    }

    /// The muted rooms of an account (row ids).
    pub fn muted_rooms(&self, account_id: i64) -> Result<Vec<i64>> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT id FROM chat_rooms WHERE account_id = ?1 AND muted = 1")?;
            let rows = stmt.query_map([account_id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the muted rooms")
        })
    }

    /// A room by row id.
    pub fn chat_room_by_id(&self, id: i64) -> Result<Option<ChatRoom>> {
        self.read(|conn| Ok(rooms_where(conn, "r.id = ?1", [id])?.into_iter().next()))
    }

    /// Messages written here whose send is due at `now_ms` (oldest first), of one account.
    pub fn due_chat_messages(&self, account_id: i64, now_ms: i64) -> Result<Vec<QueuedChat>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.item_id, c.account_id, r.room_id, c.txn_id, c.body, c.reply_to, c.attempts
                 FROM chat_messages c JOIN chat_rooms r ON r.id = c.room
                 WHERE c.state = 'queued' AND c.next_attempt <= ?2 AND c.account_id = ?1
                     AND NOT EXISTS (SELECT 1 FROM chat_messages o WHERE o.room = c.room AND o.item_id < c.item_id
                         AND o.state = 'queued' AND o.next_attempt > ?2)
                 ORDER BY c.item_id",
            )?;
            let rows = stmt.query_map(params![account_id, now_ms], |r| {
                Ok(QueuedChat {
                    item_id: r.get(0)?,
                    account_id: r.get(1)?,
                    room_id: r.get(2)?,
                    txn_id: r.get(3)?,
                    body: r.get(4)?,
                    reply_to: r.get(5)?,
                    attempts: r.get(6)?,
                })
            })?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the chat messages to send")
        })
    }

    /// When the next queued message of an account falls due (Unix ms), if any.
    pub fn next_chat_due(&self, account_id: i64) -> Result<Option<i64>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT min(next_attempt) FROM chat_messages WHERE state = 'queued' AND account_id = ?1",
                )?
                .query_row([account_id], |r| r.get(0))?)
        })
    }

    /// Rooms whose read marker moved here and is not on the server yet: (room row, Matrix room
    /// id, event id).
    pub fn read_markers_to_push(&self, account_id: i64) -> Result<Vec<(i64, String, String)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, room_id, read_event FROM chat_rooms
                 WHERE account_id = ?1 AND read_event != '' AND read_event != read_synced",
            )?;
            let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the read markers")
        })
    }

    /// A sync cursor, if one was saved.
    pub fn source_cursor(
        &self,
        account_id: i64,
        source: &str,
        collection: &str,
    ) -> Result<Option<String>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT cursor FROM source_cursors WHERE account_id = ?1 AND source = ?2 AND collection = ?3",
                )?
                .query_row(params![account_id, source, collection], |r| r.get(0))
                .optional()?)
        })
    }

    /// The item of event `event_id` of an account, if stored.
    pub fn chat_event_item(&self, account_id: i64, event_id: &str) -> Result<Option<i64>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT item_id FROM chat_messages WHERE account_id = ?1 AND event_id = ?2",
                )?
                .query_row(params![account_id, event_id], |r| r.get(0))
                .optional()?)
        })
    }

    /// The chat part of an item with its text: (info, body, sanitized html).
    pub fn chat_message(&self, item_id: i64) -> Result<Option<(ChatInfo, String, Option<String>)>> {
        self.read(|conn| {
            let sql = format!(
                "SELECT {CHAT_COLUMN}, c.body, c.html FROM items i JOIN chat_messages c ON c.item_id = i.id WHERE i.id = ?1"
            );
            let found = conn
                .prepare_cached(&sql)?
                .query_row([item_id], |r| Ok((chat_info(r, 0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            Ok(found.and_then(|(info, body, html)| info.map(|info| (info, body, html))))
        })
    }

    /// Which of the messages a reply names is stored: its item, sender name and snippet.
    pub fn chat_quote(
        &self,
        account_id: i64,
        event_id: &str,
    ) -> Result<Option<(i64, String, String)>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT i.id, CASE WHEN i.sender_name != '' THEN i.sender_name ELSE i.sender_address END, i.snippet
                     FROM chat_messages c JOIN items i ON i.id = c.item_id WHERE c.account_id = ?1 AND c.event_id = ?2",
                )?
                .query_row(params![account_id, event_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_named_by_name_alias_or_members() {
        let heroes = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect()
        };
        assert_eq!(room_display_name(" Team ", "#t:x", &[], "@me:x"), "Team");
        assert_eq!(room_display_name("", "#t:x", &[], "@me:x"), "#t:x");
        assert_eq!(
            room_display_name(
                "",
                "",
                &heroes(&[("@me:x", "Me"), ("@bob:x", "Bob")]),
                "@me:x"
            ),
            "Bob"
        );
        assert_eq!(
            room_display_name("", "", &heroes(&[("@carol:x", "")]), "@me:x"),
            "carol"
        );
        assert_eq!(
            room_display_name(
                "",
                "",
                &heroes(&[("@a:x", "A"), ("@b:x", "B"), ("@c:x", "C"), ("@d:x", "D")]),
                "@me:x"
            ),
            "A, B and 2 others"
        );
        assert_eq!(room_display_name("", "", &[], "@me:x"), "Empty room");
    }
}
