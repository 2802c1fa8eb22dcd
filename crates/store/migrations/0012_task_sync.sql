-- 0012: tasks synced with CalDAV task lists as VTODOs. Each task knows where it lives on the
-- server (calendar, href, etag), whether it has local changes to push (revision >
-- synced_revision), the version last agreed with the server (what a merge compares both sides
-- with), and why the last sync could not settle it (a conflict the user sees and resolves).

ALTER TABLE tasks ADD COLUMN calendar_id INTEGER REFERENCES calendars (id) ON DELETE SET NULL;
ALTER TABLE tasks ADD COLUMN href TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN synced_revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN base_title TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN base_status TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN base_due INTEGER;
ALTER TABLE tasks ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';

CREATE INDEX tasks_unsynced ON tasks (item_id) WHERE revision > synced_revision;
CREATE INDEX tasks_href ON tasks (calendar_id, href) WHERE href != '';
