//! Settings, kept under the `settings` key of the profile's store file (`outpost.json`,
//! in the tauri-plugin-store format) that the CLI's site registry shares.
//!
//! `outpost_core::registry::SiteStore` is the file's only writer, in the app as in the
//! CLI: every read and write takes the store's lock and every write is atomic (temp
//! file, fsync, rename). There is no in-memory copy of the file that could be written
//! back later: the app once kept one in tauri-plugin-store, which saved it on exit and
//! so undid every site imported or removed since start-up (issue 12).

use crate::error;
use outpost_core::paths::Home;
use outpost_core::registry::SiteStore;
use outpost_ipc::{ErrorKind, IpcError, Settings};

/// Store key holding [`Settings`].
pub const SETTINGS_KEY: &str = "settings";

/// The saved settings, or defaults. Invalid saved settings are reported in the log and
/// replaced by defaults in memory only: the file is left as it is until the user saves.
pub fn load(home: &Home) -> Result<Settings, IpcError> {
    let raw = SiteStore::new(home)
        .get_key(SETTINGS_KEY)
        .map_err(|e| error::core(e.kind(), e))?;
    let Some(raw) = raw else {
        return Ok(Settings::default());
    };
    match serde_json::from_value::<Settings>(raw) {
        Ok(s) if s.validate().is_ok() => Ok(s),
        Ok(_) | Err(_) => {
            tracing::warn!(file = %home.store_file().display(), "saved settings are invalid; using defaults");
            Ok(Settings::default())
        }
    }
}

/// Validates and persists `s`, keeping everything else in the file.
pub fn save(home: &Home, s: Settings) -> Result<Settings, IpcError> {
    s.validate()
        .map_err(|e| IpcError::new(ErrorKind::InvalidInput, e.to_string()))?;
    let value = serde_json::to_value(&s)
        .map_err(|e| IpcError::new(ErrorKind::Internal, format!("encode settings: {e}")))?;
    SiteStore::new(home)
        .set_key(SETTINGS_KEY, value)
        .map_err(|e| error::core(e.kind(), e))?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use outpost_core::registry::Site;

    fn site(name: &str, endpoint: &str) -> Site {
        let mut s = outpost_core::testing::site(name, endpoint);
        s.display_name = name.into();
        s.credentials.entries = vec![format!("{name}/token")];
        s
    }

    fn home() -> (tempfile::TempDir, Home) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = Home::at(tmp.path().to_path_buf(), "default").expect("home");
        home.ensure().expect("profile dir");
        (tmp, home)
    }

    #[test]
    fn saving_settings_keeps_sites_another_writer_added() {
        let (_t, home) = home();
        assert_eq!(load(&home).expect("defaults"), Settings::default());
        let store = SiteStore::new(&home);
        store
            .add(site("a", "https://10.0.0.1:6443"))
            .expect("add a");
        let dark = Settings {
            theme: outpost_ipc::Theme::Dark,
            ..Settings::default()
        };
        save(&home, dark.clone()).expect("saved");
        // The CLI adds a site between two settings writes: nothing is lost.
        store
            .add(site("b", "https://10.0.0.2:6443"))
            .expect("add b");
        let mut wide = dark.clone();
        wide.log_buffer_lines = Settings::MAX_LOG_LINES;
        save(&home, wide.clone()).expect("saved again");
        assert_eq!(load(&home).expect("loaded"), wide);
        let names: Vec<String> = store
            .list()
            .expect("sites")
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn invalid_settings_are_refused_and_bad_saved_ones_read_as_defaults() {
        let (_t, home) = home();
        let bad = Settings {
            request_timeout_ms: 1,
            ..Settings::default()
        };
        let e = save(&home, bad).expect_err("refused");
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(!home.store_file().exists(), "nothing written");
        SiteStore::new(&home)
            .set_key(SETTINGS_KEY, serde_json::json!({"request_timeout_ms": "x"}))
            .expect("write junk");
        let before = std::fs::read(home.store_file()).expect("file");
        assert_eq!(load(&home).expect("defaults"), Settings::default());
        assert_eq!(std::fs::read(home.store_file()).expect("file"), before);
    }
}
