//! Snooze: a conversation leaves the Inbox until a time, then comes back to the top of it,
//! unread (the server is told, as when the user marks it unread). The times offered ("later
//! today", "tomorrow", "next week") are decided here, from the local clock, so that the window
//! and the CLI offer the same.
//!
//! Snoozes wake in [`follow`] (the app and `satu watch` run it, whether or not the sync is
//! paused) and at the start of every `satu sync`; a snooze whose time passed while Satu was not
//! running wakes at the next start.

use std::time::Duration;

use chrono::{DateTime, Datelike as _, Duration as Days, Local, NaiveTime, Timelike as _, Weekday};
use satu_store::{Snooze, Store};
use tokio_util::sync::CancellationToken;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};

/// How often due snoozes are looked for.
const WAKE_EVERY: Duration = Duration::from_secs(5);

/// The hour a "tomorrow" or "next week" snooze ends.
const MORNING: u32 = 8;

/// The times offered to snooze until, from the local time `now`: later today (three hours on,
/// on the hour; not after 21:00), tomorrow at 08:00, next week (Monday 08:00).
pub(crate) fn times<Tz: chrono::TimeZone>(now: &DateTime<Tz>) -> Vec<(&'static str, DateTime<Tz>)> {
    let mut times = Vec::new();
    // Three hours on, rounded up to the hour.
    let later = now.clone() + Days::hours(3);
    let later = if later.minute() > 0 || later.second() > 0 || later.nanosecond() > 0 {
        later + Days::hours(1)
    } else {
        later
    };
    let on_the_hour = later
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0));
    if let Some(t) = on_the_hour.filter(|t| {
        t.date_naive() == now.date_naive()
            && t.time() <= NaiveTime::from_hms_opt(21, 0, 0).unwrap_or_default()
    }) {
        times.push(("later", t));
    }
    let tz = now.timezone();
    let at_morning = |day: chrono::NaiveDate| {
        day.and_hms_opt(MORNING, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
    };
    let tomorrow = now.date_naive() + Days::days(1);
    if let Some(t) = at_morning(tomorrow) {
        times.push(("tomorrow", t));
    }
    let to_monday = 7 - i64::from(now.weekday().num_days_from_monday());
    if let Some(t) = at_morning(now.date_naive() + Days::days(to_monday)) {
        // Tomorrow already is next Monday on a Sunday: then a week from Monday.
        let t = if now.weekday() == Weekday::Sun {
            t + Days::days(7)
        } else {
            t
        };
        times.push(("next-week", t));
    }
    times
}

/// The offered times, now.
pub(crate) fn offered() -> Vec<dto::SnoozeTime> {
    times(&Local::now())
        .into_iter()
        .map(|(name, until)| dto::SnoozeTime {
            name: name.to_owned(),
            until: until.to_rfc3339(),
        })
        .collect()
}

/// The time a snooze ends: a name of [`times`] or a time (RFC 3339, or a day: 08:00 local
/// time); it must be in the future (Unix ms).
pub(crate) fn parse_until(text: &str, now_ms: i64) -> ApiResult<i64> {
    let text = text.trim();
    let named = times(&Local::now())
        .into_iter()
        .find(|(name, _)| *name == text)
        .map(|(_, t)| t.timestamp_millis());
    let until = match named {
        Some(ms) => ms,
        None => {
            let day_or_time = crate::tasks::parse_due(text).map_err(|_| {
                ApiError::invalid(
                    "until",
                    format!(
                        "{text:?} is not a time to snooze until: use later, tomorrow, next-week, \
                         a day (2026-12-24) or a time (2026-12-24T17:00:00+08:00)"
                    ),
                )
            })?;
            // A day alone means its morning.
            if text.len() == 10 {
                day_or_time + i64::from(MORNING) * 3_600_000
            } else {
                day_or_time
            }
        }
    };
    if until <= now_ms {
        return Err(ApiError::invalid(
            "until",
            "Choose a time in the future to snooze until",
        ));
    }
    Ok(until)
}

/// Snoozes mail `id` (and its conversation) until `until`. When a task list is set up, a task
/// due then carries the snooze to the other devices (`caldav::tasks::snooze_vtodo`).
pub(crate) fn snooze(ctx: &Context, id: i64, until: &str) -> ApiResult<Snooze> {
    let store = ctx.store();
    let now_ms = chrono::Utc::now().timestamp_millis();
    let until_ms = parse_until(until, now_ms)?;
    let task_list = store
        .calendars(None)?
        .iter()
        .any(|c| c.components.iter().any(|k| k == "VTODO"));
    let message_id = store.item_row(id)?.message_id.unwrap_or_default();
    let snooze = store.write(|tx| {
        let snooze = tx.snooze(id, until_ms)?;
        if let Some(old) = snooze.task_id {
            tx.delete_task(old)?;
        }
        if task_list && !message_id.is_empty() {
            let uid = crate::send::compose::new_message_id("snooze@satu.invalid");
            let ics = crate::caldav::tasks::snooze_vtodo(
                &uid,
                &snooze.title,
                &message_id,
                until_ms,
                now_ms,
            );
            tx.add_snooze_task(id, until_ms, &uid, &ics)?;
        }
        Ok(snooze)
    })?;
    if task_list {
        ctx.calendar_changed();
    }
    tracing::info!(item_id = id, until_ms, carried = task_list, "Snoozed.");
    Ok(snooze)
}

/// Ends the snooze of `id`'s conversation now, leaving it as it is (not unread, not moved).
pub(crate) fn unsnooze(ctx: &Context, id: i64) -> ApiResult<bool> {
    let ended = ctx.store().write(|tx| tx.unsnooze(id))?;
    if ended.as_ref().is_some_and(|s| s.task_id.is_some()) {
        ctx.calendar_changed();
    }
    Ok(ended.is_some())
}

/// Wakes every snooze whose time has come at `now_ms`: the conversation's newest message
/// goes to the top, unread (the server told through the queue). Returns the messages woken.
pub(crate) fn wake_due(store: &Store, now_ms: i64) -> ApiResult<Vec<i64>> {
    let mut woken = Vec::new();
    for snooze in store.due_snoozes(now_ms)? {
        let id = store.write(|tx| {
            let id = tx.wake(&snooze, now_ms)?;
            crate::actions::mark_in(tx, store, id, Some(true), None)?;
            Ok(id)
        })?;
        tracing::info!(
            item_id = snooze.item_id,
            newest = id,
            "A snoozed conversation is back."
        );
        woken.push(id);
    }
    Ok(woken)
}

/// Wakes snoozes as their time comes, until `cancel` fires.
pub(crate) async fn follow(ctx: Context, cancel: CancellationToken) {
    loop {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let store_now = ctx.store().clone();
        let result = tokio::task::spawn_blocking(move || wake_due(&store_now, now_ms)).await;
        match result {
            // Their tasks leave the task list with the next CalDAV pass: ask for it now.
            Ok(Ok(woken)) if !woken.is_empty() => ctx.calendar_changed(),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e.message, "Cannot wake snoozed mail."),
            Err(e) => tracing::warn!(error = %e, "Waking snoozed mail stopped."),
        }
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(WAKE_EVERY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::times;
    use chrono::{FixedOffset, TimeZone as _};

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .and_then(|tz| tz.with_ymd_and_hms(y, m, d, h, min, 0).single())
            .expect("a time")
    }

    fn offered(now: chrono::DateTime<FixedOffset>) -> Vec<(&'static str, String)> {
        times(&now)
            .into_iter()
            .map(|(name, t)| (name, t.format("%a %Y-%m-%d %H:%M").to_string()))
            .collect()
    }

    #[test]
    fn a_weekday_morning_offers_later_today_tomorrow_and_monday() {
        // Monday 2026-12-07 09:20.
        assert_eq!(
            offered(at(2026, 12, 7, 9, 20)),
            [
                ("later", "Mon 2026-12-07 13:00".to_owned()),
                ("tomorrow", "Tue 2026-12-08 08:00".to_owned()),
                ("next-week", "Mon 2026-12-14 08:00".to_owned()),
            ]
        );
    }

    #[test]
    fn later_today_is_on_the_hour_and_not_late_at_night() {
        assert_eq!(offered(at(2026, 12, 9, 15, 0))[0].1, "Wed 2026-12-09 18:00");
        assert_eq!(offered(at(2026, 12, 9, 18, 0))[0].1, "Wed 2026-12-09 21:00");
        // 18:01 would be 22:00: no "later" then, tomorrow first.
        assert_eq!(offered(at(2026, 12, 9, 18, 1))[0].0, "tomorrow");
        assert_eq!(offered(at(2026, 12, 9, 23, 30))[0].0, "tomorrow");
    }

    #[test]
    fn next_week_is_the_coming_monday_and_a_week_on_from_sunday() {
        // Saturday: the day after tomorrow is Monday.
        assert_eq!(
            offered(at(2026, 12, 12, 10, 0))[2].1,
            "Mon 2026-12-14 08:00"
        );
        // Sunday: tomorrow is Monday already, so next week is the Monday after.
        let sunday = offered(at(2026, 12, 13, 10, 0));
        assert_eq!(sunday[1].1, "Mon 2026-12-14 08:00");
        assert_eq!(sunday[2].1, "Mon 2026-12-21 08:00");
    }
}
