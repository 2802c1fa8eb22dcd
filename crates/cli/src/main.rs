//! `satu`: the command line door into the Satu core. JSON output (`--json`) is a contract for
//! scripts and benchmarks: command names and keys are extended, never renamed.
//!
//! Exit codes: 0 success, 1 internal error, 2 invalid input (and usage errors), 3 not found,
//! 4 authentication failed, 5 server unreachable, 6 certificate/TLS, 7 server refused, 8 keyring.

mod serve;

use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use satu_core::api::{CancellationToken, LiveOptions};
use satu_core::dto::{
    AccountInput, ChangeEvent, Diff, Item, ItemDetail, LiveMode, LiveStatus, SearchQuery,
    TimelineQuery, ViewDiffs, ViewQuery,
};
use satu_core::{ApiError, ErrorCode, Satu};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "satu",
    version,
    about = "Satu: one local timeline of mail, chat, tasks and events"
)]
struct Cli {
    /// Data directory (default: the OS data directory, e.g. ~/.local/share/satu).
    #[arg(long, global = true, env = "SATU_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON on stdout.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add, list or remove accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// One full pass over every source (or one account), then exit.
    Sync {
        /// Only this account.
        #[arg(long)]
        account: Option<i64>,
        /// Print progress on stderr, one JSON line `{account, folder, done, total}` per batch.
        #[arg(long)]
        progress: bool,
        /// Pause the background sync (the app's, `satu watch`'s) instead: no server is contacted
        /// until `--resume`; what is done meanwhile queues. Prints `{"paused": true}`.
        #[arg(long, conflicts_with_all = ["resume", "account", "progress"])]
        pause: bool,
        /// Resume the background sync after `--pause`. Prints `{"paused": false}`.
        #[arg(long, conflicts_with_all = ["account", "progress"])]
        resume: bool,
    },
    /// Stay in sync and print one line per change until interrupted.
    Watch {
        /// Seconds between full sync passes (new mail in INBOX is pushed by the server at once).
        #[arg(long, default_value_t = 300)]
        interval: u64,
        /// Seconds one IMAP IDLE lasts before it is re-issued (tests use seconds).
        #[arg(long, default_value_t = 240, hide = true)]
        idle_period: u64,
        /// Seconds between NOOP polls on servers without IDLE (tests use seconds).
        #[arg(long, default_value_t = 60, hide = true)]
        poll: u64,
        /// Seconds between looks whether a scheduled backup is due (tests use seconds).
        #[arg(long, default_value_t = 300, hide = true)]
        backup_poll: u64,
        /// Show a desktop notification for new mail (not for what an initial sync stores;
        /// `settings set notify.enabled false` and `account mute ID` silence it).
        #[arg(long)]
        notify: bool,
        /// Print one view's rows and then their diffs instead of the changes: inbox, all,
        /// unread, flagged, tasks or chats (first line: the page `{view, version, items,
        /// complete}`; then one batch `{view, version, diffs, complete}` per change that
        /// touched it).
        #[arg(long, value_parser = VIEWS)]
        view: Option<String>,
        /// With --view: only this account's items.
        #[arg(long, requires = "view")]
        account: Option<i64>,
        /// With --view: only the items in this folder.
        #[arg(long, requires = "view")]
        folder: Option<i64>,
        /// With --view: one row per conversation.
        #[arg(long, requires = "view")]
        threads: bool,
        /// With --view: how many rows the view keeps.
        #[arg(long, requires = "view", default_value_t = 50)]
        limit: u32,
    },
    /// For developers: serve the window's commands and events on 127.0.0.1 so the UI runs in a
    /// plain browser against this data dir (`scripts/dev-browser.sh`). Prints `{url, token}`.
    Serve {
        /// Required: this server is for development only.
        #[arg(long, required = true)]
        dev: bool,
        /// The port (0: any free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// The unified timeline, newest first.
    Timeline {
        /// At most this many items.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only this kind: mail, chat, task or event.
        #[arg(long)]
        kind: Option<String>,
        /// Only unread items.
        #[arg(long)]
        unread: bool,
        /// Only flagged items.
        #[arg(long)]
        flagged: bool,
        /// Only this account (also one left out of the unified timeline).
        #[arg(long)]
        account: Option<i64>,
        /// Only this folder (an id from `satu folders`).
        #[arg(long)]
        folder: Option<i64>,
        /// Only items older than this item id (paging).
        #[arg(long)]
        before: Option<i64>,
        /// One row per conversation (its newest item), with `thread_size` and `thread_unread`.
        #[arg(long)]
        threads: bool,
        /// Only the items of this thread (a `thread` key from the JSON).
        #[arg(long)]
        thread: Option<i64>,
        /// One of the window's views: inbox (each account's INBOX, chats and open tasks; never
        /// Trash, Junk, Sent, Drafts or archived mail), all, unread, flagged, tasks or chats.
        #[arg(long, value_parser = VIEWS)]
        view: Option<String>,
        /// Only mail whose sender was checked and not verified (unverified or failed).
        #[arg(long)]
        unverified: bool,
    },
    /// The conversation of an item: every message of its thread, oldest first, with content.
    Thread {
        /// Item id (any item of the thread).
        id: i64,
    },
    /// Addresses completing what was typed (the start of an address or of a word of the name):
    /// those written to most and most lately first, then those mail came from.
    Contacts {
        /// What was typed.
        text: String,
        /// At most this many (1 to 50).
        #[arg(long, default_value_t = 10)]
        limit: u32,
    },
    /// The full-text index: how many stored items wait for it (mail is indexed in the background
    /// after it is stored; until then search finds it by title and sender only).
    Index {
        /// Index everything that waits now, and return when nothing does.
        #[arg(long)]
        wait: bool,
        /// With --wait: print progress on stderr, one JSON line `{indexed, pending}` per chunk.
        #[arg(long)]
        progress: bool,
    },
    /// Sync health, measured from Satu's own traffic: the five indicators (delivery delay, read
    /// status synced, calendars fresh, the latest data offline, backups) as good, warning, bad
    /// or off, and each account's login success and sync error rates over 24 hours and 7 days.
    Health {
        #[command(subcommand)]
        command: Option<HealthCommand>,
    },
    /// Write mail for other mail programs: folders as mbox files or Maildirs, one directory per
    /// account under `--out` (events: `satu calendar export`).
    Export {
        /// `mbox` or `maildir`.
        #[arg(value_parser = ["mbox", "maildir"])]
        format: String,
        /// Only this folder (repeat for more; default: every folder).
        #[arg(long)]
        folder: Vec<String>,
        /// Only this account.
        #[arg(long)]
        account: Option<i64>,
        /// The directory to write into (created; nothing in it is overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print progress on stderr, one JSON line `{folder, done, total}` per folder.
        #[arg(long)]
        progress: bool,
    },
    /// The audit trail: every action that changed or disclosed data (who, when, which account
    /// and item, what, from where), hash-chained. Newest first with --limit, else oldest first.
    Audit {
        #[command(subcommand)]
        command: Option<AuditCommand>,
        #[command(flatten)]
        filter: AuditArgs,
    },
    /// Rules: when a mail is like this (`--when`), do that (`--do`); on new mail, each once.
    #[command(subcommand)]
    Rule(RuleCommand),
    /// A mail domain as senders and receivers see it: MX (reachable, STARTTLS, certificate),
    /// SPF, DKIM, DMARC, MTA-STS, TLS-RPT, DNSSEC and every TTL, each finding with its severity
    /// and the exact record to publish.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Encrypted backups of everything (mail, chat, tasks, events, settings, drafts): make one,
    /// check one, list them, restore one into a data directory, or schedule them. Exit codes:
    /// 10 wrong passphrase, 11 damaged or incomplete file, 12 made by a newer Satu.
    #[command(subcommand)]
    Backup(BackupCommand),
    /// Full-text search over every item, newest first. Mail whose body is not here (selective
    /// offline) is searched on its server too, and what it finds is added.
    Search {
        /// What to look for (every word must match; the last one as a prefix).
        query: String,
        /// At most this many results.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Search what is here only (no server).
        #[arg(long)]
        local: bool,
    },
    /// One item with its content. Mail whose body is on the server only (older than its folder
    /// keeps offline) is downloaded first.
    Show {
        /// Item id.
        id: i64,
        /// Do not download: show what is here (`remote: true` says the body is not), and the
        /// sender check kept from before, if any.
        #[arg(long)]
        offline: bool,
        /// Check the sender again (DKIM, SPF, DMARC now), not the check kept from arrival.
        #[arg(long, conflicts_with = "offline")]
        recheck: bool,
    },
    /// Save an attachment of an item (as `show` lists them, the first is 0) to a file.
    Attachment {
        /// Item id.
        id: i64,
        /// Which attachment (0-based).
        index: u32,
        /// Where to write it; `-` for standard output.
        #[arg(long, short, required_unless_present = "open")]
        output: Option<PathBuf>,
        /// Open it with the system's application for its type instead (programs are refused).
        #[arg(long, conflicts_with = "output")]
        open: bool,
    },
    /// Import mail offline into a local account.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Mark an item read, unread, flagged or unflagged (applied at once; sent to the server now
    /// or, offline, at the next sync).
    Mark(MarkArgs),
    /// Leave the mailing list a mail came from: one click (an HTTPS POST, RFC 8058) when a
    /// verified DKIM signature covers its unsubscribe headers, else a message through the
    /// outbox, else the list's page in the browser.
    Unsubscribe {
        /// Item id (a mail).
        id: i64,
        /// Trust this extra certificate or CA (PEM) for the one-click request.
        #[arg(long, value_name = "PEM")]
        ca_file: Option<PathBuf>,
    },
    /// Print a mail: a page of its own opens in the system's browser, which prints it (with
    /// --output, the page is written there instead).
    Print {
        /// Item id (a mail).
        id: i64,
        /// Write the page to this file instead of opening it.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Snooze a mail's conversation: it leaves the Inbox until a time, then comes back to its
    /// top, unread (`satu sync` and `satu watch` bring it back when its time has come).
    Snooze {
        /// Item id (a mail).
        id: i64,
        /// `later` (today), `tomorrow`, `next-week`, a day (2026-12-24: 08:00) or an RFC 3339
        /// time. Without it: the times offered, now.
        #[arg(long)]
        until: Option<String>,
    },
    /// Bring a snoozed conversation back to the Inbox now, as it was.
    Unsnooze {
        /// Item id (a mail of the conversation).
        id: i64,
    },
    /// Move a message to its account's Archive folder.
    Archive {
        /// Item id.
        id: i64,
    },
    /// Move a message to the Trash (or, if it is in the Trash already, delete it for good).
    Delete {
        /// Item id.
        id: i64,
    },
    /// Move a message to another folder of its account.
    Move {
        /// Item id.
        id: i64,
        /// Folder name as the server spells it, e.g. "Archive/2026" (INBOX in any case).
        folder: String,
    },
    /// The folders of every account (or one); `--push NAME` / `--no-push NAME` choose whether a
    /// folder besides INBOX is pushed (IDLE) by `satu watch` and the app.
    Folders {
        /// Only this account.
        #[arg(long)]
        account: Option<i64>,
        /// Push this folder: its changes arrive within about a second.
        #[arg(long, value_name = "FOLDER", conflicts_with = "no_push")]
        push: Option<String>,
        /// Stop pushing this folder: it is synced by the periodic full pass.
        #[arg(long, value_name = "FOLDER")]
        no_push: Option<String>,
    },
    /// How much mail keeps its body offline: an account (or one folder) keeps the bodies of the
    /// last N days; older mail is kept with its header only (listed, found by subject and sender,
    /// its body downloaded when opened and searched on the server). Prints the folders.
    Offline {
        /// The mail account.
        #[arg(long)]
        account: i64,
        /// Only this folder (default: the whole account).
        #[arg(long)]
        folder: Option<String>,
        /// Keep bodies of mail received in the last N days.
        #[arg(long, conflicts_with = "all")]
        days: Option<u32>,
        /// Keep every body (for a folder: as the account says). Bodies dropped earlier come back
        /// as their messages are opened.
        #[arg(long)]
        all: bool,
    },
    /// Local changes waiting for the server (and those it refused); `ops retry ID` tries again.
    Ops {
        #[command(subcommand)]
        command: Option<OpsCommand>,
    },
    /// Unread, flagged and open-task counts (unified totals, per account, per folder).
    Counts,
    /// Senders whose mail loads remote images without asking (`allow ADDR`, `block ADDR`).
    RemoteContent {
        #[command(subcommand)]
        command: Option<RemoteCommand>,
    },
    /// Tasks: make one from a mail, list them, complete them.
    Task {
        #[command(subcommand)]
        command: TaskCommand,
    },
    /// What to send along when asking for help: versions, the system, the accounts' servers and
    /// login methods, the settings, the live sync's state and the last lines of the app's log
    /// (never a password, token or message).
    Diagnostics,
    /// The settings (`settings set KEY VALUE` to choose one).
    Settings {
        #[command(subcommand)]
        command: Option<SettingsCommand>,
    },
    /// Send a message through the outbox: queued (it survives restarts and outages), then sent
    /// at once if the server answers; prints its outbox entry.
    Send(SendArgs),
    /// The outbox: queued, sending, sent and failed messages (`flush`, `cancel`, `retry`).
    Outbox {
        #[command(subcommand)]
        command: Option<OutboxCommand>,
    },
    /// Chat (Matrix): rooms, sending, history, mute, join.
    Chat {
        #[command(subcommand)]
        command: ChatCommand,
    },
    /// Calendars and task lists of the CalDAV accounts: list them, their events, import and
    /// export ICS, where tasks go.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Events: show, add, edit, delete, resolve a sync conflict.
    Event {
        #[command(subcommand)]
        command: EventCommand,
    },
    /// The drafts being written (`save`, `delete`); each one's latest text is kept in the
    /// account's Drafts folder.
    Drafts {
        #[command(subcommand)]
        command: Option<DraftsCommand>,
    },
    /// A reply to a mail, ready to edit: recipients, subject and the quoted text.
    Reply {
        /// Mail item id.
        id: i64,
        /// Reply to everyone it was addressed to.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// The account's identities: its own address first, then its aliases.
    List {
        /// The mail account.
        account: i64,
    },
    /// Add an alias (or change an identity's name and signature; the account's own address
    /// takes them too).
    Add {
        /// The mail account.
        account: i64,
        /// The address to send from.
        #[arg(long)]
        address: String,
        /// The name shown in From (default: the account's).
        #[arg(long, default_value = "")]
        name: String,
        /// The signature (plain text).
        #[arg(long, conflicts_with = "signature_file")]
        signature: Option<String>,
        /// Read the signature from a file.
        #[arg(long)]
        signature_file: Option<PathBuf>,
    },
    /// Remove an alias (the account's own address: its name and signature).
    Remove {
        /// The mail account.
        account: i64,
        /// The alias's address.
        #[arg(long)]
        address: String,
    },
}

#[derive(Args)]
struct SendArgs {
    /// Send from this address: one of the account's identities (`satu account identity list`).
    #[arg(long)]
    from: Option<String>,
    /// The sending account (see `satu account list`).
    #[arg(long)]
    account: i64,
    /// A recipient (repeat for more): `bob@example.com` or `Bob <bob@example.com>`.
    #[arg(long)]
    to: Vec<String>,
    /// A Cc recipient (repeat for more).
    #[arg(long)]
    cc: Vec<String>,
    /// A Bcc recipient (repeat for more; never shown in the message).
    #[arg(long)]
    bcc: Vec<String>,
    /// Subject (default for a reply: "Re: " and the original's).
    #[arg(long, required_unless_present = "reply_to_item")]
    subject: Option<String>,
    /// The text.
    #[arg(
        long,
        required_unless_present = "body_file",
        conflicts_with = "body_file"
    )]
    body: Option<String>,
    /// The text, from a file (`-`: standard input).
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// An HTML version of the text, from a file.
    #[arg(long)]
    html_file: Option<PathBuf>,
    /// A file to attach (repeat for more).
    #[arg(long)]
    attach: Vec<PathBuf>,
    /// The mail this answers (In-Reply-To, References; the sent mail joins its thread).
    #[arg(long)]
    reply_to_item: Option<i64>,
    /// With --reply-to-item: quote the original under the text.
    #[arg(long, requires = "reply_to_item")]
    quote: bool,
    /// A mail to forward: its attachments go along.
    #[arg(long)]
    forward: Option<i64>,
    /// Send later: RFC 3339, e.g. 2026-12-24T09:00:00+08:00.
    #[arg(long)]
    at: Option<String>,
    /// Seconds to wait first, so that `satu outbox cancel ID` can take it back (default 0).
    #[arg(long, default_value_t = 0)]
    undo_seconds: u32,
    /// The saved draft this sends (it leaves the drafts and the Drafts folder).
    #[arg(long)]
    draft: Option<i64>,
}

#[derive(Subcommand)]
enum ChatCommand {
    /// Every room and direct chat, most recently active first, with unread counts.
    Rooms {
        /// Only this account's.
        #[arg(long)]
        account: Option<i64>,
    },
    /// Write a message to a room (its number, id or name): in the timeline at once, sent now or,
    /// offline, by the next sync (never twice).
    Send {
        /// The room: its number from `satu chat rooms`, its Matrix id, or its name.
        room: String,
        /// The text.
        text: String,
        /// Answer this chat item.
        #[arg(long)]
        reply_to: Option<i64>,
    },
    /// Load older messages of a room from the server (100 per page).
    History {
        /// The room.
        room: String,
        /// Pages to load.
        #[arg(long, default_value_t = 1)]
        pages: u32,
    },
    /// No notifications for this room's messages.
    Mute {
        /// The room.
        room: String,
    },
    /// Notifications for this room's messages again.
    Unmute {
        /// The room.
        room: String,
    },
    /// Join a room you are invited to.
    Join {
        /// The room.
        room: String,
    },
    /// Send a message that failed again.
    Retry {
        /// Chat item id.
        id: i64,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Every calendar and task list, with what it holds.
    List {
        /// Only this account's.
        #[arg(long)]
        account: Option<i64>,
    },
    /// The events in a range (series expanded), by start.
    Events {
        /// Start of the range: 2027-01-05 (local midnight) or RFC 3339 (default: today).
        #[arg(long)]
        from: Option<String>,
        /// End of the range, exclusive (default: 30 days after --from).
        #[arg(long)]
        to: Option<String>,
        /// Only this calendar (repeat for more).
        #[arg(long)]
        calendar: Vec<i64>,
    },
    /// Tasks made from mail go to this task list (one, whichever account it belongs to).
    TasksHere {
        /// Calendar id (see `satu calendar list`).
        id: i64,
    },
    /// Write events as an ICS file: a calendar's, a range's or the ones named.
    Export {
        /// Only this calendar.
        #[arg(long)]
        calendar: Option<i64>,
        /// Only this event (repeat for more).
        #[arg(long)]
        id: Vec<i64>,
        /// Only events with an instance from here (with --to).
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// ... to here.
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// The file to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Read the events of an ICS file into a calendar (pushed with the next sync).
    Import {
        /// The .ics file.
        path: PathBuf,
        /// Into this calendar (default: the first calendar for events).
        #[arg(long)]
        calendar: Option<i64>,
    },
}

#[derive(Args, Default)]
struct EventFields {
    /// Title.
    #[arg(long)]
    title: Option<String>,
    /// Start: 2027-01-05T09:00 (local, or in --tz), RFC 3339, or 2027-01-05 with --all-day.
    #[arg(long)]
    start: Option<String>,
    /// End, exclusive (default: an hour after the start; the next day for --all-day).
    #[arg(long)]
    end: Option<String>,
    /// A whole day (or days) rather than a time (`--all-day=false`: timed).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    all_day: Option<bool>,
    /// Where.
    #[arg(long)]
    location: Option<String>,
    /// Description.
    #[arg(long)]
    description: Option<String>,
    /// Repeat: an RRULE such as FREQ=WEEKLY;COUNT=10 ('' to stop repeating).
    #[arg(long)]
    rrule: Option<String>,
    /// The IANA time zone of the times (default: this machine's).
    #[arg(long)]
    tz: Option<String>,
    /// The calendar (add: default the first for events; edit: moves it there).
    #[arg(long)]
    calendar: Option<i64>,
}

impl EventFields {
    fn input(self) -> satu_core::dto::EventInput {
        satu_core::dto::EventInput {
            calendar: self.calendar,
            title: self.title,
            start: self.start,
            end: self.end,
            all_day: self.all_day,
            location: self.location,
            description: self.description,
            rrule: self.rrule,
            time_zone: self.tz,
        }
    }
}

#[derive(Subcommand)]
enum EventCommand {
    /// Everything about an event: times, zone, repeat, attendees, alarms.
    Show {
        /// Event item id.
        id: i64,
    },
    /// Make an event (on the server after the next sync; queued while offline).
    Add(EventFields),
    /// Change an event (the whole series): only the fields given.
    Edit {
        /// Event item id.
        id: i64,
        #[command(flatten)]
        fields: EventFields,
    },
    /// Delete an event (here at once, on the server with the next sync).
    Delete {
        /// Event item id.
        id: i64,
    },
    /// Answer the invitation a mail carries (see `satu show ID`'s `invitation`): the reply goes
    /// to the organizer through the outbox; the event goes to the calendar (declined: it does
    /// not).
    Answer {
        /// The mail's item id.
        id: i64,
        /// accepted, tentative or declined.
        #[arg(value_parser = ["accepted", "tentative", "declined", "accept", "decline"])]
        answer: String,
    },
    /// Answer a sync conflict (see the event's `sync_error`): keep this version or the server's.
    Resolve {
        /// Event item id.
        id: i64,
        /// `here` (this version replaces the server's) or `server`.
        #[arg(long, value_parser = ["here", "server"])]
        keep: String,
    },
}

fn event_line(e: &satu_core::dto::EventOccurrence) -> String {
    let when = if e.all_day {
        format!("{} (all day)", e.start)
    } else {
        format!("{} – {}", local_time(&e.start), local_time(&e.end))
    };
    let mut line = format!("{:>6}  {when}  {}", e.id, e.title);
    if !e.location.is_empty() {
        line.push_str(&format!(" @ {}", e.location));
    }
    if e.recurring {
        line.push_str("  ↻");
    }
    if e.pending {
        line.push_str("  (not on the server yet)");
    }
    if !e.sync_error.is_empty() {
        line.push_str(&format!("  [{}]", e.sync_error));
    }
    line
}

fn local_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn event_text(e: &satu_core::dto::EventDetail) -> String {
    let mut lines = vec![event_line(&e.occurrence)];
    if !e.rrule.is_empty() {
        lines.push(format!("        repeats: {}", e.rrule));
    }
    if !e.time_zone.is_empty() {
        lines.push(format!("        zone: {}", e.time_zone));
    }
    if !e.organizer.is_empty() {
        lines.push(format!("        organizer: {}", e.organizer));
    }
    for a in &e.attendees {
        lines.push(format!(
            "        attendee: {} <{}> {}",
            a.name, a.email, a.partstat
        ));
    }
    for m in &e.alarms {
        lines.push(format!("        alarm: {m} min before"));
    }
    if !e.description.is_empty() {
        lines.push(String::new());
        lines.push(e.description.clone());
    }
    lines.join("\n")
}

#[derive(Subcommand)]
enum DraftsCommand {
    /// Save a draft (a new one, or a new revision of --id); prints it with its id.
    Save {
        /// The draft to change.
        #[arg(long)]
        id: Option<i64>,
        /// The account it is written from.
        #[arg(long)]
        account: i64,
        /// To (repeat for more).
        #[arg(long)]
        to: Vec<String>,
        /// Cc (repeat for more).
        #[arg(long)]
        cc: Vec<String>,
        /// Bcc (repeat for more).
        #[arg(long)]
        bcc: Vec<String>,
        /// Subject.
        #[arg(long, default_value = "")]
        subject: String,
        /// Text.
        #[arg(long, default_value = "")]
        body: String,
    },
    /// Discard a draft (its copy leaves the Drafts folder too).
    Delete {
        /// Draft id.
        id: i64,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Send every queued message that is due now.
    Flush,
    /// Take back a message that has not started going out (undo send), or drop a failed one.
    Cancel {
        /// Outbox id.
        id: i64,
    },
    /// Take a message back from the outbox to change it: prints it as a draft (`satu drafts
    /// save` and `satu send` take it from there).
    Edit {
        /// Outbox id.
        id: i64,
    },
    /// Retry a failed message now.
    Retry {
        /// Outbox id.
        id: i64,
        /// Send it again even if the server may already have it (the last attempt broke after
        /// the message was handed over).
        #[arg(long)]
        resend: bool,
    },
}

#[derive(Subcommand)]
enum TaskCommand {
    /// Make a task of a mail (title from the subject, linked both ways) or of a chat message
    /// (title from its text); one that has a task already prints that one.
    #[command(visible_alias = "from-chat")]
    FromMail {
        /// Mail item id.
        id: i64,
        /// Due date: 2026-12-24 or 2026-12-24T17:00:00+08:00.
        #[arg(long)]
        due: Option<String>,
    },
    /// Every task: open ones first (by due date), then done ones.
    List,
    /// Answer a sync conflict (see the task's `conflict`): keep this version or the server's.
    Resolve {
        /// Task item id.
        id: i64,
        /// `here` (this version replaces the server's) or `server`.
        #[arg(long, value_parser = ["here", "server"])]
        keep: String,
    },
    /// Set a task's due date (or clear it).
    Due {
        /// Task item id.
        id: i64,
        /// 2026-12-24 (midnight local time) or 2026-12-24T17:00:00+08:00.
        #[arg(required_unless_present = "clear", conflicts_with = "clear")]
        due: Option<String>,
        /// No due date.
        #[arg(long)]
        clear: bool,
    },
    /// Rename a task (on its task list with the next sync; queued while offline).
    Edit {
        /// Task item id.
        id: i64,
        /// The new title.
        #[arg(long)]
        title: String,
    },
    /// Delete a task (here at once; from its task list with the next sync).
    Delete {
        /// Task item id.
        id: i64,
    },
    /// Complete a task (unflags its mail when tasks.unflag_on_done is on).
    Done {
        /// Task item id.
        id: i64,
        /// Reopen it instead.
        #[arg(long)]
        undo: bool,
    },
}

#[derive(Subcommand)]
enum RemoteCommand {
    /// Always load remote content in mail from this address.
    Allow {
        /// Email address.
        address: String,
    },
    /// Block remote content from this address again (the window offers to load it).
    Block {
        /// Email address.
        address: String,
    },
}

#[derive(clap::Args, Clone, Default)]
struct AuditArgs {
    /// From this date (2026-12-01) or time (RFC 3339), inclusive.
    #[arg(long, global = true)]
    from: Option<String>,
    /// To this date or time, exclusive.
    #[arg(long, global = true)]
    to: Option<String>,
    /// Only this account.
    #[arg(long, global = true)]
    account: Option<i64>,
    /// Only this kind (mail.flag, or a prefix ending in a dot: mail.); repeat for more.
    #[arg(long, global = true)]
    kind: Vec<String>,
    /// At most this many, newest first.
    #[arg(long)]
    limit: Option<u32>,
}

impl AuditArgs {
    fn query(&self) -> satu_core::dto::AuditQuery {
        satu_core::dto::AuditQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            account: self.account,
            kinds: self.kind.clone(),
            limit: self.limit,
        }
    }
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the chain: exit 0 when intact; exit 11 naming the first changed or removed
    /// entry otherwise.
    Verify {
        /// A file holding a head written earlier (`satu audit head --out FILE`): the trail
        /// must still hold that entry.
        #[arg(long, value_name = "FILE")]
        head: Option<PathBuf>,
    },
    /// The last entry's hash: keep it outside Satu to catch entries removed from the end.
    Head {
        /// Write it to this file (replaced).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Applies the retention (`audit.keep_days`) now; the app and `satu watch` do every hour.
    Prune,
    /// Writes the entries (the filters apply) to a new file, as CSV with a header row (RFC
    /// 4180) or as JSON lines.
    Export {
        /// `csv` or `jsonl`.
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: String,
        /// The file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum RuleCommand {
    /// Adds a rule after the others. It acts on mail that arrives from now on (`rule run` for
    /// the mail already here). Conditions: from: to: cc: subject: body: words has:attachment[:pdf]
    /// list: account: folder: sender:verified|unverified|failed larger: smaller: older: newer:
    /// is:reply, a leading - negates. Actions: read, flag, archive, delete, move:FOLDER,
    /// task [due:+2d] [title:"…"], stop.
    Add {
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its conditions, all of which must hold.
        #[arg(long)]
        when: String,
        /// An action (repeat for more, done in order).
        #[arg(long = "do", value_name = "ACTION", required = true)]
        then: Vec<String>,
    },
    /// Every rule, in order.
    List,
    /// One rule.
    Show { id: i64 },
    /// Removes a rule.
    Remove { id: i64 },
    /// Turns a rule off (kept, not acting).
    Disable { id: i64 },
    /// Turns a rule on again.
    Enable { id: i64 },
    /// Runs a rule on the newest mail here: how many it matches, and (unless --dry-run) acts
    /// on them, each once.
    Run {
        id: i64,
        /// Only count.
        #[arg(long)]
        dry_run: bool,
        /// How many of the newest mails to look at.
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
}

#[derive(Subcommand)]
enum DomainCommand {
    /// Checks a domain's DNS and mail exchangers against the advice (TTLs at most 3600 s; MX
    /// under 600 s before a change; SPF within 10 lookups ending -all; DKIM keys of 2048 bits;
    /// DMARC with a policy and reports). `worst` in the JSON is the most severe finding.
    Check {
        /// The domain (example.com).
        domain: String,
        /// A DKIM selector to look for besides the common ones (repeat for more).
        #[arg(long = "dkim-selector", value_name = "SELECTOR")]
        dkim_selector: Vec<String>,
        /// A provider's verification TXT record that must be published (MS=ms12345).
        #[arg(long, value_name = "TXT")]
        verify_txt: Option<String>,
        /// An MX change is planned: MX TTLs should be under 600 s first.
        #[arg(long)]
        mx_change: bool,
        /// An extra CA to trust for the MX certificates and the MTA-STS policy (PEM).
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// The external delivery test: sends a test mail through the account's server to itself
    /// (or --to), waits for it by push, and reports SPF, DKIM and DMARC as the receiving server
    /// judged them, with the delay.
    Test {
        /// The sending account.
        #[arg(long)]
        account: i64,
        /// Another address to send to (its mail must reach this account's INBOX to be seen).
        #[arg(long)]
        to: Option<String>,
        /// How long to wait for the mail, in seconds.
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Makes a backup into a new file while the sync goes on: a snapshot of the store,
    /// compressed (zstd) and encrypted to a passphrase (age). Opens with `age -d FILE | zstd -d
    /// | tar -x` too.
    Create {
        /// The backup file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Read the passphrase from standard input (it is never taken from the command line).
        #[arg(long)]
        passphrase_stdin: bool,
        /// Put the accounts' passwords and sign-ins in too (only inside the encrypted file).
        #[arg(long)]
        with_secrets: bool,
        /// Read the backup back once written and check it whole.
        #[arg(long)]
        verify: bool,
        /// Print progress on stderr, one JSON line `{stage, done, total}` per stage.
        #[arg(long)]
        progress: bool,
    },
    /// Opens a backup and checks it whole: every checksum, the database's integrity, its items.
    Verify {
        /// The backup file.
        file: PathBuf,
        /// Read the passphrase from standard input.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// The backups made from this data directory, newest first.
    List,
    /// Restores a backup into the data directory (`--data-dir`): an empty or new one, or with
    /// `--replace` one whose content is moved aside first. The accounts resume syncing from
    /// where the backup was; passwords not in it are asked again.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Read the passphrase from standard input.
        #[arg(long)]
        passphrase_stdin: bool,
        /// The data directory is not empty: move its content aside (to DIR.before-restore-…).
        #[arg(long)]
        replace: bool,
    },
    /// Makes backups by themselves (in the app and `satu watch`) every so often into a folder,
    /// keeping the newest few; older ones are deleted only after a new one verified.
    Schedule {
        /// How often, e.g. `24h`, `12h`, `7d`.
        #[arg(long, value_name = "INTERVAL", conflicts_with = "off")]
        every: Option<String>,
        /// The folder the backups go into.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// How many to keep (default 7).
        #[arg(long)]
        keep: Option<u32>,
        /// Read the passphrase for them from standard input (kept in the OS keyring).
        #[arg(long)]
        passphrase_stdin: bool,
        /// No more scheduled backups.
        #[arg(long)]
        off: bool,
    },
}

#[derive(Subcommand)]
enum HealthCommand {
    /// What is behind the indicators, each finding with its fix: push or polling per account
    /// and why, whether the servers answer (DNS, connect, TLS and login times), and the DNS of
    /// the mail domain (MX, SPF, DKIM, DMARC and their TTLs).
    Diagnose {
        /// One account only.
        #[arg(long)]
        account: Option<i64>,
    },
}

#[derive(Subcommand)]
enum SettingsCommand {
    /// Choose a setting, e.g. `settings set tasks.from_flagged false`.
    Set {
        /// Key (see `satu settings`).
        key: String,
        /// true or false.
        value: String,
    },
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("state").required(true).multiple(true)))]
struct MarkArgs {
    /// Item id.
    id: i64,
    /// Mark read.
    #[arg(long, group = "state", conflicts_with = "unread")]
    read: bool,
    /// Mark unread.
    #[arg(long, group = "state")]
    unread: bool,
    /// Flag it.
    #[arg(long, group = "state", conflicts_with = "unflag")]
    flag: bool,
    /// Remove the flag.
    #[arg(long, group = "state")]
    unflag: bool,
}

#[derive(Subcommand)]
enum OpsCommand {
    /// Try a queued operation again at the next push (a wedged one included), and push now.
    Retry {
        /// Operation id (from `satu ops`).
        id: i64,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Add a mail account (checks the login first; the password goes to the OS keyring). With
    /// only --email, the servers are discovered as `account discover` does.
    Add(AddAccount),
    /// Find the servers of an email address from the address alone (autoconfig, the ISPDB,
    /// SRV records, a guess) and print them; adds nothing. Each place looked is said on stderr.
    Discover {
        /// The email address.
        email: String,
        /// Trust this extra certificate or CA (PEM) for the web lookups.
        #[arg(long, value_name = "PEM")]
        ca_file: Option<String>,
    },
    /// The addresses a mail account sends from (its own and aliases), with their signatures.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Add a CalDAV account (discovery from the URL; lists its calendars and task lists).
    AddCaldav {
        /// The server's URL (or a principal or calendar home URL).
        #[arg(long)]
        url: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Read the password from standard input.
        #[arg(long, conflicts_with = "signed_in_with")]
        password_stdin: bool,
        /// Sign in with the provider sign-in (OAuth2) of this mail account instead of a
        /// password (`Authorization: Bearer`).
        #[arg(long, value_name = "ACCOUNT")]
        signed_in_with: Option<i64>,
        /// Extra trusted certificate or CA (PEM), for a self-signed server.
        #[arg(long)]
        ca_file: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Add a Matrix account: signs in once with the password (read from standard input) and
    /// keeps only the new device's access token, in the OS keyring.
    AddMatrix {
        /// The homeserver's URL (its `.well-known/matrix/client` is followed).
        #[arg(long)]
        homeserver: String,
        /// User name or full user id (`alice` or `@alice:example.org`).
        #[arg(long, required_unless_present = "access_token_stdin")]
        user: Option<String>,
        /// Read the password from standard input.
        #[arg(long, conflicts_with = "access_token_stdin")]
        password_stdin: bool,
        /// Read an access token (instead of a password) from standard input.
        #[arg(long)]
        access_token_stdin: bool,
        /// Extra trusted certificate or CA (PEM), for a self-signed server.
        #[arg(long)]
        ca_file: Option<String>,
        /// Display name (default: the user id).
        #[arg(long)]
        name: Option<String>,
    },
    /// List accounts.
    List,
    /// Give an account its password again (after `backup restore` without the passwords, or
    /// a keyring that was reset): checked by logging in first.
    Password {
        /// Account id.
        id: i64,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account and everything synced from it.
    Remove {
        /// Account id.
        id: i64,
    },
    /// No desktop notifications for this account's new mail.
    Mute {
        /// Account id.
        id: i64,
    },
    /// Desktop notifications for this account's new mail again.
    Unmute {
        /// Account id.
        id: i64,
    },
    /// Leave this account's items out of the unified timeline (its own view keeps them).
    Exclude {
        /// Account id.
        id: i64,
    },
    /// Show this account's items in the unified timeline again.
    Include {
        /// Account id.
        id: i64,
    },
    /// Sign an account in again through its provider (after its sign-in ended): prints the
    /// sign-in page's address and opens it in the browser (`SATU_BROWSER=CMD` runs CMD URL).
    Signin {
        /// Account id.
        id: i64,
    },
}

#[derive(Args)]
struct AddAccount {
    /// Email address.
    #[arg(long)]
    email: String,
    /// IMAP server as host:port (default: discovered from the address).
    #[arg(long)]
    imap: Option<String>,
    /// SMTP server as host:port (default: discovered from the address).
    #[arg(long)]
    smtp: Option<String>,
    /// tls (default), starttls, or plain (loopback only).
    #[arg(long)]
    security: Option<String>,
    /// SMTP security when the port does not say it: tls, starttls or plain (default: tls on
    /// port 465, starttls otherwise; plain when --security is plain).
    #[arg(long)]
    smtp_security: Option<String>,
    /// Login name (default: the email address).
    #[arg(long)]
    username: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Trust this extra certificate or CA (PEM), e.g. a self-signed test server's.
    #[arg(long, value_name = "PEM")]
    ca_file: Option<String>,
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// Also add the calendar and task server found beside the mail (CalDAV, same login).
    #[arg(long)]
    calendars: bool,
    /// Sign in through the provider (OAuth2: Microsoft 365, Outlook.com, Gmail, or an OpenID
    /// Connect issuer) instead of a password: prints the sign-in page's address and opens it
    /// in the browser (`SATU_BROWSER=CMD` runs CMD URL instead).
    #[arg(long, conflicts_with = "password_stdin")]
    oauth: bool,
    /// The OpenID Connect issuer that signs in for this address (self-hosted mail; default:
    /// known from the servers, else https://DOMAIN).
    #[arg(long, requires = "oauth", value_name = "URL")]
    issuer: Option<String>,
    /// The client id registered for Satu at that issuer (default: the setting
    /// oauth.oidc.client_id, else "satu").
    #[arg(long, requires = "oauth")]
    client_id: Option<String>,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// An mbox file.
    Mbox {
        /// The file.
        file: PathBuf,
    },
    /// A Maildir (with cur/ and new/).
    Maildir {
        /// The directory.
        dir: PathBuf,
    },
    /// One or more .eml files.
    Eml {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            satu_core::api::QUIET_LOG_TARGETS.iter().fold(
                tracing_subscriber::EnvFilter::try_from_env("SATU_LOG")
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
                |filter, target| match format!("{target}=debug").parse() {
                    Ok(directive) => filter.add_directive(directive),
                    Err(_) => filter,
                },
            ),
        )
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => fail(&ApiError::new(
            ErrorCode::Internal,
            format!("Cannot start the async runtime: {e}"),
        )),
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        fail(&e);
    }
}

fn fail(error: &ApiError) -> ! {
    let field = error
        .field
        .as_deref()
        .map(|f| format!(" [{f}]"))
        .unwrap_or_default();
    eprintln!("satu: error: {}{field}", error.message);
    std::process::exit(error.code.exit_code());
}

/// Downloads mail `id`'s body first when only its header is here (its attachments are in it).
async fn ensure_body(satu: &Satu, id: i64) -> Result<(), ApiError> {
    if satu.show(id)?.remote {
        eprintln!("satu: downloading the message from the server…");
        satu.download_message(id).await?;
    }
    Ok(())
}

/// `satu sync --pause|--resume`.
fn sync_paused(satu: &Satu, json: bool, pause: bool) -> Result<(), ApiError> {
    let paused = satu.set_sync_paused(pause)?;
    output(json, &serde_json::json!({ "paused": paused }), || {
        if paused {
            "The background sync is paused (`satu sync --resume` resumes it).".to_owned()
        } else {
            "The background sync resumes.".to_owned()
        }
    })
}

async fn run(cli: Cli) -> Result<(), ApiError> {
    let data_dir = cli.data_dir.clone().unwrap_or_else(Satu::default_data_dir);
    let json = cli.json;
    // These do not open a data directory: a restore writes one, a check reads a file.
    match &cli.command {
        Command::Backup(BackupCommand::Restore {
            file,
            passphrase_stdin,
            replace,
        }) => {
            let passphrase = read_passphrase(*passphrase_stdin)?;
            let report = Satu::backup_restore(file, &passphrase, &data_dir, *replace).await?;
            return output(json, &report, || restore_text(&report));
        }
        Command::Backup(BackupCommand::Verify {
            file,
            passphrase_stdin,
        }) => {
            let passphrase = read_passphrase(*passphrase_stdin)?;
            let report = Satu::backup_verify(file, &passphrase).await?;
            return output(json, &report, || {
                format!("{} is whole: {}", report.path, backup_text(&report))
            });
        }
        _ => {}
    }
    let satu = Satu::open(&data_dir)?;
    match cli.command {
        Command::Account(AccountCommand::Add(add)) => {
            let password = if add.oauth {
                String::new()
            } else {
                read_password(add.password_stdin)?
            };
            let mut input = AccountInput {
                email: add.email,
                imap: add.imap.unwrap_or_default(),
                smtp: add.smtp.unwrap_or_default(),
                security: add.security,
                smtp_security: add.smtp_security,
                username: add.username,
                password,
                ca_file: add.ca_file,
                name: add.name,
                oauth: Some(add.oauth),
                issuer: add.issuer,
                client_id: add.client_id,
            };
            let mut source = None;
            let mut caldav = None;
            if input.imap.trim().is_empty() || input.smtp.trim().is_empty() || add.calendars {
                let found = satu
                    .discover(
                        &input.email,
                        input.ca_file.as_deref().map(std::path::Path::new),
                        say_step,
                    )
                    .await?;
                eprintln!(
                    "satu: using IMAP {} ({}) and SMTP {}, from {}",
                    found.imap.address(),
                    found.imap.security,
                    found
                        .smtp
                        .as_ref()
                        .map(|s| format!("{} ({})", s.address(), s.security))
                        .unwrap_or_else(|| "(none found)".into()),
                    found.source
                );
                satu_core::api::with_discovered(&mut input, &found)?;
                if !add.oauth && found.auth == [satu_core::dto::AuthMethod::OAuth2] {
                    return Err(ApiError::invalid(
                        "oauth",
                        format!(
                            "{} takes no password for mail: sign in through the provider with --oauth",
                            found.provider.as_deref().unwrap_or(&found.imap.host)
                        ),
                    ));
                }
                source = Some(found.source);
                caldav = found.caldav.clone();
                if add.calendars && caldav.is_none() {
                    eprintln!("satu: no calendar server was found beside the mail");
                }
            }
            let (login, password, ca_file) = (
                input
                    .username
                    .clone()
                    .unwrap_or_else(|| input.email.clone()),
                input.password.clone(),
                input.ca_file.clone(),
            );
            let id = satu.add_account_showing(input, say_sign_in_url).await?;
            let mut answer = serde_json::json!({ "id": id });

            if let Some(source) = source {
                answer["source"] = serde_json::json!(source);
            }
            if let Some(found) = caldav.filter(|_| add.calendars) {
                let caldav_id = satu
                    .add_caldav_account(satu_core::dto::CaldavInput {
                        url: found.url,
                        username: login,
                        password,
                        // Signed in through the provider: the calendars use the same sign-in.
                        signed_in_with: add.oauth.then_some(id),
                        ca_file,
                        name: None,
                    })
                    .await?;
                answer["caldav_id"] = serde_json::json!(caldav_id);
            }
            output(json, &answer, || format!("{id}"))
        }
        Command::Account(AccountCommand::Identity(command)) => {
            let identities = match command {
                IdentityCommand::List { account } => satu.identities(account)?,
                IdentityCommand::Add {
                    account,
                    address,
                    name,
                    signature,
                    signature_file,
                } => {
                    let signature = match (signature, signature_file) {
                        (Some(text), _) => text,
                        (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| {
                            ApiError::invalid(
                                "signature_file",
                                format!("Cannot read {}: {e}", path.display()),
                            )
                        })?,
                        (None, None) => String::new(),
                    };
                    satu.set_identity(
                        account,
                        &satu_core::dto::IdentityInput {
                            address,
                            name,
                            signature,
                        },
                    )?
                }
                IdentityCommand::Remove { account, address } => {
                    satu.remove_identity(account, &address)?
                }
            };
            output(json, &identities, || {
                identities
                    .iter()
                    .map(|i| {
                        format!(
                            "{}{} <{}>{}",
                            if i.primary { "* " } else { "  " },
                            i.name,
                            i.address,
                            if i.signature.is_empty() {
                                String::new()
                            } else {
                                format!("  (signature: {} lines)", i.signature.lines().count())
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Account(AccountCommand::Discover { email, ca_file }) => {
            let found = satu
                .discover(
                    &email,
                    ca_file.as_deref().map(std::path::Path::new),
                    say_step,
                )
                .await?;
            output(json, &found, || {
                let smtp = found
                    .smtp
                    .as_ref()
                    .map(|s| format!("{} ({})", s.address(), s.security))
                    .unwrap_or_else(|| "none found".into());
                format!(
                    "IMAP {} ({})\nSMTP {}\nlogin {}\nsign-in {}\nfrom {}{}",
                    found.imap.address(),
                    found.imap.security,
                    smtp,
                    printable(&found.username),
                    found
                        .auth
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    found.source,
                    found
                        .provider
                        .as_ref()
                        .map(|p| format!(" ({})", printable(p)))
                        .unwrap_or_default()
                )
            })
        }
        Command::Account(AccountCommand::AddCaldav {
            url,
            username,
            password_stdin,
            signed_in_with,
            ca_file,
            name,
        }) => {
            let password = if signed_in_with.is_some() {
                String::new()
            } else {
                read_password(password_stdin)?
            };
            let id = satu
                .add_caldav_account(satu_core::dto::CaldavInput {
                    url,
                    username,
                    password,
                    signed_in_with,
                    ca_file,
                    name,
                })
                .await?;
            output(json, &serde_json::json!({ "id": id }), || format!("{id}"))
        }
        Command::Account(AccountCommand::AddMatrix {
            homeserver,
            user,
            password_stdin,
            access_token_stdin,
            ca_file,
            name,
        }) => {
            let secret = read_password(password_stdin || access_token_stdin)?;
            let (password, access_token) = if access_token_stdin {
                (None, Some(secret))
            } else {
                (Some(secret), None)
            };
            let id = satu
                .add_matrix_account(satu_core::dto::MatrixInput {
                    homeserver,
                    user: user.unwrap_or_default(),
                    password,
                    access_token,
                    ca_file,
                    name,
                })
                .await?;
            output(json, &serde_json::json!({ "id": id }), || format!("{id}"))
        }
        Command::Chat {
            command: ChatCommand::Rooms { account },
        } => {
            let rooms = satu.chat_rooms(account)?;
            output(json, &rooms, || {
                if rooms.is_empty() {
                    return "No rooms (add a Matrix account: satu account add-matrix, then satu sync)."
                        .to_owned();
                }
                rooms
                    .iter()
                    .map(|r| {
                        let mut marks = Vec::new();
                        if r.unread > 0 {
                            marks.push(format!("{} unread", r.unread));
                        }
                        if r.direct {
                            marks.push("direct".to_owned());
                        }
                        if r.encrypted {
                            marks.push("encrypted".to_owned());
                        }
                        if r.muted {
                            marks.push("muted".to_owned());
                        }
                        if r.membership != "join" {
                            marks.push(r.membership.to_string());
                        }
                        let marks = if marks.is_empty() {
                            String::new()
                        } else {
                            format!("  ({})", marks.join(", "))
                        };
                        format!("{:>5}  {}  {}{marks}", r.id, r.name, r.room_id)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Chat {
            command:
                ChatCommand::Send {
                    room,
                    text,
                    reply_to,
                },
        } => {
            let item = satu.chat_send(&room, &text, reply_to).await?;
            let state = item
                .chat
                .as_ref()
                .map(|c| c.state.as_str())
                .unwrap_or_default();
            if state == "queued" && !json {
                eprintln!("Saved here; the homeserver could not be reached, so it goes with the next sync.");
            }
            output(json, &item, || format!("{} {state}", item.id))
        }
        Command::Chat {
            command: ChatCommand::History { room, pages },
        } => {
            let report = satu.chat_history(&room, pages).await?;
            output(json, &report, || {
                format!(
                    "{} older message(s) stored{}",
                    report.stored,
                    if report.complete {
                        "; that is the start of the room"
                    } else {
                        ""
                    }
                )
            })
        }
        Command::Chat {
            command: ChatCommand::Mute { room },
        } => {
            let room = satu.set_room_muted(&room, true)?;
            output(json, &room, || format!("{} muted", room.name))
        }
        Command::Chat {
            command: ChatCommand::Unmute { room },
        } => {
            let room = satu.set_room_muted(&room, false)?;
            output(json, &room, || format!("{} unmuted", room.name))
        }
        Command::Chat {
            command: ChatCommand::Join { room },
        } => {
            let room = satu.chat_join(&room).await?;
            output(json, &room, || format!("Joined {}", room.name))
        }
        Command::Chat {
            command: ChatCommand::Retry { id },
        } => {
            let item = satu.chat_retry(id).await?;
            let state = item
                .chat
                .as_ref()
                .map(|c| c.state.as_str())
                .unwrap_or_default();
            output(json, &item, || format!("{} {state}", item.id))
        }
        Command::Calendar {
            command: CalendarCommand::List { account },
        } => {
            let calendars = satu.calendars(account)?;
            output(json, &calendars, || {
                if calendars.is_empty() {
                    return "No calendars (add a CalDAV account: satu account add-caldav)."
                        .to_owned();
                }
                calendars
                    .iter()
                    .map(|c| {
                        format!(
                            "{:>4}  {:<24} {:<12} {}{}",
                            c.id,
                            c.name,
                            c.components.join(","),
                            c.href,
                            if c.tasks_go_here {
                                "  (tasks from mail)"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Account(AccountCommand::List) => {
            let accounts = satu.accounts()?;
            output(json, &accounts, || {
                accounts
                    .iter()
                    .map(|a| {
                        let again = if a.sign_in_again {
                            format!("  (sign in again: satu account signin {})", a.id)
                        } else {
                            String::new()
                        };
                        format!(
                            "{:>4}  {:<6} {:<28} {}{again}",
                            a.id, a.kind, a.name, a.imap
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Account(AccountCommand::Mute { id }) => {
            let account = satu.set_account_notify(id, false)?;
            output(json, &account, || {
                format!("Account {}: new mail is not notified.", account.id)
            })
        }
        Command::Account(AccountCommand::Unmute { id }) => {
            let account = satu.set_account_notify(id, true)?;
            output(json, &account, || {
                format!("Account {}: new mail is notified.", account.id)
            })
        }
        Command::Account(AccountCommand::Exclude { id }) => {
            let account = satu.set_account_in_timeline(id, false)?;
            output(json, &account, || {
                format!("Account {}: left out of the unified timeline.", account.id)
            })
        }
        Command::Account(AccountCommand::Include { id }) => {
            let account = satu.set_account_in_timeline(id, true)?;
            output(json, &account, || {
                format!("Account {}: in the unified timeline.", account.id)
            })
        }
        Command::Diagnostics => {
            let text = satu.diagnostics()?;
            output(json, &serde_json::json!({ "text": text }), || {
                text.trim_end().to_owned()
            })
        }
        Command::Account(AccountCommand::Signin { id }) => {
            let account = satu.sign_in_again(id, say_sign_in_url).await?;
            output(json, &account, || {
                format!("Signed in again: {}.", account.email)
            })
        }
        Command::Account(AccountCommand::Password { id, password_stdin }) => {
            let password = read_password(password_stdin)?;
            satu.set_account_password(id, &password).await?;
            output(
                json,
                &serde_json::json!({ "account": id, "signed_in": true }),
                || format!("Account {id} has its password again."),
            )
        }
        Command::Account(AccountCommand::Remove { id }) => {
            satu.remove_account(id).await?;
            output(json, &serde_json::json!({ "removed": id }), || {
                format!("Removed account {id}.")
            })
        }
        Command::Sync {
            pause, resume: _, ..
        } if pause => sync_paused(&satu, json, true),
        Command::Sync {
            pause: _, resume, ..
        } if resume => sync_paused(&satu, json, false),
        Command::Sync {
            account, progress, ..
        } => {
            if satu.sync_paused()? {
                eprintln!(
                    "satu: the background sync is paused; this pass runs because it was asked \
                     for (`satu sync --resume` resumes the background sync)."
                );
            }
            let print = |p: satu_core::dto::Progress| {
                if let Ok(line) = serde_json::to_string(&p) {
                    eprintln!("{line}");
                }
            };
            let reports = if progress {
                satu.sync_with_progress(account, &print).await?
            } else {
                satu.sync(account).await?
            };
            // The senders of the mail that came (recent mail only; older is checked on open),
            // then the rules (which may ask the sender check).
            if let Err(e) = satu.check_senders(CancellationToken::new()).await {
                eprintln!("satu: senders could not be checked: {}", e.message);
            }
            if let Err(e) = satu.apply_rules().await {
                eprintln!(
                    "satu: the rules could not act on the new mail: {}",
                    e.message
                );
            }
            output(json, &reports, || {
                reports
                    .iter()
                    .map(|r| {
                        let names: Vec<&str> = r.folders.iter().map(|f| f.name.as_str()).collect();
                        format!(
                            "Account {}: {} folders ({})",
                            r.account,
                            names.len(),
                            names.join(", ")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Watch {
            interval,
            idle_period,
            poll,
            backup_poll,
            notify,
            view,
            account,
            folder,
            threads,
            limit,
        } => {
            let options = LiveOptions {
                full_pass: Duration::from_secs(interval.max(5)),
                idle_period: Duration::from_secs(idle_period.clamp(1, 25 * 60)),
                poll: Duration::from_secs(poll.max(1)),
                notify,
                backup_poll: Duration::from_secs(backup_poll.max(1)),
                ..LiveOptions::default()
            };
            let view = view.map(|name| ViewQuery {
                timeline: TimelineQuery {
                    limit: Some(limit),
                    account,
                    folder,
                    threads: Some(threads),
                    ..named_view(&name)
                },
                search: None,
            });
            watch(&satu, json, options, view).await
        }
        Command::Serve { dev: _, port } => {
            let cancel = CancellationToken::new();
            let stop = cancel.clone();
            tokio::spawn(async move {
                wait_for_signal().await;
                stop.cancel();
            });
            serve::serve(&satu, port, cancel).await?;
            Ok(())
        }
        Command::Timeline {
            limit,
            kind,
            unread,
            flagged,
            account,
            folder,
            before,
            threads,
            thread,
            view,
            unverified,
        } => {
            let named = view.as_deref().map(named_view).unwrap_or_default();
            let items = satu.timeline(&TimelineQuery {
                limit: Some(limit),
                kind: kind.or(named.kind),
                unread: Some(unread || named.unread == Some(true)),
                flagged: Some(flagged || named.flagged == Some(true)),
                account,
                folder,
                before,
                threads: Some(threads),
                thread,
                room: None,
                inbox: named.inbox,
                snoozed: named.snoozed,
                unverified: Some(unverified),
            })?;
            output(json, &items, || item_lines(&items))
        }
        Command::Thread { id } => {
            let conversation = satu.thread(id)?;
            output(json, &conversation, || {
                conversation
                    .iter()
                    .map(detail_text)
                    .collect::<Vec<_>>()
                    .join("\n\n")
            })
        }
        Command::Contacts { text, limit } => {
            let found = satu.contacts(&text, limit)?;
            output(json, &found, || {
                found
                    .iter()
                    .map(|c| {
                        if c.name.is_empty() {
                            c.address.clone()
                        } else {
                            format!("{} <{}>", c.name, c.address)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Index { wait, progress } => {
            let report = if wait {
                satu.index_wait(move |p| {
                    if progress {
                        if let Ok(line) = serde_json::to_string(&p) {
                            eprintln!("{line}");
                        }
                    }
                })
                .await?
            } else {
                satu.index_status()?
            };
            output(json, &report, || match (wait, report.pending) {
                (true, 0) => format!("Indexed {} items; the index is complete.", report.indexed),
                (_, 0) => "The index is complete.".to_owned(),
                (_, pending) => format!(
                    "{pending} items wait for the index (found by title and sender until then; \
                     `satu index --wait` indexes them now)."
                ),
            })
        }
        Command::Health {
            command: Some(HealthCommand::Diagnose { account }),
        } => {
            let diagnosis = satu.diagnose(account).await?;
            output(json, &diagnosis, || finding_lines(&diagnosis.findings))
        }
        Command::Backup(BackupCommand::Create {
            out,
            passphrase_stdin,
            with_secrets,
            verify,
            progress,
        }) => {
            let passphrase = read_passphrase(passphrase_stdin)?;
            let report = satu
                .backup_create(&out, &passphrase, with_secrets, verify, &move |p| {
                    if progress {
                        if let Ok(line) = serde_json::to_string(&p) {
                            eprintln!("{line}");
                        }
                    }
                })
                .await?;
            output(json, &report, || {
                format!(
                    "Backup written to {} in {:.1} s: {}",
                    report.path,
                    report.took_ms as f64 / 1000.0,
                    backup_text(&report)
                )
            })
        }
        Command::Export {
            format,
            folder,
            account,
            out,
            progress,
        } => {
            let report = satu
                .export_mail(&format, account, &folder, &out, &move |p| {
                    if progress {
                        if let Ok(line) = serde_json::to_string(&p) {
                            eprintln!("{line}");
                        }
                    }
                })
                .await?;
            output(json, &report, || {
                let mut lines: Vec<String> = report
                    .folders
                    .iter()
                    .map(|f| format!("{}: {} messages → {}", f.folder, f.messages, f.path))
                    .collect();
                lines.push(format!(
                    "{} messages written as {} into {}.",
                    report.messages, report.format, report.out
                ));
                if report.headers_only > 0 {
                    lines.push(format!(
                        "{} of them have only their header here (kept offline for fewer days): open them, or keep their folder offline, to export them whole.",
                        report.headers_only
                    ));
                }
                lines.join("\n")
            })
        }
        Command::Rule(command) => {
            let rule_text = |r: &satu_core::dto::Rule| {
                format!(
                    "{} {}{}: when {} do {} ({} mails)",
                    r.id,
                    r.name,
                    if r.enabled { "" } else { " (off)" },
                    r.when,
                    r.then.join(", "),
                    r.runs
                )
            };
            match command {
                RuleCommand::Add { name, when, then } => {
                    let rule = satu.rule_add(&name, &when, &then)?;
                    output(json, &rule, || rule_text(&rule))
                }
                RuleCommand::List => {
                    let rules = satu.rules()?;
                    output(json, &rules, || {
                        rules.iter().map(rule_text).collect::<Vec<_>>().join("\n")
                    })
                }
                RuleCommand::Show { id } => {
                    let rule = satu.rule(id)?;
                    output(json, &rule, || rule_text(&rule))
                }
                RuleCommand::Remove { id } => {
                    satu.rule_remove(id)?;
                    output(json, &serde_json::json!({ "removed": id }), || {
                        format!("Rule {id} removed.")
                    })
                }
                RuleCommand::Disable { id } | RuleCommand::Enable { id } => {
                    let on = matches!(command, RuleCommand::Enable { .. });
                    let rule = satu.rule_enable(id, on)?;
                    output(json, &rule, || rule_text(&rule))
                }
                RuleCommand::Run { id, dry_run, limit } => {
                    let run = satu.rule_run(id, limit, dry_run)?;
                    output(json, &run, || {
                        if run.dry_run {
                            format!(
                                "Would match {} of the newest {} mails.",
                                run.matched, run.looked_at
                            )
                        } else {
                            format!(
                                "Matched {} of the newest {} mails; acted on {}.",
                                run.matched, run.looked_at, run.applied
                            )
                        }
                    })
                }
            }
        }
        Command::Domain(DomainCommand::Check {
            domain,
            dkim_selector,
            verify_txt,
            mx_change,
            ca_file,
        }) => {
            let report = satu
                .domain_check(
                    &domain,
                    &dkim_selector,
                    verify_txt.as_deref(),
                    mx_change,
                    ca_file.as_deref(),
                )
                .await?;
            output(json, &report, || domain_lines(&report))
        }
        Command::Domain(DomainCommand::Test {
            account,
            to,
            timeout,
        }) => {
            let test = satu
                .domain_test(account, to.as_deref(), Duration::from_secs(timeout))
                .await?;
            output(json, &test, || {
                let a = &test.authentication;
                let word = |r: Option<&str>| r.unwrap_or("none").to_owned();
                format!(
                    "Delivered to {} in {:.1} s ({}).\nSPF: {}  DKIM: {}  DMARC: {}  → {} ({})",
                    test.to,
                    test.delay_ms as f64 / 1000.0,
                    if test.push {
                        "seen by push"
                    } else {
                        "seen by polling"
                    },
                    word(a.spf.as_ref().map(|s| s.result.as_str())),
                    word(a.dkim.first().map(|d| d.result.as_str())),
                    word(a.dmarc.as_ref().map(|d| d.result.as_str())),
                    a.verdict,
                    if test.judged_by_provider {
                        "as the receiving server judged"
                    } else {
                        "checked by Satu"
                    },
                )
            })
        }
        Command::Audit {
            command: None,
            filter,
        } => {
            let records = satu.audit(&filter.query())?;
            output(json, &records, || {
                if records.is_empty() {
                    return "No entries.".to_owned();
                }
                records
                    .iter()
                    .map(|r| {
                        format!(
                            "{:>6}  {}  {}  {:<7} {:<16} account {} item {}  {}",
                            r.id,
                            r.at,
                            r.actor,
                            r.origin,
                            r.kind,
                            r.account.map_or("-".to_owned(), |a| a.to_string()),
                            r.item.map_or("-".to_owned(), |i| i.to_string()),
                            r.detail
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Audit {
            command: Some(AuditCommand::Verify { head }),
            ..
        } => {
            let head = match head {
                Some(file) => Some(std::fs::read_to_string(&file).map_err(|e| {
                    ApiError::invalid("head", format!("Cannot read {}: {e}", file.display()))
                })?),
                None => None,
            };
            let check = satu.audit_verify(head.as_deref())?;
            if !check.intact {
                if json {
                    if let Ok(text) = serde_json::to_string_pretty(&check) {
                        println!("{text}");
                    }
                }
                let message = match check.broken_at {
                    Some(id) => {
                        format!("The audit trail is broken at entry {id}: {}", check.reason)
                    }
                    None => format!("The audit trail is broken: {}", check.reason),
                };
                return Err(ApiError::new(ErrorCode::Damaged, message));
            }
            output(json, &check, || {
                format!(
                    "The audit trail is intact: {} entries, head {}.",
                    check.entries,
                    if check.head.is_empty() {
                        "-"
                    } else {
                        &check.head
                    }
                )
            })
        }
        Command::Audit {
            command: Some(AuditCommand::Head { out }),
            ..
        } => {
            let check = satu.audit_verify(None)?;
            if let Some(file) = &out {
                std::fs::write(file, format!("{}\n", check.head)).map_err(|e| {
                    ApiError::invalid("out", format!("Cannot write {}: {e}", file.display()))
                })?;
            }
            let head = serde_json::json!({ "head": check.head, "entries": check.entries });
            output(json, &head, || check.head.clone())
        }
        Command::Audit {
            command: Some(AuditCommand::Prune),
            ..
        } => {
            let pruned = satu.audit_prune()?;
            let report = serde_json::json!({ "pruned": pruned });
            output(json, &report, || format!("{pruned} old entries pruned."))
        }
        Command::Audit {
            command: Some(AuditCommand::Export { format, out }),
            filter,
        } => {
            let written = satu.audit_export(&filter.query(), &format, &out)?;
            let report = serde_json::json!({ "entries": written, "out": out.display().to_string(), "format": format });
            output(json, &report, || {
                format!("{written} entries written to {}.", out.display())
            })
        }
        Command::Backup(BackupCommand::List) => {
            let backups = satu.backups()?;
            output(json, &backups, || {
                if backups.is_empty() {
                    return "No backups yet (satu backup create, or satu backup schedule)."
                        .to_owned();
                }
                backups
                    .iter()
                    .map(|b| {
                        let state = if !b.error.is_empty() {
                            format!("failed: {}", b.error)
                        } else if !b.exists {
                            "gone".to_owned()
                        } else if b.verified {
                            "verified".to_owned()
                        } else {
                            "written".to_owned()
                        };
                        format!(
                            "{}  {}  {} items, {}  {}{}",
                            b.created,
                            b.path,
                            b.items,
                            megabytes(b.bytes),
                            state,
                            if b.scheduled { " (scheduled)" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Backup(BackupCommand::Schedule {
            every,
            dir,
            keep,
            passphrase_stdin,
            off,
        }) => {
            let current = satu.backup_schedule()?;
            let every_hours = match (off, every) {
                (true, _) => 0,
                (false, Some(every)) => parse_hours(&every)?,
                (false, None) => current.every_hours,
            };
            let dir = dir
                .map(|d| std::path::absolute(&d).unwrap_or(d).display().to_string())
                .unwrap_or(current.dir);
            let passphrase = if passphrase_stdin {
                Some(read_passphrase(true)?)
            } else {
                None
            };
            let schedule = satu.set_backup_schedule(
                every_hours,
                &dir,
                keep.unwrap_or(current.keep),
                passphrase.as_deref(),
            )?;
            output(json, &schedule, || {
                if schedule.every_hours == 0 {
                    "No scheduled backups.".to_owned()
                } else {
                    format!(
                        "A backup every {} h into {}, the newest {} kept (made by the app and satu watch).",
                        schedule.every_hours, schedule.dir, schedule.keep
                    )
                }
            })
        }
        Command::Backup(BackupCommand::Restore { .. } | BackupCommand::Verify { .. }) => Ok(()),
        Command::Health { command: None } => {
            let health = satu.health()?;
            output(json, &health, || {
                let mut lines = Vec::new();
                for i in &health.indicators {
                    let name = match i.key.as_str() {
                        "delivery_delay" => "Delivery delay",
                        "read_sync" => "Read status synced",
                        "calendar_fresh" => "Calendars updated",
                        "offline_coverage" => "Latest data offline",
                        "backup" => "Backups",
                        other => other,
                    };
                    lines.push(format!("{:<20} {:<8} {}", name, i.status, i.detail));
                }
                for a in &health.accounts {
                    let percent = |r: Option<f64>| {
                        r.map_or("-".to_owned(), |r| format!("{:.0} %", r * 100.0))
                    };
                    lines.push(format!(
                        "Account {} ({}): logins {} ({} succeeded; 7 days {}), passes {} ({} failed; 7 days {})",
                        a.account,
                        a.name,
                        a.logins,
                        percent(a.login_success_rate),
                        percent(a.login_success_rate_7d),
                        a.passes,
                        percent(a.sync_error_rate),
                        percent(a.sync_error_rate_7d),
                    ));
                }
                for d in &health.diagnoses {
                    lines.push(format!(
                        "Diagnostics run by themselves for account {} at {}: {}\n{}",
                        d.account,
                        d.at,
                        d.why,
                        finding_lines(&d.findings)
                    ));
                }
                lines.join("\n")
            })
        }
        Command::Search {
            query,
            limit,
            local,
        } => {
            let query = SearchQuery {
                text: query,
                limit: Some(limit),
            };
            let mut items = satu.search(&query)?;
            if !local {
                match satu.search_server(&query).await {
                    Ok(more) if !more.is_empty() => {
                        let known: std::collections::HashSet<i64> =
                            items.iter().map(|i| i.id).collect();
                        items.extend(more.into_iter().filter(|i| !known.contains(&i.id)));
                        // RFC 3339 times in UTC sort as text.
                        items.sort_by(|a, b| b.time.cmp(&a.time));
                        items.truncate(limit as usize);
                    }
                    Ok(_) => {}
                    Err(e) => eprintln!(
                        "satu: the server was not searched ({}); these are the results from here.",
                        e.message
                    ),
                }
            }
            let pending = satu.index_status()?.pending;
            if pending > 0 {
                eprintln!(
                    "satu: {pending} items are not in the search index yet: they are found by \
                     title and sender only (`satu index --wait` indexes them now)."
                );
            }
            output(json, &items, || item_lines(&items))
        }
        Command::Show {
            id,
            offline,
            recheck,
        } => {
            let mut detail = satu.show(id)?;
            if detail.remote && !offline {
                eprintln!("satu: downloading the message from the server…");
                match satu.download_message(id).await {
                    Ok(whole) => detail = whole,
                    Err(e) => eprintln!(
                        "satu: the message's body is on the server and could not be downloaded \
                         ({}); its header follows.",
                        e.message
                    ),
                }
            }
            if detail.item.kind == "mail"
                && !offline
                && (recheck || detail.authentication.is_none())
            {
                match satu.authenticate(id, recheck).await {
                    Ok(auth) => detail.authentication = Some(auth),
                    Err(e) => eprintln!("satu: the sender could not be checked: {}", e.message),
                }
            }
            output(json, &detail, || detail_text(&detail))
        }
        Command::Attachment {
            id,
            index,
            open: true,
            ..
        } => {
            ensure_body(&satu, id).await?;
            let path = satu.open_attachment(id, index)?;
            output(json, &serde_json::json!({ "opened": path }), || {
                format!("Opened {}", path.display())
            })
        }
        Command::Attachment {
            id,
            index,
            output: Some(path),
            ..
        } => {
            ensure_body(&satu, id).await?;
            let (info, content) = satu.attachment(id, index)?;
            if path.as_os_str() == "-" {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(&content)
                    .and_then(|()| stdout.flush())
                    .map_err(|e| {
                        ApiError::new(
                            ErrorCode::Internal,
                            format!("Cannot write the attachment: {e}"),
                        )
                    })?;
                return Ok(());
            }
            std::fs::write(&path, &content).map_err(|e| {
                ApiError::invalid("output", format!("Cannot write {}: {e}", path.display()))
            })?;
            let saved = serde_json::json!({
                "name": info.name, "mime_type": info.mime_type, "size": info.size, "path": path,
            });
            output(json, &saved, || {
                format!(
                    "Saved {:?} ({}, {} bytes) to {}.",
                    info.name,
                    info.mime_type,
                    info.size,
                    path.display()
                )
            })
        }
        Command::Attachment { output: None, .. } => Err(ApiError::invalid(
            "output",
            "Say where to save the attachment (--output FILE) or --open it",
        )),
        Command::Mark(mark) => {
            let unread = (mark.read || mark.unread).then_some(mark.unread);
            let flagged = (mark.flag || mark.unflag).then_some(mark.flag);
            let report = satu.mark(mark.id, unread, flagged).await?;
            output(json, &report, || action_line(&report, "Marked"))
        }
        Command::Unsubscribe { id, ca_file } => {
            let done = satu.unsubscribe(id, ca_file.as_deref()).await?;
            output(json, &done, || match done.method.as_str() {
                "one-click" => format!("Unsubscribed ({}).", done.url),
                "mail" => format!(
                    "The unsubscribe request to {} is in the outbox (message {}).",
                    done.url,
                    done.outbox.unwrap_or_default()
                ),
                _ => format!("Opened the list's page to unsubscribe: {}", done.url),
            })
        }
        Command::Print { id, output: None } => {
            let path = satu.print(id, None)?;
            let path = path.to_string_lossy().into_owned();
            output(json, &path, || {
                format!("Opened {path} in the browser to print.")
            })
        }
        Command::Print {
            id,
            output: Some(file),
        } => {
            let page = satu.print_page(id, None)?;
            std::fs::write(&file, page).map_err(|e| {
                ApiError::invalid("output", format!("Cannot write {}: {e}", file.display()))
            })?;
            let path = file.to_string_lossy().into_owned();
            output(json, &path, || format!("Wrote {path}"))
        }
        Command::Snooze { id, until: None } => {
            // What can be chosen (the item must exist all the same).
            satu.item(id)?;
            let times = satu.snooze_times();
            output(json, &times, || {
                times
                    .iter()
                    .map(|t| format!("{}\t{}", t.name, t.until))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Snooze {
            id,
            until: Some(until),
        } => {
            let item = satu.snooze(id, &until)?;
            output(json, &item, || {
                format!(
                    "Snoozed {} until {}",
                    item.id,
                    item.snoozed_until.as_deref().unwrap_or("?")
                )
            })
        }
        Command::Unsnooze { id } => {
            let item = satu.unsnooze(id)?;
            output(json, &item, || format!("{} is back in the Inbox", item.id))
        }
        Command::Archive { id } => {
            let report = satu.archive(id).await?;
            output(json, &report, || action_line(&report, "Archived"))
        }
        Command::Delete { id } => {
            let report = satu.delete(id).await?;
            output(json, &report, || action_line(&report, "Deleted"))
        }
        Command::Move { id, folder } => {
            let report = satu.move_item(id, &folder).await?;
            output(json, &report, || action_line(&report, "Moved"))
        }
        Command::Folders {
            account,
            push,
            no_push,
        } => {
            let folders = match (push, no_push) {
                (Some(folder), _) => satu.set_folder_push(account, &folder, true)?,
                (None, Some(folder)) => satu.set_folder_push(account, &folder, false)?,
                (None, None) => satu.folders(account)?,
            };
            output(json, &folders, || {
                folders
                    .iter()
                    .map(|f| {
                        let push = if f.push { "push" } else { "" };
                        format!(
                            "{:>4}  account {}  {:<8} {:<4}  {}",
                            f.id, f.account, f.role, push, f.name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Offline {
            account,
            folder,
            days,
            all,
        } => {
            let folders = if days.is_some() || all {
                satu.set_offline_days(account, folder.as_deref(), days)?
            } else {
                satu.folders(Some(account))?
            };
            output(json, &folders, || {
                folders
                    .iter()
                    .filter(|f| f.selectable)
                    .map(|f| match f.keep_days {
                        Some(days) => format!("{}: bodies of the last {days} days", f.name),
                        None => format!("{}: every body", f.name),
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Ops { command: None } => {
            let ops = satu.ops()?;
            output(json, &ops, || {
                if ops.is_empty() {
                    return "No local changes are waiting for a server.".to_owned();
                }
                ops.iter()
                    .map(|op| {
                        format!(
                            "{:>5}  account {}  {:<9} {:<7} attempts {}  {}",
                            op.id, op.account, op.kind, op.state, op.attempts, op.last_error
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Ops {
            command: Some(OpsCommand::Retry { id }),
        } => {
            let pushed = satu.retry_op(id).await?;
            output(
                json,
                &serde_json::json!({ "retried": id, "pushed": pushed }),
                || format!("Operation {id} retried; the server took {pushed} queued change(s)."),
            )
        }
        Command::Calendar {
            command: CalendarCommand::Events { from, to, calendar },
        } => {
            let today = chrono::Local::now().date_naive();
            let from = from.unwrap_or_else(|| today.format("%Y-%m-%d").to_string());
            let to = match to {
                Some(to) => to,
                None => {
                    let start = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")
                        .or_else(|_| {
                            chrono::DateTime::parse_from_rfc3339(&from).map(|t| t.date_naive())
                        })
                        .unwrap_or(today);
                    (start + chrono::Duration::days(30))
                        .format("%Y-%m-%d")
                        .to_string()
                }
            };
            let events = satu.calendar_events(&from, &to, &calendar)?;
            output(json, &events, || {
                if events.is_empty() {
                    return format!("No events from {from} to {to}.");
                }
                events.iter().map(event_line).collect::<Vec<_>>().join("\n")
            })
        }
        Command::Calendar {
            command: CalendarCommand::TasksHere { id },
        } => {
            let calendars = satu.set_task_calendar(id)?;
            output(json, &calendars, || {
                let name = calendars
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                format!("Tasks made from mail go to {name}.")
            })
        }
        Command::Calendar {
            command:
                CalendarCommand::Export {
                    calendar,
                    id,
                    from,
                    to,
                    out,
                },
        } => {
            let range = from.as_deref().zip(to.as_deref());
            let (text, count) = satu.export_ics(calendar, &id, range)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text.as_bytes()).map_err(|e| {
                        ApiError::new(
                            ErrorCode::InvalidInput,
                            format!("Cannot write {}: {e}", path.display()),
                        )
                        .with_field("out")
                    })?;
                    let done = serde_json::json!({ "path": path, "events": count });
                    output(json, &done, || {
                        format!("{count} events written to {}.", path.display())
                    })
                }
                None => {
                    print!("{text}");
                    Ok(())
                }
            }
        }
        Command::Calendar {
            command: CalendarCommand::Import { path, calendar },
        } => {
            let report = satu.import_ics(&path, calendar)?;
            output(json, &report, || {
                format!(
                    "{} events added, {} updated, {} parts skipped; they reach the server with the next sync.",
                    report.added, report.updated, report.skipped
                )
            })
        }
        Command::Event {
            command: EventCommand::Show { id },
        } => {
            let event = satu.event(id)?;
            output(json, &event, || event_text(&event))
        }
        Command::Event {
            command: EventCommand::Add(fields),
        } => {
            let event = satu.add_event(&fields.input())?;
            push_calendars(&satu, event.occurrence.calendar).await;
            let event = satu.event(event.occurrence.id)?;
            output(json, &event, || event_text(&event))
        }
        Command::Event {
            command: EventCommand::Edit { id, fields },
        } => {
            let event = satu.edit_event(id, &fields.input())?;
            push_calendars(&satu, event.occurrence.calendar).await;
            let event = satu.event(id)?;
            output(json, &event, || event_text(&event))
        }
        Command::Event {
            command: EventCommand::Delete { id },
        } => {
            let calendar = satu.event(id)?.occurrence.calendar;
            satu.delete_event(id)?;
            push_calendars(&satu, calendar).await;
            let done = serde_json::json!({ "deleted": id });
            output(json, &done, || format!("Event {id} deleted."))
        }
        Command::Event {
            command: EventCommand::Answer { id, answer },
        } => {
            let invitation = satu.answer_invitation(id, &answer).await?;
            output(json, &invitation, || {
                format!(
                    "{}: {}{}",
                    invitation.title,
                    invitation.answer.map_or("no answer", |a| a.as_str()),
                    invitation
                        .event
                        .map(|e| format!(" (event {e})"))
                        .unwrap_or_default()
                )
            })
        }
        Command::Event {
            command: EventCommand::Resolve { id, keep },
        } => {
            let event = satu.resolve_event(id, keep == "here").await?;
            output(json, &event, || event_text(&event))
        }
        Command::Task {
            command: TaskCommand::FromMail { id, due },
        } => {
            let task = satu.task_from_mail(id, due.as_deref())?;
            output(json, &task, || {
                format!("Task {}: {}{}", task.id, task.title, due_text(&task))
            })
        }
        Command::Task {
            command: TaskCommand::List,
        } => {
            let tasks = satu.tasks()?;
            output(json, &tasks, || {
                if tasks.is_empty() {
                    return "No tasks.".to_owned();
                }
                tasks
                    .iter()
                    .map(|t| {
                        let done = t.todo.as_ref().is_some_and(|t| t.done);
                        let mail = t
                            .todo
                            .as_ref()
                            .and_then(|t| t.mail)
                            .map(|m| format!("  (mail {m})"))
                            .unwrap_or_default();
                        format!(
                            "{:>6} [{}] {}{}{mail}",
                            t.id,
                            if done { "x" } else { " " },
                            t.title,
                            due_text(t)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Task {
            command: TaskCommand::Resolve { id, keep },
        } => {
            let task = satu.resolve_task(id, keep == "here").await?;
            output(json, &task, || format!("Task {}: {}", task.id, task.title))
        }
        Command::Task {
            command: TaskCommand::Due { id, due, clear: _ },
        } => {
            let task = satu.set_task_due(id, due.as_deref())?;
            output(json, &task, || {
                format!("Task {}: {}{}", task.id, task.title, due_text(&task))
            })
        }
        Command::Task {
            command: TaskCommand::Edit { id, title },
        } => {
            let task = satu.set_task_title(id, &title)?;
            push_tasks(&satu).await;
            output(json, &task, || format!("Task {}: {}", task.id, task.title))
        }
        Command::Task {
            command: TaskCommand::Delete { id },
        } => {
            satu.delete_task(id)?;
            push_tasks(&satu).await;
            let done = serde_json::json!({ "deleted": id });
            output(json, &done, || format!("Task {id} deleted."))
        }
        Command::Task {
            command: TaskCommand::Done { id, undo },
        } => {
            let task = satu.task_done(id, !undo).await?;
            let verb = if undo { "reopened" } else { "done" };
            output(json, &task, || {
                format!("Task {} {verb}: {}", task.id, task.title)
            })
        }
        Command::RemoteContent { command } => {
            let senders = match command {
                None => satu.remote_content_senders()?,
                Some(RemoteCommand::Allow { address }) => {
                    satu.set_remote_content(&address, true)?
                }
                Some(RemoteCommand::Block { address }) => {
                    satu.set_remote_content(&address, false)?
                }
            };
            output(json, &senders, || {
                if senders.is_empty() {
                    "Remote content is blocked for every sender.".to_owned()
                } else {
                    senders.join("\n")
                }
            })
        }
        Command::Counts => {
            let counts = satu.counts()?;
            output(json, &counts, || {
                format!(
                    "{} unread, {} flagged, {} open tasks",
                    counts.unread, counts.flagged, counts.tasks
                )
            })
        }
        Command::Settings { command: None } => {
            let settings = satu.settings()?;
            output(json, &settings, || {
                settings
                    .iter()
                    .map(setting_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Settings {
            command: Some(SettingsCommand::Set { key, value }),
        } => {
            let setting = satu.set_setting(&key, &value)?;
            output(json, &setting, || setting_line(&setting))
        }
        Command::Send(args) => {
            let entry = satu.send(&send_input(&satu, args)?).await?;
            output(json, &entry, || outbox_line(&entry))
        }
        Command::Outbox { command } => {
            let entries = match command {
                None => satu.outbox()?,
                Some(OutboxCommand::Flush) => satu.flush_outbox().await?,
                Some(OutboxCommand::Cancel { id }) => vec![satu.cancel_send(id)?],
                Some(OutboxCommand::Retry { id, resend }) => {
                    vec![satu.retry_send(id, resend).await?]
                }
                Some(OutboxCommand::Edit { id }) => {
                    let draft = satu.edit_send(id)?;
                    return output(json, &draft, || {
                        format!(
                            "To: {}\nSubject: {}\n\n{}",
                            draft.to.join(", "),
                            draft.subject,
                            draft.body
                        )
                    });
                }
            };
            output(json, &entries, || {
                if entries.is_empty() {
                    return "The outbox is empty.".to_owned();
                }
                entries
                    .iter()
                    .map(outbox_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Drafts { command } => {
            let drafts = match command {
                None => satu.drafts()?,
                Some(DraftsCommand::Save {
                    id,
                    account,
                    to,
                    cc,
                    bcc,
                    subject,
                    body,
                }) => vec![satu.save_draft(&satu_core::dto::Draft {
                    id,
                    account,
                    to,
                    cc,
                    bcc,
                    subject,
                    body,
                    ..satu_core::dto::Draft::default()
                })?],
                Some(DraftsCommand::Delete { id }) => {
                    satu.delete_draft(id)?;
                    Vec::new()
                }
            };
            output(json, &drafts, || {
                drafts
                    .iter()
                    .map(|d| {
                        format!(
                            "{:>6} {}  to {}{}",
                            d.id.unwrap_or_default(),
                            d.subject,
                            d.to.join(", "),
                            if d.in_drafts {
                                ""
                            } else {
                                "  (not in Drafts yet)"
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        Command::Reply { id, all } => {
            let draft = satu.reply_draft(id, all, None)?;
            output(json, &draft, || {
                let mut text = format!("To: {}\n", draft.to.join(", "));
                if !draft.cc.is_empty() {
                    text.push_str(&format!("Cc: {}\n", draft.cc.join(", ")));
                }
                text.push_str(&format!("Subject: {}\n{}", draft.subject, draft.body));
                text
            })
        }
        Command::Import(command) => {
            let report = match command {
                ImportCommand::Mbox { file } => satu.import_mbox(&file)?,
                ImportCommand::Maildir { dir } => satu.import_maildir(&dir)?,
                ImportCommand::Eml { files } => satu.import_eml(&files)?,
            };
            output(json, &report, || {
                format!(
                    "Imported {} messages into {:?} ({} already there, {} only partly readable).",
                    report.imported, report.folder, report.duplicates, report.quarantined
                )
            })
        }
    }
}

fn setting_line(s: &satu_core::dto::SettingValue) -> String {
    match s.number {
        Some(n) => format!("{} = {n}", s.key),
        None => format!("{} = {}", s.key, s.value),
    }
}

fn outbox_line(e: &satu_core::dto::OutboxEntry) -> String {
    let when = match (e.state.as_str(), &e.sent_at, &e.send_at) {
        ("sent", Some(at), _) => format!(" at {at}"),
        ("queued", _, Some(at)) => format!(", goes out at {at}"),
        _ => String::new(),
    };
    let error = e
        .error
        .as_deref()
        .map(|r| format!("\n         {r}"))
        .unwrap_or_default();
    format!(
        "{:>6} {:<9} {}  to {}{when}{error}",
        e.id, e.state, e.subject, e.recipients
    )
}

/// The API's input for `satu send`: files read, a reply's subject and quote filled in.
fn send_input(satu: &Satu, args: SendArgs) -> Result<satu_core::dto::SendInput, ApiError> {
    let read = |path: &PathBuf, field: &str| -> Result<String, ApiError> {
        let text = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map(|_| text)
        } else {
            std::fs::read_to_string(path)
        };
        text.map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("Cannot read {}: {e}", path.display()),
            )
            .with_field(field)
        })
    };
    let mut body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(path)) => read(path, "body_file")?,
        (None, None) => String::new(),
    };
    let mut subject = args.subject.clone().unwrap_or_default();
    if let Some(id) = args.reply_to_item {
        let draft = satu.reply_draft(id, false, None)?;
        if args.subject.is_none() {
            subject = draft.subject;
        }
        if args.quote {
            body.push_str(&draft.body);
        }
    }
    let html = args
        .html_file
        .as_ref()
        .map(|p| read(p, "html_file"))
        .transpose()?;
    Ok(satu_core::dto::SendInput {
        account: args.account,
        to: args.to,
        cc: args.cc,
        bcc: args.bcc,
        subject,
        body,
        html,
        attachments: args
            .attach
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        reply_to_item: args.reply_to_item,
        forward_of: args.forward,
        at: args.at,
        undo_seconds: Some(args.undo_seconds),
        draft: args.draft,
        files: Vec::new(),
        from: args.from.clone(),
    })
}

fn action_line(report: &satu_core::dto::ActionReport, verb: &str) -> String {
    let mut line = if report.deleted {
        format!("Deleted item {} for good.", report.id)
    } else if let Some(folder) = &report.folder {
        format!("{verb} item {}: now in {folder}.", report.id)
    } else if report.changed {
        format!("{verb} item {}.", report.id)
    } else {
        format!("Item {} was already so.", report.id)
    };
    if !report.pushed {
        line.push_str(&format!(
            " The server could not be told yet: {} change(s) wait for the next sync (see `satu ops`).",
            report.pending
        ));
    }
    line
}

/// Says where to sign in (the browser opens it; a person without one opens it by hand).
fn say_sign_in_url(url: &str) {
    eprintln!("satu: sign in at {url}");
    eprintln!("satu: (opening it in the browser; waiting for the sign-in to finish)");
}

/// The window's views by name (`--view`).
const VIEWS: [&str; 7] = [
    "inbox", "all", "unread", "flagged", "tasks", "chats", "snoozed",
];

/// The filters of one of the window's views (`name` is one of [`VIEWS`]).
fn named_view(name: &str) -> TimelineQuery {
    TimelineQuery {
        kind: match name {
            "tasks" => Some("task".to_owned()),
            "chats" => Some("chat".to_owned()),
            _ => None,
        },
        unread: Some(name == "unread"),
        flagged: Some(name == "flagged"),
        inbox: Some(name == "inbox"),
        snoozed: Some(name == "snoozed"),
        ..TimelineQuery::default()
    }
}

fn read_password(from_stdin: bool) -> Result<String, ApiError> {
    if !from_stdin {
        return Err(ApiError::invalid(
            "password",
            "Pass the password on standard input with --password-stdin (it is never taken from the command line)",
        ));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        ApiError::invalid(
            "password",
            format!("Cannot read the password from standard input: {e}"),
        )
    })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Pushes task changes to every CalDAV account at once when they answer; offline they stay
/// queued (said on standard error, not an error).
async fn push_tasks(satu: &Satu) {
    let accounts: Vec<i64> = satu
        .accounts()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.kind == "caldav")
        .map(|a| a.id)
        .collect();
    for account in accounts {
        if let Err(e) = satu.sync(Some(account)).await {
            eprintln!(
                "Saved here; the server could not be reached, so it goes with the next sync: {}",
                e.message
            );
        }
    }
}

/// Pushes a calendar change at once when the server answers; offline it stays queued for the
/// next `satu sync` or the app (said on standard error, not an error).
async fn push_calendars(satu: &Satu, calendar: Option<i64>) {
    let Some(calendar) = calendar else { return };
    let account = satu
        .calendars(None)
        .ok()
        .and_then(|c| c.into_iter().find(|c| c.id == calendar))
        .map(|c| c.account);
    if let Some(account) = account {
        if let Err(e) = satu.sync(Some(account)).await {
            eprintln!(
                "Saved here; the server could not be reached, so it goes with the next sync: {}",
                e.message
            );
        }
    }
}

fn output<T: Serialize>(
    json: bool,
    value: &T,
    human: impl FnOnce() -> String,
) -> Result<(), ApiError> {
    let text = if json {
        serde_json::to_string_pretty(value)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
    } else if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        printable(&human())
    } else {
        human()
    };
    let mut stdout = std::io::stdout().lock();
    if !text.is_empty() {
        // A closed pipe (e.g. `| head`) is not an error worth reporting.
        let _ = writeln!(stdout, "{text}");
    }
    Ok(())
}

/// Text for a terminal: control characters from mail (escape sequences that could set the
/// title, write the clipboard with OSC 52 or hide text) and bidi controls are shown as `?`; new
/// lines and tabs stay.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if (c.is_control() && c != '\n' && c != '\t') || bidi {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn person(p: &satu_core::dto::Person) -> String {
    match &p.name {
        Some(name) => format!("{name} <{}>", p.address),
        None => p.address.clone(),
    }
}

/// `, due 2026-12-24T00:00` for a task with a due date.
fn due_text(task: &Item) -> String {
    match task.todo.as_ref().and_then(|t| t.due.as_deref()) {
        Some(due) => format!(", due {}", &due[..16.min(due.len())]),
        None => String::new(),
    }
}

/// An item with its content as text: headers, then the body.
fn detail_text(detail: &ItemDetail) -> String {
    let item = &detail.item;
    let mut text = format!("Subject: {}\n", item.title);
    if let Some(sender) = &item.sender {
        text.push_str(&format!("From: {}\n", person(sender)));
    }
    if !detail.recipients.is_empty() {
        text.push_str(&format!("To: {}\n", detail.recipients));
    }
    text.push_str(&format!("Date: {}\n", item.time));
    if let Some(auth) = &detail.authentication {
        text.push_str(&format!(
            "Sender: {}{} (checked {})\n",
            auth.verdict,
            match auth.reasons.first() {
                Some(reason) => format!(": {reason}"),
                None => String::new(),
            },
            auth.checked_at
        ));
        for warning in &auth.warnings {
            text.push_str(&format!("Warning: {}\n", warning.text));
        }
    }
    if !item.folders.is_empty() {
        text.push_str(&format!("Folders: {}\n", item.folders.join(", ")));
    }
    for a in &detail.attachments {
        text.push_str(&format!(
            "Attachment: {} ({}, {} bytes)\n",
            a.name, a.mime_type, a.size
        ));
    }
    text.push('\n');
    text.push_str(detail.body_text.as_deref().unwrap_or("(no text body)"));
    text
}

/// What a backup holds, in words.
fn backup_text(report: &satu_core::dto::BackupReport) -> String {
    let c = &report.counts;
    format!(
        "{} mail, {} chat messages, {} tasks, {} events of {} accounts, {}{}{}, made {}",
        c.mail,
        c.chat,
        c.tasks,
        c.events,
        c.accounts,
        megabytes(report.bytes),
        if report.secrets {
            ", with the passwords"
        } else {
            ""
        },
        if report.verified { ", verified" } else { "" },
        report.created
    )
}

fn restore_text(report: &satu_core::dto::RestoreReport) -> String {
    let mut text = format!(
        "Restored into {}: {}.",
        report.data_dir,
        backup_text(&report.backup)
    );
    if let Some(aside) = &report.moved_aside {
        text.push_str(&format!("\nThe data that was there is in {aside}."));
    }
    for account in &report.passwords_needed {
        text.push_str(&format!(
            "\nAccount {} ({}) needs its password again: satu account password {} --password-stdin (or sign in again through its provider).",
            account.id, account.name, account.id
        ));
    }
    text
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// `24h`, `12h`, `7d`, or a number of hours.
fn parse_hours(text: &str) -> Result<u32, ApiError> {
    let text = text.trim();
    let (number, per) = match text.strip_suffix('d') {
        Some(days) => (days, 24),
        None => (text.strip_suffix('h').unwrap_or(text), 1),
    };
    number
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .filter(|&h| h <= 24 * 30)
        .ok_or_else(|| {
            ApiError::invalid(
                "every",
                format!("{text:?} is not an interval: write it as 24h or 7d (at most 30d)"),
            )
        })
}

/// The passphrase of a backup, from standard input.
fn read_passphrase(from_stdin: bool) -> Result<String, ApiError> {
    if !from_stdin {
        return Err(ApiError::invalid(
            "passphrase",
            "Pass the passphrase on standard input with --passphrase-stdin (it is never taken from the command line)",
        ));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        ApiError::invalid(
            "passphrase",
            format!("Cannot read the passphrase from standard input: {e}"),
        )
    })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Diagnostic findings, one per line with its fix under it.
fn domain_lines(report: &satu_core::dto::DomainReport) -> String {
    let mut out = format!("{}: {}\n", report.domain, report.worst);
    for f in &report.findings {
        out.push_str(&format!("[{}] {}: {}\n", f.severity, f.area, f.title));
        if !f.fix.is_empty() {
            out.push_str(&format!("    → {}\n", f.fix));
        }
        if let Some(record) = &f.record {
            out.push_str(&format!("    publish: {record}\n"));
        }
    }
    out.trim_end().to_owned()
}

fn finding_lines(findings: &[satu_core::dto::Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let mut line = format!(
                "[{}] account {} {}: {}",
                f.status, f.account, f.area, f.title
            );
            if !f.fix.is_empty() {
                line.push_str(&format!("\n    → {}", f.fix));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn item_lines(items: &[Item]) -> String {
    items
        .iter()
        .map(|i| {
            let from = i
                .sender
                .as_ref()
                .map(|p| p.name.clone().unwrap_or_else(|| p.address.clone()))
                .unwrap_or_default();
            let marks = format!(
                "{}{}{}",
                if i.unread { "●" } else { " " },
                if i.flagged { "⚑" } else { " " },
                match (&i.todo, i.task) {
                    (Some(todo), _) if todo.done => "☑",
                    (Some(_), _) => "☐",
                    (None, Some(_)) => "✓",
                    (None, None) => " ",
                }
            );
            let count = if i.thread_size > 1 {
                format!(" ({})", i.thread_size)
            } else {
                String::new()
            };
            format!(
                "{:>6} {marks} {}  {:<24.24}  {}{count}",
                i.id,
                &i.time[..16.min(i.time.len())],
                from,
                i.title
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Stays in sync until SIGINT or SIGTERM ([`Satu::run_live`]): prints every change (from this
/// process or any other) as one line on stdout, and every change of an account's status (connected,
/// syncing, offline with the error and the next retry) as one line on stderr. The network coming
/// and going does not end the watch.
async fn watch(
    satu: &Satu,
    json: bool,
    options: LiveOptions,
    view: Option<ViewQuery>,
) -> Result<(), ApiError> {
    // The view's first page before the live sync stores anything.
    let page = view.map(|query| satu.open_view(query)).transpose()?;
    if let Some(page) = &page {
        let text = if json {
            serde_json::to_string(page).unwrap_or_default()
        } else {
            format!(
                "view {} version 0: {} rows{}\n{}",
                page.view,
                page.items.len(),
                if page.complete { ", complete" } else { "" },
                item_lines(&page.items)
            )
        };
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", text.trim_end());
        let _ = stdout.flush();
    }
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        stop.cancel();
    });
    // Snoozed mail comes back as its time comes.
    let snoozes = {
        let satu = satu.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move { satu.follow_snoozes(cancel).await })
    };
    let live = {
        let satu = satu.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            satu.run_live(cancel, options, move |status: LiveStatus| {
                let line = if json {
                    serde_json::to_string(&status).unwrap_or_default()
                } else {
                    let mut line = format!("satu: account {} {}", status.account, status.state);
                    if status.mode != LiveMode::None {
                        line.push_str(&format!(" ({})", status.mode));
                    }
                    if let Some(error) = &status.error {
                        line.push_str(&format!(": {error}"));
                    }
                    if let Some(at) = &status.retry_at {
                        line.push_str(&format!("; retrying at {at}"));
                    }
                    line
                };
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(stderr, "{line}");
            })
            .await
        })
    };
    let printer = async {
        if page.is_some() {
            return satu
                .follow_views(cancel.clone(), Duration::from_millis(250), |batch| {
                    let line = if json {
                        serde_json::to_string(&batch).unwrap_or_default()
                    } else {
                        diff_lines(&batch)
                    };
                    let mut stdout = std::io::stdout().lock();
                    let _ = writeln!(stdout, "{line}");
                    let _ = stdout.flush();
                })
                .await;
        }
        satu.follow_changes(
            cancel.clone(),
            Duration::from_millis(250),
            |change: ChangeEvent| {
                let line = if json {
                    serde_json::to_string(&change).unwrap_or_default()
                } else {
                    format!(
                        "{} {} {} {}",
                        change.change, change.kind, change.id, change.title
                    )
                };
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{line}");
                let _ = stdout.flush();
            },
        )
        .await
    };
    let result = printer.await;
    cancel.cancel();
    // Bounded stop: the live loop ends IDLE and logs out within a few seconds; abandoned after 5.
    match tokio::time::timeout(Duration::from_secs(5), live).await {
        Ok(Ok(Err(e))) => eprintln!("satu: live sync failed: {}", e.message),
        Ok(_) => {}
        Err(_) => eprintln!("satu: the live sync did not stop in time; exiting anyway"),
    }
    if tokio::time::timeout(Duration::from_secs(5), snoozes)
        .await
        .is_err()
    {
        eprintln!("satu: waking snoozed mail did not stop in time; exiting anyway");
    }
    result
}

/// A batch of a view's diffs for people: one line per step.
fn diff_lines(batch: &ViewDiffs) -> String {
    let mut lines = vec![format!(
        "view {} version {}{}",
        batch.view,
        batch.version,
        if batch.complete { ", complete" } else { "" }
    )];
    for step in &batch.diffs {
        lines.push(match step {
            Diff::Reset { items } => format!("  reset: {} rows", items.len()),
            Diff::Insert { index, item } => {
                format!("  insert {index}: {} {} {}", item.kind, item.id, item.title)
            }
            Diff::Set { index, item } => {
                format!("  set {index}: {} {} {}", item.kind, item.id, item.title)
            }
            Diff::Remove { index } => format!("  remove {index}"),
        });
    }
    lines.join("\n")
}

/// Says on stderr where discovery looked and what it found there.
fn say_step(step: &satu_core::dto::DiscoveryStep) {
    eprintln!(
        "satu: {} {}: {}",
        step.source,
        printable(&step.asked),
        printable(&step.result)
    );
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_terminal_gets_no_control_sequences_from_mail() {
        assert_eq!(
            super::printable("Hi\u{1b}]52;c;ZXZpbA==\u{7}\tthere\nx\u{9b}31m\u{202e}gpj.exe"),
            "Hi?]52;c;ZXZpbA==?\tthere\nx?31m?gpj.exe"
        );
    }
}
