//! Staying out of the way where the OS says it matters: on battery, or on a connection the OS
//! marks as metered. Push keeps working (new mail in INBOX still arrives within a second: one
//! idle connection costs nearly nothing); what is thinned out is the periodic full pass over every
//! folder ([`full_pass_due`]: one in [`THRIFT_FACTOR`]) and, on battery, the background indexer
//! ([`INDEX_PAUSE`] between chunks).
//!
//! What the OS says is read at most every [`RECHECK`] ([`conditions`]): on Linux, a battery
//! discharging (`/sys/class/power_supply`) and NetworkManager's `Metered` property (`busctl`; no
//! answer is "not metered"). Elsewhere nothing is detected yet and the sync runs at full pace.
//!
//! In the app, whatever the OS says: the CPU work of a sync and of the indexer (parsing, storing,
//! indexing) runs on threads of its own at a lower priority than the window's ([`background`]),
//! so that on a machine with few cores an initial sync of a big mailbox takes the CPU the window
//! does not use rather than the frames it needs (`tests/e2e/13-scroll-during-sync.test.mjs`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Full passes kept when thrifty: one in this many.
pub(crate) const THRIFT_FACTOR: u64 = 4;
/// The indexer's pause between two chunks on battery.
pub(crate) const INDEX_PAUSE: Duration = Duration::from_secs(2);
/// How long what the OS said is trusted.
const RECHECK: Duration = Duration::from_secs(60);

/// What the OS says about power and network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Conditions {
    /// Running on a battery that is discharging.
    pub on_battery: bool,
    /// The connection is metered (or the OS guesses so).
    pub metered: bool,
}

impl Conditions {
    /// Whether the sync should thin out its periodic work.
    pub(crate) fn thrifty(self) -> bool {
        self.on_battery || self.metered
    }
}

/// Whether the `tick`-th periodic full pass (counting from 1) runs under `conditions`.
pub(crate) fn full_pass_due(conditions: Conditions, tick: u64) -> bool {
    !conditions.thrifty() || tick.is_multiple_of(THRIFT_FACTOR)
}

/// Reads `/sys/class/power_supply`-like entries: (type, status, online) per supply. On battery
/// when a battery discharges and no mains supply is online.
pub(crate) fn on_battery_from(supplies: &[(String, String, Option<bool>)]) -> bool {
    let mains_online = supplies
        .iter()
        .any(|(kind, _, online)| kind == "Mains" && *online == Some(true));
    let discharging = supplies
        .iter()
        .any(|(kind, status, _)| kind == "Battery" && status == "Discharging");
    discharging && !mains_online
}

/// NetworkManager's `Metered` as `busctl get-property` prints it (`u 1`): 1 yes, 3 guessed yes.
pub(crate) fn metered_from(busctl: &str) -> bool {
    matches!(busctl.split_whitespace().nth(1), Some("1" | "3"))
}

/// What the OS says now (read at most every [`RECHECK`]).
pub(crate) fn conditions() -> Conditions {
    static LAST: Mutex<Option<(Instant, Conditions)>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((at, seen)) = *last {
        if at.elapsed() < RECHECK {
            return seen;
        }
    }
    let seen = read_conditions();
    if seen.thrifty() {
        tracing::info!(
            ?seen,
            "On battery or a metered connection: the sync thins out its periodic work."
        );
    }
    *last = Some((Instant::now(), seen));
    seen
}

#[cfg(target_os = "linux")]
fn read_conditions() -> Conditions {
    let mut supplies = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/sys/class/power_supply") {
        for entry in entries.flatten() {
            let read = |name: &str| {
                std::fs::read_to_string(entry.path().join(name))
                    .map(|s| s.trim().to_owned())
                    .unwrap_or_default()
            };
            // A wireless mouse's or a phone's battery is not the machine's power.
            if read("scope") == "Device" {
                continue;
            }
            let online = match read("online").as_str() {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            };
            supplies.push((read("type"), read("status"), online));
        }
    }
    let metered = std::process::Command::new("busctl")
        .args([
            "--system",
            "get-property",
            "org.freedesktop.NetworkManager",
            "/org/freedesktop/NetworkManager",
            "org.freedesktop.NetworkManager",
            "Metered",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .is_some_and(|out| metered_from(&String::from_utf8_lossy(&out.stdout)));
    Conditions {
        on_battery: on_battery_from(&supplies),
        metered,
    }
}

#[cfg(not(target_os = "linux"))]
fn read_conditions() -> Conditions {
    Conditions::default()
}

/// How much lower than normal a background thread's priority is: Linux nice 10 (for that
/// thread only), a tenth of a normal thread's share of a busy core.
const BACKGROUND_NICE: i32 = 10;

/// Whether this process has a window to keep smooth ([`put_the_window_first`]): only then are
/// background threads lowered. A `satu sync` in a terminal has none: lowered, it would only
/// give way to whatever else runs (the benchmarks' mail server on the same machine).
static WINDOW_FIRST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, this process's sync and indexer threads run below the window's priority.
pub(crate) fn put_the_window_first() {
    WINDOW_FIRST.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Runs `work` on a thread of its own at a lower CPU priority than the window's and returns
/// what it gives, when awaited (an error if it panicked). A fresh thread each time: a pooled
/// thread lowered once would stay low for the window's own work after it (and an unprivileged
/// process cannot raise a thread's priority again). Linux only for now: elsewhere the thread
/// runs at the normal priority.
pub(crate) fn background<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<tokio::sync::oneshot::Receiver<T>> {
    let (send, receive) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(format!("satu-{name}"))
        .spawn(move || {
            lower_priority();
            // The receiver gone: the sync stopped and wants nothing of it.
            let _ = send.send(work());
        })
        .map_err(|e| anyhow::anyhow!("Cannot start a thread for {name}: {e}"))?;
    Ok(receive)
}

/// Lowers the calling thread's CPU priority (see [`background`]) when the process has a window
/// to keep smooth; a refusal is only logged.
pub(crate) fn lower_priority() {
    if !WINDOW_FIRST.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let me = rustix::thread::gettid();
        if let Err(e) = rustix::process::setpriority_process(Some(me), BACKGROUND_NICE) {
            tracing::debug!(error = %e, "Cannot lower a background thread's priority.");
        }
    }
}

/// The priority of the calling thread (Linux nice; 0 elsewhere).
#[cfg(test)]
fn priority() -> i32 {
    #[cfg(target_os = "linux")]
    {
        let me = rustix::thread::gettid();
        rustix::process::getpriority_process(Some(me)).unwrap_or(0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(kind: &str, status: &str, online: Option<bool>) -> (String, String, Option<bool>) {
        (kind.into(), status.into(), online)
    }

    #[test]
    fn on_battery_only_when_a_battery_discharges_without_mains() {
        assert!(on_battery_from(&[supply("Battery", "Discharging", None)]));
        assert!(!on_battery_from(&[
            supply("Battery", "Discharging", None),
            supply("Mains", "", Some(true))
        ]));
        assert!(!on_battery_from(&[supply("Battery", "Charging", None)]));
        assert!(!on_battery_from(&[supply("Battery", "Full", None)]));
        // A desktop: no battery at all.
        assert!(!on_battery_from(&[supply("Mains", "", Some(true))]));
        assert!(!on_battery_from(&[]));
        // A laptop unplugged: its mains supply is there, offline.
        assert!(on_battery_from(&[
            supply("Battery", "Discharging", None),
            supply("Mains", "", Some(false))
        ]));
    }

    #[test]
    fn metered_when_network_manager_says_yes_or_guesses_yes() {
        assert!(metered_from("u 1\n"));
        assert!(metered_from("u 3"));
        assert!(!metered_from("u 2"));
        assert!(!metered_from("u 4"));
        assert!(!metered_from("u 0"));
        assert!(!metered_from(""));
    }

    #[test]
    fn thrifty_keeps_one_full_pass_in_four() {
        let thrifty = Conditions {
            on_battery: true,
            metered: false,
        };
        let due: Vec<u64> = (1..=8).filter(|&t| full_pass_due(thrifty, t)).collect();
        assert_eq!(due, vec![4, 8]);
        assert!((1..=8).all(|t| full_pass_due(Conditions::default(), t)));
    }

    #[tokio::test]
    async fn background_work_runs_below_the_window_and_leaves_other_threads_alone() {
        put_the_window_first();
        let before = priority();
        let theirs = background("test", priority)
            .expect("thread")
            .await
            .expect("answer");
        if cfg!(target_os = "linux") {
            assert_eq!(theirs, before + BACKGROUND_NICE);
        }
        assert_eq!(priority(), before, "the calling thread keeps its priority");
        // A panic is an error to the one waiting, not a hang.
        let failed = background("test", || -> i32 { panic!("on purpose") })
            .expect("thread")
            .await;
        assert!(failed.is_err());
    }
}
