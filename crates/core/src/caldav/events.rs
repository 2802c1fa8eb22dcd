//! Events over CalDAV: each event item is one calendar object resource (a series with its
//! exceptions, or a single event), stored whole so that what Satu does not edit survives its
//! edits. Pulled resources replace the local text when it has no changes of its own, else they
//! are merged property by property ([`ics::merge`]); what cannot merge waits for the user with
//! both versions kept (the server's text in `events.conflict_ics`, until `satu event resolve`).
//! Local edits, new events and deletions are applied to the store at once and pushed by the next
//! pass (offline: whenever the server answers again).
//!
//! [`record`] maps an event to what the store keeps (instances expanded up to two years ahead).
//! This is also what `satu event add|edit|delete|show` and `satu calendar events` do: user times
//! are RFC 3339, local times in a zone (`--tz`, default this machine's), or days; new events
//! carry a VTIMEZONE made by `vtimezone.rs` from chrono-tz.

use anyhow::{Context as _, Result};
use chrono::{NaiveDate, NaiveDateTime};
use satu_caldav::{CaldavError, Client, Precondition};
use satu_store::{CalendarRow, EventRecord, Occurrence, Person, Store, SyncEvent, Tx};

use super::ics::{self, Component, EventMerge, EventObject, Prop, When};
use crate::context::Context;
use crate::dto::{self, TaskSyncCounts};
use crate::error::ApiError;

/// Instances of a series are stored up to this far ahead; views beyond it expand on the fly.
const HORIZON_MS: i64 = 2 * 366 * 24 * 3600 * 1000;

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// What the store keeps beside an event's text.
pub(crate) fn record(event: &EventObject) -> EventRecord {
    let horizon = now_ms().max(event.master.start.ms()) + HORIZON_MS;
    let (instances, more) = event.instances(horizon);
    let m = &event.master;
    EventRecord {
        uid: m.uid.clone(),
        title: m.summary.clone(),
        description: m.description.clone(),
        start_ms: m.start.ms(),
        end_ms: m.end.ms().max(m.start.ms()),
        all_day: m.start.is_date(),
        time_zone: m.start.zone_name(),
        location: m.location.clone(),
        rrule: m.rrule.clone(),
        status: m.status.clone(),
        organizer: m.organizer.as_ref().map(|(name, address)| Person {
            name: (!name.is_empty()).then(|| name.clone()),
            address: address.clone(),
        }),
        occurrences: instances
            .into_iter()
            .map(|i| Occurrence {
                start_ms: i.start_ms,
                end_ms: i.end_ms,
                recurrence_ms: i.recurrence_ms,
                title: i.title,
                location: i.location,
                status: i.status,
                all_day: i.all_day,
            })
            .collect(),
        expanded_until: more.then_some(horizon),
    }
}

/// Stores the server's version of one event (merging with local changes), in the caller's
/// transaction (a pull writes a whole answer in one). `record` is [`record`] of `event`.
#[allow(clippy::too_many_arguments)]
pub(super) fn take_remote(
    tx: &mut Tx<'_>,
    account_id: i64,
    calendar_id: i64,
    href: &str,
    etag: &str,
    text: &str,
    event: &EventObject,
    record: &EventRecord,
    report: &mut TaskSyncCounts,
) -> Result<()> {
    let local = match tx.event_at(calendar_id, href)? {
        Some(e) => Some(e),
        None => tx
            .events_by_uid(&event.master.uid)?
            .into_iter()
            .find(|e| e.calendar_id == Some(calendar_id)),
    };
    let Some(local) = local else {
        tx.add_event(
            account_id,
            Some(calendar_id),
            href,
            etag,
            text,
            record,
            true,
        )?;
        report.pulled += 1;
        return Ok(());
    };
    if local.etag == etag && local.href == href {
        return Ok(());
    }
    if local.revision == local.synced_revision {
        tx.event_from_server(
            local.item_id,
            calendar_id,
            href,
            etag,
            text,
            record,
            text,
            false,
        )?;
        report.pulled += 1;
        return Ok(());
    }
    match ics::merge(&local.base_ics, &local.ics, text, now_ms()) {
        EventMerge::Clean {
            text: merged,
            local_left,
        } => {
            let Some(parsed) = ics::read_event(&merged) else {
                anyhow::bail!("The merged event {} cannot be read back", event.master.uid);
            };
            tx.event_from_server(
                local.item_id,
                calendar_id,
                href,
                etag,
                &merged,
                &self::record(&parsed),
                text,
                local_left,
            )?;
            report.pulled += 1;
        }
        EventMerge::Conflict(props) => {
            let reason = conflict_reason(&props, event, local.item_id);
            tracing::warn!(event = local.item_id, %reason, "Event conflict.");
            tx.set_event_conflict(local.item_id, &reason, text, etag)?;
            report.conflicts += 1;
        }
    }
    Ok(())
}

fn conflict_reason(props: &[&str], server: &EventObject, item_id: i64) -> String {
    let m = &server.master;
    let words: Vec<String> = props
        .iter()
        .map(|p| match *p {
            "SUMMARY" => format!("title {:?}", m.summary),
            "DTSTART" => format!("start {}", dto::event_time(m.start.ms(), m.start.is_date())),
            "DTEND" | "DURATION" => {
                format!("end {}", dto::event_time(m.end.ms(), m.start.is_date()))
            }
            "LOCATION" => format!("location {:?}", m.location),
            "DESCRIPTION" => "another description".to_owned(),
            "RRULE" => format!("repeat {:?}", m.rrule),
            "EXDATE" => "other skipped dates".to_owned(),
            "STATUS" => format!("status {}", m.status),
            _ => "other attendees or answers".to_owned(),
        })
        .collect();
    format!(
        "Changed here and on the server: the server has {}. Keep this version or the server's (satu event resolve {item_id} --keep here|server)",
        words.join(", ")
    )
}

/// An event the server no longer has.
pub(super) fn removed_on_server(
    store: &Store,
    event: &SyncEvent,
    report: &mut TaskSyncCounts,
) -> Result<()> {
    if event.revision == event.synced_revision {
        store.write(|tx| tx.remove_event(event.item_id))?;
        report.removed += 1;
    } else {
        store.write(|tx| {
            tx.set_event_conflict(
                event.item_id,
                &format!(
                    "Deleted on the server but changed here: keep it (satu event resolve {} --keep here) or let it go (--keep server)",
                    event.item_id
                ),
                "",
                "",
            )
        })?;
        report.conflicts += 1;
    }
    Ok(())
}

/// Pushes every event changed here in these calendars.
pub(super) async fn push_all(
    store: &Store,
    client: &Client,
    calendars: &[CalendarRow],
    report: &mut TaskSyncCounts,
) -> Result<()> {
    for event in store.unsynced_events()? {
        let Some(calendar) = calendars.iter().find(|c| Some(c.id) == event.calendar_id) else {
            continue; // another account's
        };
        push(store, client, calendar, &event, report)
            .await
            .with_context(|| format!("Cannot send the event {:?}", event.title))?;
    }
    Ok(())
}

async fn push(
    store: &Store,
    client: &Client,
    calendar: &CalendarRow,
    event: &SyncEvent,
    report: &mut TaskSyncCounts,
) -> Result<()> {
    let href = if event.href.is_empty() {
        format!("{}{}", calendar.href, super::resource_name(&event.uid))
    } else {
        event.href.clone()
    };
    let precondition = if event.etag.is_empty() {
        Precondition::Create
    } else {
        Precondition::Match(&event.etag)
    };
    match client.put(&href, &event.ics, precondition).await {
        Ok(etag) => {
            let etag = super::written_etag(client, &calendar.href, &href, etag).await?;
            store.write(|tx| {
                tx.event_pushed(
                    event.item_id,
                    event.revision,
                    calendar.id,
                    &href,
                    &etag,
                    &event.ics,
                )
            })?;
            report.pushed += 1;
        }
        Err(CaldavError::Conflict { .. }) => {
            // Changed there meanwhile (or made there with the same name): merge with it.
            let server = client
                .multiget(&calendar.href, std::slice::from_ref(&href))
                .await?;
            match server.into_iter().next() {
                Some((href, etag, text)) => {
                    if let Some(parsed) = ics::read_event(&text) {
                        store.write(|tx| {
                            take_remote(
                                tx,
                                calendar.account_id,
                                calendar.id,
                                &href,
                                &etag,
                                &text,
                                &parsed,
                                &record(&parsed),
                                report,
                            )
                        })?;
                    }
                }
                None => removed_on_server(store, event, report)?,
            }
        }
        Err(CaldavError::NotFound { .. }) if !event.etag.is_empty() => {
            removed_on_server(store, event, report)?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

// ---- What the API does with events ------------------------------------------------------

fn ms_to_utc(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(crate) fn occurrence_dto(
    item_id: i64,
    calendar: Option<i64>,
    o: &Occurrence,
    recurring: bool,
    pending: bool,
    sync_error: &str,
) -> dto::EventOccurrence {
    dto::EventOccurrence {
        id: item_id,
        calendar,
        title: o.title.clone(),
        start: dto::event_time(o.start_ms, o.all_day),
        end: dto::event_time(o.end_ms, o.all_day),
        all_day: o.all_day,
        location: o.location.clone(),
        recurring,
        recurrence_id: o.recurrence_ms.map(|r| dto::event_time(r, o.all_day)),
        status: o.status.clone(),
        pending,
        sync_error: sync_error.to_owned(),
    }
}

/// The instances overlapping `[from, to)` (RFC 3339 or `YYYY-MM-DD`, local midnight), by start;
/// only `calendars` when not empty.
pub(crate) fn occurrences_between(
    store: &Store,
    from: &str,
    to: &str,
    calendars: &[i64],
) -> Result<Vec<dto::EventOccurrence>, ApiError> {
    let from_ms = crate::tasks::parse_due(from).map_err(|e| e.with_field("from"))?;
    let to_ms = crate::tasks::parse_due(to).map_err(|e| e.with_field("to"))?;
    if to_ms <= from_ms {
        return Err(ApiError::invalid(
            "to",
            "The end of the range is not after its start",
        ));
    }
    Ok(occurrences(store, from_ms, to_ms, calendars)?)
}

/// The instances overlapping `[from_ms, to_ms)`, series expanded beyond their stored horizon
/// when the range reaches past it.
pub(crate) fn occurrences(
    store: &Store,
    from_ms: i64,
    to_ms: i64,
    calendars: &[i64],
) -> Result<Vec<dto::EventOccurrence>> {
    let mut out: Vec<(i64, dto::EventOccurrence)> = store
        .occurrences(from_ms, to_ms, calendars)?
        .into_iter()
        .map(|r| {
            (
                r.occurrence.start_ms,
                occurrence_dto(
                    r.item_id,
                    r.calendar_id,
                    &r.occurrence,
                    r.recurring,
                    r.pending,
                    &r.sync_error,
                ),
            )
        })
        .collect();
    for series in store.series_expanded_before(to_ms)? {
        if !calendars.is_empty() && !series.calendar_id.is_some_and(|c| calendars.contains(&c)) {
            continue;
        }
        let Some(event) = ics::read_event(&series.ics) else {
            continue;
        };
        // Instances before the stored horizon are rows already; only those after it are made.
        let stored_until = series.expanded_until.unwrap_or(to_ms);
        let (instances, _) = event.instances(to_ms);
        for i in instances {
            if i.start_ms >= stored_until && i.start_ms < to_ms && i.end_ms > from_ms {
                let o = Occurrence {
                    start_ms: i.start_ms,
                    end_ms: i.end_ms,
                    recurrence_ms: i.recurrence_ms,
                    title: i.title,
                    location: i.location,
                    status: i.status,
                    all_day: i.all_day,
                };
                out.push((
                    o.start_ms,
                    occurrence_dto(
                        series.item_id,
                        series.calendar_id,
                        &o,
                        true,
                        series.revision > series.synced_revision,
                        &series.sync_error,
                    ),
                ));
            }
        }
    }
    out.sort_by_key(|(start, o)| (*start, o.id));
    Ok(out.into_iter().map(|(_, o)| o).collect())
}

/// Everything about event `item_id`.
pub(crate) fn detail(store: &Store, item_id: i64) -> Result<dto::EventDetail, ApiError> {
    let event = store
        .event(item_id)?
        .ok_or_else(|| ApiError::not_found("id", format!("No event {item_id}")))?;
    detail_of(&event)
}

pub(crate) fn detail_of(event: &SyncEvent) -> Result<dto::EventDetail, ApiError> {
    let parsed = ics::read_event(&event.ics)
        .ok_or_else(|| ApiError::internal(format!("The event {} cannot be read", event.item_id)))?;
    let m = &parsed.master;
    let first = Occurrence {
        start_ms: m.start.ms(),
        end_ms: m.end.ms().max(m.start.ms()),
        recurrence_ms: None,
        title: m.summary.clone(),
        location: m.location.clone(),
        status: m.status.clone(),
        all_day: m.start.is_date(),
    };
    Ok(dto::EventDetail {
        occurrence: occurrence_dto(
            event.item_id,
            event.calendar_id,
            &first,
            parsed.repeats(),
            event.revision > event.synced_revision,
            &event.sync_error,
        ),
        uid: m.uid.clone(),
        description: m.description.clone(),
        rrule: m.rrule.clone(),
        time_zone: m.start.zone_name(),
        organizer: m
            .organizer
            .as_ref()
            .map(|(_, a)| a.clone())
            .unwrap_or_default(),
        attendees: m
            .attendees
            .iter()
            .map(|a| dto::Attendee {
                email: a.email.clone(),
                name: a.name.clone(),
                partstat: a.partstat.clone(),
            })
            .collect(),
        alarms: m.alarms.clone(),
    })
}

/// This machine's IANA zone (`None` when it cannot be told).
fn machine_zone() -> Option<chrono_tz::Tz> {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
}

fn input_zone(input: &dto::EventInput) -> Result<Option<chrono_tz::Tz>, ApiError> {
    match input.time_zone.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => ics::zone(name).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "time_zone",
                format!("{name:?} is not a time zone: use an IANA name like Europe/Berlin"),
            )
        }),
        _ => Ok(machine_zone()),
    }
}

/// A time the user gave: RFC 3339, a local `YYYY-MM-DDTHH:MM[:SS]` (or with a space) in
/// `zone`, or a day `YYYY-MM-DD` (a date when `all_day`, else midnight in `zone`).
pub(crate) fn parse_when(
    field: &str,
    text: &str,
    all_day: bool,
    zone: Option<chrono_tz::Tz>,
) -> Result<When, ApiError> {
    let text = text.trim();
    let local = |naive: NaiveDateTime| match zone {
        Some(tz) => When::Zoned(naive, tz),
        None => When::Floating(naive),
    };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        if all_day {
            let date = match zone {
                Some(tz) => t.with_timezone(&tz).date_naive(),
                None => t.with_timezone(&chrono::Local).date_naive(),
            };
            return Ok(When::Date(date));
        }
        return Ok(match zone {
            Some(tz) => When::Zoned(t.with_timezone(&tz).naive_local(), tz),
            None => When::Utc(t.with_timezone(&chrono::Utc)),
        });
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(if all_day {
            When::Date(day)
        } else {
            local(day.and_hms_opt(0, 0, 0).unwrap_or_default())
        });
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(if all_day {
                When::Date(naive.date())
            } else {
                local(naive)
            });
        }
    }
    Err(ApiError::invalid(
        field,
        format!("{text:?} is not a time: use 2027-01-05T09:00 (local), 2027-01-05T09:00:00+01:00 or 2027-01-05 (a day)"),
    ))
}

fn check_rrule(rrule: &str, start: When) -> Result<(), ApiError> {
    if rrule.is_empty() {
        return Ok(());
    }
    let probe = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:probe\r\n{}RRULE:{rrule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        start.prop("DTSTART").to_line()
    );
    let valid = ics::read_event(&probe).is_some_and(|e| {
        e.master
            .rrule
            .parse::<rrule::RRule<rrule::Unvalidated>>()
            .is_ok()
    });
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "rrule",
            format!("{rrule:?} is not a recurrence rule: e.g. FREQ=WEEKLY;COUNT=10 or FREQ=DAILY;UNTIL=20270101T000000Z"),
        ))
    }
}

/// The event text of a new event.
fn new_event_text(uid: &str, input: &dto::EventInput) -> Result<String, ApiError> {
    let title = input.title.as_deref().map(str::trim).unwrap_or_default();
    if title.is_empty() {
        return Err(ApiError::invalid("title", "Give the event a title"));
    }
    let start_text = input
        .start
        .as_deref()
        .ok_or_else(|| ApiError::invalid("start", "Give the start"))?;
    let all_day = input.all_day.unwrap_or(false);
    let zone = input_zone(input)?;
    let start = parse_when("start", start_text, all_day, zone)?;
    let end = match input.end.as_deref() {
        Some(text) => parse_when("end", text, all_day, zone)?,
        None if all_day => match start {
            When::Date(d) => When::Date(d + chrono::Duration::days(1)),
            other => other,
        },
        None => start_plus_hour(start),
    };
    check_times(start, end)?;
    let rrule = input.rrule.as_deref().map(str::trim).unwrap_or_default();
    check_rrule(rrule, start)?;
    let now = now_ms();
    let mut event = Component::new("VEVENT");
    event.props.push(Prop::new("UID", uid));
    event.props.push(Prop::new("DTSTAMP", ics::stamp(now)));
    event.props.push(Prop::new("CREATED", ics::stamp(now)));
    event
        .props
        .push(Prop::new("LAST-MODIFIED", ics::stamp(now)));
    event.props.push(Prop::new("SEQUENCE", "0"));
    event.props.push(start.prop("DTSTART"));
    event.props.push(end.prop("DTEND"));
    event.props.push(Prop::text("SUMMARY", title));
    if let Some(location) = input.location.as_deref().filter(|l| !l.trim().is_empty()) {
        event.props.push(Prop::text("LOCATION", location.trim()));
    }
    if let Some(text) = input
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        event.props.push(Prop::text("DESCRIPTION", text));
    }
    if !rrule.is_empty() {
        event.props.push(Prop::new("RRULE", rrule));
    }
    Ok(wrap(vec![event], &[start, end]))
}

/// A VCALENDAR around `events`, with a VTIMEZONE for every zone the times use.
pub(crate) fn wrap(events: Vec<Component>, times: &[When]) -> String {
    let mut calendar = Component::new("VCALENDAR");
    calendar.props.push(Prop::new("VERSION", "2.0"));
    calendar
        .props
        .push(Prop::new("PRODID", "-//Satu//Satu//EN"));
    let mut zones: Vec<chrono_tz::Tz> = Vec::new();
    for t in times {
        if let When::Zoned(naive, tz) = t {
            if !zones.contains(tz) {
                zones.push(*tz);
                calendar
                    .children
                    .push(super::vtimezone::vtimezone(*tz, naive.date()));
            }
        }
    }
    calendar.children.extend(events);
    calendar.to_text()
}

fn start_plus_hour(start: When) -> When {
    match start {
        When::Date(d) => When::Date(d + chrono::Duration::days(1)),
        When::Utc(t) => When::Utc(t + chrono::Duration::hours(1)),
        When::Zoned(n, tz) => When::Zoned(n + chrono::Duration::hours(1), tz),
        When::Floating(n) => When::Floating(n + chrono::Duration::hours(1)),
    }
}

fn check_times(start: When, end: When) -> Result<(), ApiError> {
    if end.ms() < start.ms() || (start.is_date() && end.ms() <= start.ms()) {
        return Err(ApiError::invalid("end", "The end is before the start"));
    }
    Ok(())
}

/// The calendar a new event goes to: the one asked for, else the first calendar for events.
pub(crate) fn pick_calendar(store: &Store, asked: Option<i64>) -> Result<CalendarRow, ApiError> {
    let calendars = store.calendars(None)?;
    match asked {
        Some(id) => calendars
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| ApiError::not_found("calendar", format!("No calendar {id}"))),
        // A calendar for events only, else one not named for tasks, else any that takes
        // events.
        None => calendars
            .into_iter()
            .filter(|c| c.components.iter().any(|k| k == "VEVENT"))
            .min_by_key(|c| {
                (
                    c.components.iter().any(|k| k == "VTODO"),
                    format!("{}{}", c.name, c.href).to_lowercase().contains("task"),
                    c.id,
                )
            })
            .ok_or_else(|| {
                ApiError::invalid(
                    "calendar",
                    "No calendar for events yet: add a CalDAV account first (satu account add-caldav)",
                )
            }),
    }
}

fn new_uid() -> String {
    format!(
        "satu-event-{}-{:016x}@satu.invalid",
        now_ms(),
        fastrand::u64(..)
    )
}

/// Deletes event `id` here (the server's copy goes with the next sync).
pub(crate) fn delete(store: &Store, id: i64) -> Result<(), ApiError> {
    if store.event(id)?.is_none() {
        return Err(ApiError::not_found("id", format!("No event {id}")));
    }
    Ok(store.write(|tx| {
        let title = tx.item_row(id)?.title;
        tx.delete_event(id)?;
        crate::audit::record(
            tx,
            "event.delete",
            None,
            Some(id),
            serde_json::json!({ "title": title }),
        )
    })?)
}

/// Makes an event (pushed by the next pass).
pub(crate) fn add(store: &Store, input: &dto::EventInput) -> Result<dto::EventDetail, ApiError> {
    let calendar = pick_calendar(store, input.calendar)?;
    let uid = new_uid();
    let text = new_event_text(&uid, input)?;
    let parsed = ics::read_event(&text)
        .ok_or_else(|| ApiError::internal("The new event cannot be read back"))?;
    let id = store.write(|tx| {
        let id = tx.add_event(
            calendar.account_id,
            Some(calendar.id),
            "",
            "",
            &text,
            &record(&parsed),
            false,
        )?;
        crate::audit::record(
            tx,
            "event.add",
            Some(calendar.account_id),
            Some(id),
            serde_json::json!({ "title": input.title, "calendar": calendar.id }),
        )?;
        Ok(id)
    })?;
    tracing::info!(event = id, calendar = calendar.id, "Event made.");
    detail(store, id)
}

/// Applies an edit to the series of event `item_id` (only the fields given change).
pub(crate) fn edit(
    store: &Store,
    item_id: i64,
    input: &dto::EventInput,
) -> Result<dto::EventDetail, ApiError> {
    let event = store
        .event(item_id)?
        .ok_or_else(|| ApiError::not_found("id", format!("No event {item_id}")))?;
    let parsed = ics::read_event(&event.ics)
        .ok_or_else(|| ApiError::internal(format!("The event {item_id} cannot be read")))?;
    let mut calendar = parsed.calendar.clone();
    let m = &parsed.master;
    let all_day = input.all_day.unwrap_or(m.start.is_date());
    let zone = match input.time_zone.as_deref() {
        Some(_) => input_zone(input)?,
        None => match m.start {
            When::Zoned(_, tz) => Some(tz),
            _ => machine_zone(),
        },
    };
    let start = match input.start.as_deref() {
        Some(text) => parse_when("start", text, all_day, zone)?,
        None if all_day != m.start.is_date() => {
            return Err(ApiError::invalid(
                "start",
                "Give the start when changing between all-day and timed",
            ))
        }
        None => m.start,
    };
    let end = match input.end.as_deref() {
        Some(text) => parse_when("end", text, all_day, zone)?,
        None if input.start.is_some() => {
            // Keeps the length.
            let length = m.end.ms() - m.start.ms();
            match start {
                When::Date(d) => {
                    When::Date(d + chrono::Duration::days((length / 86_400_000).max(1)))
                }
                When::Utc(t) => When::Utc(t + chrono::Duration::milliseconds(length)),
                When::Zoned(_, tz) => {
                    let end = ms_to_utc(start.ms() + length)
                        .with_timezone(&tz)
                        .naive_local();
                    When::Zoned(end, tz)
                }
                When::Floating(n) => When::Floating(n + chrono::Duration::milliseconds(length)),
            }
        }
        None => m.end,
    };
    check_times(start, end)?;
    let master = ics::master_of(&mut calendar)
        .ok_or_else(|| ApiError::internal("The event has no VEVENT"))?;
    if input.start.is_some() || input.end.is_some() {
        master.set("DTSTART", vec![start.prop("DTSTART")]);
        master.set("DURATION", Vec::new());
        master.set("DTEND", vec![end.prop("DTEND")]);
    }
    if let Some(title) = &input.title {
        if title.trim().is_empty() {
            return Err(ApiError::invalid("title", "Give the event a title"));
        }
        master.set("SUMMARY", vec![Prop::text("SUMMARY", title.trim())]);
    }
    if let Some(location) = &input.location {
        let props = if location.trim().is_empty() {
            Vec::new()
        } else {
            vec![Prop::text("LOCATION", location.trim())]
        };
        master.set("LOCATION", props);
    }
    if let Some(text) = &input.description {
        let props = if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![Prop::text("DESCRIPTION", text)]
        };
        master.set("DESCRIPTION", props);
    }
    if let Some(rrule) = &input.rrule {
        let rrule = rrule.trim();
        check_rrule(rrule, start)?;
        let props = if rrule.is_empty() {
            Vec::new()
        } else {
            vec![Prop::new("RRULE", rrule)]
        };
        master.set("RRULE", props);
    }
    ics::bump(master, now_ms());
    // A zone the new times use gets its VTIMEZONE.
    for t in [start, end] {
        if let When::Zoned(naive, tz) = t {
            let known = calendar.children.iter().any(|c| {
                c.name == "VTIMEZONE" && c.prop("TZID").is_some_and(|p| p.value == tz.name())
            });
            if !known {
                calendar
                    .children
                    .insert(0, super::vtimezone::vtimezone(tz, naive.date()));
            }
        }
    }
    let text = calendar.to_text();
    let reparsed = ics::read_event(&text)
        .ok_or_else(|| ApiError::internal("The edited event cannot be read back"))?;
    store.write(|tx| {
        tx.edit_event(item_id, &text, &record(&reparsed))?;
        if let Some(id) = input.calendar.filter(|c| Some(*c) != event.calendar_id) {
            tx.move_event(item_id, id)?;
        }
        crate::audit::record(
            tx,
            "event.edit",
            None,
            Some(item_id),
            serde_json::to_value(input).unwrap_or_default(),
        )
    })?;
    detail(store, item_id)
}

/// The user's answer to a conflict on event `item_id`.
pub(crate) async fn resolve(ctx: &Context, item_id: i64, keep_here: bool) -> Result<(), ApiError> {
    let store = ctx.store();
    let event = store
        .event(item_id)?
        .ok_or_else(|| ApiError::not_found("id", format!("No event {item_id}")))?;
    if event.sync_error.is_empty() {
        return Err(ApiError::invalid(
            "id",
            "This event has no conflict to resolve",
        ));
    }
    let calendar_id = event
        .calendar_id
        .ok_or_else(|| ApiError::invalid("id", "This event is on no server"))?;
    match (keep_here, event.conflict_ics.is_empty()) {
        // Deleted there: kept here (made anew there), or let go.
        (true, true) => store.write(|tx| tx.event_recreate(item_id))?,
        (false, true) => store.write(|tx| tx.remove_event(item_id))?,
        // The server's version becomes the base either way; keeping this one pushes it over.
        (_, false) => {
            let kept = if keep_here {
                &event.ics
            } else {
                &event.conflict_ics
            };
            let Some(parsed) = ics::read_event(kept) else {
                return Err(ApiError::internal("The version kept cannot be read"));
            };
            store.write(|tx| {
                tx.event_from_server(
                    item_id,
                    calendar_id,
                    &event.href,
                    &event.etag,
                    kept,
                    &record(&parsed),
                    &event.conflict_ics,
                    keep_here,
                )
            })?;
        }
    }
    Ok(())
}

trait ToLine {
    fn to_line(&self) -> String;
}

impl ToLine for Prop {
    fn to_line(&self) -> String {
        let mut c = Component::new("X");
        c.props.push(self.clone());
        let text = c.to_text();
        text.trim_start_matches("BEGIN:X\r\n")
            .trim_end_matches("END:X\r\n")
            .to_owned()
    }
}

/// Answers a sync conflict on event `id` ([`resolve`]), then syncs its calendar's account so
/// the choice is on the server; an error when the server's choice took the event away.
pub(crate) async fn resolve_and_sync(
    ctx: &Context,
    id: i64,
    keep_here: bool,
) -> Result<(), ApiError> {
    resolve(ctx, id, keep_here).await?;
    if let Some(calendar) = ctx.store().event(id)?.and_then(|e| e.calendar_id) {
        if let Some(c) = ctx
            .store()
            .calendars(None)?
            .into_iter()
            .find(|c| c.id == calendar)
        {
            let account = ctx.store().account(c.account_id)?;
            crate::caldav::sync_account(ctx, &account).await?;
        }
    }
    match ctx.store().event(id)? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(
            "id",
            format!("Event {id} is gone (the server's choice)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn user_times_read_in_the_given_zone() {
        let berlin = Some(chrono_tz::Europe::Berlin);
        let w = parse_when("start", "2027-03-29T09:00", false, berlin).expect("time");
        assert_eq!(
            w.ms(),
            chrono::Utc
                .with_ymd_and_hms(2027, 3, 29, 7, 0, 0)
                .unwrap()
                .timestamp_millis()
        );
        let w = parse_when("start", "2027-01-05T09:00:00Z", false, berlin).expect("time");
        assert_eq!(w.zone_name(), "Europe/Berlin");
        assert_eq!(
            w.ms(),
            chrono::Utc
                .with_ymd_and_hms(2027, 1, 5, 9, 0, 0)
                .unwrap()
                .timestamp_millis()
        );
        assert!(parse_when("start", "2027-01-05", true, berlin)
            .expect("day")
            .is_date());
        let e = parse_when("start", "soon", false, berlin).expect_err("error");
        assert_eq!(e.field.as_deref(), Some("start"));
    }

    #[test]
    fn a_new_event_has_its_zone_and_reads_back() {
        let input = dto::EventInput {
            title: Some("Review; budget".into()),
            start: Some("2027-03-29T09:00".into()),
            time_zone: Some("Europe/Berlin".into()),
            rrule: Some("FREQ=WEEKLY;COUNT=3".into()),
            location: Some("Room 4".into()),
            ..Default::default()
        };
        let text = new_event_text("u1", &input).expect("text");
        assert!(text.contains("BEGIN:VTIMEZONE"), "{text}");
        assert!(
            text.contains("DTSTART;TZID=Europe/Berlin:20270329T090000"),
            "{text}"
        );
        let e = ics::read_event(&text).expect("event");
        assert_eq!(e.master.summary, "Review; budget");
        assert_eq!(e.master.end.ms() - e.master.start.ms(), 3_600_000);
        let r = record(&e);
        assert_eq!(r.occurrences.len(), 3);
        assert_eq!(r.expanded_until, None);
        let bad = dto::EventInput {
            rrule: Some("FREQ=SOMETIMES".into()),
            ..input.clone()
        };
        assert_eq!(
            new_event_text("u2", &bad)
                .expect_err("rrule")
                .field
                .as_deref(),
            Some("rrule")
        );
        let backwards = dto::EventInput {
            end: Some("2027-03-29T08:00".into()),
            rrule: None,
            ..input
        };
        assert_eq!(
            new_event_text("u3", &backwards)
                .expect_err("end")
                .field
                .as_deref(),
            Some("end")
        );
    }
}
