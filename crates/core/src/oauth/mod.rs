//! Signing in with OAuth2 instead of a password: Microsoft 365 and Outlook.com (which refuse
//! passwords for IMAP and SMTP), Gmail, and any OpenID Connect provider a company runs.
//!
//! - [`provider`]: who signs in for an address (Microsoft's and Google's profiles, an issuer's
//!   discovery document) and with which client id.
//! - [`flow`]: the sign-in through the system browser, PKCE and a loopback redirect (RFC 8252).
//! - [`token`]: the token endpoint's answers and when to refresh (pure).
//! - [`source`]: an account's access tokens in memory, refreshed from the refresh token in the
//!   OS keyring; what IMAP and SMTP ask at every login (`satu_mail::auth`).
//!
//! Invariants: the refresh token is only in the OS keyring (it is the account's secret, where a
//! password account keeps its password); access tokens only in memory; no token is written to
//! the database, a log or an error message. A revoked refresh token puts the account in "sign
//! in again" (`oauth_grants.sign_in_again`) and never falls back to a password.

pub(crate) mod flow;
mod pkce;
pub(crate) mod provider;
mod source;
pub(crate) mod token;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use satu_mail::auth::Auth;
use satu_store::Account;

use crate::context::Context;
use crate::error::{ApiError, ApiResult};
pub(crate) use provider::Provider;
pub(crate) use source::{AccountTokens, Fixed};
pub(crate) use token::Tokens;

/// Who signs in for `email` whose mail is on `imap_host`: the issuer given, else Microsoft or
/// Google by the server's name, else the OpenID Connect issuer at the address's domain.
pub(crate) async fn provider_for(
    ctx: &Context,
    email: &str,
    imap_host: &str,
    issuer: Option<&str>,
    client_id: Option<&str>,
    ca_file: Option<&Path>,
) -> ApiResult<Provider> {
    let issuer = issuer.map(str::trim).filter(|i| !i.is_empty());
    if let Some(kind) = issuer.and_then(provider::kind_for_issuer).or_else(|| {
        issuer
            .is_none()
            .then(|| provider::kind_for_host(imap_host))
            .flatten()
    }) {
        return provider::builtin(ctx.store(), kind);
    }
    // Thunderbird's files name an issuer by its host.
    let named;
    let issuer = match issuer {
        Some(host) if !host.contains("://") => {
            named = format!("https://{host}");
            Some(named.as_str())
        }
        other => other,
    };
    let guessed;
    let issuer = match issuer {
        Some(issuer) => issuer,
        None => {
            let domain = email.rsplit_once('@').map(|(_, d)| d.trim()).unwrap_or("");
            if domain.is_empty() {
                return Err(ApiError::invalid(
                    "email",
                    "Enter the email address to sign in with",
                ));
            }
            guessed = format!("https://{domain}");
            &guessed
        }
    };
    let base = provider::check_url("issuer", "sign-in address", issuer)?;
    let url = format!(
        "{}/.well-known/openid-configuration",
        base.as_str().trim_end_matches('/')
    );
    let client = flow::http(ca_file)?;
    let fail = |why: String| {
        ApiError::invalid(
            "issuer",
            format!("No OpenID Connect provider answers at {issuer} ({why}); enter your organisation's sign-in address (its issuer URL)"),
        )
    };
    let response = client.get(&url).send().await.map_err(|e| {
        fail(match satu_net::transport(&e) {
            satu_net::Transport::Certificate(r) | satu_net::Transport::Unreachable(r) => r,
        })
    })?;
    if !response.status().is_success() {
        return Err(fail(format!("HTTP {}", response.status().as_u16())));
    }
    let body = satu_net::text_within(response, token::MAX_BYTES)
        .await
        .map_err(|_| fail("its configuration could not be read".into()))?;
    provider::oidc(
        issuer,
        &body,
        provider::oidc_client_id(ctx.store(), client_id),
    )
}

/// Signs in through the browser (`opened` hears the address first) and returns the tokens.
pub(crate) async fn sign_in(
    provider: &Provider,
    email: &str,
    ca_file: Option<&Path>,
    opened: &(dyn Fn(&str) + Send + Sync),
) -> ApiResult<Tokens> {
    let client = flow::http(ca_file)?;
    flow::sign_in(&client, provider, email, opened).await
}

/// The token sources of the accounts that sign in with OAuth2, one per account (keyed by the
/// keyring key, unique per data directory and account), shared by all its connections. Like the
/// keyring, this is the process's: tokens live in memory, not in the context's store.
static SOURCES: OnceLock<Mutex<BTreeMap<String, Arc<AccountTokens>>>> = OnceLock::new();

/// The token source of `account`.
pub(crate) fn tokens(ctx: &Context, account: &Account) -> Arc<AccountTokens> {
    let key = ctx.secret_key(account.id);
    let mut sources = SOURCES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    sources
        .entry(key.clone())
        .or_insert_with(|| {
            Arc::new(AccountTokens::new(
                account.id,
                ctx.store().clone(),
                key,
                account.ca_file.as_ref().map(PathBuf::from),
            ))
        })
        .clone()
}

/// Forgets the access tokens of account `id` (removed).
pub(crate) fn forget(ctx: &Context, id: i64) {
    if let Some(sources) = SOURCES.get() {
        sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&ctx.secret_key(id));
    }
}

/// How `account` logs in: its token source when it signs in with OAuth2 (the source of the
/// account whose sign-in it uses, for a CalDAV account found beside a mail account), else its
/// password.
pub(crate) fn auth(ctx: &Context, account: &Account) -> ApiResult<Auth> {
    Ok(match ctx.store().oauth_grant(account.id)? {
        Some(grant) => match grant.token_account.filter(|id| *id != account.id) {
            Some(owner) => {
                let owner = ctx.store().account(owner).map_err(|_| {
                    ApiError::new(
                        crate::error::ErrorCode::SignInAgain,
                        format!("The account whose sign-in {} used was removed; remove this one and add it again", account.name),
                    )
                    .with_field("oauth")
                })?;
                Auth::Bearer(tokens(ctx, &owner))
            }
            None => Auth::Bearer(tokens(ctx, account)),
        },
        None => Auth::Password(ctx.secret(account.id)?),
    })
}

/// Signs account `id` in again (after its sign-in ended): the browser again, then the new
/// refresh token in the keyring, the mark cleared and the fresh access token in use.
pub(crate) async fn sign_in_again(
    ctx: &Context,
    id: i64,
    opened: &(dyn Fn(&str) + Send + Sync),
) -> ApiResult<()> {
    let Some(grant) = ctx.store().oauth_grant(id)? else {
        return Err(ApiError::invalid(
            "account",
            format!("Account {id} signs in with a password, not through a provider"),
        ));
    };
    // A CalDAV account that uses a mail account's sign-in: that one signs in again.
    let id = grant.token_account.unwrap_or(id);
    let account = ctx.store().account(id)?;
    let grant = ctx.store().oauth_grant(id)?.unwrap_or(grant);
    let provider = Provider::from_grant(&grant);
    let ca_file = account.ca_file.as_deref().map(Path::new);
    let fresh = sign_in(&provider, &account.email, ca_file, opened).await?;
    crate::secrets::set_or_forget(
        &ctx.secret_key(id),
        fresh.refresh_token.as_deref().unwrap_or(""),
    )?;
    ctx.store().write(|tx| {
        tx.set_sign_in_again(id, false)?;
        crate::audit::record(
            tx,
            "account.sign_in",
            Some(id),
            None,
            serde_json::json!({ "email": account.email }),
        )
    })?;
    tokens(ctx, &account).put(&fresh).await;
    // The live loops in a backoff try again now, not minutes later.
    ctx.signed_in.notify_waiters();
    tracing::info!(account_id = id, "Signed in again.");
    Ok(())
}
