//! Application-level commands: what the shell shows on start, and settings.

use crate::Command;
use serde::{Deserialize, Serialize};

/// `app_info`: version, data directory and site count, shown in the status bar.
pub struct AppInfoCmd;

impl Command for AppInfoCmd {
    const NAME: &'static str = "app_info";
    type Request = AppInfoRequest;
    type Response = AppInfo;
}

/// No parameters yet; a struct so fields can be added without changing the wire shape.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppInfoRequest {}

/// What the backend knows about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppInfo {
    /// Outpost's version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// Where sites, settings, snapshots and logs live.
    pub data_dir: String,
    /// Number of configured sites in the active profile.
    pub site_count: usize,
    /// The active profile: `default`, or `demo` for the built-in demo fleet.
    pub profile: String,
    /// The OS/architecture the backend runs on, e.g. `linux-x86_64`.
    pub platform: String,
}

/// Colour theme preference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    Light,
    Dark,
}

/// User settings, persisted under the `settings` key of the profile's `outpost.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub theme: Theme,
    /// Per-request deadline towards a site, in milliseconds.
    pub request_timeout_ms: u64,
    /// Connect timeout towards a site, in milliseconds.
    pub connect_timeout_ms: u64,
    /// Lines kept by the log viewer's ring buffer.
    pub log_buffer_lines: usize,
}

impl Settings {
    pub const MIN_TIMEOUT_MS: u64 = 100;
    pub const MAX_TIMEOUT_MS: u64 = 120_000;
    pub const MIN_LOG_LINES: usize = 1_000;
    pub const MAX_LOG_LINES: usize = 5_000_000;

    /// Checks ranges; the error names the offending field.
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        let t = Self::MIN_TIMEOUT_MS..=Self::MAX_TIMEOUT_MS;
        if !t.contains(&self.request_timeout_ms) {
            return Err(InvalidSetting::range("request_timeout_ms", &t));
        }
        if !t.contains(&self.connect_timeout_ms) {
            return Err(InvalidSetting::range("connect_timeout_ms", &t));
        }
        let lines = Self::MIN_LOG_LINES..=Self::MAX_LOG_LINES;
        if !lines.contains(&self.log_buffer_lines) {
            return Err(InvalidSetting::range("log_buffer_lines", &lines));
        }
        Ok(())
    }
}

/// A setting outside its allowed range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    pub field: &'static str,
    pub message: String,
}

impl InvalidSetting {
    fn range<T: std::fmt::Display>(field: &'static str, r: &std::ops::RangeInclusive<T>) -> Self {
        Self {
            field,
            message: format!("{field} must be between {} and {}", r.start(), r.end()),
        }
    }
}

impl std::fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InvalidSetting {}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::System,
            request_timeout_ms: 5_000,
            connect_timeout_ms: 2_000,
            log_buffer_lines: 1_000_000,
        }
    }
}

/// `get_settings`: the current settings (defaults when none were saved).
pub struct GetSettingsCmd;

impl Command for GetSettingsCmd {
    const NAME: &'static str = "get_settings";
    type Request = GetSettingsRequest;
    type Response = Settings;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetSettingsRequest {}

/// `set_settings`: validate and persist new settings; answers what was stored.
pub struct SetSettingsCmd;

impl Command for SetSettingsCmd {
    const NAME: &'static str = "set_settings";
    type Request = Settings;
    type Response = Settings;
}

/// `export_app_log`: copies the app's current log file to the Downloads folder (the
/// data directory when there is none), for a support request. Logs never hold secrets.
pub struct ExportAppLogCmd;

impl Command for ExportAppLogCmd {
    const NAME: &'static str = "export_app_log";
    type Request = ExportAppLogRequest;
    type Response = ExportedFile;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportAppLogRequest {}

/// A file the app wrote for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedFile {
    pub path: String,
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_default_is_valid_and_partial_json_fills_defaults() {
        assert!(Settings::default().validate().is_ok());
        let s: Settings = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.log_buffer_lines, Settings::default().log_buffer_lines);
    }

    #[test]
    fn settings_validation_names_the_field() {
        let s = Settings {
            request_timeout_ms: 5,
            ..Settings::default()
        };
        assert_eq!(s.validate().unwrap_err().field, "request_timeout_ms");
        let s = Settings {
            log_buffer_lines: 10,
            ..Settings::default()
        };
        assert_eq!(s.validate().unwrap_err().field, "log_buffer_lines");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let r: Result<AppInfo, _> = serde_json::from_str(
            r#"{"version":"1","data_dir":"/x","site_count":0,"profile":"default","platform":"p","extra":1}"#,
        );
        assert!(r.is_err());
    }
}
