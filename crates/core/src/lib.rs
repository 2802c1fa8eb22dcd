//! # The Satu core
//!
//! [`api::Satu`] is the only door into the core: the Tauri shell, the `satu` CLI and the tests all
//! call it, and it speaks only in the DTOs of [`dto`] (serializable, stable JSON keys) and
//! [`error::ApiError`] (a code the UI can branch on plus a sentence for people).
//! Behind it: the store (`satu-store`), mail protocols and formats (`satu-mail`), imports,
//! sync and the OS keyring.

mod actions;
pub mod api;
mod caldav;
pub mod dto;
pub mod error;
mod fault;
mod import;
pub mod links;
mod live;
mod matrix;
mod notify;
mod replay;
mod secrets;
mod send;
mod sync;
mod tasks;

pub use api::Satu;
pub use error::{ApiError, ErrorCode};
