//! What to do with an outbox message: pure decisions from what is known (its stage, the
//! server's habits, how the last attempt ended) to the next step. The I/O in `send/mod.rs` only
//! carries them out. Every case is tested below.
//!
//! - A message whose last attempt reached stage `data` (the server may have it) is looked for in
//!   Sent before anything else ([`plan`]). Found: sent. Not found: sent again only when the
//!   account's server is known to save what it sends in Sent (`accounts.smtp_saves_sent`, learned
//!   on the first send); else failed with the reason for the user, whose call a resend is
//!   (`satu outbox retry --resend`) ([`after_look`]).
//! - A send cut after the final "." is uncertain: it gets stage `data` and is looked for in Sent
//!   2 s later. One cut before it is certain (the server discards an unfinished message) and is
//!   retried with backoff: 5 s … 15 min, [`MAX_ATTEMPTS`] attempts ([`after_failure`]).
//! - A refusal (a 5xx, a wrong password) fails at once, with the server's words.

use satu_mail::smtp::Delivery;
use satu_store::Stage;

/// Attempts before a message that keeps failing for passing reasons is left to the user.
pub(crate) const MAX_ATTEMPTS: i64 = 8;

/// What to do with a due message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Submit it.
    Send,
    /// The server may have it already: look for it in Sent first.
    LookInSent,
}

/// The plan for a due message whose last attempt reached `stage`.
pub(crate) fn plan(stage: Stage) -> Plan {
    match stage {
        Stage::Data => Plan::LookInSent,
        Stage::None | Stage::Envelope => Plan::Send,
    }
}

/// What looking in Sent for a message the server may have says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterLook {
    /// It is there: it was sent.
    Sent,
    /// It is not there, and this server puts everything it sends there: it was not sent.
    Resend,
    /// It is not there, but this server does not (or may not) keep sent mail in Sent, so
    /// nobody can tell: the user decides.
    AskUser,
}

/// The verdict of a Sent search for an uncertain message.
pub(crate) fn after_look(found: bool, server_saves_sent: Option<bool>) -> AfterLook {
    match (found, server_saves_sent) {
        (true, _) => AfterLook::Sent,
        (false, Some(true)) => AfterLook::Resend,
        (false, _) => AfterLook::AskUser,
    }
}

/// What becomes of a message after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AfterFailure {
    /// Queued again, due in `delay_ms`; `stage` is what the server may have.
    Retry { stage: Stage, delay_ms: i64 },
    /// Left to the user, with this reason.
    Fail(String),
}

/// The backoff before attempt `attempts + 1`: 5 s, 15 s, 30 s, 1 min, 2 min, 5 min, 10 min,
/// then 15 min, times `scale` (tests shorten it).
pub(crate) fn backoff_ms(attempts: i64, scale: f64) -> i64 {
    const STEPS_S: [i64; 8] = [5, 15, 30, 60, 120, 300, 600, 900];
    let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(0);
    let seconds = STEPS_S[index.min(STEPS_S.len() - 1)];
    ((seconds * 1000) as f64 * scale) as i64
}

/// The next step after attempt number `attempts` failed with `error` meaning `delivery`.
pub(crate) fn after_failure(
    delivery: Delivery,
    attempts: i64,
    error: &str,
    scale: f64,
) -> AfterFailure {
    match delivery {
        Delivery::Refused => AfterFailure::Fail(error.to_owned()),
        // Look in Sent soon (a server that saves sent mail may take a moment).
        Delivery::Uncertain if attempts < MAX_ATTEMPTS => AfterFailure::Retry {
            stage: Stage::Data,
            delay_ms: ((2000.0 * scale) as i64).max(1),
        },
        Delivery::NotDelivered if attempts < MAX_ATTEMPTS => AfterFailure::Retry {
            stage: Stage::None,
            delay_ms: backoff_ms(attempts, scale),
        },
        Delivery::Uncertain | Delivery::NotDelivered => AfterFailure::Fail(format!(
            "Gave up after {attempts} attempts; the last one: {error}"
        )),
    }
}

/// Why an uncertain message is left to the user.
pub(crate) const UNCERTAIN: &str = "The connection broke after the message was handed over in \
full, and this server does not keep sent mail in Sent, so Satu cannot tell whether it went out. \
Ask a recipient; Retry sends it again.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_the_server_may_have_is_looked_for_before_anything_else() {
        assert_eq!(plan(Stage::Data), Plan::LookInSent);
        assert_eq!(plan(Stage::Envelope), Plan::Send);
        assert_eq!(plan(Stage::None), Plan::Send);
    }

    #[test]
    fn the_sent_folder_decides_only_where_it_can() {
        assert_eq!(after_look(true, None), AfterLook::Sent);
        assert_eq!(after_look(true, Some(false)), AfterLook::Sent);
        assert_eq!(after_look(false, Some(true)), AfterLook::Resend);
        assert_eq!(after_look(false, Some(false)), AfterLook::AskUser);
        assert_eq!(after_look(false, None), AfterLook::AskUser);
    }

    #[test]
    fn failures_retry_with_backoff_until_the_cap_and_refusals_never() {
        assert_eq!(
            after_failure(Delivery::NotDelivered, 1, "reset", 1.0),
            AfterFailure::Retry {
                stage: Stage::None,
                delay_ms: 5000
            }
        );
        assert_eq!(
            after_failure(Delivery::NotDelivered, 3, "reset", 1.0),
            AfterFailure::Retry {
                stage: Stage::None,
                delay_ms: 30_000
            }
        );
        assert_eq!(
            after_failure(Delivery::Uncertain, 1, "reset", 1.0),
            AfterFailure::Retry {
                stage: Stage::Data,
                delay_ms: 2000
            }
        );
        assert_eq!(
            after_failure(Delivery::Refused, 1, "550 no such user", 1.0),
            AfterFailure::Fail("550 no such user".into())
        );
        let AfterFailure::Fail(reason) =
            after_failure(Delivery::NotDelivered, MAX_ATTEMPTS, "timeout", 1.0)
        else {
            panic!("expected to give up");
        };
        assert!(reason.contains("Gave up after 8 attempts"), "{reason}");
        assert!(matches!(
            after_failure(Delivery::Uncertain, MAX_ATTEMPTS, "x", 1.0),
            AfterFailure::Fail(_)
        ));
    }

    #[test]
    fn backoff_grows_to_fifteen_minutes_and_scales() {
        assert_eq!(backoff_ms(1, 1.0), 5_000);
        assert_eq!(backoff_ms(8, 1.0), 900_000);
        assert_eq!(backoff_ms(50, 1.0), 900_000);
        assert_eq!(backoff_ms(0, 1.0), 5_000);
        assert_eq!(backoff_ms(1, 0.01), 50);
    }
}
