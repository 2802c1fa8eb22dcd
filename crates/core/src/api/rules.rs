//! Rules: made, listed, turned on and off, removed, run on the mail already here
//! (`crate::rules`).

use super::{ApiResult, Satu};
use crate::{dto, rules};

impl Satu {
    /// Adds a rule (conditions `when`, one action per `then`) after the others; it acts on
    /// mail that arrives from now on (`rule_run` for the mail already here).
    pub fn rule_add(&self, name: &str, when: &str, then: &[String]) -> ApiResult<dto::Rule> {
        rules::add(&self.ctx, name, when, then)
    }

    /// Every rule, in order.
    pub fn rules(&self) -> ApiResult<Vec<dto::Rule>> {
        rules::list(self.ctx.store())
    }

    /// Rule `id`.
    pub fn rule(&self, id: i64) -> ApiResult<dto::Rule> {
        rules::show(self.ctx.store(), id)
    }

    /// Removes rule `id`.
    pub fn rule_remove(&self, id: i64) -> ApiResult<()> {
        rules::remove(self.ctx.store(), id)
    }

    /// Turns rule `id` on or off.
    pub fn rule_enable(&self, id: i64, enabled: bool) -> ApiResult<dto::Rule> {
        rules::set_enabled(self.ctx.store(), id, enabled)
    }

    /// Rule `id` on the newest `limit` mails here: how many it matches, and (unless
    /// `dry_run`) acting on them, each once.
    pub fn rule_run(&self, id: i64, limit: u32, dry_run: bool) -> ApiResult<dto::RuleRun> {
        rules::run_on_existing(&self.ctx, id, limit, dry_run)
    }

    /// How many of the newest `limit` mails the conditions `when` match (the editor's live
    /// count).
    pub fn rule_count(&self, when: &str, limit: u32) -> ApiResult<u64> {
        rules::count_matches(self.ctx.store(), when, limit)
    }

    /// Lets the rules look at the mail stored since they last did (as the live sync does
    /// beside it; `satu sync` after its pass): how many mails a rule acted on.
    pub async fn apply_rules(&self) -> ApiResult<u64> {
        let ctx = self.ctx.clone();
        let acted = tokio::task::spawn_blocking(move || rules::look_at_new_mail(&ctx))
            .await
            .map_err(|e| {
                crate::error::ApiError::internal(format!("The rules' thread failed: {e}"))
            })??;
        Ok(acted as u64)
    }
}
