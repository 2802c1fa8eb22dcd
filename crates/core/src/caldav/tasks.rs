//! Tasks over CalDAV: every task is a VTODO in a task list of a CalDAV account (tasks made from
//! mail go to the list chosen for them), linked to its mail by `URL:mid:…` (RFC 2392) so other
//! devices can find the mail. A pass pulls first (RFC 6578 sync-collection from the stored
//! token, a full listing when the server forgot it), then pushes local changes with `If-Match`
//! (or `If-None-Match: *` for new ones). A task changed on both sides is merged field by field
//! against the version both last agreed on ([`merge`], pure and tested); when both changed the
//! same field it is a conflict: nothing is overwritten, the task shows why, and the user
//! chooses ([`resolve`]; `satu task resolve ID --keep here|server`, the window's two buttons).
//!
//! The VTODO is read with the `icalendar` crate (SUMMARY, STATUS, DUE, COMPLETED, DESCRIPTION,
//! PRIORITY, PERCENT-COMPLETE, RELATED-TO, and the URL naming its mail, or a chat message's
//! `matrix:` URI) and kept whole (`tasks.ics`): a push edits only what differs from the server's
//! text, so what other clients wrote stays. New tasks go to the one list marked for tasks from
//! mail (`calendars.task_default`, one over every account: a task-only list, else one named for
//! tasks, else the first that takes tasks). A conflict sets `tasks.sync_error` (`todo.conflict`
//! in the JSON).

use anyhow::{Context as _, Result};
use icalendar::{CalendarDateTime, Component as _, DatePerhapsTime};
use satu_caldav::{CaldavError, Client, Precondition};
use satu_store::{Account, CalendarRow, RemoteTask, Store, SyncTask, TaskFields, TaskStatus};

use super::{client, resource_name};
use crate::context::Context;

/// What a task sync pass did.
pub(crate) type TaskSyncReport = crate::dto::TaskSyncCounts;

/// The outcome of merging a task changed here and on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Merged {
    /// The fields to keep; `local_left`: some of them are local changes the server lacks.
    Clean {
        fields: TaskFields,
        local_left: bool,
    },
    /// Both sides changed these fields differently.
    Conflict(Vec<&'static str>),
}

/// Makes calendar `id` the task list where tasks made from mail go (one over every account).
pub(crate) fn choose_task_list(store: &Store, id: i64) -> Result<(), crate::error::ApiError> {
    use crate::error::ApiError;
    let calendar = store
        .calendars(None)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::not_found("id", format!("No calendar {id}")))?;
    if !calendar.components.iter().any(|k| k == "VTODO") {
        return Err(ApiError::invalid(
            "id",
            format!(
                "{} holds no tasks (only {})",
                calendar.name,
                calendar.components.join(", ")
            ),
        ));
    }
    store.write(|tx| tx.set_task_calendar(id))?;
    Ok(())
}

/// Three-way merge of a task's fields: a field changed on one side only takes that side's
/// value; changed on both to the same value is no conflict; to different values is one.
/// Without a base (never synced), every difference is a conflict.
pub(crate) fn merge(base: Option<&TaskFields>, local: &TaskFields, remote: &TaskFields) -> Merged {
    let mut conflicts = Vec::new();
    let mut local_left = false;
    fn pick<T: PartialEq + Clone>(
        name: &'static str,
        base: Option<&T>,
        local: &T,
        remote: &T,
        conflicts: &mut Vec<&'static str>,
        local_left: &mut bool,
    ) -> T {
        if local == remote {
            return local.clone();
        }
        match base {
            Some(b) if b == local => remote.clone(),
            Some(b) if b == remote => {
                *local_left = true;
                local.clone()
            }
            _ => {
                conflicts.push(name);
                local.clone()
            }
        }
    }
    let title = pick(
        "title",
        base.map(|b| &b.title),
        &local.title,
        &remote.title,
        &mut conflicts,
        &mut local_left,
    );
    let status = pick(
        "status",
        base.map(|b| &b.status),
        &local.status,
        &remote.status,
        &mut conflicts,
        &mut local_left,
    );
    let due_ms = pick(
        "due",
        base.map(|b| &b.due_ms),
        &local.due_ms,
        &remote.due_ms,
        &mut conflicts,
        &mut local_left,
    );
    if conflicts.is_empty() {
        Merged::Clean {
            fields: TaskFields {
                title,
                status,
                due_ms,
            },
            local_left,
        }
    } else {
        Merged::Conflict(conflicts)
    }
}

fn ical_status(status: TaskStatus) -> icalendar::TodoStatus {
    match status {
        TaskStatus::NeedsAction => icalendar::TodoStatus::NeedsAction,
        TaskStatus::InProcess => icalendar::TodoStatus::InProcess,
        TaskStatus::Completed => icalendar::TodoStatus::Completed,
        TaskStatus::Cancelled => icalendar::TodoStatus::Cancelled,
    }
}

fn utc(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The VTODO of a task: the server's text with the fields that differ from it set (so what
/// Satu does not edit stays as it was), or a new one for a task never on a server.
pub(crate) fn to_vtodo(task: &SyncTask) -> String {
    edited_vtodo(task).unwrap_or_else(|| new_vtodo(task))
}

fn edited_vtodo(task: &SyncTask) -> Option<String> {
    use super::ics::{self, Prop};
    if task.ics.is_empty() {
        return None;
    }
    let there = from_vtodo(&task.ics)?;
    let mut calendar = ics::parse(&task.ics)?;
    let todo = calendar.children.iter_mut().find(|c| c.name == "VTODO")?;
    let f = &task.fields;
    if f.title != there.fields.title {
        todo.set("SUMMARY", vec![Prop::text("SUMMARY", &f.title)]);
    }
    if f.due_ms != there.fields.due_ms {
        let due = f
            .due_ms
            .map(|ms| Prop::new("DUE", utc(ms).format("%Y%m%dT%H%M%SZ").to_string()));
        todo.set("DUE", due.into_iter().collect());
    }
    if f.status != there.fields.status {
        let status = match f.status {
            TaskStatus::NeedsAction => "NEEDS-ACTION",
            TaskStatus::InProcess => "IN-PROCESS",
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Cancelled => "CANCELLED",
        };
        todo.set("STATUS", vec![Prop::new("STATUS", status)]);
        match (f.status, task.completed_ms) {
            (TaskStatus::Completed, done) => {
                let at = done.unwrap_or(task.updated_ms);
                todo.set(
                    "COMPLETED",
                    vec![Prop::new(
                        "COMPLETED",
                        utc(at).format("%Y%m%dT%H%M%SZ").to_string(),
                    )],
                );
                todo.set(
                    "PERCENT-COMPLETE",
                    vec![Prop::new("PERCENT-COMPLETE", "100")],
                );
            }
            _ => {
                todo.set("COMPLETED", Vec::new());
                if there.percent == 100 {
                    todo.set("PERCENT-COMPLETE", Vec::new());
                }
            }
        }
    }
    // Progress said here (a reply's "50%"); completing sets 100 above.
    if task.percent != there.percent && f.status != TaskStatus::Completed && task.percent < 100 {
        let percent =
            (task.percent > 0).then(|| Prop::new("PERCENT-COMPLETE", task.percent.to_string()));
        todo.set("PERCENT-COMPLETE", percent.into_iter().collect());
    }
    if let Some(link) = task_link(task).filter(|_| todo.prop("URL").is_none()) {
        todo.props.push(Prop::new("URL", link));
    }
    ics::bump(todo, task.updated_ms);
    Some(calendar.to_text())
}

/// The VTODO's URL back to what the task was made from: the mail's `mid:` URL (RFC 2392),
/// else the chat message's `matrix:` URI.
fn task_link(task: &SyncTask) -> Option<String> {
    if !task.mail_message_id.is_empty() {
        Some(crate::tasks::mid_url(&task.mail_message_id))
    } else if !task.chat_link.is_empty() {
        Some(task.chat_link.clone())
    } else {
        None
    }
}

fn new_vtodo(task: &SyncTask) -> String {
    let mut todo = icalendar::Todo::with_uid(&task.uid);
    todo.summary(&task.fields.title)
        .status(ical_status(task.fields.status))
        .timestamp(utc(task.updated_ms))
        .created(utc(task.created_ms))
        .last_modified(utc(task.updated_ms));
    if let Some(due) = task.fields.due_ms {
        todo.due(utc(due));
    }
    if let (TaskStatus::Completed, Some(done)) = (task.fields.status, task.completed_ms) {
        todo.completed(utc(done));
    }
    if task.percent > 0 {
        todo.percent_complete(u8::try_from(task.percent.min(100)).unwrap_or(100));
    }
    if !task.description.is_empty() {
        todo.description(&task.description);
    }
    if let Some(link) = task_link(task) {
        todo.url(&link);
    }
    let mut calendar = icalendar::Calendar::new();
    calendar.push(todo.done());
    calendar.done().to_string()
}

fn due_ms(due: DatePerhapsTime) -> Option<i64> {
    match due {
        // A floating time is the user's local time.
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(naive)) => {
            use chrono::TimeZone as _;
            chrono::Local
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp_millis())
        }
        DatePerhapsTime::DateTime(dt) => dt.try_into_utc().map(|t| t.timestamp_millis()),
        DatePerhapsTime::Date(d) => d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis()),
    }
}

/// A Message-ID from an RFC 2392 `mid:` URL.
fn message_id_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("mid:")
        .or_else(|| url.strip_prefix("MID:"))?;
    // `mid:message-id/content-id`: a '/' in the Message-ID itself is escaped as %2F.
    let encoded = rest.split('/').next().unwrap_or_default();
    let id = url::form_urlencoded::parse(format!("x={}", encoded.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    (!id.is_empty()).then_some(id)
}

/// The task in a VTODO (`None` when the text holds no VTODO with a UID).
pub(crate) fn from_vtodo(ics: &str) -> Option<RemoteTask> {
    let calendar: icalendar::Calendar = ics.parse().ok()?;
    let todo = calendar.todos().next()?;
    let status = match todo.get_status() {
        Some(icalendar::TodoStatus::Completed) => TaskStatus::Completed,
        Some(icalendar::TodoStatus::InProcess) => TaskStatus::InProcess,
        Some(icalendar::TodoStatus::Cancelled) => TaskStatus::Cancelled,
        _ if todo.get_completed().is_some() => TaskStatus::Completed,
        _ => TaskStatus::NeedsAction,
    };
    Some(RemoteTask {
        uid: todo.get_uid()?.to_owned(),
        fields: TaskFields {
            title: todo.get_summary().unwrap_or_default().to_owned(),
            status,
            due_ms: todo.get_due().and_then(due_ms),
        },
        completed_ms: todo.get_completed().map(|t| t.timestamp_millis()),
        mail_message_id: todo
            .get_url()
            .or_else(|| todo.property_value("ATTACH"))
            .and_then(message_id_of)
            .unwrap_or_default(),
        description: todo.get_description().unwrap_or_default().to_owned(),
        ics: ics.to_owned(),
        priority: todo
            .property_value("PRIORITY")
            .and_then(|p| p.trim().parse::<i64>().ok())
            .filter(|p| (0..=9).contains(p))
            .unwrap_or(0),
        percent: todo
            .property_value("PERCENT-COMPLETE")
            .and_then(|p| p.trim().parse::<i64>().ok())
            .map(|p| p.clamp(0, 100))
            .unwrap_or(0),
        related_to: todo
            .property_value("RELATED-TO")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        snooze: todo
            .property_value(SNOOZE_PROPERTY)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("TRUE")),
    })
}

/// The property that makes a task the carrier of a snooze: its mail (`URL:mid:`) is away from
/// the Inbox until the task's DUE, on every device running Satu; other clients show a task
/// named for the mail, due when it comes back.
const SNOOZE_PROPERTY: &str = "X-SATU-SNOOZE";

/// The VTODO carrying the snooze of a mail (`message_id`) until `until_ms`.
pub(crate) fn snooze_vtodo(
    uid: &str,
    title: &str,
    message_id: &str,
    until_ms: i64,
    now_ms: i64,
) -> String {
    let mut todo = icalendar::Todo::with_uid(uid);
    todo.summary(title)
        .status(icalendar::TodoStatus::NeedsAction)
        .timestamp(utc(now_ms))
        .created(utc(now_ms))
        .last_modified(utc(now_ms))
        .due(utc(until_ms))
        .url(&crate::tasks::mid_url(message_id))
        .add_property(SNOOZE_PROPERTY, "TRUE");
    let mut calendar = icalendar::Calendar::new();
    calendar.push(todo.done());
    calendar.done().to_string()
}

/// Stores the server's version of one task (merging with local changes).
pub(super) fn take_remote(
    store: &Store,
    account: &Account,
    calendar: &CalendarRow,
    href: &str,
    etag: &str,
    remote: &RemoteTask,
    report: &mut TaskSyncReport,
) -> Result<()> {
    let Some(local) = store.task_by_uid(&remote.uid)? else {
        store.write(|tx| {
            let id = tx.add_remote_task(account.id, calendar.id, href, etag, remote)?;
            tx.set_task_text(id, remote)
        })?;
        report.pulled += 1;
        return Ok(());
    };
    if local.etag == etag && local.href == href {
        return Ok(());
    }
    if local.revision == local.synced_revision {
        store.write(|tx| {
            tx.apply_task_fields(
                local.item_id,
                &remote.fields,
                remote.completed_ms,
                &remote.fields,
                calendar.id,
                href,
                etag,
                false,
            )?;
            tx.set_task_text(local.item_id, remote)
        })?;
        report.pulled += 1;
        return Ok(());
    }
    match merge(local.base.as_ref(), &local.fields, &remote.fields) {
        Merged::Clean { fields, local_left } => {
            let completed = match fields.status {
                TaskStatus::Completed => local.completed_ms.or(remote.completed_ms),
                _ => None,
            };
            store.write(|tx| {
                tx.apply_task_fields(
                    local.item_id,
                    &fields,
                    completed,
                    &remote.fields,
                    calendar.id,
                    href,
                    etag,
                    local_left,
                )?;
                tx.set_task_text(local.item_id, remote)
            })?;
            report.pulled += 1;
        }
        Merged::Conflict(fields) => {
            let there = |f: &str| match f {
                "title" => format!("title {:?}", remote.fields.title),
                "status" => format!("status {}", remote.fields.status.as_str()),
                _ => format!(
                    "due {}",
                    remote
                        .fields
                        .due_ms
                        .map(crate::dto::rfc3339)
                        .unwrap_or_else(|| "none".into())
                ),
            };
            let reason = format!(
                "Changed here and on the server: the server has {}. Keep this version or the server's (satu task resolve {} --keep here|server)",
                fields.iter().map(|f| there(f)).collect::<Vec<_>>().join(", "),
                local.item_id
            );
            tracing::warn!(task = local.item_id, %reason, "Task conflict.");
            store.write(|tx| tx.set_task_sync_error(local.item_id, &reason))?;
            report.conflicts += 1;
        }
    }
    Ok(())
}

/// Pushes every task changed here to its task list (new ones to the list chosen for tasks).
pub(super) async fn push_all(
    store: &Store,
    client: &Client,
    account: &Account,
    calendars: &[CalendarRow],
    report: &mut TaskSyncReport,
) -> Result<()> {
    let lists: Vec<&CalendarRow> = calendars
        .iter()
        .filter(|c| c.components.iter().any(|k| k == "VTODO"))
        .collect();
    // New tasks go to the list chosen for them; when it is another account's, that account's
    // pass takes them.
    let chosen_elsewhere = store
        .calendars(None)?
        .iter()
        .any(|c| c.task_default && c.account_id != account.id);
    let default = lists
        .iter()
        .find(|c| c.task_default)
        .or(if chosen_elsewhere {
            None
        } else {
            lists.first()
        });
    for task in store.unsynced_tasks()? {
        let calendar = match (task.calendar_id, default) {
            (Some(id), _) => match lists.iter().find(|c| c.id == id) {
                Some(c) => c,
                None => continue, // another account's list
            },
            (None, Some(default)) => default,
            (None, None) => continue,
        };
        push(store, client, account, calendar, &task, report)
            .await
            .with_context(|| format!("Cannot send the task {:?}", task.fields.title))?;
    }
    Ok(())
}

pub(super) async fn push(
    store: &Store,
    client: &Client,
    account: &Account,
    calendar: &CalendarRow,
    task: &SyncTask,
    report: &mut TaskSyncReport,
) -> Result<()> {
    let href = if task.href.is_empty() {
        format!("{}{}", calendar.href, resource_name(&task.uid))
    } else {
        task.href.clone()
    };
    let precondition = if task.etag.is_empty() {
        Precondition::Create
    } else {
        Precondition::Match(&task.etag)
    };
    let text = to_vtodo(task);
    match client.put(&href, &text, precondition).await {
        Ok(etag) => {
            let etag = super::written_etag(client, &calendar.href, &href, etag).await?;
            store.write(|tx| {
                tx.task_pushed(
                    task.item_id,
                    task.revision,
                    calendar.id,
                    &href,
                    &etag,
                    &task.fields,
                    &text,
                )
            })?;
            report.pushed += 1;
        }
        Err(CaldavError::Conflict { .. }) => {
            // Someone changed it meanwhile: merge with their version; push again next pass.
            for (href, etag, ics) in client
                .multiget(&calendar.href, std::slice::from_ref(&href))
                .await?
            {
                if let Some(remote) = from_vtodo(&ics) {
                    take_remote(store, account, calendar, &href, &etag, &remote, report)?;
                }
            }
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// The user's answer to a conflict on task `item_id`: keep this version (it overwrites the
/// server's, which the user saw) or the server's (this one's changes go).
pub(crate) async fn resolve(ctx: &Context, item_id: i64, keep_here: bool) -> Result<()> {
    let store = ctx.store();
    let task = store
        .unsynced_or_conflicted(item_id)?
        .ok_or(satu_store::StoreError::NotTask(item_id))?;
    let calendar_id = task
        .calendar_id
        .context("This task is not on a CalDAV server yet: nothing to resolve")?;
    let calendar = store
        .calendars(None)?
        .into_iter()
        .find(|c| c.id == calendar_id)
        .context("The task's task list is gone")?;
    let account = store.account(calendar.account_id)?;
    let client = client(ctx, &account)?;
    let server = client
        .multiget(&calendar.href, std::slice::from_ref(&task.href))
        .await?
        .into_iter()
        .next()
        .and_then(|(href, etag, ics)| from_vtodo(&ics).map(|r| (href, etag, r)));
    match (keep_here, server) {
        (true, Some((href, etag, remote))) => store.write(|tx| {
            // The server's version becomes the base: this one's fields all differ from it
            // where they differ, so they are what gets pushed.
            tx.apply_task_fields(
                task.item_id,
                &task.fields,
                task.completed_ms,
                &remote.fields,
                calendar.id,
                &href,
                &etag,
                true,
            )?;
            tx.set_task_text(task.item_id, &remote)
        })?,
        (true, None) => store.write(|tx| tx.task_recreate(task.item_id))?,
        (false, Some((href, etag, remote))) => store.write(|tx| {
            tx.apply_task_fields(
                task.item_id,
                &remote.fields,
                remote.completed_ms,
                &remote.fields,
                calendar.id,
                &href,
                &etag,
                false,
            )?;
            tx.set_task_text(task.item_id, &remote)
        })?,
        (false, None) => store.write(|tx| tx.remove_task(task.item_id))?,
    }
    if keep_here {
        super::sync_account(ctx, &account).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(title: &str, status: TaskStatus, due: Option<i64>) -> TaskFields {
        TaskFields {
            title: title.into(),
            status,
            due_ms: due,
        }
    }

    #[test]
    fn merges_changes_to_different_fields_and_refuses_the_same_one() {
        let base = fields("Plan", TaskStatus::NeedsAction, None);
        // Completed here, due set there: both kept.
        let local = fields("Plan", TaskStatus::Completed, None);
        let remote = fields("Plan", TaskStatus::NeedsAction, Some(5));
        assert_eq!(
            merge(Some(&base), &local, &remote),
            Merged::Clean {
                fields: fields("Plan", TaskStatus::Completed, Some(5)),
                local_left: true
            }
        );
        // Only the server changed: its version, nothing left to push.
        assert_eq!(
            merge(Some(&base), &base, &remote),
            Merged::Clean {
                fields: remote.clone(),
                local_left: false
            }
        );
        // Both made the same change: no conflict.
        assert_eq!(
            merge(Some(&base), &remote, &remote),
            Merged::Clean {
                fields: remote.clone(),
                local_left: false
            }
        );
        // Both changed the due date differently: a conflict, named.
        let other = fields("Plan", TaskStatus::NeedsAction, Some(9));
        assert_eq!(
            merge(Some(&base), &other, &remote),
            Merged::Conflict(vec!["due"])
        );
        // Never agreed on anything: every difference is a conflict.
        assert_eq!(
            merge(None, &local, &remote),
            Merged::Conflict(vec!["status", "due"])
        );
    }

    #[test]
    fn a_task_round_trips_through_its_vtodo_with_the_mail_link() {
        let task = SyncTask {
            item_id: 7,
            account_id: 1,
            uid: "satu-task-1@example.com".into(),
            fields: fields(
                "Budget, Q3; review",
                TaskStatus::Completed,
                Some(1_767_225_600_000),
            ),
            base: None,
            completed_ms: Some(1_767_000_000_000),
            mail_message_id: "plan/1@example.com".into(),
            description: "Let us plan the budget.".into(),
            calendar_id: None,
            href: String::new(),
            etag: String::new(),
            revision: 1,
            synced_revision: 0,
            sync_error: String::new(),
            created_ms: 1_766_000_000_000,
            updated_ms: 1_766_100_000_000,
            ics: String::new(),
            chat_link: String::new(),
            percent: 0,
        };
        let ics = to_vtodo(&task);
        assert!(ics.contains("BEGIN:VTODO"), "{ics}");
        assert!(ics.contains("URL:mid:plan%2F1@example.com"), "{ics}");
        let back = from_vtodo(&ics).expect("parse");
        assert_eq!(back.uid, task.uid);
        assert_eq!(back.fields, task.fields);
        assert_eq!(back.mail_message_id, "plan/1@example.com");
        assert_eq!(back.completed_ms, Some(1_767_000_000_000));
        assert_eq!(back.description, "Let us plan the budget.");
        assert!(from_vtodo("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n").is_none());
        assert!(from_vtodo("garbage").is_none());
        assert_eq!(resource_name("a b/c@d"), "a_b_c_d.ics");
    }

    #[test]
    fn an_edit_changes_only_what_changed_and_keeps_what_other_clients_wrote() {
        let theirs =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VTODO\r\nUID:t1@x\r\n\
SUMMARY:Order chairs\r\nSTATUS:IN-PROCESS\r\nPERCENT-COMPLETE:40\r\nPRIORITY:1\r\n\
RELATED-TO:parent@x\r\nDUE;VALUE=DATE:20270105\r\nCATEGORIES:Office\r\nX-OTHER:kept\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nEND:VALARM\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        let remote = from_vtodo(theirs).expect("vtodo");
        assert_eq!(
            (remote.priority, remote.percent, remote.related_to.as_str()),
            (1, 40, "parent@x")
        );
        let mut task = SyncTask {
            item_id: 1,
            account_id: 1,
            uid: "t1@x".into(),
            fields: remote.fields.clone(),
            base: Some(remote.fields.clone()),
            completed_ms: None,
            mail_message_id: String::new(),
            description: String::new(),
            calendar_id: Some(1),
            href: "/c/t1.ics".into(),
            etag: "\"1\"".into(),
            revision: 2,
            synced_revision: 1,
            sync_error: String::new(),
            created_ms: 0,
            updated_ms: 1_767_000_000_000,
            ics: theirs.into(),
            chat_link: String::new(),
            percent: 0,
        };
        task.fields.status = TaskStatus::Completed;
        let text = to_vtodo(&task);
        for kept in [
            "PRIORITY:1",
            "RELATED-TO:parent@x",
            "DUE;VALUE=DATE:20270105",
            "CATEGORIES:Office",
            "X-OTHER:kept",
            "TRIGGER:-PT1H",
            "SUMMARY:Order chairs",
        ] {
            assert!(text.contains(kept), "{kept} in {text}");
        }
        assert!(
            text.contains("STATUS:COMPLETED") && text.contains("PERCENT-COMPLETE:100"),
            "{text}"
        );
        assert!(text.contains("COMPLETED:20251229"), "{text}");
        assert!(text.contains("SEQUENCE:1"), "{text}");
        // Reopened: COMPLETED goes, and the 100 % with it.
        task.ics = text;
        task.fields.status = TaskStatus::NeedsAction;
        let again = to_vtodo(&task);
        assert!(
            !again.contains("COMPLETED:") && !again.contains("PERCENT-COMPLETE"),
            "{again}"
        );
    }
}
