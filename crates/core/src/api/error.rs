//! Errors at the API boundary: a stable [`ErrorCode`] for programs and the UI, a message for
//! people, and the input field at fault when there is one.

use satu_caldav::CaldavError;
use satu_mail::imap::ImapError;
use satu_mail::mbox::MboxError;
use satu_mail::smtp::SmtpError;
use satu_matrix::MatrixError;
use satu_store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// What kind of failure, for callers that branch on it. Serialized in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// Wrong user name or password.
    AuthFailed,
    /// The server could not be reached or did not answer.
    Unreachable,
    /// The server's certificate is not trusted.
    BadCertificate,
    /// Another TLS failure.
    Tls,
    /// The input is not valid (a bad address, a file that is not an mbox, …).
    InvalidInput,
    /// No such item, account or file.
    NotFound,
    /// The OS keyring is not usable.
    Keyring,
    /// The server refused or broke the protocol.
    Server,
    /// A bug or an unexpected local failure (disk full, corrupt database).
    Internal,
    /// The account's sign-in through its provider ended (revoked or expired): sign in again.
    SignInAgain,
    /// The passphrase does not open the backup.
    WrongPassphrase,
    /// A backup (or the audit trail) is damaged, cut short, or does not match its checksums.
    Damaged,
    /// Made by a newer Satu: update to open it.
    TooNew,
}

impl ErrorCode {
    /// Process exit code for the CLI: stable, so scripts can branch on it.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorCode::Internal => 1,
            ErrorCode::InvalidInput => 2,
            ErrorCode::NotFound => 3,
            ErrorCode::AuthFailed => 4,
            ErrorCode::Unreachable => 5,
            ErrorCode::BadCertificate | ErrorCode::Tls => 6,
            ErrorCode::Server => 7,
            ErrorCode::Keyring => 8,
            ErrorCode::SignInAgain => 9,
            ErrorCode::WrongPassphrase => 10,
            ErrorCode::Damaged => 11,
            ErrorCode::TooNew => 12,
        }
    }
}

/// An error as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// What kind of failure.
    pub code: ErrorCode,
    /// A full sentence for people.
    pub message: String,
    /// The input field at fault (`email`, `imap`, `smtp`, `password`, `file`, …), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl ApiError {
    /// An error of `code` with `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Bad input in `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            code: ErrorCode::InvalidInput,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    /// Names the input field at fault.
    /// No such thing, named by `field`.
    pub fn not_found(field: &str, message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, message).with_field(field)
    }

    /// Something that should not happen (a bug, a corrupt row).
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Internal, message)
    }

    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        ApiError::from(&error)
    }
}

impl From<&anyhow::Error> for ApiError {
    fn from(error: &anyhow::Error) -> Self {
        for cause in error.chain() {
            if let Some(api) = cause.downcast_ref::<ApiError>() {
                return api.clone();
            }
            if let Some(imap) = cause.downcast_ref::<ImapError>() {
                return from_imap(imap);
            }
            if let Some(smtp) = cause.downcast_ref::<SmtpError>() {
                return from_smtp(smtp);
            }
            if let Some(caldav) = cause.downcast_ref::<CaldavError>() {
                return from_caldav(caldav);
            }
            if let Some(matrix) = cause.downcast_ref::<MatrixError>() {
                return from_matrix(matrix);
            }
            if let Some(store) = cause.downcast_ref::<StoreError>() {
                let code = match store {
                    StoreError::NoSuchItem(_)
                    | StoreError::NoSuchAccount(_)
                    | StoreError::NotTask(_)
                    | StoreError::NoSuchOutgoing(_)
                    | StoreError::NoSuchDraft(_)
                    | StoreError::NoSuchRule(_) => ErrorCode::NotFound,
                    StoreError::NotMail(_) => {
                        return ApiError::invalid("id", store.to_string());
                    }
                    _ => ErrorCode::Internal,
                };
                return ApiError::new(code, store.to_string());
            }
            if let Some(mbox) = cause.downcast_ref::<MboxError>() {
                return ApiError::invalid("file", format!("{error:#}")).with_message_from(mbox);
            }
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::NotFound {
                    return ApiError::new(ErrorCode::NotFound, format!("{error:#}"))
                        .with_field("file");
                }
            }
        }
        ApiError::new(ErrorCode::Internal, format!("{error:#}"))
    }
}

impl ApiError {
    fn with_message_from(mut self, mbox: &MboxError) -> Self {
        if let MboxError::Io(io) = mbox {
            if io.kind() == std::io::ErrorKind::NotFound {
                self.code = ErrorCode::NotFound;
            }
        }
        self
    }
}

fn from_imap(error: &ImapError) -> ApiError {
    let (code, field) = match error {
        ImapError::AuthFailed { .. } => (ErrorCode::AuthFailed, "password"),
        ImapError::TokenRefused { .. } => (ErrorCode::AuthFailed, "username"),
        ImapError::Token {
            sign_in_again: true,
            ..
        } => (ErrorCode::SignInAgain, "oauth"),
        ImapError::Token { .. } => (ErrorCode::Unreachable, "oauth"),
        ImapError::Unreachable { .. }
        | ImapError::Timeout { .. }
        | ImapError::ConnectionLost { .. } => (ErrorCode::Unreachable, "imap"),
        ImapError::BadCertificate { .. } => (ErrorCode::BadCertificate, "imap"),
        ImapError::Tls { .. } => (ErrorCode::Tls, "imap"),
        ImapError::PlainNotAllowed { .. } => (ErrorCode::InvalidInput, "security"),
        _ => (ErrorCode::Server, "imap"),
    };
    ApiError::new(code, error.to_string()).with_field(field)
}

/// An SMTP failure as the API reports it: the field to point at, and a code scripts branch on.
pub(crate) fn from_smtp(error: &SmtpError) -> ApiError {
    let (code, field) = match error {
        SmtpError::AuthFailed { .. } => (ErrorCode::AuthFailed, "password"),
        SmtpError::TokenRefused { .. } => (ErrorCode::AuthFailed, "username"),
        SmtpError::Token {
            sign_in_again: true,
            ..
        } => (ErrorCode::SignInAgain, "oauth"),
        SmtpError::Token { .. } => (ErrorCode::Unreachable, "oauth"),
        SmtpError::Unreachable { .. } | SmtpError::Timeout { .. } | SmtpError::Broken { .. } => {
            (ErrorCode::Unreachable, "smtp")
        }
        SmtpError::BadCertificate { .. } => (ErrorCode::BadCertificate, "smtp"),
        SmtpError::Tls { .. } => (ErrorCode::Tls, "smtp"),
        SmtpError::PlainNotAllowed { .. } => (ErrorCode::InvalidInput, "security"),
        SmtpError::Refused { what, .. } if what.starts_with("the recipient") => {
            (ErrorCode::Server, "to")
        }
        _ => (ErrorCode::Server, "smtp"),
    };
    ApiError::new(code, error.to_string()).with_field(field)
}

/// A CalDAV failure as the API reports it.
pub(crate) fn from_caldav(error: &CaldavError) -> ApiError {
    let (code, field) = match error {
        CaldavError::AuthFailed { .. } => (ErrorCode::AuthFailed, "password"),
        CaldavError::Token {
            sign_in_again: true,
            ..
        } => (ErrorCode::SignInAgain, "oauth"),
        CaldavError::Token { .. } => (ErrorCode::Unreachable, "oauth"),
        CaldavError::Unreachable { .. } => (ErrorCode::Unreachable, "url"),
        CaldavError::BadCertificate { .. } => (ErrorCode::BadCertificate, "ca_file"),
        CaldavError::BadUrl { .. }
        | CaldavError::PlainNotAllowed { .. }
        | CaldavError::OtherHost { .. }
        | CaldavError::AuthUnsupported { .. }
        | CaldavError::NotCaldav { .. } => (ErrorCode::InvalidInput, "url"),
        CaldavError::NotFound { .. } => (ErrorCode::NotFound, "url"),
        _ => (ErrorCode::Server, "url"),
    };
    ApiError::new(code, error.to_string()).with_field(field)
}

/// A Matrix failure as the API reports it.
pub(crate) fn from_matrix(error: &MatrixError) -> ApiError {
    let (code, field) = match error {
        MatrixError::AuthFailed { .. } => (ErrorCode::AuthFailed, "password"),
        MatrixError::TokenRejected { .. } => (ErrorCode::AuthFailed, "access_token"),
        MatrixError::Unreachable { .. } => (ErrorCode::Unreachable, "homeserver"),
        MatrixError::BadCertificate { .. } => (ErrorCode::BadCertificate, "ca_file"),
        MatrixError::BadUrl { .. }
        | MatrixError::PlainNotAllowed { .. }
        | MatrixError::NotMatrix { .. } => (ErrorCode::InvalidInput, "homeserver"),
        MatrixError::NotFound { .. } => (ErrorCode::NotFound, "room"),
        MatrixError::Forbidden { .. } => (ErrorCode::Server, "room"),
        _ => (ErrorCode::Server, "homeserver"),
    };
    ApiError::new(code, error.to_string()).with_field(field)
}

/// What the API's methods and the domain modules behind them return.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
