//! Tauri commands: one line each, from the window to the core API. Arguments and results are the
//! core's DTOs; errors are `ApiError` (`{code, message, field}`).

use satu_core::api::LinkDecision;
use satu_core::dto::Rule;
use satu_core::dto::{
    Account, AccountInput, ActionReport, AuditCheck, AuditQuery, AuditRecord, Authentication,
    BackupInfo, BackupReport, BackupSchedule, CaldavInput, CalendarInfo, ChatRoom, Contact, Counts,
    DeliveryTest, Diagnosis, Discovered, DomainReport, Draft, EventDetail, EventInput,
    EventOccurrence, Folder, Health, HistoryReport, Identity, IdentityInput, ImportReport,
    IndexReport, Invitation, Item, ItemDetail, LiveStatus, MatrixInput, OutboxEntry, PendingOp,
    PrintLabels, SearchQuery, SendInput, SettingValue, SnoozeTime, TimelineQuery, Unsubscribed,
    ViewDiffs, ViewPage, ViewQuery,
};
use std::sync::Arc;

use satu_core::{ApiError, Satu};
use tauri::{AppHandle, Emitter as _, State};

use crate::tray::{Tray, TrayText};

/// The sample mailbox a newcomer can open without any server.
const SAMPLE_MBOX: &[u8] = include_bytes!("../../assets/sample.mbox");

#[tauri::command]
pub fn timeline(satu: State<'_, Satu>, query: TimelineQuery) -> Result<Vec<Item>, ApiError> {
    satu.timeline(&query)
}

#[tauri::command]
pub fn search(satu: State<'_, Satu>, query: SearchQuery) -> Result<Vec<Item>, ApiError> {
    satu.search(&query)
}

/// The servers' search for words in mail whose body is not here (selective offline).
#[tauri::command]
pub async fn search_server(
    satu: State<'_, Satu>,
    query: SearchQuery,
) -> Result<Vec<Item>, ApiError> {
    satu.search_server(&query).await
}

/// Downloads the body of a mail kept with its header only, and returns it whole; how far it is
/// goes to the window as `satu://download` events.
#[tauri::command]
pub async fn download_message(
    app: AppHandle,
    satu: State<'_, Satu>,
    id: i64,
) -> Result<ItemDetail, ApiError> {
    satu.download_message_with_progress(id, |progress| {
        if let Err(e) = app.emit(crate::DOWNLOAD_EVENT, progress) {
            tracing::warn!(error = %e, "Cannot tell the window how far a download is.");
        }
    })
    .await
}

/// Sync health: the five indicators, each account's rates, the last 24 hours.
#[tauri::command]
pub fn health(satu: State<'_, Satu>) -> Result<Health, ApiError> {
    satu.health()
}

/// The diagnostics behind the health indicators (every account, or one), each with its fix.
#[tauri::command]
pub async fn diagnose(satu: State<'_, Satu>, account: Option<i64>) -> Result<Diagnosis, ApiError> {
    satu.diagnose(account).await
}

/// Gives an account its password again (checked by logging in first).
#[tauri::command]
pub async fn set_account_password(
    satu: State<'_, Satu>,
    id: i64,
    password: String,
) -> Result<(), ApiError> {
    satu.set_account_password(id, &password).await
}

/// The audit trail's entries `query` asks for.
#[tauri::command]
pub fn audit(satu: State<'_, Satu>, query: AuditQuery) -> Result<Vec<AuditRecord>, ApiError> {
    satu.audit(&query)
}

/// Checks the audit trail's chain.
#[tauri::command]
pub fn audit_verify(satu: State<'_, Satu>, head: Option<String>) -> Result<AuditCheck, ApiError> {
    satu.audit_verify(head.as_deref())
}

/// Writes the audit entries `query` asks for into the Downloads folder as `csv` or `jsonl`.
#[tauri::command]
pub fn audit_export_to_downloads(
    satu: State<'_, Satu>,
    query: AuditQuery,
    format: String,
) -> Result<String, ApiError> {
    satu.audit_export_to_downloads(&query, &format)
}

/// The backup schedule.
#[tauri::command]
pub fn backup_schedule(satu: State<'_, Satu>) -> Result<BackupSchedule, ApiError> {
    satu.backup_schedule()
}

/// Schedules backups every `every_hours` (0: off) into `dir`, keeping the newest `keep`; the
/// passphrase (when given) goes to the OS keyring.
#[tauri::command]
pub fn set_backup_schedule(
    satu: State<'_, Satu>,
    every_hours: u32,
    dir: String,
    keep: u32,
    passphrase: Option<String>,
) -> Result<BackupSchedule, ApiError> {
    satu.set_backup_schedule(every_hours, &dir, keep, passphrase.as_deref())
}

/// The backups made, newest first.
#[tauri::command]
pub fn backups(satu: State<'_, Satu>) -> Result<Vec<BackupInfo>, ApiError> {
    satu.backups()
}

/// Makes a backup now into the schedule's folder, read back and checked.
#[tauri::command]
pub async fn backup_now(satu: State<'_, Satu>) -> Result<BackupReport, ApiError> {
    satu.backup_now(&|_| {}).await
}

/// How many items wait for the full-text index (search finds them by title and sender only).
#[tauri::command]
pub fn index_status(satu: State<'_, Satu>) -> Result<IndexReport, ApiError> {
    satu.index_status()
}

#[tauri::command]
pub fn item(satu: State<'_, Satu>, id: i64) -> Result<Item, ApiError> {
    satu.item(id)
}

#[tauri::command]
pub fn show(satu: State<'_, Satu>, id: i64) -> Result<ItemDetail, ApiError> {
    satu.show(id)
}

#[tauri::command]
pub fn thread(satu: State<'_, Satu>, id: i64) -> Result<Vec<ItemDetail>, ApiError> {
    satu.thread(id)
}

#[tauri::command]
pub fn accounts(satu: State<'_, Satu>) -> Result<Vec<Account>, ApiError> {
    satu.accounts()
}

/// Adds a mail account; signing in through a provider, the sign-in page's address goes to the
/// window (`satu://signin`) while the browser opens it.
#[tauri::command]
pub async fn add_account(
    app: AppHandle,
    satu: State<'_, Satu>,
    input: AccountInput,
) -> Result<i64, ApiError> {
    satu.add_account_showing(input, |url| show_sign_in(&app, url))
        .await
}

/// Signs an account in again through its provider.
#[tauri::command]
pub async fn sign_in_again(
    app: AppHandle,
    satu: State<'_, Satu>,
    id: i64,
) -> Result<Account, ApiError> {
    satu.sign_in_again(id, |url| show_sign_in(&app, url)).await
}

fn show_sign_in(app: &AppHandle, url: &str) {
    if let Err(e) = app.emit(crate::SIGNIN_EVENT, url) {
        tracing::warn!(error = %e, "Could not show the sign-in address in the window.");
    }
}

/// The settings of an email address from the address alone (nothing is added).
#[tauri::command]
pub async fn discover(
    satu: State<'_, Satu>,
    email: String,
    ca_file: Option<String>,
) -> Result<Discovered, ApiError> {
    let ca_file = ca_file.filter(|f| !f.trim().is_empty());
    satu.discover(&email, ca_file.as_deref().map(std::path::Path::new), |_| {})
        .await
}

#[tauri::command]
pub async fn open_sample(satu: State<'_, Satu>) -> Result<ImportReport, ApiError> {
    let satu = satu.inner().clone();
    // Parsing and indexing run off the UI thread.
    tauri::async_runtime::spawn_blocking(move || satu.open_sample(SAMPLE_MBOX))
        .await
        .map_err(|e| {
            ApiError::new(
                satu_core::ErrorCode::Internal,
                format!("The import stopped unexpectedly: {e}"),
            )
        })?
}

#[tauri::command]
pub async fn mark(
    satu: State<'_, Satu>,
    id: i64,
    unread: Option<bool>,
    flagged: Option<bool>,
) -> Result<ActionReport, ApiError> {
    satu.mark(id, unread, flagged).await
}

#[tauri::command]
pub async fn archive(satu: State<'_, Satu>, id: i64) -> Result<ActionReport, ApiError> {
    satu.archive(id).await
}

#[tauri::command]
pub async fn delete(satu: State<'_, Satu>, id: i64) -> Result<ActionReport, ApiError> {
    satu.delete(id).await
}

#[tauri::command]
pub async fn move_item(
    satu: State<'_, Satu>,
    id: i64,
    folder: String,
) -> Result<ActionReport, ApiError> {
    satu.move_item(id, &folder).await
}

#[tauri::command]
pub fn ops(satu: State<'_, Satu>) -> Result<Vec<PendingOp>, ApiError> {
    satu.ops()
}

#[tauri::command]
pub async fn retry_op(satu: State<'_, Satu>, id: i64) -> Result<u64, ApiError> {
    satu.retry_op(id).await
}

#[tauri::command]
pub fn folders(satu: State<'_, Satu>, account: Option<i64>) -> Result<Vec<Folder>, ApiError> {
    satu.folders(account)
}

#[tauri::command]
pub fn live_status(satu: State<'_, Satu>) -> Vec<LiveStatus> {
    satu.live_status()
}

#[tauri::command]
pub fn task_from_mail(
    satu: State<'_, Satu>,
    id: i64,
    due: Option<String>,
) -> Result<Item, ApiError> {
    satu.task_from_mail(id, due.as_deref())
}

#[tauri::command]
pub fn set_task_due(satu: State<'_, Satu>, id: i64, due: Option<String>) -> Result<Item, ApiError> {
    satu.set_task_due(id, due.as_deref())
}

#[tauri::command]
pub async fn task_done(satu: State<'_, Satu>, id: i64, done: bool) -> Result<Item, ApiError> {
    satu.task_done(id, done).await
}

#[tauri::command]
pub async fn send(satu: State<'_, Satu>, input: SendInput) -> Result<OutboxEntry, ApiError> {
    satu.send(&input).await
}

#[tauri::command]
pub fn outbox(satu: State<'_, Satu>) -> Result<Vec<OutboxEntry>, ApiError> {
    satu.outbox()
}

#[tauri::command]
pub fn cancel_send(satu: State<'_, Satu>, id: i64) -> Result<OutboxEntry, ApiError> {
    satu.cancel_send(id)
}

#[tauri::command]
pub async fn retry_send(
    satu: State<'_, Satu>,
    id: i64,
    resend: bool,
) -> Result<OutboxEntry, ApiError> {
    satu.retry_send(id, resend).await
}

#[tauri::command]
pub fn reply_draft(
    satu: State<'_, Satu>,
    id: i64,
    all: bool,
    header: Option<String>,
) -> Result<Draft, ApiError> {
    satu.reply_draft(id, all, header.as_deref())
}

#[tauri::command]
pub async fn resolve_task(
    satu: State<'_, Satu>,
    id: i64,
    keep_here: bool,
) -> Result<Item, ApiError> {
    satu.resolve_task(id, keep_here).await
}

#[tauri::command]
pub fn edit_send(satu: State<'_, Satu>, id: i64) -> Result<Draft, ApiError> {
    satu.edit_send(id)
}

#[tauri::command]
pub fn save_draft(satu: State<'_, Satu>, draft: Draft) -> Result<Draft, ApiError> {
    satu.save_draft(&draft)
}

#[tauri::command]
pub fn drafts(satu: State<'_, Satu>) -> Result<Vec<Draft>, ApiError> {
    satu.drafts()
}

#[tauri::command]
pub fn delete_draft(satu: State<'_, Satu>, id: i64) -> Result<(), ApiError> {
    satu.delete_draft(id)
}

#[tauri::command]
pub fn forward_draft(satu: State<'_, Satu>, id: i64) -> Result<Draft, ApiError> {
    satu.forward_draft(id)
}

#[tauri::command]
pub fn mailto_draft(satu: State<'_, Satu>, url: String) -> Result<Draft, ApiError> {
    satu.mailto_draft(&url)
}

/// Counting reads every item (~0.1 s at 100k): off the main thread, so the window stays fluid.
#[tauri::command]
pub async fn counts(satu: State<'_, Satu>) -> Result<Counts, ApiError> {
    let satu = satu.inner().clone();
    tauri::async_runtime::spawn_blocking(move || satu.counts())
        .await
        .map_err(|e| {
            ApiError::new(
                satu_core::ErrorCode::Internal,
                format!("Counting stopped unexpectedly: {e}"),
            )
        })?
}

#[tauri::command]
pub fn set_account_in_timeline(
    satu: State<'_, Satu>,
    id: i64,
    shown: bool,
) -> Result<Account, ApiError> {
    satu.set_account_in_timeline(id, shown)
}

#[tauri::command]
pub fn set_remote_content(
    satu: State<'_, Satu>,
    address: String,
    allowed: bool,
) -> Result<Vec<String>, ApiError> {
    satu.set_remote_content(&address, allowed)
}

#[tauri::command]
pub fn open_link(
    satu: State<'_, Satu>,
    url: String,
    confirmed: bool,
) -> Result<LinkDecision, ApiError> {
    satu.open_link(&url, confirmed)
}

#[tauri::command]
pub fn open_attachment(satu: State<'_, Satu>, id: i64, index: u32) -> Result<String, ApiError> {
    satu.open_attachment(id, index)
        .map(|path| path.to_string_lossy().into_owned())
}

/// Saves attachment `index` of item `id` (all of them when `index` is null) into the Downloads
/// folder; the paths written.
#[tauri::command]
pub fn save_attachments(
    satu: State<'_, Satu>,
    id: i64,
    index: Option<u32>,
) -> Result<Vec<String>, ApiError> {
    satu.save_attachments(id, index, None).map(|paths| {
        paths
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    })
}

/// The window has drawn its first timeline: logs the start-up time once (and prints it as
/// `painted_ms=N` on stderr with SATU_REPORT_STARTUP=1, for tests/bench/app.sh).
#[tauri::command]
pub fn painted(app: AppHandle, link: State<'_, crate::LaunchLink>) {
    // The window listens now: the mailto: link the app was started with opens Compose.
    if let Some(url) = link.0.lock().ok().and_then(|mut l| l.take()) {
        if let Err(e) = app.emit(crate::COMPOSE_EVENT, &url) {
            tracing::warn!(error = %e, "Cannot hand the launch's mailto: link to the window.");
        }
    }
    static REPORTED: std::sync::Once = std::sync::Once::new();
    REPORTED.call_once(|| {
        let ms = crate::started().elapsed().as_millis();
        tracing::info!(painted_ms = ms as u64, "First timeline painted.");
        if std::env::var_os("SATU_REPORT_STARTUP").is_some() {
            eprintln!("satu-app: first timeline painted_ms={ms}");
        }
    });
}

/// Whether the app starts when the user logs in (the desktop's own autostart entry says).
#[tauri::command]
pub fn start_at_login(app: AppHandle) -> Result<bool, ApiError> {
    use tauri_plugin_autostart::ManagerExt as _;
    app.autolaunch().is_enabled().map_err(autostart_error)
}

/// Starts the app at login, or not; what holds now.
#[tauri::command]
pub fn set_start_at_login(app: AppHandle, on: bool) -> Result<bool, ApiError> {
    use tauri_plugin_autostart::ManagerExt as _;
    let autolaunch = app.autolaunch();
    if on {
        autolaunch.enable().map_err(autostart_error)?;
    } else {
        autolaunch.disable().map_err(autostart_error)?;
    }
    tracing::info!(on, "Start at login chosen.");
    autolaunch.is_enabled().map_err(autostart_error)
}

fn autostart_error(e: tauri_plugin_autostart::Error) -> ApiError {
    ApiError::new(
        satu_core::ErrorCode::Internal,
        format!("Cannot change the start at login: {e}"),
    )
    .with_field("start_at_login")
}

#[tauri::command]
pub fn diagnostics(satu: State<'_, Satu>) -> Result<String, ApiError> {
    satu.diagnostics()
}

#[tauri::command]
pub fn settings(satu: State<'_, Satu>) -> Result<Vec<SettingValue>, ApiError> {
    satu.settings()
}

#[tauri::command]
pub fn set_setting(
    satu: State<'_, Satu>,
    key: String,
    value: String,
) -> Result<SettingValue, ApiError> {
    satu.set_setting(&key, &value)
}

/// How many days of bodies a mail account (or one folder) keeps offline; `days: None` keeps all.
#[tauri::command]
pub fn set_offline_days(
    satu: State<'_, Satu>,
    account: i64,
    folder: Option<String>,
    days: Option<u32>,
) -> Result<Vec<Folder>, ApiError> {
    satu.set_offline_days(account, folder.as_deref(), days)
}

#[tauri::command]
pub fn set_account_notify(
    satu: State<'_, Satu>,
    id: i64,
    notify: bool,
) -> Result<Account, ApiError> {
    satu.set_account_notify(id, notify)
}

#[tauri::command]
pub fn calendars(
    satu: State<'_, Satu>,
    account: Option<i64>,
) -> Result<Vec<CalendarInfo>, ApiError> {
    satu.calendars(account)
}

#[tauri::command]
pub fn set_task_calendar(satu: State<'_, Satu>, id: i64) -> Result<Vec<CalendarInfo>, ApiError> {
    satu.set_task_calendar(id)
}

#[tauri::command]
pub async fn add_caldav_account(
    satu: State<'_, Satu>,
    input: CaldavInput,
) -> Result<i64, ApiError> {
    let id = satu.add_caldav_account(input).await?;
    satu.sync_soon();
    Ok(id)
}

#[tauri::command]
pub fn calendar_events(
    satu: State<'_, Satu>,
    from: String,
    to: String,
) -> Result<Vec<EventOccurrence>, ApiError> {
    satu.calendar_events(&from, &to, &[])
}

#[tauri::command]
pub fn event(satu: State<'_, Satu>, id: i64) -> Result<EventDetail, ApiError> {
    satu.event(id)
}

#[tauri::command]
pub fn add_event(satu: State<'_, Satu>, input: EventInput) -> Result<EventDetail, ApiError> {
    satu.add_event(&input)
}

#[tauri::command]
pub fn edit_event(
    satu: State<'_, Satu>,
    id: i64,
    input: EventInput,
) -> Result<EventDetail, ApiError> {
    satu.edit_event(id, &input)
}

#[tauri::command]
pub fn delete_event(satu: State<'_, Satu>, id: i64) -> Result<(), ApiError> {
    satu.delete_event(id)
}

#[tauri::command]
pub async fn resolve_event(
    satu: State<'_, Satu>,
    id: i64,
    keep_here: bool,
) -> Result<EventDetail, ApiError> {
    satu.resolve_event(id, keep_here).await
}

#[tauri::command]
pub async fn answer_invitation(
    satu: State<'_, Satu>,
    id: i64,
    answer: String,
) -> Result<Invitation, ApiError> {
    satu.answer_invitation(id, &answer).await
}

#[tauri::command]
pub fn set_task_title(satu: State<'_, Satu>, id: i64, title: String) -> Result<Item, ApiError> {
    satu.set_task_title(id, &title)
}

#[tauri::command]
pub fn delete_task(satu: State<'_, Satu>, id: i64) -> Result<(), ApiError> {
    satu.delete_task(id)
}

#[tauri::command]
pub async fn add_matrix_account(
    satu: State<'_, Satu>,
    input: MatrixInput,
) -> Result<i64, ApiError> {
    satu.add_matrix_account(input).await
}

#[tauri::command]
pub fn chat_rooms(satu: State<'_, Satu>, account: Option<i64>) -> Result<Vec<ChatRoom>, ApiError> {
    satu.chat_rooms(account)
}

#[tauri::command]
pub async fn chat_send(
    satu: State<'_, Satu>,
    room: String,
    text: String,
    reply_to: Option<i64>,
) -> Result<Item, ApiError> {
    satu.chat_send(&room, &text, reply_to).await
}

#[tauri::command]
pub async fn chat_retry(satu: State<'_, Satu>, id: i64) -> Result<Item, ApiError> {
    satu.chat_retry(id).await
}

#[tauri::command]
pub async fn chat_history(
    satu: State<'_, Satu>,
    room: String,
    pages: u32,
) -> Result<HistoryReport, ApiError> {
    satu.chat_history(&room, pages).await
}

#[tauri::command]
pub async fn chat_join(satu: State<'_, Satu>, room: String) -> Result<ChatRoom, ApiError> {
    satu.chat_join(&room).await
}

#[tauri::command]
pub fn set_room_muted(
    satu: State<'_, Satu>,
    room: String,
    muted: bool,
) -> Result<ChatRoom, ApiError> {
    satu.set_room_muted(&room, muted)
}

#[tauri::command]
pub fn open_view(satu: State<'_, Satu>, query: ViewQuery) -> Result<ViewPage, ApiError> {
    satu.open_view(query)
}

#[tauri::command]
pub fn view_more(
    satu: State<'_, Satu>,
    view: u64,
    rows: u32,
) -> Result<Option<ViewDiffs>, ApiError> {
    satu.view_more(view, rows)
}

#[tauri::command]
pub fn close_view(satu: State<'_, Satu>, view: u64) -> Result<(), ApiError> {
    satu.close_view(view)
}

/// Whether the live sync is paused (the tray's "Pause sync").
#[tauri::command]
pub fn sync_paused(tray: State<'_, Arc<Tray>>) -> bool {
    tray.paused()
}

/// Pauses the live sync (what the user does meanwhile queues) or resumes it; what holds now.
#[tauri::command]
pub fn set_sync_paused(app: AppHandle, tray: State<'_, Arc<Tray>>, paused: bool) -> bool {
    tray.set_paused(&app, paused)
}

/// The tray menu's words in the window's language (`unread`: the tooltip with unread mail,
/// `{unread}` standing for the number).
#[tauri::command]
pub fn set_tray_text(
    tray: State<'_, Arc<Tray>>,
    open: String,
    compose: String,
    pause: String,
    resume: String,
    quit: String,
    unread: String,
) {
    // Words for a menu: one short line each.
    let line = |s: String| -> String { s.chars().filter(|c| !c.is_control()).take(80).collect() };
    tray.set_text(TrayText {
        open: line(open),
        compose: line(compose),
        pause: line(pause),
        resume: line(resume),
        quit: line(quit),
        unread: line(unread),
    });
}

#[tauri::command]
pub fn snooze(satu: State<'_, Satu>, id: i64, until: String) -> Result<Item, ApiError> {
    satu.snooze(id, &until)
}

#[tauri::command]
pub fn unsnooze(satu: State<'_, Satu>, id: i64) -> Result<Item, ApiError> {
    satu.unsnooze(id)
}

#[tauri::command]
pub fn snooze_times(satu: State<'_, Satu>) -> Vec<SnoozeTime> {
    satu.snooze_times()
}

#[tauri::command]
pub fn identities(satu: State<'_, Satu>, account: i64) -> Result<Vec<Identity>, ApiError> {
    satu.identities(account)
}

#[tauri::command]
pub fn set_identity(
    satu: State<'_, Satu>,
    account: i64,
    input: IdentityInput,
) -> Result<Vec<Identity>, ApiError> {
    satu.set_identity(account, &input)
}

#[tauri::command]
pub fn remove_identity(
    satu: State<'_, Satu>,
    account: i64,
    address: String,
) -> Result<Vec<Identity>, ApiError> {
    satu.remove_identity(account, &address)
}

#[tauri::command]
pub fn contacts(satu: State<'_, Satu>, text: String, limit: u32) -> Result<Vec<Contact>, ApiError> {
    satu.contacts(&text, limit)
}

/// Prints mail `id` through the system's browser (header in the window's words).
#[tauri::command]
pub fn print(satu: State<'_, Satu>, id: i64, labels: PrintLabels) -> Result<String, ApiError> {
    satu.print(id, Some(&labels))
        .map(|path| path.to_string_lossy().into_owned())
}

#[tauri::command]
pub async fn unsubscribe(satu: State<'_, Satu>, id: i64) -> Result<Unsubscribed, ApiError> {
    satu.unsubscribe(id, None).await
}

/// Who really sent mail `id`: the check kept from its arrival, else made now (`again`: anew).
#[tauri::command]
pub async fn authenticate(
    satu: State<'_, Satu>,
    id: i64,
    again: bool,
) -> Result<Authentication, ApiError> {
    satu.authenticate(id, again).await
}

/// Every rule, in order.
#[tauri::command]
pub fn rules(satu: State<'_, Satu>) -> Result<Vec<Rule>, ApiError> {
    satu.rules()
}

/// Adds a rule (Settings → Rules).
#[tauri::command]
pub fn rule_add(
    satu: State<'_, Satu>,
    name: String,
    when: String,
    then: Vec<String>,
) -> Result<Rule, ApiError> {
    satu.rule_add(&name, &when, &then)
}

#[tauri::command]
pub fn rule_remove(satu: State<'_, Satu>, id: i64) -> Result<(), ApiError> {
    satu.rule_remove(id)
}

#[tauri::command]
pub fn rule_enable(satu: State<'_, Satu>, id: i64, on: bool) -> Result<Rule, ApiError> {
    satu.rule_enable(id, on)
}

/// How many of the newest `limit` mails `when` matches (the editor's live count).
#[tauri::command]
pub fn rule_count(satu: State<'_, Satu>, when: String, limit: u32) -> Result<u64, ApiError> {
    satu.rule_count(&when, limit)
}

/// Checks a mail domain against the advice (Settings → Your mail domain).
#[tauri::command]
pub async fn domain_check(
    satu: State<'_, Satu>,
    domain: String,
    selectors: Vec<String>,
) -> Result<DomainReport, ApiError> {
    satu.domain_check(&domain, &selectors, None, false, None)
        .await
}

/// The delivery test from account `account` to itself (at most two minutes).
#[tauri::command]
pub async fn domain_test(satu: State<'_, Satu>, account: i64) -> Result<DeliveryTest, ApiError> {
    satu.domain_test(account, None, std::time::Duration::from_secs(120))
        .await
}
