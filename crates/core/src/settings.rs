//! Settings: the on/off switches and the numbers, read and chosen by key; and the senders whose
//! mail loads remote content without asking.

use satu_store::{NumberSetting, Setting, Store, TextSetting};

use crate::dto;
use crate::error::{ApiError, ApiResult};

/// Every setting with its value: the on/off ones, then the numeric ones.
pub(crate) fn all(store: &Store) -> ApiResult<Vec<dto::SettingValue>> {
    let mut all = Setting::ALL
        .into_iter()
        .map(|s| {
            Ok(dto::SettingValue {
                key: s.key().to_owned(),
                value: store.setting(s)?,
                default: s.default_value(),
                number: None,
                default_number: None,
                text: None,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    for s in NumberSetting::ALL {
        all.push(number_value(s, store.number_setting(s)?));
    }
    for s in TextSetting::ALL {
        all.push(text_value(s, store.text_setting(s)?.unwrap_or_default()));
    }
    Ok(all)
}

fn audit_setting(
    tx: &mut satu_store::Tx<'_>,
    key: &str,
    value: serde_json::Value,
) -> anyhow::Result<()> {
    crate::audit::record(
        tx,
        "setting.change",
        None,
        None,
        serde_json::json!({ "key": key, "value": value }),
    )
}

/// Chooses a setting (`true` / `false`, `on` / `off`; a number for a numeric one; any text
/// without control characters for a text one, '' to forget it).
pub(crate) fn set(store: &Store, key: &str, value: &str) -> ApiResult<dto::SettingValue> {
    if let Some(setting) = TextSetting::parse(key) {
        if value.chars().any(char::is_control) || value.len() > 1000 {
            return Err(ApiError::invalid(
                "value",
                format!("The value for {key} must be one line of at most 1000 characters"),
            ));
        }
        store.write(|tx| {
            tx.set_text_setting(setting, value)?;
            audit_setting(tx, key, serde_json::json!(value.trim()))
        })?;
        return Ok(text_value(setting, value.trim().to_owned()));
    }
    if let Some(setting) = NumberSetting::parse(key) {
        let (low, high) = setting.range();
        let number: i64 = value
            .trim()
            .parse()
            .ok()
            .filter(|n| (low..=high).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "value",
                    format!(
                        "{value:?} is not a value for {key}: use a number from {low} to {high}"
                    ),
                )
            })?;
        let number = store.write(|tx| {
            let number = tx.set_number_setting(setting, number)?;
            audit_setting(tx, key, serde_json::json!(number))?;
            Ok(number)
        })?;
        return Ok(number_value(setting, number));
    }
    let Some(setting) = Setting::parse(key) else {
        let keys: Vec<&str> = Setting::ALL
            .iter()
            .map(|s| s.key())
            .chain(NumberSetting::ALL.iter().map(|s| s.key()))
            .chain(TextSetting::ALL.iter().map(|s| s.key()))
            .collect();
        return Err(ApiError::invalid(
            "key",
            format!("No setting {key:?}; the settings are {}", keys.join(", ")),
        ));
    };
    let value = match value.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => true,
        "false" | "off" | "no" | "0" => false,
        other => {
            return Err(ApiError::invalid(
                "value",
                format!("{other:?} is not a value for {key}: use true or false"),
            ))
        }
    };
    store.write(|tx| {
        tx.set_setting(setting, value)?;
        audit_setting(tx, key, serde_json::json!(value))
    })?;
    Ok(dto::SettingValue {
        key: setting.key().to_owned(),
        value,
        default: setting.default_value(),
        number: None,
        default_number: None,
        text: None,
    })
}

/// A text setting as the API shows it.
fn text_value(setting: TextSetting, text: String) -> dto::SettingValue {
    dto::SettingValue {
        key: setting.key().to_owned(),
        value: !text.is_empty(),
        default: false,
        number: None,
        default_number: None,
        text: Some(text),
    }
}

/// A numeric setting as the API shows it.
fn number_value(setting: NumberSetting, number: i64) -> dto::SettingValue {
    dto::SettingValue {
        key: setting.key().to_owned(),
        value: number > 0,
        default: setting.default_value() > 0,
        number: Some(number),
        default_number: Some(setting.default_value()),
        text: None,
    }
}

/// Lets mail from `address` load remote content without asking (or asks again: `allowed`
/// false).
pub(crate) fn set_remote_content(store: &Store, address: &str, allowed: bool) -> ApiResult<()> {
    let address = address.trim();
    if !address.contains('@') {
        return Err(ApiError::invalid(
            "address",
            format!("{address:?} is not an email address"),
        ));
    }
    Ok(store.write(|tx| tx.set_remote_content(address, allowed))?)
}
