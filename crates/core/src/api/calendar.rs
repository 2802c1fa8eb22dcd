//! Calendars and events (CalDAV), ICS files and the invitations mail carries.

use std::path::Path;

use super::{ApiResult, Satu};
use crate::caldav;
use crate::dto;

impl Satu {
    /// The calendars and task lists of every CalDAV account (or just `account`).
    pub fn calendars(&self, account: Option<i64>) -> ApiResult<Vec<dto::CalendarInfo>> {
        if let Some(id) = account {
            self.ctx.store().account(id)?;
        }
        Ok(self
            .ctx
            .store()
            .calendars(account)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Makes calendar `id` the task list where tasks made from mail go (one over every
    /// account).
    pub fn set_task_calendar(&self, id: i64) -> ApiResult<Vec<dto::CalendarInfo>> {
        caldav::tasks::choose_task_list(self.ctx.store(), id)?;
        self.calendars(None)
    }

    /// The instances of events overlapping `[from, to)` (RFC 3339 or `YYYY-MM-DD`, local
    /// midnight), series expanded, by start; only `calendars` when not empty.
    pub fn calendar_events(
        &self,
        from: &str,
        to: &str,
        calendars: &[i64],
    ) -> ApiResult<Vec<dto::EventOccurrence>> {
        caldav::events::occurrences_between(self.ctx.store(), from, to, calendars)
    }

    /// Everything about event `id`.
    pub fn event(&self, id: i64) -> ApiResult<dto::EventDetail> {
        caldav::events::detail(self.ctx.store(), id)
    }

    /// Makes an event in a calendar (the first one for events by default); it is on the server
    /// after the next sync (at once when online; queued while offline).
    pub fn add_event(&self, input: &dto::EventInput) -> ApiResult<dto::EventDetail> {
        let event = caldav::events::add(self.ctx.store(), input)?;
        self.ctx.calendar_changed();
        Ok(event)
    }

    /// Changes event `id` (the whole series): only the fields given.
    pub fn edit_event(&self, id: i64, input: &dto::EventInput) -> ApiResult<dto::EventDetail> {
        let event = caldav::events::edit(self.ctx.store(), id, input)?;
        self.ctx.calendar_changed();
        Ok(event)
    }

    /// Deletes event `id` here at once and on the server with the next sync.
    pub fn delete_event(&self, id: i64) -> ApiResult<()> {
        caldav::events::delete(self.ctx.store(), id)?;
        self.ctx.calendar_changed();
        Ok(())
    }

    /// Answers a sync conflict on event `id`: keep this version (it replaces the server's) or
    /// the server's.
    pub async fn resolve_event(&self, id: i64, keep_here: bool) -> ApiResult<dto::EventDetail> {
        caldav::events::resolve_and_sync(&self.ctx, id, keep_here).await?;
        self.event(id)
    }

    /// The selected events as one iCalendar text (with their VTIMEZONEs), and how many:
    /// a calendar's (or every calendar's), those with an instance in `[from, to)`, or the
    /// events `ids`.
    pub fn export_ics(
        &self,
        calendar: Option<i64>,
        ids: &[i64],
        range: Option<(&str, &str)>,
    ) -> ApiResult<(String, usize)> {
        let selection = caldav::exchange::Selection::new(calendar, ids, range)?;
        let (text, events) = caldav::exchange::export(self.ctx.store(), &selection)?;
        crate::audit::record_now(
            self.ctx.store(),
            "export.calendar",
            None,
            None,
            serde_json::json!({ "calendar": calendar, "ids": ids, "range": range, "events": events }),
        )?;
        Ok((text, events))
    }

    /// Imports the events of the ICS file at `path` into `calendar` (default: the first
    /// calendar for events); they reach the server with the next sync.
    pub fn import_ics(
        &self,
        path: &Path,
        calendar: Option<i64>,
    ) -> ApiResult<dto::IcsImportReport> {
        let report = caldav::exchange::import_file(self.ctx.store(), path, calendar)?;
        self.ctx.calendar_changed();
        Ok(report)
    }

    /// Asks the live loop for a CalDAV pass (and an outbox run) now: the window got the focus,
    /// an account was added.
    pub fn sync_soon(&self) {
        self.ctx.calendar_changed();
        self.ctx.outbox_changed();
    }

    /// Answers the invitation mail item `id` carries (`accepted`, `tentative`, `declined`):
    /// the REPLY goes to the organizer through the outbox, and the event with the answer goes
    /// to the calendar for events (a declined one is taken out). Returns the invitation as it
    /// stands now.
    pub async fn answer_invitation(&self, id: i64, answer: &str) -> ApiResult<dto::Invitation> {
        caldav::invite::answer(&self.ctx, id, answer).await
    }
}
