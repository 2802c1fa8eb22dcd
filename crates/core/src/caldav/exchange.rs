//! ICS files: export events (a calendar, a range or a selection) as one VCALENDAR with the
//! VTIMEZONEs they use, and import one into a calendar, each UID (a series with its exceptions)
//! becoming one event (updated when that UID is already there) that the next sync pushes. What is
//! exported is the stored text, so alarms, attendees and exceptions go along.

use std::collections::BTreeMap;

use anyhow::Context as _;
use satu_store::Store;

use super::events::record;
use super::ics::{self, Component};
use crate::dto;
use crate::error::ApiError;

/// Which events to export.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selection {
    /// Only this calendar.
    pub calendar: Option<i64>,
    /// Only these events (empty: all of the calendar).
    pub ids: Vec<i64>,
    /// Only events with an instance in this range (Unix ms).
    pub range: Option<(i64, i64)>,
}

impl Selection {
    /// A calendar's events (or every calendar's), those with an instance in `range` (from, to:
    /// RFC 3339 or `YYYY-MM-DD`), or the events `ids`.
    pub(crate) fn new(
        calendar: Option<i64>,
        ids: &[i64],
        range: Option<(&str, &str)>,
    ) -> Result<Selection, ApiError> {
        let range = match range {
            Some((from, to)) => Some((
                crate::tasks::parse_due(from).map_err(|e| e.with_field("from"))?,
                crate::tasks::parse_due(to).map_err(|e| e.with_field("to"))?,
            )),
            None => None,
        };
        Ok(Selection {
            calendar,
            ids: ids.to_vec(),
            range,
        })
    }
}

/// One VCALENDAR with the selected events and the VTIMEZONEs they use.
pub(crate) fn export(store: &Store, selection: &Selection) -> Result<(String, usize), ApiError> {
    let mut events = store.calendar_events(selection.calendar)?;
    if !selection.ids.is_empty() {
        for id in &selection.ids {
            if !events.iter().any(|e| e.item_id == *id) {
                return Err(ApiError::not_found("id", format!("No event {id}")));
            }
        }
        events.retain(|e| selection.ids.contains(&e.item_id));
    }
    if let Some((from, to)) = selection.range {
        let within: std::collections::HashSet<i64> =
            super::events::occurrences(store, from, to, &[])?
                .into_iter()
                .map(|o| o.id)
                .collect();
        events.retain(|e| within.contains(&e.item_id));
    }
    let mut zones: BTreeMap<String, Component> = BTreeMap::new();
    let mut parts: Vec<Component> = Vec::new();
    for e in &events {
        let Some(calendar) = ics::parse(&e.ics) else {
            tracing::warn!(
                event = e.item_id,
                "Unreadable event left out of the export."
            );
            continue;
        };
        for c in calendar.children {
            if c.name == "VTIMEZONE" {
                let tzid = c.text("TZID");
                zones.entry(tzid).or_insert(c);
            } else {
                parts.push(c);
            }
        }
    }
    let mut out = Component::new("VCALENDAR");
    out.props.push(ics::Prop::new("VERSION", "2.0"));
    out.props
        .push(ics::Prop::new("PRODID", "-//Satu//Satu//EN"));
    out.children.extend(zones.into_values());
    out.children.extend(parts);
    Ok((out.to_text(), events.len()))
}

/// Imports the events of an ICS text into `calendar` (the first calendar for events when
/// `None`): a UID already there is updated, others are added; all are pushed by the next sync.
/// [`import`] of the file at `path` (read as UTF-8, bad bytes replaced).
pub(crate) fn import_file(
    store: &Store,
    path: &std::path::Path,
    calendar: Option<i64>,
) -> Result<dto::IcsImportReport, ApiError> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("Cannot read {}", path.display()))
        .map_err(|e| ApiError::from(e).with_field("path"))?;
    import(store, &String::from_utf8_lossy(&bytes), calendar)
}

pub(crate) fn import(
    store: &Store,
    text: &str,
    calendar: Option<i64>,
) -> Result<dto::IcsImportReport, ApiError> {
    let Some(parsed) = ics::parse(text) else {
        return Err(ApiError::invalid(
            "path",
            "This is not an iCalendar file with events (no VEVENT found)",
        ));
    };
    let target = super::events::pick_calendar(store, calendar)?;
    let zones: Vec<&Component> = parsed
        .children
        .iter()
        .filter(|c| c.name == "VTIMEZONE")
        .collect();
    let mut by_uid: BTreeMap<String, Vec<Component>> = BTreeMap::new();
    let mut report = dto::IcsImportReport::default();
    for c in &parsed.children {
        match c.name.as_str() {
            "VEVENT" => {
                let uid = c.text("UID");
                if uid.trim().is_empty() {
                    report.skipped += 1;
                    continue;
                }
                by_uid.entry(uid).or_default().push(c.clone());
            }
            "VTIMEZONE" => {}
            _ => report.skipped += 1,
        }
    }
    for (uid, events) in by_uid {
        let mut object = Component::new("VCALENDAR");
        object.props.push(ics::Prop::new("VERSION", "2.0"));
        object
            .props
            .push(ics::Prop::new("PRODID", "-//Satu//Satu//EN"));
        let used: Vec<String> = events
            .iter()
            .flat_map(|e| {
                e.props
                    .iter()
                    .filter_map(|p| p.param("TZID").map(str::to_owned))
            })
            .collect();
        object.children.extend(
            zones
                .iter()
                .filter(|z| used.contains(&z.text("TZID")))
                .map(|z| (*z).clone()),
        );
        object.children.extend(events);
        let text = object.to_text();
        let Some(event) = ics::read_event(&text) else {
            report.skipped += 1;
            continue;
        };
        let existing = store
            .events_by_uid(&uid)?
            .into_iter()
            .find(|e| e.calendar_id == Some(target.id));
        store.write(|tx| match &existing {
            Some(e) => tx.edit_event(e.item_id, &text, &record(&event)),
            None => tx
                .add_event(
                    target.account_id,
                    Some(target.id),
                    "",
                    "",
                    &text,
                    &record(&event),
                    false,
                )
                .map(|_| ()),
        })?;
        if existing.is_some() {
            report.updated += 1;
        } else {
            report.added += 1;
        }
    }
    Ok(report)
}
