-- 0016: chat (Matrix). A Matrix account's rooms and direct chats are sources: rows of
-- `chat_rooms`, each with its back-pagination token, its read marker and its mute. Every
-- message is an item of kind `chat` with a `chat_messages` row: who sent it, its text
-- (formatted bodies sanitized like mail HTML), what it answers, whether it was edited or
-- redacted, and, for messages sent from here, the transaction id chosen before the first
-- attempt (the homeserver answers a repeated id with the same event, so a resend after a crash
-- never makes a second one). The `since` cursor of an account is its `source_cursors` row.

-- The device this account's access token belongs to (Matrix; '' for other accounts).
ALTER TABLE accounts ADD COLUMN device_id TEXT NOT NULL DEFAULT '';

CREATE TABLE chat_rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The Matrix room id (!opaque:server).
    room_id TEXT NOT NULL,
    -- The name shown: m.room.name, else the canonical alias, else the other members.
    name TEXT NOT NULL DEFAULT '',
    -- What naming needs, as the server last said: m.room.name, the alias and the heroes'
    -- names (user ids, space separated; their display names live in chat_members).
    explicit_name TEXT NOT NULL DEFAULT '',
    alias TEXT NOT NULL DEFAULT '',
    heroes TEXT NOT NULL DEFAULT '',
    topic TEXT NOT NULL DEFAULT '',
    -- A direct chat (m.direct).
    direct INTEGER NOT NULL DEFAULT 0 CHECK (direct IN (0, 1)),
    -- End-to-end encrypted (m.room.encryption): Satu shows that its messages cannot be read.
    encrypted INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
    membership TEXT NOT NULL DEFAULT 'join' CHECK (membership IN ('join', 'invite', 'leave')),
    -- No notifications for this room.
    muted INTEGER NOT NULL DEFAULT 0 CHECK (muted IN (0, 1)),
    -- The conversation key of its items (items.thread_id): the id of its first stored item.
    thread_key INTEGER,
    -- /messages token for older history; '' when the start of the room was reached.
    history_token TEXT NOT NULL DEFAULT '',
    -- The user's read marker: the event read up to here, and the one the server has (they
    -- differ while a read made here waits to be pushed).
    read_event TEXT NOT NULL DEFAULT '',
    read_synced TEXT NOT NULL DEFAULT '',
    -- The time of read_event (Unix ms; 0 before one): the messages up to it are read.
    read_time INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, room_id)
) STRICT;

-- Display names of room members, as their member events said.
CREATE TABLE chat_members (
    room INTEGER NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    membership TEXT NOT NULL DEFAULT 'join',
    PRIMARY KEY (room, user_id)
) STRICT;

CREATE TABLE chat_messages (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    room INTEGER NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    -- The event id; NULL while a message written here waits to be sent.
    event_id TEXT,
    -- The transaction id of a message sent from here ('' for others').
    txn_id TEXT NOT NULL DEFAULT '',
    -- The sender's user id.
    sender TEXT NOT NULL,
    msgtype TEXT NOT NULL DEFAULT 'm.text',
    -- The text as shown (the reply fallback removed; the latest edit's text once edited).
    body TEXT NOT NULL DEFAULT '',
    -- Sanitized HTML of a formatted body (NULL when plain).
    html TEXT,
    -- The event it answers (m.in_reply_to) and the root of its thread (m.thread), '' when none.
    reply_to TEXT NOT NULL DEFAULT '',
    thread_root TEXT NOT NULL DEFAULT '',
    -- The latest edit applied (its event id, '' when not edited) and its time (Unix ms).
    edit_event TEXT NOT NULL DEFAULT '',
    edited_at INTEGER NOT NULL DEFAULT 0,
    -- Removed by its sender or a moderator: the text is gone.
    redacted INTEGER NOT NULL DEFAULT 0 CHECK (redacted IN (0, 1)),
    -- An m.room.encrypted event Satu cannot decrypt.
    encrypted INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
    -- Sending (messages written here): queued → sent, or failed with the reason. Messages from
    -- the server are 'sent'.
    state TEXT NOT NULL DEFAULT 'sent' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix ms of the next attempt.
    next_attempt INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE UNIQUE INDEX chat_messages_event ON chat_messages (account_id, event_id) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX chat_messages_txn ON chat_messages (account_id, txn_id) WHERE txn_id != '';
CREATE INDEX chat_messages_room ON chat_messages (room, event_id);
CREATE INDEX chat_messages_queued ON chat_messages (next_attempt) WHERE state = 'queued';

-- A task made from a chat message names it by a matrix: URI (roomid/ROOM/e/EVENT), as a task
-- made from mail names its mail by Message-ID; '' when not made from chat.
ALTER TABLE tasks ADD COLUMN chat_link TEXT NOT NULL DEFAULT '';
-- The chat message a task was made from is the chat item pointing at it.
CREATE INDEX items_task ON items (task_id) WHERE task_id IS NOT NULL;
