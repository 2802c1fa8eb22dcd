//! What a person sends along when asking for help: versions, the system, where the data is,
//! the accounts' servers and how they sign in, the settings, the live sync's state, and the last
//! lines of the log. Never a password, a token, a message or an address book: the accounts are
//! shown by kind, server and login method only, and log lines that look like they carry a
//! secret are left out (none should: see ARCHITECTURE.md, invariant 13).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::error::ApiResult;

/// Log lines kept in the diagnostics.
const LOG_LINES: usize = 200;

/// The folder the app's log files go to: `SATU_LOG_DIR`, else the system's place for them
/// (Linux: `$XDG_STATE_HOME/satu/logs`, `~/.local/state/satu/logs`; macOS: `~/Library/Logs/Satu`;
/// Windows: `%LOCALAPPDATA%\Satu\logs`).
pub(crate) fn log_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SATU_LOG_DIR") {
        return PathBuf::from(dir);
    }
    #[cfg(not(target_os = "windows"))]
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    #[cfg(target_os = "macos")]
    let dir = home().map(|h| h.join("Library/Logs/Satu"));
    #[cfg(target_os = "windows")]
    let dir = std::env::var_os("LOCALAPPDATA").map(|d| PathBuf::from(d).join("Satu").join("logs"));
    #[cfg(not(any(target_os = "macos", target_os = "windows")))]
    let dir = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".local/state")))
        .map(|d| d.join("satu").join("logs"));
    dir.unwrap_or_else(|| PathBuf::from("logs"))
}

/// Whether a log line may go into the diagnostics.
fn shareable(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    ![
        "bearer ",
        "password=",
        "password:",
        "token=",
        "access_token",
        "refresh_token",
        "secret",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// The last `n` lines of the newest log file in `dir`.
fn last_log_lines(dir: &Path, n: usize) -> Vec<String> {
    let newest = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("satu"))
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    let Some(file) = newest else {
        return Vec::new();
    };
    let text = std::fs::read(file.path())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| shareable(l)).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| (*l).to_owned())
        .collect()
}

/// The diagnostics as text.
pub(crate) fn report(ctx: &Context) -> ApiResult<String> {
    let mut out = String::new();
    let _ = writeln!(out, "Satu {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        out,
        "System: {} {} ({})",
        std::env::consts::OS,
        std::env::consts::ARCH,
        std::env::consts::FAMILY
    );
    let _ = writeln!(out, "Data: {}", ctx.data_dir().display());
    let _ = writeln!(out, "Logs: {}", log_dir().display());
    let _ = writeln!(out, "\nAccounts:");
    for account in ctx.store().accounts()? {
        let auth = match ctx.store().oauth_grant(account.id)? {
            Some(grant) if grant.sign_in_again => {
                format!("{} sign-in (ended: sign in again)", grant.provider)
            }
            Some(grant) => format!("{} sign-in", grant.provider),
            None => "password".to_owned(),
        };
        let server = match account.kind {
            satu_store::AccountKind::Imap => format!(
                "IMAP {}:{} ({:?}), SMTP {}:{} ({:?})",
                account.imap.0,
                account.imap.1,
                account.security,
                account.smtp.0,
                account.smtp.1,
                account.smtp_security
            ),
            satu_store::AccountKind::Local => "on this computer".to_owned(),
            _ => account.url.clone(),
        };
        let _ = writeln!(out, "  {} {:?}: {server}; {auth}", account.id, account.kind);
    }
    let _ = writeln!(out, "\nLive sync:");
    let statuses = ctx
        .live_status
        .lock()
        .map(|s| s.values().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    if statuses.is_empty() {
        let _ = writeln!(out, "  (not running in this process)");
    }
    for status in statuses {
        let _ = writeln!(
            out,
            "  {} {} {}{}",
            status.account,
            status.state,
            status.mode,
            status.error.map(|e| format!(" — {e}")).unwrap_or_default()
        );
    }
    let _ = writeln!(out, "\nSettings:");
    for setting in crate::settings::all(ctx.store())? {
        let value = match (&setting.text, setting.number) {
            (Some(text), _) => format!("{text:?}"),
            (None, Some(number)) => number.to_string(),
            (None, None) => setting.value.to_string(),
        };
        let _ = writeln!(out, "  {} = {value}", setting.key);
    }
    let lines = last_log_lines(&log_dir(), LOG_LINES);
    let _ = writeln!(out, "\nLast {} log lines:", lines.len());
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_look_like_secrets_stay_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("satu.2026-12-07.log"),
            "INFO Logged in to the IMAP server.\nDEBUG header Authorization: Bearer abc\nINFO password=hunter2\nINFO refresh_token x\nINFO Account status.\n",
        )
        .expect("write");
        assert_eq!(
            last_log_lines(dir.path(), 10),
            ["INFO Logged in to the IMAP server.", "INFO Account status."]
        );
        assert_eq!(last_log_lines(dir.path(), 1), ["INFO Account status."]);
        assert!(last_log_lines(&dir.path().join("none"), 10).is_empty());
    }
}
