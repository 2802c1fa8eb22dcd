//! What a `/sync` answer means for the store, as a pure function: the rooms, members,
//! messages, edits, redactions and read markers it carries, in the order they must be applied
//! (a room's state before its timeline, the timeline oldest first, read markers last so the
//! events they name are stored). No I/O: [`super`] applies the list in one transaction.
//!
//! The plan is a list of [`ChatChange`]s: rooms' state (name, alias, encryption, membership,
//! heroes) and members; messages (also the events `/messages` brought, per room, to fill a gap,
//! before that room's timeline); edits (`m.replace`, also when bundled in
//! `unsigned.m.relations`); redactions (top-level `redacts`, or room v11's `content.redacts`);
//! read markers; the history token; the account's `m.direct` list. Encrypted events become
//! messages marked encrypted, and this device's `unsigned.transaction_id` lets a message written
//! here be matched to its queued item. Every case is tested below. Then the store
//! (`satu_store`'s `chat.rs`) makes each message a timeline item.

use std::collections::{BTreeMap, BTreeSet};

use satu_matrix::{Event, JoinedRoom, SyncResponse};
use satu_store::RoomUpdate;
use serde_json::Value;

/// One thing to change in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChatChange {
    /// A room's state (name, alias, encryption, membership, heroes).
    Room { room_id: String, update: RoomUpdate },
    /// A member's display name.
    Member {
        room_id: String,
        user_id: String,
        name: String,
        membership: String,
    },
    /// A message to store.
    Message { room_id: String, message: Message },
    /// A message's text replaced by its sender.
    Edit {
        room_id: String,
        target: String,
        sender: String,
        event_id: String,
        time_ms: i64,
        body: String,
        html: Option<String>,
    },
    /// A message's text removed.
    Redact { room_id: String, target: String },
    /// The user has read the room up to this event (at this time, when the answer holds it).
    ReadUpTo {
        room_id: String,
        event_id: String,
        time_ms: Option<i64>,
    },
    /// Older history of the room continues from this token.
    History { room_id: String, token: String },
    /// The account's direct chats (m.direct), all of them.
    DirectRooms(BTreeSet<String>),
}

/// A message as the plan reads it (the store's `NewChatMessage` without its room row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Message {
    pub event_id: String,
    pub txn_id: Option<String>,
    pub sender: String,
    pub time_ms: i64,
    pub msgtype: String,
    pub body: String,
    /// Unsanitized HTML (the apply step sanitizes).
    pub html: Option<String>,
    pub reply_to: String,
    pub thread_root: String,
    pub encrypted: bool,
    pub redacted: bool,
    pub unread: bool,
}

/// The plan of a whole `/sync` answer. `older` holds, per room, the events fetched with
/// `/messages` to fill a gap before the room's timeline (oldest first) and the token to page
/// on from (`None` at the start of the room).
pub(crate) fn plan_sync(
    sync: &SyncResponse,
    older: &BTreeMap<String, (Vec<Event>, Option<String>)>,
    own_user: &str,
) -> Vec<ChatChange> {
    let mut changes = Vec::new();
    for (room_id, invite) in &sync.rooms.invite {
        let mut update = room_state(&invite.invite_state.events);
        update.membership = Some("invite".into());
        changes.push(ChatChange::Room {
            room_id: room_id.clone(),
            update,
        });
        members(room_id, &invite.invite_state.events, &mut changes);
    }
    for (room_id, room) in &sync.rooms.join {
        let (gap, token) = older
            .get(room_id)
            .map(|(events, token)| (events.as_slice(), token.clone()))
            .unwrap_or((&[], None));
        plan_room(room_id, room, gap, token, own_user, &mut changes);
    }
    for (room_id, left) in &sync.rooms.leave {
        let mut update = room_state(&left.state.events);
        update.membership = Some("leave".into());
        changes.push(ChatChange::Room {
            room_id: room_id.clone(),
            update,
        });
        timeline(room_id, &left.timeline.events, own_user, &mut changes);
    }
    // Last: it marks rooms, including the ones this answer made.
    if let Some(direct) = sync
        .account_data
        .events
        .iter()
        .rev()
        .find(|e| e.kind == "m.direct")
    {
        changes.push(ChatChange::DirectRooms(direct_rooms(&direct.content)));
    }
    changes
}

/// One joined room: its state, the gap's events, the timeline, then the read markers.
fn plan_room(
    room_id: &str,
    room: &JoinedRoom,
    gap: &[Event],
    token: Option<String>,
    own_user: &str,
    changes: &mut Vec<ChatChange>,
) {
    let state: Vec<&Event> = room
        .state
        .events
        .iter()
        .chain(gap.iter().filter(|e| e.state_key.is_some()))
        .chain(
            room.timeline
                .events
                .iter()
                .filter(|e| e.state_key.is_some()),
        )
        .collect();
    let mut update = room_state_refs(&state);
    update.membership = Some("join".into());
    if !room.summary.heroes.is_empty() {
        update.heroes = Some(room.summary.heroes.clone());
    }
    // Members first, so the room and its messages are named after them.
    members_refs(room_id, &state, changes);
    changes.push(ChatChange::Room {
        room_id: room_id.to_owned(),
        update,
    });
    timeline(room_id, gap, own_user, changes);
    timeline(room_id, &room.timeline.events, own_user, changes);
    // Where older history continues: the gap's end, else (a first sync, or a timeline that
    // reached back without a gap) the timeline's prev_batch.
    let history = if !gap.is_empty() || token.is_some() {
        token
    } else {
        room.timeline.prev_batch.clone()
    };
    if let Some(token) = history {
        changes.push(ChatChange::History {
            room_id: room_id.to_owned(),
            token,
        });
    }
    for marker in read_markers(&room.ephemeral.events, &room.account_data.events, own_user) {
        let time_ms = gap
            .iter()
            .chain(&room.timeline.events)
            .find(|e| e.event_id.as_deref() == Some(marker.as_str()))
            .and_then(|e| e.origin_server_ts);
        changes.push(ChatChange::ReadUpTo {
            room_id: room_id.to_owned(),
            event_id: marker,
            time_ms,
        });
    }
}

/// The events of a history page fetched with `/messages` (backwards: newest first), as the
/// changes that store them.
pub(crate) fn plan_history(
    room_id: &str,
    page_newest_first: &[Event],
    member_state: &[Event],
    next: Option<&str>,
    own_user: &str,
) -> Vec<ChatChange> {
    let mut changes = Vec::new();
    let refs: Vec<&Event> = member_state.iter().collect();
    members_refs(room_id, &refs, &mut changes);
    let oldest_first: Vec<Event> = page_newest_first.iter().rev().cloned().collect();
    // History is older than anything unread: it arrives read unless it is after the marker
    // (the apply step's read marker decides that); here it is stored as read.
    let mut before = Vec::new();
    timeline(room_id, &oldest_first, own_user, &mut before);
    for change in before {
        changes.push(match change {
            ChatChange::Message {
                room_id,
                mut message,
            } => {
                message.unread = false;
                ChatChange::Message { room_id, message }
            }
            other => other,
        });
    }
    changes.push(ChatChange::History {
        room_id: room_id.to_owned(),
        token: next.unwrap_or_default().to_owned(),
    });
    changes
}

/// The room ids of an m.direct content (`{user: [room, …]}`).
fn direct_rooms(content: &Value) -> BTreeSet<String> {
    content
        .as_object()
        .into_iter()
        .flat_map(|users| users.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn room_state(events: &[Event]) -> RoomUpdate {
    let refs: Vec<&Event> = events.iter().collect();
    room_state_refs(&refs)
}

/// The last of each naming state event (events oldest first).
fn room_state_refs(events: &[&Event]) -> RoomUpdate {
    let mut update = RoomUpdate::default();
    for event in events.iter().filter(|e| e.state_key.as_deref() == Some("")) {
        let text = |key: &str| {
            event
                .content
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match event.kind.as_str() {
            "m.room.name" => update.explicit_name = Some(text("name")),
            "m.room.canonical_alias" => update.alias = Some(text("alias")),
            "m.room.topic" => update.topic = Some(text("topic")),
            "m.room.encryption" => update.encrypted = Some(true),
            _ => {}
        }
    }
    update
}

fn members(room_id: &str, events: &[Event], changes: &mut Vec<ChatChange>) {
    let refs: Vec<&Event> = events.iter().collect();
    members_refs(room_id, &refs, changes);
}

fn members_refs(room_id: &str, events: &[&Event], changes: &mut Vec<ChatChange>) {
    for event in events.iter().filter(|e| e.kind == "m.room.member") {
        if let Some(change) = member(room_id, event) {
            changes.push(change);
        }
    }
}

fn member(room_id: &str, event: &Event) -> Option<ChatChange> {
    let user_id = event.state_key.as_deref().filter(|s| s.starts_with('@'))?;
    Some(ChatChange::Member {
        room_id: room_id.to_owned(),
        user_id: user_id.to_owned(),
        name: event
            .content
            .get("displayname")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        membership: event
            .content
            .get("membership")
            .and_then(Value::as_str)
            .unwrap_or("join")
            .to_owned(),
    })
}

/// Timeline events (oldest first) as changes.
fn timeline(room_id: &str, events: &[Event], own_user: &str, changes: &mut Vec<ChatChange>) {
    for event in events {
        let (Some(event_id), Some(sender)) = (event.event_id.as_deref(), event.sender.as_deref())
        else {
            continue;
        };
        let time_ms = event.origin_server_ts.unwrap_or(0);
        if event.state_key.is_some() {
            if event.kind == "m.room.member" {
                if let Some(change) = member(room_id, event) {
                    changes.push(change);
                }
            }
            continue;
        }
        match event.kind.as_str() {
            "m.room.redaction" => {
                let target = event.redacts.clone().or_else(|| {
                    event
                        .content
                        .get("redacts")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                if let Some(target) = target {
                    changes.push(ChatChange::Redact {
                        room_id: room_id.to_owned(),
                        target,
                    });
                }
            }
            "m.room.message" | "m.sticker" | "m.room.encrypted" => {
                let redacted = event.unsigned.get("redacted_because").is_some();
                let txn_id = event
                    .unsigned
                    .get("transaction_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let content = super::content::read(&event.kind, &event.content);
                if let Some(target) = content.replaces.clone() {
                    if !redacted {
                        changes.push(ChatChange::Edit {
                            room_id: room_id.to_owned(),
                            target,
                            sender: sender.to_owned(),
                            event_id: event_id.to_owned(),
                            time_ms,
                            body: content.body,
                            html: content.html,
                        });
                    }
                    continue;
                }
                changes.push(ChatChange::Message {
                    room_id: room_id.to_owned(),
                    message: Message {
                        event_id: event_id.to_owned(),
                        txn_id,
                        sender: sender.to_owned(),
                        time_ms,
                        msgtype: content.msgtype,
                        body: if redacted {
                            String::new()
                        } else {
                            content.body
                        },
                        html: if redacted { None } else { content.html },
                        reply_to: content.reply_to,
                        thread_root: content.thread_root,
                        encrypted: content.encrypted,
                        redacted,
                        unread: sender != own_user,
                    },
                });
                // The server bundles the latest edit with the original (Matrix 1.7).
                if let Some(edit) = event.unsigned.pointer("/m.relations/m.replace") {
                    if let Ok(edit) = serde_json::from_value::<Event>(edit.clone()) {
                        let edited = super::content::read(&edit.kind, &edit.content);
                        if let (Some(edit_id), Some(edit_sender), Some(_)) =
                            (edit.event_id, edit.sender, edited.replaces)
                        {
                            if !redacted {
                                changes.push(ChatChange::Edit {
                                    room_id: room_id.to_owned(),
                                    target: event_id.to_owned(),
                                    sender: edit_sender,
                                    event_id: edit_id,
                                    time_ms: edit.origin_server_ts.unwrap_or(time_ms),
                                    body: edited.body,
                                    html: edited.html,
                                });
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// The events the user has read up to, by its own read receipt (m.read, m.read.private) of
/// the main timeline (a receipt inside a thread reads only that thread) and its read marker
/// (m.fully_read).
fn read_markers(ephemeral: &[Event], account_data: &[Event], own_user: &str) -> Vec<String> {
    let mut markers = Vec::new();
    for event in ephemeral.iter().filter(|e| e.kind == "m.receipt") {
        let Some(receipts) = event.content.as_object() else {
            continue;
        };
        for (event_id, kinds) in receipts {
            let ours = ["m.read", "m.read.private"].iter().any(|kind| {
                kinds
                    .get(*kind)
                    .and_then(|k| k.get(own_user))
                    .is_some_and(|receipt| {
                        receipt
                            .get("thread_id")
                            .and_then(Value::as_str)
                            .is_none_or(|thread| thread == "main")
                    })
            });
            if ours {
                markers.push(event_id.clone());
            }
        }
    }
    for event in account_data.iter().filter(|e| e.kind == "m.fully_read") {
        if let Some(id) = event.content.get("event_id").and_then(Value::as_str) {
            markers.push(id.to_owned());
        }
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> Event {
        serde_json::from_value(value).expect("event")
    }

    fn message(id: &str, sender: &str, ts: i64, body: &str) -> Event {
        event(json!({
            "type": "m.room.message", "event_id": id, "sender": sender, "origin_server_ts": ts,
            "content": {"msgtype": "m.text", "body": body}
        }))
    }

    fn sync_with(room: JoinedRoom) -> SyncResponse {
        let mut sync = SyncResponse {
            next_batch: "s2".into(),
            ..SyncResponse::default()
        };
        sync.rooms.join.insert("!r:x".into(), room);
        sync
    }

    fn plan(room: JoinedRoom) -> Vec<ChatChange> {
        plan_sync(&sync_with(room), &BTreeMap::new(), "@me:x")
    }

    fn messages(changes: &[ChatChange]) -> Vec<&Message> {
        changes
            .iter()
            .filter_map(|c| match c {
                ChatChange::Message { message, .. } => Some(message),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn messages_come_oldest_first_and_own_ones_are_read() {
        let mut room = JoinedRoom::default();
        room.timeline.events = vec![
            message("$1", "@bob:x", 1, "hello"),
            message("$2", "@me:x", 2, "hi bob"),
        ];
        let changes = plan(room);
        let got = messages(&changes);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].event_id.as_str(), got[0].unread), ("$1", true));
        assert_eq!((got[1].event_id.as_str(), got[1].unread), ("$2", false));
    }

    #[test]
    fn state_names_the_room_and_members_come_before_the_messages() {
        let mut room = JoinedRoom::default();
        room.state.events = vec![
            event(
                json!({"type": "m.room.name", "state_key": "", "event_id": "$n", "sender": "@bob:x",
                "content": {"name": "Team"}}),
            ),
            event(
                json!({"type": "m.room.member", "state_key": "@bob:x", "event_id": "$m", "sender": "@bob:x",
                "content": {"membership": "join", "displayname": "Bob"}}),
            ),
            event(
                json!({"type": "m.room.encryption", "state_key": "", "event_id": "$e", "sender": "@bob:x",
                "content": {"algorithm": "m.megolm.v1.aes-sha2"}}),
            ),
        ];
        room.timeline.events = vec![message("$1", "@bob:x", 1, "hello")];
        let changes = plan(room);
        let member = changes
            .iter()
            .position(|c| matches!(c, ChatChange::Member { name, .. } if name == "Bob"));
        let first_message = changes
            .iter()
            .position(|c| matches!(c, ChatChange::Message { .. }));
        assert!(member < first_message, "{changes:#?}");
        let update = changes.iter().find_map(|c| match c {
            ChatChange::Room { update, .. } => Some(update.clone()),
            _ => None,
        });
        let update = update.expect("room");
        assert_eq!(update.explicit_name.as_deref(), Some("Team"));
        assert_eq!(update.encrypted, Some(true));
        assert_eq!(update.membership.as_deref(), Some("join"));
    }

    #[test]
    fn edits_redactions_and_encrypted_events() {
        let mut room = JoinedRoom::default();
        room.timeline.events = vec![
            message("$1", "@bob:x", 1, "helo"),
            event(
                json!({"type": "m.room.message", "event_id": "$2", "sender": "@bob:x", "origin_server_ts": 2,
                "content": {"msgtype": "m.text", "body": "* hello",
                    "m.new_content": {"msgtype": "m.text", "body": "hello"},
                    "m.relates_to": {"rel_type": "m.replace", "event_id": "$1"}}}),
            ),
            event(
                json!({"type": "m.room.redaction", "event_id": "$3", "sender": "@bob:x", "origin_server_ts": 3,
                "redacts": "$1", "content": {}}),
            ),
            event(
                json!({"type": "m.room.redaction", "event_id": "$4", "sender": "@bob:x", "origin_server_ts": 4,
                "content": {"redacts": "$9"}}),
            ),
            event(
                json!({"type": "m.room.encrypted", "event_id": "$5", "sender": "@bob:x", "origin_server_ts": 5,
                "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "xyz"}}),
            ),
            event(
                json!({"type": "m.room.message", "event_id": "$6", "sender": "@bob:x", "origin_server_ts": 6,
                "content": {}, "unsigned": {"redacted_because": {"type": "m.room.redaction"}}}),
            ),
        ];
        let changes = plan(room);
        assert!(changes.contains(&ChatChange::Edit {
            room_id: "!r:x".into(),
            target: "$1".into(),
            sender: "@bob:x".into(),
            event_id: "$2".into(),
            time_ms: 2,
            body: "hello".into(),
            html: None,
        }));
        assert!(changes.contains(&ChatChange::Redact {
            room_id: "!r:x".into(),
            target: "$1".into()
        }));
        assert!(changes.contains(&ChatChange::Redact {
            room_id: "!r:x".into(),
            target: "$9".into()
        }));
        let got = messages(&changes);
        assert_eq!(got.len(), 3, "the edit is not a message of its own");
        assert!(got[1].encrypted && got[1].body.is_empty());
        assert!(got[2].redacted && got[2].body.is_empty());
    }

    #[test]
    fn a_bundled_edit_applies_to_its_original() {
        let mut original = message("$1", "@bob:x", 1, "helo");
        original.unsigned = json!({"m.relations": {"m.replace": {
            "type": "m.room.message", "event_id": "$2", "sender": "@bob:x", "origin_server_ts": 2,
            "content": {"body": "* hello", "m.new_content": {"msgtype": "m.text", "body": "hello"},
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$1"}}}}});
        let mut room = JoinedRoom::default();
        room.timeline.events = vec![original];
        let changes = plan(room);
        assert!(
            matches!(changes.last(), Some(ChatChange::Edit { target, body, .. }) if target == "$1" && body == "hello")
        );
    }

    #[test]
    fn own_receipts_and_the_read_marker_are_read_markers_others_are_not() {
        let mut room = JoinedRoom::default();
        room.timeline.events = vec![message("$1", "@bob:x", 1, "a")];
        room.ephemeral.events = vec![event(json!({"type": "m.receipt", "content": {
            "$1": {"m.read": {"@me:x": {"ts": 5}}},
            "$0": {"m.read": {"@bob:x": {"ts": 5}}},
            "$t": {"m.read": {"@me:x": {"ts": 6, "thread_id": "$root"}}}
        }}))];
        room.account_data.events = vec![event(
            json!({"type": "m.fully_read", "content": {"event_id": "$1"}}),
        )];
        let changes = plan(room);
        let markers: Vec<&str> = changes
            .iter()
            .filter_map(|c| match c {
                ChatChange::ReadUpTo {
                    event_id, time_ms, ..
                } => {
                    assert_eq!(*time_ms, Some(1), "the time of the event in the answer");
                    Some(event_id.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(markers, ["$1", "$1"]);
        assert!(matches!(changes.last(), Some(ChatChange::ReadUpTo { .. })));
    }

    #[test]
    fn a_gap_is_filled_before_the_timeline_and_history_continues_from_its_end() {
        let mut room = JoinedRoom::default();
        room.timeline.limited = true;
        room.timeline.prev_batch = Some("p-timeline".into());
        room.timeline.events = vec![message("$3", "@bob:x", 3, "c")];
        let mut older = BTreeMap::new();
        older.insert(
            "!r:x".to_owned(),
            (
                vec![
                    message("$1", "@bob:x", 1, "a"),
                    message("$2", "@bob:x", 2, "b"),
                ],
                Some("p-gap".to_owned()),
            ),
        );
        let changes = plan_sync(&sync_with(room), &older, "@me:x");
        let ids: Vec<&str> = messages(&changes)
            .iter()
            .map(|m| m.event_id.as_str())
            .collect();
        assert_eq!(ids, ["$1", "$2", "$3"]);
        assert!(changes.contains(&ChatChange::History {
            room_id: "!r:x".into(),
            token: "p-gap".into()
        }));
        // A first sync without a gap: history continues before the timeline.
        let mut room = JoinedRoom::default();
        room.timeline.prev_batch = Some("p1".into());
        room.timeline.events = vec![message("$1", "@bob:x", 1, "a")];
        assert!(plan(room).contains(&ChatChange::History {
            room_id: "!r:x".into(),
            token: "p1".into()
        }));
    }

    #[test]
    fn invites_leaves_and_direct_chats() {
        let mut sync = SyncResponse {
            next_batch: "s".into(),
            ..SyncResponse::default()
        };
        sync.account_data.events = vec![event(
            json!({"type": "m.direct", "content": {"@bob:x": ["!d:x"], "@carol:x": ["!e:x", 5]}}),
        )];
        let mut invite = satu_matrix::InvitedRoom::default();
        invite.invite_state.events = vec![event(
            json!({"type": "m.room.name", "state_key": "", "content": {"name": "Party"}}),
        )];
        sync.rooms.invite.insert("!i:x".into(), invite);
        sync.rooms
            .leave
            .insert("!l:x".into(), satu_matrix::LeftRoom::default());
        let changes = plan_sync(&sync, &BTreeMap::new(), "@me:x");
        assert_eq!(
            changes.last(),
            Some(&ChatChange::DirectRooms(
                ["!d:x".to_owned(), "!e:x".to_owned()].into()
            ))
        );
        assert!(changes
            .iter()
            .any(|c| matches!(c, ChatChange::Room { room_id, update }
            if room_id == "!i:x" && update.membership.as_deref() == Some("invite")
                && update.explicit_name.as_deref() == Some("Party"))));
        assert!(changes
            .iter()
            .any(|c| matches!(c, ChatChange::Room { room_id, update }
            if room_id == "!l:x" && update.membership.as_deref() == Some("leave"))));
    }

    #[test]
    fn history_pages_arrive_newest_first_and_are_stored_oldest_first_and_read() {
        let page = vec![
            message("$2", "@bob:x", 2, "b"),
            message("$1", "@bob:x", 1, "a"),
        ];
        let changes = plan_history("!r:x", &page, &[], None, "@me:x");
        let got = messages(&changes);
        assert_eq!(got[0].event_id, "$1");
        assert!(got.iter().all(|m| !m.unread));
        assert_eq!(
            changes.last(),
            Some(&ChatChange::History {
                room_id: "!r:x".into(),
                token: String::new()
            })
        );
    }

    /// A random JSON value, biased towards the shapes events have.
    fn junk(rng: &mut fastrand::Rng, depth: u32) -> Value {
        const KEYS: &[&str] = &[
            "type",
            "event_id",
            "sender",
            "origin_server_ts",
            "content",
            "state_key",
            "redacts",
            "unsigned",
            "body",
            "msgtype",
            "format",
            "formatted_body",
            "m.relates_to",
            "m.new_content",
            "rel_type",
            "m.in_reply_to",
            "m.relations",
            "m.replace",
            "events",
            "timeline",
            "state",
            "ephemeral",
            "m.read",
            "displayname",
            "membership",
            "name",
        ];
        const WORDS: &[&str] = &[
            "m.room.message",
            "m.room.redaction",
            "m.room.encrypted",
            "m.room.member",
            "m.room.name",
            "m.receipt",
            "m.fully_read",
            "m.replace",
            "m.thread",
            "$1",
            "@me:x",
            "@bob:x",
            "org.matrix.custom.html",
            "<mx-reply>x</mx-reply>y",
            "> quote\n\nz",
            "",
        ];
        match (rng.u8(..8), depth) {
            (0, _) => Value::Null,
            (1, _) => json!(rng.bool()),
            (2, _) => json!(rng.i64(..)),
            (3 | 4, _) | (_, 0) => json!(WORDS[rng.usize(..WORDS.len())]),
            (5, _) => Value::Array((0..rng.usize(..4)).map(|_| junk(rng, depth - 1)).collect()),
            _ => Value::Object(
                (0..rng.usize(..6))
                    .map(|_| {
                        (
                            KEYS[rng.usize(..KEYS.len())].to_owned(),
                            junk(rng, depth - 1),
                        )
                    })
                    .collect(),
            ),
        }
    }

    #[test]
    fn mangled_events_and_rooms_never_panic() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..3000 {
            let events: Vec<Event> = (0..rng.usize(..6))
                .filter_map(|_| serde_json::from_value(junk(&mut rng, 4)).ok())
                .collect();
            let mut room = JoinedRoom::default();
            room.timeline.events = events.clone();
            room.state.events = events.clone();
            room.ephemeral.events = events.clone();
            room.account_data.events = events.clone();
            let mut sync = sync_with(room);
            sync.account_data.events = events.clone();
            let _ = plan_sync(&sync, &BTreeMap::new(), "@me:x");
            let _ = plan_history("!r:x", &events, &events, None, "@me:x");
            for event in &events {
                let _ = crate::matrix::content::read(&event.kind, &event.content);
            }
            // Whole answers too.
            if let Ok(sync) = serde_json::from_value::<SyncResponse>(junk(&mut rng, 6)) {
                let _ = plan_sync(&sync, &BTreeMap::new(), "@me:x");
            }
        }
    }

    #[test]
    fn events_without_id_or_sender_and_unknown_types_are_skipped() {
        let mut room = JoinedRoom::default();
        room.timeline.events = vec![
            event(json!({"type": "m.room.message", "content": {"body": "x"}})),
            event(json!({"type": "m.reaction", "event_id": "$r", "sender": "@b:x", "content": {}})),
            event(
                json!({"type": "m.room.message", "event_id": "$1", "sender": "@b:x",
                "content": "not an object"}),
            ),
        ];
        let changes = plan(room);
        let got = messages(&changes);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, "");
    }
}
