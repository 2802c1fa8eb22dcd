//! Waiting for the server to tell about changes: IDLE (RFC 2177), or NOOP polls without it.
//!
//! [`ImapSession::idle`] stays in one IDLE command on the selected folder and calls back for
//! every change the server reports (new, expunged/vanished or re-flagged messages) without
//! leaving IDLE, so a burst of mail costs no round trip. It ends IDLE after `period` (the caller
//! re-issues it): that bounds both RFC 2177's 29 minutes and how long a dead connection can go
//! unnoticed, because ending IDLE is a round trip that must be answered within [`READ_TIMEOUT`].
//! A quiet server is therefore never mistaken for a dead one: silence while idling is normal,
//! only an unanswered DONE (or NOOP) is a failure. It stops on a `CancellationToken` with DONE,
//! waiting at most [`STOP_TIMEOUT`]. [`ImapSession::noop_changes`] is the poll of servers without
//! IDLE.
//!
//! Like [`super::command`], this reads the responses itself instead of using async-imap's IDLE
//! handle, which consumes the session and sends responses it does not know to a side channel.

use std::time::Duration;

use async_imap::imap_proto::{MailboxDatum, Response, Status};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::session::protocol_error;
use super::{ImapError, ImapSession};

/// How long the server may take to answer IDLE, DONE or NOOP.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a cancelled IDLE waits for the server to acknowledge DONE.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(2);

/// A change the server reported on the selected folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// `EXISTS`: the folder's message count changed (usually new mail).
    Exists,
    /// `EXPUNGE` or `VANISHED`: messages left the folder.
    Expunged,
    /// `FETCH`: a message's flags changed.
    Flags,
}

/// What an untagged response means for a client watching the selected folder; `None` for the
/// ones that change nothing (`* OK Still here`, `RECENT`, `FLAGS`, capabilities, …).
pub fn classify(response: &Response<'_>) -> Option<Wake> {
    match response {
        Response::MailboxData(MailboxDatum::Exists(_)) => Some(Wake::Exists),
        Response::Expunge(_) | Response::Vanished { .. } => Some(Wake::Expunged),
        Response::Fetch(..) => Some(Wake::Flags),
        _ => None,
    }
}

/// How an IDLE ended without failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleEnd {
    /// `period` passed; the server acknowledged DONE, so the connection is alive.
    Period,
    /// The server ended IDLE by itself (tagged OK); idle again.
    ServerEnded,
    /// `cancel` fired; DONE was sent (and acknowledged, or not within [`STOP_TIMEOUT`]).
    Cancelled,
}

impl ImapSession {
    /// Idles on the selected folder for at most `period`, calling `on_wake` for every change the
    /// server reports meanwhile (including those reported while entering and leaving IDLE).
    ///
    /// Errors: [`ImapError::Server`] when the server refuses IDLE; [`ImapError::ConnectionLost`]
    /// or [`ImapError::Timeout`] when the connection is gone.
    pub async fn idle(
        &mut self,
        period: Duration,
        cancel: &CancellationToken,
        mut on_wake: impl FnMut(Wake),
    ) -> Result<IdleEnd, ImapError> {
        let tag = tokio::time::timeout(READ_TIMEOUT, self.session.run_command("IDLE"))
            .await
            .map_err(|_| self.timeout("IDLE"))?
            .map_err(|e| protocol_error(&self.host, e))?;
        // Until the continuation request: the server may report pending changes first.
        loop {
            let read = tokio::time::timeout(READ_TIMEOUT, self.session.read_response())
                .await
                .map_err(|_| self.timeout("IDLE"))?;
            let response = self.received(read, "IDLE")?;
            match response.parsed() {
                Response::Continue(_) => break,
                Response::Done {
                    tag: done,
                    status,
                    outcome,
                } if *done == tag => {
                    return Err(ImapError::Server {
                        host: self.host.clone(),
                        detail: format!(
                            "IDLE ended at once ({status:?}): {}",
                            outcome.information.as_deref().unwrap_or("no reason given")
                        ),
                    });
                }
                other => self.untagged(other, "IDLE", &mut on_wake)?,
            }
        }
        tracing::trace!("Idling.");
        let deadline = Instant::now() + period;
        let end = loop {
            let read = tokio::select! {
                biased;
                _ = cancel.cancelled() => break IdleEnd::Cancelled,
                read = tokio::time::timeout_at(deadline, self.session.read_response()) => read,
            };
            // Silence until the deadline is normal: it is not a dead connection.
            let Ok(read) = read else {
                break IdleEnd::Period;
            };
            let response = self.received(read, "IDLE")?;
            match response.parsed() {
                Response::Done {
                    tag: done,
                    status: Status::Ok,
                    ..
                } if *done == tag => return Ok(IdleEnd::ServerEnded),
                Response::Done {
                    tag: done, outcome, ..
                } if *done == tag => {
                    return Err(ImapError::Server {
                        host: self.host.clone(),
                        detail: format!(
                            "IDLE failed: {}",
                            outcome.information.as_deref().unwrap_or("no reason given")
                        ),
                    })
                }
                other => self.untagged(other, "IDLE", &mut on_wake)?,
            }
        };
        let wait = match end {
            IdleEnd::Cancelled => STOP_TIMEOUT,
            _ => READ_TIMEOUT,
        };
        let done = async {
            tokio::time::timeout(wait, self.session.run_command_untagged("DONE"))
                .await
                .map_err(|_| self.timeout("DONE"))?
                .map_err(|e| protocol_error(&self.host, e))?;
            loop {
                let read = tokio::time::timeout(wait, self.session.read_response())
                    .await
                    .map_err(|_| self.timeout("DONE"))?;
                let response = self.received(read, "DONE")?;
                match response.parsed() {
                    Response::Done { tag: done, .. } if *done == tag => return Ok(()),
                    other => self.untagged(other, "DONE", &mut on_wake)?,
                }
            }
        };
        match (done.await, end) {
            (Ok(()), end) => Ok(end),
            // Stopping anyway: a slow goodbye is not worth reporting as a failure.
            (Err(e), IdleEnd::Cancelled) => {
                tracing::debug!(error = %e, "DONE not acknowledged while stopping.");
                Ok(IdleEnd::Cancelled)
            }
            (Err(e), _) => Err(e),
        }
    }

    /// NOOP on the selected folder (the poll of servers without IDLE, and a liveness check):
    /// returns the changes the server reported.
    pub async fn noop_changes(&mut self) -> Result<Vec<Wake>, ImapError> {
        let mut wakes = Vec::new();
        self.command("NOOP", "NOOP", |response| {
            wakes.extend(classify(response));
        })
        .await?;
        Ok(wakes)
    }

    /// Unwraps a read: `None` (closed) and I/O errors are a lost connection.
    fn received<R>(
        &self,
        read: std::io::Result<Option<R>>,
        what: &'static str,
    ) -> Result<R, ImapError> {
        read.map_err(|e| ImapError::ConnectionLost {
            host: self.host.clone(),
            reason: e.to_string(),
        })?
        .ok_or_else(|| ImapError::ConnectionLost {
            host: self.host.clone(),
            reason: format!("the server closed the connection during {what}"),
        })
    }

    /// An untagged response while idling: a change, a goodbye, or nothing of interest.
    fn untagged(
        &self,
        response: &Response<'_>,
        what: &'static str,
        on_wake: &mut impl FnMut(Wake),
    ) -> Result<(), ImapError> {
        if let Response::Data {
            status: Status::Bye,
            outcome,
        } = response
        {
            return Err(ImapError::ConnectionLost {
                host: self.host.clone(),
                reason: format!(
                    "the server said BYE during {what}: {}",
                    outcome.information.as_deref().unwrap_or("")
                ),
            });
        }
        if let Some(wake) = classify(response) {
            tracing::debug!(?wake, "The server reported a change.");
            on_wake(wake);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{classify, Wake};
    use async_imap::imap_proto::Response;

    fn parse(line: &str) -> Response<'_> {
        match Response::parse(line.as_bytes()) {
            Ok((_, response)) => response,
            Err(e) => panic!("{line:?} does not parse: {e:?}"),
        }
    }

    #[test]
    fn changes_wake_and_chatter_does_not() {
        for (line, wake) in [
            ("* 5 EXISTS\r\n", Some(Wake::Exists)),
            ("* 3 EXPUNGE\r\n", Some(Wake::Expunged)),
            ("* VANISHED 7:9\r\n", Some(Wake::Expunged)),
            (
                "* 2 FETCH (UID 12 FLAGS (\\Seen) MODSEQ (41))\r\n",
                Some(Wake::Flags),
            ),
            ("* 1 RECENT\r\n", None),
            ("* OK Still here\r\n", None),
            (
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
                None,
            ),
            ("+ idling\r\n", None),
            ("A0001 OK Idle completed (0.001 + 0.5 secs).\r\n", None),
        ] {
            assert_eq!(classify(&parse(line)), wake, "{line:?}");
        }
    }
}
