//! Running one command and reading its responses ourselves.
//!
//! async-imap's typed helpers (`uid_search`, `uid_fetch`, `select`) stop at the tagged response
//! without checking whether it said OK, and route responses they do not know (e.g. QRESYNC's
//! `VANISHED`) to a lossy side channel. A sync must never mistake "the command failed" for
//! "the folder is empty", so the sync commands go through [`ImapSession::command`]: every
//! untagged response is handed to the caller, the tagged status is checked, and every read has a
//! timeout.
//!
//! Why keep `async-imap` (0.12, on tokio; Delta Chat runs it in production) for connecting, TLS,
//! login and LIST, with every sync command (IDLE included) here on its `run_command` /
//! `read_response` and imap-proto's parser: the numbers (`tests/bench/RESULTS.md`) say IMAP
//! response parsing is < 1 % of an initial sync's CPU, the fetch stage of a 100k sync runs 9.8 s
//! in the shadow of a 34.8 s store stage, and push latency is p50 507 ms / p99 517 ms against
//! Dovecot's 500 ms floor. The blocking `imap` 3.0 alpha would need a thread per connection and
//! would not touch where the time goes (SQLite and FTS5).

use std::time::Duration;

use async_imap::imap_proto::{Response, Status};

use super::session::protocol_error;
use super::{ImapError, ImapSession};

/// How long the server may stay silent in the middle of a command.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

impl ImapSession {
    /// Runs `command`, calls `each` for every untagged response and succeeds only on a tagged
    /// OK. `what` names the step in errors.
    pub(crate) async fn command(
        &mut self,
        what: &'static str,
        command: &str,
        mut each: impl FnMut(&Response<'_>),
    ) -> Result<(), ImapError> {
        let tag = tokio::time::timeout(READ_TIMEOUT, self.session.run_command(command))
            .await
            .map_err(|_| self.timeout(what))?
            .map_err(|e| protocol_error(&self.host, e))?;
        loop {
            let response = tokio::time::timeout(READ_TIMEOUT, self.session.read_response())
                .await
                .map_err(|_| self.timeout(what))?
                .map_err(|e| ImapError::ConnectionLost {
                    host: self.host.clone(),
                    reason: e.to_string(),
                })?
                .ok_or_else(|| ImapError::ConnectionLost {
                    host: self.host.clone(),
                    reason: format!("the server closed the connection during {what}"),
                })?;
            match response.parsed() {
                Response::Done {
                    tag: done,
                    status,
                    outcome,
                } if *done == tag => {
                    return match status {
                        Status::Ok => Ok(()),
                        _ => Err(ImapError::Server {
                            host: self.host.clone(),
                            detail: format!(
                                "{what} failed: {}",
                                outcome.information.as_deref().unwrap_or("no reason given")
                            ),
                        }),
                    };
                }
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } => {
                    return Err(ImapError::ConnectionLost {
                        host: self.host.clone(),
                        reason: format!(
                            "the server said BYE during {what}: {}",
                            outcome.information.as_deref().unwrap_or("")
                        ),
                    })
                }
                other => each(other),
            }
        }
    }

    pub(crate) fn timeout(&self, what: &'static str) -> ImapError {
        ImapError::Timeout {
            host: self.host.clone(),
            port: self.port,
            what,
        }
    }
}

/// Quotes a mailbox name (UTF-7 encoded already) as an IMAP string.
pub(crate) fn quote(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for c in name.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

/// A compact UID set: `1:3,7,9:10` (input need not be sorted).
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{quote, uid_set};

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[]), "");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[3, 1, 2, 7, 9, 10, 10]), "1:3,7,9:10");
    }

    #[test]
    fn names_are_quoted() {
        assert_eq!(quote("INBOX"), "\"INBOX\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}
