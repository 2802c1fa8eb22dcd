//! Leaving a mailing list from the mail itself. A one-click request (RFC 8058: an HTTPS POST
//! of `List-Unsubscribe=One-Click`, no cookies, no credentials) goes out only when a DKIM
//! signature that verifies covers both `List-Unsubscribe` and `List-Unsubscribe-Post` (so a
//! forger cannot make Satu post to an address of their choosing in the sender's name).
//! Otherwise a `mailto:` unsubscribe goes through the outbox (it can be taken back like any
//! message), and failing that the list's web page opens in the browser.
//!
//! [`plan`] decides from the headers and the DKIM finding (pure, every case tested); the rest
//! only carries it out.

use std::path::Path;
use std::time::Duration;

use satu_mail::unsubscribe::{list_unsubscribe, ListUnsubscribe};
use satu_store::{AccountKind, ItemKind};

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// How long the one-click request may take.
const POST_TIMEOUT: Duration = Duration::from_secs(15);

/// The headers a signature must cover for a one-click request.
const SIGNED_HEADERS: [&str; 2] = ["List-Unsubscribe", "List-Unsubscribe-Post"];

/// What to do to leave the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// POST `List-Unsubscribe=One-Click` to this HTTPS URL.
    OneClick(String),
    /// Send a message as this `mailto:` URL says.
    Mail(String),
    /// Open the list's page in the browser.
    Web(String),
}

/// The way out: one click when offered and `signed` (a verified DKIM signature covers both
/// headers), else by mail, else the web page.
pub(crate) fn plan(list: &ListUnsubscribe, signed: bool) -> Option<Plan> {
    match (&list.https, &list.mailto) {
        (Some(url), _) if list.one_click && signed => Some(Plan::OneClick(url.clone())),
        (_, Some(mailto)) => Some(Plan::Mail(mailto.clone())),
        (Some(url), None) => Some(Plan::Web(url.clone())),
        (None, None) => None,
    }
}

/// What the window offers before any check: `one-click`, `mail` or `web` (the DKIM check
/// happens on the click; a one-click offer that fails it falls back to the others).
pub(crate) fn offered(raw: &[u8]) -> Option<&'static str> {
    let list = list_unsubscribe(raw)?;
    Some(if list.one_click {
        "one-click"
    } else if list.mailto.is_some() {
        "mail"
    } else {
        "web"
    })
}

/// Whether a DKIM signature of `raw` that verifies covers every header of [`SIGNED_HEADERS`]
/// as often as the message has it (a copy added above a signed header is not covered), and
/// signs the whole body.
async fn signed(raw: &[u8]) -> bool {
    let Some(message) = mail_auth::AuthenticatedMessage::parse(raw) else {
        return false;
    };
    let resolver = match satu_net::dns::shared() {
        Ok(resolver) => resolver,
        Err(e) => {
            tracing::warn!(error = %e, "No DNS for the DKIM check.");
            return false;
        }
    };
    let authenticator = mail_auth::MessageAuthenticator(resolver);
    let outputs = authenticator.verify_dkim(&message).await;
    let times = |name: &str| {
        message
            .headers
            .iter()
            .filter(|(header, _)| {
                std::str::from_utf8(header).is_ok_and(|h| h.trim().eq_ignore_ascii_case(name))
            })
            .count()
    };
    outputs.iter().any(|output| {
        matches!(output.result(), mail_auth::DkimResult::Pass)
            && output.signature().is_some_and(|signature| {
                signature.l == 0
                    && SIGNED_HEADERS.iter().all(|name| {
                        let covered = signature
                            .h
                            .iter()
                            .filter(|h| h.eq_ignore_ascii_case(name))
                            .count();
                        let present = times(name);
                        present > 0 && covered >= present
                    })
            })
    })
}

/// Leaves the list mail `id` came from (see the module). `ca_file`: an extra CA to trust for
/// the one-click request.
pub(crate) async fn unsubscribe(
    ctx: &Context,
    id: i64,
    ca_file: Option<&Path>,
) -> ApiResult<dto::Unsubscribed> {
    let store = ctx.store();
    let row = store.item_row(id)?;
    if row.kind != ItemKind::Mail {
        return Err(ApiError::invalid("id", format!("Item {id} is not a mail")));
    }
    let raw = store.raw_message(id)?;
    let list = list_unsubscribe(&raw).ok_or_else(|| {
        ApiError::invalid(
            "id",
            "This mail does not say how to unsubscribe (it has no List-Unsubscribe header)",
        )
    })?;
    let verified = list.one_click && signed(&raw).await;
    if list.one_click && !verified {
        tracing::info!(
            item_id = id,
            "No verified DKIM signature covers the unsubscribe headers: no one-click request."
        );
    }
    match plan(&list, verified) {
        Some(Plan::OneClick(url)) => post(id, &url, ca_file).await,
        Some(Plan::Mail(mailto)) => by_mail(ctx, row.account_id, &mailto).await,
        Some(Plan::Web(url)) => {
            let decision = crate::links::open(&url, false)?;
            Ok(dto::Unsubscribed {
                method: "web".into(),
                url,
                outbox: None,
                link: Some(decision),
            })
        }
        None => Err(ApiError::invalid(
            "id",
            "This mail offers no way to unsubscribe",
        )),
    }
}

/// The one-click request: `List-Unsubscribe=One-Click`, nothing else (no cookies, no
/// credentials, no redirect followed).
async fn post(id: i64, url: &str, ca_file: Option<&Path>) -> ApiResult<dto::Unsubscribed> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(POST_TIMEOUT)
        .https_only(true)
        .dns_resolver(satu_net::dns::for_http());
    if let Some(path) = ca_file {
        for certificate in satu_net::load_ca(path).map_err(|e| ApiError::invalid("ca_file", e))? {
            builder = builder.add_root_certificate(certificate);
        }
    }
    let client = builder.build().map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("Cannot make the HTTPS client: {e}"),
        )
    })?;
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .map_err(|e| match satu_net::transport(&e) {
            satu_net::Transport::Certificate(reason) => ApiError::new(
                ErrorCode::BadCertificate,
                format!("The list's unsubscribe address has a certificate Satu does not trust: {reason}"),
            ),
            satu_net::Transport::Unreachable(reason) => ApiError::new(
                ErrorCode::Unreachable,
                format!("The list's unsubscribe address did not answer: {reason}"),
            ),
        })?;
    let status = answer.status();
    if !status.is_success() {
        return Err(ApiError::new(
            ErrorCode::Server,
            format!("The list refused the unsubscribe request ({status})"),
        ));
    }
    tracing::info!(item_id = id, "Unsubscribed with one click.");
    Ok(dto::Unsubscribed {
        method: "one-click".into(),
        url: url.to_owned(),
        outbox: None,
        link: None,
    })
}

/// The unsubscribe message, through the outbox: from the mail's account (or the first mail
/// account when the mail is in a local one).
async fn by_mail(ctx: &Context, account_id: i64, mailto: &str) -> ApiResult<dto::Unsubscribed> {
    let parsed = crate::send::mailto::parse(mailto)
        .filter(|m| !m.to.is_empty())
        .ok_or_else(|| {
            ApiError::invalid("id", format!("{mailto:?} is not an address to write to"))
        })?;
    let account = match ctx.store().account(account_id)? {
        a if a.kind == AccountKind::Imap => a,
        _ => ctx
            .store()
            .accounts()?
            .into_iter()
            .find(|a| a.kind == AccountKind::Imap)
            .ok_or_else(|| {
                ApiError::invalid(
                    "account",
                    "Add a mail account to send the unsubscribe request from",
                )
            })?,
    };
    let entry = crate::send::queue::queue(
        ctx,
        &dto::SendInput {
            account: account.id,
            to: parsed.to,
            subject: if parsed.subject.trim().is_empty() {
                "unsubscribe".into()
            } else {
                parsed.subject
            },
            body: if parsed.body.trim().is_empty() {
                "unsubscribe".into()
            } else {
                parsed.body
            },
            ..dto::SendInput::default()
        },
    )
    .await?;
    Ok(dto::Unsubscribed {
        method: "mail".into(),
        url: mailto.to_owned(),
        outbox: Some(entry.id),
        link: None,
    })
}

#[cfg(test)]
mod tests {
    use super::{plan, Plan};
    use satu_mail::unsubscribe::ListUnsubscribe;

    fn list(https: bool, mailto: bool, one_click: bool) -> ListUnsubscribe {
        ListUnsubscribe {
            https: https.then(|| "https://e.example/u".to_owned()),
            mailto: mailto.then(|| "mailto:u@e.example".to_owned()),
            one_click,
        }
    }

    #[test]
    fn one_click_only_when_offered_and_signed_else_mail_else_the_page() {
        let one = Some(Plan::OneClick("https://e.example/u".into()));
        let mail = Some(Plan::Mail("mailto:u@e.example".into()));
        let web = Some(Plan::Web("https://e.example/u".into()));
        assert_eq!(plan(&list(true, true, true), true), one);
        assert_eq!(plan(&list(true, false, true), true), one);
        // Not signed (or the signature does not cover both headers): never the POST.
        assert_eq!(plan(&list(true, true, true), false), mail);
        assert_eq!(plan(&list(true, false, true), false), web);
        // No one-click offer: a signature changes nothing.
        assert_eq!(plan(&list(true, true, false), true), mail);
        assert_eq!(plan(&list(true, false, false), true), web);
        assert_eq!(plan(&list(false, true, false), false), mail);
        assert_eq!(plan(&list(false, false, false), true), None);
    }
}
