//! How a connection proves who it is, for every protocol (IMAP, SMTP, CalDAV): a password, or an
//! OAuth2 bearer token from a [`BearerSource`] that the core keeps fresh. A token is asked for at
//! every login, never kept in a config: a connection that comes back after an hour gets a fresh
//! one. When the server refuses a token, the source is asked once more, told which token was
//! refused (it refreshes), and the login is retried once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How a session logs in.
#[derive(Clone)]
pub enum Auth {
    /// A password (IMAP LOGIN, SMTP AUTH PLAIN, HTTP Basic).
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
    /// A valid access token. `refused`: the token a server just refused; a source gives a new
    /// one (a refresh) instead of it, or the newer one another connection already got (several
    /// connections refused together renew once).
    fn token(&self, refused: Option<String>) -> TokenFuture<'_>;
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
