//! The shapes that cross the API boundary. Their JSON keys are a contract: the `satu` CLI prints
//! them, scripts and benchmarks read them, the UI renders them. Extend them; never rename a key.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A closed set of words in the contract: a Rust enum here, a union of string literals in the
/// generated TypeScript, the word itself in JSON and in the CLI's text.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }

            /// The value for a word, if it is one.
            pub fn parse(word: &str) -> Option<Self> {
                match word {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

words! {
    /// What an item is.
    ItemKind { Mail = "mail", Chat = "chat", Task = "task", Event = "event" }
}

words! {
    /// What kind of account.
    AccountKind { Imap = "imap", Local = "local", Caldav = "caldav", Matrix = "matrix" }
}

words! {
    /// How a connection is protected.
    #[derive(Default)]
    Security {
        #[default]
        Tls = "tls",
        StartTls = "starttls",
        Plain = "plain",
    }
}

/// The store's words as the contract's (one arm each: a new word in the store is a compile
/// error here, not a silent default).
macro_rules! same_words {
    ($from:ty => $to:ident { $($variant:ident),+ $(,)? }) => {
        impl From<$from> for $to {
            fn from(value: $from) -> Self {
                match value {
                    $(<$from>::$variant => $to::$variant),+
                }
            }
        }
    };
}

same_words!(satu_store::ItemKind => ItemKind { Mail, Chat, Task, Event });
same_words!(satu_store::AccountKind => AccountKind { Imap, Local, Caldav, Matrix });
same_words!(satu_store::Security => Security { Tls, StartTls, Plain });
same_words!(satu_store::ChangeKind => ChangeKind { Added, Updated, Removed });
same_words!(satu_store::OpState => OpState { Pending, Wedged });
same_words!(satu_store::OutboxState => OutboxState { Queued, Sending, Sent, Failed, Cancelled });
same_words!(satu_store::TaskStatus => TodoStatus { NeedsAction, InProcess, Completed, Cancelled });

words! {
    /// What happened to an item (the change feed).
    ChangeKind { Added = "added", Updated = "updated", Removed = "removed" }
}

words! {
    /// A task's state (iCalendar `STATUS` of a VTODO).
    TodoStatus {
        NeedsAction = "needs-action",
        InProcess = "in-process",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

words! {
    /// A queued server operation.
    OpKind { SetFlags = "set_flags", Move = "move", Expunge = "expunge" }
}

words! {
    /// Whether a queued operation is still tried (`pending`) or waits for the user (`wedged`).
    OpState { Pending = "pending", Wedged = "wedged" }
}

words! {
    /// How an account's live sync is doing.
    LiveState {
        Connecting = "connecting",
        Syncing = "syncing",
        Connected = "connected",
        Offline = "offline",
        Stopped = "stopped",
    }
}

words! {
    /// How the server tells of changes: IDLE, NOOP polls, a Matrix long-poll, or not yet known.
    LiveMode { Idle = "idle", Poll = "poll", Longpoll = "longpoll", None = "" }
}

words! {
    /// Where a written chat message is.
    ChatState { Queued = "queued", Sent = "sent", Failed = "failed" }
}

words! {
    /// The user's membership of a room.
    Membership { Join = "join", Invite = "invite", Leave = "leave" }
}

words! {
    /// Where a message in the outbox is.
    OutboxState {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

words! {
    /// An answer to an invitation.
    InvitationAnswer { Accepted = "accepted", Tentative = "tentative", Declined = "declined" }
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Person {
    /// Display name.
    pub name: Option<String>,
    /// Address.
    pub address: String,
}

/// A timeline item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Item {
    /// Item id.
    pub id: i64,
    /// `mail`, `chat`, `task` or `event`.
    pub kind: ItemKind,
    /// Account id.
    pub account: i64,
    /// Title (subject).
    pub title: String,
    /// Sender.
    pub sender: Option<Person>,
    /// RFC 3339, UTC.
    pub time: String,
    /// Unread.
    pub unread: bool,
    /// Flagged.
    pub flagged: bool,
    /// Answered (a mail replied to, here or from another client).
    pub answered: bool,
    /// Thread key: the items of one conversation share it (`satu thread ID` lists them).
    pub thread: Option<i64>,
    /// Items in its thread (1 when it stands alone).
    #[serde(default = "one")]
    pub thread_size: i64,
    /// Unread items in its thread.
    #[serde(default)]
    pub thread_unread: i64,
    /// Start of the text.
    pub snippet: String,
    /// Message-ID without angle brackets (mail only).
    pub message_id: Option<String>,
    /// Folders holding it (mail).
    pub folders: Vec<String>,
    /// Linked task id.
    pub task: Option<i64>,
    /// The event's own details (kind `event` only; null otherwise).
    #[serde(default)]
    pub event: Option<EventBrief>,
    /// The task's own details (kind `task` only; null otherwise).
    #[serde(default)]
    pub todo: Option<Todo>,
    /// The chat message's own details (kind `chat` only; null otherwise).
    #[serde(default)]
    pub chat: Option<ChatBrief>,
    /// When the conversation comes back to the Inbox (RFC 3339), while it is snoozed.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub snoozed_until: Option<String>,
}

fn one() -> i64 {
    1
}

/// The task part of a task item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Todo {
    /// `needs-action`, `in-process`, `completed` or `cancelled` (iCalendar STATUS).
    pub status: TodoStatus,
    /// Completed or cancelled.
    pub done: bool,
    /// Due, RFC 3339 UTC.
    pub due: Option<String>,
    /// When it was completed, RFC 3339 UTC.
    pub completed: Option<String>,
    /// The item id of the mail it was made from, when that mail is stored here (or of the chat
    /// message it was made from).
    pub mail: Option<i64>,
    /// The mail it was made from as an RFC 2392 `mid:` URL (what other devices follow).
    pub mail_link: Option<String>,
    /// Changed here and on the CalDAV server in the same field: why, with the server's
    /// values (`satu task resolve ID --keep here|server`); null when in sync.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub conflict: Option<String>,
    /// PRIORITY: 1 (highest) … 9 (lowest); null when none.
    #[serde(default)]
    pub priority: Option<i64>,
    /// PERCENT-COMPLETE, 0–100.
    #[serde(default)]
    pub percent: i64,
    /// RELATED-TO: the UID of the task this one is part of; null when none.
    #[serde(default)]
    pub related_to: Option<String>,
}

/// A setting and its value (`satu settings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingValue {
    /// Key, e.g. `tasks.from_flagged`.
    pub key: String,
    /// Value (for a numeric setting: whether it is above 0).
    pub value: bool,
    /// Value when the user has not chosen one.
    pub default: bool,
    /// The value of a numeric setting (e.g. `send.undo_seconds`); absent for on/off ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// The default of a numeric setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_number: Option<i64>,
    /// The value of a text setting (e.g. `oauth.microsoft.client_id`; '' when not chosen);
    /// absent for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// An attachment's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Attachment {
    /// File name.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Bytes.
    pub size: i64,
}

/// An item with its content (`satu show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ItemDetail {
    /// The item.
    #[serde(flatten)]
    pub item: Item,
    /// To and Cc.
    pub recipients: String,
    /// Text body.
    pub body_text: Option<String>,
    /// Sanitized HTML body (never the original).
    pub body_html: Option<String>,
    /// Why the message could be read only in part (malformed MIME, a size limit); null when it
    /// parsed cleanly. The original is kept whole either way.
    pub quarantined: Option<String>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Whether its remote content (images) may load without asking: the user chose "always"
    /// for its sender. Otherwise the window blocks it and offers to load it.
    #[serde(default)]
    pub remote_content: bool,
    /// How the mail's list can be left, when it says (`one-click`, `mail` or `web`; the
    /// reading pane's Unsubscribe, `satu unsubscribe`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub unsubscribe: Option<String>,
    /// The invitation this mail carries (iMIP: a `text/calendar` part with a METHOD); null
    /// when none.
    #[serde(default)]
    pub invitation: Option<Invitation>,
    /// A task made from mail: the messages of that conversation since it was made, oldest
    /// first (empty otherwise).
    #[serde(default)]
    pub activity: Vec<Activity>,
    /// A chat message that answers another: that message, when it is stored here.
    #[serde(default)]
    pub reply_to: Option<ChatQuote>,
    /// Only the mail's header is here: its body is on the server (older than its folder keeps
    /// offline); `download_message` brings it. `size` says how much that is.
    #[serde(default)]
    pub remote: bool,
    /// Mail: who really sent it (DKIM, SPF, DMARC, ARC) and look-alike warnings, as checked
    /// when it arrived; null until checked (`Satu::authenticate` checks it).
    #[serde(default)]
    pub authentication: Option<Authentication>,
}

/// Who really sent a mail (`satu show`'s `authentication`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Authentication {
    /// `verified` (an aligned DKIM signature or SPF pass under DMARC), `unverified` (no policy,
    /// no signature), `failed` (DMARC failed, or a signature does not verify).
    pub verdict: String,
    /// Why, in plain words, most important first.
    pub reasons: Vec<String>,
    /// Each DKIM signature.
    pub dkim: Vec<DkimCheck>,
    /// SPF for the server the mail came from (null when no hop from outside was found).
    pub spf: Option<SpfCheck>,
    /// DMARC (null when the domain publishes no policy).
    pub dmarc: Option<DmarcCheck>,
    /// ARC, when the mail carries a chain.
    pub arc: Option<ArcCheck>,
    /// Look-alike and impersonation warnings.
    pub warnings: Vec<SenderWarning>,
    /// A failure under `p=quarantine`/`reject`: the reading pane shows a warning bar and keeps
    /// remote content and links off until the user insists.
    pub guard: bool,
    /// `satu` (checked here) or `provider` (the user's provider's own Authentication-Results).
    pub source: String,
    /// When it was checked (RFC 3339).
    pub checked_at: String,
}

/// One DKIM signature's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DkimCheck {
    /// The signing domain (`d=`).
    pub domain: String,
    /// The key's selector (`s=`).
    pub selector: String,
    /// `pass`, `fail`, `neutral`, `temperror`, `permerror`.
    pub result: String,
}

/// SPF for the hop where the mail entered the user's provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SpfCheck {
    /// `pass`, `fail`, `softfail`, `neutral`, `none`, `temperror`, `permerror`.
    pub result: String,
    /// The address checked ('' when the provider checked and did not say).
    pub ip: String,
    /// The domain checked (the envelope sender's, or the greeting's).
    pub domain: String,
}

/// DMARC of the From domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DmarcCheck {
    /// `pass`, `fail`, `temperror`, `permerror`.
    pub result: String,
    /// `none`, `quarantine`, `reject` ('' when unknown).
    pub policy: String,
    /// Whether an identifier aligned with From passed.
    pub aligned: bool,
}

/// An ARC chain (RFC 8617): mail forwarded by a list or a forwarding service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ArcCheck {
    /// `pass`, `fail`, `none`.
    pub result: String,
    /// The domain of the newest seal.
    pub sealer: String,
}

/// What `satu domain check` found for a domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DomainReport {
    /// The domain checked (lower case).
    pub domain: String,
    /// The most severe finding's severity: `good`, `info`, `warning` or `bad`.
    pub worst: String,
    /// MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, verification, DNSSEC, in that order.
    pub findings: Vec<DomainFinding>,
    /// When (RFC 3339).
    pub checked_at: String,
}

/// A rule (`satu rule list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    /// Its place in the order rules act in (lowest first).
    pub position: i64,
    pub enabled: bool,
    /// Its conditions as written (`from:ceo@example.com has:attachment`).
    pub when: String,
    /// Its actions, one each (`task due:+2d`, `flag`).
    pub then: Vec<String>,
    /// When it was made (RFC 3339).
    pub created: String,
    /// Mails it acted on so far.
    pub runs: i64,
}

/// What `satu rule run` did (or, with `dry_run`, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RuleRun {
    pub rule: i64,
    /// Mails looked at (the newest ones).
    pub looked_at: u64,
    /// Those the rule matches.
    pub matched: u64,
    /// Those it acted on now (0 in a dry run; a mail it acted on before is not done again).
    pub applied: u64,
    /// The matching mails' item ids, newest first.
    pub items: Vec<i64>,
    pub dry_run: bool,
}

/// What `satu domain test` saw: a test mail through the account's own server, as the
/// receiving provider judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryTest {
    /// The sending account.
    pub account: i64,
    /// Where it went.
    pub to: String,
    /// Its Message-ID (without angle brackets).
    pub message_id: String,
    /// Its item here, once it arrived.
    pub item: i64,
    /// When the server took it (RFC 3339).
    pub sent_at: String,
    /// When it was in the INBOX here (RFC 3339).
    pub arrived_at: String,
    /// The delivery delay.
    pub delay_ms: u64,
    /// Its arrival was seen by push (IMAP IDLE), not by polling.
    pub push: bool,
    /// The receiving provider's own Authentication-Results were read (else Satu checked).
    pub judged_by_provider: bool,
    /// SPF, DKIM, DMARC as judged.
    pub authentication: Authentication,
}

/// One finding of a domain check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DomainFinding {
    /// `mx`, `spf`, `dkim`, `dmarc`, `mta-sts`, `tls-rpt`, `verification`, `dnssec`.
    pub area: String,
    /// `good`, `info`, `warning` or `bad`.
    pub severity: String,
    /// What was found, in plain words.
    pub title: String,
    /// What to do about it ('' when nothing needs doing).
    pub fix: String,
    /// The exact record to publish (zone-file syntax), when one is to be published.
    pub record: Option<String>,
    /// The record's time to live (s), when it was read.
    pub ttl: Option<u32>,
}

/// A look-alike or impersonation warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SenderWarning {
    /// `lookalike`, `mixed-script`, `display-name`, `reply-to`.
    pub kind: String,
    /// In plain words.
    pub text: String,
}

/// A message in the conversation of a task's mail ("one message updates progress").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Activity {
    /// The message's item id.
    pub item: i64,
    /// When (RFC 3339).
    pub time: String,
    /// Its subject.
    pub title: String,
    /// Who wrote it.
    pub sender: String,
    /// The start of its text.
    pub snippet: String,
    /// What it moved the task to: a status (`in-process`, `completed`) or a percentage
    /// (`50%`, from "50% there"); '' when none.
    pub moved_to: String,
}

/// An invitation (or its update or cancellation) carried by a mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Invitation {
    /// The event's UID.
    pub uid: String,
    /// Title.
    pub title: String,
    /// Start: RFC 3339 UTC; all-day: `YYYY-MM-DD`.
    pub start: String,
    /// End (exclusive), the same way.
    pub end: String,
    /// A day, not a time.
    pub all_day: bool,
    /// Where.
    pub location: String,
    /// The organizer's address.
    pub organizer: String,
    /// `REQUEST`, `CANCEL`, `REPLY`, … (answer buttons make sense for REQUEST).
    pub method: String,
    /// The user's answer so far: `accepted`, `tentative`, `declined`; null before one.
    pub answer: Option<InvitationAnswer>,
    /// The event in a calendar here, once accepted (null otherwise).
    pub event: Option<i64>,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Account {
    /// Account id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// `imap` or `local`.
    pub kind: AccountKind,
    /// IMAP `host:port` ('' for local accounts).
    pub imap: String,
    /// SMTP `host:port`.
    pub smtp: String,
    /// `tls`, `starttls` or `plain`.
    pub security: Security,
    /// SMTP security: `tls`, `starttls` or `plain`.
    #[serde(default)]
    pub smtp_security: Security,
    /// Login name.
    pub username: String,
    /// Whether its new mail raises desktop notifications (false: muted).
    #[serde(default)]
    pub notify: bool,
    /// Whether its items show in the unified views (false: only in its own view).
    #[serde(default)]
    pub in_timeline: bool,
    /// CalDAV (and Matrix): the server URL ('' for mail accounts).
    #[serde(default)]
    pub url: String,
    /// How it signs in: `password` or `oauth2` (through its provider).
    #[serde(default)]
    pub auth: AuthMethod,
    /// Its sign-in ended (the provider refused the refresh token): it waits for "Sign in again".
    #[serde(default)]
    pub sign_in_again: bool,
    /// Mail accounts: days of message bodies kept offline (older mail: its header, the body
    /// downloaded on open); `None` keeps every body.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub offline_days: Option<u32>,
}

/// What needs attention (the sidebar's counts). The totals cover the accounts shown in the
/// unified timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Counts {
    /// Unread mail and chat messages.
    pub unread: i64,
    /// Flagged items.
    pub flagged: i64,
    /// Open tasks.
    pub tasks: i64,
    /// Per account, every account.
    pub accounts: Vec<AccountCounts>,
    /// Unread messages per folder (folders with none are left out).
    pub folders: Vec<FolderCount>,
}

/// One account's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountCounts {
    /// Account id.
    pub account: i64,
    /// Unread mail and chat messages.
    pub unread: i64,
    /// Flagged items.
    pub flagged: i64,
    /// Open tasks.
    pub tasks: i64,
}

/// One folder's unread count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FolderCount {
    /// Folder id.
    pub folder: i64,
    /// Unread messages.
    pub unread: i64,
}

/// A new mail account.
#[derive(Clone, Default, Serialize, Deserialize, TS)]
pub struct AccountInput {
    /// Email address.
    pub email: String,
    /// IMAP `host:port`.
    pub imap: String,
    /// SMTP `host:port`.
    pub smtp: String,
    /// `tls` (default), `starttls` or `plain` (loopback only).
    #[serde(default)]
    #[ts(as = "Option<Security>", optional)]
    pub security: Option<String>,
    /// SMTP security when it is not what the port says (465: `tls`, else `starttls`; `plain`
    /// when `security` is).
    #[serde(default)]
    #[ts(as = "Option<Security>", optional)]
    pub smtp_security: Option<String>,
    /// Login name (default: the email address).
    #[serde(default)]
    #[ts(optional)]
    pub username: Option<String>,
    /// Password; goes to the OS keyring, never to the database.
    pub password: String,
    /// Extra trusted certificate or CA (PEM path).
    #[serde(default)]
    #[ts(optional)]
    pub ca_file: Option<String>,
    /// Display name (default: the email address).
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    /// Sign in through the provider (OAuth2) instead of a password: the browser opens the
    /// provider's page; `password` stays empty.
    #[serde(default)]
    #[ts(optional)]
    pub oauth: Option<bool>,
    /// The OpenID Connect issuer that signs in for this address (self-hosted mail); Microsoft
    /// and Google are known by their servers.
    #[serde(default)]
    #[ts(optional)]
    pub issuer: Option<String>,
    /// The client id registered for Satu at that issuer (default: the setting
    /// `oauth.oidc.client_id`, else `satu`).
    #[serde(default)]
    #[ts(optional)]
    pub client_id: Option<String>,
}

words! {
    /// Where discovered account settings came from.
    DiscoverySource {
        Autoconfig = "autoconfig",
        Ispdb = "ispdb",
        Srv = "srv",
        Autodiscover = "autodiscover",
        Guess = "guess",
        /// A well-known URL (`/.well-known/caldav`; only in steps).
        WellKnown = "well-known",
    }
}

words! {
    /// How an account signs in.
    AuthMethod { Password = "password", OAuth2 = "oauth2" }
}

// `words!` writes the enum, so the default cannot be derived on it.
#[allow(clippy::derivable_impls)]
impl Default for AuthMethod {
    fn default() -> Self {
        AuthMethod::Password
    }
}

/// A mail server as discovered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

impl ServerSettings {
    /// `host:port`, as [`AccountInput`] takes it.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// A calendar and task server found beside the mail servers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaldavFound {
    pub url: String,
}

/// One place discovery looked, and what it found there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DiscoveryStep {
    pub source: DiscoverySource,
    /// The URL or DNS name asked.
    pub asked: String,
    /// What came back, in words (`found`, `no answer`, why it could not be used).
    pub result: String,
}

/// The settings of an email address, found from the address alone
/// (`satu account discover EMAIL --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Discovered {
    pub email: String,
    pub imap: ServerSettings,
    /// Null when no sending server was found (enter it by hand).
    pub smtp: Option<ServerSettings>,
    /// Null when none was found.
    pub caldav: Option<CaldavFound>,
    /// The login name the servers expect.
    pub username: String,
    /// How the servers let one sign in, preferred first.
    pub auth: Vec<AuthMethod>,
    /// Where the IMAP settings came from.
    pub source: DiscoverySource,
    /// The provider's name, when the source gave one.
    pub provider: Option<String>,
    /// Who signs in for OAuth2, when the source named it (an autoconfig file's `<oAuth2>`
    /// issuer: a host name or an https URL).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Every place looked, in order.
    pub steps: Vec<DiscoveryStep>,
}

/// A page of the timeline.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct TimelineQuery {
    /// At most this many (default 50, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only this kind.
    #[serde(default)]
    #[ts(as = "Option<ItemKind>", optional)]
    pub kind: Option<String>,
    /// Only unread items.
    #[serde(default)]
    #[ts(optional)]
    pub unread: Option<bool>,
    /// Only flagged items.
    #[serde(default)]
    #[ts(optional)]
    pub flagged: Option<bool>,
    /// Only this account's items (an account left out of the unified timeline included).
    /// Without it (and without `folder`) the unified timeline: accounts shown in it only.
    #[serde(default)]
    #[ts(optional)]
    pub account: Option<i64>,
    /// Only the items in this folder (an id from `satu folders`).
    #[serde(default)]
    #[ts(optional)]
    pub folder: Option<i64>,
    /// Only items older than this item id.
    #[serde(default)]
    #[ts(optional)]
    pub before: Option<i64>,
    /// One row per thread (conversation): its newest item among those the view keeps, with
    /// `thread_size` and `thread_unread`.
    #[serde(default)]
    #[ts(optional)]
    pub threads: Option<bool>,
    /// Only the items of this thread (a `thread` key).
    #[serde(default)]
    #[ts(optional)]
    pub thread: Option<i64>,
    /// The Inbox: mail in each account's INBOX, chats and open tasks; never Trash, Junk, Sent,
    /// Drafts, archived mail or events.
    #[serde(default)]
    #[ts(optional)]
    pub inbox: Option<bool>,
    /// Only snoozed conversations (away from the Inbox until their time).
    #[serde(default)]
    #[ts(optional)]
    pub snoozed: Option<bool>,
    /// Only mail whose sender was checked and not verified (`unverified` or `failed`).
    #[serde(default)]
    #[ts(optional)]
    pub unverified: Option<bool>,
    /// Only the messages of this chat room (its number, `satu chat rooms`).
    #[serde(default)]
    #[ts(optional)]
    pub room: Option<i64>,
}

/// A time offered to snooze until.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SnoozeTime {
    /// `later` (today), `tomorrow` or `next-week`: what `snooze --until` also takes.
    pub name: String,
    /// When (RFC 3339, local offset).
    pub until: String,
}

/// A full-text search.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct SearchQuery {
    /// What the user typed.
    pub text: String,
    /// At most this many (default 50).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    /// The (local) account the messages went to.
    pub account: i64,
    /// The folder they went to.
    pub folder: String,
    /// New items.
    pub imported: u64,
    /// Messages already stored (same Message-ID): not duplicated.
    pub duplicates: u64,
    /// Messages the parser could not fully read: stored with what could be recovered.
    pub quarantined: u64,
}

/// A folder of an account (`satu folders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Folder {
    /// Folder id.
    pub id: i64,
    /// Account id.
    pub account: i64,
    /// Name as the server spells it (decoded), e.g. `Projects/2026`.
    pub name: String,
    /// `inbox`, `sent`, `drafts`, `trash`, `junk`, `archive`, `all`, `flagged` or ''.
    pub role: String,
    /// Whether it holds messages (false for a mere parent of other folders).
    pub selectable: bool,
    /// Whether the live sync pushes it (IMAP IDLE): INBOX always, others when chosen with
    /// `satu folders --push NAME`.
    pub push: bool,
    /// The folder's own choice of how many days of bodies to keep offline (`None`: as its
    /// account says).
    #[serde(default)]
    pub offline_days: Option<u32>,
    /// What holds: bodies of mail received in the last N days are kept, older mail is kept with
    /// its header only (`None`: every body).
    #[serde(default)]
    pub keep_days: Option<u32>,
}

impl From<satu_store::Folder> for Folder {
    fn from(f: satu_store::Folder) -> Self {
        let push = f.pushed();
        Folder {
            id: f.id,
            account: f.account_id,
            name: f.name,
            role: f.role.as_str().to_owned(),
            push,
            selectable: f.selectable,
            offline_days: f.offline_days,
            keep_days: f.keep_days,
        }
    }
}

/// A folder as a sync saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FolderInfo {
    /// Name.
    pub name: String,
    /// `inbox`, `sent`, `drafts`, `trash`, `junk`, `archive`, `all`, `flagged` or ''.
    pub role: String,
    /// Whether it holds messages.
    pub selectable: bool,
    /// Messages on the server at this pass (EXISTS).
    #[serde(default)]
    pub total: u64,
    /// Messages fetched and stored by this pass.
    #[serde(default)]
    pub fetched: u64,
    /// New messages recognised as copies of messages already stored (another folder, Gmail's
    /// labels): recorded here without downloading them again.
    #[serde(default)]
    pub linked: u64,
    /// Stored messages whose flags changed.
    #[serde(default)]
    pub updated: u64,
    /// Messages removed from this folder (expunged or moved away on the server).
    #[serde(default)]
    pub removed: u64,
    /// Why this folder could not be synced this time (the others were); `None` when it was.
    #[serde(default)]
    pub error: Option<String>,
}

/// What a sync pass did for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncReport {
    /// Account id.
    pub account: i64,
    /// The server's capabilities.
    pub capabilities: Vec<String>,
    /// The folders, INBOX first.
    pub folders: Vec<FolderInfo>,
    /// Messages fetched, over all folders.
    #[serde(default)]
    pub fetched: u64,
    /// Copies of stored messages recorded without downloading them, over all folders.
    #[serde(default)]
    pub linked: u64,
    /// Flag changes applied, over all folders.
    #[serde(default)]
    pub updated: u64,
    /// Messages removed from folders, over all folders.
    #[serde(default)]
    pub removed: u64,
    /// Items deleted because no folder holds them any more.
    #[serde(default)]
    pub deleted: u64,
    /// Local changes (queued operations) the server took in this pass.
    #[serde(default)]
    pub pushed: u64,
    /// Local changes still waiting: refused this time, or wedged (see `satu ops`).
    #[serde(default)]
    pub pending: u64,
    /// A CalDAV account: what its task lists exchanged (null for mail accounts).
    #[serde(default)]
    pub tasks: Option<TaskSyncCounts>,
    /// A CalDAV account: what its calendars exchanged (null for mail accounts).
    #[serde(default)]
    pub events: Option<TaskSyncCounts>,
    /// A Matrix account: what its rooms exchanged (null for other accounts).
    #[serde(default)]
    pub chat: Option<ChatSyncCounts>,
}

/// What a CalDAV pass did to the tasks (or to the events).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TaskSyncCounts {
    /// Tasks taken from the server (new or changed there).
    pub pulled: u64,
    /// Local changes the server took.
    pub pushed: u64,
    /// Tasks deleted on the server, so here too.
    pub removed: u64,
    /// Tasks changed on both sides in the same field: waiting for the user.
    pub conflicts: u64,
}

/// One change on the feed (`satu watch` prints one per line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangeEvent {
    /// `added`, `updated` or `removed`.
    pub change: ChangeKind,
    /// Item id.
    pub id: i64,
    /// Item kind.
    pub kind: ItemKind,
    /// Item title.
    pub title: String,
}

/// What a mail action (mark, move, archive, delete) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionReport {
    /// The item acted on.
    pub id: i64,
    /// Whether the local state changed (false: it was already so).
    pub changed: bool,
    /// The folder it is in now (move, archive, delete to Trash).
    pub folder: Option<String>,
    /// Whether the item is gone (deleted for good).
    pub deleted: bool,
    /// Whether the server has the change already (false: it is queued and will be sent when the
    /// server is reachable).
    pub pushed: bool,
    /// Operations of this account still waiting for the server.
    pub pending: u64,
}

/// A queued operation waiting for (or refused by) the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PendingOp {
    /// Operation id.
    pub id: i64,
    /// Account id.
    pub account: i64,
    /// Item acted on, if it still exists.
    pub item: Option<i64>,
    /// `set_flags`, `move` or `expunge`.
    pub kind: OpKind,
    /// `pending` (retried by itself) or `wedged` (failed too often: waits for a retry).
    pub state: OpState,
    /// Failed attempts so far.
    pub attempts: i64,
    /// RFC 3339 UTC time of the next attempt.
    pub next_attempt: String,
    /// The last failure, '' when none.
    pub last_error: String,
}

impl From<satu_store::Op> for PendingOp {
    fn from(op: satu_store::Op) -> Self {
        PendingOp {
            id: op.id,
            account: op.account_id,
            item: op.item_id,
            // A kind this Satu does not know (written by a newer one) shows as a flag change.
            kind: OpKind::parse(&op.kind).unwrap_or(OpKind::SetFlags),
            state: op.state.into(),
            attempts: op.attempts,
            next_attempt: rfc3339(op.next_attempt_at.saturating_mul(1000)),
            last_error: op.last_error,
        }
    }
}

/// How far the full-text index is (`satu index`): mail is stored first and indexed in the
/// background; until then search finds it by title and sender only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IndexReport {
    /// Items indexed by this run.
    pub indexed: u64,
    /// Items still waiting (0: search sees every word of everything).
    pub pending: u64,
}

/// Sync health (`satu health`): the five indicators and each account's rates, measured from
/// Satu's own traffic (`health.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Health {
    /// `delivery_delay`, `read_sync`, `calendar_fresh`, `offline_coverage`, `backup`, in order.
    pub indicators: Vec<HealthIndicator>,
    /// Each account's figures (mail accounts: logins and passes; CalDAV: passes).
    pub accounts: Vec<AccountHealth>,
    /// The last 24 hours, oldest first, over every account: one point per hour.
    pub hours: Vec<HealthPoint>,
    /// The last 7 days, oldest first, over every account: one point per day (its `hour` the
    /// day's first).
    pub days: Vec<HealthPoint>,
    /// Per folder, how much of its mail has its body here (selective offline).
    pub folders: Vec<FolderCoverage>,
    /// The diagnostics the live sync ran by itself in the last 24 hours (when an account's
    /// delivery turned slow), newest first.
    pub diagnoses: Vec<SelfDiagnosis>,
}

/// Diagnostics the live sync ran by itself: an account's delivery delay turned bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SelfDiagnosis {
    /// The account.
    pub account: i64,
    /// When they ran (RFC 3339).
    pub at: String,
    /// What set them off, in plain words.
    pub why: String,
    /// What they found.
    pub findings: Vec<Finding>,
}

/// How much of a folder's mail has its body here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FolderCoverage {
    /// Account id.
    pub account: i64,
    /// The folder's name.
    pub folder: String,
    /// Its messages.
    pub messages: u64,
    /// Of which with their body here.
    pub local: u64,
}

/// What `satu health diagnose` found: each finding with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Diagnosis {
    /// Every finding, per account in order: push, reachability, the domain's DNS.
    pub findings: Vec<Finding>,
}

/// One finding of the diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Finding {
    /// The account it is about.
    pub account: i64,
    /// `push`, `reachability`, `clock`, `offline` (the newest mail here or not) or `dns`.
    pub area: String,
    /// `good`, `warning` or `bad`.
    pub status: String,
    /// What was found, in plain words.
    pub title: String,
    /// What to do about it ('' when nothing needs doing).
    pub fix: String,
    /// The figure measured, when there is one: ms for times, s for a time to live.
    pub value: Option<u64>,
}

/// One of the five indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HealthIndicator {
    /// `delivery_delay`, `read_sync`, `calendar_fresh`, `offline_coverage` or `backup`.
    pub key: String,
    /// `good`, `warning`, `bad`, or `off` (nothing to measure yet, or not set up).
    pub status: String,
    /// The figure the status is read from (see `unit`), when there is one.
    pub value: Option<f64>,
    /// `ms`, `s`, `percent` or ''.
    pub unit: String,
    /// What it means and, when not good, what to do (English; the window words its own).
    pub detail: String,
}

/// One account's health over the last 24 hours and 7 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountHealth {
    /// Account id.
    pub account: i64,
    /// Its name.
    pub name: String,
    /// Successful logins / logins, last 24 h (none: no login).
    pub login_success_rate: Option<f64>,
    /// The same over 7 days.
    pub login_success_rate_7d: Option<f64>,
    /// Failed sync passes / passes, last 24 h (none: no pass).
    pub sync_error_rate: Option<f64>,
    /// The same over 7 days.
    pub sync_error_rate_7d: Option<f64>,
    /// Logins in the last 24 h.
    pub logins: u64,
    /// Sync passes in the last 24 h.
    pub passes: u64,
    /// Failures in the last 7 days by class (`password`, `network`, `tls`, `refused`,
    /// `throttled`, `other`), logins and passes together.
    pub failures: Vec<FailureCount>,
    /// Delivery delay, last 24 h: median and 95th percentile (ms).
    pub delivery_p50_ms: Option<u64>,
    /// The 95th percentile.
    pub delivery_p95_ms: Option<u64>,
    /// Pushed mail, last 24 h: from the server's word (IDLE `EXISTS`) to the row, median (ms).
    pub push_p50_ms: Option<u64>,
    /// The 95th percentile.
    pub push_p95_ms: Option<u64>,
}

/// Failures of one class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FailureCount {
    /// `password`, `network`, `tls`, `refused`, `throttled` or `other`.
    pub class: String,
    /// How many.
    pub count: u64,
}

/// One hour of the charts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HealthPoint {
    /// The hour's start (RFC 3339).
    pub hour: String,
    /// The delivery delay's 95th percentile that hour (ms; none: no new mail).
    pub delivery_p95_ms: Option<u64>,
    /// Sync passes and logins that hour.
    pub attempts: u64,
    /// Of which failed.
    pub errors: u64,
}

/// How far the download of a message opened on demand is (`satu://download` in the app): bytes
/// so far of the message's size on the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DownloadProgress {
    /// The mail's item id.
    pub id: i64,
    /// Bytes downloaded so far.
    pub done: u64,
    /// The message's size on the server.
    pub total: u64,
}

/// Progress of long work (initial sync of a folder, an import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Progress {
    /// Account id.
    pub account: i64,
    /// Folder (or file) being worked on.
    pub folder: String,
    /// Done so far.
    pub done: u64,
    /// Total.
    pub total: u64,
}

/// How an account's live sync is doing ([`crate::Satu::run_live`]): what the window shows as its
/// online/offline indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LiveStatus {
    /// Account id.
    pub account: i64,
    /// `connecting`, `syncing` (a full pass), `connected`, `offline` (see `error` and
    /// `retry_at`) or `stopped`.
    pub state: LiveState,
    /// While connected: how new mail is noticed, `idle` (the server pushes it) or `poll` (the
    /// server has no IDLE: checked every minute); '' otherwise.
    pub mode: LiveMode,
    /// Why the account is offline.
    pub error: Option<String>,
    /// The kind of that error (`sign_in_again`: the window offers "Sign in again").
    #[serde(default)]
    pub error_code: Option<crate::ErrorCode>,
    /// RFC 3339 UTC time of the next connection attempt, when offline.
    pub retry_at: Option<String>,
    /// While `syncing`: the folder being fetched and how far it is (for a progress bar).
    #[serde(default)]
    pub progress: Option<Progress>,
}

impl From<satu_store::Change> for ChangeEvent {
    fn from(change: satu_store::Change) -> Self {
        ChangeEvent {
            change: change.change.into(),
            id: change.item_id,
            kind: change.kind.into(),
            title: change.title,
        }
    }
}

/// RFC 3339 UTC with second precision, e.g. `2026-11-24T01:00:00Z`.
pub fn rfc3339(time_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(time_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl From<satu_store::ItemRow> for Item {
    fn from(row: satu_store::ItemRow) -> Self {
        Item {
            id: row.id,
            kind: row.kind.into(),
            account: row.account_id,
            title: row.title,
            sender: row.sender.map(|p| Person {
                name: p.name,
                address: p.address,
            }),
            time: rfc3339(row.time_ms),
            unread: row.unread,
            flagged: row.flagged,
            answered: row.answered,
            thread: row.thread,
            thread_size: row.thread_size,
            thread_unread: row.thread_unread,
            snippet: row.snippet,
            message_id: row.message_id,
            folders: row.folders,
            task: row.task,
            todo: row.todo.map(|t| Todo {
                status: t.status.into(),
                done: t.status.is_closed(),
                due: t.due_ms.map(rfc3339),
                completed: t.completed_ms.map(rfc3339),
                mail: t.mail_item,
                mail_link: t.mail_message_id.as_deref().map(crate::tasks::mid_url),
                conflict: t.conflict,
                priority: (t.priority > 0).then_some(t.priority),
                percent: t.percent,
                related_to: t.related_to,
            }),
            chat: row.chat.map(Into::into),
            snoozed_until: row.snoozed_until_ms.map(rfc3339),
            event: row.event.map(|e| EventBrief {
                start: event_time(row.time_ms, e.all_day),
                end: event_time(e.end_ms, e.all_day),
                all_day: e.all_day,
                location: e.location,
                recurring: e.recurring,
            }),
        }
    }
}

/// The event part of a timeline item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EventBrief {
    /// Start: RFC 3339 UTC; all-day: `YYYY-MM-DD`.
    pub start: String,
    /// End (exclusive), the same way.
    pub end: String,
    /// A day (or days), not a time.
    pub all_day: bool,
    /// Where.
    pub location: String,
    /// It repeats (`start` is the series' first).
    pub recurring: bool,
}

/// An event's time as the API shows it: RFC 3339 UTC, or the local date of an all-day one.
pub fn event_time(ms: i64, all_day: bool) -> String {
    if all_day {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d")
            .to_string()
    } else {
        rfc3339(ms)
    }
}

/// One instance of an event in a range (`satu calendar events`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EventOccurrence {
    /// The event's item id (every instance of a series has it).
    pub id: i64,
    /// Its calendar (null: on no server).
    pub calendar: Option<i64>,
    /// Title.
    pub title: String,
    /// Start: RFC 3339 UTC; all-day: `YYYY-MM-DD`.
    pub start: String,
    /// End (exclusive), the same way.
    pub end: String,
    /// A day, not a time.
    pub all_day: bool,
    /// Where.
    pub location: String,
    /// Part of a series.
    pub recurring: bool,
    /// This instance's original start (a series only).
    pub recurrence_id: Option<String>,
    /// `confirmed`, `tentative` or `cancelled`.
    pub status: String,
    /// Changed here, not on the server yet.
    pub pending: bool,
    /// '' when in sync; else why not (a conflict: `satu event resolve ID --keep here|server`).
    pub sync_error: String,
}

/// Someone invited to an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Attendee {
    /// Address.
    pub email: String,
    /// Name ('' when none).
    pub name: String,
    /// `needs-action`, `accepted`, `tentative`, `declined`, `delegated`.
    pub partstat: String,
}

/// An event with everything about it (`satu event show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EventDetail {
    /// The series (its first instance) or the single event.
    #[serde(flatten)]
    pub occurrence: EventOccurrence,
    /// iCalendar UID.
    pub uid: String,
    /// Description.
    pub description: String,
    /// RRULE ('' when it does not repeat).
    pub rrule: String,
    /// IANA zone of its start ('' for UTC, floating and all-day).
    pub time_zone: String,
    /// Organizer's address ('' when none).
    pub organizer: String,
    /// Attendees.
    pub attendees: Vec<Attendee>,
    /// Alarms: minutes before the start.
    pub alarms: Vec<i64>,
}

/// An event to make or a change to one (`satu event add|edit`): absent fields are kept (an
/// edit) or defaulted (a new one: an hour long, in the default calendar).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct EventInput {
    /// Where it goes (default: the first calendar for events).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub calendar: Option<i64>,
    /// Title.
    #[serde(default)]
    #[ts(type = "string")]
    pub title: Option<String>,
    /// Start: RFC 3339, `YYYY-MM-DDTHH:MM` (in `time_zone`) or `YYYY-MM-DD` (all-day).
    #[serde(default)]
    #[ts(type = "string")]
    pub start: Option<String>,
    /// End (exclusive), the same way.
    #[serde(default)]
    #[ts(type = "string")]
    pub end: Option<String>,
    /// A day (or days), not a time.
    #[serde(default)]
    #[ts(type = "boolean")]
    pub all_day: Option<bool>,
    /// Where.
    #[serde(default)]
    #[ts(optional)]
    pub location: Option<String>,
    /// Description.
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    /// RRULE value, e.g. `FREQ=WEEKLY;COUNT=10` ('' stops repeating).
    #[serde(default)]
    #[ts(optional)]
    pub rrule: Option<String>,
    /// IANA zone the times are in (default: this machine's).
    #[serde(default)]
    #[ts(optional)]
    pub time_zone: Option<String>,
}

/// What an import did (`satu calendar import`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IcsImportReport {
    /// Events and tasks added.
    pub added: u64,
    /// Already here (same UID): updated.
    pub updated: u64,
    /// Parts that were not events or tasks, or could not be read.
    pub skipped: u64,
}

impl From<satu_store::ItemDetail> for ItemDetail {
    fn from(detail: satu_store::ItemDetail) -> Self {
        ItemDetail {
            item: detail.row.into(),
            recipients: detail.recipients,
            body_text: detail.body_text,
            body_html: detail.body_html,
            quarantined: detail.quarantine,
            remote_content: false,
            unsubscribe: None,
            invitation: None,
            activity: Vec::new(),
            reply_to: None,
            remote: detail.remote,
            authentication: None,
            attachments: detail
                .attachments
                .into_iter()
                .map(|a| Attachment {
                    name: a.name,
                    mime_type: a.mime_type,
                    size: a.size,
                })
                .collect(),
        }
    }
}

impl From<satu_store::Account> for Account {
    fn from(a: satu_store::Account) -> Self {
        let hostport = |(host, port): (String, u16)| {
            if host.is_empty() {
                String::new()
            } else {
                format!("{host}:{port}")
            }
        };
        Account {
            id: a.id,
            name: a.name,
            email: a.email,
            kind: a.kind.into(),
            imap: hostport(a.imap),
            smtp: hostport(a.smtp),
            security: a.security.into(),
            smtp_security: a.smtp_security.into(),
            username: a.username,
            notify: a.notify,
            in_timeline: a.in_timeline,
            url: a.url,
            auth: AuthMethod::Password,
            sign_in_again: false,
            offline_days: a.offline_days,
        }
    }
}

/// A CalDAV account to add (`satu account add-caldav`).
#[derive(Clone, Default, Serialize, Deserialize, TS)]
pub struct CaldavInput {
    /// The server's URL (discovery starts at its `/.well-known/caldav`), or a principal or
    /// calendar home URL.
    pub url: String,
    /// Login name.
    pub username: String,
    /// Password; goes to the OS keyring ('' with `signed_in_with`).
    pub password: String,
    /// Sign in with the OAuth2 sign-in of this mail account (`Authorization: Bearer`) instead of
    /// a password: a calendar server found beside a mail account that signs in through its
    /// provider.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub signed_in_with: Option<i64>,
    /// Extra trusted certificate or CA (PEM path).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub ca_file: Option<String>,
    /// Display name (default: user@host).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub name: Option<String>,
}

/// A calendar or task list (`satu calendar list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CalendarInfo {
    /// Calendar id.
    pub id: i64,
    /// Its CalDAV account.
    pub account: i64,
    /// Its path on the server.
    pub href: String,
    /// Display name.
    pub name: String,
    /// Color ('' when none).
    pub color: String,
    /// What it holds: `VEVENT`, `VTODO`.
    pub components: Vec<String>,
    /// Where tasks made from mail go.
    pub tasks_go_here: bool,
}

/// A calendar's colour as the server gave it, if it is a plain `#rgb`, `#rgba`, `#rrggbb` or
/// `#rrggbbaa` colour; else none (the window uses it in CSS, where anything else could load a
/// URL or break out of the rule).
pub(crate) fn css_color(color: &str) -> String {
    let color = color.trim();
    let plain = color.strip_prefix('#').is_some_and(|hex| {
        matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit())
    });
    if plain {
        color.to_owned()
    } else {
        String::new()
    }
}

// The inputs that carry a password or a token print without it (logs, panics, `{:?}`).
impl std::fmt::Debug for AccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountInput")
            .field("email", &self.email)
            .field("imap", &self.imap)
            .field("smtp", &self.smtp)
            .field("security", &self.security)
            .field("smtp_security", &self.smtp_security)
            .field("username", &self.username)
            .field("ca_file", &self.ca_file)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CaldavInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaldavInput")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("ca_file", &self.ca_file)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for MatrixInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatrixInput")
            .field("homeserver", &self.homeserver)
            .field("user", &self.user)
            .field("ca_file", &self.ca_file)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl From<satu_store::CalendarRow> for CalendarInfo {
    fn from(c: satu_store::CalendarRow) -> Self {
        CalendarInfo {
            id: c.id,
            account: c.account_id,
            href: c.href,
            name: c.name,
            color: css_color(&c.color),
            components: c.components,
            tasks_go_here: c.task_default,
        }
    }
}

/// A message to send (`satu send`, the compose window).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct SendInput {
    /// The sending account.
    pub account: i64,
    /// To: addresses, `Name <addr>` or `addr`.
    #[serde(default)]
    pub to: Vec<String>,
    /// Cc.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub cc: Vec<String>,
    /// Bcc (in the envelope only, never in the message).
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub bcc: Vec<String>,
    /// Subject.
    #[serde(default)]
    pub subject: String,
    /// The text.
    #[serde(default)]
    pub body: String,
    /// An HTML version of the text, if any.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub html: Option<String>,
    /// Paths of files to attach.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub attachments: Vec<String>,
    /// The item answered: sets In-Reply-To and References, and threads the sent mail with it.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub reply_to_item: Option<i64>,
    /// The mail forwarded: its attachments go along.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub forward_of: Option<i64>,
    /// Send later: RFC 3339 (it goes out at the first chance after, even after a restart).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub at: Option<String>,
    /// Seconds it waits so that it can be taken back (undo send); default the
    /// `send.undo_seconds` setting.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub undo_seconds: Option<u32>,
    /// The saved draft this sends: it leaves the drafts (and the Drafts folder).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub draft: Option<i64>,
    /// Files to attach given by content (the window's file picker), beside `attachments`.
    #[serde(default)]
    #[ts(as = "Option<Vec<FileData>>", optional)]
    pub files: Vec<FileData>,
    /// The address to send from: one of the account's identities (`satu account identity`);
    /// null for the account's own.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub from: Option<String>,
}

/// How a list was left (`satu unsubscribe`, the reading pane's Unsubscribe).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Unsubscribed {
    /// `one-click` (an HTTPS POST, RFC 8058), `mail` (a message through the outbox) or `web`
    /// (the list's page, opened in the browser).
    pub method: String,
    /// The URL used.
    pub url: String,
    /// The message in the outbox (`mail`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub outbox: Option<i64>,
    /// What became of the page's link (`web`: opened, or a look-alike to confirm).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub link: Option<crate::links::LinkDecision>,
}

/// The words of a printed message's header, in the user's language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintLabels {
    /// The language (`lang` of the page).
    pub lang: String,
    /// "From".
    pub from: String,
    /// "To".
    pub to: String,
    /// "Date".
    pub date: String,
    /// The message's date, written out.
    pub date_text: String,
}

/// An address offered to complete what the user typed in To, Cc or Bcc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Contact {
    /// The address.
    pub address: String,
    /// The name last seen with it ('' when none).
    pub name: String,
    /// Messages the user sent to it.
    pub written: i64,
}

/// An address an account sends from: its own (`primary`) or an alias, with the name shown and
/// the signature added under new messages, replies and forwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Identity {
    /// The account.
    pub account: i64,
    /// The address.
    pub address: String,
    /// The name shown in From.
    pub name: String,
    /// Plain text ('' for none).
    pub signature: String,
    /// The account's own address (it cannot be removed).
    pub primary: bool,
}

/// An identity to add or change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct IdentityInput {
    /// The address.
    pub address: String,
    /// The name shown in From ('' for the account's name).
    #[serde(default)]
    pub name: String,
    /// Plain text ('' for none).
    #[serde(default)]
    pub signature: String,
}

/// A file given by content.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct FileData {
    /// File name.
    pub name: String,
    /// MIME type ('' to guess from the name).
    #[serde(default)]
    pub mime_type: String,
    /// The bytes, base64.
    pub data: String,
}

/// A message in the outbox (`satu outbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OutboxEntry {
    /// Outbox id.
    pub id: i64,
    /// The sending account.
    pub account: i64,
    /// Message-ID without angle brackets (fixed when queued).
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// To and Cc.
    pub recipients: String,
    /// `queued`, `sending`, `sent`, `failed` or `cancelled`.
    pub state: OutboxState,
    /// Why the last attempt failed (the server's reason), if one did.
    pub error: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// When it goes out (queued) or may be tried again, RFC 3339 UTC.
    pub send_at: Option<String>,
    /// When it was queued.
    pub created: String,
    /// When the server took it.
    pub sent_at: Option<String>,
    /// Whether it is in the Sent folder.
    pub in_sent: bool,
    /// The item it answers.
    pub reply_to_item: Option<i64>,
    /// Whether it can still be taken back (undo send).
    pub can_cancel: bool,
    /// Failed because the server may already have it (the connection broke after the message
    /// was handed over): sending it again is the user's call (`satu outbox retry ID --resend`).
    #[serde(default)]
    pub uncertain: bool,
}

impl From<satu_store::Outgoing> for OutboxEntry {
    fn from(o: satu_store::Outgoing) -> Self {
        let queued = o.state == satu_store::OutboxState::Queued;
        OutboxEntry {
            id: o.id,
            account: o.account_id,
            message_id: o.message_id,
            subject: o.subject,
            recipients: o.recipients,
            state: o.state.into(),
            error: (!o.last_error.is_empty()).then_some(o.last_error),
            attempts: o.attempts,
            send_at: queued.then(|| rfc3339(o.not_before_ms)),
            created: rfc3339(o.created_ms),
            sent_at: o.sent_ms.map(rfc3339),
            in_sent: o.in_sent,
            reply_to_item: o.reply_to_item,
            can_cancel: (queued && o.stage == satu_store::Stage::None)
                || o.state == satu_store::OutboxState::Failed,
            uncertain: o.state == satu_store::OutboxState::Failed
                && o.stage == satu_store::Stage::Data,
        }
    }
}

/// A reply or forward, ready to edit and send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Draft {
    /// The saved draft's id (`satu drafts`); null for a reply or forward not saved yet.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub id: Option<i64>,
    /// The account to send from.
    pub account: i64,
    /// To.
    #[serde(default)]
    pub to: Vec<String>,
    /// Cc.
    #[serde(default)]
    pub cc: Vec<String>,
    /// Bcc.
    #[serde(default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub bcc: Vec<String>,
    /// Subject.
    #[serde(default)]
    pub subject: String,
    /// The text, with the quote or the forwarded message.
    #[serde(default)]
    pub body: String,
    /// The item answered.
    #[serde(default)]
    pub reply_to_item: Option<i64>,
    /// The mail forwarded.
    #[serde(default)]
    pub forward_of: Option<i64>,
    /// When it was last saved, RFC 3339 UTC (saved drafts).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub updated: Option<String>,
    /// Whether its latest text is in the account's Drafts folder.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub in_drafts: bool,
    /// The address it is written from (an identity of the account); null for the account's own.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub from: Option<String>,
}

impl From<satu_store::Draft> for Draft {
    fn from(d: satu_store::Draft) -> Self {
        Draft {
            id: Some(d.id),
            account: d.content.account_id,
            to: d.content.to,
            cc: d.content.cc,
            bcc: d.content.bcc,
            subject: d.content.subject,
            body: d.content.body,
            reply_to_item: d.content.reply_to_item,
            forward_of: d.content.forward_of,
            updated: Some(rfc3339(d.updated_ms)),
            in_drafts: d.synced_revision == d.revision,
            from: (!d.content.from.is_empty()).then_some(d.content.from),
        }
    }
}

/// The chat part of a chat item (kind `chat`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatBrief {
    /// The room's number (`satu chat rooms`).
    pub room: i64,
    /// The Matrix room id.
    pub room_id: String,
    /// The room's name.
    pub room_name: String,
    /// The event id; null while the message waits to be sent.
    pub event_id: Option<String>,
    /// The sender's Matrix user id.
    pub sender_id: String,
    /// `queued` (written here, not sent yet), `sent` or `failed` (see `error`).
    pub state: ChatState,
    /// Why the last send failed; null when none.
    pub error: Option<String>,
    /// The event it answers; null when none.
    pub reply_to: Option<String>,
    /// The root event of its thread; null when none.
    pub thread_root: Option<String>,
    /// Edited by its sender (the text shown is the latest).
    pub edited: bool,
    /// Removed by its sender or a moderator: the text is gone.
    pub redacted: bool,
    /// End-to-end encrypted: Satu cannot read it yet.
    pub encrypted: bool,
    /// `m.text`, `m.notice`, `m.emote`, `m.image`, `m.file`, …
    pub msgtype: String,
}

impl From<satu_store::ChatInfo> for ChatBrief {
    fn from(c: satu_store::ChatInfo) -> Self {
        let some = |s: String| (!s.is_empty()).then_some(s);
        ChatBrief {
            room: c.room,
            room_id: c.room_id,
            room_name: c.room_name,
            event_id: c.event_id,
            sender_id: c.sender,
            // A state this Satu does not know shows as failed (it wants the user).
            state: ChatState::parse(&c.state).unwrap_or(ChatState::Failed),
            error: some(c.error),
            reply_to: some(c.reply_to),
            thread_root: some(c.thread_root),
            edited: c.edited,
            redacted: c.redacted,
            encrypted: c.encrypted,
            msgtype: c.msgtype,
        }
    }
}

/// The message a chat message answers (`satu show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatQuote {
    /// Its item id.
    pub item: i64,
    /// Who wrote it.
    pub sender: String,
    /// The start of its text.
    pub snippet: String,
}

/// A room or direct chat of a Matrix account (`satu chat rooms`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatRoom {
    /// Its number: what `satu chat send` and the others take.
    pub id: i64,
    /// Account id.
    pub account: i64,
    /// The Matrix room id.
    pub room_id: String,
    /// Its name (or its members').
    pub name: String,
    /// Topic.
    pub topic: String,
    /// A direct chat.
    pub direct: bool,
    /// End-to-end encrypted: its messages show as encrypted.
    pub encrypted: bool,
    /// `join`, `invite` (join it with `satu chat join`) or `leave`.
    pub membership: Membership,
    /// Notifications off.
    pub muted: bool,
    /// Unread messages.
    pub unread: i64,
    /// Messages stored.
    pub messages: i64,
    /// The newest message's time (RFC 3339); null when none.
    pub last: Option<String>,
    /// The conversation key of its messages (`satu thread` lists them).
    pub thread: Option<i64>,
    /// Older history than what is stored is on the server (`satu chat history`).
    pub more_history: bool,
}

impl From<satu_store::ChatRoom> for ChatRoom {
    fn from(r: satu_store::ChatRoom) -> Self {
        ChatRoom {
            id: r.id,
            account: r.account_id,
            room_id: r.room_id,
            name: r.name,
            topic: r.topic,
            direct: r.direct,
            encrypted: r.encrypted,
            // Banned or knocking: not in the room.
            membership: Membership::parse(&r.membership).unwrap_or(Membership::Leave),
            muted: r.muted,
            unread: r.unread,
            messages: r.messages,
            last: r.last_ms.map(rfc3339),
            thread: r.thread_key,
            more_history: !r.history_token.is_empty(),
        }
    }
}

/// A Matrix account to add (`satu account add-matrix`).
#[derive(Clone, Default, Serialize, Deserialize, TS)]
pub struct MatrixInput {
    /// The homeserver (`https://matrix.example.org`; its `.well-known` is followed).
    pub homeserver: String,
    /// User name or full user id (`alice` or `@alice:example.org`).
    #[serde(default)]
    pub user: String,
    /// Password: used once to sign in; only the access token is kept (in the OS keyring).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub password: Option<String>,
    /// An access token instead of a password.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub access_token: Option<String>,
    /// Extra trusted certificate or CA (PEM path).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub ca_file: Option<String>,
    /// Display name (default: the user id).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub name: Option<String>,
}

/// What a Matrix pass did (`chat` in a sync report).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChatSyncCounts {
    /// Rooms the server had news of.
    pub rooms: u64,
    /// Messages stored.
    pub messages: u64,
    /// Messages edited or redacted.
    pub updated: u64,
    /// Messages sent from the queue.
    pub sent: u64,
    /// Read markers pushed.
    pub read_markers: u64,
}

/// What `satu chat history` loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryReport {
    /// The room's number.
    pub room: i64,
    /// Messages stored.
    pub stored: u64,
    /// The start of the room was reached.
    pub complete: bool,
}

// ---- Live views of the timeline ----------------------------------------------------------

/// A view of the timeline kept open (`Satu::open_view`): its rows change as the store does, and
/// the window hears the diffs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ViewQuery {
    /// The timeline's filters; `limit` is the first page's size (default 50), `before` is not
    /// used (a view grows with `Satu::view_more`).
    #[serde(default)]
    pub timeline: TimelineQuery,
    /// Search results for this text instead (every word must match, the last as a prefix);
    /// the filters are not used then.
    #[serde(default)]
    #[ts(optional)]
    pub search: Option<String>,
}

/// The first page of an opened view.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ViewPage {
    /// The view's id, for `view_more`, `close_view` and its diffs.
    pub view: u64,
    /// The view's version: 0; every batch of diffs counts one up.
    pub version: u64,
    /// The rows, newest first.
    pub items: Vec<Item>,
    /// No older row is left out.
    pub complete: bool,
}

/// A batch of diffs of a view: apply it on top of version `version - 1`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ViewDiffs {
    /// The view.
    pub view: u64,
    /// The view's version after these diffs.
    pub version: u64,
    /// The steps, in order.
    pub diffs: Vec<Diff<Item>>,
    /// No older row is left out.
    pub complete: bool,
}

/// One step of a diff. `T` is a row (the API's `Item`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Diff<T> {
    /// The list is these rows now.
    Reset {
        /// Every row, in order.
        items: Vec<T>,
    },
    /// A row comes in at `index` (the rows from there on move one down).
    Insert {
        /// Where.
        index: usize,
        /// The row.
        item: T,
    },
    /// The row at `index` is this now (the same item, changed).
    Set {
        /// Where.
        index: usize,
        /// The row as it is now.
        item: T,
    },
    /// The row at `index` goes (the rows after it move one up).
    Remove {
        /// Where.
        index: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::css_color;

    #[test]
    fn only_plain_colours_reach_the_css() {
        for ok in ["#fff", "#FFAA00", "#12345678", " #abcd "] {
            assert_eq!(css_color(ok), ok.trim(), "{ok}");
        }
        for bad in [
            "red; background: url(https://tracker.example/x)",
            "url(https://x)",
            "#12345",
            "#ggg",
            "rgb(1,2,3)",
            "",
            "#fff;}",
        ] {
            assert_eq!(css_color(bad), "", "{bad}");
        }
    }

    #[test]
    fn inputs_print_without_their_secrets() {
        let account = super::AccountInput {
            email: "a@example.com".into(),
            imap: "imap.example.com:993".into(),
            smtp: "smtp.example.com:465".into(),
            security: None,
            smtp_security: None,
            username: None,
            password: "canary-imap".into(),
            ca_file: None,
            name: None,
            ..Default::default()
        };
        let matrix = super::MatrixInput {
            password: Some("canary-matrix".into()),
            access_token: Some("canary-token".into()),
            ..Default::default()
        };
        let caldav = super::CaldavInput {
            password: "canary-dav".into(),
            ..Default::default()
        };
        let printed = format!("{account:?} {matrix:?} {caldav:?}");
        assert!(!printed.contains("canary"), "{printed}");
        assert!(printed.contains("a@example.com"));
    }
}

/// What a backup holds (`satu backup`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupCounts {
    /// Mail.
    pub mail: u64,
    /// Chat messages.
    pub chat: u64,
    /// Tasks.
    pub tasks: u64,
    /// Events.
    pub events: u64,
    /// Accounts.
    pub accounts: u64,
}

/// A backup made or checked (`satu backup create`, `satu backup verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupReport {
    /// The file.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// When its snapshot was taken (RFC 3339).
    pub created: String,
    /// The Satu that made it.
    pub satu: String,
    /// What it holds.
    pub counts: BackupCounts,
    /// It holds the accounts' passwords and tokens.
    pub secrets: bool,
    /// It was read back whole: decrypted, every checksum and the database's integrity checked.
    pub verified: bool,
    /// The audit trail's head when it was made ('' without entries).
    pub audit_head: String,
    /// How long making it took (ms; 0 when only checked).
    pub took_ms: u64,
}

/// How far a backup is: `snapshot`, `write` (of `total` bytes of database), `verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupProgress {
    /// The stage.
    pub stage: String,
    /// Done so far (bytes; 0 when not counted).
    pub done: u64,
    /// Of (bytes; 0 when not known).
    pub total: u64,
}

/// An account, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountName {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A restore done (`satu backup restore`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    /// The data directory restored into.
    pub data_dir: String,
    /// The backup it came from (checked whole before anything was moved).
    pub backup: BackupReport,
    /// Where the data directory's old content was moved (`--replace`).
    pub moved_aside: Option<String>,
    /// The accounts whose password or sign-in was not in the backup: to be entered again.
    pub passwords_needed: Vec<AccountName>,
}

/// A backup Satu made (`satu backup list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupInfo {
    /// Id.
    pub id: i64,
    /// The file.
    pub path: String,
    /// When (RFC 3339).
    pub created: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Items in it.
    pub items: u64,
    /// Read back and checked after it was written.
    pub verified: bool,
    /// Made by the schedule.
    pub scheduled: bool,
    /// The file is still there.
    pub exists: bool,
    /// Why the attempt failed ('' when it did not).
    pub error: String,
}

/// The backup schedule (`satu backup schedule`, Settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackupSchedule {
    /// Every so many hours (0: off).
    pub every_hours: u32,
    /// Into this folder.
    pub dir: String,
    /// Keeping the newest so many.
    pub keep: u32,
    /// The passphrase is in the OS keyring.
    pub passphrase_kept: bool,
}

/// Mail exported for people (`satu export mbox|maildir`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportReport {
    /// `mbox` or `maildir`.
    pub format: String,
    /// The directory written into.
    pub out: String,
    /// Each folder written.
    pub folders: Vec<ExportedFolder>,
    /// Messages written.
    pub messages: u64,
    /// Of which only their header was here (selective offline): open them, or keep their
    /// folder offline, before exporting to have them whole.
    pub headers_only: u64,
}

/// One folder of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedFolder {
    /// Its account.
    pub account: i64,
    /// Its name.
    pub folder: String,
    /// The file (mbox) or directory (Maildir) written.
    pub path: String,
    /// Messages written.
    pub messages: u64,
    /// Of which only their header was here.
    pub headers_only: u64,
}

/// How far an export is: folder `done` of `total`, now `folder`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportProgress {
    /// The folder being written.
    pub folder: String,
    /// Folders done.
    pub done: u64,
    /// Of.
    pub total: u64,
}

/// One entry of the audit trail (`satu audit`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditRecord {
    /// Its number (increasing).
    pub id: i64,
    /// When (RFC 3339, ms).
    pub at: String,
    /// Who: the OS user and the device.
    pub actor: String,
    /// From where: `window`, `cli`, `server` (another device, brought by the sync), `schedule`.
    pub origin: String,
    /// The account it is about.
    pub account: Option<i64>,
    /// The item it is about.
    pub item: Option<i64>,
    /// What (`mail.flag`, `mail.send`, `backup.create`, …).
    pub kind: String,
    /// The particulars.
    #[ts(type = "unknown")]
    pub detail: serde_json::Value,
    /// Its hash in the chain.
    pub hash: String,
}

/// Which entries of the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditQuery {
    /// From this date or time (inclusive).
    pub from: Option<String>,
    /// To this date or time (exclusive).
    pub to: Option<String>,
    /// Only this account.
    pub account: Option<i64>,
    /// Only these kinds (`mail.flag`, or a prefix ending in a dot: `mail.`).
    pub kinds: Vec<String>,
    /// At most this many, newest first (none: all, oldest first).
    pub limit: Option<u32>,
}

/// Whether the audit trail's chain is intact (`satu audit verify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditCheck {
    /// Every entry follows the one before and matches its hash.
    pub intact: bool,
    /// Entries in the trail.
    pub entries: u64,
    /// The last entry's hash (keep it outside Satu to catch entries removed from the end).
    pub head: String,
    /// The first broken entry.
    pub broken_at: Option<i64>,
    /// Why it is broken ('' when intact).
    pub reason: String,
}
