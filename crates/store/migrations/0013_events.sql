-- 0013: calendar events (VEVENT) synced with CalDAV calendars, and what was deleted here but
-- not yet on the server.
--
-- An event item is one calendar object resource: a series (or single event) with its
-- exceptions (RECURRENCE-ID instances), kept whole in `ics` so that nothing Satu does not show
-- (alarms, attendees' answers, X- properties, VTIMEZONEs) is lost when it is edited here. The
-- columns beside it are what the views read, taken from the series' master VEVENT. Every
-- instance within the expansion horizon is a row of `event_occurrences`, so a day, week or
-- month view is one index range.

CREATE TABLE events (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    -- iCalendar UID.
    uid TEXT NOT NULL,
    -- Where it lives; NULL for an event not on any server (a local store, an invitation not
    -- answered yet).
    calendar_id INTEGER REFERENCES calendars (id) ON DELETE SET NULL,
    -- Its href and etag ('' before the first push).
    href TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    -- The whole object as it is here (the server's, or with the user's edits).
    ics TEXT NOT NULL,
    -- The object as last agreed with the server ('' before that): what a merge compares both
    -- sides with.
    base_ics TEXT NOT NULL DEFAULT '',
    -- The server's version while the user decides a conflict ('' when none).
    conflict_ics TEXT NOT NULL DEFAULT '',
    -- The master's start and end, Unix milliseconds (all-day: local midnights, end exclusive).
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    all_day INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
    -- The IANA zone of DTSTART ('' for UTC, floating and all-day).
    time_zone TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    -- RRULE value ('' when it does not repeat).
    rrule TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'confirmed',
    -- Occurrences are stored up to here (Unix ms); NULL when the series ends before it.
    -- A view beyond it expands the series on the fly.
    expanded_until INTEGER,
    -- Local revision; > synced_revision means changes to push.
    revision INTEGER NOT NULL DEFAULT 1,
    synced_revision INTEGER NOT NULL DEFAULT 0,
    -- Why the last sync could not settle it ('' when it did).
    sync_error TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX events_uid ON events (uid);
CREATE INDEX events_unsynced ON events (item_id) WHERE revision > synced_revision;
CREATE INDEX events_href ON events (calendar_id, href) WHERE href != '';

-- Every instance of an event within its expansion horizon.
CREATE TABLE event_occurrences (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    -- The instance's original start (its RECURRENCE-ID); NULL for a single event.
    recurrence_ms INTEGER,
    -- An exception can rename or move one instance.
    title TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'confirmed',
    all_day INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1))
) STRICT;

CREATE INDEX event_occurrences_start ON event_occurrences (start_ms);
CREATE INDEX event_occurrences_item ON event_occurrences (item_id);

-- Tasks and events deleted here that the server still has: each is a DELETE with If-Match
-- waiting for the next sync (a 412 means it changed there meanwhile: it comes back).
CREATE TABLE dav_deletions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    href TEXT NOT NULL,
    etag TEXT NOT NULL,
    uid TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    UNIQUE (calendar_id, href)
) STRICT;
