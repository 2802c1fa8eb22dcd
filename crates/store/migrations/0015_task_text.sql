-- 0015: a task keeps its whole VTODO as the server last sent it (or as pushed from here), so
-- that what Satu does not edit (PRIORITY, PERCENT-COMPLETE, RELATED-TO, alarms, categories, X-
-- properties) survives its edits; beside it, what the views read of it. And a task's own title
-- can change here (revision + 1), like its status and due date.

ALTER TABLE tasks ADD COLUMN ics TEXT NOT NULL DEFAULT '';
-- PRIORITY (RFC 5545: 1 highest … 9 lowest, 0 none).
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
-- PERCENT-COMPLETE, 0 to 100.
ALTER TABLE tasks ADD COLUMN percent INTEGER NOT NULL DEFAULT 0;
-- RELATED-TO: the UID of the parent task ('' when none).
ALTER TABLE tasks ADD COLUMN related_to TEXT NOT NULL DEFAULT '';
