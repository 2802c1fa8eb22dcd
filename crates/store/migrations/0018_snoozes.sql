-- 0018: snoozed conversations. A snoozed mail (and, when it has one, its whole thread) leaves the
-- Inbox until `until`; then it comes back to the top of the Inbox, unread, and the row goes.
CREATE TABLE snoozes (
    -- The mail snoozed (the conversation's message the user chose).
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    -- Its thread's key when snoozed: every message of that thread leaves the Inbox; NULL when
    -- the mail has no thread.
    thread_id INTEGER,
    -- Unix milliseconds, UTC.
    until INTEGER NOT NULL,
    -- The task that tells other devices of the snooze (a CalDAV task due at `until`), NULL when
    -- there is none (no task list set up).
    task_id INTEGER REFERENCES items (id) ON DELETE SET NULL,
    -- Unix milliseconds.
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX snoozes_until ON snoozes (until);
CREATE INDEX snoozes_thread ON snoozes (thread_id) WHERE thread_id IS NOT NULL;
