//! `satu serve --dev`: the window's commands and events over loopback HTTP, so the UI in a plain
//! browser (`scripts/dev-browser.sh`, Vite on 127.0.0.1:1420) runs against the real core instead
//! of a re-implementation. Development only; the app itself talks to the core through Tauri.
//!
//! - `POST /invoke/<command>` with the command's arguments as a JSON object (the keys the
//!   generated `contract.ts` sends) answers the command's result as JSON, or an `ApiError`
//!   (`{code, message, field}`) with status 400 (bad input), 404 (unknown command) or 500.
//! - `GET /events` is a `text/event-stream` of `change`, `view` and `status` events whose data
//!   is the JSON the app's `satu://change`, `satu://view` and `satu://status` events carry.
//!
//! The table below names every command the Tauri shell has (`src-tauri/src/commands.rs`), with
//! the same arguments; the contract test (`src-tauri/src/contract.rs`) fails when they differ.
//! Links and attachments open in the system's applications, as from the app.
//!
//! Guard: it listens on 127.0.0.1 only; every request must carry the token printed at start in
//! `x-satu-token` (a header a foreign web page cannot send without a CORS preflight, which this
//! server never grants), a loopback `Host` (no DNS rebinding) and, when the browser sends one,
//! a loopback `Origin`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use satu_core::api::{CancellationToken, LiveOptions};
use satu_core::dto::{
    AccountInput, AuditQuery, CaldavInput, Draft, EventInput, IdentityInput, MatrixInput,
    PrintLabels, SearchQuery, SendInput, TimelineQuery, ViewQuery,
};
use satu_core::{ApiError, ErrorCode, Satu};
use serde::Serialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// The sample mailbox a newcomer can open without any server (the app embeds the same file).
const SAMPLE_MBOX: &[u8] = include_bytes!("../../../assets/sample.mbox");
/// A request's header block may not be longer.
const MAX_HEADER: usize = 64 * 1024;
/// A request's body may not be longer (a draft with its text; attachments are paths).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Events kept for a slow event stream before it skips ahead (the window then reloads).
const EVENT_BACKLOG: usize = 1024;

/// One event for the browser: its name and its JSON.
#[derive(Clone, Debug)]
struct Event {
    name: &'static str,
    data: String,
}

/// The sign-in page the browser was asked to open, for a person without one.
fn say_sign_in(url: &str) {
    eprintln!("satu: sign in at {url}");
}

/// What every connection shares.
struct Shared {
    satu: Satu,
    token: String,
    port: u16,
    events: broadcast::Sender<Event>,
}

/// The command table: after `satu;` (the name the calls use for the core), one
/// `name(argument: Type, ...) => call;` per command, where `call` uses `satu` and the arguments and is a `Result<T, ApiError>` (awaited where the API is async).
/// Argument keys on the wire are camelCase, as Tauri's are.
macro_rules! commands {
    ($satu:ident; $($name:ident ( $($arg:ident : $ty:ty),* ) => $call:expr;)*) => {
        /// The names of the commands, in table order.
        #[cfg(test)]
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        async fn dispatch($satu: &Satu, name: &str, args: Value) -> Result<Value, ApiError> {
            let args = if args.is_null() { Value::Object(Default::default()) } else { args };
            match name {
                $(stringify!($name) => {
                    #[derive(serde::Deserialize)]
                    #[serde(rename_all = "camelCase")]
                    struct Args { $($arg: $ty),* }
                    let Args { $($arg),* } = serde_json::from_value(args).map_err(|e| {
                        ApiError::new(
                            ErrorCode::InvalidInput,
                            format!("The arguments of {} are not right: {e}", stringify!($name)),
                        )
                    })?;
                    let result = $call;
                    to_json(result?)
                })*
                _ => Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!("There is no command {name:?}."),
                )),
            }
        }
    };
}

commands! {
    satu;
    timeline(query: TimelineQuery) => satu.timeline(&query);
    open_view(query: ViewQuery) => satu.open_view(query);
    view_more(view: u64, rows: u32) => satu.view_more(view, rows);
    close_view(view: u64) => satu.close_view(view);
    search(query: SearchQuery) => satu.search(&query);
    index_status() => satu.index_status();
    health() => satu.health();
    diagnose(account: Option<i64>) => satu.diagnose(account).await;
    set_account_password(id: i64, password: String) => satu.set_account_password(id, &password).await;
    audit(query: AuditQuery) => satu.audit(&query);
    audit_verify(head: Option<String>) => satu.audit_verify(head.as_deref());
    audit_export_to_downloads(query: AuditQuery, format: String) => satu.audit_export_to_downloads(&query, &format);
    backup_schedule() => satu.backup_schedule();
    set_backup_schedule(every_hours: u32, dir: String, keep: u32, passphrase: Option<String>) => satu.set_backup_schedule(every_hours, &dir, keep, passphrase.as_deref());
    backups() => satu.backups();
    backup_now() => satu.backup_now(&|_| {}).await;
    search_server(query: SearchQuery) => satu.search_server(&query).await;
    download_message(id: i64) => satu.download_message(id).await;
    item(id: i64) => satu.item(id);
    show(id: i64) => satu.show(id);
    thread(id: i64) => satu.thread(id);
    set_task_due(id: i64, due: Option<String>) => satu.set_task_due(id, due.as_deref());
    send(input: SendInput) => satu.send(&input).await;
    outbox() => satu.outbox();
    cancel_send(id: i64) => satu.cancel_send(id);
    retry_send(id: i64, resend: bool) => satu.retry_send(id, resend).await;
    identities(account: i64) => satu.identities(account);
    contacts(text: String, limit: u32) => satu.contacts(&text, limit);
    set_identity(account: i64, input: IdentityInput) => satu.set_identity(account, &input);
    remove_identity(account: i64, address: String) => satu.remove_identity(account, &address);
    reply_draft(id: i64, all: bool, header: Option<String>) => satu.reply_draft(id, all, header.as_deref());
    forward_draft(id: i64) => satu.forward_draft(id);
    mailto_draft(url: String) => satu.mailto_draft(&url);
    save_draft(draft: Draft) => satu.save_draft(&draft);
    edit_send(id: i64) => satu.edit_send(id);
    resolve_task(id: i64, keep_here: bool) => satu.resolve_task(id, keep_here).await;
    drafts() => satu.drafts();
    delete_draft(id: i64) => satu.delete_draft(id);
    accounts() => satu.accounts();
    add_account(input: AccountInput) => satu.add_account_showing(input, say_sign_in).await;
    sign_in_again(id: i64) => satu.sign_in_again(id, say_sign_in).await;
    discover(email: String, ca_file: Option<String>) => {
        let ca_file = ca_file.filter(|f| !f.trim().is_empty());
        satu.discover(&email, ca_file.as_deref().map(std::path::Path::new), |_| {})
            .await
    };
    open_sample() => blocking(satu, |satu| satu.open_sample(SAMPLE_MBOX)).await;
    mark(id: i64, unread: Option<bool>, flagged: Option<bool>) =>
        satu.mark(id, unread, flagged).await;
    archive(id: i64) => satu.archive(id).await;
    snooze(id: i64, until: String) => satu.snooze(id, &until);
    unsubscribe(id: i64) => satu.unsubscribe(id, None).await;
    authenticate(id: i64, again: bool) => satu.authenticate(id, again).await;
    rules() => satu.rules();
    rule_add(name: String, when: String, then: Vec<String>) => satu.rule_add(&name, &when, &then);
    rule_remove(id: i64) => satu.rule_remove(id);
    rule_enable(id: i64, on: bool) => satu.rule_enable(id, on);
    rule_count(when: String, limit: u32) => satu.rule_count(&when, limit);
    domain_check(domain: String, selectors: Vec<String>) =>
        satu.domain_check(&domain, &selectors, None, false, None).await;
    domain_test(account: i64) =>
        satu.domain_test(account, None, std::time::Duration::from_secs(120)).await;
    print(id: i64, labels: PrintLabels) => satu
        .print(id, Some(&labels))
        .map(|path| path.to_string_lossy().into_owned());
    unsnooze(id: i64) => satu.unsnooze(id);
    snooze_times() => Ok::<_, ApiError>(satu.snooze_times());
    delete(id: i64) => satu.delete(id).await;
    move_item(id: i64, folder: String) => satu.move_item(id, &folder).await;
    ops() => satu.ops();
    retry_op(id: i64) => satu.retry_op(id).await;
    folders(account: Option<i64>) => satu.folders(account);
    live_status() => Ok::<_, ApiError>(satu.live_status());
    task_from_mail(id: i64, due: Option<String>) => satu.task_from_mail(id, due.as_deref());
    task_done(id: i64, done: bool) => satu.task_done(id, done).await;
    counts() => blocking(satu, |satu| satu.counts()).await;
    set_account_in_timeline(id: i64, shown: bool) => satu.set_account_in_timeline(id, shown);
    set_remote_content(address: String, allowed: bool) =>
        satu.set_remote_content(&address, allowed);
    open_link(url: String, confirmed: bool) => satu.open_link(&url, confirmed);
    open_attachment(id: i64, index: u32) =>
        satu.open_attachment(id, index).map(|path| path.to_string_lossy().into_owned());
    save_attachments(id: i64, index: Option<u32>) => satu
        .save_attachments(id, index, None)
        .map(|paths| paths.into_iter().map(|p| p.to_string_lossy().into_owned()).collect::<Vec<_>>());
    painted() => Ok::<_, ApiError>(());
    settings() => satu.settings();
    diagnostics() => satu.diagnostics();
    // Starting at login belongs to the installed app, not to the development server.
    start_at_login() => Ok::<bool, ApiError>(false);
    set_start_at_login(on: bool) => Err::<bool, ApiError>(ApiError::invalid(
        "start_at_login",
        format!("Starting at login ({on}) is a setting of the installed app"),
    ));
    // Pausing is the store's setting: a `satu watch` on this data directory follows it.
    sync_paused() => satu.sync_paused();
    set_sync_paused(paused: bool) => satu.set_sync_paused(paused);
    // The tray belongs to the installed app.
    set_tray_text(open: String, compose: String, pause: String, resume: String, quit: String, unread: String) => {
        let _ = (open, compose, pause, resume, quit, unread);
        Ok::<_, ApiError>(())
    };
    set_setting(key: String, value: String) => satu.set_setting(&key, &value);
    set_account_notify(id: i64, notify: bool) => satu.set_account_notify(id, notify);
    set_offline_days(account: i64, folder: Option<String>, days: Option<u32>) => satu.set_offline_days(account, folder.as_deref(), days);
    calendars(account: Option<i64>) => satu.calendars(account);
    set_task_calendar(id: i64) => satu.set_task_calendar(id);
    add_caldav_account(input: CaldavInput) => {
        let id = satu.add_caldav_account(input).await;
        satu.sync_soon();
        id
    };
    calendar_events(from: String, to: String) => satu.calendar_events(&from, &to, &[]);
    event(id: i64) => satu.event(id);
    add_event(input: EventInput) => satu.add_event(&input);
    edit_event(id: i64, input: EventInput) => satu.edit_event(id, &input);
    delete_event(id: i64) => satu.delete_event(id);
    resolve_event(id: i64, keep_here: bool) => satu.resolve_event(id, keep_here).await;
    answer_invitation(id: i64, answer: String) => satu.answer_invitation(id, &answer).await;
    set_task_title(id: i64, title: String) => satu.set_task_title(id, &title);
    delete_task(id: i64) => satu.delete_task(id);
    add_matrix_account(input: MatrixInput) => satu.add_matrix_account(input).await;
    chat_rooms(account: Option<i64>) => satu.chat_rooms(account);
    chat_send(room: String, text: String, reply_to: Option<i64>) =>
        satu.chat_send(&room, &text, reply_to).await;
    chat_retry(id: i64) => satu.chat_retry(id).await;
    chat_history(room: String, pages: u32) => satu.chat_history(&room, pages).await;
    chat_join(room: String) => satu.chat_join(&room).await;
    set_room_muted(room: String, muted: bool) => satu.set_room_muted(&room, muted);
}

fn to_json<T: Serialize>(value: T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("The answer cannot be written as JSON: {e}"),
        )
    })
}

/// Runs a call that reads much (counting, importing) off the server's threads.
async fn blocking<T: Send + 'static>(
    satu: &Satu,
    call: impl FnOnce(Satu) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let satu = satu.clone();
    tokio::task::spawn_blocking(move || call(satu))
        .await
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("The command stopped unexpectedly: {e}"),
            )
        })?
}

/// A token nobody else can guess: 128 bits from the operating system's random source.
fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("No random numbers for the token: {e}"),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Serves until `cancel`: prints `{"url", "token"}` as one JSON line on stdout once listening,
/// runs the live sync, and forwards changes, view diffs and statuses to every event stream.
pub async fn serve(satu: &Satu, port: u16, cancel: CancellationToken) -> Result<(), ApiError> {
    satu.set_origin("window");
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("Cannot listen on 127.0.0.1:{port}: {e}"),
            )
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("No local address: {e}")))?
        .port();
    let (events, _) = broadcast::channel(EVENT_BACKLOG);
    let shared = Arc::new(Shared {
        satu: satu.clone(),
        token: new_token()?,
        port,
        events,
    });
    println!(
        "{}",
        serde_json::json!({ "url": format!("http://127.0.0.1:{port}"), "token": shared.token })
    );
    eprintln!("satu: serving the window's commands on http://127.0.0.1:{port} (Ctrl-C stops)");

    let forward = |name: &'static str| {
        let events = shared.events.clone();
        move |value: &dyn erased::Json| {
            // No stream listening is not an error.
            let _ = events.send(Event {
                name,
                data: value.json(),
            });
        }
    };
    let live = {
        let (satu, cancel, send) = (satu.clone(), cancel.clone(), forward("status"));
        tokio::spawn(async move {
            satu.run_live(cancel, LiveOptions::default(), move |status| send(&status))
                .await
        })
    };
    let views = {
        let (satu, cancel, send) = (satu.clone(), cancel.clone(), forward("view"));
        tokio::spawn(async move {
            satu.follow_views(cancel, Duration::from_millis(250), |batch| send(&batch))
                .await
        })
    };
    let changes = {
        let (satu, cancel, send) = (satu.clone(), cancel.clone(), forward("change"));
        tokio::spawn(async move {
            satu.follow_changes(cancel, Duration::from_millis(250), |change| send(&change))
                .await
        })
    };

    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let (shared, cancel) = (shared.clone(), cancel.clone());
                    tokio::spawn(async move {
                        if let Err(e) = connection(stream, &shared, &cancel).await {
                            tracing::debug!(error = %e, "A connection to the dev server ended.");
                        }
                    });
                }
                Err(e) => tracing::warn!(error = %e, "Cannot accept a connection."),
            },
        }
    }
    for task in [live, views, changes] {
        match tokio::time::timeout(Duration::from_secs(10), task).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e.message, "A background task failed."),
            Ok(Err(e)) => tracing::warn!(error = %e, "A background task stopped unexpectedly."),
            Err(_) => tracing::warn!("A background task did not stop within 10 s."),
            Ok(Ok(Ok(()))) => {}
        }
    }
    Ok(())
}

/// Lets one closure forward statuses, diffs and changes alike.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// One request as read from the connection.
#[derive(Debug, PartialEq)]
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request; `None` when the peer closed the connection between requests.
async fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = (&mut *reader)
            .take((MAX_HEADER - head.len().min(MAX_HEADER)) as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(bad("the request ended inside its header"))
            };
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEADER {
            return Err(bad("the request's header is too long"));
        }
        if line == b"\r\n" || line == b"\n" {
            if head.len() == line.len() {
                head.clear(); // Blank lines between requests are allowed.
                continue;
            }
            break;
        }
    }
    let head = String::from_utf8(head).map_err(|_| bad("the header is not UTF-8"))?;
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (method, path) = match (first.next(), first.next()) {
        (Some(method), Some(path)) => (method.to_owned(), path.to_owned()),
        _ => return Err(bad("the request line is not `METHOD PATH VERSION`")),
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().map_err(|_| bad("a bad Content-Length")))
        .transpose()?
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(bad("the request's body is too long"));
    }
    if headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && !v.eq_ignore_ascii_case("identity")
    }) {
        return Err(bad("chunked requests are not read; send a Content-Length"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

/// Whether a `Host` or `Origin` names this machine's loopback (with any port).
fn is_loopback_name(value: &str) -> bool {
    let host = value
        .strip_prefix("http://")
        .unwrap_or(value)
        .trim_end_matches('/');
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// Why a request may not be served, if it may not.
fn refusal(request: &Request, shared: &Shared) -> Option<(u16, &'static str)> {
    let host_ok = request
        .header("host")
        .is_some_and(|host| is_loopback_name(host) && host.ends_with(&format!(":{}", shared.port)));
    if !host_ok {
        return Some((421, "This server answers only to its loopback address."));
    }
    if request
        .header("origin")
        .is_some_and(|o| !is_loopback_name(o))
    {
        return Some((403, "Requests from other sites are refused."));
    }
    let token_ok = request
        .header("x-satu-token")
        .is_some_and(|t| same_text(t.as_bytes(), shared.token.as_bytes()));
    if !token_ok {
        return Some((401, "The x-satu-token header is missing or wrong."));
    }
    None
}

/// Compares in time that does not depend on where the texts differ.
fn same_text(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn connection(
    stream: TcpStream,
    shared: &Shared,
    cancel: &CancellationToken,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader).await? {
        if let Some((status, message)) = refusal(&request, shared) {
            let error = ApiError::new(ErrorCode::InvalidInput, message);
            respond(reader.get_mut(), status, &json_or_empty(&error)).await?;
            continue;
        }
        let path = request.path.split('?').next().unwrap_or_default();
        match (request.method.as_str(), path) {
            ("GET", "/events") => return events(reader.into_inner(), shared, cancel).await,
            ("POST", _) if path.starts_with("/invoke/") => {
                let name = &path["/invoke/".len()..];
                let args = if request.body.is_empty() {
                    Ok(Value::Null)
                } else {
                    serde_json::from_slice(&request.body).map_err(|e| {
                        ApiError::new(
                            ErrorCode::InvalidInput,
                            format!("The body is not JSON: {e}"),
                        )
                    })
                };
                let (status, body) = match async { dispatch(&shared.satu, name, args?).await }.await
                {
                    Ok(value) => (200, value.to_string()),
                    Err(error) => (status_of(&error), json_or_empty(&error)),
                };
                respond(reader.get_mut(), status, &body).await?;
            }
            _ => {
                let error =
                    ApiError::new(ErrorCode::NotFound, "Only /invoke/<command> and /events.");
                respond(reader.get_mut(), 404, &json_or_empty(&error)).await?;
            }
        }
    }
    Ok(())
}

fn json_or_empty(error: &ApiError) -> String {
    serde_json::to_string(error).unwrap_or_default()
}

fn status_of(error: &ApiError) -> u16 {
    match error.code {
        ErrorCode::NotFound => 404,
        ErrorCode::InvalidInput => 400,
        _ => 500,
    }
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        421 => "Misdirected Request",
        _ => "Internal Server Error",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.flush().await
}

/// The event stream: one `event:`/`data:` block per event, a comment every 15 s so proxies keep
/// the connection, until the browser goes or the server stops. A stream that fell more than
/// EVENT_BACKLOG events behind gets a `lagged` event (the window then reads everything again).
async fn events(
    mut stream: TcpStream,
    shared: &Shared,
    cancel: &CancellationToken,
) -> std::io::Result<()> {
    let mut events = shared.events.subscribe();
    stream
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n: satu\n\n")
        .await?;
    stream.flush().await?;
    let mut keepalive = tokio::time::interval(Duration::from_secs(15));
    loop {
        let block = tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = keepalive.tick() => ": keepalive\n\n".to_owned(),
            event = events.recv() => match event {
                Ok(event) => format!("event: {}\ndata: {}\n\n", event.name, event.data),
                Err(broadcast::error::RecvError::Lagged(_)) => "event: lagged\ndata: null\n\n".to_owned(),
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        };
        stream.write_all(block.as_bytes()).await?;
        stream.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names() {
        for yes in [
            "127.0.0.1:1420",
            "localhost:80",
            "http://127.0.0.1:1420",
            "http://localhost",
            "[::1]:9",
        ] {
            assert!(is_loopback_name(yes), "{yes}");
        }
        for no in [
            "evil.example:1420",
            "http://127.0.0.1.evil.example",
            "https://localhost.evil",
            "null",
            "",
        ] {
            assert!(!is_loopback_name(no), "{no}");
        }
    }

    #[test]
    fn same_text_compares_whole() {
        assert!(same_text(b"abc", b"abc"));
        assert!(!same_text(b"abc", b"abd"));
        assert!(!same_text(b"abc", b"ab"));
    }

    #[test]
    fn the_table_has_every_command_once() {
        let mut names = COMMANDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
    }
}
