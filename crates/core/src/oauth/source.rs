//! An account's access tokens: kept in memory only, shared by all of the account's connections,
//! refreshed from the refresh token in the OS keyring a little before they end, and once more
//! when a server refuses one. One refresh at a time per account (a provider that rotates refresh
//! tokens would otherwise see the old one used twice). A refused refresh token marks the account
//! "sign in again" in the store; from then on no request is made until the person signs in.

use std::path::PathBuf;
use std::sync::Arc;

use satu_mail::auth::{BearerSource, TokenError, TokenFuture};
use satu_store::Store;

use super::flow;
use super::provider::Provider;
use super::token::{self, Refusal, Tokens};
use crate::secrets;

/// A cached access token.
struct Cached {
    token: String,
    /// Unix ms from which it is refreshed before use.
    refresh_at: i64,
}

/// The token source of one account.
pub(crate) struct AccountTokens {
    account_id: i64,
    store: Arc<Store>,
    /// Keyring key of the refresh token.
    secret_key: String,
    ca_file: Option<PathBuf>,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

impl AccountTokens {
    pub(crate) fn new(
        account_id: i64,
        store: Arc<Store>,
        secret_key: String,
        ca_file: Option<PathBuf>,
    ) -> AccountTokens {
        AccountTokens {
            account_id,
            store,
            secret_key,
            ca_file,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// Keeps a fresh access token (just signed in).
    pub(crate) async fn put(&self, tokens: &Tokens) {
        *self.cached.lock().await = Some(entry(tokens));
    }

    async fn get(&self, refused: Option<String>) -> Result<String, TokenError> {
        let mut cached = self.cached.lock().await;
        // The cached token, unless it is the one refused (another connection refused together
        // with this one may have renewed it already: then the new one serves).
        if let Some(c) = cached
            .as_ref()
            .filter(|c| now_ms() < c.refresh_at && refused.as_deref() != Some(c.token.as_str()))
        {
            return Ok(c.token.clone());
        }
        *cached = None;
        let tokens = self.refresh().await?;
        let fresh = tokens.access_token.clone();
        *cached = Some(entry(&tokens));
        Ok(fresh)
    }

    async fn refresh(&self) -> Result<Tokens, TokenError> {
        let other = |message: String| TokenError {
            sign_in_again: false,
            message,
        };
        let id = self.account_id;
        let grant = self
            .store
            .oauth_grant(id)
            .map_err(|e| other(format!("{e:#}")))?
            .ok_or_else(|| other(format!("account {id} does not sign in with OAuth2")))?;
        let provider = Provider::from_grant(&grant);
        let again = |why: &str| {
            TokenError {
            sign_in_again: true,
            message: format!(
                "the sign-in with {} has ended ({why}); sign in again (the account's \"Sign in again\" button, or `satu account signin {id}`)",
                provider.kind.label()
            ),
        }
        };
        if grant.sign_in_again {
            return Err(again("refused earlier"));
        }
        let refresh = secrets::secret_if_any(&self.secret_key)
            .map_err(|e| other(e.message))?
            .unwrap_or_default();
        if refresh.is_empty() {
            self.mark_sign_in_again();
            return Err(again(
                "no refresh token: the provider gave none, or the keyring lost it",
            ));
        }
        let client = flow::http(self.ca_file.as_deref()).map_err(|e| other(e.message))?;
        let answer = flow::token_request(
            &client,
            &provider,
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        )
        .await;
        match answer {
            Ok(tokens) => {
                if let Some(rotated) = tokens.refresh_token.as_ref().filter(|r| **r != refresh) {
                    secrets::set_password(&self.secret_key, rotated)
                        .map_err(|e| other(e.message))?;
                }
                tracing::info!(account_id = id, expires_in = ?tokens.expires_in, "Access token renewed.");
                Ok(tokens)
            }
            Err(Refusal::SignInAgain(said)) => {
                tracing::warn!(account_id = id, said = %said, "The provider refused the refresh token.");
                self.mark_sign_in_again();
                Err(again(&said))
            }
            Err(Refusal::Other(said)) => Err(other(format!(
                "{} did not renew the sign-in: {said}",
                provider.kind.label()
            ))),
        }
    }

    fn mark_sign_in_again(&self) {
        if let Err(e) = self
            .store
            .write(|tx| tx.set_sign_in_again(self.account_id, true))
        {
            tracing::warn!(account_id = self.account_id, error = %format!("{e:#}"), "Cannot mark the account for a new sign-in.");
        }
    }
}

fn entry(tokens: &Tokens) -> Cached {
    let now = now_ms();
    let lifetime = tokens
        .expires_in
        .map(|s| (s as i64).saturating_mul(1000))
        .unwrap_or(token::DEFAULT_LIFETIME_MS);
    Cached {
        token: tokens.access_token.clone(),
        refresh_at: token::refresh_at(now.saturating_add(lifetime), lifetime),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl BearerSource for AccountTokens {
    fn token(&self, refused: Option<String>) -> TokenFuture<'_> {
        Box::pin(self.get(refused))
    }
}

/// One token and nothing more: the first login of an account being added (before anything is
/// stored, there is nothing to refresh from).
pub(crate) struct Fixed(pub String);

impl BearerSource for Fixed {
    fn token(&self, refused: Option<String>) -> TokenFuture<'_> {
        let answer = if refused.is_some() {
            Err(TokenError {
                sign_in_again: false,
                message: "the server refused the token the provider just gave".into(),
            })
        } else {
            Ok(self.0.clone())
        };
        Box::pin(std::future::ready(answer))
    }
}
