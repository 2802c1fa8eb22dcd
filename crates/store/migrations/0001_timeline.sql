-- 0001: the unified timeline and mail.
-- Shipped migrations are never edited: add a new numbered file instead (see migrations/NOTES.md).

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('imap', 'local')),
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    imap_host TEXT NOT NULL DEFAULT '',
    imap_port INTEGER NOT NULL DEFAULT 0,
    smtp_host TEXT NOT NULL DEFAULT '',
    smtp_port INTEGER NOT NULL DEFAULT 0,
    security TEXT NOT NULL DEFAULT 'tls' CHECK (security IN ('tls', 'starttls', 'plain')),
    username TEXT NOT NULL DEFAULT '',
    -- Path of an extra trusted certificate or CA (PEM) for this account; '' when none.
    ca_file TEXT NOT NULL DEFAULT '',
    -- Unix seconds.
    created_at INTEGER NOT NULL
) STRICT;

-- One row per timeline item: a mail message, a chat message, a task or an event.
-- Kind-specific details live in their own tables (mail, ...).
CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Time-ordered key: (time in ms << 20) + a slot number free within that millisecond.
    -- The full-text index uses it as its rowid, so a match walked in rowid order is newest
    -- first and "first 50 results" never sorts the whole match set.
    sort_key INTEGER NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('mail', 'chat', 'task', 'event')),
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Unix milliseconds, UTC.
    time INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    sender_name TEXT NOT NULL DEFAULT '',
    -- '' when the item has no sender.
    sender_address TEXT NOT NULL DEFAULT '',
    unread INTEGER NOT NULL DEFAULT 1 CHECK (unread IN (0, 1)),
    flagged INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    -- Id of an item of the same thread (the thread's key); NULL when not threaded.
    thread_id INTEGER,
    snippet TEXT NOT NULL DEFAULT '',
    -- The task made from this item (mail -> task link); NULL when none.
    task_id INTEGER REFERENCES items (id) ON DELETE SET NULL
) STRICT;

CREATE INDEX items_kind_sort ON items (kind, sort_key);
CREATE INDEX items_account_sort ON items (account_id, sort_key);
CREATE INDEX items_unread_sort ON items (sort_key) WHERE unread = 1;
CREATE INDEX items_thread ON items (thread_id);

-- Full-text index over every item. Contentless: the text lives in items/mail, the index
-- only maps words to sort keys.
CREATE VIRTUAL TABLE items_fts USING fts5 (
    title,
    sender,
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE mail (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Without angle brackets. Synthesized from a hash of the message when the header is missing.
    message_id TEXT NOT NULL,
    in_reply_to TEXT NOT NULL DEFAULT '',
    -- The References header's message ids, space separated, oldest first.
    refs TEXT NOT NULL DEFAULT '',
    -- Subject without Re:/Fwd: prefixes, lower case: the threading fallback.
    subject_key TEXT NOT NULL DEFAULT '',
    -- To and Cc as shown to the user.
    recipients TEXT NOT NULL DEFAULT '',
    body_text TEXT,
    -- Sanitized HTML (never the original).
    body_html TEXT,
    -- Size of the original message in bytes.
    size INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE UNIQUE INDEX mail_message_id ON mail (account_id, message_id);
CREATE INDEX mail_in_reply_to ON mail (account_id, in_reply_to);
CREATE INDEX mail_subject_key ON mail (account_id, subject_key);

-- The original bytes of each message, kept apart so that reading mail rows stays cheap.
CREATE TABLE mail_raw (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    raw BLOB NOT NULL
) STRICT;

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
) STRICT;

CREATE INDEX attachments_item ON attachments (item_id);

CREATE TABLE folders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Full name as the server spells it (decoded), or the local folder's name.
    name TEXT NOT NULL,
    delimiter TEXT NOT NULL DEFAULT '/',
    -- Special use (RFC 6154) or INBOX; '' for an ordinary folder.
    role TEXT NOT NULL DEFAULT '' CHECK (
        role IN ('', 'inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', 'all', 'flagged')
    ),
    selectable INTEGER NOT NULL DEFAULT 1 CHECK (selectable IN (0, 1)),
    UNIQUE (account_id, name)
) STRICT;

-- Which folders hold a message: one item per Message-ID, any number of folders.
CREATE TABLE mail_folders (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    -- IMAP UID in that folder (under uidvalidity); 0 for local folders.
    uid INTEGER NOT NULL DEFAULT 0,
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (item_id, folder_id)
) STRICT;

CREATE INDEX mail_folders_uid ON mail_folders (folder_id, uid);
