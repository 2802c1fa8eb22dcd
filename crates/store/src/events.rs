//! Calendar events: one item per calendar object resource (a series with its exceptions, or a
//! single event), the whole iCalendar text kept, what the views read beside it, and every
//! instance within the expansion horizon in `event_occurrences`. What the text means (time
//! zones, recurrence, merging) is the core's business; the store keeps what it is given, each
//! write in the caller's transaction, and records the change for the feed.
//!
//! Beside the text an event keeps its href and etag, `revision` against `synced_revision` (ahead:
//! changes to push), the text last agreed with the server (`base_ics`, the merge base) and the
//! server's version while a conflict waits (`conflict_ics`). `event_occurrences` makes a day, week
//! or month one index range. `dav_deletions` holds tasks and events deleted here whose DELETE
//! with `If-Match` waits for the next pass; `invitation_answers` the answers given to invitations.

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _, Row};

use crate::items::free_sort_key;
use crate::{ChangeKind, ItemKind, Person, Tx};

/// What the core read from an event's iCalendar text: the master's fields and its instances.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventRecord {
    /// UID.
    pub uid: String,
    /// SUMMARY.
    pub title: String,
    /// DESCRIPTION.
    pub description: String,
    /// The master's start, Unix ms (all-day: local midnight).
    pub start_ms: i64,
    /// Its end (exclusive).
    pub end_ms: i64,
    /// A date, not a time.
    pub all_day: bool,
    /// IANA zone of DTSTART ('' when none).
    pub time_zone: String,
    /// LOCATION.
    pub location: String,
    /// RRULE ('' when it does not repeat).
    pub rrule: String,
    /// STATUS, lower case.
    pub status: String,
    /// ORGANIZER (shown as the item's sender).
    pub organizer: Option<Person>,
    /// Its instances up to the horizon.
    pub occurrences: Vec<Occurrence>,
    /// Instances are stored up to here; `None` when the series ends before it.
    pub expanded_until: Option<i64>,
}

/// One instance of an event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Occurrence {
    /// Start, Unix ms.
    pub start_ms: i64,
    /// End (exclusive).
    pub end_ms: i64,
    /// Its RECURRENCE-ID (original start), `None` for a single event.
    pub recurrence_ms: Option<i64>,
    /// Its title (an exception can rename it).
    pub title: String,
    /// Its location.
    pub location: String,
    /// Its status.
    pub status: String,
    /// A date, not a time.
    pub all_day: bool,
}

/// An event as the sync and the editors see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncEvent {
    /// Item id.
    pub item_id: i64,
    /// Its account.
    pub account_id: i64,
    /// UID.
    pub uid: String,
    /// Its calendar (`None`: on no server).
    pub calendar_id: Option<i64>,
    /// Href ('' before the first push).
    pub href: String,
    /// Etag ('' before the first push).
    pub etag: String,
    /// The whole object as it is here.
    pub ics: String,
    /// As last agreed with the server ('' before that).
    pub base_ics: String,
    /// The server's version while a conflict waits for the user.
    pub conflict_ics: String,
    /// Local revision.
    pub revision: i64,
    /// The revision the server has.
    pub synced_revision: i64,
    /// Why the last sync could not settle it.
    pub sync_error: String,
    /// Title.
    pub title: String,
    /// Its instances are stored up to here (`None`: all of them are).
    pub expanded_until: Option<i64>,
}

/// An instance in a range, as a calendar view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccurrenceRow {
    /// The event's item id.
    pub item_id: i64,
    /// Its account.
    pub account_id: i64,
    /// Its calendar.
    pub calendar_id: Option<i64>,
    /// The instance.
    pub occurrence: Occurrence,
    /// Whether the event repeats.
    pub recurring: bool,
    /// Changed here, not on the server yet.
    pub pending: bool,
    /// Why the last sync could not settle it.
    pub sync_error: String,
}

/// The event part of a timeline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInfo {
    /// End, Unix ms (the start is the row's time).
    pub end_ms: i64,
    /// A date, not a time.
    pub all_day: bool,
    /// Location.
    pub location: String,
    /// Whether it repeats.
    pub recurring: bool,
}

const COLUMNS: &str =
    "e.item_id, i.account_id, e.uid, e.calendar_id, e.href, e.etag, e.ics, e.base_ics,
    e.conflict_ics, e.revision, e.synced_revision, e.sync_error, i.title, e.expanded_until";

fn from_row(row: &Row<'_>) -> rusqlite::Result<SyncEvent> {
    Ok(SyncEvent {
        item_id: row.get(0)?,
        account_id: row.get(1)?,
        uid: row.get(2)?,
        calendar_id: row.get(3)?,
        href: row.get(4)?,
        etag: row.get(5)?,
        ics: row.get(6)?,
        base_ics: row.get(7)?,
        conflict_ics: row.get(8)?,
        revision: row.get(9)?,
        synced_revision: row.get(10)?,
        sync_error: row.get(11)?,
        title: row.get(12)?,
        expanded_until: row.get(13)?,
    })
}

fn events_where(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<SyncEvent>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events e JOIN items i ON i.id = e.item_id WHERE {filter} ORDER BY e.item_id"
    ))?;
    let rows = stmt.query_map(args, from_row)?;
    rows.collect::<rusqlite::Result<_>>()
        .context("Cannot read the events")
}

impl crate::Store {
    /// One event.
    pub fn event(&self, item_id: i64) -> Result<Option<SyncEvent>> {
        self.read(|conn| Ok(events_where(conn, "e.item_id = ?1", [item_id])?.pop()))
    }

    /// The events of a UID (in any calendar, or in none).
    pub fn events_by_uid(&self, uid: &str) -> Result<Vec<SyncEvent>> {
        self.read(|conn| events_where(conn, "e.uid = ?1", [uid]))
    }

    /// The event at `href` of a calendar.
    pub fn event_at(&self, calendar_id: i64, href: &str) -> Result<Option<SyncEvent>> {
        self.read(|conn| {
            Ok(events_where(
                conn,
                "e.calendar_id = ?1 AND e.href = ?2 AND e.href != ''",
                params![calendar_id, href],
            )?
            .pop())
        })
    }

    /// Events with local changes to push (conflicts waiting for the user left out).
    pub fn unsynced_events(&self) -> Result<Vec<SyncEvent>> {
        self.read(|conn| {
            events_where(
                conn,
                "e.revision > e.synced_revision AND e.sync_error = '' AND e.calendar_id IS NOT NULL",
                [],
            )
        })
    }

    /// The events of a calendar (for an export).
    pub fn calendar_events(&self, calendar_id: Option<i64>) -> Result<Vec<SyncEvent>> {
        self.read(|conn| events_where(conn, "?1 IS NULL OR e.calendar_id = ?1", [calendar_id]))
    }

    /// Repeating events whose stored instances end before `to_ms` (a view beyond them expands
    /// them on the fly).
    pub fn series_expanded_before(&self, to_ms: i64) -> Result<Vec<SyncEvent>> {
        self.read(|conn| {
            events_where(
                conn,
                "e.expanded_until IS NOT NULL AND e.expanded_until < ?1",
                [to_ms],
            )
        })
    }

    /// Every href and etag the store knows in a calendar (tasks and events): what a sync
    /// without sync-collection compares the server's listing with.
    pub fn calendar_etags(&self, calendar_id: i64) -> Result<Vec<(String, String)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT href, etag FROM events WHERE calendar_id = ?1 AND href != ''
                 UNION ALL SELECT href, etag FROM tasks WHERE calendar_id = ?1 AND href != ''",
            )?;
            let rows = stmt.query_map([calendar_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the calendar's etags")
        })
    }

    /// The etag the store holds for `href` in a calendar (task or event), if it knows it.
    pub fn etag_at(&self, calendar_id: i64, href: &str) -> Result<Option<String>> {
        self.read(|conn| {
            conn.prepare_cached(
                "SELECT etag FROM events WHERE calendar_id = ?1 AND href = ?2
                 UNION ALL SELECT etag FROM tasks WHERE calendar_id = ?1 AND href = ?2",
            )?
            .query_row(rusqlite::params![calendar_id, href], |r| r.get(0))
            .optional()
            .context("Cannot read a calendar resource's etag")
        })
    }

    /// The instances overlapping `[from_ms, to_ms)`, by start. `calendars`: only these (empty:
    /// all).
    pub fn occurrences(
        &self,
        from_ms: i64,
        to_ms: i64,
        calendars: &[i64],
    ) -> Result<Vec<OccurrenceRow>> {
        self.read(|conn| {
            // Instances start before `to`; the longest one bounds how early an overlapping
            // one can start, so the index range stays short.
            let longest: i64 = conn
                .query_row(
                    "SELECT coalesce(max(end_ms - start_ms), 0) FROM event_occurrences",
                    [],
                    |r| r.get(0),
                )
                .context("Cannot read the events")?;
            let mut stmt = conn.prepare_cached(
                "SELECT o.item_id, i.account_id, e.calendar_id, o.start_ms, o.end_ms, o.recurrence_ms, o.title,
                     o.location, o.status, o.all_day, e.rrule != '', e.revision > e.synced_revision, e.sync_error
                 FROM event_occurrences o JOIN events e ON e.item_id = o.item_id JOIN items i ON i.id = o.item_id
                 WHERE o.start_ms >= ?1 AND o.start_ms < ?2 AND o.end_ms > ?3
                 ORDER BY o.start_ms, o.item_id",
            )?;
            let rows = stmt.query_map(
                params![from_ms.saturating_sub(longest), to_ms, from_ms],
                |r| {
                    Ok(OccurrenceRow {
                        item_id: r.get(0)?,
                        account_id: r.get(1)?,
                        calendar_id: r.get(2)?,
                        occurrence: Occurrence {
                            start_ms: r.get(3)?,
                            end_ms: r.get(4)?,
                            recurrence_ms: r.get(5)?,
                            title: r.get(6)?,
                            location: r.get(7)?,
                            status: r.get(8)?,
                            all_day: r.get(9)?,
                        },
                        recurring: r.get(10)?,
                        pending: r.get(11)?,
                        sync_error: r.get(12)?,
                    })
                },
            )?;
            let mut rows = rows
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the events")?;
            if !calendars.is_empty() {
                rows.retain(|r| r.calendar_id.is_some_and(|c| calendars.contains(&c)));
            }
            Ok(rows)
        })
    }

    /// Tasks and events deleted here that the server still has, for one calendar.
    pub fn dav_deletions(&self, calendar_id: i64) -> Result<Vec<(i64, String, String, String)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, href, etag, title FROM dav_deletions WHERE calendar_id = ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([calendar_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()
                .context("Cannot read the deletions to push")
        })
    }

    /// The user's answer to the invitation to event `uid` (PARTSTAT), if any.
    pub fn invitation_answer(&self, uid: &str) -> Result<Option<String>> {
        self.read(|conn| {
            use rusqlite::OptionalExtension as _;
            conn.query_row(
                "SELECT partstat FROM invitation_answers WHERE uid = ?1",
                [uid],
                |r| r.get(0),
            )
            .optional()
            .context("Cannot read the invitation's answer")
        })
    }
}

impl Tx<'_> {
    /// The event at `href` of a calendar (in this transaction).
    pub fn event_at(&self, calendar_id: i64, href: &str) -> Result<Option<SyncEvent>> {
        Ok(events_where(
            self.conn(),
            "e.calendar_id = ?1 AND e.href = ?2 AND e.href != ''",
            params![calendar_id, href],
        )?
        .pop())
    }

    /// The events of a UID (in this transaction).
    pub fn events_by_uid(&self, uid: &str) -> Result<Vec<SyncEvent>> {
        events_where(self.conn(), "e.uid = ?1", [uid])
    }

    fn write_occurrences(&mut self, item_id: i64, record: &EventRecord) -> Result<()> {
        self.conn()
            .prepare_cached("DELETE FROM event_occurrences WHERE item_id = ?1")?
            .execute([item_id])
            .context("Cannot update the event's instances")?;
        let mut stmt = self.conn().prepare_cached(
            "INSERT INTO event_occurrences (item_id, start_ms, end_ms, recurrence_ms, title, location, status, all_day)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for o in &record.occurrences {
            stmt.execute(params![
                item_id,
                o.start_ms,
                o.end_ms,
                o.recurrence_ms,
                o.title,
                o.location,
                o.status,
                o.all_day
            ])
            .context("Cannot store the event's instances")?;
        }
        Ok(())
    }

    /// A new event item. `synced`: it is the server's version at `href`/`etag` (else a local
    /// one, to be pushed to `calendar_id`). Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_event(
        &mut self,
        account_id: i64,
        calendar_id: Option<i64>,
        href: &str,
        etag: &str,
        ics: &str,
        record: &EventRecord,
        synced: bool,
    ) -> Result<i64> {
        let sort_key = free_sort_key(self.conn(), record.start_ms)?;
        let snippet: String = record.description.chars().take(200).collect();
        let (sender_name, sender_address) = sender(record);
        self.conn()
            .prepare_cached("INSERT INTO items (sort_key, kind, account_id, time, title, sender_name, sender_address, unread,
                     flagged, snippet)
                 VALUES (?1, 'event', ?2, ?3, ?4, ?5, ?6, 0, 0, ?7)")?
                .execute(params![
                    sort_key,
                    account_id,
                    record.start_ms,
                    record.title,
                    sender_name,
                    sender_address,
                    snippet
                ],
            )
            .context("Cannot store the event")?;
        let id = self.conn().last_insert_rowid();
        let revision_synced = i64::from(synced);
        self.conn()
            .prepare_cached("INSERT INTO events (item_id, uid, calendar_id, href, etag, ics, base_ics, start_ms, end_ms, all_day,
                     time_zone, location, rrule, status, expanded_until, revision, synced_revision)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?16 THEN ?6 ELSE '' END, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                     1, ?15)")?
                .execute(params![
                    id,
                    record.uid,
                    calendar_id,
                    href,
                    etag,
                    ics,
                    record.start_ms,
                    record.end_ms,
                    record.all_day,
                    record.time_zone,
                    record.location,
                    record.rrule,
                    record.status,
                    record.expanded_until,
                    revision_synced,
                    synced
                ],
            )
            .context("Cannot store the event's details")?;
        self.conn()
            .prepare_cached(
                "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                sort_key,
                record.title,
                format!("{sender_name} {sender_address}"),
                format!("{}\n{}", record.location, record.description)
            ])
            .context("Cannot index the event for search")?;
        self.write_occurrences(id, record)?;
        self.record(ChangeKind::Added, id, ItemKind::Event, &record.title)?;
        Ok(id)
    }

    /// Replaces an event's text and what is read from it; moves the item in the timeline when
    /// its start changed. Records an update.
    fn set_event_content(&mut self, item_id: i64, ics: &str, record: &EventRecord) -> Result<()> {
        let (time, sort_key): (i64, i64) = self
            .conn()
            .query_row(
                "SELECT time, sort_key FROM items WHERE id = ?1",
                [item_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .context("Cannot read the event")?;
        let key = if time == record.start_ms {
            sort_key
        } else {
            free_sort_key(self.conn(), record.start_ms)?
        };
        let snippet: String = record.description.chars().take(200).collect();
        let (sender_name, sender_address) = sender(record);
        self.conn()
            .execute("DELETE FROM items_fts WHERE rowid = ?1", [sort_key])
            .context("Cannot update the search index")?;
        self.conn()
            .prepare_cached("UPDATE items SET sort_key = ?2, time = ?3, title = ?4, sender_name = ?5, sender_address = ?6,
                     snippet = ?7 WHERE id = ?1")?
                .execute(params![
                    item_id,
                    key,
                    record.start_ms,
                    record.title,
                    sender_name,
                    sender_address,
                    snippet
                ],
            )
            .context("Cannot update the event")?;
        self.conn()
            .prepare_cached(
                "INSERT INTO items_fts (rowid, title, sender, body) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                key,
                record.title,
                format!("{sender_name} {sender_address}"),
                format!("{}\n{}", record.location, record.description)
            ])
            .context("Cannot index the event for search")?;
        self.conn()
            .prepare_cached("UPDATE events SET uid = ?2, ics = ?3, start_ms = ?4, end_ms = ?5, all_day = ?6, time_zone = ?7,
                     location = ?8, rrule = ?9, status = ?10, expanded_until = ?11
                 WHERE item_id = ?1")?
                .execute(params![
                    item_id,
                    record.uid,
                    ics,
                    record.start_ms,
                    record.end_ms,
                    record.all_day,
                    record.time_zone,
                    record.location,
                    record.rrule,
                    record.status,
                    record.expanded_until
                ],
            )
            .context("Cannot update the event")?;
        self.write_occurrences(item_id, record)?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Event, &record.title)
    }

    /// The user changed an event here: the new text, to be pushed.
    pub fn edit_event(&mut self, item_id: i64, ics: &str, record: &EventRecord) -> Result<()> {
        self.set_event_content(item_id, ics, record)?;
        self.conn()
            .prepare_cached("UPDATE events SET revision = revision + 1 WHERE item_id = ?1")?
            .execute([item_id])
            .context("Cannot record the event's change")?;
        Ok(())
    }

    /// The server's version (or a merge of it with local changes) at `href`/`etag`, whose own
    /// text `server_ics` is the agreed version from now on. `pending`: the text still has local
    /// changes to push.
    #[allow(clippy::too_many_arguments)]
    pub fn event_from_server(
        &mut self,
        item_id: i64,
        calendar_id: i64,
        href: &str,
        etag: &str,
        ics: &str,
        record: &EventRecord,
        server_ics: &str,
        pending: bool,
    ) -> Result<()> {
        self.set_event_content(item_id, ics, record)?;
        self.conn()
            .prepare_cached("UPDATE events SET calendar_id = ?2, href = ?3, etag = ?4, base_ics = ?5, conflict_ics = '',
                     sync_error = '',
                     revision = CASE WHEN ?6 THEN max(revision, synced_revision + 1) ELSE revision END,
                     synced_revision = CASE WHEN ?6 THEN synced_revision ELSE revision END
                 WHERE item_id = ?1")?
                .execute(params![item_id, calendar_id, href, etag, server_ics, pending],
            )
            .context("Cannot update the event")?;
        Ok(())
    }

    /// The server took revision `revision` (text `ics`) at `href` with `etag`.
    pub fn event_pushed(
        &mut self,
        item_id: i64,
        revision: i64,
        calendar_id: i64,
        href: &str,
        etag: &str,
        ics: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE events SET calendar_id = ?3, href = ?4, etag = ?5, base_ics = ?6, sync_error = '',
                     synced_revision = max(synced_revision, ?2)
                 WHERE item_id = ?1")?
                .execute(params![item_id, revision, calendar_id, href, etag, ics],
            )
            .context("Cannot record the pushed event")?;
        let title: String =
            self.conn()
                .query_row("SELECT title FROM items WHERE id = ?1", [item_id], |r| {
                    r.get(0)
                })?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Event, &title)
    }

    /// A conflict the user decides: why, and the server's version kept beside this one
    /// (`server_ics` with its `etag`; '' when the server deleted it).
    pub fn set_event_conflict(
        &mut self,
        item_id: i64,
        reason: &str,
        server_ics: &str,
        etag: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE events SET sync_error = ?2, conflict_ics = ?3,
                     etag = CASE WHEN ?4 = '' THEN etag ELSE ?4 END
                 WHERE item_id = ?1",
            )?
            .execute(params![item_id, reason, server_ics, etag])
            .context("Cannot record the event's conflict")?;
        let title: String =
            self.conn()
                .query_row("SELECT title FROM items WHERE id = ?1", [item_id], |r| {
                    r.get(0)
                })?;
        self.record(ChangeKind::Updated, item_id, ItemKind::Event, &title)
    }

    /// An event the server deleted that the user keeps: made anew there on the next push.
    pub fn event_recreate(&mut self, item_id: i64) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE events SET href = '', etag = '', base_ics = '', conflict_ics = '', sync_error = '',
                     revision = max(revision, synced_revision + 1)
                 WHERE item_id = ?1")?
                .execute([item_id],
            )
            .context("Cannot keep the event")?;
        Ok(())
    }

    /// Moves an event to another calendar (or to one, for an event on none): pushed there as
    /// new; the copy in the old calendar is deleted on the next sync.
    pub fn move_event(&mut self, item_id: i64, calendar_id: i64) -> Result<()> {
        self.forget_on_server(item_id)?;
        self.conn()
            .prepare_cached(
                "UPDATE events SET calendar_id = ?2, href = '', etag = '', base_ics = '',
                     revision = max(revision, synced_revision + 1)
                 WHERE item_id = ?1",
            )?
            .execute(params![item_id, calendar_id])
            .context("Cannot move the event")?;
        Ok(())
    }

    /// Queues the DELETE of the server's copy of an event, if it has one.
    fn forget_on_server(&mut self, item_id: i64) -> Result<()> {
        self.conn()
            .prepare_cached("INSERT INTO dav_deletions (calendar_id, href, etag, uid, title)
                 SELECT e.calendar_id, e.href, e.etag, e.uid, i.title FROM events e JOIN items i ON i.id = e.item_id
                 WHERE e.item_id = ?1 AND e.calendar_id IS NOT NULL AND e.href != ''
                 ON CONFLICT (calendar_id, href) DO UPDATE SET etag = excluded.etag")?
                .execute([item_id],
            )
            .context("Cannot queue the event's deletion")?;
        Ok(())
    }

    /// The user deleted an event: gone here at once, and from the server on the next sync.
    pub fn delete_event(&mut self, item_id: i64) -> Result<()> {
        self.forget_on_server(item_id)?;
        self.delete_item(item_id)
    }

    /// The server deleted an event: gone here too.
    pub fn remove_event(&mut self, item_id: i64) -> Result<()> {
        self.delete_item(item_id)
    }

    /// A queued deletion is done (or moot).
    pub fn deletion_done(&mut self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM dav_deletions WHERE id = ?1", [id])
            .context("Cannot record the deletion")?;
        Ok(())
    }

    /// Records the user's answer to the invitation to event `uid`.
    pub fn set_invitation_answer(&mut self, uid: &str, partstat: &str) -> Result<()> {
        let now = self.now() * 1000;
        self.conn()
            .prepare_cached("INSERT INTO invitation_answers (uid, partstat, answered_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (uid) DO UPDATE SET partstat = excluded.partstat, answered_at = excluded.answered_at")?
                .execute(params![uid, partstat, now],
            )
            .context("Cannot record the answer")?;
        Ok(())
    }

    /// The calendar's ctag after a sync without sync-collection.
    pub fn set_calendar_ctag(&mut self, calendar_id: i64, ctag: &str) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE calendars SET ctag = ?2 WHERE id = ?1")?
            .execute(params![calendar_id, ctag])
            .context("Cannot store the calendar's ctag")?;
        Ok(())
    }
}

fn sender(record: &EventRecord) -> (String, String) {
    match &record.organizer {
        Some(p) => (p.name.clone().unwrap_or_default(), p.address.clone()),
        None => (String::new(), String::new()),
    }
}

/// The event part of a timeline row from its columns (end, all day, location, recurring; see
/// `items::row_columns`); `None` unless it is an event.
pub(crate) fn event_info(
    row: &Row<'_>,
    [end, all_day, location, recurring]: [usize; 4],
) -> rusqlite::Result<Option<EventInfo>> {
    let Some(end_ms) = row.get::<_, Option<i64>>(end)? else {
        return Ok(None);
    };
    Ok(Some(EventInfo {
        end_ms,
        all_day: row.get(all_day)?,
        location: row.get(location)?,
        recurring: row.get(recurring)?,
    }))
}
