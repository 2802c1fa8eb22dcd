//! Satu in the notification area: closing the window hides it while the live sync keeps
//! running and notifying (setting `app.keep_running`, on by default); the tray's menu opens the
//! window, writes a new message, pauses or resumes the sync, and quits. The unread count shows
//! as the tray's title and tooltip and, where the desktop has one, the launcher's badge.
//!
//! The menu's words come from the window, which knows the user's language (`set_tray_text`);
//! until it sends them they are English.
//!
//! Pausing sets `sync.paused` in the store (as `satu sync --pause` does from outside); the core's
//! live sync stops its loops within a second and starts them again on resume. What the user does
//! meanwhile queues in the store and goes out when the sync resumes, as it would offline. The
//! menu and the window follow the setting whoever changed it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use satu_core::api::{CancellationToken, LiveOptions};
use satu_core::Satu;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter as _, Manager as _};

/// Event carrying whether the live sync is paused (the tray's "Pause sync", or the window's).
pub const PAUSED_EVENT: &str = "satu://paused";

/// What an entry of the tray's menu asks for (its id is the menu item's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrayAction {
    /// Show the window.
    Open,
    /// Show the window with an empty Compose.
    Compose,
    /// Pause the live sync, or resume it when paused.
    PauseOrResume,
    /// Quit Satu (the sync stops too).
    Quit,
}

impl TrayAction {
    const ALL: [TrayAction; 4] = [
        TrayAction::Open,
        TrayAction::Compose,
        TrayAction::PauseOrResume,
        TrayAction::Quit,
    ];

    /// The menu item's id.
    fn id(self) -> &'static str {
        match self {
            TrayAction::Open => "open",
            TrayAction::Compose => "compose",
            TrayAction::PauseOrResume => "pause",
            TrayAction::Quit => "quit",
        }
    }

    /// The action of a menu item's id.
    fn of(id: &str) -> Option<TrayAction> {
        TrayAction::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// The tray's words, in the window's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrayText {
    pub open: String,
    pub compose: String,
    pub pause: String,
    pub resume: String,
    pub quit: String,
    /// The tooltip with unread mail, `{unread}` standing for the number.
    pub unread: String,
}

impl Default for TrayText {
    fn default() -> Self {
        TrayText {
            open: "Open Satu".into(),
            compose: "New message".into(),
            pause: "Pause sync".into(),
            resume: "Resume sync".into(),
            quit: "Quit Satu".into(),
            unread: "Satu: {unread} unread".into(),
        }
    }
}

impl TrayText {
    /// The tooltip for `unread` unread messages.
    fn tooltip(&self, unread: i64) -> String {
        if unread > 0 {
            self.unread.replace("{unread}", &unread.to_string())
        } else {
            "Satu".to_owned()
        }
    }
}

/// What the tray shows and the live sync it pauses. Managed by the app (`app.state::<Tray>()`).
pub(crate) struct Tray {
    satu: Satu,
    /// The app's own token: cancelled when it quits, the parent of every live run's.
    app_cancel: CancellationToken,
    state: Mutex<TrayState>,
}

#[derive(Default)]
struct TrayState {
    text: TrayText,
    unread: i64,
    /// Whether the menu and the window were last told the sync is paused.
    shown_paused: bool,
    icon: Option<TrayIcon>,
    pause_item: Option<MenuItem<tauri::Wry>>,
    items: Vec<(TrayAction, MenuItem<tauri::Wry>)>,
}

impl Tray {
    pub(crate) fn new(satu: Satu, app_cancel: CancellationToken) -> Self {
        Tray {
            satu,
            app_cancel,
            state: Mutex::new(TrayState::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TrayState> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the live sync is paused.
    pub(crate) fn paused(&self) -> bool {
        self.satu.sync_paused().unwrap_or(false)
    }

    /// Starts the live sync (once, at start-up: it pauses and resumes itself as `sync.paused`
    /// says) and follows the setting in the menu and the window.
    pub(crate) fn start_live(self: &Arc<Self>, handle: &AppHandle) {
        let cancel = self.app_cancel.clone();
        let (live, status_handle) = (self.satu.clone(), handle.clone());
        // New mail pushed by a server raises a desktop notification (settings permitting).
        let options = LiveOptions {
            notify: true,
            ..LiveOptions::default()
        };
        let run_cancel = cancel.clone();
        tauri::async_runtime::spawn(async move {
            let result = live
                .run_live(run_cancel, options, move |status| {
                    if let Err(e) = status_handle.emit(crate::STATUS_EVENT, &status) {
                        tracing::warn!(error = %e, "Cannot forward a status to the window.");
                    }
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e.message, "The live sync stopped.");
            }
        });
        self.state().shown_paused = self.paused();
        // `satu sync --pause` from a terminal changes the setting behind the app's back.
        let (tray, handle) = (self.clone(), handle.clone());
        tauri::async_runtime::spawn(async move {
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                let paused = tray.paused();
                if paused != tray.state().shown_paused {
                    tray.show_paused(&handle, paused);
                }
            }
        });
    }

    /// Pauses the live sync (`true`) or resumes it; tells the window and the menu. Returns
    /// whether it is paused now.
    pub(crate) fn set_paused(&self, handle: &AppHandle, paused: bool) -> bool {
        match self.satu.set_sync_paused(paused) {
            Ok(_) => tracing::info!(paused, "The live sync is paused or resumes."),
            Err(e) => tracing::warn!(error = %e.message, "Cannot pause or resume the sync."),
        }
        let paused = self.paused();
        self.show_paused(handle, paused);
        paused
    }

    /// Tells the menu and the window whether the sync is paused.
    fn show_paused(&self, handle: &AppHandle, paused: bool) {
        self.state().shown_paused = paused;
        self.show_pause_item();
        if let Err(e) = handle.emit(PAUSED_EVENT, paused) {
            tracing::warn!(error = %e, "Cannot tell the window the sync is paused.");
        }
    }

    /// Puts the icon in the notification area. Where the desktop has none, the app runs on
    /// without it (a new launch brings the window back).
    pub(crate) fn show(&self, handle: &AppHandle) {
        if let Err(e) = self.build(handle) {
            tracing::warn!(error = %e, "No icon in the notification area; start Satu again to bring its window back.");
        }
    }

    fn build(&self, handle: &AppHandle) -> tauri::Result<()> {
        let text = self.state().text.clone();
        let mut items = Vec::new();
        for action in TrayAction::ALL {
            let label = match action {
                TrayAction::Open => &text.open,
                TrayAction::Compose => &text.compose,
                TrayAction::PauseOrResume if self.paused() => &text.resume,
                TrayAction::PauseOrResume => &text.pause,
                TrayAction::Quit => &text.quit,
            };
            items.push((
                action,
                MenuItem::with_id(handle, action.id(), label, true, None::<&str>)?,
            ));
        }
        let separator = PredefinedMenuItem::separator(handle)?;
        let menu = Menu::with_items(
            handle,
            &[
                &items[0].1,
                &items[1].1,
                &separator,
                &items[2].1,
                &separator,
                &items[3].1,
            ],
        )?;
        let mut builder = TrayIconBuilder::with_id("satu")
            .menu(&menu)
            .tooltip("Satu")
            .show_menu_on_left_click(false)
            .on_menu_event(|app, event| {
                if let Some(action) = TrayAction::of(event.id().as_ref()) {
                    act(app, action);
                }
            })
            .on_tray_icon_event(|icon, event| {
                if let TrayIconEvent::Click {
                    button: MouseButton::Left,
                    button_state: MouseButtonState::Up,
                    ..
                } = event
                {
                    crate::bring_forward(icon.app_handle());
                }
            });
        if let Some(image) = handle.default_window_icon() {
            builder = builder.icon(image.clone());
        }
        let icon = builder.build(handle)?;
        let mut state = self.state();
        state.pause_item = items
            .iter()
            .find(|(a, _)| *a == TrayAction::PauseOrResume)
            .map(|(_, item)| item.clone());
        state.items = items;
        state.icon = Some(icon);
        Ok(())
    }

    /// The menu's words in the window's language.
    pub(crate) fn set_text(&self, text: TrayText) {
        let paused = self.paused();
        let mut state = self.state();
        for (action, item) in &state.items {
            let label = match action {
                TrayAction::Open => &text.open,
                TrayAction::Compose => &text.compose,
                TrayAction::PauseOrResume if paused => &text.resume,
                TrayAction::PauseOrResume => &text.pause,
                TrayAction::Quit => &text.quit,
            };
            if let Err(e) = item.set_text(label) {
                tracing::warn!(error = %e, "Cannot change the tray menu's words.");
            }
        }
        if let Some(icon) = &state.icon {
            let _ = icon.set_tooltip(Some(text.tooltip(state.unread)));
        }
        state.text = text;
    }

    fn show_pause_item(&self) {
        let paused = self.paused();
        let state = self.state();
        if let Some(item) = &state.pause_item {
            let label = if paused {
                &state.text.resume
            } else {
                &state.text.pause
            };
            if let Err(e) = item.set_text(label) {
                tracing::warn!(error = %e, "Cannot change the tray menu's words.");
            }
        }
    }

    /// Shows the number of unread messages (tooltip, title beside the icon, launcher badge).
    fn show_unread(&self, handle: &AppHandle, unread: i64) {
        let mut state = self.state();
        if state.unread == unread && state.icon.is_some() {
            return;
        }
        state.unread = unread;
        if let Some(icon) = &state.icon {
            let _ = icon.set_tooltip(Some(state.text.tooltip(unread)));
            #[cfg(not(target_os = "windows"))]
            let _ = icon.set_title(Some(if unread > 0 {
                unread.to_string()
            } else {
                String::new()
            }));
        }
        drop(state);
        #[cfg(not(target_os = "windows"))]
        if let Some(window) = handle.get_webview_window("main") {
            // Only some desktops show a badge; the others answer an error, which says nothing.
            let _ = window.set_badge_count((unread > 0).then_some(unread));
        }
        #[cfg(target_os = "windows")]
        let _ = handle;
    }

    /// Keeps the unread count shown up to date: counted again (at most twice a second) after
    /// `changed` is told of a change, until the app quits.
    pub(crate) fn follow_unread(
        self: Arc<Self>,
        handle: AppHandle,
        changed: Arc<tokio::sync::Notify>,
    ) {
        let cancel = self.app_cancel.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                let satu = self.satu.clone();
                match tauri::async_runtime::spawn_blocking(move || satu.counts()).await {
                    Ok(Ok(counts)) => self.show_unread(&handle, counts.unread),
                    Ok(Err(e)) => tracing::warn!(error = %e.message, "Cannot count unread mail."),
                    Err(e) => tracing::warn!(error = %e, "Counting unread mail stopped."),
                }
                tokio::select! {
                    () = cancel.cancelled() => break,
                    () = changed.notified() => {}
                }
                tokio::select! {
                    () = cancel.cancelled() => break,
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
        });
    }
}

/// Does what a tray menu entry asks.
fn act(app: &AppHandle, action: TrayAction) {
    match action {
        TrayAction::Open => crate::bring_forward(app),
        TrayAction::Compose => {
            crate::bring_forward(app);
            if let Err(e) = app.emit(crate::COMPOSE_EVENT, "mailto:") {
                tracing::warn!(error = %e, "Cannot open Compose.");
            }
        }
        TrayAction::PauseOrResume => {
            if let Some(tray) = app.try_state::<Arc<Tray>>() {
                let paused = tray.paused();
                tray.set_paused(app, !paused);
            }
        }
        TrayAction::Quit => {
            tracing::info!("Quit from the tray.");
            app.exit(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{TrayAction, TrayText};

    #[test]
    fn every_menu_entry_is_found_by_its_id_and_nothing_else_is() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::of(action.id()), Some(action));
        }
        assert_eq!(TrayAction::of("exit"), None);
        assert_eq!(TrayAction::of(""), None);
    }

    #[test]
    fn the_tooltip_counts_unread_mail_in_the_window_s_words() {
        let mut text = TrayText::default();
        assert_eq!(text.tooltip(0), "Satu");
        assert_eq!(text.tooltip(3), "Satu: 3 unread");
        text.unread = "Satu: {unread} belum dibaca".into();
        assert_eq!(text.tooltip(12), "Satu: 12 belum dibaca");
    }
}
