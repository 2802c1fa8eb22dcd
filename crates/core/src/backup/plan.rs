//! What the backups decide, as pure functions of what is known (tested beside): whether a
//! scheduled backup is due, which old ones go, where a restore may write, and how the Health
//! view words the backup indicator.

use satu_store::BackupRow;

/// Good: the last verified backup is younger than this (s): a daily schedule with slack.
pub(crate) const GOOD_S: i64 = 26 * 3600;
/// Warning until this (s); older is bad.
pub(crate) const WARNING_S: i64 = 7 * 24 * 3600;

/// The schedule the user chose (`backup.every_hours`, `backup.dir`, `backup.keep`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub every_hours: i64,
    pub dir: String,
    pub keep: i64,
}

impl Schedule {
    /// Whether backups are scheduled at all.
    pub(crate) fn on(&self) -> bool {
        self.every_hours > 0 && !self.dir.is_empty()
    }
}

/// A backup that was written whole and is still there (a scheduled one was also read back:
/// one that did not verify is a failure, its file removed).
fn complete(b: &BackupRow) -> bool {
    b.error.is_empty() && !b.gone
}

/// The last attempt's failure, when no backup completed since: (when, why).
pub(crate) fn last_failure(backups: &[BackupRow]) -> Option<(i64, &str)> {
    let newest_good = backups.iter().filter(|b| complete(b)).map(|b| b.at).max();
    backups
        .iter()
        .filter(|b| !b.error.is_empty() && newest_good.is_none_or(|good| b.at > good))
        .max_by_key(|b| (b.at, b.id))
        .map(|b| (b.at, b.error.as_str()))
}

/// Whether a scheduled backup is due at `now` (Unix s): none of the schedule's yet, or its
/// newest is `every_hours` old. A failed attempt waits an hour before the next, so that a full
/// disk is not hammered.
pub(crate) fn due(schedule: &Schedule, backups: &[BackupRow], now: i64) -> bool {
    if !schedule.on() {
        return false;
    }
    if last_failure(backups).is_some_and(|(at, _)| now - at < 3600) {
        return false;
    }
    let newest = backups
        .iter()
        .filter(|b| b.scheduled && complete(b))
        .map(|b| b.at)
        .max();
    newest.is_none_or(|at| now - at >= schedule.every_hours * 3600)
}

/// The scheduled backups to delete once backup `new` verified: beyond the newest `keep`
/// of the schedule. Nothing goes while `new` did not verify, and a backup made by hand is
/// never pruned.
pub(crate) fn prune(backups: &[BackupRow], new: &BackupRow, keep: i64) -> Vec<i64> {
    if !new.verified || !complete(new) {
        return Vec::new();
    }
    let mut theirs: Vec<&BackupRow> = backups
        .iter()
        .filter(|b| b.scheduled && complete(b) && b.id != new.id)
        .collect();
    theirs.sort_by_key(|b| std::cmp::Reverse((b.at, b.id)));
    let keep = usize::try_from(keep.max(1)).unwrap_or(1);
    // The new one is the first kept.
    theirs.iter().skip(keep - 1).map(|b| b.id).collect()
}

/// Where a restore may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Nothing there, or an empty directory: restore into it.
    Empty,
    /// A data directory (or anything) is there and `--replace` was given: move it aside first.
    MoveAside,
    /// Something is there and `--replace` was not given: refuse.
    Refuse,
    /// A Satu runs on it: refuse even with `--replace`.
    InUse,
}

/// Decides what a restore does with the directory it restores into.
pub(crate) fn target(exists_with_files: bool, in_use: bool, replace: bool) -> Target {
    match (exists_with_files, in_use, replace) {
        (false, _, _) => Target::Empty,
        (true, true, _) => Target::InUse,
        (true, false, true) => Target::MoveAside,
        (true, false, false) => Target::Refuse,
    }
}

/// The backup indicator: (status, value: the last good backup's age in s, detail).
pub(crate) fn indicator(
    schedule: &Schedule,
    backups: &[BackupRow],
    now: i64,
) -> (&'static str, Option<i64>, String) {
    let last_error = last_failure(backups).map(|(_, why)| why);
    let last = backups.iter().filter(|b| complete(b)).map(|b| b.at).max();
    let Some(at) = last else {
        return if schedule.on() {
            let mut detail = format!(
                "Backups are scheduled every {} h into {}, but none has been made yet.",
                schedule.every_hours, schedule.dir
            );
            if let Some(error) = last_error {
                detail.push_str(&format!(" The last attempt failed: {error}"));
            }
            ("bad", None, detail)
        } else {
            (
                "off",
                None,
                "Backups are not set up: schedule them in Settings, or run satu backup schedule."
                    .to_owned(),
            )
        };
    };
    let age = (now - at).max(0);
    let status = if age < GOOD_S {
        "good"
    } else if age < WARNING_S {
        "warning"
    } else {
        "bad"
    };
    let mut detail = format!("The last backup is {} old", words(age));
    if schedule.on() {
        detail.push_str(&format!(
            "; backups run every {} h into {}, the newest {} kept.",
            schedule.every_hours, schedule.dir, schedule.keep
        ));
    } else {
        detail.push_str("; no backups are scheduled.");
    }
    if let Some(error) = last_error {
        detail.push_str(&format!(" The last attempt failed: {error}"));
    }
    if status != "good" && !schedule.on() {
        detail.push_str(" Schedule them in Settings.");
    }
    (status, Some(age), detail)
}

/// An age in words: minutes, hours or days.
fn words(s: i64) -> String {
    match s {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 48 * 3600 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, at: i64, verified: bool, scheduled: bool) -> BackupRow {
        BackupRow {
            id,
            at,
            path: format!("/b/{id}"),
            bytes: 1,
            items: 1,
            verified,
            scheduled,
            gone: false,
            error: String::new(),
        }
    }

    fn failure(id: i64, at: i64, error: &str) -> BackupRow {
        BackupRow {
            gone: true,
            verified: false,
            error: error.to_owned(),
            ..row(id, at, false, true)
        }
    }

    fn daily() -> Schedule {
        Schedule {
            every_hours: 24,
            dir: "/b".into(),
            keep: 2,
        }
    }

    #[test]
    fn a_scheduled_backup_is_due_after_its_interval_and_an_hour_after_a_failure() {
        let off = Schedule {
            every_hours: 0,
            ..daily()
        };
        assert!(!due(&off, &[], 100));
        let no_dir = Schedule {
            dir: String::new(),
            ..daily()
        };
        assert!(!due(&no_dir, &[], 100));
        assert!(due(&daily(), &[], 100));
        let day = 86_400;
        let made = [row(1, 1_000, true, true)];
        assert!(!due(&daily(), &made, 1_000 + day - 1));
        assert!(due(&daily(), &made, 1_000 + day));
        // One by hand is not the schedule's.
        let by_hand = [row(1, 1_000, true, false)];
        assert!(due(&daily(), &by_hand, 2_000));
        // A failure waits an hour; it is the last failure until a backup completes.
        let failed = [failure(2, 100, "The disk is full")];
        assert_eq!(last_failure(&failed), Some((100, "The disk is full")));
        assert!(!due(&daily(), &failed, 100 + 3599));
        assert!(due(&daily(), &failed, 100 + 3600));
        let then_made = [failure(2, 100, "The disk is full"), row(3, 200, true, true)];
        assert_eq!(last_failure(&then_made), None);
    }

    #[test]
    fn old_backups_go_only_after_a_new_one_verified_and_never_one_made_by_hand() {
        let backups = [
            row(1, 100, true, true),
            row(2, 200, true, false),
            row(3, 300, true, true),
            failure(4, 400, "The disk is full"),
            row(5, 500, true, true),
        ];
        let new = row(6, 600, true, true);
        let mut all = backups.to_vec();
        all.push(new.clone());
        // keep 2: the new one and 5; 3 and 1 are older; 2 was made by hand; 4 is no file.
        let mut pruned = prune(&all, &new, 2);
        pruned.sort_unstable();
        assert_eq!(pruned, vec![1, 3]);
        let unverified = row(6, 600, false, true);
        assert!(prune(&all, &unverified, 2).is_empty());
        // keep 0 is kept as 1.
        let mut pruned = prune(&all, &new, 0);
        pruned.sort_unstable();
        assert_eq!(pruned, vec![1, 3, 5]);
    }

    #[test]
    fn a_restore_writes_only_into_an_empty_place_or_moves_the_old_one_aside_when_told() {
        assert_eq!(target(false, false, false), Target::Empty);
        assert_eq!(target(false, true, true), Target::Empty);
        assert_eq!(target(true, false, false), Target::Refuse);
        assert_eq!(target(true, false, true), Target::MoveAside);
        assert_eq!(target(true, true, true), Target::InUse);
        assert_eq!(target(true, true, false), Target::InUse);
    }

    #[test]
    fn the_indicator_reads_the_last_verified_backup_s_age() {
        let now = 10 * 86_400;
        let off = Schedule {
            every_hours: 0,
            dir: String::new(),
            keep: 7,
        };
        assert_eq!(indicator(&off, &[], now).0, "off");
        let failed = [failure(1, now - 60, "disk full")];
        let (status, _, detail) = indicator(&daily(), &failed, now);
        assert_eq!(status, "bad");
        assert!(detail.contains("none has been made") && detail.contains("disk full"));
        let fresh = [row(1, now - 3600, true, true), failure(2, now, "gone")];
        let (status, age, detail) = indicator(&daily(), &fresh, now);
        assert_eq!((status, age), ("good", Some(3600)));
        assert!(
            detail.contains("1 h old") && detail.contains("failed: gone"),
            "{detail}"
        );
        let days = [row(1, now - 3 * 86_400, false, false)];
        let (status, _, detail) = indicator(&off, &days, now);
        assert_eq!(status, "warning");
        assert!(
            detail.contains("3 days") && detail.contains("Schedule them"),
            "{detail}"
        );
        let old = [row(1, now - 8 * 86_400, true, false)];
        assert_eq!(indicator(&off, &old, now).0, "bad");
        let mut gone = row(1, now, true, true);
        gone.gone = true;
        assert_eq!(indicator(&daily(), &[gone], now).0, "bad");
    }
}
