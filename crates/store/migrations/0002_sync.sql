-- 0002: sync cursors, the queue of pending remote operations and the change feed.

-- IMAP cursors per folder (RFC 3501 UIDVALIDITY/UIDNEXT, RFC 7162 HIGHESTMODSEQ).
CREATE TABLE imap_sync (
    folder_id INTEGER PRIMARY KEY REFERENCES folders (id) ON DELETE CASCADE,
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    uid_next INTEGER NOT NULL DEFAULT 0,
    -- 0 when the server has no CONDSTORE.
    highest_modseq INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds of the last completed pass over this folder.
    synced_at INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Opaque cursors of the other sources: a CalDAV collection's sync-token (RFC 6578), Matrix `since`.
CREATE TABLE source_cursors (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    source TEXT NOT NULL CHECK (source IN ('caldav', 'matrix')),
    -- CalDAV collection href; '' for a Matrix account.
    collection TEXT NOT NULL,
    cursor TEXT NOT NULL,
    -- Unix seconds.
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, source, collection)
) STRICT;

-- Pending remote operations. A user action writes its local change and its row here in one
-- transaction; a worker pushes it to the server and deletes the row when the server has it.
CREATE TABLE ops (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The item acted on, when there is one.
    item_id INTEGER REFERENCES items (id) ON DELETE SET NULL,
    -- What to do, e.g. 'set_flags', 'move'; the payload (JSON) says with what.
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    -- 'pending' until done (then deleted); 'wedged' after too many failures: shown to the
    -- user with a retry button, never dropped silently.
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'wedged')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Unix seconds; the worker leaves the row alone before then (backoff).
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX ops_due ON ops (state, next_attempt_at);

-- The change feed, written in the same transaction as the change it describes. Other
-- processes (`satu watch`, the app) tail it by seq. Old rows are trimmed.
CREATE TABLE change_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change TEXT NOT NULL CHECK (change IN ('added', 'updated', 'removed')),
    -- No foreign key: the record of a removal outlives the item.
    item_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    -- Unix seconds.
    at INTEGER NOT NULL
) STRICT;
