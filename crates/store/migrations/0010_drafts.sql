-- 0010: drafts, saved here as the user types and kept in the account's Drafts folder (replaced
-- by each new revision), until sent or discarded.

CREATE TABLE drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Addresses one per line, as typed.
    to_addrs TEXT NOT NULL DEFAULT '',
    cc_addrs TEXT NOT NULL DEFAULT '',
    bcc_addrs TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    reply_to_item INTEGER REFERENCES items (id) ON DELETE SET NULL,
    forward_of INTEGER REFERENCES items (id) ON DELETE SET NULL,
    -- Unix milliseconds of the last save.
    updated_at INTEGER NOT NULL,
    -- Bumped by every save; the Drafts folder holds `synced_revision`.
    revision INTEGER NOT NULL DEFAULT 1,
    synced_revision INTEGER NOT NULL DEFAULT 0,
    -- Message-ID of the copy in the Drafts folder ('' when none), and of a copy being uploaded
    -- (set before the APPEND: after a crash the next upload looks for it instead of adding one
    -- more copy).
    server_message_id TEXT NOT NULL DEFAULT '',
    pending_message_id TEXT NOT NULL DEFAULT '',
    -- Sent or discarded: gone from the window; the row stays until its copy left Drafts.
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
