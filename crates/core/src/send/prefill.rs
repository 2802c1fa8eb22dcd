//! Drafts filled in from mail: a reply (to the sender, or to all), a forward, and a message
//! taken back from the outbox to edit.

use satu_store::{ItemKind, Store};

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};

/// Edit: takes a message back from the outbox (like undo send; a failed one too) and
/// returns its content as a draft to change and send again.
pub(crate) fn edit(ctx: &Context, id: i64) -> ApiResult<dto::Draft> {
    let entry = ctx.store().outgoing(id)?;
    let raw = ctx.store().outgoing_raw(id)?;
    super::queue::cancel(ctx, id)?;
    let parsed = satu_mail::parse_message(&raw);
    let addresses = satu_mail::reply_addresses(&raw);
    let show = |(name, address): &(Option<String>, String)| match name {
        Some(name) => format!("{name} <{address}>"),
        None => address.clone(),
    };
    let to: Vec<String> = addresses.to.iter().map(show).collect();
    let cc: Vec<String> = addresses.cc.iter().map(show).collect();
    let shown: std::collections::BTreeSet<String> = addresses
        .to
        .iter()
        .chain(&addresses.cc)
        .map(|(_, a)| a.to_ascii_lowercase())
        .collect();
    let bcc = entry
        .rcpt
        .iter()
        .filter(|r| !shown.contains(&r.to_ascii_lowercase()))
        .cloned()
        .collect();
    Ok(dto::Draft {
        account: entry.account_id,
        to,
        cc,
        bcc,
        subject: entry.subject,
        body: parsed
            .body_text
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default(),
        reply_to_item: entry.reply_to_item,
        ..dto::Draft::default()
    })
}

/// The attribution line the window wrote for a quote (in the user's language): one line of
/// text, at most 300 characters.
fn checked_header(header: &str) -> ApiResult<&str> {
    let header = header.trim();
    if header.is_empty() || header.chars().count() > 300 || header.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "header",
            "The quote's attribution line must be one line of 1 to 300 characters",
        ));
    }
    Ok(header)
}

/// A reply to mail `id`, ready to edit: to its sender (Reply-To first), with `all` also to
/// everyone else it was addressed to (never to the account itself), "Re:" and the quote under
/// `header` ("On DATE, NAME wrote:" in the user's language; English when `None`).
pub(crate) fn reply(
    store: &Store,
    id: i64,
    all: bool,
    header: Option<&str>,
) -> ApiResult<dto::Draft> {
    let header = header.map(checked_header).transpose()?;
    let detail = store.item(id)?;
    if detail.row.kind != ItemKind::Mail {
        return Err(ApiError::invalid("id", format!("Item {id} is not a mail")));
    }
    let account = store.account(detail.row.account_id)?;
    let raw = store.raw_message(id)?;
    let addresses = satu_mail::reply_addresses(&raw);
    let identities = super::identity::list(store, account.id)?;
    let from = super::identity::for_reply(&identities, &addresses.to, &addresses.cc);
    let show = |(name, address): &(Option<String>, String)| match name {
        Some(name) => format!("{name} <{address}>"),
        None => address.clone(),
    };
    let mut seen = std::collections::BTreeSet::new();
    // Never to the account itself (any of its addresses).
    let mut keep = |a: &(Option<String>, String)| {
        let lower = a.1.to_ascii_lowercase();
        !identities
            .iter()
            .any(|i| i.address.eq_ignore_ascii_case(&lower))
            && seen.insert(lower)
    };
    let mut to: Vec<String> = addresses
        .reply_to
        .iter()
        .filter(|a| keep(a))
        .map(show)
        .collect();
    let mut cc = Vec::new();
    if all {
        to.extend(addresses.to.iter().filter(|a| keep(a)).map(show));
        cc.extend(addresses.cc.iter().filter(|a| keep(a)).map(show));
    }
    if to.is_empty() {
        // A reply to one's own message goes to its recipients.
        to = addresses.to.iter().map(show).collect();
    }
    let sender = detail
        .row
        .sender
        .as_ref()
        .map(|p| p.name.clone().unwrap_or_else(|| p.address.clone()))
        .unwrap_or_default();
    Ok(dto::Draft {
        account: account.id,
        to,
        cc,
        subject: super::compose::reply_subject(&detail.row.title),
        body: super::compose::quote_with(
            detail.body_text.as_deref().unwrap_or(&detail.row.snippet),
            &header.map(str::to_owned).unwrap_or_else(|| {
                super::compose::attribution(
                    &super::compose::human_time(detail.row.time_ms),
                    &sender,
                )
            }),
        ),
        reply_to_item: Some(id),
        forward_of: None,
        from,
        ..dto::Draft::default()
    })
}

/// A forward of mail `id`, ready to edit: "Fwd:", the original's headers and text; its
/// attachments go along when sent with `forward_of`.
pub(crate) fn forward(store: &Store, id: i64) -> ApiResult<dto::Draft> {
    let detail = store.item(id)?;
    if detail.row.kind != ItemKind::Mail {
        return Err(ApiError::invalid("id", format!("Item {id} is not a mail")));
    }
    let from = detail
        .row
        .sender
        .as_ref()
        .map(|p| match &p.name {
            Some(name) => format!("{name} <{}>", p.address),
            None => p.address.clone(),
        })
        .unwrap_or_default();
    Ok(dto::Draft {
        account: detail.row.account_id,
        to: Vec::new(),
        cc: Vec::new(),
        subject: super::compose::forward_subject(&detail.row.title),
        body: super::compose::forwarded(
            detail.body_text.as_deref().unwrap_or(&detail.row.snippet),
            &from,
            &super::compose::human_time(detail.row.time_ms),
            &detail.row.title,
            &detail.recipients,
        ),
        reply_to_item: None,
        forward_of: Some(id),
        ..dto::Draft::default()
    })
}

/// A new message as a `mailto:` link asks for (RFC 6068: the addresses, subject and body only),
/// from the first account that can send.
pub(crate) fn mailto(store: &Store, url: &str) -> ApiResult<dto::Draft> {
    let Some(link) = super::mailto::parse(url) else {
        return Err(ApiError::invalid(
            "url",
            format!("{url:?} is not a mailto: link"),
        ));
    };
    let account = store
        .accounts()?
        .into_iter()
        .find(|a| a.kind == satu_store::AccountKind::Imap)
        .ok_or_else(|| {
            ApiError::invalid(
                "account",
                "Add a mail account to write from, then open the link again",
            )
        })?;
    Ok(dto::Draft {
        account: account.id,
        to: link.to,
        cc: link.cc,
        bcc: link.bcc,
        subject: link.subject,
        body: link.body,
        ..dto::Draft::default()
    })
}
