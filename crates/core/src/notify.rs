//! Desktop notifications of new mail and chat, through `notify-rust` (the freedesktop
//! Notifications D-Bus service on Linux and the BSDs, Notification Center on macOS, toasts on
//! Windows), when [`crate::live::LiveOptions::notify`] is on (the app; `satu watch --notify`).
//!
//! Only what push brings in while an account is online is announced: the live loops hand over the
//! items a wake-up stored; what an initial sync or a full pass stores is never announced. Which of
//! them to announce, and how, is the pure function [`notices`] (mail) or [`chat_notices`]: nothing
//! when `notify.enabled` is off (do not disturb) or the account is muted (`accounts.notify`),
//! unread items only (and not of muted rooms), and more than [`SEPARATE_MAX`] new ones folded into
//! one that counts them. [`show`] sends one. Clicking a notification (where the platform reports
//! it) publishes the item's id on [`crate::Satu::notification_clicks`]; the app brings its window
//! forward and emits `satu://open`.

use std::sync::atomic::AtomicUsize;
#[cfg(all(unix, not(target_os = "macos")))]
use std::sync::atomic::Ordering;

use satu_store::{Account, ItemKind, ItemRow};
use tokio::sync::broadcast;

/// At most this many new messages of one wake-up are announced one by one; more make one
/// notification that counts them.
pub(crate) const SEPARATE_MAX: usize = 3;

/// Notifications whose click is still awaited; more are shown without waiting, so that a
/// notification service that never closes them cannot pile up threads.
const AWAITED_MAX: usize = 8;

static AWAITED: AtomicUsize = AtomicUsize::new(0);

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notice {
    /// The item a click opens.
    pub item: i64,
    /// First line: the sender (or the account, for a count).
    pub summary: String,
    /// Second line: the subject (or how many messages came).
    pub body: String,
}

/// What to announce of `new` (items just stored for `account`, newest last or in any order):
/// nothing when notifications are off (`enabled` false: do not disturb) or the account is muted;
/// unread mail only; one notification each for up to [`SEPARATE_MAX`] messages, else one that
/// counts them and opens the newest.
pub(crate) fn notices(enabled: bool, account: &Account, new: &[ItemRow]) -> Vec<Notice> {
    if !enabled || !account.notify {
        return Vec::new();
    }
    let mut mail: Vec<&ItemRow> = new
        .iter()
        .filter(|row| row.kind == ItemKind::Mail && row.unread)
        .collect();
    mail.sort_by_key(|row| std::cmp::Reverse(row.time_ms));
    if mail.len() > SEPARATE_MAX {
        let account_name = if account.name.is_empty() {
            account.email.clone()
        } else {
            account.name.clone()
        };
        return vec![Notice {
            item: mail[0].id,
            summary: account_name,
            body: format!("{} new messages", mail.len()),
        }];
    }
    mail.into_iter()
        .map(|row| Notice {
            item: row.id,
            summary: match &row.sender {
                Some(p) => p.name.clone().unwrap_or_else(|| p.address.clone()),
                None => account.email.clone(),
            },
            body: if row.title.trim().is_empty() {
                "(no subject)".to_owned()
            } else {
                row.title.clone()
            },
        })
        .collect()
}

/// What to announce of `new` chat messages of `account`, like [`notices`] for mail: nothing
/// when notifications are off or the account is muted; unread messages of rooms not in
/// `muted_rooms` only; more than [`SEPARATE_MAX`] make one that counts them.
pub(crate) fn chat_notices(
    enabled: bool,
    account: &Account,
    muted_rooms: &std::collections::HashSet<i64>,
    new: &[ItemRow],
) -> Vec<Notice> {
    if !enabled || !account.notify {
        return Vec::new();
    }
    let mut chat: Vec<&ItemRow> = new
        .iter()
        .filter(|row| row.kind == ItemKind::Chat && row.unread)
        .filter(|row| {
            row.chat
                .as_ref()
                .is_some_and(|c| !muted_rooms.contains(&c.room))
        })
        .collect();
    chat.sort_by_key(|row| std::cmp::Reverse(row.time_ms));
    if chat.len() > SEPARATE_MAX {
        return vec![Notice {
            item: chat[0].id,
            summary: account.name.clone(),
            body: format!("{} new chat messages", chat.len()),
        }];
    }
    chat.into_iter()
        .map(|row| {
            let sender = row
                .sender
                .as_ref()
                .map(|p| p.name.clone().unwrap_or_else(|| p.address.clone()))
                .unwrap_or_default();
            let encrypted = row.chat.as_ref().is_some_and(|c| c.encrypted);
            Notice {
                item: row.id,
                summary: if row.title.is_empty() || row.title == sender {
                    sender
                } else {
                    format!("{sender} ({})", row.title)
                },
                body: if encrypted {
                    "Encrypted message".to_owned()
                } else {
                    row.snippet.clone()
                },
            }
        })
        .collect()
}

/// The body as the platform reads it: freedesktop servers take `<b>`, `<a>`, `<img>` there,
/// and a subject or a chat message is anyone's text, so it is escaped to stay text.
fn body_text(body: &str) -> String {
    if cfg!(all(unix, not(target_os = "macos"))) {
        body.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        body.to_owned()
    }
}

/// Shows `notice` (on a blocking thread: the platform calls block), and publishes its item on
/// `clicks` if the user clicks it.
pub(crate) fn show(notice: Notice, clicks: broadcast::Sender<i64>) {
    tokio::task::spawn_blocking(move || {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Satu")
            .summary(&notice.summary)
            .body(&body_text(&notice.body));
        #[cfg(all(unix, not(target_os = "macos")))]
        notification
            .action("default", "Open")
            .hint(notify_rust::Hint::Category("email.arrived".to_owned()));
        let handle = match notification.show() {
            Ok(handle) => handle,
            Err(e) => {
                tracing::warn!(error = %e, item = notice.item, "Cannot show a notification.");
                return;
            }
        };
        tracing::debug!(item = notice.item, "Notification shown.");
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            if AWAITED.fetch_add(1, Ordering::SeqCst) < AWAITED_MAX {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        let _ = clicks.send(notice.item);
                    }
                });
            }
            AWAITED.fetch_sub(1, Ordering::SeqCst);
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        {
            let _ = (handle, &clicks, &AWAITED, AWAITED_MAX);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{chat_notices, notices, Notice, SEPARATE_MAX};
    use satu_store::{Account, AccountKind, ChatInfo, ItemKind, ItemRow, Person, Security};

    fn account(notify: bool) -> Account {
        Account {
            id: 1,
            kind: AccountKind::Imap,
            name: "Aisha".into(),
            email: "aisha@example.com".into(),
            imap: ("imap.example.com".into(), 993),
            smtp: (String::new(), 0),
            security: Security::Tls,
            username: "aisha".into(),
            ca_file: None,
            notify,
            in_timeline: true,
            smtp_security: Security::Tls,
            smtp_saves_sent: None,
            url: String::new(),
            principal: String::new(),
            home: String::new(),
            device_id: String::new(),
            offline_days: None,
            offline_chosen: true,
        }
    }

    fn row(id: i64, kind: ItemKind, unread: bool, title: &str, sender: Option<&str>) -> ItemRow {
        ItemRow {
            id,
            kind,
            account_id: 1,
            title: title.into(),
            sender: sender.map(|name| Person {
                name: Some(name.into()),
                address: format!("{}@example.com", name.to_lowercase()),
            }),
            time_ms: id * 1000,
            unread,
            flagged: false,
            answered: false,
            thread_size: 1,
            thread_unread: i64::from(unread),
            thread: None,
            snippet: String::new(),
            message_id: None,
            folders: vec!["INBOX".into()],
            task: None,
            todo: None,
            event: None,
            chat: None,
            snoozed_until_ms: None,
        }
    }

    /// A chat message in room `room` (row id).
    fn chat_row(id: i64, room: i64, unread: bool, text: &str, encrypted: bool) -> ItemRow {
        let mut row = row(id, ItemKind::Chat, unread, "Lunch", Some("Bob"));
        row.snippet = text.into();
        row.chat = Some(ChatInfo {
            room,
            room_id: format!("!{room}"),
            room_name: "Lunch".into(),
            event_id: Some(format!("${id}")),
            sender: "@bob:x".into(),
            state: "sent".into(),
            error: String::new(),
            reply_to: String::new(),
            thread_root: String::new(),
            edited: false,
            redacted: false,
            encrypted,
            msgtype: "m.text".into(),
        });
        row
    }

    #[test]
    fn chat_messages_are_announced_except_read_ones_and_muted_rooms() {
        let new = [
            chat_row(1, 7, true, "lunch?", false),
            chat_row(2, 7, false, "read on the phone", false),
            chat_row(3, 8, true, "in a muted room", false),
            chat_row(4, 7, true, "", true),
            row(5, ItemKind::Mail, true, "Mail is not chat", Some("Siti")),
        ];
        let muted: HashSet<i64> = [8].into();
        assert_eq!(
            chat_notices(true, &account(true), &muted, &new),
            [
                Notice {
                    item: 4,
                    summary: "Bob (Lunch)".into(),
                    body: "Encrypted message".into()
                },
                Notice {
                    item: 1,
                    summary: "Bob (Lunch)".into(),
                    body: "lunch?".into()
                },
            ]
        );
        assert!(chat_notices(false, &account(true), &muted, &new).is_empty());
        assert!(chat_notices(true, &account(false), &muted, &new).is_empty());
        let burst: Vec<ItemRow> = (1..=SEPARATE_MAX as i64 + 1)
            .map(|i| chat_row(i, 7, true, "m", false))
            .collect();
        assert_eq!(
            chat_notices(true, &account(true), &HashSet::new(), &burst)[0].body,
            format!("{} new chat messages", SEPARATE_MAX + 1)
        );
    }

    #[test]
    fn unread_mail_is_announced_with_sender_and_subject() {
        let new = [
            row(1, ItemKind::Mail, true, "Budget", Some("Siti")),
            row(
                2,
                ItemKind::Mail,
                false,
                "Read elsewhere already",
                Some("Tan"),
            ),
            row(3, ItemKind::Task, false, "A task", None),
            row(4, ItemKind::Mail, true, "  ", None),
        ];
        assert_eq!(
            notices(true, &account(true), &new),
            [
                Notice {
                    item: 4,
                    summary: "aisha@example.com".into(),
                    body: "(no subject)".into()
                },
                Notice {
                    item: 1,
                    summary: "Siti".into(),
                    body: "Budget".into()
                },
            ]
        );
    }

    #[test]
    fn do_not_disturb_and_mute_silence_everything() {
        let new = [row(1, ItemKind::Mail, true, "Budget", Some("Siti"))];
        assert!(notices(false, &account(true), &new).is_empty());
        assert!(notices(true, &account(false), &new).is_empty());
        assert!(notices(true, &account(true), &[]).is_empty());
    }

    #[test]
    fn a_burst_is_one_notification_that_opens_the_newest() {
        let new: Vec<ItemRow> = (1..=SEPARATE_MAX as i64 + 2)
            .map(|i| row(i, ItemKind::Mail, true, &format!("M{i}"), Some("Siti")))
            .collect();
        let shown = notices(true, &account(true), &new);
        assert_eq!(
            shown,
            [Notice {
                item: SEPARATE_MAX as i64 + 2,
                summary: "Aisha".into(),
                body: format!("{} new messages", SEPARATE_MAX + 2),
            }]
        );
        assert_eq!(notices(true, &account(true), &new[..SEPARATE_MAX]).len(), 3);
    }
}
