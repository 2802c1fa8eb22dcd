//! Sync health: what the sync measured of its own traffic (`health_hours`), rolled up per hour
//! and account and kept [`HEALTH_KEEP_HOURS`]. A timing is a histogram over
//! [`HEALTH_BUCKETS_MS`] (so that percentiles over a day or a week come from the hours without
//! keeping each sample); a count is a number of events. Writers add a batch of samples in one
//! statement pair, never one row per message; what the figures mean is the core's
//! (`core/src/health.rs`).

use anyhow::{Context as _, Result};
use rusqlite::{params, OptionalExtension as _};

use crate::{Store, Tx};

/// Upper bounds (ms, inclusive) of the histogram's buckets; one more bucket holds what is above
/// the last. 3 s and 5 s are bounds: the delivery delay's good and bad lines.
pub const HEALTH_BUCKETS_MS: [u64; 14] = [
    100, 250, 500, 1_000, 2_000, 3_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000,
    86_400_000,
];

/// How long the hours are kept: 30 days.
pub const HEALTH_KEEP_HOURS: i64 = 30 * 24;

/// One hour of one metric of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthHour {
    /// The account.
    pub account_id: i64,
    /// Unix time / 3600.
    pub hour: i64,
    /// The metric's key.
    pub metric: String,
    /// Samples or events.
    pub count: u64,
    /// Timings: the samples' sum, ms.
    pub sum_ms: u64,
    /// Timings: samples per bucket (`HEALTH_BUCKETS_MS.len() + 1`); empty for counts.
    pub buckets: Vec<u64>,
}

/// The bucket of a sample.
pub fn health_bucket(ms: u64) -> usize {
    HEALTH_BUCKETS_MS
        .iter()
        .position(|&bound| ms <= bound)
        .unwrap_or(HEALTH_BUCKETS_MS.len())
}

fn parse_buckets(text: &str) -> Vec<u64> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut buckets: Vec<u64> = text.split(',').map(|n| n.parse().unwrap_or(0)).collect();
    buckets.resize(HEALTH_BUCKETS_MS.len() + 1, 0);
    buckets
}

fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(3_600_000)
}

impl Tx<'_> {
    /// Adds timing samples (ms) of `metric` to `account`'s hour of `at_ms`.
    pub fn record_timings(
        &mut self,
        account: i64,
        at_ms: i64,
        metric: &str,
        samples: &[u64],
    ) -> Result<()> {
        if samples.is_empty() {
            return Ok(());
        }
        let hour = hour_of(at_ms);
        let old: Option<(i64, i64, String)> = self
            .conn()
            .prepare_cached(
                "SELECT count, sum_ms, buckets FROM health_hours
                 WHERE account_id = ?1 AND hour = ?2 AND metric = ?3",
            )?
            .query_row(params![account, hour, metric], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .context("Cannot read the hour's health figures")?;
        let (mut count, mut sum, mut buckets) = match old {
            Some((count, sum, buckets)) => (count as u64, sum as u64, parse_buckets(&buckets)),
            None => (0, 0, Vec::new()),
        };
        buckets.resize(HEALTH_BUCKETS_MS.len() + 1, 0);
        for &ms in samples {
            count += 1;
            sum = sum.saturating_add(ms);
            buckets[health_bucket(ms)] += 1;
        }
        let text = buckets
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        self.conn()
            .prepare_cached(
                "INSERT INTO health_hours (account_id, hour, metric, count, sum_ms, buckets)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account_id, hour, metric) DO UPDATE
                 SET count = excluded.count, sum_ms = excluded.sum_ms, buckets = excluded.buckets",
            )?
            .execute(params![
                account,
                hour,
                metric,
                count as i64,
                sum.min(i64::MAX as u64) as i64,
                text
            ])
            .context("Cannot store the hour's health figures")?;
        Ok(())
    }

    /// Adds `n` events of `metric` to `account`'s hour of `at_ms`.
    pub fn count_health(&mut self, account: i64, at_ms: i64, metric: &str, n: u64) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.conn()
            .prepare_cached(
                "INSERT INTO health_hours (account_id, hour, metric, count) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id, hour, metric) DO UPDATE SET count = count + excluded.count",
            )?
            .execute(params![account, hour_of(at_ms), metric, n as i64])
            .context("Cannot count a health event")?;
        Ok(())
    }

    /// Forgets the hours older than [`HEALTH_KEEP_HOURS`] before `now_ms`.
    pub fn prune_health(&mut self, now_ms: i64) -> Result<usize> {
        self.conn()
            .prepare_cached("DELETE FROM health_hours WHERE hour < ?1")?
            .execute([hour_of(now_ms) - HEALTH_KEEP_HOURS])
            .context("Cannot forget old health figures")
    }

    /// Keeps the diagnostics run by themselves for `account` (`findings`: the core's JSON),
    /// replacing the ones before.
    pub fn set_diagnosis(
        &mut self,
        account: i64,
        at_ms: i64,
        why: &str,
        findings: &str,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO diagnoses (account_id, at_ms, why, findings)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![account, at_ms, why, findings])
            .context("Cannot keep the diagnostics")?;
        Ok(())
    }

    /// Notes that a calendar or task list synced without an error now.
    pub fn set_calendar_synced(&mut self, calendar: i64) -> Result<()> {
        let now = self.now();
        self.conn()
            .prepare_cached("UPDATE calendars SET synced_at = ?2 WHERE id = ?1")?
            .execute(params![calendar, now])
            .context("Cannot note the calendar's sync")?;
        Ok(())
    }
}

impl Store {
    /// Every account's hours from `since_ms` on, oldest first.
    pub fn health_hours(&self, since_ms: i64) -> Result<Vec<HealthHour>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT account_id, hour, metric, count, sum_ms, buckets FROM health_hours
                 WHERE hour >= ?1 ORDER BY hour, account_id, metric",
            )?;
            let rows = statement
                .query_map([hour_of(since_ms)], |r| {
                    Ok(HealthHour {
                        account_id: r.get(0)?,
                        hour: r.get(1)?,
                        metric: r.get(2)?,
                        count: r.get::<_, i64>(3)? as u64,
                        sum_ms: r.get::<_, i64>(4)? as u64,
                        buckets: parse_buckets(&r.get::<_, String>(5)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the health figures")?;
            Ok(rows)
        })
    }

    /// The diagnostics run by themselves from `since_ms` on, per account: (account, when,
    /// why, findings as JSON), newest first.
    pub fn diagnoses(&self, since_ms: i64) -> Result<Vec<(i64, i64, String, String)>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT account_id, at_ms, why, findings FROM diagnoses WHERE at_ms >= ?1
                 ORDER BY at_ms DESC",
            )?;
            let rows = statement
                .query_map([since_ms], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the diagnostics")?;
            Ok(rows)
        })
    }

    /// What offline coverage counts: per account, mail items and those whose body is here.
    pub fn mail_coverage(&self) -> Result<Vec<(i64, u64, u64)>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT account_id, count(*), count(*) - sum(remote) FROM mail GROUP BY account_id",
            )?;
            let rows = statement
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, i64>(2)? as u64,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot count the mail kept offline")?;
            Ok(rows)
        })
    }

    /// Per folder: its account, its name, its messages and those whose body is here.
    pub fn folder_coverage(&self) -> Result<Vec<(i64, String, u64, u64)>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT f.account_id, f.name, count(*), count(*) - sum(m.remote)
                 FROM mail_folders mf JOIN folders f ON f.id = mf.folder_id
                 JOIN mail m ON m.item_id = mf.item_id
                 GROUP BY mf.folder_id ORDER BY f.account_id, f.name",
            )?;
            let rows = statement
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get::<_, i64>(2)? as u64,
                        r.get::<_, i64>(3)? as u64,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot count the mail kept offline per folder")?;
            Ok(rows)
        })
    }

    /// Each calendar's account, name and when it last synced (Unix seconds; 0: never).
    pub fn calendar_freshness(&self) -> Result<Vec<(i64, String, i64)>> {
        self.read(|conn| {
            let mut statement =
                conn.prepare_cached("SELECT account_id, name, synced_at FROM calendars")?;
            let rows = statement
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read when the calendars synced")?;
            Ok(rows)
        })
    }

    /// The age of the oldest change waiting for a server, per account (Unix seconds of its
    /// creation).
    pub fn oldest_ops(&self) -> Result<Vec<(i64, i64, u64)>> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(
                "SELECT account_id, min(created_at), count(*) FROM ops GROUP BY account_id",
            )?;
            let rows = statement
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
                .context("Cannot read the waiting changes")?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_add_up_in_their_hour_and_old_hours_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("satu.db")).expect("open");
        let account = store
            .write(|tx| {
                tx.add_account(&crate::NewAccount {
                    kind: crate::AccountKind::Imap,
                    name: "a".into(),
                    email: "a@example.com".into(),
                    imap: ("127.0.0.1".into(), 143),
                    smtp: ("127.0.0.1".into(), 25),
                    security: crate::Security::Plain,
                    username: "a".into(),
                    ca_file: None,
                    smtp_security: None,
                    url: String::new(),
                })
            })
            .expect("account");
        let at = 1_800_000_000_000;
        store
            .write(|tx| {
                tx.record_timings(account, at, "delivery_delay", &[50, 2_500, 4_000])?;
                tx.record_timings(account, at + 1_000, "delivery_delay", &[99_000_000])?;
                tx.count_health(account, at, "login_ok", 2)?;
                tx.count_health(account, at, "login_ok", 1)?;
                tx.count_health(account, at - 31 * 24 * 3_600_000, "login_ok", 1)
            })
            .expect("record");
        let hours = store.health_hours(at - 40 * 24 * 3_600_000).expect("read");
        assert_eq!(hours.len(), 3);
        let delay = hours
            .iter()
            .find(|h| h.metric == "delivery_delay")
            .expect("delay");
        assert_eq!((delay.count, delay.sum_ms), (4, 99_006_550));
        assert_eq!(delay.buckets[0], 1);
        assert_eq!(delay.buckets[health_bucket(2_500)], 1);
        assert_eq!(delay.buckets[health_bucket(4_000)], 1);
        assert_eq!(
            delay.buckets[HEALTH_BUCKETS_MS.len()],
            1,
            "above the last bound"
        );
        let logins: u64 = hours
            .iter()
            .filter(|h| h.metric == "login_ok")
            .map(|h| h.count)
            .sum();
        assert_eq!(logins, 4);
        assert_eq!(store.write(|tx| tx.prune_health(at)).expect("prune"), 1);
        assert_eq!(store.health_hours(0).expect("read").len(), 2);
    }

    #[test]
    fn bounds_fall_in_their_own_bucket() {
        assert_eq!(health_bucket(0), 0);
        assert_eq!(health_bucket(100), 0);
        assert_eq!(health_bucket(101), 1);
        assert_eq!(health_bucket(3_000), 5);
        assert_eq!(health_bucket(3_001), 6);
        assert_eq!(health_bucket(u64::MAX), HEALTH_BUCKETS_MS.len());
    }
}
