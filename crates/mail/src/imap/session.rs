//! Connecting and logging in: implicit TLS, STARTTLS, or plain on loopback only (TLS in
//! [`super::tls`]), then LOGIN with a password or AUTHENTICATE with an OAuth2 token
//! ([`crate::auth`]; SASL-IR when the server offers it), each step within a timeout. Every failure is classified into an
//! [`ImapError`] a person can act on (unreachable, timeout, bad certificate, TLS, wrong password,
//! plain refused, server refusal, connection lost), so callers can branch on it.

use std::fmt::Debug;
use std::path::PathBuf;
use std::time::Duration;

use async_imap::Session;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;

use super::{is_loopback, tls, ImapError};
use crate::auth::{challenge_status, Auth, BearerSource, Mechanism};

/// How long a connect, handshake or login may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Transport security.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Implicit TLS.
    Tls,
    /// STARTTLS upgrade.
    StartTls,
    /// No TLS (loopback only).
    Plain,
}

/// Where and how to log in.
#[derive(Clone)]
pub struct ImapConfig {
    /// Host name or IP address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// Login name.
    pub username: String,
    /// Password or OAuth2 token source (kept out of Debug output).
    pub auth: Auth,
    /// Extra trusted certificate or CA (PEM).
    pub ca_file: Option<PathBuf>,
}

impl Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// The byte stream under an IMAP session: TLS or (loopback) plain TCP.
pub trait ImapStream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> ImapStream for T {}

/// A logged-in IMAP session.
pub struct ImapSession {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// Whether `ENABLE QRESYNC` succeeded.
    pub(crate) qresync: bool,
    pub(crate) session: Session<Box<dyn ImapStream>>,
    capabilities: Vec<String>,
}

impl Debug for ImapSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSession")
            .field("host", &self.host)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

async fn step<T, E>(
    config: &ImapConfig,
    what: &'static str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<Result<T, E>, ImapError> {
    tokio::time::timeout(STEP_TIMEOUT, fut)
        .await
        .map_err(|_| ImapError::Timeout {
            host: config.host.clone(),
            port: config.port,
            what,
        })
}

impl ImapSession {
    /// Connects and secures the connection as configured, without logging in, and says how
    /// long the TLS handshake itself took (`None` on a plain loopback connection): the
    /// diagnostics' step between connecting and logging in.
    pub async fn time_tls_handshake(
        config: &ImapConfig,
    ) -> Result<Option<std::time::Duration>, ImapError> {
        if config.security == Security::Plain {
            return Ok(None);
        }
        let tcp = Self::tcp(config).await?;
        let tcp = match config.security {
            Security::StartTls => Self::starttls(config, tcp).await?,
            _ => tcp,
        };
        let started = std::time::Instant::now();
        let tls = Self::handshake(config, tcp).await?;
        let took = started.elapsed();
        drop(tls);
        Ok(Some(took))
    }

    /// Connects, secures the connection as configured, and logs in.
    #[tracing::instrument(skip_all, fields(host = %config.host, port = config.port))]
    pub async fn connect(config: &ImapConfig) -> Result<ImapSession, ImapError> {
        if config.security == Security::Plain && !is_loopback(&config.host) {
            return Err(ImapError::PlainNotAllowed {
                host: config.host.clone(),
            });
        }
        let host = config.host.clone();
        let tcp = Self::tcp(config).await?;
        let stream: Box<dyn ImapStream> = match config.security {
            Security::Plain => Box::new(tcp),
            Security::Tls => Box::new(Self::handshake(config, tcp).await?),
            Security::StartTls => {
                let tcp = Self::starttls(config, tcp).await?;
                Box::new(Self::handshake(config, tcp).await?)
            }
        };
        let mut client = async_imap::Client::new(stream);
        // The greeting's capabilities choose the OAuth2 mechanism; after STARTTLS they are
        // not asked again (the continuation form below works without them).
        let greeted = if config.security != Security::StartTls {
            Self::greeting(config, &mut client).await?
        } else {
            Vec::new()
        };
        let session = match &config.auth {
            Auth::Password(password) => {
                match step(config, "login", client.login(&config.username, password)).await? {
                    Ok(session) => session,
                    Err((async_imap::error::Error::No(server), _)) => {
                        return Err(ImapError::AuthFailed {
                            host,
                            user: config.username.clone(),
                            server: server.trim().to_owned(),
                        })
                    }
                    Err((error, _)) => return Err(protocol_error(&host, error)),
                }
            }
            Auth::Bearer(source) => Self::bearer(config, client, source.as_ref(), &greeted).await?,
        };
        let mut session = ImapSession {
            host,
            port: config.port,
            qresync: false,
            session,
            capabilities: Vec::new(),
        };
        let caps = step(config, "CAPABILITY", session.session.capabilities())
            .await?
            .map_err(|e| protocol_error(&session.host, e))?;
        session.capabilities = caps
            .iter()
            .map(|c| match c {
                async_imap::types::Capability::Imap4rev1 => "IMAP4rev1".to_owned(),
                async_imap::types::Capability::Auth(a) => format!("AUTH={a}"),
                async_imap::types::Capability::Atom(a) => a.to_string(),
            })
            .collect();
        tracing::info!(capabilities = ?session.capabilities, "Logged in to the IMAP server.");
        Ok(session)
    }

    /// The TCP connection to the server.
    async fn tcp(config: &ImapConfig) -> Result<TcpStream, ImapError> {
        let tcp = step(
            config,
            "connect",
            satu_net::dns::connect(&config.host, config.port),
        )
        .await?
        .map_err(|e| ImapError::Unreachable {
            host: config.host.clone(),
            port: config.port,
            reason: e.to_string(),
        })?;
        let _ = tcp.set_nodelay(true);
        Ok(tcp)
    }

    /// The greeting and STARTTLS on a plain connection: the connection, ready for the
    /// handshake.
    async fn starttls(config: &ImapConfig, tcp: TcpStream) -> Result<TcpStream, ImapError> {
        let mut client = async_imap::Client::new(tcp);
        Self::greeting(config, &mut client).await?;
        step(
            config,
            "STARTTLS",
            client.run_command_and_check_ok("STARTTLS", None),
        )
        .await?
        .map_err(|e| ImapError::Server {
            host: config.host.clone(),
            detail: format!("STARTTLS failed: {e}"),
        })?;
        Ok(client.into_inner())
    }

    async fn handshake(
        config: &ImapConfig,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
        let connector = tls::connector(&config.host, config.ca_file.as_deref())?;
        let name = ServerName::try_from(
            config
                .host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
        )
        .map_err(|e| ImapError::Tls {
            host: config.host.clone(),
            reason: format!("{:?} is not a valid server name: {e}", config.host),
        })?;
        step(config, "TLS handshake", connector.connect(name, tcp))
            .await?
            .map_err(|e| tls::classify(&config.host, &e))
    }

    /// AUTHENTICATE with an OAuth2 token: OAUTHBEARER when offered, else XOAUTH2; the token in
    /// the command when the server takes SASL-IR. A refused token is replaced once by a fresh
    /// one (the source refreshes it) on the same connection; a second refusal is the answer.
    async fn bearer<T: ImapStream>(
        config: &ImapConfig,
        mut client: async_imap::Client<T>,
        source: &dyn BearerSource,
        greeted: &[String],
    ) -> Result<Session<T>, ImapError> {
        use base64::Engine as _;
        let mechanism = Mechanism::choose(greeted.iter().filter_map(|c| {
            c.get(..5)
                .filter(|p| p.eq_ignore_ascii_case("AUTH="))
                .map(|_| &c[5..])
        }));
        let initial_in_command = greeted.iter().any(|c| c.eq_ignore_ascii_case("SASL-IR"));
        // What the server said when it refused the last token, and that token.
        let mut refused: Option<String> = None;
        let mut last: Option<String> = None;
        loop {
            let asked = if refused.is_some() { last.take() } else { None };
            let token = match source.token(asked).await {
                Ok(token) => token,
                // No other token to try: the refusal is the answer.
                Err(e) if !e.sign_in_again && refused.is_some() => {
                    return Err(ImapError::TokenRefused {
                        host: config.host.clone(),
                        user: config.username.clone(),
                        server: format!("{}; {}", refused.unwrap_or_default(), e.message),
                    })
                }
                Err(e) => {
                    return Err(ImapError::Token {
                        user: config.username.clone(),
                        reason: e.message,
                        sign_in_again: e.sign_in_again,
                    })
                }
            };
            let initial =
                mechanism.initial_response(&config.username, &token, &config.host, config.port);
            last = Some(token);
            let command = if initial_in_command {
                format!(
                    "{} {}",
                    mechanism.name(),
                    base64::engine::general_purpose::STANDARD.encode(&initial)
                )
            } else {
                mechanism.name().to_owned()
            };
            let status = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
            let exchange = Exchange {
                mechanism,
                initial: (!initial_in_command).then_some(initial),
                status: status.clone(),
            };
            match step(config, "login", client.authenticate(command, exchange)).await? {
                Ok(session) => return Ok(session),
                Err((async_imap::error::Error::No(server), back)) => {
                    let said = status.lock().map(|s| s.clone()).unwrap_or_default();
                    tracing::info!(mechanism = mechanism.name(), status = %said, retried = refused.is_some(), "The IMAP server refused the token.");
                    let server = if said.is_empty() {
                        server.trim().to_owned()
                    } else {
                        format!("{said}; {}", server.trim())
                    };
                    if refused.is_some() {
                        return Err(ImapError::TokenRefused {
                            host: config.host.clone(),
                            user: config.username.clone(),
                            server,
                        });
                    }
                    refused = Some(server);
                    client = back;
                }
                Err((error, _)) => return Err(protocol_error(&config.host, error)),
            }
        }
    }

    /// Reads the greeting; returns the capabilities it names (`[CAPABILITY …]`), if any.
    async fn greeting<T: ImapStream>(
        config: &ImapConfig,
        client: &mut async_imap::Client<T>,
    ) -> Result<Vec<String>, ImapError> {
        use async_imap::imap_proto::{Capability, Response, ResponseCode, Status};
        let greeting = step(config, "greeting", client.read_response()).await?;
        match greeting {
            Ok(Some(response)) => match response.parsed() {
                Response::Data {
                    status: Status::Bye,
                    ..
                } => Err(ImapError::Server {
                    host: config.host.clone(),
                    detail: "the server said BYE instead of a greeting".into(),
                }),
                Response::Data { outcome, .. } => match &outcome.code {
                    Some(ResponseCode::Capabilities(caps)) => Ok(caps
                        .iter()
                        .map(|c| match c {
                            Capability::Imap4rev1 => "IMAP4rev1".to_owned(),
                            Capability::Auth(a) => format!("AUTH={a}"),
                            Capability::Atom(a) => a.to_string(),
                        })
                        .collect()),
                    _ => Ok(Vec::new()),
                },
                _ => Ok(Vec::new()),
            },
            Ok(None) => Err(ImapError::ConnectionLost {
                host: config.host.clone(),
                reason: "closed before the greeting".into(),
            }),
            Err(e) => Err(ImapError::ConnectionLost {
                host: config.host.clone(),
                reason: e.to_string(),
            }),
        }
    }

    /// The server's capabilities after login (e.g. `IDLE`, `CONDSTORE`, `QRESYNC`).
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// Whether the server announced `capability`.
    pub fn has(&self, capability: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(capability))
    }

    /// Logs out politely; a failure here is only logged.
    pub async fn logout(mut self) {
        match tokio::time::timeout(STEP_TIMEOUT, self.session.logout()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::debug!(error = %e, "Logout failed."),
            Err(_) => tracing::debug!("Logout timed out."),
        }
    }
}

/// One AUTHENTICATE exchange's client side: the initial response when it was not in the
/// command, then the dummy answer to an error challenge (whose status is kept).
struct Exchange {
    mechanism: Mechanism,
    initial: Option<Vec<u8>>,
    status: std::sync::Arc<std::sync::Mutex<String>>,
}

impl async_imap::Authenticator for Exchange {
    type Response = Vec<u8>;

    fn process(&mut self, challenge: &[u8]) -> Vec<u8> {
        if let Some(initial) = self.initial.take() {
            return initial;
        }
        if let Ok(mut status) = self.status.lock() {
            *status = challenge_status(challenge);
        }
        self.mechanism.after_error().to_vec()
    }
}

pub(crate) fn protocol_error(host: &str, error: async_imap::error::Error) -> ImapError {
    use async_imap::error::Error;
    match error {
        Error::Io(e) => ImapError::ConnectionLost {
            host: host.to_owned(),
            reason: e.to_string(),
        },
        Error::ConnectionLost => ImapError::ConnectionLost {
            host: host.to_owned(),
            reason: "the server closed the connection".into(),
        },
        other => ImapError::Server {
            host: host.to_owned(),
            detail: other.to_string(),
        },
    }
}
