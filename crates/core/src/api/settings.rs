//! Settings: on/off switches and numbers.

use super::{ApiResult, Satu};
use crate::{dto, settings};

impl Satu {
    /// Every setting with its value: the on/off ones, then the numeric ones.
    pub fn settings(&self) -> ApiResult<Vec<dto::SettingValue>> {
        settings::all(self.ctx.store())
    }

    /// Chooses a setting (`true` / `false`, `on` / `off`; a number for a numeric one).
    pub fn set_setting(&self, key: &str, value: &str) -> ApiResult<dto::SettingValue> {
        settings::set(self.ctx.store(), key, value)
    }
}
