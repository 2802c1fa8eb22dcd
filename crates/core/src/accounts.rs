//! Mail accounts: what a person typed, checked field by field; the login tried before anything
//! is stored; the password in the OS keyring only.

use std::path::Path;

use satu_mail::auth::Auth;
use satu_mail::imap::{is_loopback, ImapConfig, ImapSession, Security as ImapSecurity};
use satu_store::{Account, AccountKind, NewAccount, Security};

use crate::context::Context;
use crate::dto::{self, AccountInput};
use crate::error::{ApiError, ApiResult};
use crate::secrets;

/// The IMAP settings of an account, with how it logs in ([`crate::oauth::auth`]).
pub(crate) fn imap_config(account: &Account, auth: Auth) -> ImapConfig {
    ImapConfig {
        host: account.imap.0.clone(),
        port: account.imap.1,
        security: match account.security {
            Security::Tls => ImapSecurity::Tls,
            Security::StartTls => ImapSecurity::StartTls,
            Security::Plain => ImapSecurity::Plain,
        },
        username: account.username.clone(),
        auth,
        ca_file: account.ca_file.as_ref().map(Into::into),
    }
}

/// Adds a mail account after checking that it can log in. The password (or, signing in with
/// OAuth2, the refresh token) goes to the OS keyring; nothing is stored if the sign-in, the
/// login or the keyring fails. `opened` hears the sign-in page's address before the browser
/// opens it.
#[tracing::instrument(skip_all, fields(email = %input.email))]
pub(crate) async fn add_imap(
    ctx: &Context,
    mut input: AccountInput,
    opened: &(dyn Fn(&str) + Send + Sync),
) -> ApiResult<i64> {
    let oauth = input.oauth.unwrap_or(false);
    if oauth && !input.password.is_empty() {
        return Err(ApiError::invalid(
            "password",
            "Signing in through the provider needs no password here; leave it empty",
        ));
    }
    if input.imap.trim().is_empty() {
        // Only an address (and a password): the servers are discovered.
        let ca = input.ca_file.clone();
        let found =
            crate::discover::discover(&input.email, ca.as_deref().map(Path::new), &|_| {}).await?;
        with_discovered(&mut input, &found)?;
    }
    if oauth {
        // Checked like a password account; the placeholder never leaves this function.
        input.password = "-".into();
    }
    let account = validate_account(&input)?;
    let probe = satu_store::Account {
        id: 0,
        kind: account.kind,
        name: account.name.clone(),
        email: account.email.clone(),
        imap: account.imap.clone(),
        smtp: account.smtp.clone(),
        security: account.security,
        username: account.username.clone(),
        ca_file: account.ca_file.clone(),
        notify: true,
        in_timeline: true,
        smtp_security: account.smtp_security.unwrap_or(Security::Tls),
        smtp_saves_sent: None,
        url: String::new(),
        principal: String::new(),
        home: String::new(),
        device_id: String::new(),
        offline_days: None,
        offline_chosen: true,
    };
    if !oauth {
        let session =
            ImapSession::connect(&imap_config(&probe, Auth::Password(input.password.clone())))
                .await
                .map_err(anyhow::Error::from)?;
        session.logout().await;
        let id = keep(ctx, &account, &input.password, |_, _| Ok(()))?;
        tracing::info!(account_id = id, "Account added.");
        return Ok(id);
    }
    let ca_file = account.ca_file.as_deref().map(Path::new);
    let provider = crate::oauth::provider_for(
        ctx,
        &account.email,
        &account.imap.0,
        input.issuer.as_deref(),
        input.client_id.as_deref(),
        ca_file,
    )
    .await?;
    let tokens = crate::oauth::sign_in(&provider, &account.email, ca_file, opened).await?;
    let fixed = Auth::Bearer(std::sync::Arc::new(crate::oauth::Fixed(
        tokens.access_token.clone(),
    )));
    let session = ImapSession::connect(&imap_config(&probe, fixed))
        .await
        .map_err(anyhow::Error::from)?;
    session.logout().await;
    if tokens.refresh_token.is_none() {
        tracing::warn!("The provider gave no refresh token: the account will ask to sign in again when its access token ends.");
    }
    let grant = provider.grant();
    let id = keep(
        ctx,
        &account,
        tokens.refresh_token.as_deref().unwrap_or(""),
        |tx, id| tx.set_oauth_grant(id, &grant),
    )?;
    let stored = ctx.store().account(id)?;
    crate::oauth::tokens(ctx, &stored).put(&tokens).await;
    tracing::info!(
        account_id = id,
        provider = grant.provider,
        "Account added; it signs in through its provider."
    );
    Ok(id)
}

/// `input` with the servers `found` where it names none (what the person typed wins).
pub fn with_discovered(input: &mut AccountInput, found: &dto::Discovered) -> ApiResult<()> {
    if input.imap.trim().is_empty() {
        input.imap = found.imap.address();
        input.security = Some(found.imap.security.as_str().to_owned());
    }
    if input.issuer.as_deref().is_none_or(|i| i.trim().is_empty()) {
        input.issuer = found.issuer.clone();
    }
    if input.smtp.trim().is_empty() {
        let Some(smtp) = &found.smtp else {
            return Err(ApiError::invalid(
                "smtp",
                format!(
                    "Found the IMAP server {} ({}) but no server to send through; enter it as host:port",
                    found.imap.address(),
                    found.source
                ),
            ));
        };
        input.smtp = smtp.address();
        input.smtp_security = Some(smtp.security.as_str().to_owned());
    }
    if input
        .username
        .as_deref()
        .is_none_or(|u| u.trim().is_empty())
        && found.username != found.email
    {
        input.username = Some(found.username.clone());
    }
    Ok(())
}

/// A new account reached over HTTP (CalDAV, Matrix): no mail servers; its URL and login.
pub(crate) fn http_account(
    kind: AccountKind,
    name: String,
    url: String,
    username: String,
    ca_file: Option<String>,
) -> NewAccount {
    NewAccount {
        kind,
        name,
        email: String::new(),
        imap: (String::new(), 0),
        smtp: (String::new(), 0),
        security: Security::Tls,
        smtp_security: None,
        url,
        username,
        ca_file,
    }
}

/// Stores `account` (with what `rows` writes for it in the same transaction) and its secret
/// (password or token) in the OS keyring. When the keyring fails nothing stays: never an
/// account whose secret could not be kept safely.
pub(crate) fn keep(
    ctx: &Context,
    account: &NewAccount,
    secret: &str,
    rows: impl FnOnce(&mut satu_store::Tx<'_>, i64) -> anyhow::Result<()>,
) -> ApiResult<i64> {
    let id = ctx.store().write(|tx| {
        let id = tx.add_account(account)?;
        rows(tx, id)?;
        crate::audit::record(
            tx,
            "account.add",
            Some(id),
            None,
            serde_json::json!({
                "kind": account.kind.as_str(),
                "email": account.email,
                "username": account.username,
                "server": if account.url.is_empty() {
                    format!("{}:{}", account.imap.0, account.imap.1)
                } else {
                    account.url.clone()
                },
            }),
        )?;
        Ok(id)
    })?;
    if let Err(e) = secrets::set_or_forget(&ctx.secret_key(id), secret) {
        let _ = ctx.store().write(|tx| tx.remove_account(id));
        return Err(e);
    }
    Ok(id)
}

/// An account as the API shows it, with how it signs in.
pub(crate) fn shown(ctx: &Context, account: Account) -> ApiResult<dto::Account> {
    let grant = ctx.store().oauth_grant(account.id)?;
    let mut shown = dto::Account::from(account);
    if let Some(grant) = grant {
        shown.auth = dto::AuthMethod::OAuth2;
        // One that uses another account's sign-in is signed out with it.
        let owner = match grant.token_account {
            Some(owner) => ctx.store().oauth_grant(owner)?,
            None => None,
        };
        shown.sign_in_again = owner.unwrap_or(grant).sign_in_again;
    }
    Ok(shown)
}

/// Removes an account, everything synced from it, and its password.
pub(crate) fn remove(ctx: &Context, id: i64) -> ApiResult<()> {
    let account = ctx.store().account(id)?;
    ctx.store().write(|tx| {
        tx.remove_account(id)?;
        crate::audit::record(
            tx,
            "account.remove",
            Some(id),
            None,
            serde_json::json!({ "kind": account.kind.as_str(), "email": account.email }),
        )
    })?;
    crate::oauth::forget(ctx, id);
    if account.kind != AccountKind::Local {
        secrets::delete_password(&ctx.secret_key(id))?;
    }
    Ok(())
}

/// The account's extra CA file as an absolute path, when given; an error at its field when it
/// does not exist.
pub(crate) fn checked_ca_file(ca: Option<&str>) -> ApiResult<Option<String>> {
    match ca {
        Some(ca) if !Path::new(ca).is_file() => Err(ApiError::invalid(
            "ca_file",
            format!("The certificate file {ca} does not exist"),
        )),
        Some(ca) => Ok(Some(
            Path::new(ca)
                .canonicalize()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| ca.to_owned()),
        )),
        None => Ok(None),
    }
}

/// Parses `host:port` (IPv6 as `[::1]:993`).
pub(crate) fn parse_host_port(field: &str, value: &str) -> ApiResult<(String, u16)> {
    let bad = || {
        ApiError::invalid(
            field,
            format!("{value:?} is not host:port (for example imap.example.com:993)"),
        )
    };
    let (host, port) = value.trim().rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || port == 0 || host.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok((host.to_owned(), port))
}

fn validate_account(input: &AccountInput) -> ApiResult<NewAccount> {
    let email = input.email.trim();
    let valid_email = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !email.contains(char::is_whitespace)
    });
    if !valid_email {
        return Err(ApiError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        ));
    }
    let imap = parse_host_port("imap", &input.imap)?;
    let smtp = parse_host_port("smtp", &input.smtp)?;
    let security = Security::parse(input.security.as_deref().unwrap_or("tls"))
        .map_err(|e| ApiError::invalid("security", e.to_string()))?;
    let smtp_security = input
        .smtp_security
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(Security::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("smtp_security", e.to_string()))?;
    if smtp_security == Some(Security::Plain) && !is_loopback(&smtp.0) {
        return Err(ApiError::invalid(
            "smtp",
            format!("Plain (unencrypted) connections are allowed only to loopback addresses, not {}; use tls or starttls", smtp.0),
        ));
    }
    if security == Security::Plain {
        for (field, (host, _)) in [("imap", &imap), ("smtp", &smtp)] {
            if !is_loopback(host) {
                return Err(ApiError::invalid(
                    field,
                    format!("Plain (unencrypted) connections are allowed only to loopback addresses, not {host}; use tls or starttls"),
                ));
            }
        }
    }
    if input.password.is_empty() {
        return Err(ApiError::invalid("password", "The password is empty"));
    }
    if let Some(ca) = &input.ca_file {
        if !Path::new(ca).is_file() {
            return Err(ApiError::invalid(
                "ca_file",
                format!("The certificate file {ca} does not exist"),
            ));
        }
    }
    let username = input
        .username
        .clone()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| email.to_owned());
    Ok(NewAccount {
        kind: AccountKind::Imap,
        name: input
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| email.to_owned()),
        email: email.to_owned(),
        imap,
        smtp,
        security,
        smtp_security,
        url: String::new(),
        username,
        ca_file: input.ca_file.as_ref().map(|c| {
            Path::new(c)
                .canonicalize()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| c.clone())
        }),
    })
}

/// Gives account `id` its password again (after a restore without secrets, or a keyring that
/// was reset): checked by logging in first (IMAP; CalDAV discovery; a new Matrix login, whose
/// access token is what is kept), then kept in the OS keyring. Nothing is kept when the login
/// fails. The live sync waiting in a backoff tries again at once.
pub(crate) async fn set_password(ctx: &Context, id: i64, password: &str) -> ApiResult<()> {
    if password.is_empty() {
        return Err(ApiError::invalid("password", "The password is empty"));
    }
    let account = ctx.store().account(id)?;
    if ctx.store().oauth_grant(id)?.is_some() {
        return Err(ApiError::invalid(
            "password",
            format!(
                "Account {id} signs in through its provider: sign in again (satu account signin {id})"
            ),
        ));
    }
    let secret = match account.kind {
        AccountKind::Imap => {
            let session =
                ImapSession::connect(&imap_config(&account, Auth::Password(password.to_owned())))
                    .await
                    .map_err(anyhow::Error::from)?;
            session.logout().await;
            password.to_owned()
        }
        AccountKind::Caldav => {
            let client = satu_caldav::Client::new(&satu_caldav::CaldavConfig {
                url: account.url.clone(),
                username: account.username.clone(),
                auth: Auth::Password(password.to_owned()),
                ca_file: account.ca_file.as_ref().map(Into::into),
            })
            .map_err(anyhow::Error::from)?;
            client.discover().await.map_err(anyhow::Error::from)?;
            password.to_owned()
        }
        AccountKind::Matrix => {
            let client = satu_matrix::Client::new(&satu_matrix::MatrixConfig {
                homeserver: account.url.clone(),
                access_token: None,
                ca_file: account.ca_file.as_ref().map(Into::into),
            })
            .map_err(anyhow::Error::from)?;
            let login = client
                .login(&account.username, password, "Satu")
                .await
                .map_err(anyhow::Error::from)?;
            ctx.store()
                .write(|tx| tx.set_matrix_device(id, &login.user_id, &login.device_id))?;
            login.access_token
        }
        AccountKind::Local => {
            return Err(ApiError::invalid(
                "id",
                format!("Account {id} is local: it has no password"),
            ))
        }
    };
    secrets::set_password(&ctx.secret_key(id), &secret)?;
    ctx.store().write(|tx| {
        crate::audit::record(
            tx,
            "account.sign_in",
            Some(id),
            None,
            serde_json::json!({ "method": "password", "username": account.username }),
        )
    })?;
    ctx.signed_in.notify_waiters();
    tracing::info!(account_id = id, "Password set again.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            email: "alice@example.com".into(),
            imap: "imap.example.com:993".into(),
            smtp: "smtp.example.com:465".into(),
            security: None,
            smtp_security: None,
            username: None,
            password: "secret".into(),
            ca_file: None,
            name: None,
            ..Default::default()
        }
    }

    #[test]
    fn validates_account_input_and_names_the_field() {
        let ok = validate_account(&input()).expect("valid");
        assert_eq!(
            (ok.username.as_str(), ok.security),
            ("alice@example.com", Security::Tls)
        );
        let field = |f: fn(&mut AccountInput)| {
            let mut i = input();
            f(&mut i);
            validate_account(&i).expect_err("invalid").field
        };
        assert_eq!(field(|i| i.email = "nope".into()).as_deref(), Some("email"));
        assert_eq!(
            field(|i| i.imap = "imap.example.com".into()).as_deref(),
            Some("imap")
        );
        assert_eq!(
            field(|i| i.smtp = "smtp:99999".into()).as_deref(),
            Some("smtp")
        );
        assert_eq!(
            field(|i| i.security = Some("plain".into())).as_deref(),
            Some("imap")
        );
        assert_eq!(
            field(|i| i.password = String::new()).as_deref(),
            Some("password")
        );
        let mut local = input();
        local.imap = "127.0.0.1:143".into();
        local.smtp = "[::1]:25".into();
        local.security = Some("plain".into());
        assert!(
            validate_account(&local).is_ok(),
            "plain is fine on loopback"
        );
    }
}
