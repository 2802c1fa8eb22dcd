//! Tasks made from mail, and what completing one does: the task's status and, when the user
//! wants it (`tasks.unflag_on_done`), the mail's unflagging with its queued server operation
//! commit in one transaction (`actions::mark_in`). Also due dates as people type them and the
//! RFC 2392 `mid:` URL by which a task names its mail to other devices.
//!
//! Making a task of a mail, its link to the mail and its activity are the store's (`satu_store`'s
//! `tasks.rs`); keeping tasks in sync as VTODOs is [`crate::caldav::tasks`]. The API is
//! `api/tasks.rs` (`task_from_mail`, `tasks`, `task_done`, `set_task_due`, `resolve_task`, …).

use anyhow::Result;
use chrono::{Local, NaiveDate, TimeZone as _};
use satu_store::{ItemKind, Setting, Store, StoreError, TaskStatus};

use crate::actions;
use crate::error::ApiError;

/// Completes (or reopens) task `id`. Returns the account of the mail it unflagged, whose queued
/// change should now be pushed; `None` when no mail was touched.
pub(crate) fn set_done(store: &Store, id: i64, done: bool) -> Result<Option<i64>> {
    store.write(|tx| {
        let row = tx.item_row(id)?;
        if row.kind != ItemKind::Task {
            return Err(StoreError::NotTask(id).into());
        }
        let status = if done {
            TaskStatus::Completed
        } else {
            TaskStatus::NeedsAction
        };
        let changed = tx.set_task_status(id, status)?;
        if changed {
            crate::audit::record(
                tx,
                if done { "task.done" } else { "task.reopen" },
                Some(row.account_id),
                Some(id),
                serde_json::json!({ "title": row.title }),
            )?;
        }
        if !(changed && done && tx.setting(Setting::UnflagOnDone)?) {
            return Ok(None);
        }
        let Some(mail) = row.todo.and_then(|t| t.mail_item) else {
            return Ok(None);
        };
        let mail = tx.item_row(mail)?;
        if mail.flagged && actions::mark_in(tx, store, mail.id, None, Some(false))? {
            return Ok(Some(mail.account_id));
        }
        Ok(None)
    })
}

/// Renames task `id` (trimmed; not empty).
pub(crate) fn set_title(store: &Store, id: i64, title: &str) -> Result<(), ApiError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ApiError::invalid("title", "Give the task a title"));
    }
    store.write(|tx| {
        tx.set_task_title(id, title)?;
        crate::audit::record(
            tx,
            "task.edit",
            None,
            Some(id),
            serde_json::json!({ "title": title }),
        )
    })?;
    Ok(())
}

/// Parses a due date: RFC 3339 (`2026-12-24T17:00:00+08:00`) or a day (`2026-12-24`, midnight
/// local time). Unix milliseconds.
pub(crate) fn parse_due(text: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(
            "due",
            format!("{text:?} is not a date: use 2026-12-24 or 2026-12-24T17:00:00+08:00"),
        )
    })?;
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            ApiError::invalid("due", format!("{text:?} does not exist in this time zone"))
        })
}

/// The RFC 2392 `mid:` URL of a Message-ID (without angle brackets): how a task names its mail
/// to other devices.
pub(crate) fn mid_url(message_id: &str) -> String {
    let mut url = String::from("mid:");
    for byte in message_id.bytes() {
        let plain = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte);
        if plain {
            url.push(char::from(byte));
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::{mid_url, parse_due};

    #[test]
    fn mid_urls_escape_what_rfc_2392_does_not_allow() {
        assert_eq!(mid_url("abc.123@example.com"), "mid:abc.123@example.com");
        assert_eq!(mid_url("a/b?c#d%e f@x"), "mid:a%2Fb%3Fc%23d%25e%20f@x");
        assert_eq!(mid_url("é@x"), "mid:%C3%A9@x");
    }

    #[test]
    fn due_dates_are_rfc_3339_or_a_day() {
        assert_eq!(
            parse_due("2026-12-24T17:00:00+08:00").expect("rfc 3339"),
            1_798_102_800_000
        );
        let day = parse_due("2026-12-24").expect("a day");
        let midnight_utc = 1_798_070_400_000;
        assert!((day - midnight_utc).abs() <= 14 * 3_600_000, "{day}");
        let err = parse_due("next tuesday").expect_err("not a date");
        assert_eq!(err.field.as_deref(), Some("due"));
    }
}
