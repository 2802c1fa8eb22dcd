//! Adding a Matrix account: a login (a new device) or a given access token, checked; only the
//! token is kept, in the OS keyring.

use satu_store::AccountKind;

use crate::accounts::{checked_ca_file, http_account, keep};
use crate::context::{Context, PUSH_NOW_TIMEOUT};
use crate::dto;
use crate::error::{ApiError, ApiResult};

/// Adds a Matrix account: signs in with the password (a new device, "Satu") or takes an
/// access token given directly, checks it, and keeps the token in the OS keyring (never the
/// password). Nothing is stored when the homeserver, the login or the keyring fails.
#[tracing::instrument(skip_all, fields(homeserver = %input.homeserver))]
pub(crate) async fn add(ctx: &Context, input: dto::MatrixInput) -> ApiResult<i64> {
    if input.homeserver.trim().is_empty() {
        return Err(ApiError::invalid("homeserver", "Give the homeserver's URL"));
    }
    let token = input.access_token.clone().filter(|t| !t.trim().is_empty());
    let password = input.password.clone().filter(|p| !p.is_empty());
    if token.is_none() && password.is_none() {
        return Err(ApiError::invalid(
            "password",
            "Give the password (or an access token)",
        ));
    }
    if token.is_none() && input.user.trim().is_empty() {
        return Err(ApiError::invalid("user", "Give the user name"));
    }
    let ca_file = checked_ca_file(input.ca_file.as_deref())?;
    let client = satu_matrix::Client::new(&satu_matrix::MatrixConfig {
        homeserver: input.homeserver.clone(),
        access_token: None,
        ca_file: ca_file.as_ref().map(Into::into),
    })
    .map_err(anyhow::Error::from)?
    .discover()
    .await
    .map_err(anyhow::Error::from)?;
    let (token, user_id, device_id) = match (token, password) {
        (Some(token), _) => {
            let who = client
                .clone()
                .with_token(token.trim())
                .whoami()
                .await
                .map_err(anyhow::Error::from)?;
            (
                token.trim().to_owned(),
                who.user_id,
                who.device_id.unwrap_or_default(),
            )
        }
        (None, password) => {
            let password = password.unwrap_or_default();
            // Other users see device names: the system's kind, never the machine's name.
            let device = format!("Satu on {}", device_system());
            let login = client
                .login(input.user.trim(), &password, &device)
                .await
                .map_err(anyhow::Error::from)?;
            (login.access_token, login.user_id, login.device_id)
        }
    };
    let name = input
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| user_id.clone());
    let account = http_account(
        AccountKind::Matrix,
        name,
        client.homeserver().to_string(),
        user_id.clone(),
        ca_file,
    );
    let id = keep(ctx, &account, &token, |tx, id| {
        tx.set_matrix_device(id, &user_id, &device_id)
    })?;
    tracing::info!(account_id = id, user = %user_id, device = %device_id, "Matrix account added.");
    Ok(id)
}

/// Signs the account's device out of its homeserver (its access token stops working), for at
/// most [`PUSH_NOW_TIMEOUT`]; a failure is only logged (the account goes anyway).
pub(crate) async fn sign_out(ctx: &Context, account: &satu_store::Account) {
    let attempt = async {
        let client = crate::matrix::client(ctx, account)?;
        client.logout().await.map_err(anyhow::Error::from)
    };
    match tokio::time::timeout(PUSH_NOW_TIMEOUT, attempt).await {
        Ok(Ok(())) => tracing::info!(account_id = account.id, "Matrix device signed out."),
        Ok(Err(e)) => {
            tracing::warn!(account_id = account.id, error = %format!("{e:#}"), "The Matrix device could not be signed out; it stays listed on the homeserver.")
        }
        Err(_) => tracing::warn!(
            account_id = account.id,
            "The homeserver did not answer the sign-out in time; the device stays listed there."
        ),
    }
}

/// The kind of system for the device's name (`Linux`, `macOS`, `Windows`, …).
fn device_system() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        "freebsd" => "FreeBSD",
        _ => "desktop",
    }
}
