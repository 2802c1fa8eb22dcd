//! Rules: "when a mail is like this, do that" (`satu rule add --when … --do …`).
//!
//! - What a rule says is read by pure functions: its conditions ([`when`]) and its actions and
//!   which rules act on a mail, in order, up to one that stops ([`then::plan`]).
//! - New mail (stored in an INBOX after the rules last looked, `rule_cursor`, and dated within
//!   [`NEW_MAIL_DAYS`]: an account added later does not bring years of "new" mail) is looked at by
//!   [`run`] beside the live sync and after `satu sync` ([`look_at_new_mail`]). Everything the
//!   rules do to one mail commits in one transaction with the rows that say each rule ran and
//!   the cursor past it: a rule acts on a mail once, across a kill and a restart. What they do
//!   is in the audit trail with origin `rule`; changes for the server are queued as the user's
//!   are.
//! - `satu rule run ID [--dry-run]` looks at the newest mail already here ([`run_on_existing`]);
//!   a dry run only counts.

pub(crate) mod then;
pub(crate) mod when;

use std::time::Duration;

use anyhow::Context as _;
use satu_store::{FolderRole, Store, Tx};
use tokio_util::sync::CancellationToken;

use crate::actions::{self, Target};
use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use then::{Action, Rule};

/// New mail looked at per pass.
const PER_PASS: u32 = 200;

/// Mail dated longer ago than this is not new mail, whenever it is stored (an account added
/// later brings years of it): rules leave it to `satu rule run`.
const NEW_MAIL_DAYS: i64 = 3;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A stored rule as the plan reads it; an error names the rule whose words no longer read.
fn rule_of(row: &satu_store::RuleRow) -> Result<Rule, String> {
    Ok(Rule {
        id: row.id,
        when: when::parse(&row.conditions)
            .map_err(|e| format!("rule {} ({}): {e}", row.id, row.name))?,
        then: row
            .actions
            .iter()
            .map(|a| then::parse(a))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("rule {} ({}): {e}", row.id, row.name))?,
    })
}

/// The enabled rules, in order (one that does not read is left out, said in the log).
fn enabled(store: &Store) -> anyhow::Result<Vec<Rule>> {
    Ok(store
        .rules()?
        .iter()
        .filter(|r| r.enabled)
        .filter_map(|r| match rule_of(r) {
            Ok(rule) => Some(rule),
            Err(e) => {
                tracing::warn!(rule = r.id, error = %e, "A rule is left out.");
                None
            }
        })
        .collect())
}

/// What mail `id` is, as conditions read it.
pub(crate) fn facts(store: &Store, id: i64) -> anyhow::Result<when::Facts> {
    let detail = store.item(id)?;
    let row = &detail.row;
    let raw = store.raw_message(id).unwrap_or_default();
    let parsed = mail_parser::MessageParser::new().parse_headers(&raw);
    let addresses = |list: Option<&mail_parser::Address<'_>>| -> Vec<String> {
        list.map(|a| {
            a.iter()
                .filter_map(|addr| addr.address())
                .map(str::to_lowercase)
                .collect()
        })
        .unwrap_or_default()
    };
    let (to, cc, list_id, in_reply_to) = match &parsed {
        Some(m) => (
            addresses(m.to()),
            addresses(m.cc()),
            m.header("List-Id")
                .and_then(|h| h.as_text())
                .map(str::to_owned),
            m.in_reply_to()
                .as_text()
                .map(|t| t.trim_matches(['<', '>']).to_owned()),
        ),
        None => (Vec::new(), Vec::new(), None, None),
    };
    let reply_to_mine = match in_reply_to {
        Some(parent) => store.sent_by_account(row.account_id, &parent)?,
        None => false,
    };
    Ok(when::Facts {
        from: row
            .sender
            .as_ref()
            .map(|p| p.address.to_lowercase())
            .unwrap_or_default(),
        to,
        cc,
        subject: row.title.clone(),
        body: detail.body_text.clone().unwrap_or_default(),
        attachments: detail
            .attachments
            .iter()
            .map(|a| (a.name.clone(), a.mime_type.clone()))
            .collect(),
        list_id,
        account: row.account_id,
        folders: row.folders.clone(),
        sender: store.sender_check(id)?.map(|c| c.verdict),
        size: raw.len() as u64,
        age_days: u32::try_from((now_ms() - row.time_ms).max(0) / 86_400_000).unwrap_or(u32::MAX),
        reply_to_mine,
    })
}

/// Does `action` to mail `id` inside `tx`; what it did, in words (`--do` form).
fn act(
    tx: &mut Tx<'_>,
    store: &Store,
    id: i64,
    action: &Action,
    arrived_ms: i64,
) -> anyhow::Result<String> {
    match action {
        Action::Read => {
            actions::mark_in(tx, store, id, Some(false), None)?;
        }
        Action::Flag => {
            actions::mark_in(tx, store, id, None, Some(true))?;
        }
        Action::Archive => {
            actions::move_in(tx, store, id, &Target::Role(FolderRole::Archive))?;
        }
        Action::Delete => {
            // To the Trash: a rule never deletes for good.
            actions::move_in(tx, store, id, &Target::Role(FolderRole::Trash))?;
        }
        Action::Move(folder) => {
            actions::move_in(tx, store, id, &Target::Named(folder.clone()))?;
        }
        Action::Task { due_days, title } => {
            // A reply in a conversation that is a task already is that task's activity, not a
            // second task.
            if let Some(task) = tx.thread_task(id)? {
                return Ok(format!("task (the conversation's, {task})"));
            }
            let due_ms = due_days.map(|d| arrived_ms + d * 86_400_000);
            let (task, made) = tx.task_from_mail(id, due_ms)?;
            let row = tx.item_row(id)?;
            if let Some(title) = title {
                if made {
                    tx.set_task_title(task, &title.replace("{subject}", &row.title))?;
                }
            }
            if made {
                crate::audit::record(
                    tx,
                    "task.make",
                    Some(row.account_id),
                    Some(task),
                    serde_json::json!({ "from_item": id, "title": row.title, "due_ms": due_ms }),
                )?;
            }
        }
        Action::Stop => {}
    }
    Ok(action.text())
}

/// Applies `rules` to mail `id` in one transaction with origin `rule`: each rule that acts
/// notes it ran (a rule that ran on this mail before is passed over), and the cursor moves to
/// `cursor` when given. Returns what each rule did.
fn apply(
    store: &Store,
    rules: &[Rule],
    id: i64,
    run: i64,
    cursor: Option<i64>,
) -> anyhow::Result<Vec<(i64, Vec<String>)>> {
    let facts = facts(store, id)?;
    let plan = then::plan(rules, &facts);
    let arrived_ms = store.item_row(id)?.time_ms;
    store.write(|tx| {
        tx.set_audit_origin("rule");
        let mut done_all = Vec::new();
        for (rule, actions) in &plan {
            if tx.rule_ran(*rule, id)? {
                continue;
            }
            let mut done = Vec::new();
            for action in actions {
                done.push(act(tx, store, id, action, arrived_ms).with_context(|| {
                    format!("Rule {rule} could not {} mail {id}", action.text())
                })?);
            }
            tx.note_rule_run(*rule, id, &done, run, now_ms())?;
            if !done.is_empty() {
                crate::audit::record(
                    tx,
                    "rule.run",
                    None,
                    Some(id),
                    serde_json::json!({ "rule": rule, "done": done }),
                )?;
            }
            done_all.push((*rule, done));
        }
        if let Some(cursor) = cursor {
            tx.set_rule_cursor(cursor)?;
        }
        Ok(done_all)
    })
}

/// Looks at the mail stored since the last look (see the module): how many mails a rule acted
/// on. The first look ever starts at the newest mail (mail here before the first rule is
/// `satu rule run`'s).
pub(crate) fn look_at_new_mail(ctx: &Context) -> anyhow::Result<usize> {
    let store = ctx.store();
    let rules = enabled(store)?;
    let mut acted = 0;
    loop {
        let cursor = store.rule_cursor()?;
        let (ids, newest) = store.mail_for_rules(cursor.unwrap_or(i64::MAX), PER_PASS)?;
        if cursor.is_none() || rules.is_empty() || ids.is_empty() {
            // Nothing for a rule: only the cursor moves (no write when it is there already,
            // so that a store with no rules is not written to at every change).
            if cursor != Some(newest) {
                store.write(|tx| tx.set_rule_cursor(newest))?;
            }
            return Ok(acted);
        }
        let full = ids.len() == PER_PASS as usize;
        let oldest_new = now_ms() - NEW_MAIL_DAYS * 86_400_000;
        for id in &ids {
            if store.item_row(*id)?.time_ms < oldest_new {
                store.write(|tx| tx.set_rule_cursor(*id))?;
                continue;
            }
            match apply(store, &rules, *id, 0, Some(*id)) {
                Ok(done) => {
                    if done.iter().any(|(_, d)| !d.is_empty()) {
                        acted += 1;
                    }
                }
                Err(e) => {
                    // This mail is passed over (said in the log); the next ones still get
                    // their rules.
                    tracing::warn!(item = id, error = %format!("{e:#}"), "A rule could not act.");
                    store.write(|tx| tx.set_rule_cursor(*id))?;
                }
            }
        }
        if acted > 0 {
            ctx.calendar_changed();
        }
        if !full {
            // What was not an INBOX's mail up to the newest is looked at too.
            if let Some(last) = ids.last() {
                store.write(|tx| tx.set_rule_cursor((*last).max(newest)))?;
            }
            return Ok(acted);
        }
    }
}

/// The rules beside the live sync until `cancel` fires: after each change to the store (a
/// second later, so that a batch settles).
pub(crate) async fn run(ctx: Context, cancel: CancellationToken) {
    let mut changes = ctx.store().subscribe();
    loop {
        let look = {
            let ctx = ctx.clone();
            tokio::task::spawn_blocking(move || look_at_new_mail(&ctx)).await
        };
        match look {
            Ok(Ok(acted)) if acted > 0 => tracing::info!(acted, "Rules acted on new mail."),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %format!("{e:#}"), "The rules could not look at new mail.")
            }
            Err(e) => tracing::warn!(error = %e, "The rules' thread failed."),
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = changes.recv() => {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                while changes.try_recv().is_ok() {}
            }
        }
    }
}

/// A rule as the API shows it.
fn to_dto(row: satu_store::RuleRow) -> dto::Rule {
    dto::Rule {
        id: row.id,
        name: row.name,
        position: row.position,
        enabled: row.enabled,
        when: row.conditions,
        then: row.actions,
        created: dto::rfc3339(row.created_ms),
        runs: row.runs,
    }
}

/// Adds a rule after checking its words; it acts on mail stored from now on.
pub(crate) fn add(
    ctx: &Context,
    name: &str,
    when_text: &str,
    then_texts: &[String],
) -> ApiResult<dto::Rule> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "Give the rule a name"));
    }
    when::parse(when_text).map_err(|e| ApiError::invalid("when", e))?;
    if then_texts.is_empty() {
        return Err(ApiError::invalid(
            "do",
            "Say what the rule does (--do flag, --do 'task due:+2d', …)",
        ));
    }
    let actions: Vec<String> = then_texts
        .iter()
        .map(|t| then::parse(t).map(|a| a.text()))
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::invalid("do", e))?;
    let store = ctx.store();
    // Mail already here is not new to a rule made now.
    let (_, newest) = store.mail_for_rules(i64::MAX, 1)?;
    let id = store.write(|tx| {
        if store.rule_cursor()?.is_none() {
            tx.set_rule_cursor(newest)?;
        }
        let id = tx.add_rule(name, when_text.trim(), &actions, now_ms())?;
        crate::audit::record(
            tx,
            "rule.add",
            None,
            None,
            serde_json::json!({ "rule": id, "name": name, "when": when_text.trim(), "do": actions }),
        )?;
        Ok(id)
    })?;
    Ok(to_dto(store.rule(id)?))
}

/// Every rule, in order.
pub(crate) fn list(store: &Store) -> ApiResult<Vec<dto::Rule>> {
    Ok(store.rules()?.into_iter().map(to_dto).collect())
}

/// Rule `id`.
pub(crate) fn show(store: &Store, id: i64) -> ApiResult<dto::Rule> {
    Ok(to_dto(store.rule(id)?))
}

/// Removes rule `id`.
pub(crate) fn remove(store: &Store, id: i64) -> ApiResult<()> {
    let rule = store.rule(id)?;
    store.write(|tx| {
        tx.remove_rule(id)?;
        crate::audit::record(
            tx,
            "rule.remove",
            None,
            None,
            serde_json::json!({ "rule": id, "name": rule.name }),
        )
    })?;
    Ok(())
}

/// Turns rule `id` on or off.
pub(crate) fn set_enabled(store: &Store, id: i64, enabled: bool) -> ApiResult<dto::Rule> {
    store.rule(id)?;
    store.write(|tx| {
        tx.set_rule_enabled(id, enabled)?;
        crate::audit::record(
            tx,
            "rule.change",
            None,
            None,
            serde_json::json!({ "rule": id, "enabled": enabled }),
        )
    })?;
    Ok(to_dto(store.rule(id)?))
}

/// Rule `id` on the newest `limit` mails here: how many it matches, and (unless `dry_run`) it
/// acts on those it has not acted on before.
pub(crate) fn run_on_existing(
    ctx: &Context,
    id: i64,
    limit: u32,
    dry_run: bool,
) -> ApiResult<dto::RuleRun> {
    let store = ctx.store();
    let row = store.rule(id)?;
    let rule = rule_of(&row).map_err(|e| ApiError::invalid("when", e))?;
    let mail = store.recent_mail(limit)?;
    let mut matched = Vec::new();
    for item in &mail {
        let facts = facts(store, *item)?;
        if when::matches(&rule.when, &facts) {
            matched.push(*item);
        }
    }
    let mut applied = 0;
    if !dry_run {
        let run = now_ms();
        for item in &matched {
            let done = apply(store, std::slice::from_ref(&rule), *item, run, None)?;
            if done.iter().any(|(_, d)| !d.is_empty()) {
                applied += 1;
            }
        }
        if applied > 0 {
            ctx.calendar_changed();
        }
    }
    Ok(dto::RuleRun {
        rule: id,
        looked_at: mail.len() as u64,
        matched: matched.len() as u64,
        applied,
        items: matched,
        dry_run,
    })
}

/// How many of the newest `limit` mails the conditions `when_text` match (the Settings
/// editor's live count).
pub(crate) fn count_matches(store: &Store, when_text: &str, limit: u32) -> ApiResult<u64> {
    let conds = when::parse(when_text).map_err(|e| ApiError::invalid("when", e))?;
    let mut n = 0;
    for item in store.recent_mail(limit)? {
        if when::matches(&conds, &facts(store, item)?) {
            n += 1;
        }
    }
    Ok(n)
}
