//! Attachments: decoded again from the original message (stored whole) to save, or opened with
//! the system's application when they are not programs.

use std::path::PathBuf;

use anyhow::Context as _;
use satu_store::Store;

use crate::context::Context;
use crate::dto;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::links;

/// Attachment `index` (0-based, as `show` lists them) of an item: its metadata and bytes,
/// decoded again from the original message (which is stored whole).
pub(crate) fn get(store: &Store, id: i64, index: u32) -> ApiResult<(dto::Attachment, Vec<u8>)> {
    let Some(info) = store.attachment(id, index)? else {
        let count = store.item(id)?.attachments.len();
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("Item {id} has no attachment {index} (it has {count}; the first is 0)"),
        )
        .with_field("index"));
    };
    let raw = store.raw_message(id)?;
    let parsed = satu_mail::parse_message(&raw);
    // The stored list came from the same parse: same order, same names ('' was stored as
    // "attachment").
    let stored_name = |name: &str| if name.is_empty() { "attachment" } else { name }.to_owned();
    let content = parsed
        .attachments
        .into_iter()
        .nth(index as usize)
        .filter(|a| stored_name(&a.name) == info.name && a.mime_type == info.mime_type)
        .map(|a| a.content)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                format!(
                    "The attachment {:?} of item {id} cannot be decoded from the original message again",
                    info.name
                ),
            )
        })?;
    let info = dto::Attachment {
        name: info.name,
        mime_type: info.mime_type,
        size: info.size,
    };
    Ok((info, content))
}

/// Opens attachment `index` of item `id` with the system's application for its type: the
/// bytes are decoded from the original message into a private folder of the data directory
/// (`opened/`), then handed over. Programs and scripts are refused (save them with
/// [`get`] and check them first). Returns the file's path.
pub(crate) fn open(ctx: &Context, id: i64, index: u32) -> ApiResult<PathBuf> {
    let (info, content) = get(ctx.store(), id, index)?;
    if links::is_program(&info.name, &info.mime_type) {
        return Err(ApiError::invalid(
            "index",
            format!(
                "{:?} is a program or script: Satu does not open those from mail. Save it (`satu attachment {id} {index} -o FILE`) and check it first",
                info.name
            ),
        ));
    }
    let dir = ctx.data_dir().join("opened").join(format!("{id}-{index}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("Cannot create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let private = std::fs::Permissions::from_mode(0o700);
        for folder in [ctx.data_dir().join("opened"), dir.clone()] {
            std::fs::set_permissions(&folder, private.clone())
                .with_context(|| format!("Cannot make {} private", folder.display()))?;
        }
    }
    let path = dir.join(links::safe_file_name(&info.name));
    std::fs::write(&path, &content)
        .with_context(|| format!("Cannot write the attachment to {}", path.display()))?;
    links::open_in_system(&path.to_string_lossy())?;
    Ok(path)
}
