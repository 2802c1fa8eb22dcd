-- 0007: tasks (shaped like an iCalendar VTODO, so that the CalDAV sync can carry them), the
-- Flagged view's index, the user's settings, per-account notification mute and whether an
-- account shows in the unified timeline, and the senders whose remote images load.

-- The task-specific part of an item of kind 'task' (its title, time and account are in items).
CREATE TABLE tasks (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    -- iCalendar UID (RFC 5545), assigned once when the task is made.
    uid TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'needs-action'
        CHECK (status IN ('needs-action', 'in-process', 'completed', 'cancelled')),
    -- Unix milliseconds, UTC; NULL when the task has no due date.
    due INTEGER,
    -- Unix milliseconds when it was completed; NULL while it is not.
    completed_at INTEGER,
    description TEXT NOT NULL DEFAULT '',
    -- The mail the task was made from, by Message-ID (without angle brackets; the RFC 2392
    -- `mid:` link that other devices can follow), in the task's account; '' when none. Kept by
    -- Message-ID, not item id, so the link survives the mail being moved, re-fetched or deleted.
    mail_message_id TEXT NOT NULL DEFAULT '',
    -- Unix milliseconds.
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX tasks_mail ON tasks (mail_message_id) WHERE mail_message_id != '';

-- The Flagged view of the timeline, as fast as the Unread one.
CREATE INDEX items_flagged_sort ON items (sort_key) WHERE flagged = 1;

-- The user's settings: a few keys with text values (see the store's `Setting`).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Whether new mail of the account raises a desktop notification (0: muted).
ALTER TABLE accounts ADD COLUMN notify INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1));

-- Whether the account's items show in the unified views (All, Unread, Flagged, Tasks); an
-- excluded account is still synced and has its own view.
ALTER TABLE accounts ADD COLUMN in_timeline INTEGER NOT NULL DEFAULT 1 CHECK (in_timeline IN (0, 1));

-- Senders whose mail loads remote content (images) without asking: the user chose "always for
-- this sender". Addresses in lower case.
CREATE TABLE remote_content_senders (
    address TEXT PRIMARY KEY
) STRICT;
