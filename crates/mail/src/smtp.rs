//! SMTP submission (RFC 6409) with `lettre`'s protocol client over Satu's own connection: implicit
//! TLS (465), STARTTLS (587) or plain (loopback only), certificates validated like IMAP's
//! (platform roots plus the account's extra CA), AUTH PLAIN/LOGIN. STARTTLS is done here by hand
//! before `lettre` takes over the TLS stream; a server without it is an error, never a fallback to
//! plain.
//!
//! What matters for "exactly once" is knowing what the server may have when something breaks:
//! [`submit`] takes MAIL, RCPT and DATA one step at a time and calls the caller back just before
//! the message itself is handed over (so the caller can record that the server may have it from
//! then on), and the connection is watched so that a break is classified as *certain* (the final
//! "." never left this machine: the server discards an unfinished message) or *uncertain* (the
//! whole message was written and flushed; only the answer is missing). [`SmtpError::delivery`]
//! says which: not delivered, refused for good, or uncertain.

use std::fmt::Debug;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::ClientId;
use lettre::Address;
use tokio::io::{
    AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader, ReadBuf,
};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;

use crate::auth::{challenge_status, Auth, BearerSource, Mechanism as SaslMechanism};
use crate::imap::{is_loopback, tls, ImapError, Security};

/// How long a connect, handshake or one SMTP exchange may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// Where and how to submit.
#[derive(Clone)]
pub struct SmtpConfig {
    /// Host name or IP address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// Login name ('' for no AUTH).
    pub username: String,
    /// Password or OAuth2 token source (kept out of Debug output).
    pub auth: Auth,
    /// Extra trusted certificate or CA (PEM).
    pub ca_file: Option<PathBuf>,
}

impl Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// Why a submission failed. Callers branch on [`SmtpError::delivery`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmtpError {
    /// TCP connection failed.
    #[error("Cannot reach the SMTP server {host}:{port}: {reason}")]
    Unreachable {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// What the OS said.
        reason: String,
    },
    /// No answer in time.
    #[error("The SMTP server {host}:{port} did not answer in time ({what})")]
    Timeout {
        /// Host.
        host: String,
        /// Port.
        port: u16,
        /// The step that timed out.
        what: &'static str,
    },
    /// The certificate is not trusted or does not match the host.
    #[error("The certificate of {host} is not valid: {reason}. If this server uses a self-signed certificate, trust it with --ca-file")]
    BadCertificate {
        /// Host.
        host: String,
        /// Why.
        reason: String,
    },
    /// Any other TLS failure (including a server without STARTTLS on a STARTTLS account).
    #[error("TLS with the SMTP server {host} failed: {reason}")]
    Tls {
        /// Host.
        host: String,
        /// What failed.
        reason: String,
    },
    /// Plain text to a non-loopback host.
    #[error("Refusing an unencrypted connection to {host}: plain is allowed only for loopback addresses (use tls or starttls)")]
    PlainNotAllowed {
        /// Host.
        host: String,
    },
    /// Wrong user name or password.
    #[error("The SMTP server {host} rejected the login for {user}: wrong user name or password ({server})")]
    AuthFailed {
        /// Host.
        host: String,
        /// Login name.
        user: String,
        /// The server's words.
        server: String,
    },
    /// The server refused an OAuth2 token, also a freshly refreshed one.
    #[error("The SMTP server {host} refused the sign-in token for {user} ({server}); check the user name, or sign in again")]
    TokenRefused {
        /// Host.
        host: String,
        /// Login name.
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
    /// The server refused for good (5xx): the message, the sender or a recipient.
    #[error("The SMTP server {host} refused {what}: {server}")]
    Refused {
        /// Host.
        host: String,
        /// What was refused, e.g. "the recipient bob@example.com".
        what: String,
        /// The server's words (code and text).
        server: String,
    },
    /// The server refused for now (4xx): try again later.
    #[error("The SMTP server {host} cannot take {what} now: {server}")]
    Deferred {
        /// Host.
        host: String,
        /// What was deferred.
        what: String,
        /// The server's words.
        server: String,
    },
    /// The connection broke. `uncertain`: the whole message had been written, so the server
    /// may have it.
    #[error("The connection to the SMTP server {host} broke {stage}: {reason}")]
    Broken {
        /// Host.
        host: String,
        /// When, e.g. "after the message was sent in full".
        stage: &'static str,
        /// What happened.
        reason: String,
        /// Whether the server may have the message.
        uncertain: bool,
    },
    /// The caller's hook refused to go on (e.g. it could not record the stage).
    #[error("Sending stopped before the message was handed over: {0}")]
    Stopped(String),
}

/// What a failure means for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The server does not have it; trying again later may work.
    NotDelivered,
    /// The server does not have it and never will take it as it is.
    Refused,
    /// The server may have it: look before sending again.
    Uncertain,
}

impl SmtpError {
    /// What this failure means for the message.
    pub fn delivery(&self) -> Delivery {
        match self {
            SmtpError::Refused { .. }
            | SmtpError::AuthFailed { .. }
            | SmtpError::TokenRefused { .. } => Delivery::Refused,
            SmtpError::Broken {
                uncertain: true, ..
            } => Delivery::Uncertain,
            _ => Delivery::NotDelivered,
        }
    }
}

/// One message to submit.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    /// Envelope sender.
    pub from: &'a str,
    /// Envelope recipients.
    pub to: &'a [String],
    /// The message (CRLF line ends).
    pub raw: &'a [u8],
}

/// AUTH PLAIN (or LOGIN) with a password.
async fn login(
    config: &SmtpConfig,
    conn: &mut AsyncSmtpConnection,
    password: &str,
) -> Result<(), SmtpError> {
    let host = &config.host;
    let credentials = Credentials::new(config.username.clone(), password.to_owned());
    let offered = [Mechanism::Plain, Mechanism::Login]
        .iter()
        .any(|m| conn.server_info().supports_auth_mechanism(*m));
    if !offered {
        return Err(SmtpError::Tls {
            host: host.clone(),
            reason: "the server offers no PLAIN or LOGIN authentication on this connection".into(),
        });
    }
    step(
        config,
        "login",
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials),
    )
    .await?
    .map_err(|e| match e.status() {
        Some(_) => SmtpError::AuthFailed {
            host: host.clone(),
            user: config.username.clone(),
            server: e.to_string(),
        },
        None => broken(host, "during the login", &e, false),
    })?;
    Ok(())
}

/// One SMTP command line, as written.
struct Line(String);

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\r\n", self.0)
    }
}

/// AUTH with an OAuth2 token (initial response on the AUTH line): XOAUTH2 when offered (the
/// SMTP library names no other), else OAUTHBEARER. A refused token is replaced once by a fresh
/// one on the same connection.
async fn bearer(
    config: &SmtpConfig,
    conn: &mut AsyncSmtpConnection,
    source: &dyn BearerSource,
) -> Result<(), SmtpError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let host = &config.host;
    let mechanism = if conn
        .server_info()
        .supports_auth_mechanism(Mechanism::Xoauth2)
    {
        SaslMechanism::XOAuth2
    } else {
        SaslMechanism::OAuthBearer
    };
    // What the server said when it refused the last token, and that token.
    let mut refused: Option<String> = None;
    let mut last: Option<String> = None;
    loop {
        let asked = if refused.is_some() { last.take() } else { None };
        let token = match source.token(asked).await {
            Ok(token) => token,
            // No other token to try: the refusal is the answer.
            Err(e) if !e.sign_in_again && refused.is_some() => {
                return Err(SmtpError::TokenRefused {
                    host: host.clone(),
                    user: config.username.clone(),
                    server: format!("{}; {}", refused.unwrap_or_default(), e.message),
                })
            }
            Err(e) => {
                return Err(SmtpError::Token {
                    user: config.username.clone(),
                    reason: e.message,
                    sign_in_again: e.sign_in_again,
                })
            }
        };
        let initial =
            mechanism.initial_response(&config.username, &token, &config.host, config.port);
        last = Some(token);
        let line = Line(format!("AUTH {} {}", mechanism.name(), b64.encode(initial)));
        let answer = step(config, "login", conn.command(line)).await?;
        let server = match answer {
            Ok(response) if response.has_code(334) => {
                // RFC 7628 §3.2.3: an error challenge; answer it so that the server says no.
                let status = response
                    .first_line()
                    .and_then(|l| b64.decode(l.trim()).ok())
                    .map(|c| challenge_status(&c))
                    .unwrap_or_default();
                let end = Line(b64.encode(mechanism.after_error()));
                match step(config, "login", conn.command(end)).await? {
                    Ok(response) => format!("{status}; {}", response.first_line().unwrap_or("")),
                    Err(e) if e.status().is_some() => format!("{status}; {e}"),
                    Err(e) => return Err(broken(host, "during the login", &e, false)),
                }
            }
            Ok(_) => return Ok(()),
            Err(e) if e.status().is_some() => e.to_string(),
            Err(e) => return Err(broken(host, "during the login", &e, false)),
        };
        tracing::info!(mechanism = mechanism.name(), server = %server, retried = refused.is_some(), "The SMTP server refused the token.");
        if refused.is_some() {
            return Err(SmtpError::TokenRefused {
                host: host.clone(),
                user: config.username.clone(),
                server,
            });
        }
        refused = Some(server);
    }
}

/// Submits one message. `before_data` runs once the server has accepted the envelope, right
/// before the message is written; an error from it stops the submission (nothing delivered).
/// Returns the server's final answer (e.g. `250 2.0.0 Ok: queued as 4F2A`).
#[tracing::instrument(skip_all, fields(host = %config.host, port = config.port))]
pub async fn submit(
    config: &SmtpConfig,
    message: &Submission<'_>,
    before_data: impl FnOnce() -> Result<(), String>,
) -> Result<String, SmtpError> {
    let host = config.host.clone();
    let from: Address = message.from.parse().map_err(|e| SmtpError::Refused {
        host: host.clone(),
        what: format!("the sender address {:?}", message.from),
        server: format!("not an address ({e})"),
    })?;
    let mut to = Vec::with_capacity(message.to.len());
    for rcpt in message.to {
        to.push(rcpt.parse::<Address>().map_err(|e| SmtpError::Refused {
            host: host.clone(),
            what: format!("the recipient {rcpt:?}"),
            server: format!("not an address ({e})"),
        })?);
    }
    if to.is_empty() {
        return Err(SmtpError::Refused {
            host,
            what: "a message without recipients".into(),
            server: "add at least one To, Cc or Bcc address".into(),
        });
    }

    let (mut conn, written) = connect(config).await?;
    if !config.username.is_empty() {
        match &config.auth {
            Auth::Password(password) => login(config, &mut conn, password).await?,
            Auth::Bearer(source) => bearer(config, &mut conn, source.as_ref()).await?,
        }
    }
    step(
        config,
        "MAIL FROM",
        conn.command(Mail::new(Some(from), vec![])),
    )
    .await?
    .map_err(|e| refusal(&host, format!("the sender {}", message.from), &e))?;
    for (rcpt, address) in message.to.iter().zip(to) {
        step(config, "RCPT TO", conn.command(Rcpt::new(address, vec![])))
            .await?
            .map_err(|e| refusal(&host, format!("the recipient {rcpt}"), &e))?;
    }
    step(config, "DATA", conn.command(Data))
        .await?
        .map_err(|e| refusal(&host, "the message".to_owned(), &e))?;
    if let Err(reason) = before_data() {
        conn.abort().await;
        return Err(SmtpError::Stopped(reason));
    }
    let answer = match step(config, "the message", conn.message(message.raw)).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) if e.status().is_some() => {
            return Err(refusal(&host, "the message".to_owned(), &e));
        }
        Ok(Err(e)) => {
            let uncertain = written.load(Ordering::SeqCst);
            let stage = if uncertain {
                "after the message was sent in full, before the server answered"
            } else {
                "while the message was being sent"
            };
            return Err(broken(&host, stage, &e, uncertain));
        }
        Err(timeout) => {
            // No answer in time: the whole message may or may not have left.
            if written.load(Ordering::SeqCst) {
                return Err(SmtpError::Broken {
                    host,
                    stage: "after the message was sent in full, before the server answered",
                    reason: timeout.to_string(),
                    uncertain: true,
                });
            }
            return Err(timeout);
        }
    };
    let text = format!(
        "{} {}",
        answer.code(),
        answer.message().collect::<Vec<_>>().join(" ")
    );
    // The message is the server's now; a failing QUIT changes nothing.
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.quit()).await;
    Ok(text.trim().to_owned())
}

fn refusal(host: &str, what: String, e: &lettre::transport::smtp::Error) -> SmtpError {
    if e.is_permanent() {
        SmtpError::Refused {
            host: host.to_owned(),
            what,
            server: e.to_string(),
        }
    } else if e.is_transient() {
        SmtpError::Deferred {
            host: host.to_owned(),
            what,
            server: e.to_string(),
        }
    } else {
        broken(host, "before the message was sent", e, false)
    }
}

fn broken(
    host: &str,
    stage: &'static str,
    e: &lettre::transport::smtp::Error,
    uncertain: bool,
) -> SmtpError {
    SmtpError::Broken {
        host: host.to_owned(),
        stage,
        reason: e.to_string(),
        uncertain,
    }
}

async fn step<T>(
    config: &SmtpConfig,
    what: &'static str,
    fut: impl std::future::Future<Output = T>,
) -> Result<T, SmtpError> {
    tokio::time::timeout(STEP_TIMEOUT, fut)
        .await
        .map_err(|_| SmtpError::Timeout {
            host: config.host.clone(),
            port: config.port,
            what,
        })
}

/// Connects, secures and greets; returns the connection and the flag that turns true once the
/// end of a message (`CRLF . CRLF`) has been written and flushed.
async fn connect(config: &SmtpConfig) -> Result<(AsyncSmtpConnection, Arc<AtomicBool>), SmtpError> {
    if config.security == Security::Plain && !is_loopback(&config.host) {
        return Err(SmtpError::PlainNotAllowed {
            host: config.host.clone(),
        });
    }
    let host = config.host.clone();
    let tcp = step(
        config,
        "connect",
        satu_net::dns::connect(&config.host, config.port),
    )
    .await?
    .map_err(|e| SmtpError::Unreachable {
        host: host.clone(),
        port: config.port,
        reason: e.to_string(),
    })?;
    let _ = tcp.set_nodelay(true);
    let peer = tcp.peer_addr().map_err(|e| SmtpError::Unreachable {
        host: host.clone(),
        port: config.port,
        reason: e.to_string(),
    })?;
    let written = Arc::new(AtomicBool::new(false));
    let hello = ClientId::Domain("satu.localhost".into());
    let stream: Box<dyn AsyncTokioStream> = match config.security {
        Security::Plain => Box::new(Watched::new(tcp, peer, written.clone(), None)),
        Security::Tls => {
            let tls = handshake(config, tcp).await?;
            Box::new(Watched::new(tls, peer, written.clone(), None))
        }
        Security::StartTls => {
            let tcp = starttls(config, tcp).await?;
            let tls = handshake(config, tcp).await?;
            // lettre starts by reading a greeting; after STARTTLS there is none (RFC 3207:
            // the client says EHLO again), so it gets one from us.
            let greeting = b"220 STARTTLS done\r\n".to_vec();
            Box::new(Watched::new(tls, peer, written.clone(), Some(greeting)))
        }
    };
    let conn = step(
        config,
        "greeting",
        AsyncSmtpConnection::connect_with_transport(stream, &hello),
    )
    .await?
    .map_err(|e| SmtpError::Broken {
        host,
        stage: "before the message was sent",
        reason: e.to_string(),
        uncertain: false,
    })?;
    Ok((conn, written))
}

/// The plain part of STARTTLS (RFC 3207): greeting, EHLO, STARTTLS, 220. Refuses a server that
/// does not offer it: never falls back to plain text.
async fn starttls(config: &SmtpConfig, tcp: TcpStream) -> Result<TcpStream, SmtpError> {
    let host = config.host.clone();
    let lost = |reason: String| SmtpError::Broken {
        host: host.clone(),
        stage: "before the message was sent",
        reason,
        uncertain: false,
    };
    let mut stream = BufReader::new(tcp);
    let greeting = step(config, "greeting", reply(&mut stream))
        .await?
        .map_err(|e| lost(e.to_string()))?;
    if !greeting.starts_with("220") {
        return Err(lost(format!("the server greeted with {greeting:?}")));
    }
    step(
        config,
        "EHLO",
        stream.get_mut().write_all(b"EHLO satu.localhost\r\n"),
    )
    .await?
    .map_err(|e| lost(e.to_string()))?;
    let ehlo = step(config, "EHLO", reply(&mut stream))
        .await?
        .map_err(|e| lost(e.to_string()))?;
    let offers = ehlo.lines().any(|line| {
        line.get(4..)
            .is_some_and(|ext| ext.trim().eq_ignore_ascii_case("STARTTLS"))
    });
    if !ehlo.starts_with("250") || !offers {
        return Err(SmtpError::Tls {
            host,
            reason: "the server does not offer STARTTLS (use tls on port 465, or ask the provider)"
                .into(),
        });
    }
    step(
        config,
        "STARTTLS",
        stream.get_mut().write_all(b"STARTTLS\r\n"),
    )
    .await?
    .map_err(|e| lost(e.to_string()))?;
    let ready = step(config, "STARTTLS", reply(&mut stream))
        .await?
        .map_err(|e| lost(e.to_string()))?;
    if !ready.starts_with("220") {
        return Err(SmtpError::Tls {
            host,
            reason: format!("the server refused STARTTLS: {}", ready.trim()),
        });
    }
    // Nothing may be buffered past the 220 (a server injecting plain text there is an attack).
    if !stream.buffer().is_empty() {
        return Err(SmtpError::Tls {
            host,
            reason: "the server sent data after agreeing to STARTTLS".into(),
        });
    }
    Ok(stream.into_inner())
}

/// One (possibly multi-line) SMTP reply, lines joined with '\n'.
async fn reply(stream: &mut BufReader<TcpStream>) -> io::Result<String> {
    let mut all = String::new();
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        if all.len() + line.len() > 64 * 1024 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "reply too long"));
        }
        let last = line.as_bytes().get(3) != Some(&b'-');
        all.push_str(line.trim_end());
        all.push('\n');
        if last {
            return Ok(all);
        }
    }
}

async fn handshake(
    config: &SmtpConfig,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, SmtpError> {
    let tls_error = |e: ImapError| match e {
        ImapError::BadCertificate { host, reason } => SmtpError::BadCertificate { host, reason },
        other => SmtpError::Tls {
            host: config.host.clone(),
            reason: other.to_string(),
        },
    };
    let connector = tls::connector(&config.host, config.ca_file.as_deref()).map_err(tls_error)?;
    let name = ServerName::try_from(
        config
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    )
    .map_err(|e| SmtpError::Tls {
        host: config.host.clone(),
        reason: format!("{:?} is not a valid server name: {e}", config.host),
    })?;
    step(config, "TLS handshake", connector.connect(name, tcp))
        .await?
        .map_err(|e| tls_error(tls::classify(&config.host, &e)))
}

/// The end of an SMTP message.
const END_OF_DATA: &[u8; 5] = b"\r\n.\r\n";

/// A stream that notes when the end of a message has been written and flushed, and can start
/// with a greeting of its own.
struct Watched<S> {
    inner: S,
    peer: SocketAddr,
    /// The last bytes written.
    tail: [u8; 5],
    /// Set once `END_OF_DATA` was the last thing written and a flush succeeded.
    written: Arc<AtomicBool>,
    greeting: Option<Vec<u8>>,
}

impl<S> Watched<S> {
    fn new(
        inner: S,
        peer: SocketAddr,
        written: Arc<AtomicBool>,
        greeting: Option<Vec<u8>>,
    ) -> Self {
        Watched {
            inner,
            peer,
            tail: [0; 5],
            written,
            greeting,
        }
    }

    fn note(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.tail.rotate_left(1);
            self.tail[4] = b;
        }
    }
}

impl<S> Debug for Watched<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watched")
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(greeting) = self.greeting.as_mut() {
            let n = greeting.len().min(buf.remaining());
            buf.put_slice(&greeting[..n]);
            greeting.drain(..n);
            if greeting.is_empty() {
                self.greeting = None;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = poll {
            let written = &buf[..n];
            self.note(written);
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        if matches!(poll, Poll::Ready(Ok(()))) && &self.tail == END_OF_DATA {
            self.written.store(true, Ordering::SeqCst);
        }
        poll
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Send + Sync + Unpin> AsyncTokioStream for Watched<S> {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_of_a_message_is_noticed_only_once_written_whole() {
        let flag = Arc::new(AtomicBool::new(false));
        let peer: SocketAddr = "127.0.0.1:25".parse().expect("addr");
        let mut w = Watched::new(tokio::io::sink(), peer, flag.clone(), None);
        w.note(b"DATA\r\n");
        assert_ne!(&w.tail, END_OF_DATA);
        w.note(b"body\r\n..\r\n");
        assert_ne!(&w.tail, END_OF_DATA, "a stuffed dot line is not the end");
        w.note(b"\r\n.");
        w.note(b"\r\n");
        assert_eq!(&w.tail, END_OF_DATA);
    }

    #[test]
    fn failures_say_what_the_server_may_have() {
        let broken = |uncertain| SmtpError::Broken {
            host: "h".into(),
            stage: "x",
            reason: "reset".into(),
            uncertain,
        };
        assert_eq!(broken(true).delivery(), Delivery::Uncertain);
        assert_eq!(broken(false).delivery(), Delivery::NotDelivered);
        let refused = SmtpError::Refused {
            host: "h".into(),
            what: "the recipient x".into(),
            server: "550".into(),
        };
        assert_eq!(refused.delivery(), Delivery::Refused);
    }
}
