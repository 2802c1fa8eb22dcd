//! # The IMAP client
//!
//! [`session`] connects (TLS, STARTTLS, or plain on loopback only), logs in and classifies every
//! failure into an [`ImapError`] a person can act on; [`folders`] lists folders with their special
//! use; [`select`] selects a folder (CONDSTORE/QRESYNC aware); [`fetch`] reads UIDs, flags and
//! messages; [`idle`] waits for changes (IDLE, or NOOP polls); [`utf7`] converts folder names to and from modified UTF-7 (RFC 3501 §5.1.3).
//!
//! The crate is `async-imap` on tokio, chosen for its IDLE support and because Delta Chat's core
//! runs it in production; ARCHITECTURE.md records the choice.

pub mod actions;
mod command;
pub mod fetch;
pub mod folders;
pub mod idle;
pub mod select;
pub mod session;
pub mod tls;
pub mod utf7;

pub use actions::Flag;
pub use command::uid_set;
pub use fetch::{Envelope, FetchedMessage, MessageFlags};
pub use folders::{ImapFolder, SpecialUse};
pub use idle::{IdleEnd, Wake};
pub use select::Selected;
pub use session::{ImapConfig, ImapSession, Security};

/// Why talking to an IMAP server failed. Each variant says what the user can do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImapError {
    /// TCP connection failed (refused, no route, DNS).
    #[error("Cannot reach the IMAP server {host}:{port}: {reason}")]
    Unreachable {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// What the OS said.
        reason: String,
    },
    /// No answer in time.
    #[error("The IMAP server {host}:{port} did not answer in time ({what})")]
    Timeout {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// The step that timed out.
        what: &'static str,
    },
    /// The server's certificate is not trusted or does not match the host.
    #[error("The certificate of {host} is not valid: {reason}. If this server uses a self-signed certificate, trust it with --ca-file")]
    BadCertificate {
        /// Host.
        host: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Any other TLS failure.
    #[error("TLS with {host} failed: {reason}")]
    Tls {
        /// Host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// Wrong user name or password (or the server refused the login).
    #[error("The IMAP server {host} rejected the login for {user}: wrong user name or password ({server})")]
    AuthFailed {
        /// Host.
        host: String,
        /// Login name used.
        user: String,
        /// The server's words.
        server: String,
    },
    /// The server refused an OAuth2 token, also a freshly refreshed one.
    #[error("The IMAP server {host} refused the sign-in token for {user} ({server}); check the user name, or sign in again")]
    TokenRefused {
        /// Host.
        host: String,
        /// Login name used.
        user: String,
        /// The server's words.
        server: String,
    },
    /// No OAuth2 token could be had (the sign-in is gone, or the provider is unreachable).
    #[error("No sign-in token for {user}: {reason}")]
    Token {
        /// Login name.
        user: String,
        /// Why.
        reason: String,
        /// Only signing in again helps.
        sign_in_again: bool,
    },
    /// Plain text was asked for a host that is not loopback.
    #[error("Refusing an unencrypted connection to {host}: plain is allowed only for loopback addresses (use tls or starttls)")]
    PlainNotAllowed {
        /// Host.
        host: String,
    },
    /// The server refused a command or broke the protocol.
    #[error("The IMAP server {host} refused: {detail}")]
    Server {
        /// Host.
        host: String,
        /// What it said or did.
        detail: String,
    },
    /// The connection dropped.
    #[error("The connection to the IMAP server {host} was lost: {reason}")]
    ConnectionLost {
        /// Host.
        host: String,
        /// What happened.
        reason: String,
    },
}

/// The loopback rule every protocol shares: plain text only to these hosts.
pub use satu_net::is_loopback;
