//! The Satu desktop app: a thin Tauri shell. It opens the store, wires the commands in
//! [`commands`] to the core API, runs the core's live sync, and forwards the change feed and the
//! accounts' status to the window as events.
//! Nothing else lives here (ARCHITECTURE.md, invariant "the shell is thin").

mod commands;
mod contract;
mod geometry;
mod tray;

use std::time::Duration;

use satu_core::api::LinkDecision;
use satu_core::api::{CancellationToken, InstanceClaim};
use satu_core::Satu;
use tauri::webview::NewWindowResponse;
use tauri::{Emitter as _, Manager as _, WebviewWindowBuilder};

/// Event carrying one `ChangeEvent` to the window.
pub const CHANGE_EVENT: &str = "satu://change";
/// Event carrying a batch of diffs (`ViewDiffs`) of a view the window opened.
pub const VIEW_EVENT: &str = "satu://view";
/// Event carrying an account's `LiveStatus` (connected, syncing, offline…) to the window.
pub const STATUS_EVENT: &str = "satu://status";
/// Event carrying the id of an item the window should open (a clicked notification).
pub const OPEN_EVENT: &str = "satu://open";
/// Event carrying a `LinkDecision` the window must show: a look-alike link to confirm, or a
/// link Satu refuses.
pub const LINK_EVENT: &str = "satu://link";
/// Event carrying the address of a provider's sign-in page the browser was asked to open (the
/// window offers it to open or copy by hand).
pub const SIGNIN_EVENT: &str = "satu://signin";
/// Event carrying a `mailto:` link to write to (a launch with one, or a later launch handed to
/// this instance): the window opens Compose with `mailto_draft`.
pub const COMPOSE_EVENT: &str = "satu://compose";
/// How far the download of a message opened on demand is (payload: `DownloadProgress`).
pub const DOWNLOAD_EVENT: &str = "satu://download";

/// Shows the window (from the tray, a notification, a second launch) in front of the others.
pub(crate) fn bring_forward(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Whether closing the window keeps Satu running in the notification area (`app.keep_running`).
fn keeps_running(satu: &Satu) -> bool {
    satu.settings()
        .ok()
        .and_then(|all| all.into_iter().find(|s| s.key == "app.keep_running"))
        .is_none_or(|s| s.value)
}

/// The `mailto:` link this process was started with, for the window once it listens (taken by
/// the first `painted`).
pub(crate) struct LaunchLink(pub std::sync::Mutex<Option<String>>);

/// The first `mailto:` link among a launch's arguments.
fn mailto_of(args: &[String]) -> Option<String> {
    args.iter()
        .find(|a| {
            a.get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
        })
        .cloned()
}

/// When the process started: the window's first painted timeline is measured from here.
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// The process start (or the first call, if `run` has not started).
pub(crate) fn started() -> std::time::Instant {
    *STARTED.get_or_init(std::time::Instant::now)
}

/// Whether the window may show `url`: the app itself (`tauri://localhost`, or
/// `http(s)://tauri.localhost` on Windows), a mail's frame (`about:srcdoc`, `about:blank`), and
/// in a development build the Vite server on 127.0.0.1:1420.
pub(crate) fn is_app_url(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "about" => matches!(url.path(), "blank" | "srcdoc"),
        "http" | "https" if url.host_str() == Some("tauri.localhost") => true,
        "http" => {
            cfg!(not(feature = "custom-protocol"))
                && matches!(url.host_str(), Some("127.0.0.1" | "localhost"))
                && url.port() == Some(1420)
        }
        _ => false,
    }
}

/// Logs to standard error and to a file a day in [`Satu::log_dir`] (a week kept; what "Copy
/// diagnostics" reads from), at `SATU_LOG`'s level (default info).
fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = satu_core::api::QUIET_LOG_TARGETS.iter().fold(
        tracing_subscriber::EnvFilter::try_from_env("SATU_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        |filter, target| match format!("{target}=debug").parse() {
            Ok(directive) => filter.add_directive(directive),
            Err(_) => filter,
        },
    );
    let dir = Satu::log_dir();
    let file = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
            }
            tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix("satu")
                .filename_suffix("log")
                .max_log_files(7)
                .build(&dir)
                .map_err(|e| e.to_string())
        });
    let (file_layer, problem) = match file {
        Ok(appender) => (
            Some(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(appender),
            ),
            None,
        ),
        Err(e) => (None, Some(e)),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(file_layer)
        .init();
    if let Some(e) = problem {
        tracing::warn!(dir = %dir.display(), error = %e, "No log file: logging to standard error only.");
    }
}

/// Builds and runs the app until its last window closes.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    init_logging();
    // One app per data directory: a second launch hands its arguments (a mailto: link) to the
    // first, which comes to the front, and ends here.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data_dir = Satu::default_data_dir();
    let instance = match satu_core::api::claim_instance(&data_dir, &args) {
        Ok(InstanceClaim::First(listener)) => Some(listener),
        Ok(InstanceClaim::Running) => {
            tracing::info!(data_dir = %data_dir.display(), "Satu already runs on this data directory; it was brought to the front.");
            eprintln!(
                "satu-app: Satu already runs on {}; it was brought to the front.",
                data_dir.display()
            );
            return;
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "Could not claim the data directory; starting anyway.");
            None
        }
    };
    let launch_link = mailto_of(&args);
    // The claim, released as the app starts to quit (a launch meanwhile is the first again).
    let claimed: std::sync::Arc<std::sync::Mutex<Option<satu_core::api::InstanceClaimed>>> =
        std::sync::Arc::default();
    let claim_slot = claimed.clone();
    let cancel = CancellationToken::new();
    let feed_cancel = cancel.clone();
    let live_cancel = cancel.clone();
    let app = tauri::Builder::default()
        .setup(move |app| {
            app.manage(LaunchLink(std::sync::Mutex::new(launch_link)));
            // Start at login (Settings): only the Rust side is used, the window has no access
            // to the plugin's own commands.
            app.handle().plugin(tauri_plugin_autostart::init(
                tauri_plugin_autostart::MacosLauncher::LaunchAgent,
                None,
            ))?;
            let satu = Satu::open(&data_dir).map_err(|e| {
                format!(
                    "Cannot open the Satu data directory {}: {}",
                    data_dir.display(),
                    e.message
                )
            })?;
            tracing::info!(data_dir = %data_dir.display(), "Satu started.");
            satu.put_the_window_first();
            satu.set_origin("window");
            app.manage(satu.clone());
            // The window is made here rather than from tauri.conf.json alone, to give it the
            // new-window handler: a link clicked in mail (its frame may only ask for a new
            // window) is never opened inside the app but handed to the system's browser, after
            // a confirmation for look-alike hosts; anything but http, https and mailto is refused.
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .cloned()
                .ok_or("tauri.conf.json has no main window")?;
            let (links, handle) = (satu.clone(), app.handle().clone());
            // The size and place the window had last time (on this data directory).
            let kept = geometry::load(&data_dir);
            let mut builder = WebviewWindowBuilder::from_config(app.handle(), &config)?;
            if let Some(g) = kept {
                builder = builder.inner_size(g.width, g.height).position(g.x, g.y);
            }
            let window = builder
                .on_new_window(move |url, _features| {
                    match links.open_link(url.as_str(), false) {
                        Ok(LinkDecision::Open { .. }) => {}
                        Ok(decision) => {
                            if let Err(e) = handle.emit(LINK_EVENT, &decision) {
                                tracing::warn!(error = %e, "Cannot show a link warning.");
                            }
                        }
                        Err(e) => tracing::warn!(error = %e.message, "Cannot open a link."),
                    }
                    NewWindowResponse::Deny
                })
                // The window shows the app and nothing else: a link that would load another
                // page in it (or in a mail's frame) goes nowhere; links leave through
                // `on_new_window` above, to the browser.
                .on_navigation(|url| {
                    let allowed = is_app_url(url);
                    if !allowed {
                        tracing::warn!(url = %url, "A navigation away from the app was stopped.");
                    }
                    allowed
                })
                .build()?;
            if kept.is_some_and(|g| g.maximized) {
                let _ = window.maximize();
            }
            let keeper = geometry::Keeper::new(data_dir.clone());
            let watched = window.clone();
            let (closing, kept_satu) = (window.clone(), satu.clone());
            window.on_window_event(move |event| {
                // Closing the window hides it: the sync and its notifications go on, the tray
                // brings it back (unless the user chose that closing quits).
                if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                    if keeps_running(&kept_satu) {
                        api.prevent_close();
                        if let Err(e) = closing.hide() {
                            tracing::warn!(error = %e, "Cannot hide the window.");
                        }
                        tracing::info!("The window closed; Satu keeps running in the notification area.");
                    }
                }
                if matches!(
                    event,
                    tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_)
                ) {
                    let scale = watched.scale_factor().unwrap_or(1.0);
                    if let (Ok(size), Ok(place)) = (watched.inner_size(), watched.outer_position()) {
                        let size = size.to_logical::<f64>(scale);
                        let place = place.to_logical::<f64>(scale);
                        keeper.set(geometry::Geometry {
                            x: place.x,
                            y: place.y,
                            width: size.width,
                            height: size.height,
                            maximized: watched.is_maximized().unwrap_or(false),
                        });
                    }
                }
            });
            if let Some(listener) = instance {
                let handle = app.handle().clone();
                let guard = listener.serve(move |args| {
                    bring_forward(&handle);
                    if let Some(link) = mailto_of(&args) {
                        if let Err(e) = handle.emit(COMPOSE_EVENT, &link) {
                            tracing::warn!(error = %e, "Cannot hand a mailto: link to the window.");
                        }
                    }
                });
                if let Ok(mut slot) = claim_slot.lock() {
                    *slot = Some(guard);
                }
            }
            // The live sync, which the tray can pause, and the tray itself.
            let tray = std::sync::Arc::new(tray::Tray::new(satu.clone(), live_cancel));
            app.manage(tray.clone());
            tray.start_live(app.handle());
            tray.show(app.handle());
            let changed = std::sync::Arc::new(tokio::sync::Notify::new());
            tray.follow_unread(app.handle().clone(), changed.clone());
            // A clicked notification brings the window forward and opens its item.
            let mut clicks = satu.notification_clicks();
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                use tokio::sync::broadcast::error::RecvError;
                loop {
                    let id = match clicks.recv().await {
                        Ok(id) => id,
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => break,
                    };
                    bring_forward(&handle);
                    if let Err(e) = handle.emit(OPEN_EVENT, id) {
                        tracing::warn!(error = %e, "Cannot ask the window to open an item.");
                    }
                }
            });
            // Snoozed mail comes back as its time comes (also while the sync is paused).
            let snoozes = satu.clone();
            let snoozes_cancel = feed_cancel.clone();
            tauri::async_runtime::spawn(async move {
                snoozes.follow_snoozes(snoozes_cancel).await;
            });
            // The open views' diffs (the timeline's rows), in version order.
            let views = satu.clone();
            let views_cancel = feed_cancel.clone();
            let view_handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let result = views
                    .follow_views(views_cancel, Duration::from_millis(500), |batch| {
                        if let Err(e) = view_handle.emit(VIEW_EVENT, &batch) {
                            tracing::warn!(error = %e, "Cannot forward a view's diffs to the window.");
                        }
                    })
                    .await;
                if let Err(e) = result {
                    tracing::error!(error = %e.message, "The views stopped following the store.");
                }
            });
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let result = satu
                    .follow_changes(feed_cancel, Duration::from_millis(500), |change| {
                        if let Err(e) = handle.emit(CHANGE_EVENT, &change) {
                            tracing::warn!(error = %e, "Cannot forward a change to the window.");
                        }
                        changed.notify_one();
                    })
                    .await;
                if let Err(e) = result {
                    tracing::error!(error = %e.message, "The change feed stopped.");
                }
            });
            Ok(())
        })
        // Coming back to the window: what other devices changed on the calendars shows now.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Focused(true) = event {
                if let Some(satu) = window.try_state::<Satu>() {
                    satu.sync_soon();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::timeline,
            commands::open_view,
            commands::view_more,
            commands::close_view,
            commands::search,
            commands::index_status,
            commands::health,
            commands::diagnose,
            commands::set_account_password,
            commands::audit,
            commands::audit_verify,
            commands::audit_export_to_downloads,
            commands::backup_schedule,
            commands::set_backup_schedule,
            commands::backups,
            commands::backup_now,
            commands::search_server,
            commands::download_message,
            commands::set_offline_days,
            commands::item,
            commands::show,
            commands::thread,
            commands::set_task_due,
            commands::send,
            commands::outbox,
            commands::cancel_send,
            commands::retry_send,
            commands::reply_draft,
            commands::identities,
            commands::contacts,
            commands::set_identity,
            commands::remove_identity,
            commands::forward_draft,
            commands::mailto_draft,
            commands::save_draft,
            commands::edit_send,
            commands::resolve_task,
            commands::drafts,
            commands::delete_draft,
            commands::accounts,
            commands::add_account,
            commands::sign_in_again,
            commands::discover,
            commands::open_sample,
            commands::mark,
            commands::archive,
            commands::snooze,
            commands::print,
            commands::unsubscribe,
            commands::authenticate,
            commands::domain_check,
            commands::rules,
            commands::rule_add,
            commands::rule_remove,
            commands::rule_enable,
            commands::rule_count,
            commands::domain_test,
            commands::unsnooze,
            commands::snooze_times,
            commands::delete,
            commands::move_item,
            commands::ops,
            commands::retry_op,
            commands::folders,
            commands::live_status,
            commands::task_from_mail,
            commands::task_done,
            commands::counts,
            commands::set_account_in_timeline,
            commands::set_remote_content,
            commands::open_link,
            commands::open_attachment,
            commands::save_attachments,
            commands::painted,
            commands::settings,
            commands::diagnostics,
            commands::start_at_login,
            commands::set_start_at_login,
            commands::sync_paused,
            commands::set_sync_paused,
            commands::set_tray_text,
            commands::set_setting,
            commands::set_account_notify,
            commands::calendars,
            commands::set_task_calendar,
            commands::add_caldav_account,
            commands::calendar_events,
            commands::event,
            commands::add_event,
            commands::edit_event,
            commands::delete_event,
            commands::resolve_event,
            commands::answer_invitation,
            commands::set_task_title,
            commands::delete_task,
            commands::add_matrix_account,
            commands::chat_rooms,
            commands::chat_send,
            commands::chat_retry,
            commands::chat_history,
            commands::chat_join,
            commands::set_room_muted,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(move |_, event| match event {
            tauri::RunEvent::ExitRequested { .. } => {
                if let Ok(mut slot) = claimed.lock() {
                    slot.take();
                }
            }
            tauri::RunEvent::Exit => {
                if let Ok(mut slot) = claimed.lock() {
                    slot.take();
                }
                cancel.cancel();
            }
            _ => {}
        }),
        Err(e) => {
            eprintln!("satu: cannot start the app: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_app_url;

    #[test]
    fn the_window_shows_the_app_and_mail_frames_only() {
        let url = |u: &str| tauri::Url::parse(u).expect("url");
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/index.html#x",
            "http://tauri.localhost/",
            "https://tauri.localhost/assets/a.js",
            "about:srcdoc",
            "about:blank",
        ] {
            assert!(is_app_url(&url(ok)), "{ok}");
        }
        for bad in [
            "https://example.com/",
            "http://evil.tauri.localhost.example/",
            "tauri://evil/",
            "file:///etc/passwd",
            "data:text/html,<script>1</script>",
            "javascript:alert(1)",
            "about:config",
        ] {
            assert!(!is_app_url(&url(bad)), "{bad}");
        }
    }
}
