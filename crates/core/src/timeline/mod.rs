//! The timeline as the API shows it: a page of a view, search, an item's content (with its
//! conversation, invitation or quoted message), a conversation, and the counts.

pub(crate) mod diff;
pub(crate) mod view;

use satu_store::{ItemKind, Store};

use crate::dto::{self, SearchQuery, TimelineQuery};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Largest page the API returns.
const MAX_LIMIT: u32 = 1000;
/// Default page size.
const DEFAULT_LIMIT: u32 = 50;

/// A page of the timeline, newest first.
pub(crate) fn page(store: &Store, query: &TimelineQuery) -> ApiResult<Vec<dto::Item>> {
    page_of(store, query, limit(query.limit))
}

/// The first `rows` rows of the timeline's view `query` (its `limit` is not used).
pub(crate) fn page_of(
    store: &Store,
    query: &TimelineQuery,
    rows: u32,
) -> ApiResult<Vec<dto::Item>> {
    let kind = query
        .kind
        .as_deref()
        .map(ItemKind::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("kind", e.to_string()))?;
    if let Some(account) = query.account {
        store.account(account)?;
    }
    if let Some(folder) = query.folder {
        if store.folder(folder)?.is_none() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("No folder with id {folder} (see `satu folders`)"),
            )
            .with_field("folder"));
        }
    }
    let rows = store.timeline(&satu_store::TimelineQuery {
        limit: rows,
        kind,
        unread_only: query.unread.unwrap_or(false),
        flagged_only: query.flagged.unwrap_or(false),
        folder: query.folder,
        unified: query.account.is_none() && query.folder.is_none() && query.room.is_none(),
        before: query.before,
        accounts: query.account.into_iter().collect(),
        threads: query.threads.unwrap_or(false),
        thread: query.thread,
        room: query.room,
        inbox: query.inbox.unwrap_or(false),
        snoozed: query.snoozed.unwrap_or(false),
        unverified: query.unverified.unwrap_or(false),
    })?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Full-text search over every item, newest first.
pub(crate) fn search(store: &Store, query: &SearchQuery) -> ApiResult<Vec<dto::Item>> {
    Ok(store
        .search(&query.text, limit(query.limit))?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Inline images kept as `data:` URLs, each at most this many bytes…
const MAX_INLINE_IMAGE: usize = 2 << 20;
/// …and all of one message's together.
const MAX_INLINE_IMAGES: usize = 10 << 20;

/// `html` with its `cid:` images (RFC 2392: a part of the same message, named by its
/// Content-ID) shown from the message itself, as `data:` URLs the mail's frame may load; an
/// image that is not there, not an image or too large stays a `cid:` URL (shown as missing).
pub(crate) fn inline_images(html: &str, parts: &[satu_mail::ParsedAttachment]) -> String {
    use base64::Engine as _;
    let mut out = html.to_owned();
    let mut budget = MAX_INLINE_IMAGES;
    for part in parts {
        let Some(id) = &part.content_id else { continue };
        let needle = format!("\"cid:{}\"", id.replace('"', "&quot;"));
        if !part.mime_type.starts_with("image/")
            || part.mime_type.contains("svg")
            || part.content.len() > MAX_INLINE_IMAGE.min(budget)
            || !out.contains(&needle)
        {
            continue;
        }
        budget -= part.content.len();
        let url = format!(
            "\"data:{};base64,{}\"",
            part.mime_type,
            base64::engine::general_purpose::STANDARD.encode(&part.content)
        );
        out = out.replace(&needle, &url);
    }
    out
}

/// An item's content for the window: with whether its sender's remote content may load, and
/// its inline images.
pub(crate) fn detail(store: &Store, detail: satu_store::ItemDetail) -> ApiResult<dto::ItemDetail> {
    let mut detail: dto::ItemDetail = detail.into();
    if detail
        .body_html
        .as_deref()
        .is_some_and(|h| h.contains("\"cid:"))
    {
        if let Ok(raw) = store.raw_message(detail.item.id) {
            let parts = satu_mail::parse_attachments(&raw);
            if let Some(html) = detail.body_html.take() {
                detail.body_html = Some(inline_images(&html, &parts));
            }
        }
    }
    if let Some(sender) = &detail.item.sender {
        detail.remote_content = store.remote_content_allowed(&sender.address)?;
    }
    if detail.item.kind == "task" {
        detail.activity = store
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
        if let Some((info, body, html)) = store.chat_message(detail.item.id)? {
            detail.body_text = Some(body);
            detail.body_html = html;
            if !info.reply_to.is_empty() {
                detail.reply_to = store.chat_quote(detail.item.account, &info.reply_to)?.map(
                    |(item, sender, snippet)| dto::ChatQuote {
                        item,
                        sender,
                        snippet,
                    },
                );
            }
        }
    }
    if detail.item.kind == "mail" {
        if let Ok(raw) = store.raw_message(detail.item.id) {
            detail.unsubscribe = crate::unsubscribe::offered(&raw).map(str::to_owned);
        }
        detail.invitation =
            crate::caldav::invite::find_in(store, detail.item.id, detail.item.account)?
                .map(|(_, _, invitation)| invitation);
        detail.authentication = crate::trust::stored(store, detail.item.id)?;
    }
    Ok(detail)
}

/// The conversation of item `id`: every item of its thread, oldest first, with content
/// (just the item when it stands alone). Mail from every folder is included, the user's own
/// replies in Sent too.
pub(crate) fn thread(store: &Store, id: i64) -> ApiResult<Vec<dto::ItemDetail>> {
    store
        .thread(id)?
        .into_iter()
        .map(|item| detail(store, item))
        .collect()
}

/// Unread, flagged and open-task counts: totals over the unified timeline, per account and
/// per folder.
pub(crate) fn counts(store: &Store) -> ApiResult<dto::Counts> {
    let counts = store.counts()?;
    let shown: Vec<i64> = store
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

pub(crate) fn limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::inline_images;
    use satu_mail::ParsedAttachment;

    fn part(id: &str, mime: &str, content: &[u8]) -> ParsedAttachment {
        ParsedAttachment {
            name: String::new(),
            mime_type: mime.into(),
            content: content.to_vec(),
            content_id: Some(id.into()),
        }
    }

    #[test]
    fn cid_images_come_from_the_message_itself() {
        let html = r#"<img src="cid:logo@x"><img src="cid:script@x"><img src="cid:missing@x"><img src="cid:big@x">"#;
        let parts = [
            part("logo@x", "image/png", b"PNG"),
            part("script@x", "text/html", b"<script>"),
            part("big@x", "image/jpeg", &vec![0u8; (2 << 20) + 1]),
        ];
        assert_eq!(
            inline_images(html, &parts),
            r#"<img src="data:image/png;base64,UE5H"><img src="cid:script@x"><img src="cid:missing@x"><img src="cid:big@x">"#
        );
    }
}
