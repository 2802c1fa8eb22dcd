//! The API: the only door into the core. Every front end (the Tauri shell, the `satu` CLI, the
//! tests) calls these methods and gets DTOs or an [`ApiError`] back.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use satu_mail::imap::{is_loopback, ImapSession};
use satu_store::{
    AccountKind, FolderRole, ItemKind, NewAccount, NumberSetting, Security, Setting, Store,
};
pub use tokio_util::sync::CancellationToken;

pub use crate::live::LiveOptions;

use crate::actions::{self, Deleted, Target};
use crate::dto::{
    self, AccountInput, ActionReport, ChangeEvent, ImportReport, LiveStatus, Progress, SearchQuery,
    SyncReport, TimelineQuery,
};
use crate::error::{ApiError, ErrorCode};
use crate::{caldav, import, links, live, matrix, replay, secrets, send, sync};

/// How long an action waits for the server before leaving its change queued.
const PUSH_NOW_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest page the API returns.
const MAX_LIMIT: u32 = 1000;
/// Default page size.
const DEFAULT_LIMIT: u32 = 50;
/// Name of the local account that `open_sample` imports into.
pub const SAMPLE_ACCOUNT: &str = "Sample mailbox";
/// Name of the local account that imports go to.
pub const LOCAL_ACCOUNT: &str = "Local mail";

type ApiResult<T> = Result<T, ApiError>;

/// A handle on one Satu data directory. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Satu {
    store: Arc<Store>,
    data_dir: PathBuf,
    /// The latest live-sync status of each account (while `run_live` runs).
    live_status: Arc<std::sync::Mutex<std::collections::BTreeMap<i64, LiveStatus>>>,
    /// Items whose new-mail notification the user clicked.
    clicks: tokio::sync::broadcast::Sender<i64>,
    /// Wakes the live loop's outbox worker (a message was queued or taken back).
    pub(crate) outbox_wake: Arc<tokio::sync::Notify>,
    /// Wakes the live loop's chat senders (a message was written or a room read here).
    pub(crate) chat_wake: Arc<tokio::sync::Notify>,
}

impl Satu {
    /// Opens the data directory (creating it and the database if needed).
    pub fn open(data_dir: &Path) -> ApiResult<Satu> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("Cannot create the data directory {}", data_dir.display()))?;
        let data_dir = data_dir
            .canonicalize()
            .with_context(|| format!("Cannot resolve the data directory {}", data_dir.display()))?;
        let store = Store::open(&data_dir.join("satu.db"))?;
        Ok(Satu {
            store: Arc::new(store),
            data_dir,
            live_status: Arc::default(),
            clicks: tokio::sync::broadcast::channel(16).0,
            outbox_wake: Arc::default(),
            chat_wake: Arc::default(),
        })
    }

    /// The default data directory: `$SATU_DATA_DIR`, else the OS data dir (`~/.local/share/satu`
    /// on Linux).
    pub fn default_data_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os("SATU_DATA_DIR") {
            return PathBuf::from(dir);
        }
        #[cfg(target_os = "macos")]
        let base =
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"));
        #[cfg(target_os = "windows")]
        let base = std::env::var_os("APPDATA").map(PathBuf::from);
        #[cfg(not(any(target_os = "macos", target_os = "windows")))]
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
        base.unwrap_or_else(|| PathBuf::from(".")).join("satu")
    }

    /// The store (for the core's own long-lived tasks).
    pub(crate) fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Keyring key of an account's password: unique per data directory, so two Satu data
    /// directories (or test runs) never share a secret.
    pub(crate) fn secret_key(&self, account_id: i64) -> String {
        format!("{}#account-{account_id}", self.data_dir.display())
    }

    // ---- Accounts -------------------------------------------------------------------------

    /// All accounts.
    pub fn accounts(&self) -> ApiResult<Vec<dto::Account>> {
        Ok(self.store.accounts()?.into_iter().map(Into::into).collect())
    }

    /// Adds a mail account after checking that it can log in. The password goes to the OS
    /// keyring; nothing is stored if the login or the keyring fails.
    #[tracing::instrument(skip_all, fields(email = %input.email))]
    pub async fn add_account(&self, input: AccountInput) -> ApiResult<i64> {
        let account = validate_account(&input)?;
        let probe = satu_store::Account {
            id: 0,
            kind: account.kind,
            name: account.name.clone(),
            email: account.email.clone(),
            imap: account.imap.clone(),
            smtp: account.smtp.clone(),
            security: account.security,
            username: account.username.clone(),
            ca_file: account.ca_file.clone(),
            notify: true,
            in_timeline: true,
            smtp_security: account.smtp_security.unwrap_or(Security::Tls),
            smtp_saves_sent: None,
            url: String::new(),
            principal: String::new(),
            home: String::new(),
            device_id: String::new(),
        };
        let session = ImapSession::connect(&sync::imap_config(&probe, input.password.clone()))
            .await
            .map_err(anyhow::Error::from)?;
        session.logout().await;
        let id = self.store.write(|tx| tx.add_account(&account))?;
        if let Err(e) = secrets::set_password(&self.secret_key(id), &input.password) {
            // Never keep an account whose password could not be stored safely.
            let _ = self.store.write(|tx| tx.remove_account(id));
            return Err(e);
        }
        tracing::info!(account_id = id, "Account added.");
        Ok(id)
    }

    /// Removes an account, everything synced from it, and its password.
    pub fn remove_account(&self, id: i64) -> ApiResult<()> {
        let account = self.store.account(id)?;
        self.store.write(|tx| tx.remove_account(id))?;
        if account.kind != AccountKind::Local {
            secrets::delete_password(&self.secret_key(id))?;
        }
        Ok(())
    }

    /// Adds a CalDAV account after discovery worked (RFC 6764 `/.well-known/caldav`, then the
    /// principal and its calendar home) and the calendars could be listed. The password goes to
    /// the OS keyring; nothing is stored when the login, discovery or the keyring fails.
    #[tracing::instrument(skip_all, fields(url = %input.url))]
    pub async fn add_caldav_account(&self, input: dto::CaldavInput) -> ApiResult<i64> {
        if input.url.trim().is_empty() {
            return Err(ApiError::invalid("url", "Give the CalDAV server's URL"));
        }
        if input.username.trim().is_empty() {
            return Err(ApiError::invalid("username", "Give the login name"));
        }
        if input.password.is_empty() {
            return Err(ApiError::invalid("password", "The password is empty"));
        }
        let ca_file = checked_ca_file(input.ca_file.as_deref())?;
        let config = satu_caldav::CaldavConfig {
            url: input.url.trim().to_owned(),
            username: input.username.trim().to_owned(),
            password: input.password.clone(),
            ca_file: ca_file.as_ref().map(Into::into),
        };
        let client = satu_caldav::Client::new(&config).map_err(anyhow::Error::from)?;
        let found = client.discover().await.map_err(anyhow::Error::from)?;
        let calendars = client
            .calendars(&found.home)
            .await
            .map_err(anyhow::Error::from)?;
        let host = url::Url::parse(&config.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let name = input
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("{}@{host}", config.username));
        let account = NewAccount {
            kind: AccountKind::Caldav,
            name,
            email: String::new(),
            imap: (String::new(), 0),
            smtp: (String::new(), 0),
            security: Security::Tls,
            smtp_security: None,
            url: config.url.clone(),
            username: config.username.clone(),
            ca_file,
        };
        let rows = caldav::new_calendars(calendars);
        let id = self.store.write(|tx| {
            let id = tx.add_account(&account)?;
            tx.set_caldav_home(id, &found.principal, &found.home)?;
            tx.replace_calendars(id, &rows)?;
            Ok(id)
        })?;
        if let Err(e) = secrets::set_password(&self.secret_key(id), &input.password) {
            let _ = self.store.write(|tx| tx.remove_account(id));
            return Err(e);
        }
        tracing::info!(account_id = id, calendars = rows.len(), home = %found.home, "CalDAV account added.");
        Ok(id)
    }

    /// The calendars and task lists of every CalDAV account (or just `account`).
    pub fn calendars(&self, account: Option<i64>) -> ApiResult<Vec<dto::CalendarInfo>> {
        if let Some(id) = account {
            self.store.account(id)?;
        }
        Ok(self
            .store
            .calendars(account)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Makes calendar `id` the task list where tasks made from mail go (one over every
    /// account).
    pub fn set_task_calendar(&self, id: i64) -> ApiResult<Vec<dto::CalendarInfo>> {
        let calendar = self
            .store
            .calendars(None)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| ApiError::not_found("id", format!("No calendar {id}")))?;
        if !calendar.components.iter().any(|k| k == "VTODO") {
            return Err(ApiError::invalid(
                "id",
                format!(
                    "{} holds no tasks (only {})",
                    calendar.name,
                    calendar.components.join(", ")
                ),
            ));
        }
        self.store.write(|tx| tx.set_task_calendar(id))?;
        self.calendars(None)
    }

    // ---- Events ---------------------------------------------------------------------------

    /// The instances of events overlapping `[from, to)` (RFC 3339 or `YYYY-MM-DD`, local
    /// midnight), series expanded, by start; only `calendars` when not empty.
    pub fn calendar_events(
        &self,
        from: &str,
        to: &str,
        calendars: &[i64],
    ) -> ApiResult<Vec<dto::EventOccurrence>> {
        let from_ms = crate::tasks::parse_due(from).map_err(|e| e.with_field("from"))?;
        let to_ms = crate::tasks::parse_due(to).map_err(|e| e.with_field("to"))?;
        if to_ms <= from_ms {
            return Err(ApiError::invalid(
                "to",
                "The end of the range is not after its start",
            ));
        }
        Ok(caldav::events::occurrences(
            &self.store,
            from_ms,
            to_ms,
            calendars,
        )?)
    }

    /// Everything about event `id`.
    pub fn event(&self, id: i64) -> ApiResult<dto::EventDetail> {
        caldav::events::detail(&self.store, id)
    }

    /// Makes an event in a calendar (the first one for events by default); it is on the server
    /// after the next sync (at once when online; queued while offline).
    pub fn add_event(&self, input: &dto::EventInput) -> ApiResult<dto::EventDetail> {
        let event = caldav::events::add(&self.store, input)?;
        self.outbox_wake.notify_waiters();
        Ok(event)
    }

    /// Changes event `id` (the whole series): only the fields given.
    pub fn edit_event(&self, id: i64, input: &dto::EventInput) -> ApiResult<dto::EventDetail> {
        let event = caldav::events::edit(&self.store, id, input)?;
        self.outbox_wake.notify_waiters();
        Ok(event)
    }

    /// Deletes event `id` here at once and on the server with the next sync.
    pub fn delete_event(&self, id: i64) -> ApiResult<()> {
        if self.store.event(id)?.is_none() {
            return Err(ApiError::not_found("id", format!("No event {id}")));
        }
        self.store.write(|tx| tx.delete_event(id))?;
        self.outbox_wake.notify_waiters();
        Ok(())
    }

    /// Answers a sync conflict on event `id`: keep this version (it replaces the server's) or
    /// the server's.
    pub async fn resolve_event(&self, id: i64, keep_here: bool) -> ApiResult<dto::EventDetail> {
        caldav::events::resolve(self, id, keep_here).await?;
        if let Some(calendar) = self.store.event(id)?.and_then(|e| e.calendar_id) {
            if let Some(c) = self
                .store
                .calendars(None)?
                .into_iter()
                .find(|c| c.id == calendar)
            {
                let account = self.store.account(c.account_id)?;
                caldav::sync_account(self, &account).await?;
            }
        }
        match self.store.event(id)? {
            Some(_) => self.event(id),
            None => Err(ApiError::not_found(
                "id",
                format!("Event {id} is gone (the server's choice)"),
            )),
        }
    }

    /// The selected events as one iCalendar text (with their VTIMEZONEs), and how many:
    /// a calendar's (or every calendar's), those with an instance in `[from, to)`, or the
    /// events `ids`.
    pub fn export_ics(
        &self,
        calendar: Option<i64>,
        ids: &[i64],
        range: Option<(&str, &str)>,
    ) -> ApiResult<(String, usize)> {
        let range = match range {
            Some((from, to)) => Some((
                crate::tasks::parse_due(from).map_err(|e| e.with_field("from"))?,
                crate::tasks::parse_due(to).map_err(|e| e.with_field("to"))?,
            )),
            None => None,
        };
        caldav::exchange::export(
            &self.store,
            &caldav::exchange::Selection {
                calendar,
                ids: ids.to_vec(),
                range,
            },
        )
    }

    /// Imports the events of the ICS file at `path` into `calendar` (default: the first
    /// calendar for events); they reach the server with the next sync.
    pub fn import_ics(
        &self,
        path: &Path,
        calendar: Option<i64>,
    ) -> ApiResult<dto::IcsImportReport> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("Cannot read {}", path.display()))
            .map_err(|e| ApiError::from(e).with_field("path"))?;
        let text = String::from_utf8_lossy(&bytes);
        let report = caldav::exchange::import(&self.store, &text, calendar)?;
        self.outbox_wake.notify_waiters();
        Ok(report)
    }

    /// Asks the live loop for a CalDAV pass (and an outbox run) now: the window got the focus,
    /// an account was added.
    pub fn sync_soon(&self) {
        self.outbox_wake.notify_waiters();
    }

    /// How many task and event changes wait for a CalDAV server.
    pub fn calendar_pending(&self) -> ApiResult<i64> {
        Ok(self.store.dav_pending()?)
    }

    // ---- Chat -----------------------------------------------------------------------------

    /// Adds a Matrix account: signs in with the password (a new device, "Satu") or takes an
    /// access token given directly, checks it, and keeps the token in the OS keyring (never the
    /// password). Nothing is stored when the homeserver, the login or the keyring fails.
    #[tracing::instrument(skip_all, fields(homeserver = %input.homeserver))]
    pub async fn add_matrix_account(&self, input: dto::MatrixInput) -> ApiResult<i64> {
        if input.homeserver.trim().is_empty() {
            return Err(ApiError::invalid("homeserver", "Give the homeserver's URL"));
        }
        let token = input.access_token.clone().filter(|t| !t.trim().is_empty());
        let password = input.password.clone().filter(|p| !p.is_empty());
        if token.is_none() && password.is_none() {
            return Err(ApiError::invalid(
                "password",
                "Give the password (or an access token)",
            ));
        }
        if token.is_none() && input.user.trim().is_empty() {
            return Err(ApiError::invalid("user", "Give the user name"));
        }
        let ca_file = checked_ca_file(input.ca_file.as_deref())?;
        let client = satu_matrix::Client::new(&satu_matrix::MatrixConfig {
            homeserver: input.homeserver.clone(),
            access_token: None,
            ca_file: ca_file.as_ref().map(Into::into),
        })
        .map_err(anyhow::Error::from)?
        .discover()
        .await
        .map_err(anyhow::Error::from)?;
        let (token, user_id, device_id) = match (token, password) {
            (Some(token), _) => {
                let who = client
                    .clone()
                    .with_token(token.trim())
                    .whoami()
                    .await
                    .map_err(anyhow::Error::from)?;
                (
                    token.trim().to_owned(),
                    who.user_id,
                    who.device_id.unwrap_or_default(),
                )
            }
            (None, password) => {
                let password = password.unwrap_or_default();
                let host = std::env::var("HOSTNAME").unwrap_or_default();
                let device = if host.is_empty() {
                    "Satu".to_owned()
                } else {
                    format!("Satu on {host}")
                };
                let login = client
                    .login(input.user.trim(), &password, &device)
                    .await
                    .map_err(anyhow::Error::from)?;
                (login.access_token, login.user_id, login.device_id)
            }
        };
        let name = input
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user_id.clone());
        let account = NewAccount {
            kind: AccountKind::Matrix,
            name,
            email: String::new(),
            imap: (String::new(), 0),
            smtp: (String::new(), 0),
            security: Security::Tls,
            smtp_security: None,
            url: client.homeserver().to_string(),
            username: user_id.clone(),
            ca_file,
        };
        let id = self.store.write(|tx| {
            let id = tx.add_account(&account)?;
            tx.set_matrix_device(id, &user_id, &device_id)?;
            Ok(id)
        })?;
        if let Err(e) = secrets::set_password(&self.secret_key(id), &token) {
            let _ = self.store.write(|tx| tx.remove_account(id));
            return Err(e);
        }
        tracing::info!(account_id = id, user = %user_id, device = %device_id, "Matrix account added.");
        Ok(id)
    }

    /// The rooms and direct chats of every Matrix account (or just `account`), most recently
    /// active first.
    pub fn chat_rooms(&self, account: Option<i64>) -> ApiResult<Vec<dto::ChatRoom>> {
        if let Some(id) = account {
            self.store.account(id)?;
        }
        Ok(self
            .store
            .chat_rooms(account)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// A room by what a person typed: its number (`satu chat rooms`), its Matrix id, or its
    /// name (which must be unique).
    fn find_room(&self, room: &str) -> ApiResult<satu_store::ChatRoom> {
        let rooms = self.store.chat_rooms(None)?;
        let wanted = room.trim();
        let found: Vec<&satu_store::ChatRoom> = match wanted.parse::<i64>() {
            Ok(id) => rooms.iter().filter(|r| r.id == id).collect(),
            Err(_) => {
                let exact: Vec<_> = rooms.iter().filter(|r| r.room_id == wanted).collect();
                if exact.is_empty() {
                    rooms
                        .iter()
                        .filter(|r| r.name.eq_ignore_ascii_case(wanted))
                        .collect()
                } else {
                    exact
                }
            }
        };
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "No room {wanted:?}: give its number, id or name from `satu chat rooms` (run `satu sync` if it is new)"
                ),
            )
            .with_field("room")),
            many => Err(ApiError::invalid(
                "room",
                format!(
                    "{} rooms are named {wanted:?}: give the number instead ({})",
                    many.len(),
                    many.iter()
                        .map(|r| r.id.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// Writes `text` to `room` (number, id or name), as a reply to chat item `reply_to` when
    /// given. The message is in the timeline at once and queued with its transaction id, then
    /// sent (for at most 10 s here; offline it stays queued and the live loop or the next
    /// `satu sync` sends it, never twice).
    pub async fn chat_send(
        &self,
        room: &str,
        text: &str,
        reply_to: Option<i64>,
    ) -> ApiResult<dto::Item> {
        if text.trim().is_empty() {
            return Err(ApiError::invalid("text", "The message is empty"));
        }
        let room = self.find_room(room)?;
        if room.membership != "join" {
            return Err(ApiError::invalid(
                "room",
                format!(
                    "You are not in {} ({}): join it first (`satu chat join {}`)",
                    room.name, room.membership, room.id
                ),
            ));
        }
        let reply_event = match reply_to {
            None => String::new(),
            Some(item) => {
                let (info, _, _) = self.store.chat_message(item)?.ok_or_else(|| {
                    ApiError::invalid("reply_to", format!("Item {item} is not a chat message"))
                })?;
                if info.room != room.id {
                    return Err(ApiError::invalid(
                        "reply_to",
                        format!("Item {item} is in another room ({})", info.room_name),
                    ));
                }
                info.event_id.ok_or_else(|| {
                    ApiError::invalid(
                        "reply_to",
                        format!("Item {item} is not sent yet: answer it once it is"),
                    )
                })?
            }
        };
        let account = self.store.account(room.account_id)?;
        let txn = matrix::new_txn_id();
        let id = self.store.write(|tx| {
            tx.queue_chat_message(
                room.id,
                &account.username,
                &txn,
                text,
                &reply_event,
                send::now_ms(),
            )
        })?;
        self.chat_wake.notify_waiters();
        self.chat_push_now(&account).await;
        self.item(id)
    }

    /// Tries to push an account's queued messages and read markers for at most
    /// [`PUSH_NOW_TIMEOUT`]; failures leave them queued.
    async fn chat_push_now(&self, account: &satu_store::Account) {
        let push = async {
            let client = matrix::client(self, account)?;
            matrix::flush(&self.store, account, &client, false).await
        };
        match tokio::time::timeout(PUSH_NOW_TIMEOUT, push).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::info!(account_id = account.id, error = %format!("{e:#}"), "Chat change queued: the homeserver is not reachable now.");
            }
            Err(_) => {
                tracing::info!(
                    account_id = account.id,
                    "Chat change queued: the homeserver is slow to answer."
                );
            }
        }
    }

    /// Sends a message that failed for good again (its transaction id stays the same).
    pub async fn chat_retry(&self, id: i64) -> ApiResult<dto::Item> {
        let (info, _, _) = self
            .store
            .chat_message(id)?
            .ok_or_else(|| ApiError::invalid("id", format!("Item {id} is not a chat message")))?;
        if info.state != "failed" {
            return Err(ApiError::invalid(
                "id",
                format!("Message {id} is {}, not failed", info.state),
            ));
        }
        self.store.write(|tx| tx.chat_retry(id, send::now_ms()))?;
        let account = self.store.account(self.store.item_row(id)?.account_id)?;
        self.chat_push_now(&account).await;
        self.item(id)
    }

    /// Loads up to `pages` pages (100 events each) of older history of `room`.
    pub async fn chat_history(&self, room: &str, pages: u32) -> ApiResult<dto::HistoryReport> {
        let room = self.find_room(room)?;
        let account = self.store.account(room.account_id)?;
        let (stored, complete) =
            matrix::load_history(self, &account, room.id, pages.max(1) as usize).await?;
        Ok(dto::HistoryReport {
            room: room.id,
            stored,
            complete,
        })
    }

    /// Mutes (or unmutes) the notifications of `room`.
    pub fn set_room_muted(&self, room: &str, muted: bool) -> ApiResult<dto::ChatRoom> {
        let room = self.find_room(room)?;
        self.store.write(|tx| tx.set_room_muted(room.id, muted))?;
        Ok(self.find_room(&room.id.to_string())?.into())
    }

    /// Joins `room` (accepting its invitation), then syncs the account.
    pub async fn chat_join(&self, room: &str) -> ApiResult<dto::ChatRoom> {
        let room = self.find_room(room)?;
        let account = self.store.account(room.account_id)?;
        let client = matrix::client(self, &account)?;
        client
            .join(&room.room_id)
            .await
            .map_err(anyhow::Error::from)?;
        matrix::sync_once(&self.store, &account, &client, Duration::ZERO).await?;
        Ok(self.find_room(&room.id.to_string())?.into())
    }

    // ---- Sync -----------------------------------------------------------------------------

    /// One pass over every mail account (or just `account`), then returns what it saw.
    pub async fn sync(&self, account: Option<i64>) -> ApiResult<Vec<SyncReport>> {
        self.sync_with_progress(account, &|_| {}).await
    }

    /// [`Satu::sync`], calling `progress` after every batch of messages stored (`done` of
    /// `total` messages to fetch in that folder) so a window can show how far a first sync is.
    pub async fn sync_with_progress(
        &self,
        account: Option<i64>,
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> ApiResult<Vec<SyncReport>> {
        let accounts = match account {
            Some(id) => vec![self.store.account(id)?],
            None => self.store.accounts()?,
        };
        let mut reports = Vec::new();
        for account in accounts.iter().filter(|a| a.kind == AccountKind::Caldav) {
            let pass = caldav::sync_account(self, account).await?;
            reports.push(SyncReport {
                account: account.id,
                capabilities: Vec::new(),
                folders: Vec::new(),
                fetched: 0,
                updated: 0,
                removed: 0,
                deleted: 0,
                pushed: 0,
                pending: 0,
                tasks: Some(pass.tasks),
                events: Some(pass.events),
                chat: None,
            });
        }
        for account in accounts.iter().filter(|a| a.kind == AccountKind::Matrix) {
            let pass = matrix::sync_account(self, account).await?;
            reports.push(SyncReport {
                account: account.id,
                capabilities: Vec::new(),
                folders: Vec::new(),
                fetched: 0,
                updated: 0,
                removed: 0,
                deleted: 0,
                pushed: pass.sent + pass.read_markers,
                pending: 0,
                tasks: None,
                events: None,
                chat: Some(dto::ChatSyncCounts {
                    rooms: pass.rooms,
                    messages: pass.messages,
                    updated: pass.updated,
                    sent: pass.sent,
                    read_markers: pass.read_markers,
                }),
            });
        }
        for account in accounts.into_iter().filter(|a| a.kind == AccountKind::Imap) {
            // Mail waiting in the outbox and drafts for the Drafts folder go first; a failure
            // there (SMTP down) does not stop the sync.
            if let Err(e) = send::flush(self, Some(account.id)).await {
                tracing::warn!(account_id = account.id, error = %format!("{e:#}"), "The outbox could not be sent.");
            }
            let password = secrets::password(&self.secret_key(account.id))?;
            reports.push(sync::sync_imap(&self.store, &account, password, progress).await?);
        }
        Ok(reports)
    }

    /// Keeps every IMAP account in sync until `cancel` fires: new mail pushed by the server
    /// (IDLE on INBOX) is stored within about a second, the other folders are synced every
    /// `options.full_pass`, local changes are pushed as soon as they are queued, and a lost
    /// connection is retried with backoff. `on_status` hears every change of an account's
    /// [`LiveStatus`] (connected, syncing, offline with the error and the next retry). Returns a
    /// few seconds after `cancel` at most.
    pub async fn run_live(
        &self,
        cancel: CancellationToken,
        options: LiveOptions,
        on_status: impl Fn(LiveStatus) + Send + Sync + 'static,
    ) -> ApiResult<()> {
        let latest = self.live_status.clone();
        let on_status = move |status: LiveStatus| {
            if let Ok(mut latest) = latest.lock() {
                latest.insert(status.account, status.clone());
            }
            on_status(status);
        };
        live::run(self.clone(), cancel, options, Arc::new(on_status)).await
    }

    /// The items whose new-mail notification the user clicks from now on (`run_live` with
    /// [`LiveOptions::notify`] shows them), for the app to open.
    pub fn notification_clicks(&self) -> tokio::sync::broadcast::Receiver<i64> {
        self.clicks.subscribe()
    }

    pub(crate) fn clicks(&self) -> tokio::sync::broadcast::Sender<i64> {
        self.clicks.clone()
    }

    /// Shows (or hides) an account's items in the unified views; hidden, it keeps syncing and
    /// its own view (`TimelineQuery::account`) still shows everything.
    pub fn set_account_in_timeline(&self, id: i64, shown: bool) -> ApiResult<dto::Account> {
        self.store
            .write(|tx| tx.set_account_in_timeline(id, shown))?;
        Ok(self.store.account(id)?.into())
    }

    /// Unread, flagged and open-task counts: totals over the unified timeline, per account and
    /// per folder.
    pub fn counts(&self) -> ApiResult<dto::Counts> {
        let counts = self.store.counts()?;
        let shown: Vec<i64> = self
            .store
            .accounts()?
            .into_iter()
            .filter(|a| a.in_timeline)
            .map(|a| a.id)
            .collect();
        let mut out = dto::Counts::default();
        for &(account, unread, flagged, tasks) in &counts.accounts {
            if shown.contains(&account) {
                out.unread += unread;
                out.flagged += flagged;
                out.tasks += tasks;
            }
            out.accounts.push(dto::AccountCounts {
                account,
                unread,
                flagged,
                tasks,
            });
        }
        out.folders = counts
            .folders
            .into_iter()
            .map(|(folder, unread)| dto::FolderCount { folder, unread })
            .collect();
        Ok(out)
    }

    /// Mutes (`notify` false) or unmutes the new-mail notifications of an account.
    pub fn set_account_notify(&self, id: i64, notify: bool) -> ApiResult<dto::Account> {
        self.store.write(|tx| tx.set_account_notify(id, notify))?;
        Ok(self.store.account(id)?.into())
    }

    /// The latest live-sync status of every account `run_live` has reported on, by account id
    /// (a window that subscribes to status events late starts from this).
    pub fn live_status(&self) -> Vec<LiveStatus> {
        match self.live_status.lock() {
            Ok(latest) => latest.values().cloned().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Pushes the account's queued operations now (all that are not wedged, whatever their
    /// backoff). Returns how many the server took.
    pub async fn push(&self, account_id: i64) -> ApiResult<u64> {
        let account = self.store.account(account_id)?;
        if account.kind != AccountKind::Imap {
            return Ok(0);
        }
        let password = secrets::password(&self.secret_key(account.id))?;
        let mut session = ImapSession::connect(&sync::imap_config(&account, password))
            .await
            .map_err(anyhow::Error::from)?;
        let replayed = replay::replay_imap(&self.store, &account, &mut session, i64::MAX).await;
        session.logout().await;
        Ok(replayed?.done)
    }

    // ---- Mail actions ---------------------------------------------------------------------
    //
    // Each applies locally at once, with its server operation queued in the same transaction,
    // then tries to push it (for at most PUSH_NOW_TIMEOUT); offline it simply stays queued.

    /// Marks an item read/unread and/or flagged/unflagged.
    pub async fn mark(
        &self,
        id: i64,
        unread: Option<bool>,
        flagged: Option<bool>,
    ) -> ApiResult<ActionReport> {
        if unread.is_none() && flagged.is_none() {
            return Err(ApiError::invalid(
                "mark",
                "Say what to mark: read, unread, flagged or unflagged",
            ));
        }
        let row = self.store.item_row(id)?;
        let changed = actions::mark(&self.store, id, unread, flagged)?;
        if row.kind == ItemKind::Chat {
            // The room's read marker moved here: tell the homeserver now when it answers.
            let account = self.store.account(row.account_id)?;
            self.chat_wake.notify_waiters();
            self.chat_push_now(&account).await;
            let pending = self.store.read_markers_to_push(account.id)?.len() as u64;
            return Ok(ActionReport {
                id,
                changed,
                folder: None,
                deleted: false,
                pushed: pending == 0,
                pending,
            });
        }
        self.action_report(row.account_id, id, changed, None, false)
            .await
    }

    /// Moves a mail item to the folder `folder` of its account.
    pub async fn move_item(&self, id: i64, folder: &str) -> ApiResult<ActionReport> {
        let account = self.store.item_row(id)?.account_id;
        let folder = actions::move_item(&self.store, id, &Target::Named(folder.to_owned()))?;
        self.action_report(account, id, true, Some(folder), false)
            .await
    }

    /// Moves a mail item to its account's Archive folder.
    pub async fn archive(&self, id: i64) -> ApiResult<ActionReport> {
        let account = self.store.item_row(id)?.account_id;
        let target = Target::Role(FolderRole::Archive);
        let folder = actions::move_item(&self.store, id, &target)?;
        self.action_report(account, id, true, Some(folder), false)
            .await
    }

    /// Deletes a mail item: to the Trash, or for good if it is in the Trash already.
    pub async fn delete(&self, id: i64) -> ApiResult<ActionReport> {
        let account = self.store.item_row(id)?.account_id;
        let (folder, deleted) = match actions::delete(&self.store, id)? {
            Deleted::ToTrash(folder) => (Some(folder), false),
            Deleted::ForGood => (None, true),
        };
        self.action_report(account, id, true, folder, deleted).await
    }

    /// Tries to push the account's queue now, then says what happened.
    async fn action_report(
        &self,
        account: i64,
        id: i64,
        changed: bool,
        folder: Option<String>,
        deleted: bool,
    ) -> ApiResult<ActionReport> {
        let queued = || -> ApiResult<u64> {
            let ops = self.store.ops()?;
            Ok(ops.iter().filter(|op| op.account_id == account).count() as u64)
        };
        if queued()? > 0 {
            match tokio::time::timeout(PUSH_NOW_TIMEOUT, self.push(account)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::info!(account_id = account, error = %e.message, "Change queued: the server is not reachable now.");
                }
                Err(_) => {
                    tracing::info!(
                        account_id = account,
                        "Change queued: the server is slow to answer."
                    );
                }
            }
        }
        let pending = queued()?;
        Ok(ActionReport {
            id,
            changed,
            folder,
            deleted,
            pushed: pending == 0,
            pending,
        })
    }

    /// Every queued operation (pending or wedged), oldest first.
    pub fn ops(&self) -> ApiResult<Vec<dto::PendingOp>> {
        Ok(self.store.ops()?.into_iter().map(Into::into).collect())
    }

    /// Retries a queued operation (a wedged one included) now: it is rescheduled and the
    /// account's queue pushed (for at most 10 s; offline it stays queued). Returns how many
    /// operations the server took.
    pub async fn retry_op(&self, id: i64) -> ApiResult<u64> {
        let Some(op) = self.store.ops()?.into_iter().find(|op| op.id == id) else {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("No queued operation with id {id} (see `satu ops`)"),
            ));
        };
        self.store.write(|tx| tx.retry_op(id))?;
        match tokio::time::timeout(PUSH_NOW_TIMEOUT, self.push(op.account_id)).await {
            Ok(Ok(pushed)) => Ok(pushed),
            Ok(Err(e)) => {
                tracing::info!(op_id = id, error = %e.message, "Retry queued: the server is not reachable now.");
                Ok(0)
            }
            Err(_) => Ok(0),
        }
    }

    /// The folders of one account, or of every account: INBOX first, then by name.
    pub fn folders(&self, account: Option<i64>) -> ApiResult<Vec<dto::Folder>> {
        let accounts = match account {
            Some(id) => vec![self.store.account(id)?],
            None => self.store.accounts()?,
        };
        let mut folders = Vec::new();
        for account in accounts {
            folders.extend(self.store.folders(account.id)?.into_iter().map(Into::into));
        }
        Ok(folders)
    }

    /// Chooses whether the live sync pushes `folder` (IMAP IDLE on a connection of its own, so
    /// its changes arrive within about a second instead of at the next full pass), in one account
    /// or in every account that has it. INBOX is always pushed. Returns the folders changed; a
    /// running `satu watch` or app picks the choice up within about 10 s.
    pub fn set_folder_push(
        &self,
        account: Option<i64>,
        folder: &str,
        push: bool,
    ) -> ApiResult<Vec<dto::Folder>> {
        let accounts = match account {
            Some(id) => vec![self.store.account(id)?],
            None => self.store.accounts()?,
        };
        let mut changed = Vec::new();
        for account in accounts {
            let Some(found) = self.store.folders(account.id)?.into_iter().find(|f| {
                f.name == folder
                    || (f.role == FolderRole::Inbox && folder.eq_ignore_ascii_case("inbox"))
            }) else {
                continue;
            };
            if found.role == FolderRole::Inbox && !push {
                return Err(ApiError::invalid(
                    "folder",
                    "INBOX is always pushed: new mail arrives there",
                ));
            }
            if !found.selectable {
                return Err(ApiError::invalid(
                    "folder",
                    format!(
                        "The folder {:?} holds no messages, so there is nothing to push",
                        found.name
                    ),
                ));
            }
            if let Some(folder) = self
                .store
                .write(|tx| tx.set_folder_push(account.id, &found.name, push))?
            {
                changed.push(folder.into());
            }
        }
        if changed.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("No folder named {folder:?} (see `satu folders`; run `satu sync` first for a new account)"),
            ));
        }
        Ok(changed)
    }

    // ---- Tasks ----------------------------------------------------------------------------

    /// Makes a task of mail item `id` (title from the subject, linked both ways, due at `due`:
    /// RFC 3339 or a day like `2026-12-24`). A mail that has a task already gets that one back.
    pub fn task_from_mail(&self, id: i64, due: Option<&str>) -> ApiResult<dto::Item> {
        let due_ms = due.map(crate::tasks::parse_due).transpose()?;
        let (task, made) = self.store.write(|tx| tx.task_from_mail(id, due_ms))?;
        tracing::info!(mail_id = id, task, made, "Task from mail.");
        self.outbox_wake.notify_waiters();
        Ok(self.store.item_row(task)?.into())
    }

    /// Every task: open ones first (by due date), then done ones.
    pub fn tasks(&self) -> ApiResult<Vec<dto::Item>> {
        Ok(self.store.tasks()?.into_iter().map(Into::into).collect())
    }

    /// Completes task `id` (or reopens it with `done` false). Completing a task made from a
    /// flagged mail unflags the mail when `tasks.unflag_on_done` is on (queued for its server and
    /// pushed at once when it answers).
    pub async fn task_done(&self, id: i64, done: bool) -> ApiResult<dto::Item> {
        if let Some(account) = crate::tasks::set_done(&self.store, id, done)? {
            let mail = self.store.item_row(id)?.todo.and_then(|t| t.mail_item);
            self.action_report(account, mail.unwrap_or(id), true, None, false)
                .await?;
        }
        self.outbox_wake.notify_waiters();
        Ok(self.store.item_row(id)?.into())
    }

    /// Sets the due date of task `id` (RFC 3339 or a day like `2026-12-24`, midnight local
    /// time), or clears it with `None`.
    pub fn set_task_due(&self, id: i64, due: Option<&str>) -> ApiResult<dto::Item> {
        let due_ms = due.map(crate::tasks::parse_due).transpose()?;
        self.store.write(|tx| tx.set_task_due(id, due_ms))?;
        self.outbox_wake.notify_waiters();
        Ok(self.store.item_row(id)?.into())
    }

    /// Renames task `id` (pushed to its task list with the next sync).
    pub fn set_task_title(&self, id: i64, title: &str) -> ApiResult<dto::Item> {
        let title = title.trim();
        if title.is_empty() {
            return Err(ApiError::invalid("title", "Give the task a title"));
        }
        self.store.write(|tx| tx.set_task_title(id, title))?;
        self.outbox_wake.notify_waiters();
        Ok(self.store.item_row(id)?.into())
    }

    /// Deletes task `id` here at once, and from its task list with the next sync.
    pub fn delete_task(&self, id: i64) -> ApiResult<()> {
        self.store.write(|tx| tx.delete_task(id))?;
        self.outbox_wake.notify_waiters();
        Ok(())
    }

    /// Answers a sync conflict on task `id` (see `todo.conflict`): keep this version (`keep_here`:
    /// it replaces the server's) or the server's.
    pub async fn resolve_task(&self, id: i64, keep_here: bool) -> ApiResult<dto::Item> {
        caldav::tasks::resolve(self, id, keep_here).await?;
        Ok(self.store.item_row(id)?.into())
    }

    /// Every setting with its value: the on/off ones, then the numeric ones.
    pub fn settings(&self) -> ApiResult<Vec<dto::SettingValue>> {
        let mut all = Setting::ALL
            .into_iter()
            .map(|s| {
                Ok(dto::SettingValue {
                    key: s.key().to_owned(),
                    value: self.store.setting(s)?,
                    default: s.default_value(),
                    number: None,
                    default_number: None,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        for s in NumberSetting::ALL {
            all.push(number_value(s, self.store.number_setting(s)?));
        }
        Ok(all)
    }

    /// Chooses a setting (`true` / `false`, `on` / `off`; a number for a numeric one).
    pub fn set_setting(&self, key: &str, value: &str) -> ApiResult<dto::SettingValue> {
        if let Some(setting) = NumberSetting::parse(key) {
            let (low, high) = setting.range();
            let number: i64 = value
                .trim()
                .parse()
                .ok()
                .filter(|n| (low..=high).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "value",
                        format!(
                            "{value:?} is not a value for {key}: use a number from {low} to {high}"
                        ),
                    )
                })?;
            let number = self
                .store
                .write(|tx| tx.set_number_setting(setting, number))?;
            return Ok(number_value(setting, number));
        }
        let Some(setting) = Setting::parse(key) else {
            let keys: Vec<&str> = Setting::ALL
                .iter()
                .map(|s| s.key())
                .chain(NumberSetting::ALL.iter().map(|s| s.key()))
                .collect();
            return Err(ApiError::invalid(
                "key",
                format!("No setting {key:?}; the settings are {}", keys.join(", ")),
            ));
        };
        let value = match value.to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" => true,
            "false" | "off" | "no" | "0" => false,
            other => {
                return Err(ApiError::invalid(
                    "value",
                    format!("{other:?} is not a value for {key}: use true or false"),
                ))
            }
        };
        self.store.write(|tx| tx.set_setting(setting, value))?;
        Ok(dto::SettingValue {
            key: setting.key().to_owned(),
            value,
            default: setting.default_value(),
            number: None,
            default_number: None,
        })
    }

    // ---- Sending --------------------------------------------------------------------------

    /// Queues a message and, when it is due at once, sends it (for at most PUSH_NOW_TIMEOUT;
    /// offline it stays queued and goes out when the server answers). Returns its outbox entry;
    /// a message the server refused (a recipient, the login) is an error saying why, and stays
    /// in the outbox as failed.
    pub async fn send(&self, input: &dto::SendInput) -> ApiResult<dto::OutboxEntry> {
        let account = self.store.account(input.account)?;
        if account.kind != AccountKind::Imap || account.smtp.0.is_empty() {
            return Err(ApiError::invalid(
                "account",
                format!("Account {} has no SMTP server to send through", account.id),
            ));
        }
        let reply = match input.reply_to_item {
            Some(id) => Some(self.store.mail_references(id)?.ok_or_else(|| {
                ApiError::invalid("reply_to_item", format!("Item {id} is not a mail"))
            })?),
            None => None,
        };
        let mut attachments = Vec::new();
        for path in &input.attachments {
            let path = Path::new(path);
            let content = std::fs::read(path).map_err(|e| {
                let code = if e.kind() == std::io::ErrorKind::NotFound {
                    ErrorCode::NotFound
                } else {
                    ErrorCode::InvalidInput
                };
                ApiError::new(code, format!("Cannot attach {}: {e}", path.display()))
                    .with_field("attach")
            })?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "attachment".to_owned());
            attachments.push(send::compose::Attached {
                mime_type: send::compose::mime_type_of(&name).to_owned(),
                name,
                content,
            });
        }
        for file in &input.files {
            use base64::Engine as _;
            let content = base64::engine::general_purpose::STANDARD
                .decode(file.data.as_bytes())
                .map_err(|e| {
                    ApiError::invalid("attach", format!("{:?} is not readable ({e})", file.name))
                })?;
            let name = if file.name.trim().is_empty() {
                "attachment".to_owned()
            } else {
                file.name.trim().to_owned()
            };
            attachments.push(send::compose::Attached {
                mime_type: if file.mime_type.is_empty() {
                    send::compose::mime_type_of(&name).to_owned()
                } else {
                    file.mime_type.clone()
                },
                name,
                content,
            });
        }
        if let Some(original) = input.forward_of {
            let count = self.store.item(original)?.attachments.len();
            for index in 0..count {
                let (info, content) = self.attachment(original, index as u32)?;
                attachments.push(send::compose::Attached {
                    name: info.name,
                    mime_type: info.mime_type,
                    content,
                });
            }
        }
        let built = send::compose::build(&send::compose::Outline {
            from_name: account.name.clone(),
            from_address: account.email.clone(),
            to: input.to.clone(),
            cc: input.cc.clone(),
            bcc: input.bcc.clone(),
            subject: input.subject.clone(),
            text: input.body.clone(),
            html: input.html.clone(),
            attachments,
            reply,
            draft: false,
            calendar: None,
        })?;
        let now = send::now_ms();
        let not_before = match &input.at {
            Some(at) => chrono::DateTime::parse_from_rfc3339(at.trim())
                .map_err(|_| {
                    ApiError::invalid(
                        "at",
                        format!(
                            "{at:?} is not a time: use RFC 3339, e.g. 2026-12-24T09:00:00+08:00"
                        ),
                    )
                })?
                .timestamp_millis(),
            None => {
                let undo = match input.undo_seconds {
                    Some(seconds) => i64::from(seconds),
                    None => self.store.number_setting(NumberSetting::UndoSendSeconds)?,
                };
                now + undo * 1000
            }
        };
        if let Some(draft) = input.draft {
            self.store.draft(draft)?;
        }
        let id = self.store.write(|tx| {
            if let Some(draft) = input.draft {
                tx.delete_draft(draft)?;
            }
            tx.queue_outgoing(&satu_store::NewOutgoing {
                account_id: account.id,
                message_id: built.message_id.clone(),
                mail_from: built.envelope_from.clone(),
                rcpt: built.rcpt.clone(),
                raw: built.raw.clone(),
                subject: input.subject.trim().to_owned(),
                recipients: built.recipients.clone(),
                reply_to_item: input.reply_to_item,
                not_before_ms: not_before,
            })
        })?;
        tracing::info!(account_id = account.id, outbox_id = id, message_id = %built.message_id, "Queued.");
        self.outbox_wake.notify_waiters();
        if not_before <= now {
            match tokio::time::timeout(PUSH_NOW_TIMEOUT, send::flush(self, Some(account.id))).await
            {
                Ok(Ok(flushed)) => {
                    if let Some((_, error)) = flushed.errors.into_iter().find(|(o, _)| *o == id) {
                        let entry = self.store.outgoing(id)?;
                        if entry.state == satu_store::OutboxState::Failed {
                            return Err(ApiError {
                                message: format!(
                                    "Message {id} was not sent (it stays in the outbox): {}",
                                    error.message
                                ),
                                ..error
                            });
                        }
                    }
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "Sending now failed; it stays queued.")
                }
                Err(_) => tracing::warn!("The server is slow; the message stays queued."),
            }
        }
        Ok(self.store.outgoing(id)?.into())
    }

    /// Saves a draft as the user types: a new one (`draft.id` null) or a new revision. Its
    /// latest revision goes to the Drafts folder once typing has paused (and the server
    /// answers). Returns it with its id.
    pub fn save_draft(&self, draft: &dto::Draft) -> ApiResult<dto::Draft> {
        let account = self.store.account(draft.account)?;
        let content = satu_store::DraftContent {
            account_id: account.id,
            to: draft.to.clone(),
            cc: draft.cc.clone(),
            bcc: draft.bcc.clone(),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
            reply_to_item: draft.reply_to_item,
            forward_of: draft.forward_of,
        };
        let id = self
            .store
            .write(|tx| tx.save_draft(draft.id, &content, send::now_ms()))?;
        self.outbox_wake.notify_waiters();
        Ok(self.store.draft(id)?.into())
    }

    /// The drafts being written, newest first.
    pub fn drafts(&self) -> ApiResult<Vec<dto::Draft>> {
        Ok(self.store.drafts()?.into_iter().map(Into::into).collect())
    }

    /// Discards a draft (its copy leaves the Drafts folder too).
    pub fn delete_draft(&self, id: i64) -> ApiResult<()> {
        self.store.write(|tx| tx.delete_draft(id))?;
        self.outbox_wake.notify_waiters();
        Ok(())
    }

    /// The outbox, newest first: queued, sending, sent and failed messages.
    pub fn outbox(&self) -> ApiResult<Vec<dto::OutboxEntry>> {
        Ok(self.store.outbox()?.into_iter().map(Into::into).collect())
    }

    /// Undo send: takes back a queued message that has not started going out (or a failed
    /// one). An error when it is too late.
    pub fn cancel_send(&self, id: i64) -> ApiResult<dto::OutboxEntry> {
        if !self.store.write(|tx| tx.cancel_outgoing(id))? {
            let entry = self.store.outgoing(id)?;
            return Err(ApiError::invalid(
                "id",
                format!(
                    "Too late to take message {id} back: it is {}",
                    entry.state.as_str()
                ),
            ));
        }
        self.outbox_wake.notify_waiters();
        Ok(self.store.outgoing(id)?.into())
    }

    /// Edit: takes a message back from the outbox (like undo send; a failed one too) and
    /// returns its content as a draft to change and send again.
    pub fn edit_send(&self, id: i64) -> ApiResult<dto::Draft> {
        let entry = self.store.outgoing(id)?;
        let raw = self.store.outgoing_raw(id)?;
        self.cancel_send(id)?;
        let parsed = satu_mail::parse_message(&raw);
        let addresses = satu_mail::reply_addresses(&raw);
        let show = |(name, address): &(Option<String>, String)| match name {
            Some(name) => format!("{name} <{address}>"),
            None => address.clone(),
        };
        let to: Vec<String> = addresses.to.iter().map(show).collect();
        let cc: Vec<String> = addresses.cc.iter().map(show).collect();
        let shown: std::collections::BTreeSet<String> = addresses
            .to
            .iter()
            .chain(&addresses.cc)
            .map(|(_, a)| a.to_ascii_lowercase())
            .collect();
        let bcc = entry
            .rcpt
            .iter()
            .filter(|r| !shown.contains(&r.to_ascii_lowercase()))
            .cloned()
            .collect();
        Ok(dto::Draft {
            account: entry.account_id,
            to,
            cc,
            bcc,
            subject: entry.subject,
            body: parsed
                .body_text
                .map(|t| t.replace("\r\n", "\n"))
                .unwrap_or_default(),
            reply_to_item: entry.reply_to_item,
            ..dto::Draft::default()
        })
    }

    /// Retries a failed message now. A message the server may already have is looked for in
    /// Sent first, unless `resend`: then it goes out again whatever (the user's choice).
    pub async fn retry_send(&self, id: i64, resend: bool) -> ApiResult<dto::OutboxEntry> {
        if !self.store.write(|tx| tx.retry_outgoing(id, resend))? {
            let entry = self.store.outgoing(id)?;
            return Err(ApiError::invalid(
                "id",
                format!("Message {id} is {}: nothing to retry", entry.state.as_str()),
            ));
        }
        let account = self.store.outgoing(id)?.account_id;
        if let Ok(Err(e)) =
            tokio::time::timeout(PUSH_NOW_TIMEOUT, send::flush(self, Some(account))).await
        {
            tracing::warn!(error = %format!("{e:#}"), "Retrying failed; it stays queued.");
        }
        Ok(self.store.outgoing(id)?.into())
    }

    /// Sends every queued message that is due (offline: nothing changes). Returns the outbox.
    pub async fn flush_outbox(&self) -> ApiResult<Vec<dto::OutboxEntry>> {
        send::flush(self, None).await?;
        self.outbox()
    }

    /// When the outbox next needs a look (a message falls due), if ever.
    pub(crate) fn next_outgoing_due(&self) -> ApiResult<Option<i64>> {
        Ok(self.store.next_outgoing_due()?)
    }

    /// A reply to mail `id`, ready to edit: to its sender (Reply-To first), with `all` also to
    /// everyone else it was addressed to (never to the account itself), "Re:" and the quote.
    pub fn reply_draft(&self, id: i64, all: bool) -> ApiResult<dto::Draft> {
        let detail = self.store.item(id)?;
        if detail.row.kind != ItemKind::Mail {
            return Err(ApiError::invalid("id", format!("Item {id} is not a mail")));
        }
        let account = self.store.account(detail.row.account_id)?;
        let raw = self.store.raw_message(id)?;
        let addresses = satu_mail::reply_addresses(&raw);
        let me = account.email.to_ascii_lowercase();
        let show = |(name, address): &(Option<String>, String)| match name {
            Some(name) => format!("{name} <{address}>"),
            None => address.clone(),
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut keep = |a: &(Option<String>, String)| {
            let lower = a.1.to_ascii_lowercase();
            lower != me && seen.insert(lower)
        };
        let mut to: Vec<String> = addresses
            .reply_to
            .iter()
            .filter(|a| keep(a))
            .map(show)
            .collect();
        let mut cc = Vec::new();
        if all {
            to.extend(addresses.to.iter().filter(|a| keep(a)).map(show));
            cc.extend(addresses.cc.iter().filter(|a| keep(a)).map(show));
        }
        if to.is_empty() {
            // A reply to one's own message goes to its recipients.
            to = addresses.to.iter().map(show).collect();
        }
        let sender = detail
            .row
            .sender
            .as_ref()
            .map(|p| p.name.clone().unwrap_or_else(|| p.address.clone()))
            .unwrap_or_default();
        Ok(dto::Draft {
            account: account.id,
            to,
            cc,
            subject: send::compose::reply_subject(&detail.row.title),
            body: send::compose::quote(
                detail.body_text.as_deref().unwrap_or(&detail.row.snippet),
                &send::compose::human_time(detail.row.time_ms),
                &sender,
            ),
            reply_to_item: Some(id),
            forward_of: None,
            ..dto::Draft::default()
        })
    }

    /// A forward of mail `id`, ready to edit: "Fwd:", the original's headers and text; its
    /// attachments go along when sent with `forward_of`.
    pub fn forward_draft(&self, id: i64) -> ApiResult<dto::Draft> {
        let detail = self.store.item(id)?;
        if detail.row.kind != ItemKind::Mail {
            return Err(ApiError::invalid("id", format!("Item {id} is not a mail")));
        }
        let from = detail
            .row
            .sender
            .as_ref()
            .map(|p| match &p.name {
                Some(name) => format!("{name} <{}>", p.address),
                None => p.address.clone(),
            })
            .unwrap_or_default();
        Ok(dto::Draft {
            account: detail.row.account_id,
            to: Vec::new(),
            cc: Vec::new(),
            subject: send::compose::forward_subject(&detail.row.title),
            body: send::compose::forwarded(
                detail.body_text.as_deref().unwrap_or(&detail.row.snippet),
                &from,
                &send::compose::human_time(detail.row.time_ms),
                &detail.row.title,
                &detail.recipients,
            ),
            reply_to_item: None,
            forward_of: Some(id),
            ..dto::Draft::default()
        })
    }

    // ---- Timeline -------------------------------------------------------------------------

    /// A page of the timeline, newest first.
    pub fn timeline(&self, query: &TimelineQuery) -> ApiResult<Vec<dto::Item>> {
        let kind = query
            .kind
            .as_deref()
            .map(ItemKind::parse)
            .transpose()
            .map_err(|e| ApiError::invalid("kind", e.to_string()))?;
        if let Some(account) = query.account {
            self.store.account(account)?;
        }
        if let Some(folder) = query.folder {
            if self.store.folder(folder)?.is_none() {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("No folder with id {folder} (see `satu folders`)"),
                )
                .with_field("folder"));
            }
        }
        let rows = self.store.timeline(&satu_store::TimelineQuery {
            limit: limit(query.limit),
            kind,
            unread_only: query.unread.unwrap_or(false),
            flagged_only: query.flagged.unwrap_or(false),
            folder: query.folder,
            unified: query.account.is_none() && query.folder.is_none(),
            before: query.before,
            accounts: query.account.into_iter().collect(),
            threads: query.threads.unwrap_or(false),
            thread: query.thread,
        })?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Full-text search over every item, newest first.
    pub fn search(&self, query: &SearchQuery) -> ApiResult<Vec<dto::Item>> {
        Ok(self
            .store
            .search(&query.text, limit(query.limit))?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One timeline item without its content (what a change event points at).
    pub fn item(&self, id: i64) -> ApiResult<dto::Item> {
        Ok(self.store.item_row(id)?.into())
    }

    /// Attachment `index` (0-based, as `show` lists them) of an item: its metadata and bytes,
    /// decoded again from the original message (which is stored whole).
    pub fn attachment(&self, id: i64, index: u32) -> ApiResult<(dto::Attachment, Vec<u8>)> {
        let Some(info) = self.store.attachment(id, index)? else {
            let count = self.store.item(id)?.attachments.len();
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("Item {id} has no attachment {index} (it has {count}; the first is 0)"),
            )
            .with_field("index"));
        };
        let raw = self.store.raw_message(id)?;
        let parsed = satu_mail::parse_message(&raw);
        // The stored list came from the same parse: same order, same names ('' was stored as
        // "attachment").
        let stored_name = |name: &str| if name.is_empty() { "attachment" } else { name }.to_owned();
        let content = parsed
            .attachments
            .into_iter()
            .nth(index as usize)
            .filter(|a| stored_name(&a.name) == info.name && a.mime_type == info.mime_type)
            .map(|a| a.content)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Internal,
                    format!(
                        "The attachment {:?} of item {id} cannot be decoded from the original message again",
                        info.name
                    ),
                )
            })?;
        let info = dto::Attachment {
            name: info.name,
            mime_type: info.mime_type,
            size: info.size,
        };
        Ok((info, content))
    }

    /// One item with its content.
    pub fn show(&self, id: i64) -> ApiResult<dto::ItemDetail> {
        self.detail(self.store.item(id)?)
    }

    /// An item's content for the window: with whether its sender's remote content may load.
    fn detail(&self, detail: satu_store::ItemDetail) -> ApiResult<dto::ItemDetail> {
        let mut detail: dto::ItemDetail = detail.into();
        if let Some(sender) = &detail.item.sender {
            detail.remote_content = self.store.remote_content_allowed(&sender.address)?;
        }
        if detail.item.kind == "task" {
            detail.activity = self
                .store
                .task_activity(detail.item.id)?
                .into_iter()
                .map(|a| dto::Activity {
                    item: a.item_id,
                    time: dto::rfc3339(a.time_ms),
                    title: a.title,
                    sender: a.sender,
                    snippet: a.snippet,
                    moved_to: a.moved_to,
                })
                .collect();
        }
        if detail.item.kind == "chat" {
            if let Some((info, body, html)) = self.store.chat_message(detail.item.id)? {
                detail.body_text = Some(body);
                detail.body_html = html;
                if !info.reply_to.is_empty() {
                    detail.reply_to = self
                        .store
                        .chat_quote(detail.item.account, &info.reply_to)?
                        .map(|(item, sender, snippet)| dto::ChatQuote {
                            item,
                            sender,
                            snippet,
                        });
                }
            }
        }
        if detail.item.kind == "mail" {
            detail.invitation = self
                .invitation_in(detail.item.id, detail.item.account)?
                .map(|(_, _, invitation)| invitation);
        }
        Ok(detail)
    }

    /// The invitation mail item `id` carries, with its text and the event as kept here.
    fn invitation_in(
        &self,
        id: i64,
        account: i64,
    ) -> ApiResult<Option<(String, caldav::ics::EventObject, dto::Invitation)>> {
        let raw = self.store.raw_message(id)?;
        // Cheap test first: most mail has no calendar part.
        let has = |needle: &[u8]| {
            raw.windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        };
        if !has(b"text/calendar") && !has(b"application/ics") {
            return Ok(None);
        }
        let Some((text, event)) = caldav::invite::find(&satu_mail::calendar_parts(&raw)) else {
            return Ok(None);
        };
        let me = self.store.account(account)?.email;
        let stored = self
            .store
            .events_by_uid(&event.master.uid)?
            .into_iter()
            .next();
        let kept = stored
            .as_ref()
            .and_then(|e| caldav::ics::read_event(&e.ics).map(|p| (e.item_id, p)));
        let answered = self.store.invitation_answer(&event.master.uid)?;
        let invitation = caldav::invite::summary(
            &event,
            &me,
            kept.as_ref().map(|(id, p)| (*id, p)),
            answered.as_deref(),
        );
        Ok(Some((text, event, invitation)))
    }

    /// Answers the invitation mail item `id` carries (`accepted`, `tentative`, `declined`):
    /// the REPLY goes to the organizer through the outbox, and the event with the answer goes
    /// to the calendar for events (a declined one is taken out). Returns the invitation as it
    /// stands now.
    pub async fn answer_invitation(&self, id: i64, answer: &str) -> ApiResult<dto::Invitation> {
        let partstat = caldav::invite::partstat(answer).ok_or_else(|| {
            ApiError::invalid(
                "answer",
                format!("{answer:?} is not an answer: accepted, tentative or declined"),
            )
        })?;
        let item = self.store.item_row(id)?;
        let Some((text, event, _)) = self.invitation_in(id, item.account_id)? else {
            return Err(ApiError::invalid(
                "id",
                format!("Mail {id} carries no invitation"),
            ));
        };
        if event.method != "REQUEST" {
            return Err(ApiError::invalid(
                "id",
                format!(
                    "This is not an invitation to answer (METHOD {})",
                    event.method
                ),
            ));
        }
        let account = self.store.account(item.account_id)?;
        let me = account.email.clone();
        let now = caldav::events::now_ms();
        let stored = caldav::invite::stored_text(&text, &me, partstat).ok_or_else(|| {
            ApiError::invalid(
                "id",
                format!("{me} is not among the invitation's attendees"),
            )
        })?;
        let reply = caldav::invite::reply_text(&text, &me, partstat, now)
            .ok_or_else(|| ApiError::internal("The reply cannot be written"))?;
        let organizer = event
            .master
            .organizer
            .as_ref()
            .map(|(_, a)| a.clone())
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                ApiError::invalid("id", "The invitation names no organizer to answer")
            })?;
        let (subject, body) = caldav::invite::reply_words(partstat, &event.master.summary, &me);
        let built = send::compose::build(&send::compose::Outline {
            from_name: account.name.clone(),
            from_address: me.clone(),
            to: vec![organizer],
            subject: subject.clone(),
            text: body,
            reply: self.store.mail_references(id).ok().flatten(),
            calendar: Some(("REPLY".into(), reply)),
            ..Default::default()
        })?;
        let existing = self
            .store
            .events_by_uid(&event.master.uid)?
            .into_iter()
            .next();
        let calendar = caldav::events::pick_calendar(&self.store, None).ok();
        let parsed = caldav::ics::read_event(&stored)
            .ok_or_else(|| ApiError::internal("The answered event cannot be read back"))?;
        let record = caldav::events::record(&parsed);
        let outbox = self.store.write(|tx| {
            match (&existing, partstat) {
                (Some(e), "DECLINED") => tx.delete_event(e.item_id)?,
                (Some(e), _) => tx.edit_event(e.item_id, &stored, &record)?,
                (None, "DECLINED") => {}
                (None, _) => {
                    let (owner, calendar_id) = match &calendar {
                        Some(c) => (c.account_id, Some(c.id)),
                        None => (account.id, None),
                    };
                    tx.add_event(owner, calendar_id, "", "", &stored, &record, false)?;
                }
            }
            tx.set_invitation_answer(&event.master.uid, partstat)?;
            tx.queue_outgoing(&satu_store::NewOutgoing {
                account_id: account.id,
                message_id: built.message_id.clone(),
                mail_from: built.envelope_from.clone(),
                rcpt: built.rcpt.clone(),
                raw: built.raw.clone(),
                subject: subject.clone(),
                recipients: built.recipients.clone(),
                reply_to_item: Some(id),
                not_before_ms: now,
            })
        })?;
        tracing::info!(
            mail_id = id,
            outbox_id = outbox,
            partstat,
            "Invitation answered."
        );
        self.outbox_wake.notify_waiters();
        if let Ok(Err(e)) =
            tokio::time::timeout(PUSH_NOW_TIMEOUT, send::flush(self, Some(account.id))).await
        {
            tracing::warn!(error = %format!("{e:#}"), "The answer stays queued.");
        }
        if let Some(c) = &calendar {
            let owner = self.store.account(c.account_id)?;
            if let Err(e) = caldav::sync_account(self, &owner).await {
                tracing::warn!(error = %format!("{e:#}"), "The answered event goes with the next sync.");
            }
        }
        self.invitation_in(id, item.account_id)?
            .map(|(_, _, invitation)| invitation)
            .ok_or_else(|| ApiError::internal("The invitation is gone"))
    }

    /// The conversation of item `id`: every item of its thread, oldest first, with content
    /// (just the item when it stands alone). Mail from every folder is included, the user's own
    /// replies in Sent too.
    pub fn thread(&self, id: i64) -> ApiResult<Vec<dto::ItemDetail>> {
        self.store
            .thread(id)?
            .into_iter()
            .map(|detail| self.detail(detail))
            .collect()
    }

    // ---- Reading safely -------------------------------------------------------------------

    /// Lets mail from `address` load remote content (images) without asking, or asks again
    /// (`allowed` false). Returns every sender allowed.
    pub fn set_remote_content(&self, address: &str, allowed: bool) -> ApiResult<Vec<String>> {
        let address = address.trim();
        if !address.contains('@') {
            return Err(ApiError::invalid(
                "address",
                format!("{address:?} is not an email address"),
            ));
        }
        self.store
            .write(|tx| tx.set_remote_content(address, allowed))?;
        self.remote_content_senders()
    }

    /// Opens attachment `index` of item `id` with the system's application for its type: the
    /// bytes are decoded from the original message into a private folder of the data directory
    /// (`opened/`), then handed over. Programs and scripts are refused (save them with
    /// [`Satu::attachment`] and check them first). Returns the file's path.
    pub fn open_attachment(&self, id: i64, index: u32) -> ApiResult<PathBuf> {
        let (info, content) = self.attachment(id, index)?;
        if links::is_program(&info.name, &info.mime_type) {
            return Err(ApiError::invalid(
                "index",
                format!(
                    "{:?} is a program or script: Satu does not open those from mail. Save it (`satu attachment {id} {index} -o FILE`) and check it first",
                    info.name
                ),
            ));
        }
        let dir = self.data_dir.join("opened").join(format!("{id}-{index}"));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("Cannot create {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let private = std::fs::Permissions::from_mode(0o700);
            for folder in [self.data_dir.join("opened"), dir.clone()] {
                std::fs::set_permissions(&folder, private.clone())
                    .with_context(|| format!("Cannot make {} private", folder.display()))?;
            }
        }
        let path = dir.join(links::safe_file_name(&info.name));
        std::fs::write(&path, &content)
            .with_context(|| format!("Cannot write the attachment to {}", path.display()))?;
        links::open_in_system(&path.to_string_lossy())?;
        Ok(path)
    }

    /// The senders whose mail loads remote content without asking.
    pub fn remote_content_senders(&self) -> ApiResult<Vec<String>> {
        Ok(self.store.remote_content_senders()?)
    }

    /// A link clicked in mail: opened in the system's browser (or mail handler) when it is an
    /// ordinary `http`, `https` or `mailto` link, or a look-alike one the user `confirmed`;
    /// returned unopened when it needs confirming; refused when it is anything else. Never
    /// opened inside the app.
    pub fn open_link(&self, url: &str, confirmed: bool) -> ApiResult<links::LinkDecision> {
        let decision = links::classify(url);
        match &decision {
            links::LinkDecision::Open { url } => links::open_in_system(url)?,
            links::LinkDecision::Confirm { url, .. } if confirmed => links::open_in_system(url)?,
            links::LinkDecision::Confirm { host, .. } => {
                tracing::info!(%host, "A look-alike link waits for the user's confirmation.");
            }
            links::LinkDecision::Refuse { scheme, .. } => {
                tracing::warn!(%scheme, "A link that Satu does not follow was clicked.");
            }
        }
        Ok(decision)
    }

    // ---- Imports --------------------------------------------------------------------------

    /// Imports an mbox file into the local account.
    pub fn import_mbox(&self, path: &Path) -> ApiResult<ImportReport> {
        let messages = import::mbox_messages(path)?;
        let folder = folder_name(path, "Imported");
        Ok(import::import(
            &self.store,
            LOCAL_ACCOUNT,
            &folder,
            import::mtime_ms(path),
            messages,
        )?)
    }

    /// Imports a Maildir into the local account, keeping its seen and flagged state.
    pub fn import_maildir(&self, dir: &Path) -> ApiResult<ImportReport> {
        if !dir.exists() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{} does not exist", dir.display()),
            )
            .with_field("file"));
        }
        let entries = satu_mail::maildir::list(dir)
            .map_err(|e| ApiError::invalid("file", format!("{e:#}")))?;
        let messages = entries.into_iter().map(|entry| {
            let raw = std::fs::read(&entry.path)
                .with_context(|| format!("Cannot read {}", entry.path.display()))?;
            Ok(import::Incoming {
                raw,
                seen: entry.seen,
                flagged: entry.flagged,
            })
        });
        let folder = folder_name(dir, "Maildir");
        Ok(import::import(
            &self.store,
            LOCAL_ACCOUNT,
            &folder,
            import::mtime_ms(dir),
            messages,
        )?)
    }

    /// Imports .eml files into the local account. Every file is checked before anything is
    /// imported, so a bad path imports nothing.
    pub fn import_eml(&self, paths: &[PathBuf]) -> ApiResult<ImportReport> {
        let mut raws = Vec::with_capacity(paths.len());
        for path in paths {
            let raw =
                std::fs::read(path).with_context(|| format!("Cannot read {}", path.display()))?;
            if raw.iter().all(u8::is_ascii_whitespace) {
                return Err(ApiError::invalid(
                    "file",
                    format!("{} is empty: it holds no message", path.display()),
                ));
            }
            raws.push(raw);
        }
        let fallback = paths.first().map(|p| import::mtime_ms(p)).unwrap_or(0);
        let messages = raws.into_iter().map(|raw| {
            Ok(import::Incoming {
                raw,
                seen: true,
                flagged: false,
            })
        });
        Ok(import::import(
            &self.store,
            LOCAL_ACCOUNT,
            "Imported",
            fallback,
            messages,
        )?)
    }

    /// Imports the sample mailbox shipped with the app into its own local account.
    pub fn open_sample(&self, mbox: &[u8]) -> ApiResult<ImportReport> {
        let reader = satu_mail::mbox::MboxReader::new(mbox)
            .context("The bundled sample mailbox is damaged")?;
        let messages = reader.map(|m| {
            m.map(|raw| import::Incoming {
                raw,
                seen: false,
                flagged: false,
            })
            .context("Cannot read the sample mailbox")
        });
        let now = chrono::Utc::now().timestamp_millis();
        Ok(import::import(
            &self.store,
            SAMPLE_ACCOUNT,
            "INBOX",
            now,
            messages,
        )?)
    }

    // ---- Change feed ----------------------------------------------------------------------

    /// The newest change's position; pass it to [`Satu::changes_since`] to get later ones.
    pub fn change_cursor(&self) -> ApiResult<i64> {
        Ok(self.store.latest_change_seq()?)
    }

    /// Changes after `cursor` (made by any process), oldest first, with the new cursor.
    pub fn changes_since(&self, cursor: i64) -> ApiResult<(Vec<ChangeEvent>, i64)> {
        let changes = self.store.changes_since(cursor, 10_000)?;
        let next = changes.last().map_or(cursor, |c| c.seq);
        Ok((changes.into_iter().map(Into::into).collect(), next))
    }

    /// Calls `on_change` for every change committed from now on, by this process or any other,
    /// until `cancel` fires. In-process changes arrive at once; other processes' within `poll`.
    pub async fn follow_changes(
        &self,
        cancel: CancellationToken,
        poll: Duration,
        mut on_change: impl FnMut(ChangeEvent),
    ) -> ApiResult<()> {
        let mut cursor = self.change_cursor()?;
        let mut live = self.store.subscribe();
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return Ok(()),
                _ = live.recv() => {}
                _ = tokio::time::sleep(poll) => {}
            }
            let (changes, next) = self.changes_since(cursor)?;
            cursor = next;
            changes.into_iter().for_each(&mut on_change);
        }
    }
}

/// The account's extra CA file as an absolute path, when given; an error at its field when it
/// does not exist.
fn checked_ca_file(ca: Option<&str>) -> ApiResult<Option<String>> {
    match ca {
        Some(ca) if !Path::new(ca).is_file() => Err(ApiError::invalid(
            "ca_file",
            format!("The certificate file {ca} does not exist"),
        )),
        Some(ca) => Ok(Some(
            Path::new(ca)
                .canonicalize()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| ca.to_owned()),
        )),
        None => Ok(None),
    }
}

fn limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

fn folder_name(path: &Path, fallback: &str) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}

/// Parses `host:port` (IPv6 as `[::1]:993`).
pub fn parse_host_port(field: &str, value: &str) -> ApiResult<(String, u16)> {
    let bad = || {
        ApiError::invalid(
            field,
            format!("{value:?} is not host:port (for example imap.example.com:993)"),
        )
    };
    let (host, port) = value.trim().rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || port == 0 || host.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

/// A numeric setting as the API shows it.
fn number_value(setting: NumberSetting, number: i64) -> dto::SettingValue {
    dto::SettingValue {
        key: setting.key().to_owned(),
        value: number > 0,
        default: setting.default_value() > 0,
        number: Some(number),
        default_number: Some(setting.default_value()),
    }
}

fn validate_account(input: &AccountInput) -> ApiResult<NewAccount> {
    let email = input.email.trim();
    let valid_email = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !email.contains(char::is_whitespace)
    });
    if !valid_email {
        return Err(ApiError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        ));
    }
    let imap = parse_host_port("imap", &input.imap)?;
    let smtp = parse_host_port("smtp", &input.smtp)?;
    let security = Security::parse(input.security.as_deref().unwrap_or("tls"))
        .map_err(|e| ApiError::invalid("security", e.to_string()))?;
    let smtp_security = input
        .smtp_security
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(Security::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("smtp_security", e.to_string()))?;
    if smtp_security == Some(Security::Plain) && !is_loopback(&smtp.0) {
        return Err(ApiError::invalid(
            "smtp",
            format!("Plain (unencrypted) connections are allowed only to loopback addresses, not {}; use tls or starttls", smtp.0),
        ));
    }
    if security == Security::Plain {
        for (field, (host, _)) in [("imap", &imap), ("smtp", &smtp)] {
            if !is_loopback(host) {
                return Err(ApiError::invalid(
                    field,
                    format!("Plain (unencrypted) connections are allowed only to loopback addresses, not {host}; use tls or starttls"),
                ));
            }
        }
    }
    if input.password.is_empty() {
        return Err(ApiError::invalid("password", "The password is empty"));
    }
    if let Some(ca) = &input.ca_file {
        if !Path::new(ca).is_file() {
            return Err(ApiError::invalid(
                "ca_file",
                format!("The certificate file {ca} does not exist"),
            ));
        }
    }
    let username = input
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| email.to_owned());
    Ok(NewAccount {
        kind: AccountKind::Imap,
        name: input
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.to_owned()),
        email: email.to_owned(),
        imap,
        smtp,
        security,
        smtp_security,
        url: String::new(),
        username,
        ca_file: input.ca_file.as_ref().map(|c| {
            Path::new(c)
                .canonicalize()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| c.clone())
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            email: "alice@example.com".into(),
            imap: "imap.example.com:993".into(),
            smtp: "smtp.example.com:465".into(),
            security: None,
            smtp_security: None,
            username: None,
            password: "secret".into(),
            ca_file: None,
            name: None,
        }
    }

    #[test]
    fn validates_account_input_and_names_the_field() {
        let ok = validate_account(&input()).expect("valid");
        assert_eq!(
            (ok.username.as_str(), ok.security),
            ("alice@example.com", Security::Tls)
        );
        let field = |f: fn(&mut AccountInput)| {
            let mut i = input();
            f(&mut i);
            validate_account(&i).expect_err("invalid").field
        };
        assert_eq!(field(|i| i.email = "nope".into()).as_deref(), Some("email"));
        assert_eq!(
            field(|i| i.imap = "imap.example.com".into()).as_deref(),
            Some("imap")
        );
        assert_eq!(
            field(|i| i.smtp = "smtp:99999".into()).as_deref(),
            Some("smtp")
        );
        assert_eq!(
            field(|i| i.security = Some("plain".into())).as_deref(),
            Some("imap")
        );
        assert_eq!(
            field(|i| i.password = String::new()).as_deref(),
            Some("password")
        );
        let mut local = input();
        local.imap = "127.0.0.1:143".into();
        local.smtp = "[::1]:25".into();
        local.security = Some("plain".into());
        assert!(
            validate_account(&local).is_ok(),
            "plain is fine on loopback"
        );
    }

    #[test]
    fn imports_and_reads_back_through_the_api() {
        let dir = tempfile::tempdir().expect("tempdir");
        let satu = Satu::open(dir.path()).expect("open");
        let mbox = b"From a@x Mon Nov  2 09:14:00 2026\nFrom: A <a@example.com>\nSubject: Hello\nMessage-ID: <1@x>\nDate: Mon, 2 Nov 2026 09:14:00 +0000\n\nHi there\n";
        let report = satu.open_sample(mbox).expect("sample");
        assert_eq!((report.imported, report.duplicates), (1, 0));
        assert_eq!(satu.open_sample(mbox).expect("again").duplicates, 1);
        let items = satu.timeline(&TimelineQuery::default()).expect("timeline");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].time, "2026-11-02T09:14:00Z");
        assert_eq!(items[0].message_id.as_deref(), Some("1@x"));
        assert_eq!(satu.item(items[0].id).expect("item"), items[0]);
        let detail = satu.show(items[0].id).expect("show");
        assert_eq!(detail.body_text.as_deref(), Some("Hi there\n"));
        let err = satu.show(999).expect_err("missing");
        assert_eq!(err.code, ErrorCode::NotFound);
        let err = satu
            .timeline(&TimelineQuery {
                kind: Some("memo".into()),
                ..Default::default()
            })
            .expect_err("kind");
        assert_eq!(err.code, ErrorCode::InvalidInput);
    }
}
