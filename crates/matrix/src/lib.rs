//! # Matrix for Satu
//!
//! A thin client of the Matrix client-server API (v3) over `reqwest`: password login, `/sync`
//! (long-poll, with a `since` token the caller keeps), `/messages` back-pagination, sending
//! with a caller-chosen transaction id (the server answers a repeated id with the same event,
//! which is what makes a resend after a crash safe), redactions, read markers, and the few room
//! calls the tests and the app need (create, invite, join). TLS with the platform's roots plus
//! an optional CA of the account; plain HTTP only to loopback, and redirects never to plain HTTP.
//! No knowledge of the store: events are handed back as plain data, their `content` as JSON, for
//! the core to decide on.
//!
//! The calls: [`Client::discover`] (`/.well-known/matrix/client`, then `/versions`),
//! [`Client::login`] (password → a new device's access token), [`Client::whoami`],
//! [`Client::sync`] (with a lazy-loading filter, [`sync_filter`]), [`Client::messages_before`],
//! [`Client::send`] and [`Client::redact`] with the caller's transaction id,
//! [`Client::set_read_marker`] (`m.fully_read` and `m.read`), [`Client::create_room`],
//! [`Client::join`]. Errors are classified for callers ([`MatrixError`]: wrong password, token
//! rejected, rate limited with its delay, forbidden, not found, unreachable, certificate, …) and
//! [`MatrixError::is_transient`] says whether trying again later may work.
//!
//! Why a thin client rather than `matrix-sdk` (measured 2026-12-02 on the 2-core machine: two
//! probe programs that log in and sync once against the project's Synapse, release builds, cold;
//! `matrix-sdk` 0.14 with `rustls-tls`, `e2e-encryption`, `sqlite`): the SDK's probe resolves 388
//! crates (102 not already in Satu's tree) against 143, builds in 916 s against 120 s (both
//! `nice`d; the SDK's partly beside other builds), is 39.9 MB stripped against 4.0 MB, and peaks
//! at 32.8 MB resident against 5.5 MB for the same login and sync. Satu needs a dozen endpoints
//! and keeps its own store, so the SDK's state store, sliding sync and room model would be a
//! second copy of what `satu-store` holds. What the SDK would bring is decryption: end-to-end
//! encrypted rooms show that a message is encrypted and cannot be read yet; when that is taken
//! on, `matrix-sdk-crypto` alone (the Olm/Megolm machine, without the client) is the piece to add
//! beside this client.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use satu_net::is_loopback;
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

/// How long an ordinary request may take.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer read (a first `/sync` of a busy account is a few MiB).
const MAX_ANSWER_BYTES: usize = 64 << 20;
/// What a long-poll `/sync` may take beyond the timeout it asks the server for.
const SYNC_SLACK: Duration = Duration::from_secs(30);

/// Why a Matrix call failed. Callers branch on the kind.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatrixError {
    /// The homeserver URL is not usable.
    #[error("{url:?} is not a homeserver URL: {reason}")]
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
    /// No connection (refused, DNS) or no answer in time.
    #[error("Cannot reach the homeserver {url}: {reason}")]
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
    /// Wrong user name or password.
    #[error("The homeserver {url} rejected the login for {user}: wrong user name or password")]
    AuthFailed {
        /// Homeserver.
        url: String,
        /// Login name.
        user: String,
    },
    /// The access token is no longer valid (logged out elsewhere, expired): log in again.
    #[error("The homeserver {url} no longer accepts this device's access token ({message}): sign in again")]
    TokenRejected {
        /// Homeserver.
        url: String,
        /// The server's words.
        message: String,
    },
    /// Too many requests (429): try again after the delay.
    #[error("The homeserver asks to slow down: try again in {} ms", retry_after.as_millis())]
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// The user may not do this (not in the room, no power).
    #[error("The homeserver refused {what}: {message}")]
    Forbidden {
        /// What was asked.
        what: String,
        /// The server's words.
        message: String,
    },
    /// Not found (an unknown room, alias or event).
    #[error("{what} does not exist on the homeserver: {message}")]
    NotFound {
        /// What was asked for.
        what: String,
        /// The server's words.
        message: String,
    },
    /// Not a Matrix homeserver there.
    #[error("{url} does not look like a Matrix homeserver: {reason}")]
    NotMatrix {
        /// URL.
        url: String,
        /// What was missing.
        reason: String,
    },
    /// Any other answer.
    #[error("The homeserver answered {status} {errcode} to {method} {path}: {message}")]
    Server {
        /// Method.
        method: String,
        /// The endpoint.
        path: String,
        /// HTTP status.
        status: u16,
        /// Matrix error code ('' when the body had none).
        errcode: String,
        /// The server's words (or the start of the body).
        message: String,
    },
    /// A body that is not the JSON it should be.
    #[error("The homeserver sent a response Satu cannot read ({path}): {reason}")]
    BadResponse {
        /// The endpoint.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl MatrixError {
    /// Whether trying again later may work (the network, the server's load, a 5xx), as
    /// opposed to an answer that will not change (wrong password, forbidden, not found).
    pub fn is_transient(&self) -> bool {
        match self {
            MatrixError::Unreachable { .. } | MatrixError::RateLimited { .. } => true,
            MatrixError::Server { status, .. } => *status >= 500 || *status == 408,
            _ => false,
        }
    }
}

/// Where the homeserver is and how to reach it.
#[derive(Clone, Default)]
pub struct MatrixConfig {
    /// The homeserver's base URL (`https://matrix.example.org`).
    pub homeserver: String,
    /// The access token of this device (kept out of Debug output); `None` before login.
    pub access_token: Option<String>,
    /// Extra trusted certificate or CA (PEM).
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for MatrixConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixConfig")
            .field("homeserver", &self.homeserver)
            .field("ca_file", &self.ca_file)
            .finish_non_exhaustive()
    }
}

/// A successful login.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    /// The new device's access token.
    pub access_token: String,
    /// The full user id (`@alice:example.org`).
    pub user_id: String,
    /// The new device's id.
    pub device_id: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("user_id", &self.user_id)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

/// Who an access token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WhoAmI {
    /// The full user id.
    pub user_id: String,
    /// The device, when the server says.
    #[serde(default)]
    pub device_id: Option<String>,
}

/// One event as the server sent it. Everything but `type` may be missing (stripped state of
/// invites has no id or time); `content` is left as JSON for the caller. Read leniently: a
/// field of the wrong type is taken as missing, so one odd event never fails a whole answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    /// `m.room.message`, `m.room.member`, …
    pub kind: String,
    /// Its id (`$…`).
    pub event_id: Option<String>,
    /// Who sent it.
    pub sender: Option<String>,
    /// Unix milliseconds, by the sender's homeserver.
    pub origin_server_ts: Option<i64>,
    /// The content.
    pub content: Value,
    /// State events only.
    pub state_key: Option<String>,
    /// Redactions before room version 11 carry the target here.
    pub redacts: Option<String>,
    /// Server-added data: `transaction_id` for this device's own sends, `redacted_because`,
    /// bundled relations (`m.relations` with the latest `m.replace`).
    pub unsigned: Value,
}

impl Event {
    /// The event in `value`, whatever shape it has.
    pub fn from_json(value: Value) -> Event {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        Event {
            kind: text("type").unwrap_or_default(),
            event_id: text("event_id"),
            sender: text("sender"),
            origin_server_ts: value.get("origin_server_ts").and_then(Value::as_i64),
            state_key: text("state_key"),
            redacts: text("redacts"),
            content: value.get("content").cloned().unwrap_or(Value::Null),
            unsigned: value.get("unsigned").cloned().unwrap_or(Value::Null),
        }
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Event::from_json(Value::deserialize(deserializer)?))
    }
}

/// A list of events.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Events {
    /// The events.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// A joined room's timeline slice.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Timeline {
    /// Oldest first.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Whether events were left out before these (a gap: back-paginate from `prev_batch`).
    #[serde(default)]
    pub limited: bool,
    /// Token for `/messages` backwards from the first event.
    #[serde(default)]
    pub prev_batch: Option<String>,
}

/// What the server summarises about a room.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Summary {
    /// Members to name a room without a name after.
    #[serde(rename = "m.heroes", default)]
    pub heroes: Vec<String>,
    /// Joined members.
    #[serde(rename = "m.joined_member_count", default)]
    pub joined_member_count: Option<u64>,
}

/// Unread counts as the server computes them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct UnreadCounts {
    /// Notifications.
    #[serde(default)]
    pub notification_count: Option<u64>,
    /// Highlights (mentions).
    #[serde(default)]
    pub highlight_count: Option<u64>,
}

/// A joined room in a `/sync` answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct JoinedRoom {
    /// Summary (heroes, member count).
    #[serde(default)]
    pub summary: Summary,
    /// State before the timeline (or changed since `since`).
    #[serde(default)]
    pub state: Events,
    /// New events.
    #[serde(default)]
    pub timeline: Timeline,
    /// Receipts and typing.
    #[serde(default)]
    pub ephemeral: Events,
    /// The user's data for this room (`m.fully_read`, tags).
    #[serde(default)]
    pub account_data: Events,
    /// Server-side unread counts.
    #[serde(default)]
    pub unread_notifications: UnreadCounts,
}

/// An invitation in a `/sync` answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct InvitedRoom {
    /// Stripped state (name, the inviter's member event).
    #[serde(default)]
    pub invite_state: Events,
}

/// A room left (or banned from) in a `/sync` answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct LeftRoom {
    /// State.
    #[serde(default)]
    pub state: Events,
    /// The last events up to leaving.
    #[serde(default)]
    pub timeline: Timeline,
}

/// The rooms of a `/sync` answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Rooms {
    /// Joined rooms with news.
    #[serde(default)]
    pub join: BTreeMap<String, JoinedRoom>,
    /// Invitations.
    #[serde(default)]
    pub invite: BTreeMap<String, InvitedRoom>,
    /// Rooms left.
    #[serde(default)]
    pub leave: BTreeMap<String, LeftRoom>,
}

/// A `/sync` answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct SyncResponse {
    /// The `since` of the next call.
    pub next_batch: String,
    /// Rooms with news.
    #[serde(default)]
    pub rooms: Rooms,
    /// Global account data (`m.direct`).
    #[serde(default)]
    pub account_data: Events,
}

/// A page of `/messages`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Messages {
    /// Events in the direction asked (backwards: newest first).
    #[serde(default)]
    pub chunk: Vec<Event>,
    /// Token to continue from; `None` at the start of the room.
    #[serde(default)]
    pub end: Option<String>,
    /// Member events of the senders (lazy loading).
    #[serde(default)]
    pub state: Vec<Event>,
}

/// The sync filter: lazy-loaded members (the senders' member events come with their
/// messages), no presence, `timeline_limit` events per room.
pub fn sync_filter(timeline_limit: u32) -> String {
    json!({
        "presence": {"not_types": ["*"]},
        "room": {
            "state": {"lazy_load_members": true},
            "timeline": {"limit": timeline_limit, "lazy_load_members": true},
            "ephemeral": {"types": ["m.receipt"]},
        },
    })
    .to_string()
}

fn load_ca(path: &Path, url: &str) -> Result<Vec<reqwest::Certificate>, MatrixError> {
    satu_net::load_ca(path).map_err(|reason| MatrixError::BadCertificate {
        url: url.to_owned(),
        reason,
    })
}

/// The homeserver's base URL from what a person typed: a scheme is added when missing
/// (`https://`, or `http://` for loopback), a trailing slash and any path are kept as the base.
pub fn homeserver_url(input: &str) -> Result<Url, MatrixError> {
    let input = input.trim();
    let with_scheme = if input.contains("://") {
        input.to_owned()
    } else {
        let host = match input.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => input.split(['/', ':']).next().unwrap_or_default(),
        };
        if is_loopback(host) {
            format!("http://{input}")
        } else {
            format!("https://{input}")
        }
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| MatrixError::BadUrl {
        url: input.to_owned(),
        reason: e.to_string(),
    })?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let host = url.host_str().unwrap_or_default().to_owned();
            if !is_loopback(&host) {
                return Err(MatrixError::PlainNotAllowed { host });
            }
        }
        other => {
            return Err(MatrixError::BadUrl {
                url: input.to_owned(),
                reason: format!("use https:// (not {other}://)"),
            })
        }
    }
    if url.host_str().unwrap_or_default().is_empty() {
        return Err(MatrixError::BadUrl {
            url: input.to_owned(),
            reason: "no host".into(),
        });
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

fn transport_error(url: &str, e: &reqwest::Error) -> MatrixError {
    match satu_net::transport(e) {
        satu_net::Transport::Certificate(reason) => MatrixError::BadCertificate {
            url: url.to_owned(),
            reason,
        },
        satu_net::Transport::Unreachable(reason) => MatrixError::Unreachable {
            url: url.to_owned(),
            reason,
        },
    }
}

/// The standard error body.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errcode: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    retry_after_ms: Option<u64>,
}

/// A client of one homeserver, with or without an access token. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config.homeserver`. Nothing is sent yet.
    pub fn new(config: &MatrixConfig) -> Result<Client, MatrixError> {
        let base = homeserver_url(&config.homeserver)?;
        let mut builder = reqwest::Client::builder()
            // Names resolve as the mail servers' do (SATU_DNS_SERVER).
            .dns_resolver(satu_net::dns::for_http())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(15))
            .user_agent(concat!("Satu/", env!("CARGO_PKG_VERSION")))
            // Redirects only within TLS (or loopback): never downgrade.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let ok = attempt.url().scheme() == "https"
                    || is_loopback(attempt.url().host_str().unwrap_or_default());
                if attempt.previous().len() > 5 || !ok {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }));
        if let Some(ca) = &config.ca_file {
            for cert in load_ca(ca, base.as_str())? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| MatrixError::Unreachable {
            url: base.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Client {
            http,
            base,
            token: config.access_token.clone(),
        })
    }

    /// The homeserver's base URL.
    pub fn homeserver(&self) -> &Url {
        &self.base
    }

    /// The same client using `token` from now on.
    pub fn with_token(mut self, token: &str) -> Client {
        self.token = Some(token.to_owned());
        self
    }

    /// `_matrix/client/…` with each of `segments` percent-encoded as one path segment.
    fn endpoint(&self, segments: &[&str]) -> Result<Url, MatrixError> {
        let mut url = self.base.clone();
        {
            let mut path = url.path_segments_mut().map_err(|()| MatrixError::BadUrl {
                url: self.base.to_string(),
                reason: "cannot be a base URL".into(),
            })?;
            path.pop_if_empty();
            path.extend(["_matrix", "client"]);
            path.extend(segments);
        }
        Ok(url)
    }

    /// One request; the JSON answer of a 2xx, else the classified error.
    async fn call(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
        timeout: Option<Duration>,
    ) -> Result<Value, MatrixError> {
        let url = self.endpoint(segments)?;
        let path = format!("/{}", segments.join("/"));
        let mut request = self.http.request(method.clone(), url.clone()).query(query);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(self.base.as_str(), &e))?;
        let status = response.status();
        let text = match satu_net::text_within(response, MAX_ANSWER_BYTES).await {
            Ok(text) => text,
            Err(satu_net::BodyError::Transport(e)) => {
                return Err(transport_error(self.base.as_str(), &e))
            }
            Err(satu_net::BodyError::TooLarge(limit)) => {
                return Err(MatrixError::BadResponse {
                    path,
                    reason: format!("the answer is larger than {} MiB", limit >> 20),
                })
            }
        };
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| MatrixError::BadResponse {
                path,
                reason: format!("not JSON: {e}"),
            });
        }
        Err(self.error(&method, &path, status, &text))
    }

    fn error(&self, method: &Method, path: &str, status: StatusCode, text: &str) -> MatrixError {
        let body: ErrorBody = serde_json::from_str(text).unwrap_or_default();
        let message = if body.error.is_empty() {
            text.chars().take(200).collect()
        } else {
            body.error.clone()
        };
        match (status.as_u16(), body.errcode.as_str()) {
            (_, "M_UNKNOWN_TOKEN" | "M_MISSING_TOKEN") | (401, _) => MatrixError::TokenRejected {
                url: self.base.to_string(),
                message,
            },
            (429, _) | (_, "M_LIMIT_EXCEEDED") => MatrixError::RateLimited {
                retry_after: Duration::from_millis(body.retry_after_ms.unwrap_or(1000)),
            },
            (403, _) => MatrixError::Forbidden {
                what: format!("{method} {path}"),
                message,
            },
            (404, "M_NOT_FOUND" | "M_UNRECOGNIZED" | "") if path.contains("/rooms/") => {
                MatrixError::NotFound {
                    what: path.to_owned(),
                    message,
                }
            }
            (404, "M_NOT_FOUND") => MatrixError::NotFound {
                what: path.to_owned(),
                message,
            },
            (status, errcode) => MatrixError::Server {
                method: method.to_string(),
                path: path.to_owned(),
                status,
                errcode: errcode.to_owned(),
                message,
            },
        }
    }

    /// Checks that a Matrix homeserver answers at the base URL (`/versions`); follows the
    /// server's `/.well-known/matrix/client` first when it names another base URL. Returns the
    /// client for the base URL found.
    pub async fn discover(self) -> Result<Client, MatrixError> {
        let mut client = self;
        if let Ok(well_known) = client.base.join("/.well-known/matrix/client") {
            if let Ok(response) = client.http.get(well_known).send().await {
                if response.status().is_success() {
                    let text = satu_net::text_within(response, 64 << 10)
                        .await
                        .unwrap_or_default();
                    if let Ok(value) = serde_json::from_str::<Value>(&text) {
                        if let Some(base) = value
                            .pointer("/m.homeserver/base_url")
                            .and_then(Value::as_str)
                        {
                            if let Ok(url) = homeserver_url(base) {
                                if url != client.base {
                                    tracing::info!(base = %url, "The homeserver is elsewhere (.well-known).");
                                    client.base = url;
                                }
                            }
                        }
                    }
                }
            }
        }
        let versions = client
            .call(Method::GET, &["versions"], &[], None, None)
            .await
            .map_err(|e| match e {
                MatrixError::Unreachable { .. } | MatrixError::BadCertificate { .. } => e,
                other => MatrixError::NotMatrix {
                    url: client.base.to_string(),
                    reason: other.to_string(),
                },
            })?;
        if versions.get("versions").and_then(Value::as_array).is_none() {
            return Err(MatrixError::NotMatrix {
                url: client.base.to_string(),
                reason: "no client API versions at /_matrix/client/versions".into(),
            });
        }
        Ok(client)
    }

    /// Logs in with a password (`user` is a localpart or a full `@user:server` id); a new
    /// device named `device_name` gets an access token.
    pub async fn login(
        &self,
        user: &str,
        password: &str,
        device_name: &str,
    ) -> Result<Login, MatrixError> {
        let body = json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
            "initial_device_display_name": device_name,
        });
        let answer = match self
            .call(Method::POST, &["v3", "login"], &[], Some(&body), None)
            .await
        {
            Ok(answer) => answer,
            Err(MatrixError::Forbidden { .. } | MatrixError::TokenRejected { .. }) => {
                return Err(MatrixError::AuthFailed {
                    url: self.base.to_string(),
                    user: user.to_owned(),
                })
            }
            Err(e) => return Err(e),
        };
        let field = |name: &str| {
            answer
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| MatrixError::BadResponse {
                    path: "/v3/login".into(),
                    reason: format!("no {name}"),
                })
        };
        Ok(Login {
            access_token: field("access_token")?,
            user_id: field("user_id")?,
            device_id: field("device_id")?,
        })
    }

    /// Ends this device's session on the server (the token stops working).
    pub async fn logout(&self) -> Result<(), MatrixError> {
        self.call(Method::POST, &["v3", "logout"], &[], Some(&json!({})), None)
            .await
            .map(drop)
    }

    /// Who the access token belongs to.
    pub async fn whoami(&self) -> Result<WhoAmI, MatrixError> {
        let answer = self
            .call(Method::GET, &["v3", "account", "whoami"], &[], None, None)
            .await?;
        serde_json::from_value(answer).map_err(|e| MatrixError::BadResponse {
            path: "/v3/account/whoami".into(),
            reason: e.to_string(),
        })
    }

    /// `/sync` from `since` (`None`: the first sync), waiting up to `wait` for news.
    pub async fn sync(
        &self,
        since: Option<&str>,
        wait: Duration,
        filter: &str,
    ) -> Result<SyncResponse, MatrixError> {
        let wait_ms = wait.as_millis().to_string();
        let mut query = vec![("timeout", wait_ms.as_str()), ("filter", filter)];
        if let Some(since) = since {
            query.push(("since", since));
        }
        let answer = self
            .call(
                Method::GET,
                &["v3", "sync"],
                &query,
                None,
                Some(wait + SYNC_SLACK),
            )
            .await?;
        serde_json::from_value(answer).map_err(|e| MatrixError::BadResponse {
            path: "/v3/sync".into(),
            reason: e.to_string(),
        })
    }

    /// One page of a room's history backwards from `from` (a `prev_batch` or `end` token).
    pub async fn messages_before(
        &self,
        room_id: &str,
        from: &str,
        limit: u32,
    ) -> Result<Messages, MatrixError> {
        let limit = limit.to_string();
        let filter = json!({"lazy_load_members": true}).to_string();
        let answer = self
            .call(
                Method::GET,
                &["v3", "rooms", room_id, "messages"],
                &[
                    ("from", from),
                    ("dir", "b"),
                    ("limit", &limit),
                    ("filter", &filter),
                ],
                None,
                None,
            )
            .await?;
        serde_json::from_value(answer).map_err(|e| MatrixError::BadResponse {
            path: format!("/v3/rooms/{room_id}/messages"),
            reason: e.to_string(),
        })
    }

    /// Sends an event of `kind` with `content`. `txn_id` is the caller's: sending the same id
    /// again (after a crash, a lost answer) gives back the same event instead of a second one.
    pub async fn send(
        &self,
        room_id: &str,
        kind: &str,
        txn_id: &str,
        content: &Value,
    ) -> Result<String, MatrixError> {
        let answer = self
            .call(
                Method::PUT,
                &["v3", "rooms", room_id, "send", kind, txn_id],
                &[],
                Some(content),
                None,
            )
            .await?;
        event_id_of(&answer, "send")
    }

    /// Redacts (removes the content of) `event_id`; idempotent per `txn_id` like [`Client::send`].
    pub async fn redact(
        &self,
        room_id: &str,
        event_id: &str,
        txn_id: &str,
        reason: Option<&str>,
    ) -> Result<String, MatrixError> {
        let body = match reason {
            Some(reason) => json!({ "reason": reason }),
            None => json!({}),
        };
        let answer = self
            .call(
                Method::PUT,
                &["v3", "rooms", room_id, "redact", event_id, txn_id],
                &[],
                Some(&body),
                None,
            )
            .await?;
        event_id_of(&answer, "redact")
    }

    /// Moves the user's read marker and public read receipt in `room_id` to `event_id`.
    pub async fn set_read_marker(&self, room_id: &str, event_id: &str) -> Result<(), MatrixError> {
        let body = json!({ "m.fully_read": event_id, "m.read": event_id });
        self.call(
            Method::POST,
            &["v3", "rooms", room_id, "read_markers"],
            &[],
            Some(&body),
            None,
        )
        .await
        .map(drop)
    }

    /// Creates a private room named `name` (or a direct chat), inviting `invite`. Returns its id.
    pub async fn create_room(
        &self,
        name: Option<&str>,
        invite: &[&str],
        direct: bool,
    ) -> Result<String, MatrixError> {
        let mut body = json!({
            "preset": if direct { "trusted_private_chat" } else { "private_chat" },
            "invite": invite,
            "is_direct": direct,
        });
        if let Some(name) = name {
            body["name"] = json!(name);
        }
        let answer = self
            .call(Method::POST, &["v3", "createRoom"], &[], Some(&body), None)
            .await?;
        answer
            .get("room_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| MatrixError::BadResponse {
                path: "/v3/createRoom".into(),
                reason: "no room_id".into(),
            })
    }

    /// Joins a room by id or alias (accepting an invitation). Returns the room id.
    pub async fn join(&self, room: &str) -> Result<String, MatrixError> {
        let answer = self
            .call(
                Method::POST,
                &["v3", "join", room],
                &[],
                Some(&json!({})),
                None,
            )
            .await?;
        answer
            .get("room_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| MatrixError::BadResponse {
                path: "/v3/join".into(),
                reason: "no room_id".into(),
            })
    }
}

fn event_id_of(answer: &Value, what: &str) -> Result<String, MatrixError> {
    answer
        .get("event_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| MatrixError::BadResponse {
            path: what.to_owned(),
            reason: "no event_id".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homeserver_urls_get_a_scheme_and_plain_http_only_to_loopback() {
        let url = |s: &str| homeserver_url(s).map(|u| u.to_string());
        assert_eq!(
            url("matrix.example.org").ok().as_deref(),
            Some("https://matrix.example.org/")
        );
        assert_eq!(
            url("127.0.0.1:8008").ok().as_deref(),
            Some("http://127.0.0.1:8008/")
        );
        assert_eq!(
            url("[::1]:8008").ok().as_deref(),
            Some("http://[::1]:8008/")
        );
        assert_eq!(
            url("https://example.org/base").ok().as_deref(),
            Some("https://example.org/base/")
        );
        assert!(matches!(
            homeserver_url("http://matrix.example.org"),
            Err(MatrixError::PlainNotAllowed { .. })
        ));
        assert!(matches!(
            homeserver_url("ftp://x"),
            Err(MatrixError::BadUrl { .. })
        ));
    }

    #[test]
    fn endpoints_encode_room_and_event_ids_as_one_segment() {
        let client = Client::new(&MatrixConfig {
            homeserver: "http://127.0.0.1:8008".into(),
            ..MatrixConfig::default()
        })
        .expect("client");
        let url = client
            .endpoint(&["v3", "rooms", "!a/b:x", "send", "m.room.message", "t 1"])
            .expect("url");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8008/_matrix/client/v3/rooms/!a%2Fb:x/send/m.room.message/t%201"
        );
    }

    #[test]
    fn errors_are_classified_by_errcode_and_status() {
        let client = Client::new(&MatrixConfig {
            homeserver: "http://127.0.0.1:8008".into(),
            ..MatrixConfig::default()
        })
        .expect("client");
        let error = |status: u16, body: &str| {
            client.error(
                &Method::GET,
                "/v3/sync",
                StatusCode::from_u16(status).expect("status"),
                body,
            )
        };
        assert!(matches!(
            error(
                401,
                r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token"}"#
            ),
            MatrixError::TokenRejected { .. }
        ));
        match error(
            429,
            r#"{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1500}"#,
        ) {
            MatrixError::RateLimited { retry_after } => {
                assert_eq!(retry_after, Duration::from_millis(1500))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            error(403, r#"{"errcode":"M_FORBIDDEN","error":"not in room"}"#),
            MatrixError::Forbidden { .. }
        ));
        let server = error(502, "<html>bad gateway</html>");
        assert!(server.is_transient(), "{server}");
        assert!(!error(403, "{}").is_transient());
    }

    #[test]
    fn sync_answers_parse_with_missing_and_odd_parts() {
        let body = r#"{"next_batch":"s1","rooms":{"join":{"!r:x":{"timeline":{"events":[
            {"type":"m.room.message","event_id":"$1","sender":"@b:x","origin_server_ts":5,
             "content":{"msgtype":"m.text","body":"hi"},"unsigned":{"transaction_id":"t1"}},
            {"type":"m.room.message","content":"not an object"},
            {"content":{}, "event_id": 5, "sender": ["x"], "origin_server_ts": "soon"}
          ],"limited":true,"prev_batch":"p1"},
          "ephemeral":{"events":[{"type":"m.receipt","content":{"$1":{"m.read":{"@a:x":{"ts":6}}}}}]}}},
          "invite":{"!i:x":{"invite_state":{"events":[{"type":"m.room.name","state_key":"","content":{"name":"Inv"}}]}}}}}"#;
        let sync: SyncResponse = serde_json::from_str(body).expect("parse");
        assert_eq!(sync.next_batch, "s1");
        let room = &sync.rooms.join["!r:x"];
        assert_eq!(room.timeline.events.len(), 3);
        assert!(room.timeline.limited);
        assert_eq!(room.timeline.prev_batch.as_deref(), Some("p1"));
        assert_eq!(room.timeline.events[2].kind, "");
        assert_eq!(
            room.timeline.events[2].event_id, None,
            "a number is no event id"
        );
        assert_eq!(sync.rooms.invite.len(), 1);
        let minimal: SyncResponse = serde_json::from_str(r#"{"next_batch":"s2"}"#).expect("parse");
        assert!(minimal.rooms.join.is_empty());
    }
}
