//! The token endpoint's answers, read without trusting them, and when a cached access token is
//! due for a refresh. Pure functions; the requests are in [`super::flow`] and [`super::source`].

use serde::Deserialize;

/// Most bytes read from a token endpoint.
pub(crate) const MAX_BYTES: usize = 64 * 1024;

/// Tokens from a token endpoint.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Tokens {
    pub access_token: String,
    /// Seconds the access token lives, when said.
    pub expires_in: Option<u64>,
    /// A new refresh token (on sign-in, and when the provider rotates them).
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

/// Why the token endpoint gave no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The grant is gone (`invalid_grant`: a revoked or expired refresh token, a used code):
    /// only signing in again helps.
    SignInAgain(String),
    /// Anything else (a client the provider does not know, a broken answer, a server error).
    Other(String),
}

#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Reads a token endpoint's answer (HTTP `status`, JSON `body`; RFC 6749 §5.1 and §5.2).
pub(crate) fn read(status: u16, body: &str) -> Result<Tokens, Refusal> {
    let answer: Answer = match serde_json::from_str(body) {
        Ok(answer) => answer,
        Err(_) if !(200..300).contains(&status) => {
            return Err(Refusal::Other(format!("HTTP {status}")));
        }
        Err(e) => {
            return Err(Refusal::Other(format!(
                "the provider's answer is not a token ({e})"
            )))
        }
    };
    if let Some(error) = answer.error {
        let error = printable(&error);
        let said = match answer.error_description {
            Some(d) if !d.trim().is_empty() => format!("{error}: {}", printable(&d)),
            _ => error.clone(),
        };
        return Err(if error == "invalid_grant" {
            Refusal::SignInAgain(said)
        } else {
            Refusal::Other(said)
        });
    }
    if !(200..300).contains(&status) {
        return Err(Refusal::Other(format!("HTTP {status}")));
    }
    let Some(access_token) = answer.access_token.filter(|t| !t.is_empty()) else {
        return Err(Refusal::Other(
            "the provider's answer has no access token".into(),
        ));
    };
    if access_token.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Refusal::Other(
            "the provider's access token has characters a token cannot have".into(),
        ));
    }
    if let Some(kind) = answer.token_type {
        if !kind.eq_ignore_ascii_case("bearer") {
            return Err(Refusal::Other(format!(
                "the provider gave a {:?} token, not a bearer token",
                printable(&kind)
            )));
        }
    }
    // Some providers send the number as a string.
    let expires_in = match answer.expires_in {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    Ok(Tokens {
        access_token,
        expires_in,
        refresh_token: answer.refresh_token.filter(|t| !t.is_empty()),
    })
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// When an access token that lives `lifetime_ms` and ends at `expires_at_ms` is refreshed:
/// a minute before its end, or a fifth of its life for short-lived ones.
pub(crate) fn refresh_at(expires_at_ms: i64, lifetime_ms: i64) -> i64 {
    let margin = (lifetime_ms / 5).clamp(0, 60_000);
    expires_at_ms - margin
}

/// How long an access token is taken to live when the provider does not say (RFC 6749 leaves
/// it open; the server's refusal then tells, and one refresh follows).
pub(crate) const DEFAULT_LIFETIME_MS: i64 = 3_600_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_answer_gives_the_tokens() {
        let t = read(
            200,
            r#"{"access_token":"at","token_type":"Bearer","expires_in":3599,"refresh_token":"rt","scope":"x"}"#,
        )
        .expect("tokens");
        assert_eq!(t.access_token, "at");
        assert_eq!(t.expires_in, Some(3599));
        assert_eq!(t.refresh_token.as_deref(), Some("rt"));
        let t = read(
            200,
            r#"{"access_token":"at","token_type":"bearer","expires_in":"60"}"#,
        )
        .expect("tokens");
        assert_eq!((t.expires_in, t.refresh_token), (Some(60), None));
    }

    #[test]
    fn invalid_grant_means_sign_in_again_and_nothing_else_does() {
        assert_eq!(
            read(
                400,
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#
            ),
            Err(Refusal::SignInAgain(
                "invalid_grant: grant request is invalid".into()
            ))
        );
        assert_eq!(
            read(401, r#"{"error":"invalid_client"}"#),
            Err(Refusal::Other("invalid_client".into()))
        );
        assert_eq!(
            read(503, "<html>down</html>"),
            Err(Refusal::Other("HTTP 503".into()))
        );
    }

    #[test]
    fn hostile_answers_are_refused_with_a_reason() {
        for (status, body) in [
            (200, "not json"),
            (200, r#"{"token_type":"Bearer"}"#),
            (200, r#"{"access_token":"","token_type":"Bearer"}"#),
            (200, r#"{"access_token":"a\r\nb","token_type":"Bearer"}"#),
            (200, r#"{"access_token":"at","token_type":"MAC"}"#),
            (200, r#"{"access_token":42}"#),
            (200, "[]"),
        ] {
            assert!(
                matches!(read(status, body), Err(Refusal::Other(_))),
                "{body}"
            );
        }
        let long = format!(
            r#"{{"error":"x","error_description":"{}"}}"#,
            "y".repeat(5000)
        );
        match read(400, &long) {
            Err(Refusal::Other(said)) => assert!(said.len() < 400),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refreshes_come_before_the_end() {
        // An hour's token: a minute before.
        assert_eq!(refresh_at(3_600_000, 3_600_000), 3_540_000);
        // A 4 s token: 0.8 s before.
        assert_eq!(refresh_at(4_000, 4_000), 3_200);
        assert_eq!(refresh_at(1_000, 0), 1_000);
    }

    #[test]
    fn debug_never_shows_a_token() {
        let t = Tokens {
            access_token: "secret-at".into(),
            expires_in: None,
            refresh_token: Some("secret-rt".into()),
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
