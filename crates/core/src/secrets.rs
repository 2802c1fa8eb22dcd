//! Account secrets in the OS keyring, never in the database and never in a plain file: an IMAP or
//! CalDAV password, or a Matrix account's access token (its password is used once to sign in and
//! never kept). Each is keyed by data directory and account id (`Context::secret_key`), so two
//! data directories, or test runs, never share one.
//!
//! Linux: the desktop Secret Service (GNOME Keyring, KWallet) when a session bus offers it, else
//! the kernel keyring (keyutils), which also serves headless machines and tests. macOS: Keychain.
//! Windows: Credential Manager. `SATU_KEYRING=keyutils|secret-service` forces a Linux backend.
//! When no keyring works the caller gets [`ErrorCode::Keyring`] and nothing is stored: there is no
//! plaintext fallback.

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry};

use crate::error::{ApiError, ErrorCode};

const SERVICE: &str = "satu";

static STORE: OnceLock<Result<Arc<CredentialStore>, String>> = OnceLock::new();

fn store() -> Result<Arc<CredentialStore>, ApiError> {
    STORE
        .get_or_init(open_store)
        .clone()
        .map_err(|why| {
            ApiError::new(
                ErrorCode::Keyring,
                format!("No usable OS keyring ({why}). Satu never stores passwords in plain text; start a keyring service and try again"),
            )
        })
}

#[cfg(target_os = "linux")]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    let keyutils = || -> Result<Arc<CredentialStore>, String> {
        linux_keyutils_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| format!("kernel keyring: {e}"))
    };
    let secret_service = || -> Result<Arc<CredentialStore>, String> {
        zbus_secret_service_keyring_store::Store::new()
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| format!("Secret Service: {e}"))
    };
    match std::env::var("SATU_KEYRING").ok().as_deref() {
        Some("keyutils") => keyutils(),
        Some("secret-service") => secret_service(),
        Some(other) => Err(format!(
            "SATU_KEYRING={other} is not keyutils or secret-service"
        )),
        None if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() => {
            secret_service().or_else(|e| {
                tracing::info!(error = %e, "No Secret Service; using the kernel keyring.");
                keyutils()
            })
        }
        None => keyutils(),
    }
}

#[cfg(target_os = "macos")]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| format!("Keychain: {e}"))
}

#[cfg(target_os = "windows")]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| format!("Credential Manager: {e}"))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn open_store() -> Result<Arc<CredentialStore>, String> {
    Err("this platform has no supported keyring".into())
}

fn entry(key: &str) -> Result<Entry, ApiError> {
    Entry::new_in_store(&store()?, SERVICE, key).map_err(keyring_error)
}

fn keyring_error(e: keyring_core::Error) -> ApiError {
    let hint = if cfg!(target_os = "linux")
        && matches!(
            e,
            keyring_core::Error::NoStorageAccess(_) | keyring_core::Error::PlatformFailure(_)
        ) {
        " (on Linux without a desktop keyring this needs a session keyring: log in normally, or run inside `keyctl session`)"
    } else {
        ""
    };
    ApiError::new(
        ErrorCode::Keyring,
        format!("The OS keyring failed: {e}{hint}"),
    )
}

/// Stores the password under `key`.
pub(crate) fn set_password(key: &str, password: &str) -> Result<(), ApiError> {
    entry(key)?.set_password(password).map_err(keyring_error)
}

/// The password under `key`.
pub(crate) fn password(key: &str) -> Result<String, ApiError> {
    match entry(key)?.get_password() {
        Ok(password) => Ok(password),
        Err(keyring_core::Error::NoEntry) => Err(ApiError::new(
            ErrorCode::Keyring,
            "The account's password is not in the OS keyring (restored without it, or the keyring was reset): enter it again (Settings, or satu account password ID --password-stdin)",
        )),
        Err(e) => Err(keyring_error(e)),
    }
}

/// The secret under `key`, `None` when there is none.
pub(crate) fn secret_if_any(key: &str) -> Result<Option<String>, ApiError> {
    match entry(key)?.get_password() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e)),
    }
}

/// Keeps `secret` under `key`; an empty one forgets what was there (keyrings refuse empty
/// secrets).
pub(crate) fn set_or_forget(key: &str, secret: &str) -> Result<(), ApiError> {
    if secret.is_empty() {
        delete_password(key)
    } else {
        set_password(key, secret)
    }
}

/// Forgets the password under `key` (missing is fine).
pub(crate) fn delete_password(key: &str) -> Result<(), ApiError> {
    match entry(key)?.delete_credential() {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(e)),
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn passwords_round_trip_through_the_kernel_keyring() {
        // The only test in this binary that touches the keyring, so setting the variable first is safe.
        std::env::set_var("SATU_KEYRING", "keyutils");
        let key = format!("satu-test-{}#account-1", std::process::id());
        super::set_password(&key, "s3cret ✓").expect("set");
        assert_eq!(super::password(&key).expect("get"), "s3cret ✓");
        super::delete_password(&key).expect("delete");
        let missing = super::password(&key).expect_err("gone");
        assert_eq!(missing.code, crate::ErrorCode::Keyring);
        assert!(missing.message.contains("not in the OS keyring"));
        super::delete_password(&key).expect("deleting twice is fine");
    }
}
