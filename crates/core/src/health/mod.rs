//! Sync health, measured live: the five indicators companies check before they trust a
//! unified inbox (delivery delay, read status synced, calendars fresh, the latest data offline,
//! backups on) and each account's login success and sync error rates, from Satu's own traffic.
//!
//! Recording (`record_*`) adds what a sync saw to the store's hourly rollups
//! (`satu_store::HealthHour`, kept 30 days) in batches: one write per login, per pass and per
//! batch of new mail, never one per message; a failure to record is logged and never fails the
//! sync. Where each figure comes from:
//!
//! - delivery delay: new mail stored by the live sync, from its INTERNALDATE (the server's
//!   arrival) to its commit here (`live/imap.rs`); mail that arrived while Satu was not running
//!   is not counted. The server's clock is read after each login (IMAP says no time: an HTTP
//!   `Date` of the same provider, `diagnose::measure_clock`) and corrects the delays when it is
//!   2 s or more off. Pushed mail also gives `push_delay`, from the watcher's wake-up to the
//!   row, which needs no clock.
//! - read status: up, a flag change made here until the server took it (`Tx::complete_op`); the
//!   age of the oldest change still waiting; down, a change pushed by the server until it is
//!   applied here (`read_down`, `live/imap.rs`).
//! - calendars: when each calendar last synced without an error (`calendars.synced_at`), and
//!   how long a change made on the server took to show here (its LAST-MODIFIED or DTSTAMP to
//!   the pull that brought it, while the live sync ran).
//! - offline coverage: the share of mail whose body is here, the database's size and the free
//!   disk space.
//! - backup: the age of the last backup made whole, and the schedule (`backup/plan.rs`).
//!
//! What the figures mean is decided by the pure functions here ([`indicators`]), tested beside.

pub(crate) mod diagnose;

use satu_store::{HealthHour, Store, HEALTH_BUCKETS_MS};

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Delivery delay: good under this (95th percentile, ms).
pub(crate) const DELAY_GOOD_MS: u64 = 3_000;
/// Delivery delay: bad from this on (warning between).
pub(crate) const DELAY_BAD_MS: u64 = 5_000;
/// Read status: a change waiting longer than this is a warning (s)…
const WAITING_WARNING_S: i64 = 60;
/// …and longer than this bad.
const WAITING_BAD_S: i64 = 300;
/// Calendars: synced within this is good (s; the live sync asks every 30 s)…
const CALENDAR_GOOD_S: i64 = 300;
/// …within this a warning, older bad.
const CALENDAR_WARNING_S: i64 = 3_600;
/// Free disk space under this is a warning (bytes)…
const DISK_WARNING: u64 = 2 << 30;
/// …and under this bad: the next big sync may not fit.
const DISK_BAD: u64 = 500 << 20;

const HOUR_MS: i64 = 3_600_000;

/// The class of a failure (login or pass), by its code and, for a server's refusal, its words.
pub(crate) fn failure_class(code: ErrorCode, message: &str) -> &'static str {
    match code {
        ErrorCode::AuthFailed => "password",
        ErrorCode::Unreachable => "network",
        ErrorCode::BadCertificate | ErrorCode::Tls => "tls",
        ErrorCode::Server => {
            let lower = message.to_ascii_lowercase();
            if [
                "throttl",
                "[limit]",
                "too many",
                "rate limit",
                "try again later",
            ]
            .iter()
            .any(|w| lower.contains(w))
            {
                "throttled"
            } else {
                "refused"
            }
        }
        _ => "other",
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Notes a login's outcome.
pub(crate) fn record_login(store: &Store, account: i64, outcome: Result<(), &ApiError>) {
    let metric = match outcome {
        Ok(()) => "login_ok".to_owned(),
        Err(e) => format!("login_{}", failure_class(e.code, &e.message)),
    };
    count(store, account, &metric);
}

/// Notes a sync pass's outcome.
pub(crate) fn record_pass(store: &Store, account: i64, outcome: Result<(), &ApiError>) {
    let metric = match outcome {
        Ok(()) => "pass_ok".to_owned(),
        Err(e) => format!("pass_{}", failure_class(e.code, &e.message)),
    };
    count(store, account, &metric);
}

fn count(store: &Store, account: i64, metric: &str) {
    let now = now_ms();
    if let Err(e) = store.write(|tx| {
        tx.count_health(account, now, metric, 1)?;
        tx.prune_health(now).map(drop)
    }) {
        tracing::warn!(account, error = %format!("{e:#}"), "Cannot record a health figure.");
    }
}

/// Adds timing samples (ms) of `metric` (`delivery_delay`, `push_delay`, `read_down`).
pub(crate) fn record_timings(store: &Store, account: i64, metric: &str, samples: &[u64]) {
    if samples.is_empty() {
        return;
    }
    if let Err(e) = store.write(|tx| tx.record_timings(account, now_ms(), metric, samples)) {
        tracing::warn!(account, error = %format!("{e:#}"), "Cannot record a health figure.");
    }
}

/// How long after running by themselves the diagnostics wait before they may run again for the
/// same account.
const SELF_DIAGNOSE_EVERY: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// Adds the delivery delays (ms) of new mail or messages, and when one is bad (from
/// [`DELAY_BAD_MS`]) runs the account's diagnostics by themselves in the background (at most
/// every [`SELF_DIAGNOSE_EVERY`]), keeping their findings for the Health view and `satu health`.
pub(crate) fn record_delivery(ctx: &Context, account: i64, delays: &[u64], pace: diagnose::Pace) {
    record_timings(ctx.store(), account, "delivery_delay", delays);
    let Some(&worst) = delays.iter().max().filter(|&&ms| ms >= DELAY_BAD_MS) else {
        return;
    };
    {
        let Ok(mut diagnosed) = ctx.diagnosed.lock() else {
            return;
        };
        if diagnosed
            .get(&account)
            .is_some_and(|at| at.elapsed() < SELF_DIAGNOSE_EVERY)
        {
            return;
        }
        diagnosed.insert(account, std::time::Instant::now());
    }
    let ctx = ctx.clone();
    let why = format!(
        "A message took {} s to arrive (the line is {} s).",
        worst.div_ceil(1000),
        DELAY_BAD_MS / 1000
    );
    tokio::spawn(async move {
        let found = match diagnose::diagnose(&ctx, Some(account), pace).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(account, error = %e, "The diagnostics could not run by themselves.");
                return;
            }
        };
        let findings = match serde_json::to_string(&found.findings) {
            Ok(json) => json,
            Err(e) => {
                tracing::warn!(account, error = %e, "Cannot keep the diagnostics.");
                return;
            }
        };
        if let Err(e) = ctx
            .store()
            .write(|tx| tx.set_diagnosis(account, now_ms(), &why, &findings))
        {
            tracing::warn!(account, error = %format!("{e:#}"), "Cannot keep the diagnostics.");
        }
        tracing::info!(account, why, "Ran the diagnostics by themselves.");
    });
}

/// The delivery delays (ms) of mail a live pass stored: from each message's arrival at the
/// server (`internal_ms`, by the server's clock) to its commit here (`stored_ms`), for mail
/// that arrived after `since_ms` (the live sync's start: mail that waited for Satu to run is
/// not a delay of it). `server_ahead_ms`: how far the server's clock is ahead of ours
/// ([`clock_correction_ms`]).
pub(crate) fn delivery_delays(
    arrivals: &[(i64, i64)],
    since_ms: i64,
    server_ahead_ms: i64,
) -> Vec<u64> {
    // INTERNALDATE has whole seconds: mail of the second the live sync started counts.
    let since = since_ms - since_ms.rem_euclid(1000);
    arrivals
        .iter()
        .map(|(internal, stored)| (internal - server_ahead_ms, stored))
        .filter(|(arrived, _)| *arrived >= since)
        .map(|(arrived, stored)| u64::try_from(stored - arrived).unwrap_or(0))
        .collect()
}

/// The correction (ms) delivery delays take for a server clock `offset_s` ahead of ours (as
/// an HTTP `Date` says, in whole seconds): none within that resolution, where it would only
/// add noise.
pub(crate) fn clock_correction_ms(offset_s: Option<i64>) -> i64 {
    match offset_s {
        Some(s) if s.abs() >= 2 => s * 1000,
        _ => 0,
    }
}

/// The `p`-th percentile (0–1) of a histogram over [`HEALTH_BUCKETS_MS`]: the upper bound of
/// the bucket it falls in (above the last bound: that bound). `None` without samples.
pub(crate) fn percentile(buckets: &[u64], p: f64) -> Option<u64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let wanted = ((total as f64) * p).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (i, n) in buckets.iter().enumerate() {
        seen += n;
        if seen >= wanted {
            return Some(
                HEALTH_BUCKETS_MS
                    .get(i)
                    .copied()
                    .unwrap_or(HEALTH_BUCKETS_MS[HEALTH_BUCKETS_MS.len() - 1]),
            );
        }
    }
    HEALTH_BUCKETS_MS.last().copied()
}

/// The histograms of `metric` in `hours` (of `account`, or all), added up.
fn merged<'a>(
    hours: impl Iterator<Item = &'a HealthHour>,
    metric: &str,
    account: Option<i64>,
) -> Vec<u64> {
    let mut sum = vec![0u64; HEALTH_BUCKETS_MS.len() + 1];
    for h in hours.filter(|h| h.metric == metric && account.is_none_or(|a| a == h.account_id)) {
        for (i, n) in h.buckets.iter().enumerate() {
            if let Some(slot) = sum.get_mut(i) {
                *slot += n;
            }
        }
    }
    sum
}

/// Counts of every metric starting with `prefix` in `hours` of `account`: (ok, failed, by
/// class).
fn outcomes<'a>(
    hours: impl Iterator<Item = &'a HealthHour>,
    prefix: &str,
    account: Option<i64>,
) -> (u64, u64, Vec<(String, u64)>) {
    let (mut ok, mut failed) = (0, 0);
    let mut classes: Vec<(String, u64)> = Vec::new();
    for h in hours.filter(|h| account.is_none_or(|a| a == h.account_id)) {
        let Some(class) = h.metric.strip_prefix(prefix) else {
            continue;
        };
        if class == "ok" {
            ok += h.count;
        } else {
            failed += h.count;
            match classes.iter_mut().find(|(c, _)| c == class) {
                Some((_, n)) => *n += h.count,
                None => classes.push((class.to_owned(), h.count)),
            }
        }
    }
    (ok, failed, classes)
}

/// What the indicators are read from.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Inputs {
    /// Delivery delay histogram, last 24 h.
    pub delivery: Vec<u64>,
    /// Read status up (here → server) histogram, last 24 h.
    pub read_up: Vec<u64>,
    /// Read status down (a change pushed by the server → here) histogram, last 24 h.
    pub read_down: Vec<u64>,
    /// The oldest change still waiting for a server (s), if any.
    pub oldest_waiting_s: Option<i64>,
    /// Each calendar's name and seconds since its last good sync (`None`: never).
    pub calendars: Vec<(String, Option<i64>)>,
    /// Calendar changes made on the server until they were here (histogram, last 24 h).
    pub calendar_delay: Vec<u64>,
    /// Mail items, and those whose body is here.
    pub mail: (u64, u64),
    /// The database's size and the free space beside it (bytes; free unknown: `None`).
    pub disk: (u64, Option<u64>),
    /// Accounts whose live sync cannot reach their server now (names, and why).
    pub offline: Vec<(String, String)>,
    /// The backup indicator as the backups decide it (`backup::plan::indicator`): status, the
    /// last backup's age (s), detail. `None`: off.
    pub backup: Option<(&'static str, Option<i64>, String)>,
}

fn indicator(
    key: &str,
    status: &str,
    value: Option<f64>,
    unit: &str,
    detail: String,
) -> dto::HealthIndicator {
    dto::HealthIndicator {
        key: key.to_owned(),
        status: status.to_owned(),
        value,
        unit: unit.to_owned(),
        detail,
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / f64::from(1 << 20))
}

/// The five indicators, in order, from what was measured.
pub(crate) fn indicators(inputs: &Inputs) -> Vec<dto::HealthIndicator> {
    let mut out = Vec::with_capacity(5);
    // 1. Delivery delay. An account that cannot reach its server gets no mail at all: bad,
    // whatever the last day measured.
    let cut_off = (!inputs.offline.is_empty()).then(|| {
        let who: Vec<String> = inputs
            .offline
            .iter()
            .map(|(name, why)| format!("{name} ({why})"))
            .collect();
        indicator(
            "delivery_delay",
            "bad",
            None,
            "ms",
            format!(
                "No mail arrives now: {} cannot reach its server. Satu tries again by itself; run the diagnostics (satu health diagnose) to see why.",
                who.join(", ")
            ),
        )
    });
    out.push(if let Some(cut_off) = cut_off {
        cut_off
    } else {
        match (percentile(&inputs.delivery, 0.5), percentile(&inputs.delivery, 0.95)) {
        (Some(p50), Some(p95)) => {
            // Percentiles are bucket bounds (3 s and 5 s are bounds): a 95th percentile in
            // the bucket up to 3 s is good, in the one up to 5 s a warning.
            let status = if p95 <= DELAY_GOOD_MS {
                "good"
            } else if p95 <= DELAY_BAD_MS {
                "warning"
            } else {
                "bad"
            };
            let mut detail = format!("New mail took up to {p50} ms (median) and {p95} ms (95th percentile) to arrive here in the last 24 hours.");
            if status != "good" {
                detail.push_str(" Run the diagnostics (satu health diagnose) to see whether the folders are pushed or polled and how often.");
            }
            indicator("delivery_delay", status, Some(p95 as f64), "ms", detail)
        }
        _ => indicator(
            "delivery_delay",
            "off",
            None,
            "ms",
            "No new mail arrived while Satu was running in the last 24 hours: nothing to measure yet.".into(),
        ),
        }
    });
    // 2. Read status synced.
    let down = percentile(&inputs.read_down, 0.95);
    let up = match (percentile(&inputs.read_up, 0.95), down) {
        (Some(u), Some(d)) => Some(u.max(d)),
        (u, d) => u.or(d),
    };
    let waiting = inputs.oldest_waiting_s.unwrap_or(0);
    let status = if waiting >= WAITING_BAD_S || up.is_some_and(|ms| ms >= 60_000) {
        "bad"
    } else if waiting >= WAITING_WARNING_S || up.is_some_and(|ms| ms >= 10_000) {
        "warning"
    } else {
        "good"
    };
    let mut detail = match percentile(&inputs.read_up, 0.95) {
        Some(ms) => format!("Read and flag changes made here reached the server within {:.1} s (95th percentile, last 24 hours).", ms as f64 / 1000.0),
        None => "No read or flag change made here had to reach a server in the last 24 hours.".to_owned(),
    };
    if let Some(ms) = down {
        detail.push_str(&format!(
            " Changes made elsewhere showed here within {:.1} s.",
            ms as f64 / 1000.0
        ));
    }
    if let Some(age) = inputs.oldest_waiting_s {
        detail.push_str(&format!(
            " A change has waited {age} s for its server (satu ops shows why)."
        ));
    }
    let value = (waiting as f64).max(up.map_or(0.0, |ms| ms as f64 / 1000.0));
    out.push(indicator("read_sync", status, Some(value), "s", detail));
    // 3. Calendars.
    out.push(if inputs.calendars.is_empty() {
        indicator(
            "calendar_fresh",
            "off",
            None,
            "s",
            "No calendar or task list to keep fresh.".into(),
        )
    } else {
        let worst = inputs
            .calendars
            .iter()
            .max_by_key(|(_, age)| age.unwrap_or(i64::MAX));
        let (name, age) = worst.cloned().unwrap_or_default();
        match age {
            None => indicator(
                "calendar_fresh",
                "bad",
                None,
                "s",
                format!("{name} has never synced: check its account's server and password."),
            ),
            Some(age) => {
                let status = if age <= CALENDAR_GOOD_S {
                    "good"
                } else if age <= CALENDAR_WARNING_S {
                    "warning"
                } else {
                    "bad"
                };
                let mut detail =
                    format!("The calendar synced longest ago, {name}, synced {age} s ago.");
                if let Some(ms) = percentile(&inputs.calendar_delay, 0.95) {
                    let changes: u64 = inputs.calendar_delay.iter().sum();
                    let changes = match changes {
                        1 => "1 change".to_owned(),
                        n => format!("{n} changes"),
                    };
                    detail.push_str(&format!(
                        " {changes} made on the server showed here within {} s (95th percentile, last 24 hours).",
                        ms / 1000
                    ));
                }
                if status != "good" {
                    detail
                        .push_str(" Is its server reachable? Satu asks every 30 s while it runs.");
                }
                indicator("calendar_fresh", status, Some(age as f64), "s", detail)
            }
        }
    });
    // 4. Offline coverage and room.
    let (all, here) = inputs.mail;
    let share = if all == 0 {
        100.0
    } else {
        here as f64 * 100.0 / all as f64
    };
    let (db, free) = inputs.disk;
    let status = match free {
        Some(f) if f < DISK_BAD => "bad",
        Some(f) if f < DISK_WARNING => "warning",
        _ => "good",
    };
    let mut detail = format!(
        "{here} of {all} messages have their body here ({share:.0} %); the store takes {}",
        megabytes(db)
    );
    match free {
        Some(f) => detail.push_str(&format!(", {} free on its disk.", megabytes(f))),
        None => detail.push('.'),
    }
    if !inputs.calendars.is_empty() {
        detail.push_str(" Every event and task is here (calendars are kept whole).");
    }
    if status != "good" {
        detail.push_str(" Free some disk space, or keep fewer days of mail offline (Settings).");
    }
    out.push(indicator(
        "offline_coverage",
        status,
        Some((share * 10.0).round() / 10.0),
        "percent",
        detail,
    ));
    // 5. Backups.
    out.push(match &inputs.backup {
        Some((status, age, detail)) => {
            indicator("backup", status, age.map(|s| s as f64), "s", detail.clone())
        }
        None => indicator("backup", "off", None, "", "Backups are not set up.".into()),
    });
    out
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 1000.0).round() / 1000.0)
}

/// The health report: indicators, accounts, the last 24 hours.
pub(crate) fn report(ctx: &Context) -> ApiResult<dto::Health> {
    let store = ctx.store();
    let now = now_ms();
    let week = store.health_hours(now - 7 * 24 * HOUR_MS)?;
    let day_start = now.div_euclid(HOUR_MS) - 23;
    let day = || week.iter().filter(move |h| h.hour >= day_start);
    let now_s = now / 1000;
    let oldest_waiting_s = store
        .oldest_ops()?
        .iter()
        .map(|(_, created, _)| now_s - created)
        .max();
    let calendars = store
        .calendar_freshness()?
        .into_iter()
        .map(|(_, name, at)| (name, (at > 0).then(|| now_s - at)))
        .collect();
    let mail = store
        .mail_coverage()?
        .iter()
        .fold((0, 0), |(a, h), (_, all, here)| (a + all, h + here));
    let db = ["satu.db", "satu.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(ctx.data_dir().join(f)).ok())
        .map(|m| m.len())
        .sum();
    let names: std::collections::HashMap<i64, String> = store
        .accounts()?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let offline = ctx
        .live_status
        .lock()
        .map(|statuses| {
            statuses
                .values()
                .filter(|s| s.state == dto::LiveState::Offline)
                .map(|s| {
                    let name = names
                        .get(&s.account)
                        .cloned()
                        .unwrap_or_else(|| s.account.to_string());
                    (name, s.error.clone().unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    let inputs = Inputs {
        offline,
        delivery: merged(day(), "delivery_delay", None),
        read_up: merged(day(), "read_up", None),
        read_down: merged(day(), "read_down", None),
        calendar_delay: merged(day(), "calendar_delay", None),
        oldest_waiting_s,
        calendars,
        mail,
        disk: (db, free_space(ctx.data_dir())),
        backup: Some(crate::backup::indicator(ctx)?),
    };
    let mut accounts = Vec::new();
    for account in store.accounts()? {
        let (login_ok, login_failed, _) = outcomes(day(), "login_", Some(account.id));
        let (pass_ok, pass_failed, _) = outcomes(day(), "pass_", Some(account.id));
        let (login_ok7, login_failed7, login_classes) =
            outcomes(week.iter(), "login_", Some(account.id));
        let (pass_ok7, pass_failed7, pass_classes) =
            outcomes(week.iter(), "pass_", Some(account.id));
        let mut failures: Vec<dto::FailureCount> = Vec::new();
        for (class, count) in login_classes.into_iter().chain(pass_classes) {
            match failures.iter_mut().find(|f| f.class == class) {
                Some(f) => f.count += count,
                None => failures.push(dto::FailureCount { class, count }),
            }
        }
        let delivery = merged(day(), "delivery_delay", Some(account.id));
        let push = merged(day(), "push_delay", Some(account.id));
        accounts.push(dto::AccountHealth {
            account: account.id,
            name: account.name.clone(),
            login_success_rate: rate(login_ok, login_ok + login_failed),
            login_success_rate_7d: rate(login_ok7, login_ok7 + login_failed7),
            sync_error_rate: rate(pass_failed, pass_ok + pass_failed),
            sync_error_rate_7d: rate(pass_failed7, pass_ok7 + pass_failed7),
            logins: login_ok + login_failed,
            passes: pass_ok + pass_failed,
            failures,
            delivery_p50_ms: percentile(&delivery, 0.5),
            delivery_p95_ms: percentile(&delivery, 0.95),
            push_p50_ms: percentile(&push, 0.5),
            push_p95_ms: percentile(&push, 0.95),
        });
    }
    // One point of the charts: the hours `from..to` (Unix hours) over every account.
    let point = |from: i64, to: i64| {
        let these = || week.iter().filter(move |h| h.hour >= from && h.hour < to);
        let (lo, lf, _) = outcomes(these(), "login_", None);
        let (po, pf, _) = outcomes(these(), "pass_", None);
        dto::HealthPoint {
            hour: chrono::DateTime::from_timestamp(from * 3600, 0)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            delivery_p95_ms: percentile(&merged(these(), "delivery_delay", None), 0.95),
            attempts: lo + lf + po + pf,
            errors: lf + pf,
        }
    };
    let hours = (day_start..=day_start + 23)
        .map(|hour| point(hour, hour + 1))
        .collect();
    // Days end with the current hour: the last point is the last 24 hours.
    let days = (0..7)
        .rev()
        .map(|d| {
            let to = day_start + 24 - d * 24;
            point(to - 24, to)
        })
        .collect();
    let folders = store
        .folder_coverage()?
        .into_iter()
        .map(|(account, folder, messages, local)| dto::FolderCoverage {
            account,
            folder,
            messages,
            local,
        })
        .collect();
    let diagnoses = store
        .diagnoses(now - 24 * HOUR_MS)?
        .into_iter()
        .map(|(account, at_ms, why, findings)| dto::SelfDiagnosis {
            account,
            at: chrono::DateTime::from_timestamp_millis(at_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            why,
            findings: serde_json::from_str(&findings).unwrap_or_default(),
        })
        .collect();
    Ok(dto::Health {
        indicators: indicators(&inputs),
        accounts,
        hours,
        days,
        folders,
        diagnoses,
    })
}

/// Free space on the disk holding `dir` (bytes), where the OS says.
fn free_space(dir: &std::path::Path) -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::fs::statvfs(dir)
            .ok()
            .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use satu_store::health_bucket;

    fn histogram(samples: &[u64]) -> Vec<u64> {
        let mut b = vec![0; HEALTH_BUCKETS_MS.len() + 1];
        for &s in samples {
            b[health_bucket(s)] += 1;
        }
        b
    }

    fn status<'a>(all: &'a [dto::HealthIndicator], key: &str) -> &'a str {
        &all.iter().find(|i| i.key == key).expect("indicator").status
    }

    #[test]
    fn percentiles_come_from_the_buckets() {
        assert_eq!(percentile(&histogram(&[]), 0.5), None);
        let h = histogram(&[50, 60, 70, 80, 90, 100, 200, 900, 2_500, 4_000]);
        assert_eq!(percentile(&h, 0.5), Some(100));
        assert_eq!(percentile(&h, 0.95), Some(5_000));
        assert_eq!(percentile(&histogram(&[u64::MAX]), 0.5), Some(86_400_000));
    }

    #[test]
    fn delivery_delay_is_good_under_3_s_warning_under_5_s_bad_beyond_and_off_without_mail() {
        let with = |samples: &[u64]| {
            indicators(&Inputs {
                delivery: histogram(samples),
                ..Inputs::default()
            })
        };
        assert_eq!(status(&with(&[200, 900, 1_500]), "delivery_delay"), "good");
        assert_eq!(
            status(&with(&[200, 900, 4_000]), "delivery_delay"),
            "warning"
        );
        assert_eq!(status(&with(&[200, 6_000, 7_000]), "delivery_delay"), "bad");
        assert_eq!(status(&with(&[]), "delivery_delay"), "off");
        assert!(with(&[6_000])[0].detail.contains("diagnose"));
    }

    #[test]
    fn an_account_that_cannot_reach_its_server_makes_the_delivery_bad() {
        let found = indicators(&Inputs {
            delivery: histogram(&[200]),
            offline: vec![("Work".into(), "Cannot reach the IMAP server".into())],
            ..Inputs::default()
        });
        assert_eq!(status(&found, "delivery_delay"), "bad");
        assert!(found[0]
            .detail
            .contains("Work (Cannot reach the IMAP server)"));
    }

    #[test]
    fn read_sync_watches_the_oldest_waiting_change_and_how_fast_changes_go_up() {
        let with = |waiting: Option<i64>, up: &[u64]| {
            indicators(&Inputs {
                oldest_waiting_s: waiting,
                read_up: histogram(up),
                ..Inputs::default()
            })
        };
        assert_eq!(status(&with(None, &[1_000]), "read_sync"), "good");
        assert_eq!(status(&with(Some(90), &[]), "read_sync"), "warning");
        assert_eq!(status(&with(Some(600), &[]), "read_sync"), "bad");
        assert_eq!(status(&with(None, &[20_000]), "read_sync"), "warning");
        assert!(with(Some(90), &[])[1].detail.contains("90 s"));
    }

    #[test]
    fn calendars_coverage_and_backups() {
        let base = Inputs::default();
        assert_eq!(status(&indicators(&base), "calendar_fresh"), "off");
        let cal = |ages: Vec<Option<i64>>| {
            indicators(&Inputs {
                calendars: ages.into_iter().map(|a| ("Work".to_owned(), a)).collect(),
                ..Inputs::default()
            })
        };
        assert_eq!(
            status(&cal(vec![Some(30), Some(100)]), "calendar_fresh"),
            "good"
        );
        assert_eq!(
            status(&cal(vec![Some(30), Some(1_000)]), "calendar_fresh"),
            "warning"
        );
        assert_eq!(
            status(&cal(vec![Some(30), Some(7_200)]), "calendar_fresh"),
            "bad"
        );
        assert_eq!(status(&cal(vec![Some(30), None]), "calendar_fresh"), "bad");
        let disk = |free| {
            indicators(&Inputs {
                mail: (200, 150),
                disk: (10 << 20, free),
                ..Inputs::default()
            })
        };
        let good = disk(Some(10 << 30));
        assert_eq!(status(&good, "offline_coverage"), "good");
        assert_eq!(good[3].value, Some(75.0));
        assert_eq!(status(&disk(Some(1 << 30)), "offline_coverage"), "warning");
        assert_eq!(status(&disk(Some(100 << 20)), "offline_coverage"), "bad");
        assert_eq!(status(&disk(None), "offline_coverage"), "good");
        assert_eq!(status(&good, "backup"), "off");
        let keys: Vec<&str> = good.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "delivery_delay",
                "read_sync",
                "calendar_fresh",
                "offline_coverage",
                "backup"
            ]
        );
    }

    #[test]
    fn failures_are_classed_by_what_the_error_says() {
        assert_eq!(failure_class(ErrorCode::AuthFailed, ""), "password");
        assert_eq!(failure_class(ErrorCode::Unreachable, ""), "network");
        assert_eq!(failure_class(ErrorCode::BadCertificate, ""), "tls");
        assert_eq!(failure_class(ErrorCode::Tls, ""), "tls");
        assert_eq!(
            failure_class(ErrorCode::Server, "NO [LIMIT] Too many connections"),
            "throttled"
        );
        assert_eq!(
            failure_class(ErrorCode::Server, "NO Mailbox doesn't exist"),
            "refused"
        );
        assert_eq!(failure_class(ErrorCode::Internal, ""), "other");
    }

    #[test]
    fn only_mail_that_arrived_while_satu_ran_is_a_delivery_delay() {
        let arrivals = [(1_000, 1_800), (5_000, 5_200), (9_000, 8_900)];
        assert_eq!(delivery_delays(&arrivals, 2_000, 0), vec![200, 0]);
        assert_eq!(delivery_delays(&arrivals, 0, 0), vec![800, 200, 0]);
        // Whole seconds: started at 5.4 s, mail stamped 5 s arrived in that second.
        assert_eq!(delivery_delays(&arrivals, 5_400, 0), vec![200, 0]);
        assert_eq!(delivery_delays(&arrivals, 6_000, 0), vec![0]);
    }

    #[test]
    fn a_server_clock_off_is_corrected_beyond_the_resolution_it_is_read_with() {
        assert_eq!(clock_correction_ms(None), 0);
        assert_eq!(clock_correction_ms(Some(1)), 0);
        assert_eq!(clock_correction_ms(Some(-1)), 0);
        assert_eq!(clock_correction_ms(Some(30)), 30_000);
        assert_eq!(clock_correction_ms(Some(-4)), -4_000);
        // The server is 30 s ahead: its INTERNALDATE 40 s is our 10 s; stored at 10.5 s.
        let arrivals = [(40_000, 10_500), (31_000, 2_000)];
        assert_eq!(delivery_delays(&arrivals, 5_000, 30_000), vec![500]);
        // 4 s behind: its 6 s is our 10 s; stored at 12 s.
        assert_eq!(
            delivery_delays(&[(6_000, 12_000)], 9_000, -4_000),
            vec![2_000]
        );
    }
}
