//! Accounts that sign in with OAuth2 (`oauth_grants`): where their tokens come from, and whether
//! the provider refused the refresh token so the user must sign in again. Tokens themselves are
//! never here (the refresh token is in the OS keyring, access tokens in memory).

use anyhow::{Context as _, Result};
use rusqlite::{params, Connection, OptionalExtension as _};

use crate::Tx;

/// Where an account's OAuth2 tokens come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthGrant {
    /// `microsoft`, `google` or `oidc`.
    pub provider: String,
    /// The OpenID Connect issuer ('' for the built-in providers).
    pub issuer: String,
    /// Where the browser signs in.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens become access tokens.
    pub token_endpoint: String,
    /// The client id Satu is registered under.
    pub client_id: String,
    /// The scopes asked for, space separated.
    pub scopes: String,
    /// The provider refused the refresh token: only signing in again helps.
    pub sign_in_again: bool,
    /// The account whose refresh token signs this one in (`None`: itself).
    pub token_account: Option<i64>,
}

fn grant_of(conn: &Connection, account_id: i64) -> Result<Option<OAuthGrant>> {
    conn.query_row(
        "SELECT provider, issuer, authorization_endpoint, token_endpoint, client_id, scopes, sign_in_again,
                token_account
         FROM oauth_grants WHERE account_id = ?1",
        [account_id],
        |row| {
            Ok(OAuthGrant {
                provider: row.get(0)?,
                issuer: row.get(1)?,
                authorization_endpoint: row.get(2)?,
                token_endpoint: row.get(3)?,
                client_id: row.get(4)?,
                scopes: row.get(5)?,
                sign_in_again: row.get::<_, i64>(6)? != 0,
                token_account: row.get(7)?,
            })
        },
    )
    .optional()
    .with_context(|| format!("Cannot read the sign-in of account {account_id}"))
}

impl crate::Store {
    /// The account's OAuth2 grant; `None` for an account with a password.
    pub fn oauth_grant(&self, account_id: i64) -> Result<Option<OAuthGrant>> {
        self.read(|conn| grant_of(conn, account_id))
    }
}

impl Tx<'_> {
    /// Makes the account sign in with `grant` (replacing an earlier one).
    pub fn set_oauth_grant(&mut self, account_id: i64, grant: &OAuthGrant) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO oauth_grants (account_id, provider, issuer, authorization_endpoint,
                     token_endpoint, client_id, scopes, sign_in_again, token_account)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (account_id) DO UPDATE SET provider = excluded.provider,
                     issuer = excluded.issuer,
                     authorization_endpoint = excluded.authorization_endpoint,
                     token_endpoint = excluded.token_endpoint, client_id = excluded.client_id,
                     scopes = excluded.scopes, sign_in_again = excluded.sign_in_again,
                     token_account = excluded.token_account",
                params![
                    account_id,
                    grant.provider,
                    grant.issuer,
                    grant.authorization_endpoint,
                    grant.token_endpoint,
                    grant.client_id,
                    grant.scopes,
                    grant.sign_in_again as i64,
                    grant.token_account
                ],
            )
            .with_context(|| format!("Cannot store the sign-in of account {account_id}"))?;
        Ok(())
    }

    /// Marks whether the account must sign in again.
    pub fn set_sign_in_again(&mut self, account_id: i64, again: bool) -> Result<()> {
        self.conn()
            .execute(
                "UPDATE oauth_grants SET sign_in_again = ?2 WHERE account_id = ?1",
                params![account_id, again as i64],
            )
            .with_context(|| format!("Cannot mark the sign-in of account {account_id}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::OAuthGrant;
    use crate::{AccountKind, NewAccount, Security, Store};

    #[test]
    fn a_grant_round_trips_and_goes_with_its_account() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("db")).expect("open");
        let id = store
            .write(|tx| {
                tx.add_account(&NewAccount {
                    kind: AccountKind::Imap,
                    name: "Work".into(),
                    email: "me@example.com".into(),
                    imap: ("imap.example.com".into(), 993),
                    smtp: ("smtp.example.com".into(), 465),
                    security: Security::Tls,
                    smtp_security: None,
                    url: String::new(),
                    username: "me@example.com".into(),
                    ca_file: None,
                })
            })
            .expect("account");
        assert_eq!(store.oauth_grant(id).expect("read"), None);
        let grant = OAuthGrant {
            provider: "oidc".into(),
            issuer: "https://id.example.com".into(),
            authorization_endpoint: "https://id.example.com/auth".into(),
            token_endpoint: "https://id.example.com/token".into(),
            client_id: "satu".into(),
            scopes: "openid email offline_access".into(),
            sign_in_again: false,
            token_account: None,
        };
        store
            .write(|tx| tx.set_oauth_grant(id, &grant))
            .expect("set");
        assert_eq!(store.oauth_grant(id).expect("read"), Some(grant.clone()));
        store
            .write(|tx| tx.set_sign_in_again(id, true))
            .expect("mark");
        assert!(
            store
                .oauth_grant(id)
                .expect("read")
                .expect("grant")
                .sign_in_again
        );
        store.write(|tx| tx.remove_account(id)).expect("remove");
        assert_eq!(store.oauth_grant(id).expect("read"), None);
    }
}
