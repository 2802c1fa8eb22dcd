//! Any bytes → `parse_message` (which sanitizes the HTML) → the sanitizer again on the bytes as
//! HTML → stored in a SQLite store. Nothing may panic, abort or fail to store; the sanitized
//! HTML never holds a script.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use satu_mail::parse_message;
use satu_mail::sanitize::sanitize_html;
use satu_store::{NewAttachment, NewMail, Person, Store};

fn store() -> &'static (Store, i64, i64) {
    static STORE: OnceLock<(Store, i64, i64)> = OnceLock::new();
    STORE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("satu-fuzz-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let store = Store::open(&path).expect("open the fuzz store");
        let (account, folder) = store
            .write(|tx| {
                let account = tx.local_account("fuzz")?;
                Ok((account, tx.local_folder(account, "Fuzz")?))
            })
            .expect("account");
        (store, account, folder)
    })
}

fuzz_target!(|data: &[u8]| {
    let parsed = parse_message(data);
    if let Some(html) = &parsed.body_html {
        assert!(!html.to_lowercase().contains("<script"), "{html}");
    }
    let again = sanitize_html(&String::from_utf8_lossy(data));
    assert!(!again.to_lowercase().contains("<script"), "{again}");

    let (store, account, folder) = store();
    let mail = NewMail {
        account_id: *account,
        time_ms: parsed.date_ms.unwrap_or(0),
        title: parsed.subject,
        sender: parsed.from.map(|(name, address)| Person { name, address }),
        unread: true,
        flagged: false,
        snippet: parsed.snippet,
        message_id: parsed.message_id,
        in_reply_to: parsed.in_reply_to,
        references: parsed.references,
        subject_key: parsed.subject_key,
        subject_is_reply: parsed.subject_is_reply,
        recipients: parsed.recipients,
        body_text: parsed.body_text,
        body_html: parsed.body_html,
        quarantine: parsed.quarantined,
        raw: data.to_vec(),
        attachments: parsed
            .attachments
            .into_iter()
            .map(|a| NewAttachment {
                name: a.name,
                mime_type: a.mime_type,
                size: a.content.len() as i64,
            })
            .collect(),
        folder: Some((*folder, 0, 0)),
        gm_msgid: None,
        remote_size: None,
        progress: None,
    };
    store
        .write(|tx| tx.insert_mail(&mail))
        .expect("a parsed message always stores");
});
