//! Printing a message: a page of its own (subject, sender, recipients, date, then the text or
//! the sanitized HTML), written into a private folder of the data directory and handed to the
//! system's browser, which prints it (the window's mail frame cannot: it is sized to the pane,
//! not to the message). The page runs one script, `window.print()`, allowed by its hash; the
//! mail in it runs none and loads nothing from the network unless the sender is one whose
//! remote content the user allowed.

use std::path::PathBuf;

use anyhow::Context as _;
use base64::Engine as _;
use sha2::Digest as _;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};
use crate::{links, timeline};

/// The only script of the page.
const PRINT_SCRIPT: &str = "window.print();";

/// How many printed pages are kept (older ones are removed when a new one is written).
const KEEP_PRINTED: usize = 20;

/// `text` safe inside HTML text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page printing `detail`, its header in the words of `labels`; remote images load only
/// with `remote`.
pub(crate) fn page(detail: &dto::ItemDetail, labels: &dto::PrintLabels, remote: bool) -> String {
    let hash = base64::engine::general_purpose::STANDARD
        .encode(sha2::Sha256::digest(PRINT_SCRIPT.as_bytes()));
    let images = if remote {
        "img-src data: https: http:"
    } else {
        "img-src data:"
    };
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; {images}; script-src 'sha256-{hash}'"
    );
    let sender = detail
        .item
        .sender
        .as_ref()
        .map(|p| match &p.name {
            Some(name) => format!("{name} <{}>", p.address),
            None => p.address.clone(),
        })
        .unwrap_or_default();
    let row = |label: &str, value: &str| {
        if value.is_empty() {
            String::new()
        } else {
            format!("<dt>{}</dt><dd>{}</dd>", escape(label), escape(value))
        }
    };
    let body = match (&detail.body_html, &detail.body_text) {
        // Remote images are kept out twice: by the page's policy, and by not naming them (the
        // sanitizer writes every attribute in double quotes).
        (Some(html), _) if !remote => html
            .replace(" src=\"https://", " data-remote-src=\"https://")
            .replace(" src=\"http://", " data-remote-src=\"http://"),
        (Some(html), _) => html.clone(),
        (None, Some(text)) => format!("<pre dir=\"auto\">{}</pre>", escape(text)),
        (None, None) => String::new(),
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title}</title>\
         <style>\
         body{{font:14px/1.5 system-ui,sans-serif;color:#111;margin:24px;overflow-wrap:anywhere}}\
         header{{border-bottom:1px solid #999;margin-bottom:16px;padding-bottom:8px}}\
         h1{{font-size:20px;margin:0 0 8px}}\
         dl{{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}}\
         dt{{color:#555}}dd{{margin:0}}\
         pre{{white-space:pre-wrap;font:inherit}}img{{max-width:100%;height:auto}}\
         </style></head><body>\
         <header><h1>{title}</h1><dl>{from}{to}{date}</dl></header>\
         <main>{body}</main>\
         <script>{PRINT_SCRIPT}</script></body></html>\n",
        lang = escape(&labels.lang),
        title = escape(&detail.item.title),
        from = row(&labels.from, &sender),
        to = row(&labels.to, &detail.recipients),
        date = row(&labels.date, &labels.date_text),
    )
}

/// The header's words in English, the date as the CLI's quotes show it.
fn english(detail: &dto::ItemDetail) -> dto::PrintLabels {
    let date_text = chrono::DateTime::parse_from_rfc3339(&detail.item.time)
        .map(|t| crate::send::compose::human_time(t.timestamp_millis()))
        .unwrap_or_else(|_| detail.item.time.clone());
    dto::PrintLabels {
        lang: "en".into(),
        from: "From".into(),
        to: "To".into(),
        date: "Date".into(),
        date_text,
    }
}

/// The page printing mail `id`, in the words of `labels` (English when `None`).
pub(crate) fn page_of(
    ctx: &Context,
    id: i64,
    labels: Option<&dto::PrintLabels>,
) -> ApiResult<String> {
    let store = ctx.store();
    let detail = timeline::detail(store, store.item(id)?)?;
    if detail.item.kind != dto::ItemKind::Mail {
        return Err(ApiError::invalid("id", format!("Item {id} is not a mail")));
    }
    let remote = match &detail.item.sender {
        Some(sender) => store.remote_content_allowed(&sender.address.to_ascii_lowercase())?,
        None => false,
    };
    let labels = labels.cloned().unwrap_or_else(|| english(&detail));
    Ok(page(&detail, &labels, remote))
}

/// Writes the page printing mail `id` into `printed/` of the data directory (private) and
/// hands it to the system's browser. Returns the page's path.
pub(crate) fn print(
    ctx: &Context,
    id: i64,
    labels: Option<&dto::PrintLabels>,
) -> ApiResult<PathBuf> {
    let page = page_of(ctx, id, labels)?;
    let dir = ctx.data_dir().join("printed");
    std::fs::create_dir_all(&dir).with_context(|| format!("Cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("Cannot make {} private", dir.display()))?;
    }
    sweep(&dir);
    let path = dir.join(format!("{id}.html"));
    std::fs::write(&path, page).with_context(|| format!("Cannot write {}", path.display()))?;
    links::open_in_system(&path.to_string_lossy())?;
    tracing::info!(item_id = id, "Printing through the browser.");
    Ok(path)
}

/// Keeps the newest [`KEEP_PRINTED`] pages.
fn sweep(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut pages: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    pages.sort();
    let extra = pages.len().saturating_sub(KEEP_PRINTED - 1);
    for (_, path) in pages.into_iter().take(extra) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::page;
    use crate::dto;

    fn detail(html: Option<&str>, text: Option<&str>) -> dto::ItemDetail {
        let mut detail: dto::ItemDetail = serde_json::from_value(serde_json::json!({
            "id": 7, "kind": "mail", "account": 1, "title": "Q3 <numbers> & \"plans\"",
            "sender": {"name": "Siti", "address": "siti@example.my"},
            "time": "2026-12-01T09:00:00Z", "unread": false, "flagged": false, "answered": false,
            "thread": null, "snippet": "", "message_id": "m@x", "folders": [], "task": null,
            "recipients": "Bob <bob@example.com>", "body_text": null, "body_html": null,
            "quarantined": null, "attachments": []
        }))
        .expect("a detail");
        detail.body_html = html.map(str::to_owned);
        detail.body_text = text.map(str::to_owned);
        detail
    }

    fn labels() -> dto::PrintLabels {
        dto::PrintLabels {
            lang: "ms".into(),
            from: "Daripada".into(),
            to: "Kepada".into(),
            date: "Tarikh".into(),
            date_text: "Selasa, 1 Disember 2026".into(),
        }
    }

    #[test]
    fn the_page_escapes_the_header_runs_only_its_print_script_and_loads_nothing_remote() {
        let html = page(
            &detail(Some("<p>Hello <b>Bob</b></p>"), None),
            &labels(),
            false,
        );
        assert!(
            html.contains("<title>Q3 &lt;numbers&gt; &amp; &quot;plans&quot;</title>"),
            "{html}"
        );
        assert!(html.contains("<dt>Daripada</dt><dd>Siti &lt;siti@example.my&gt;</dd>"));
        assert!(html.contains("<dt>Kepada</dt><dd>Bob &lt;bob@example.com&gt;</dd>"));
        assert!(html.contains("<dd>Selasa, 1 Disember 2026</dd>"));
        assert!(html.contains("<main><p>Hello <b>Bob</b></p></main>"));
        assert!(html.contains("lang=\"ms\""));
        assert!(html.contains(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-"
        ));
        assert_eq!(html.matches("<script>").count(), 1);
        let remote = page(&detail(Some("<p>x</p>"), None), &labels(), true);
        assert!(remote.contains("img-src data: https: http:"));
    }

    #[test]
    fn plain_text_prints_as_text() {
        let html = page(
            &detail(None, Some("a < b\n<script>x</script>")),
            &labels(),
            false,
        );
        assert!(
            html.contains("<pre dir=\"auto\">a &lt; b\n&lt;script&gt;x&lt;/script&gt;</pre>"),
            "{html}"
        );
    }
}
