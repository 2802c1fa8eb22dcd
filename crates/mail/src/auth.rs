//! How IMAP and SMTP sessions prove who they are ([`Auth`], shared with CalDAV in `satu_net`): the
//! SASL messages of an OAuth2 login (RFC 7628 OAUTHBEARER, and Google's and Microsoft's XOAUTH2),
//! built here in one place for both protocols. A refused token is replaced once by a fresh one
//! (the source refreshes it) on the same connection.

pub use satu_net::auth::{Auth, BearerSource, TokenError, TokenFuture};

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
