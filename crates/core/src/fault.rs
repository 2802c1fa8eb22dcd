//! Fault points for crash tests: `SATU_FAULT=NAME` stops the process (or pauses it) at the
//! point called NAME, so that a test can crash it exactly between two steps. The points:
//! `after-reply` (the SMTP server took a message, not committed yet: `send/mod.rs`),
//! `chat-after-send` (the homeserver answered a send, not committed yet: `matrix/mod.rs`) and
//! `caldav-pause-after-answer` (a pause after a stored CalDAV answer: `caldav/mod.rs`).

/// Whether the fault point `point` is armed.
pub(crate) fn armed(point: &str) -> bool {
    std::env::var("SATU_FAULT").is_ok_and(|v| v == point)
}

/// Aborts the process here (no clean-up, like a crash) when `point` is armed.
pub(crate) fn abort_at(point: &str) {
    if armed(point) {
        tracing::error!("SATU_FAULT={point}: aborting.");
        eprintln!("satu: SATU_FAULT={point}: aborting");
        std::process::abort();
    }
}
