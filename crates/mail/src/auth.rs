//! How IMAP and SMTP sessions prove who they are: a password, or an OAuth2 bearer token (RFC 7628
//! OAUTHBEARER, and Google's and Microsoft's XOAUTH2) from a [`BearerSource`] that the core keeps
//! fresh. The SASL messages are built here, in one place for both protocols.
//!
//! A token is asked for at every login, never kept in a config: a connection that comes back after
//! an hour gets a fresh one. When the server refuses a token, the source is asked once more with
//! `refused = true` (it refreshes), and the login is retried once on the same connection.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How a session logs in.
#[derive(Clone)]
pub enum Auth {
    /// LOGIN / AUTH PLAIN with this password.
    Password(String),
    /// OAuth2 with a token from this source.
    Bearer(Arc<dyn BearerSource>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the password or a token.
        match self {
            Auth::Password(_) => f.write_str("Password(..)"),
            Auth::Bearer(_) => f.write_str("Bearer(..)"),
        }
    }
}

/// A future that yields an access token.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, TokenError>> + Send + 'a>>;

/// Where a session gets its OAuth2 access token.
pub trait BearerSource: Send + Sync {
    /// A valid access token. `refused`: the server refused the last one, so get a new one (a
    /// refresh) instead of the cached one.
    fn token(&self, refused: bool) -> TokenFuture<'_>;
}

/// Why no token could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    /// The sign-in is gone (refresh token revoked or expired): only signing in again helps.
    pub sign_in_again: bool,
    /// What happened, for people.
    pub message: String,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An OAuth2 SASL mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// RFC 7628.
    OAuthBearer,
    /// Google's and Microsoft's older form (what Microsoft 365 speaks).
    XOAuth2,
}

impl Mechanism {
    /// The SASL name.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::XOAuth2 => "XOAUTH2",
        }
    }

    /// The mechanism to use given what the server offers (SASL names, any case): the standard
    /// one when offered, else XOAUTH2 (also when nothing is said: Gmail and Microsoft take it).
    pub fn choose<'a>(offered: impl IntoIterator<Item = &'a str>) -> Mechanism {
        if offered
            .into_iter()
            .any(|m| m.eq_ignore_ascii_case("OAUTHBEARER"))
        {
            Mechanism::OAuthBearer
        } else {
            Mechanism::XOAuth2
        }
    }

    /// The client's first message (before base64): who and which token.
    pub fn initial_response(self, user: &str, token: &str, host: &str, port: u16) -> Vec<u8> {
        match self {
            Mechanism::XOAuth2 => {
                format!("user={user}\x01auth=Bearer {token}\x01\x01").into_bytes()
            }
            Mechanism::OAuthBearer => {
                // RFC 7628 §3.1: a GS2 header with the authorization identity (',' and '='
                // escaped as in RFC 5801), then key/value pairs.
                let authzid = user.replace('=', "=3D").replace(',', "=2C");
                format!(
                    "n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"
                )
                .into_bytes()
            }
        }
    }

    /// What the client answers to the server's error challenge so that the server ends the
    /// exchange with a failure (RFC 7628 §3.2.3: a single `0x01`; XOAUTH2: an empty message).
    pub fn after_error(self) -> &'static [u8] {
        match self {
            Mechanism::OAuthBearer => b"\x01",
            Mechanism::XOAuth2 => b"",
        }
    }
}

/// The `status` of a server's JSON error challenge (RFC 7628 §3.2.2), e.g. `invalid_token`; the
/// whole text when it is not JSON.
pub fn challenge_status(challenge: &[u8]) -> String {
    let text = String::from_utf8_lossy(challenge);
    // A tiny reader for {"status":"…"}: the challenge comes from the server, so nothing is
    // trusted beyond picking out one string.
    if let Some(start) = text.find("\"status\"") {
        let rest = &text[start + "\"status\"".len()..];
        if let Some(rest) = rest.trim_start().strip_prefix(':') {
            if let Some(rest) = rest.trim_start().strip_prefix('"') {
                if let Some(end) = rest.find('"') {
                    return printable(&rest[..end]);
                }
            }
        }
    }
    printable(text.trim())
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_responses_are_as_the_rfcs_spell_them() {
        assert_eq!(
            Mechanism::XOAuth2.initial_response(
                "alice@example.com",
                "tok",
                "imap.example.com",
                993
            ),
            b"user=alice@example.com\x01auth=Bearer tok\x01\x01"
        );
        assert_eq!(
            Mechanism::OAuthBearer.initial_response("a,b=c", "tok", "mail.test", 587),
            b"n,a=a=2Cb=3Dc,\x01host=mail.test\x01port=587\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn the_standard_mechanism_wins_when_offered() {
        assert_eq!(
            Mechanism::choose(["PLAIN", "oauthbearer", "XOAUTH2"]),
            Mechanism::OAuthBearer
        );
        assert_eq!(Mechanism::choose(["PLAIN", "XOAUTH2"]), Mechanism::XOAuth2);
        assert_eq!(Mechanism::choose([]), Mechanism::XOAuth2);
    }

    #[test]
    fn an_error_challenge_says_its_status() {
        assert_eq!(
            challenge_status(br#"{"status":"invalid_token","scope":"x"}"#),
            "invalid_token"
        );
        assert_eq!(challenge_status(b"{ \"status\" : \"401\" }"), "401");
        assert_eq!(challenge_status(b"not json\x07"), "not json");
        assert_eq!(challenge_status(b""), "");
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let shown = format!("{:?}", Auth::Password("hunter2".into()));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
