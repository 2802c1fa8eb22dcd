//! Accounts: adding (mail, CalDAV, Matrix), removing, and how each shows in the unified views.

use super::{ApiResult, Satu};
use crate::dto::{self, AccountInput};
use crate::{accounts, caldav, matrix};

impl Satu {
    /// All accounts.
    pub fn accounts(&self) -> ApiResult<Vec<dto::Account>> {
        self.ctx
            .store()
            .accounts()?
            .into_iter()
            .map(|a| accounts::shown(&self.ctx, a))
            .collect()
    }

    /// Adds a mail account after checking that it can log in. The password goes to the OS
    /// keyring; nothing is stored if the login or the keyring fails. With `input.oauth` the
    /// browser opens the provider's sign-in page (its address is only logged: front ends that
    /// show it use [`Satu::add_account_showing`]).
    #[tracing::instrument(skip_all, fields(email = %input.email))]
    pub async fn add_account(&self, input: AccountInput) -> ApiResult<i64> {
        accounts::add_imap(&self.ctx, input, &|url| {
            tracing::info!(url, "Opening the sign-in page.");
        })
        .await
    }

    /// [`Satu::add_account`], telling `opened` the sign-in page's address before the browser
    /// opens it (so that a person can open it by hand).
    pub async fn add_account_showing(
        &self,
        input: AccountInput,
        opened: impl Fn(&str) + Send + Sync,
    ) -> ApiResult<i64> {
        accounts::add_imap(&self.ctx, input, &opened).await
    }

    /// Signs account `id` in again through its provider (after its sign-in ended); `opened`
    /// hears the sign-in page's address first. Its live sync resumes at its next attempt.
    pub async fn sign_in_again(
        &self,
        id: i64,
        opened: impl Fn(&str) + Send + Sync,
    ) -> ApiResult<dto::Account> {
        crate::oauth::sign_in_again(&self.ctx, id, &opened).await?;
        accounts::shown(&self.ctx, self.ctx.store().account(id)?)
    }

    /// The settings of `email` found from the address alone (autoconfig, the ISPDB, SRV
    /// records, a guess); `progress` hears of each place looked as it is done. Adds nothing.
    pub async fn discover(
        &self,
        email: &str,
        ca_file: Option<&std::path::Path>,
        progress: impl Fn(&dto::DiscoveryStep) + Sync,
    ) -> ApiResult<dto::Discovered> {
        crate::discover::discover(email, ca_file, &progress).await
    }

    /// Gives account `id` its password again (after a restore without the passwords, or a
    /// keyring that was reset): checked by logging in, then kept in the OS keyring.
    pub async fn set_account_password(&self, id: i64, password: &str) -> ApiResult<()> {
        crate::accounts::set_password(&self.ctx, id, password).await
    }

    /// Removes an account, everything synced from it, and its password; a Matrix account's
    /// device is signed out first (for a few seconds at most: offline, it is removed here all
    /// the same, and the device stays listed on the homeserver).
    pub async fn remove_account(&self, id: i64) -> ApiResult<()> {
        let account = self.ctx.store().account(id)?;
        if account.kind == satu_store::AccountKind::Matrix {
            matrix::account::sign_out(&self.ctx, &account).await;
        }
        accounts::remove(&self.ctx, id)
    }

    /// Adds a CalDAV account after discovery worked (RFC 6764 `/.well-known/caldav`, then the
    /// principal and its calendar home) and the calendars could be listed. The password goes to
    /// the OS keyring; nothing is stored when the login, discovery or the keyring fails.
    #[tracing::instrument(skip_all, fields(url = %input.url))]
    pub async fn add_caldav_account(&self, input: dto::CaldavInput) -> ApiResult<i64> {
        caldav::account::add(&self.ctx, input).await
    }

    /// Adds a Matrix account: signs in with the password (a new device, "Satu") or takes an
    /// access token given directly, checks it, and keeps the token in the OS keyring (never the
    /// password). Nothing is stored when the homeserver, the login or the keyring fails.
    #[tracing::instrument(skip_all, fields(homeserver = %input.homeserver))]
    pub async fn add_matrix_account(&self, input: dto::MatrixInput) -> ApiResult<i64> {
        matrix::account::add(&self.ctx, input).await
    }

    /// Shows (or hides) an account's items in the unified views; hidden, it keeps syncing and
    /// its own view (`TimelineQuery::account`) still shows everything.
    pub fn set_account_in_timeline(&self, id: i64, shown: bool) -> ApiResult<dto::Account> {
        self.ctx
            .store()
            .write(|tx| tx.set_account_in_timeline(id, shown))?;
        accounts::shown(&self.ctx, self.ctx.store().account(id)?)
    }

    /// Mutes (`notify` false) or unmutes the new-mail notifications of an account.
    pub fn set_account_notify(&self, id: i64, notify: bool) -> ApiResult<dto::Account> {
        self.ctx
            .store()
            .write(|tx| tx.set_account_notify(id, notify))?;
        accounts::shown(&self.ctx, self.ctx.store().account(id)?)
    }
}
