//! The audit trail, as the core writes and reads it (the store keeps it: `satu_store::audit`).
//! Each action appends its entry in its own transaction through [`record`]; what is not a
//! store change (an export, opening an attachment, a backup) through [`record_now`]. What is
//! recorded, by kind:
//!
//! - mail: `mail.read`, `mail.unread`, `mail.flag`, `mail.unflag`, `mail.move` (`archive` is a
//!   move to the archive), `mail.delete` (to the Trash or for good), `mail.send` (queued, with
//!   its Message-ID and recipients), `mail.sent` (the server took it); from the server (another
//!   device): `mail.removed`, `mail.flags`.
//! - tasks and events: `task.make`, `task.done`, `task.edit`, `task.delete`, `event.add`,
//!   `event.edit`, `event.delete`, `event.answer`.
//! - chat: `chat.send`, `chat.edit`, `chat.redact`.
//! - accounts, settings and rules: `account.add`, `account.remove`, `account.sign_in`,
//!   `setting.change`, `rule.add`, `rule.change`, `rule.remove`; what a rule did: `rule.run`
//!   (and each action's own entry, origin `rule`).
//! - disclosure: `export.mail`, `attachment.open`, `attachment.save`, `backup.create`,
//!   `backup.restore`, `audit.export`; the trail itself: `audit.prune`.
//!
//! Who: the OS user and the device; where from: `window`, `cli`, `server`, `schedule`.

use satu_store::{AuditEntry, AuditFilter, Store, Tx};

use crate::error::{ApiError, ApiResult};

/// The OS user and device this process acts as (`ana@laptop`).
pub(crate) fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("{user}@{}", device())
}

fn device() -> String {
    #[cfg(unix)]
    {
        let name = rustix::system::uname();
        let host = name.nodename().to_string_lossy().into_owned();
        if !host.is_empty() {
            return host;
        }
    }
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".to_owned())
}

const DAY_MS: i64 = 86_400_000;

/// Where retention cuts the trail: the start (UTC) of the oldest day kept, when `keep_days`
/// days are kept at `now_ms` (today counts); `None` to keep everything.
pub(crate) fn prune_before(keep_days: i64, now_ms: i64) -> Option<i64> {
    (keep_days > 0).then(|| (now_ms.div_euclid(DAY_MS) - (keep_days - 1)) * DAY_MS)
}

/// Applies `audit.keep_days` now: whole days older than it go (the pruning is an entry).
pub(crate) fn apply_retention(store: &Store) -> ApiResult<u64> {
    let keep = store.number_setting(satu_store::NumberSetting::AuditKeepDays)?;
    let now = chrono::Utc::now().timestamp_millis();
    let Some(before) = prune_before(keep, now) else {
        return Ok(0);
    };
    Ok(store.write(|tx| tx.prune_audit(before))?)
}

/// Applies the retention at start and then every hour, until `cancel` fires (beside the live
/// sync).
pub(crate) async fn run_retention(
    store: std::sync::Arc<Store>,
    cancel: tokio_util::sync::CancellationToken,
) {
    loop {
        match apply_retention(&store) {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "Old audit entries pruned."),
            Err(e) => tracing::warn!(error = %e, "Cannot prune the audit trail."),
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
        }
    }
}

/// Appends an entry in the caller's transaction.
pub(crate) fn record(
    tx: &mut Tx<'_>,
    kind: &str,
    account: Option<i64>,
    item: Option<i64>,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    tx.audit(kind, account, item, &detail.to_string())
}

/// Appends an entry for a change the sync brought from the server (another device).
pub(crate) fn record_from_server(
    tx: &mut Tx<'_>,
    kind: &str,
    account: i64,
    item: Option<i64>,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    tx.audit_as("server", kind, Some(account), item, &detail.to_string())
}

/// Appends an entry in a transaction of its own (an action that is not a store change).
pub(crate) fn record_now(
    store: &Store,
    kind: &str,
    account: Option<i64>,
    item: Option<i64>,
    detail: serde_json::Value,
) -> ApiResult<()> {
    store.write(|tx| record(tx, kind, account, item, detail))?;
    Ok(())
}

/// An entry's time as RFC 3339 (ms).
pub(crate) fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// An entry's particulars as JSON (as written; text when it is not JSON).
pub(crate) fn detail(entry: &AuditEntry) -> serde_json::Value {
    serde_json::from_str(&entry.detail).unwrap_or(serde_json::Value::String(entry.detail.clone()))
}

/// A date (`2026-12-07`) or time (RFC 3339) as Unix ms; `field` names it in the error.
pub(crate) fn parse_when(text: &str, field: &str) -> ApiResult<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    Err(ApiError::invalid(
        field,
        format!("{text:?} is not a date: write 2026-12-07 or 2026-12-07T09:00:00Z"),
    ))
}

/// The filter of a query given as text: dates or times (`from`, `to`), an account, kinds.
pub(crate) fn filter(
    from: Option<&str>,
    to: Option<&str>,
    account: Option<i64>,
    kinds: &[String],
    limit: Option<u32>,
) -> ApiResult<AuditFilter> {
    Ok(AuditFilter {
        from_ms: from.map(|f| parse_when(f, "from")).transpose()?,
        to_ms: to.map(|t| parse_when(t, "to")).transpose()?,
        account_id: account,
        kinds: kinds.to_vec(),
        limit,
    })
}

/// Whether the trail holds an entry whose hash is `head`.
pub(crate) fn holds(store: &Store, head: &str) -> ApiResult<bool> {
    Ok(store.audit_holds(head)?)
}

/// One entry as a CSV row (RFC 4180: every field quoted, quotes doubled, CRLF).
pub(crate) fn csv_row(fields: &[String]) -> String {
    let mut row = fields
        .iter()
        .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",");
    row.push_str("\r\n");
    row
}

/// An entry as one JSON object (the JSON-lines export and the API show the same fields).
pub(crate) fn json(entry: &AuditEntry) -> serde_json::Value {
    serde_json::json!({
        "id": entry.id,
        "at": time(entry.at_ms),
        "actor": entry.actor,
        "origin": entry.origin,
        "account": entry.account_id,
        "item": entry.item_id,
        "kind": entry.kind,
        "detail": detail(entry),
        "hash": entry.hash,
    })
}

/// Writes the entries `filter` selects to the new file `out` as `csv` (with a header row) or
/// `jsonl`, and records that it did. Returns how many.
pub(crate) fn export(
    store: &Store,
    filter: &AuditFilter,
    format: &str,
    out: &std::path::Path,
) -> ApiResult<u64> {
    let entries = store.audit_entries(filter)?;
    let mut text = String::new();
    match format {
        "csv" => {
            text.push_str(&csv_row(
                &[
                    "id", "time", "actor", "origin", "account", "item", "kind", "detail", "hash",
                ]
                .map(str::to_owned),
            ));
            for e in &entries {
                text.push_str(&csv_row(&[
                    e.id.to_string(),
                    time(e.at_ms),
                    e.actor.clone(),
                    e.origin.clone(),
                    e.account_id.map(|a| a.to_string()).unwrap_or_default(),
                    e.item_id.map(|i| i.to_string()).unwrap_or_default(),
                    e.kind.clone(),
                    e.detail.clone(),
                    e.hash.clone(),
                ]));
            }
        }
        "jsonl" => {
            for e in &entries {
                text.push_str(&json(e).to_string());
                text.push('\n');
            }
        }
        other => {
            return Err(ApiError::invalid(
                "format",
                format!("{other:?} is not an export format: csv or jsonl"),
            ))
        }
    }
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    let mut file = options
        .open(out)
        .map_err(|e| ApiError::invalid("out", format!("Cannot write {}: {e}", out.display())))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| ApiError::internal(format!("Cannot write {}: {e}", out.display())))?;
    record_now(
        store,
        "audit.export",
        filter.account_id,
        None,
        serde_json::json!({ "file": out.display().to_string(), "format": format, "entries": entries.len() }),
    )?;
    Ok(entries.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_keeps_whole_days() {
        assert_eq!(prune_before(0, 5 * DAY_MS + 7), None);
        // Keep 1 day: today from its midnight.
        assert_eq!(prune_before(1, 5 * DAY_MS + 7), Some(5 * DAY_MS));
        assert_eq!(prune_before(3, 5 * DAY_MS + 7), Some(3 * DAY_MS));
    }

    #[test]
    fn csv_quotes_every_field_as_rfc_4180_says() {
        assert_eq!(
            csv_row(&["1".into(), "a \"b\", c".into(), "line\nbreak".into()]),
            "\"1\",\"a \"\"b\"\", c\",\"line\nbreak\"\r\n"
        );
    }

    #[test]
    fn dates_and_times_are_read_or_named_at_their_field() {
        assert_eq!(
            parse_when("2024-01-01", "from").ok(),
            Some(1_704_067_200_000)
        );
        assert_eq!(
            parse_when("2024-01-01T01:00:00+01:00", "to").ok(),
            Some(1_704_067_200_000)
        );
        let e = parse_when("yesterday", "from").expect_err("not a date");
        assert_eq!(e.field.as_deref(), Some("from"));
    }
}
