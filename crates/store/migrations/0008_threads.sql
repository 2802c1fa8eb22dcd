-- 0008: the timeline grouped by thread. Finding a thread's newest item in a view, its size and
-- its unread count walk one index instead of every member's row.

DROP INDEX items_thread;
CREATE INDEX items_thread_sort ON items (thread_id, sort_key, unread);
