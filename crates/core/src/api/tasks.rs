//! Tasks: made from mail or chat, completed, due, renamed, deleted; conflicts answered.

use super::{ApiResult, Satu};
use crate::dto;
use crate::{caldav, replay};

impl Satu {
    /// Makes a task of mail item `id` (title from the subject, linked both ways, due at `due`:
    /// RFC 3339 or a day like `2026-12-24`). A mail that has a task already gets that one back.
    pub fn task_from_mail(&self, id: i64, due: Option<&str>) -> ApiResult<dto::Item> {
        let due_ms = due.map(crate::tasks::parse_due).transpose()?;
        let (task, made) = self.ctx.store().write(|tx| {
            let (task, made) = tx.task_from_mail(id, due_ms)?;
            if made {
                let from = tx.item_row(id)?;
                crate::audit::record(
                    tx,
                    "task.make",
                    Some(from.account_id),
                    Some(task),
                    serde_json::json!({ "from_item": id, "title": from.title, "due_ms": due_ms }),
                )?;
            }
            Ok((task, made))
        })?;
        tracing::info!(mail_id = id, task, made, "Task from mail.");
        self.ctx.calendar_changed();
        Ok(self.ctx.store().item_row(task)?.into())
    }

    /// Every task: open ones first (by due date), then done ones.
    pub fn tasks(&self) -> ApiResult<Vec<dto::Item>> {
        Ok(self
            .ctx
            .store()
            .tasks()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Completes task `id` (or reopens it with `done` false). Completing a task made from a
    /// flagged mail unflags the mail when `tasks.unflag_on_done` is on (queued for its server and
    /// pushed at once when it answers).
    pub async fn task_done(&self, id: i64, done: bool) -> ApiResult<dto::Item> {
        if let Some(account) = crate::tasks::set_done(self.ctx.store(), id, done)? {
            let mail = self
                .ctx
                .store()
                .item_row(id)?
                .todo
                .and_then(|t| t.mail_item);
            replay::report(&self.ctx, account, mail.unwrap_or(id), true, None, false).await?;
        }
        self.ctx.calendar_changed();
        Ok(self.ctx.store().item_row(id)?.into())
    }

    /// Sets the due date of task `id` (RFC 3339 or a day like `2026-12-24`, midnight local
    /// time), or clears it with `None`.
    pub fn set_task_due(&self, id: i64, due: Option<&str>) -> ApiResult<dto::Item> {
        let due_ms = due.map(crate::tasks::parse_due).transpose()?;
        self.ctx.store().write(|tx| {
            tx.set_task_due(id, due_ms)?;
            crate::audit::record(
                tx,
                "task.edit",
                None,
                Some(id),
                serde_json::json!({ "due_ms": due_ms }),
            )
        })?;
        self.ctx.calendar_changed();
        Ok(self.ctx.store().item_row(id)?.into())
    }

    /// Renames task `id` (pushed to its task list with the next sync).
    pub fn set_task_title(&self, id: i64, title: &str) -> ApiResult<dto::Item> {
        crate::tasks::set_title(self.ctx.store(), id, title)?;
        self.ctx.calendar_changed();
        Ok(self.ctx.store().item_row(id)?.into())
    }

    /// Deletes task `id` here at once, and from its task list with the next sync.
    pub fn delete_task(&self, id: i64) -> ApiResult<()> {
        self.ctx.store().write(|tx| {
            let title = tx.item_row(id)?.title;
            tx.delete_task(id)?;
            crate::audit::record(
                tx,
                "task.delete",
                None,
                Some(id),
                serde_json::json!({ "title": title }),
            )
        })?;
        self.ctx.calendar_changed();
        Ok(())
    }

    /// Answers a sync conflict on task `id` (see `todo.conflict`): keep this version (`keep_here`:
    /// it replaces the server's) or the server's.
    pub async fn resolve_task(&self, id: i64, keep_here: bool) -> ApiResult<dto::Item> {
        caldav::tasks::resolve(&self.ctx, id, keep_here).await?;
        Ok(self.ctx.store().item_row(id)?.into())
    }
}
