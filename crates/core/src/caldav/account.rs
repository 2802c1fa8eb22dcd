//! Adding a CalDAV account: discovery, the calendars listed, the password in the OS keyring.

use satu_store::AccountKind;

use crate::accounts::{checked_ca_file, http_account, keep};
use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult};

/// Adds a CalDAV account after discovery worked (RFC 6764 `/.well-known/caldav`, then the
/// principal and its calendar home) and the calendars could be listed. The password goes to
/// the OS keyring; nothing is stored when the login, discovery or the keyring fails.
#[tracing::instrument(skip_all, fields(url = %input.url))]
pub(crate) async fn add(ctx: &Context, input: dto::CaldavInput) -> ApiResult<i64> {
    if input.url.trim().is_empty() {
        return Err(ApiError::invalid("url", "Give the CalDAV server's URL"));
    }
    if input.username.trim().is_empty() {
        return Err(ApiError::invalid("username", "Give the login name"));
    }
    // Signing in with a mail account's OAuth2 sign-in: its grant, its token source.
    let grant = match input.signed_in_with {
        Some(mail) => {
            let owner = ctx.store().account(mail)?;
            let Some(grant) = ctx.store().oauth_grant(mail)? else {
                return Err(ApiError::invalid(
                    "signed_in_with",
                    format!("Account {mail} signs in with a password, not through a provider"),
                ));
            };
            Some((grant, owner))
        }
        None => None,
    };
    if grant.is_none() && input.password.is_empty() {
        return Err(ApiError::invalid("password", "The password is empty"));
    }
    let ca_file = checked_ca_file(input.ca_file.as_deref())?;
    let auth = match &grant {
        Some((_, owner)) => satu_mail::auth::Auth::Bearer(crate::oauth::tokens(ctx, owner)),
        None => satu_mail::auth::Auth::Password(input.password.clone()),
    };
    let config = satu_caldav::CaldavConfig {
        url: input.url.trim().to_owned(),
        username: input.username.trim().to_owned(),
        auth,
        ca_file: ca_file.as_ref().map(Into::into),
    };
    let client = satu_caldav::Client::new(&config).map_err(anyhow::Error::from)?;
    let found = client.discover().await.map_err(anyhow::Error::from)?;
    let calendars = client
        .calendars(&found.home)
        .await
        .map_err(anyhow::Error::from)?;
    let host = url::Url::parse(&config.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let name = input
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| format!("{}@{host}", config.username));
    let account = http_account(
        AccountKind::Caldav,
        name,
        config.url.clone(),
        config.username.clone(),
        ca_file,
    );
    let rows = crate::caldav::new_calendars(calendars);
    let id = keep(ctx, &account, &input.password, |tx, id| {
        tx.set_caldav_home(id, &found.principal, &found.home)?;
        if let Some((grant, owner)) = &grant {
            let mut linked = grant.clone();
            linked.token_account = Some(owner.id);
            tx.set_oauth_grant(id, &linked)?;
        }
        tx.replace_calendars(id, &rows)
    })?;
    tracing::info!(account_id = id, calendars = rows.len(), home = %found.home, "CalDAV account added.");
    Ok(id)
}
