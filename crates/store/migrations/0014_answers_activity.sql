-- 0014: the user's answers to invitations (iMIP), and what happened in the conversation of a
-- task made from mail.

-- Answers by event UID: what the invitation mail shows after answering, also when the answer
-- was "declined" and no event was kept.
CREATE TABLE invitation_answers (
    uid TEXT PRIMARY KEY,
    -- ACCEPTED, TENTATIVE or DECLINED.
    partstat TEXT NOT NULL,
    -- Unix milliseconds.
    answered_at INTEGER NOT NULL
) STRICT;

-- A message that arrived in the conversation of the mail a task was made from, after the task
-- was made ("one message updates progress"), and the status it moved the task to ('' when it
-- did not move it: the setting is off, or the task was past that).
CREATE TABLE task_activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    moved_to TEXT NOT NULL DEFAULT '',
    UNIQUE (task_id, item_id)
) STRICT;

CREATE INDEX task_activity_item ON task_activity (item_id);
