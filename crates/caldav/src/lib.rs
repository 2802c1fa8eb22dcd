//! # CalDAV for Satu
//!
//! A thin client over `reqwest` for what Satu needs of a CalDAV server (RFC 4791): discovery
//! (RFC 6764 `/.well-known/caldav`, `current-user-principal`, `calendar-home-set`), the calendars
//! and task lists of a home, incremental sync with `sync-collection` (RFC 6578) or an etag
//! listing, `calendar-multiget`, and writes that never overwrite blindly: every PUT carries
//! `If-None-Match: *` (create) or `If-Match: ETAG` (change), every DELETE `If-Match`, and a 412 is
//! [`CaldavError::Conflict`]. Certificates are validated (platform roots plus an optional CA per
//! account); plain HTTP only to loopback. No knowledge of the store: plain data in, plain out.
//!
//! - [`Client::discover`]: `/.well-known/caldav`, else the URL itself → principal → home.
//! - [`Client::calendars`]: a Depth 1 PROPFIND of the home (resourcetype, displayname,
//!   supported-calendar-component-set, calendar-color).
//! - [`Client::sync_collection`]: a forgotten token is [`CaldavError::SyncTokenInvalid`], whether
//!   the server says so as RFC 6578 asks (403 valid-sync-token) or with a 5xx to a token, as
//!   Xandikos does. `with_data` asks for `calendar-data` too; what came with its data is in
//!   [`SyncChanges::fetched`], the rest in [`SyncChanges::changed`].
//! - [`Client::listing`] (the ctag and every href with its etag) and [`diff_listing`] (it and the
//!   store's etags as the same changes): the sync of servers without sync-collection.
//! - [`Client::multiget`], [`Client::put`], [`Client::delete`]: a 412, or a 207 holding one (as
//!   Xandikos refuses a PUT), is a conflict.
//!
//! Redirects are followed here by hand, so that PROPFIND and REPORT stay what they are; `xml.rs`
//! reads multistatus bodies. Why a thin client rather than a CalDAV framework: four request shapes
//! cover Satu's needs, and `reqwest` was the one new dependency (the iCalendar side is the
//! `icalendar` crate, in the core).

mod xml;

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use satu_net::auth::Auth;
use satu_net::is_loopback;
use url::Url;

pub use xml::{Calendar, Resource};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer read: a whole calendar of 100 000 events in one sync answer is about
/// 170 MiB.
const MAX_ANSWER_BYTES: usize = 512 << 20;
/// Redirects followed (discovery goes through one or two).
const MAX_REDIRECTS: usize = 5;
/// The longest a streamed answer may take in all (each chunk within [`TIMEOUT`] of the one
/// before): storing 100 000 events while they arrive takes minutes, not hours.
const STREAM_LIMIT: Duration = Duration::from_secs(3600);
/// How long a sync-collection may take to start answering: servers build the answer first, and
/// an initial one over 100 000 events keeps Radicale busy for minutes (96 s for the etags
/// alone, measured in tests/bench/caldav.sh).
const FIRST_BYTE_LIMIT: Duration = Duration::from_secs(600);

/// Why a CalDAV call failed. Callers branch on the kind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaldavError {
    /// The URL is not usable.
    #[error("{url:?} is not a CalDAV URL: {reason}")]
    BadUrl {
        /// What was given.
        url: String,
        /// Why.
        reason: String,
    },
    /// Plain HTTP to a host that is not loopback.
    #[error("Refusing plain http:// to {host}: only loopback addresses may be reached without TLS (use https://)")]
    PlainNotAllowed {
        /// Host.
        host: String,
    },
    /// No connection (refused, DNS, TLS) or no answer in time.
    #[error("Cannot reach the CalDAV server {url}: {reason}")]
    Unreachable {
        /// URL.
        url: String,
        /// What happened.
        reason: String,
    },
    /// The certificate is not trusted or does not match.
    #[error("The certificate of {url} is not valid: {reason}. If this server uses a self-signed certificate, trust it with --ca-file")]
    BadCertificate {
        /// URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server sent Satu to another server (a redirect or an href on another host): the
    /// password goes only to the server the user gave.
    #[error("The CalDAV server {from} sends Satu to {to}, another server; Satu sends the password only to the server you gave. If you trust {to}, add the account with that URL")]
    OtherHost {
        /// The origin the account is for.
        from: String,
        /// Where the server pointed.
        to: String,
    },
    /// The server asks for a way to log in that Satu does not speak (not Basic).
    #[error("The CalDAV server {url} asks for a login Satu does not support ({scheme})")]
    AuthUnsupported {
        /// URL.
        url: String,
        /// What the server asked for (`WWW-Authenticate`).
        scheme: String,
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
    /// Wrong user name or password (401).
    #[error("The CalDAV server {url} rejected the login for {user}: wrong user name or password")]
    AuthFailed {
        /// URL.
        url: String,
        /// Login name.
        user: String,
    },
    /// The server has a newer version (412 Precondition Failed): someone else changed it.
    #[error("{href} was changed on the server by someone else (412)")]
    Conflict {
        /// The resource.
        href: String,
    },
    /// The server forgot the sync-token (RFC 6578 valid-sync-token): sync from scratch.
    #[error("The server no longer knows the sync token of {href}")]
    SyncTokenInvalid {
        /// The collection.
        href: String,
    },
    /// Not found (404), e.g. a deleted calendar.
    #[error("{href} does not exist on the server")]
    NotFound {
        /// The resource.
        href: String,
    },
    /// Discovery found no calendar home there.
    #[error("{url} does not look like a CalDAV server: {reason}")]
    NotCaldav {
        /// URL.
        url: String,
        /// What was missing.
        reason: String,
    },
    /// Any other answer.
    #[error("The CalDAV server answered {status} to {method} {href}: {body}")]
    Server {
        /// Method.
        method: String,
        /// The resource.
        href: String,
        /// Status.
        status: u16,
        /// Start of the body.
        body: String,
    },
    /// A body that is not the XML it should be.
    #[error("The CalDAV server sent a response Satu cannot read ({href}): {reason}")]
    BadResponse {
        /// The resource.
        href: String,
        /// What is wrong.
        reason: String,
    },
}

/// Where and how to log in.
#[derive(Clone)]
pub struct CaldavConfig {
    /// The URL the user gave (a server, a principal or a home).
    pub url: String,
    /// Login name.
    pub username: String,
    /// Password, or an OAuth2 token source (`Authorization: Bearer`); kept out of Debug output.
    pub auth: Auth,
    /// Extra trusted certificate or CA (PEM).
    pub ca_file: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for CaldavConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaldavConfig")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// What discovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The principal (absolute path).
    pub principal: String,
    /// The calendar home (absolute path).
    pub home: String,
}

/// What a `sync-collection` report says changed since the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncChanges {
    /// The new token.
    pub token: String,
    /// Resources added or changed whose data the answer did not carry: (href, etag). Fetch
    /// them with [`Client::multiget`].
    pub changed: Vec<(String, String)>,
    /// Resources added or changed, with their data (a sync-collection that asked for
    /// `calendar-data`): (href, etag, iCalendar text).
    pub fetched: Vec<(String, String, String)>,
    /// Resources removed.
    pub removed: Vec<String>,
}

/// A sync-collection answer being read: its parts as they arrive ([`SyncStream::next`]), then
/// the new token ([`SyncStream::token`]). The body is read by a task and parsed on a blocking
/// thread, each bounded by a small queue, so what is held at once is a part or two however
/// large the answer; dropping the stream stops both.
pub struct SyncStream {
    parts: tokio::sync::mpsc::Receiver<Streamed>,
    token: Option<String>,
    href: String,
    reader: Option<tokio::task::JoinHandle<()>>,
}

/// What the parsing thread hands on.
enum Streamed {
    Part(SyncChanges),
    End(String),
    Failed(CaldavError),
}

impl SyncStream {
    /// Changes known whole already (an etag listing compared with the store's) as a stream of
    /// one part.
    pub fn whole(changes: SyncChanges) -> SyncStream {
        let (send, parts) = tokio::sync::mpsc::channel(2);
        let token = changes.token.clone();
        // Room for both: a new channel of two cannot be full.
        let _ = send.try_send(Streamed::Part(changes));
        let _ = send.try_send(Streamed::End(token));
        SyncStream {
            parts,
            token: None,
            href: String::new(),
            reader: None,
        }
    }

    fn read(
        url: Url,
        collection: &str,
        mut response: reqwest::Response,
        parts: (usize, usize),
    ) -> Self {
        let (chunks_in, chunks) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, String>>(16);
        // The body, chunk by chunk, each within the client's time limit.
        let reader = tokio::spawn(async move {
            loop {
                let next = match tokio::time::timeout(TIMEOUT, response.chunk()).await {
                    Err(_) => Err(format!("nothing came for {} s", TIMEOUT.as_secs())),
                    Ok(Err(e)) => Err(match satu_net::transport(&e) {
                        satu_net::Transport::Certificate(reason)
                        | satu_net::Transport::Unreachable(reason) => reason,
                    }),
                    Ok(Ok(None)) => break,
                    Ok(Ok(Some(chunk))) => Ok(chunk),
                };
                let failed = next.is_err();
                if chunks_in.send(next).await.is_err() || failed {
                    break;
                }
            }
        });
        SyncStream {
            parts: parse_in_background(chunks, collection, url.as_str(), parts),
            token: None,
            href: url.to_string(),
            reader: Some(reader),
        }
    }

    /// The next part of the changes (its `token` empty), or `None` once the answer is read
    /// whole and its token is known.
    pub async fn next(&mut self) -> Result<Option<SyncChanges>, CaldavError> {
        if self.token.is_some() {
            return Ok(None);
        }
        match self.parts.recv().await {
            Some(Streamed::Part(part)) => Ok(Some(part)),
            Some(Streamed::End(token)) => {
                self.token = Some(token);
                Ok(None)
            }
            Some(Streamed::Failed(e)) => Err(e),
            None => Err(CaldavError::BadResponse {
                href: self.href.clone(),
                reason: "the answer stopped before its end".into(),
            }),
        }
    }

    /// The new token, once [`SyncStream::next`] said the answer is read whole.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The whole answer at once (for small answers and tests).
    pub async fn collect(mut self) -> Result<SyncChanges, CaldavError> {
        let mut all = SyncChanges::default();
        while let Some(part) = self.next().await? {
            all.changed.extend(part.changed);
            all.fetched.extend(part.fetched);
            all.removed.extend(part.removed);
        }
        all.token = self.token.take().unwrap_or_default();
        Ok(all)
    }
}

impl Drop for SyncStream {
    fn drop(&mut self) {
        if let Some(reader) = &self.reader {
            reader.abort();
        }
    }
}

impl std::fmt::Debug for SyncStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncStream")
            .field("href", &self.href)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Parses a sync-collection answer arriving in `chunks` on a blocking thread; its parts (the
/// first of up to `parts.0` resources, the others of up to `parts.1`), then its end, come out of the returned queue (one part ahead: the
/// thread waits while the part before is stored, and stops when the queue is dropped).
fn parse_in_background(
    chunks: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, String>>,
    collection: &str,
    href: &str,
    parts: (usize, usize),
) -> tokio::sync::mpsc::Receiver<Streamed> {
    let (parts_in, out) = tokio::sync::mpsc::channel(1);
    let mut part = parts.0.max(1);
    let collection_href = collection.to_owned();
    let href = href.to_owned();
    tokio::task::spawn_blocking(move || {
        let input = std::io::BufReader::with_capacity(
            64 << 10,
            ChunkReader {
                chunks,
                chunk: bytes::Bytes::new(),
            },
        );
        let mut changes = SyncChanges::default();
        let read = xml::read_multistatus(input, |r| {
            xml::sort_change(r, &collection_href, &mut changes);
            let held = changes.changed.len() + changes.fetched.len() + changes.removed.len();
            if held >= part {
                parts_in
                    .blocking_send(Streamed::Part(std::mem::take(&mut changes)))
                    .map_err(|_| "stopped".to_owned())?;
                part = parts.1.max(1);
            }
            Ok(())
        });
        let last = match read {
            Ok(Some(token)) => vec![Streamed::Part(changes), Streamed::End(token)],
            Ok(None) => vec![Streamed::Failed(CaldavError::BadResponse {
                href,
                reason: "no sync-token in the answer".into(),
            })],
            Err(reason) => vec![Streamed::Failed(CaldavError::BadResponse { href, reason })],
        };
        for message in last {
            if parts_in.blocking_send(message).is_err() {
                break;
            }
        }
    });
    out
}

/// The body's chunks as a `Read` for the parsing thread (which blocks on the queue).
struct ChunkReader {
    chunks: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, String>>,
    chunk: bytes::Bytes,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.chunks.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => self.chunk = chunk,
                Some(Err(reason)) => return Err(std::io::Error::other(reason)),
            }
        }
        let n = out.len().min(self.chunk.len());
        out[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

/// A whole answer's text, within [`MAX_ANSWER_BYTES`].
async fn read_text(url: &Url, response: reqwest::Response) -> Result<String, CaldavError> {
    match satu_net::text_within(response, MAX_ANSWER_BYTES).await {
        Ok(text) => Ok(text),
        Err(satu_net::BodyError::Transport(e)) => Err(transport_error(url.as_str(), &e)),
        Err(satu_net::BodyError::TooLarge(limit)) => Err(CaldavError::BadResponse {
            href: url.to_string(),
            reason: format!("the answer is larger than {} MiB", limit >> 20),
        }),
    }
}

/// The precondition of a PUT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition<'a> {
    /// Create: fails if it exists (`If-None-Match: *`).
    Create,
    /// Change this version only (`If-Match`).
    Match(&'a str),
}

/// A logged-in CalDAV client for one account.
///
/// The password (or the OAuth2 token) goes only to the origin (scheme, host, port) of the
/// account's URL, and only once that server has asked for it (a `401` with a Basic, or Bearer,
/// challenge); from then on this client sends it with every request to that origin. A redirect or
/// href to another origin is an error ([`CaldavError::OtherHost`]), never followed with it. A
/// refused token is replaced once by a fresh one (the source refreshes it).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    username: String,
    auth: Auth,
    /// The server asked for the password (so it goes with every request from now on).
    challenged: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn load_ca(path: &Path, url: &str) -> Result<Vec<reqwest::Certificate>, CaldavError> {
    satu_net::load_ca(path).map_err(|reason| CaldavError::BadCertificate {
        url: url.to_owned(),
        reason,
    })
}

impl Client {
    /// A client for `config.url`. Nothing is sent yet.
    pub fn new(config: &CaldavConfig) -> Result<Client, CaldavError> {
        let mut base = Url::parse(config.url.trim()).map_err(|e| CaldavError::BadUrl {
            url: config.url.clone(),
            reason: e.to_string(),
        })?;
        match base.scheme() {
            "https" => {}
            "http" => {
                let host = base.host_str().unwrap_or_default().to_owned();
                if !is_loopback(&host) {
                    return Err(CaldavError::PlainNotAllowed { host });
                }
            }
            other => {
                return Err(CaldavError::BadUrl {
                    url: config.url.clone(),
                    reason: format!("use https:// (not {other}://)"),
                })
            }
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut builder = reqwest::Client::builder()
            // Names resolve as the mail servers' do (SATU_DNS_SERVER).
            .dns_resolver(satu_net::dns::for_http())
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Satu/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &config.ca_file {
            for cert in load_ca(ca, &config.url)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| CaldavError::Unreachable {
            url: config.url.clone(),
            reason: e.to_string(),
        })?;
        Ok(Client {
            http,
            base,
            username: config.username.clone(),
            auth: config.auth.clone(),
            challenged: std::sync::Arc::default(),
        })
    }

    /// `url` when it is on the account's origin; else the error that says where it pointed.
    fn same_origin(&self, url: Url) -> Result<Url, CaldavError> {
        if url.origin() == self.base.origin() {
            Ok(url)
        } else {
            Err(CaldavError::OtherHost {
                from: self.base.origin().ascii_serialization(),
                to: url.origin().ascii_serialization(),
            })
        }
    }

    /// The absolute URL of `href` (a path, or a full URL on the same server).
    fn url(&self, href: &str) -> Result<Url, CaldavError> {
        self.base.join(href).map_err(|e| CaldavError::BadUrl {
            url: href.to_owned(),
            reason: e.to_string(),
        })
    }

    /// One request, following redirects with the same method (PROPFIND and REPORT must stay
    /// what they are). Returns the final URL, status, headers and body.
    async fn request(
        &self,
        method: &str,
        href: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<(Url, StatusCode, reqwest::header::HeaderMap, String), CaldavError> {
        let (url, response) = self.send(method, href, headers, body, None).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = read_text(&url, response).await?;
        Ok((url, status, headers, text))
    }

    /// One request, following redirects and answering the server's challenge, up to the final
    /// response's headers (its body not read yet). `limit` replaces the client's time limit for
    /// the whole exchange (a streamed answer is limited per chunk by its reader instead, and
    /// waited for up to [`FIRST_BYTE_LIMIT`]).
    async fn send(
        &self,
        method: &str,
        href: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
        limit: Option<Duration>,
    ) -> Result<(Url, reqwest::Response), CaldavError> {
        let method_value =
            Method::from_bytes(method.as_bytes()).map_err(|e| CaldavError::BadUrl {
                url: href.to_owned(),
                reason: e.to_string(),
            })?;
        use std::sync::atomic::Ordering;
        let mut url = self.same_origin(self.url(href)?)?;
        let mut redirects = 0;
        // The token the server refused (once: it is renewed, and a second refusal is the answer).
        let mut refused: Option<String> = None;
        let mut last: Option<String> = None;
        loop {
            let with_password = self.challenged.load(Ordering::Relaxed);
            let mut request = self.http.request(method_value.clone(), url.clone());
            if with_password {
                request = match &self.auth {
                    Auth::Password(password) => request.basic_auth(&self.username, Some(password)),
                    Auth::Bearer(source) => {
                        let token = source.token(refused.clone()).await.map_err(|e| {
                            CaldavError::Token {
                                user: self.username.clone(),
                                reason: e.message,
                                sign_in_again: e.sign_in_again,
                            }
                        })?;
                        last = Some(token.clone());
                        request.bearer_auth(token)
                    }
                };
            }
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let response = match limit {
                None => request.send().await,
                Some(limit) => {
                    let sent =
                        tokio::time::timeout(FIRST_BYTE_LIMIT, request.timeout(limit).send());
                    sent.await.map_err(|_| CaldavError::Unreachable {
                        url: url.to_string(),
                        reason: format!("no answer within {} s", FIRST_BYTE_LIMIT.as_secs()),
                    })?
                }
            }
            .map_err(|e| transport_error(url.as_str(), &e))?;
            let status = response.status();
            if status.is_redirection() {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(CaldavError::BadResponse {
                        href: href.to_owned(),
                        reason: format!("more than {MAX_REDIRECTS} redirects"),
                    });
                }
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| CaldavError::BadResponse {
                        href: url.to_string(),
                        reason: format!("a {status} redirect without Location"),
                    })?;
                let next = url.join(location).map_err(|e| CaldavError::BadResponse {
                    href: url.to_string(),
                    reason: format!("a redirect to {location:?}: {e}"),
                })?;
                if next.scheme() == "http" && !is_loopback(next.host_str().unwrap_or_default()) {
                    return Err(CaldavError::PlainNotAllowed {
                        host: next.host_str().unwrap_or_default().to_owned(),
                    });
                }
                url = self.same_origin(next)?;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED {
                let challenge = response
                    .headers()
                    .get_all(reqwest::header::WWW_AUTHENTICATE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect::<Vec<_>>()
                    .join(", ");
                let bearer = matches!(self.auth, Auth::Bearer(_));
                if with_password {
                    if bearer && refused.is_none() {
                        refused = last.take().or(Some(String::new()));
                        continue;
                    }
                    return Err(CaldavError::AuthFailed {
                        url: self.base.to_string(),
                        user: self.username.clone(),
                    });
                }
                let wanted = if bearer { "bearer" } else { "basic" };
                if !challenge.to_ascii_lowercase().contains(wanted) {
                    return Err(CaldavError::AuthUnsupported {
                        url: self.base.to_string(),
                        scheme: challenge,
                    });
                }
                // Asked for it, by the account's own server: again, with the password.
                self.challenged.store(true, Ordering::Relaxed);
                continue;
            }
            return Ok((url, response));
        }
    }

    async fn propfind(
        &self,
        href: &str,
        depth: &str,
        body: &str,
    ) -> Result<(Url, Vec<Resource>), CaldavError> {
        let (url, status, _, text) = self
            .request(
                "PROPFIND",
                href,
                &[
                    ("Depth", depth),
                    ("Content-Type", "application/xml; charset=utf-8"),
                ],
                Some(body.to_owned()),
            )
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Err(CaldavError::NotFound {
                href: href.to_owned(),
            });
        }
        if status.as_u16() != 207 {
            return Err(server_error("PROPFIND", href, status, &text));
        }
        let resources = xml::multistatus(&text).map_err(|reason| CaldavError::BadResponse {
            href: href.to_owned(),
            reason,
        })?;
        Ok((url, resources))
    }

    /// Finds the principal and calendar home: `/.well-known/caldav` first (RFC 6764), else the
    /// URL itself.
    pub async fn discover(&self) -> Result<Discovery, CaldavError> {
        const PRINCIPAL: &str = r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:current-user-principal/><c:calendar-home-set/></d:prop></d:propfind>"#;
        let mut principal = None;
        let mut found_at = self.base.clone();
        for start in ["/.well-known/caldav", self.base.path()] {
            match self.propfind(start, "0", PRINCIPAL).await {
                Ok((url, resources)) => {
                    if let Some(p) = resources.iter().find_map(|r| r.principal.clone()) {
                        principal = Some(p);
                        found_at = url;
                        break;
                    }
                    if let Some(home) = resources.iter().find_map(|r| r.home.clone()) {
                        // The URL is a principal already.
                        return Ok(Discovery {
                            principal: url.path().to_owned(),
                            home,
                        });
                    }
                }
                Err(CaldavError::NotFound { .. } | CaldavError::Server { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let principal = principal.ok_or_else(|| CaldavError::NotCaldav {
            url: self.base.to_string(),
            reason: "no current-user-principal (not at /.well-known/caldav, not at the URL)".into(),
        })?;
        let principal = found_at
            .join(&principal)
            .map(|u| u.path().to_owned())
            .unwrap_or(principal);
        let (_, resources) = self.propfind(&principal, "0", PRINCIPAL).await?;
        let home = resources
            .iter()
            .find_map(|r| r.home.clone())
            .ok_or_else(|| CaldavError::NotCaldav {
                url: self.base.to_string(),
                reason: format!("the principal {principal} has no calendar-home-set"),
            })?;
        Ok(Discovery { principal, home })
    }

    /// The calendars and task lists in `home`, with their components (not their cursors:
    /// some servers compute those over every item, and the sync keeps its own).
    pub async fn calendars(&self, home: &str) -> Result<Vec<Calendar>, CaldavError> {
        const LIST: &str = r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:ic="http://apple.com/ns/ical/"><d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><ic:calendar-color/></d:prop></d:propfind>"#;
        let (_, resources) = self.propfind(home, "1", LIST).await?;
        Ok(resources
            .into_iter()
            .filter_map(Resource::into_calendar)
            .collect())
    }

    /// What changed in the collection `href` since `token` (`None`: everything, the initial
    /// sync), read as it arrives: [`SyncStream::next`] gives it in parts, the first of up to
    /// `parts.0` resources (soon stored), the others of up to `parts.1`, so that an answer of
    /// 100 000 events is never held whole. With `with_data` the
    /// report asks for each resource's `calendar-data` too (RFC 6578 lets a sync-collection ask
    /// for any property): the token and the data in one answer, in [`SyncChanges::fetched`];
    /// what comes without its data is in [`SyncChanges::changed`]. Refusals (a forgotten token,
    /// a missing collection, any status but 207) come here, before any part.
    pub async fn sync_collection(
        &self,
        href: &str,
        token: Option<&str>,
        with_data: bool,
        parts: (usize, usize),
    ) -> Result<SyncStream, CaldavError> {
        let token = token.unwrap_or_default();
        let data = if with_data {
            r#"<c:calendar-data xmlns:c="urn:ietf:params:xml:ns:caldav"/>"#
        } else {
            ""
        };
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/>{data}</d:prop></d:sync-collection>"#,
            xml::escape(token)
        );
        let (url, response) = self
            .send(
                "REPORT",
                href,
                &[
                    ("Depth", "1"),
                    ("Content-Type", "application/xml; charset=utf-8"),
                ],
                Some(body),
                Some(STREAM_LIMIT),
            )
            .await?;
        let status = response.status();
        if status.as_u16() == 207 {
            return Ok(SyncStream::read(url, href, response, parts));
        }
        let text = read_text(&url, response).await?;
        // RFC 6578 says 403 with valid-sync-token; some servers (Xandikos) answer a token they
        // do not know with a 5xx instead.
        let forgotten = (status == StatusCode::FORBIDDEN || status == StatusCode::CONFLICT)
            && text.contains("valid-sync-token")
            || (!token.is_empty() && status.is_server_error());
        if forgotten {
            return Err(CaldavError::SyncTokenInvalid {
                href: href.to_owned(),
            });
        }
        if status == StatusCode::NOT_FOUND {
            return Err(CaldavError::NotFound {
                href: href.to_owned(),
            });
        }
        Err(server_error("REPORT", href, status, &text))
    }

    /// The collection's ctag and every resource in it with its etag: the sync of servers
    /// without sync-collection (compare with [`diff_listing`]).
    pub async fn listing(
        &self,
        href: &str,
    ) -> Result<(String, Vec<(String, String)>), CaldavError> {
        const BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:getetag/><d:resourcetype/></d:prop></d:propfind>"#;
        let (_, resources) = self.propfind(href, "1", BODY).await?;
        let own = href.trim_end_matches('/');
        let mut ctag = String::new();
        let mut items = Vec::new();
        for r in resources {
            if r.href.trim_end_matches('/') == own {
                ctag = r.ctag.unwrap_or_default();
            } else if !r.href.ends_with('/') {
                if let Some(etag) = r.etag {
                    items.push((r.href, etag));
                }
            }
        }
        Ok((ctag, items))
    }

    /// The iCalendar text and etag of resources of the collection `href`.
    pub async fn multiget(
        &self,
        href: &str,
        hrefs: &[String],
    ) -> Result<Vec<(String, String, String)>, CaldavError> {
        if hrefs.is_empty() {
            return Ok(Vec::new());
        }
        let mut body = String::from(
            r#"<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>"#,
        );
        for h in hrefs {
            body.push_str(&format!("<d:href>{}</d:href>", xml::escape(h)));
        }
        body.push_str("</c:calendar-multiget>");
        let (_, status, _, text) = self
            .request(
                "REPORT",
                href,
                &[
                    ("Depth", "1"),
                    ("Content-Type", "application/xml; charset=utf-8"),
                ],
                Some(body),
            )
            .await?;
        if status.as_u16() != 207 {
            return Err(server_error("REPORT", href, status, &text));
        }
        let resources = xml::multistatus(&text).map_err(|reason| CaldavError::BadResponse {
            href: href.to_owned(),
            reason,
        })?;
        Ok(resources
            .into_iter()
            .filter_map(|r| Some((r.href, r.etag?, r.data?)))
            .collect())
    }

    /// Writes `ics` at `href` under `precondition`; returns the new etag when the server says
    /// it. A 412 is [`CaldavError::Conflict`].
    pub async fn put(
        &self,
        href: &str,
        ics: &str,
        precondition: Precondition<'_>,
    ) -> Result<Option<String>, CaldavError> {
        let condition = match precondition {
            Precondition::Create => ("If-None-Match", "*"),
            Precondition::Match(etag) => ("If-Match", etag),
        };
        let (_, status, headers, text) = self
            .request(
                "PUT",
                href,
                &[condition, ("Content-Type", "text/calendar; charset=utf-8")],
                Some(ics.to_owned()),
            )
            .await?;
        match status.as_u16() {
            // Some servers (Xandikos) refuse a PUT inside a 207: a precondition that failed
            // there is a conflict like a plain 412.
            207 if text.contains(" 412 ") => Err(CaldavError::Conflict {
                href: href.to_owned(),
            }),
            207 => Err(server_error("PUT", href, status, &text)),
            200..=299 => Ok(headers
                .get(reqwest::header::ETAG)
                .and_then(|e| e.to_str().ok())
                .map(str::to_owned)),
            412 => Err(CaldavError::Conflict {
                href: href.to_owned(),
            }),
            404 => Err(CaldavError::NotFound {
                href: href.to_owned(),
            }),
            _ => Err(server_error("PUT", href, status, &text)),
        }
    }

    /// Deletes `href` if it is still at `etag`. Gone already counts as done.
    pub async fn delete(&self, href: &str, etag: &str) -> Result<(), CaldavError> {
        let (_, status, _, text) = self
            .request("DELETE", href, &[("If-Match", etag)], None)
            .await?;
        match status.as_u16() {
            200..=299 | 404 => Ok(()),
            412 => Err(CaldavError::Conflict {
                href: href.to_owned(),
            }),
            _ => Err(server_error("DELETE", href, status, &text)),
        }
    }
}

/// What changed between what the store knows (`local`: href, etag) and the server's listing:
/// resources new or with another etag, and resources the server no longer has.
pub fn diff_listing(local: &[(String, String)], server: &[(String, String)]) -> SyncChanges {
    let known: std::collections::HashMap<&str, &str> = local
        .iter()
        .map(|(h, e)| (h.as_str(), e.as_str()))
        .collect();
    let there: std::collections::HashSet<&str> = server.iter().map(|(h, _)| h.as_str()).collect();
    SyncChanges {
        token: String::new(),
        changed: server
            .iter()
            .filter(|(h, e)| known.get(h.as_str()) != Some(&e.as_str()))
            .cloned()
            .collect(),
        fetched: Vec::new(),
        removed: local
            .iter()
            .filter(|(h, _)| !there.contains(h.as_str()))
            .map(|(h, _)| h.clone())
            .collect(),
    }
}

fn server_error(method: &str, href: &str, status: StatusCode, body: &str) -> CaldavError {
    CaldavError::Server {
        method: method.to_owned(),
        href: href.to_owned(),
        status: status.as_u16(),
        body: body.chars().take(300).collect(),
    }
}

fn transport_error(url: &str, e: &reqwest::Error) -> CaldavError {
    match satu_net::transport(e) {
        satu_net::Transport::Certificate(reason) => CaldavError::BadCertificate {
            url: url.to_owned(),
            reason,
        },
        satu_net::Transport::Unreachable(reason) => CaldavError::Unreachable {
            url: url.to_owned(),
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny HTTP server on 127.0.0.1: answers each request with `answer(path, has_password)`
    /// and records every request as (path, whether it carried the password).
    struct Server {
        origin: String,
        seen: std::sync::Arc<std::sync::Mutex<Vec<(String, bool)>>>,
    }

    async fn server(answer: impl Fn(&str, bool) -> String + Send + Sync + 'static) -> Server {
        let answer = std::sync::Arc::new(answer);
        use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, answer) = (log.clone(), answer.clone());
                tokio::spawn(async move {
                    let mut stream = tokio::io::BufReader::new(stream);
                    loop {
                        let mut line = String::new();
                        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                        let (mut length, mut password) = (0usize, false);
                        loop {
                            let mut header = String::new();
                            if stream.read_line(&mut header).await.unwrap_or(0) == 0 {
                                return;
                            }
                            let lower = header.to_ascii_lowercase();
                            if lower.trim().is_empty() {
                                break;
                            }
                            if let Some(n) = lower.strip_prefix("content-length:") {
                                length = n.trim().parse().unwrap_or(0);
                            }
                            password |= lower.starts_with("authorization:");
                        }
                        let mut body = vec![0; length];
                        if stream.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        if let Ok(mut seen) = log.lock() {
                            seen.push((path.clone(), password));
                        }
                        let reply = answer(&path, password);
                        if stream.get_mut().write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Server { origin, seen }
    }

    fn reply(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    fn client(url: &str) -> Client {
        Client::new(&CaldavConfig {
            url: url.to_owned(),
            username: "alice".into(),
            auth: Auth::Password("canary-password".into()),
            ca_file: None,
        })
        .expect("client")
    }

    #[tokio::test]
    async fn the_password_goes_only_to_the_accounts_server_and_only_when_asked() {
        // The other server: it must never hear from the client.
        let other = server(|_, _| reply("200 OK", "", "")).await;
        let elsewhere = other.origin.clone();
        let home = server(move |path, password| {
            if !password {
                return reply(
                    "401 Unauthorized",
                    "WWW-Authenticate: Basic realm=\"dav\"\r\n",
                    "",
                );
            }
            let other = &elsewhere;
            match path {
                "/.well-known/caldav" => {
                    reply("301 Moved", &format!("Location: {other}/dav/\r\n"), "")
                }
                _ => reply("404 Not Found", "", ""),
            }
        })
        .await;
        let error = client(&format!("{}/", home.origin))
            .discover()
            .await
            .expect_err("a redirect to another server");
        assert!(matches!(error, CaldavError::OtherHost { .. }), "{error}");
        assert!(error.to_string().contains(&other.origin), "{error}");
        let seen = home.seen.lock().expect("seen").clone();
        assert_eq!(
            seen,
            [
                ("/.well-known/caldav".to_owned(), false),
                ("/.well-known/caldav".to_owned(), true)
            ],
            "asked first without the password, then with it once challenged"
        );
        assert!(other.seen.lock().expect("seen").is_empty());

        // An href on another server is not followed either, password or not.
        let error = client(&format!("{}/", home.origin))
            .calendars(&format!("{}/home/", other.origin))
            .await
            .expect_err("another server's href");
        assert!(matches!(error, CaldavError::OtherHost { .. }), "{error}");
        assert!(other.seen.lock().expect("seen").is_empty());
    }

    #[tokio::test]
    async fn a_login_that_is_not_basic_is_said_and_a_refused_password_is_wrong() {
        let bearer = server(|_, _| {
            reply(
                "401 Unauthorized",
                "WWW-Authenticate: Bearer realm=\"x\"\r\n",
                "",
            )
        })
        .await;
        let error = client(&format!("{}/", bearer.origin))
            .calendars("/home/")
            .await
            .expect_err("bearer only");
        assert!(
            matches!(error, CaldavError::AuthUnsupported { .. }),
            "{error}"
        );
        assert!(bearer.seen.lock().expect("seen").iter().all(|(_, p)| !p));

        let refusing = server(|_, _| {
            reply(
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"x\"\r\n",
                "",
            )
        })
        .await;
        let error = client(&format!("{}/", refusing.origin))
            .calendars("/home/")
            .await
            .expect_err("wrong password");
        assert!(matches!(error, CaldavError::AuthFailed { .. }), "{error}");
        assert_eq!(refusing.seen.lock().expect("seen").len(), 2);
        assert!(!format!("{:?}", client("http://127.0.0.1:1/")).contains("canary"));
    }

    #[test]
    fn a_listing_diff_finds_new_changed_and_removed_resources() {
        let s = |h: &str, e: &str| (h.to_owned(), e.to_owned());
        let local = vec![
            s("/c/a.ics", "1"),
            s("/c/b.ics", "1"),
            s("/c/gone.ics", "1"),
        ];
        let server = vec![s("/c/a.ics", "1"), s("/c/b.ics", "2"), s("/c/new.ics", "1")];
        let d = diff_listing(&local, &server);
        assert_eq!(d.changed, vec![s("/c/b.ics", "2"), s("/c/new.ics", "1")]);
        assert_eq!(d.removed, vec!["/c/gone.ics".to_owned()]);
        assert_eq!(diff_listing(&server, &server), SyncChanges::default());
    }

    #[test]
    fn plain_http_only_to_loopback_and_the_base_ends_with_a_slash() {
        let config = |url: &str| CaldavConfig {
            url: url.into(),
            username: "alice".into(),
            auth: Auth::Password("pw".into()),
            ca_file: None,
        };
        assert!(matches!(
            Client::new(&config("http://caldav.example.com/")),
            Err(CaldavError::PlainNotAllowed { .. })
        ));
        assert!(matches!(
            Client::new(&config("ftp://x/")),
            Err(CaldavError::BadUrl { .. })
        ));
        let client = Client::new(&config("http://127.0.0.1:5232/alice")).expect("client");
        assert_eq!(client.base.as_str(), "http://127.0.0.1:5232/alice/");
        assert_eq!(
            client.url("/alice/tasks/").expect("url").as_str(),
            "http://127.0.0.1:5232/alice/tasks/"
        );
        assert!(Client::new(&config("https://caldav.example.com")).is_ok());
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    fn answer(n: usize) -> String {
        let mut body = String::from(
            r#"<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">"#,
        );
        body.push_str("<d:response><d:href>/cal/</d:href><d:propstat><d:prop><d:getetag>\"c\"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>");
        for i in 0..n {
            body.push_str(&format!("<d:response><d:href>/cal/{i}.ics</d:href><d:propstat><d:prop><d:getetag>\"e{i}\"</d:getetag><c:calendar-data>BEGIN:VCALENDAR&#13;\nUID:{i}&#13;\nEND:VCALENDAR</c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"));
        }
        body.push_str("<d:response><d:href>/cal/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>");
        body.push_str("<d:sync-token>http://x/sync/7</d:sync-token></d:multistatus>");
        body
    }

    /// Feeds `body` to the parsing thread in chunks of `size` bytes (then `tail`, if any).
    fn stream(body: &str, size: usize, parts: (usize, usize), tail: Option<&str>) -> SyncStream {
        let (chunks_in, chunks) = tokio::sync::mpsc::channel(4);
        let pieces: Vec<bytes::Bytes> = body
            .as_bytes()
            .chunks(size)
            .map(bytes::Bytes::copy_from_slice)
            .collect();
        let tail = tail.map(str::to_owned);
        let reader = tokio::spawn(async move {
            for piece in pieces {
                if chunks_in.send(Ok(piece)).await.is_err() {
                    return;
                }
            }
            if let Some(reason) = tail {
                let _ = chunks_in.send(Err(reason)).await;
            }
        });
        SyncStream {
            parts: parse_in_background(chunks, "/cal/", "http://127.0.0.1/cal/", parts),
            token: None,
            href: "http://127.0.0.1/cal/".into(),
            reader: Some(reader),
        }
    }

    #[tokio::test]
    async fn a_sync_answer_comes_in_parts_as_it_arrives_then_its_token() {
        let mut s = stream(&answer(5), 7, (1, 2), None);
        let mut sizes = Vec::new();
        let mut fetched = Vec::new();
        let mut removed = Vec::new();
        while let Some(part) = s.next().await.expect("part") {
            assert!(part.token.is_empty());
            sizes.push(part.fetched.len() + part.removed.len() + part.changed.len());
            fetched.extend(part.fetched);
            removed.extend(part.removed);
        }
        // The collection's own response is left out; the 404 counts as a resource.
        assert_eq!(sizes, vec![1, 2, 2, 1]);
        assert_eq!(s.token(), Some("http://x/sync/7"));
        assert_eq!(fetched.len(), 5);
        assert_eq!(fetched[3].0, "/cal/3.ics");
        assert_eq!(fetched[3].1, "\"e3\"");
        assert_eq!(fetched[3].2, "BEGIN:VCALENDAR\r\nUID:3\r\nEND:VCALENDAR");
        assert_eq!(removed, vec!["/cal/gone.ics".to_owned()]);
        // Read whole, again: the same.
        let whole = stream(&answer(5), 4096, (1000, 1000), None)
            .collect()
            .await
            .expect("whole");
        assert_eq!(whole.fetched, fetched);
        assert_eq!(whole.token, "http://x/sync/7");
    }

    #[tokio::test]
    async fn a_cut_or_failed_answer_is_an_error_never_an_end() {
        let body = answer(5);
        // Cut in the middle: the parts before come, then an error, no token.
        let mut s = stream(&body[..body.len() / 2], 100, (2, 2), None);
        let mut parts = 0;
        let end = loop {
            match s.next().await {
                Ok(Some(_)) => parts += 1,
                other => break other,
            }
        };
        assert!(parts >= 1);
        assert!(
            matches!(end, Err(CaldavError::BadResponse { .. })),
            "{end:?}"
        );
        assert_eq!(s.token(), None);
        // The connection failing: the reason is said.
        let s = stream(&body[..200], 50, (2, 2), Some("connection reset"));
        let e = s.collect().await.expect_err("failed");
        assert!(e.to_string().contains("connection reset"), "{e}");
        // No token at all.
        let no_token = body.replace("<d:sync-token>http://x/sync/7</d:sync-token>", "");
        let e = stream(&no_token, 64, (2, 2), None)
            .collect()
            .await
            .expect_err("no token");
        assert!(e.to_string().contains("no sync-token"), "{e}");
    }

    #[tokio::test]
    async fn known_changes_are_a_stream_of_one_part() {
        let changes = SyncChanges {
            token: "t".into(),
            changed: vec![("/cal/a.ics".into(), "\"1\"".into())],
            ..SyncChanges::default()
        };
        let mut s = SyncStream::whole(changes);
        let part = s.next().await.expect("part").expect("one part");
        assert_eq!(part.changed.len(), 1);
        assert!(s.next().await.expect("end").is_none());
        assert_eq!(s.token(), Some("t"));
    }
}
