//! The settings form: edits as text, parsed and validated before saving.

use outpost_ipc::{ErrorKind, IpcError, Settings, Theme};

/// One editable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    RequestTimeout,
    ConnectTimeout,
    LogBufferLines,
}

/// Form state: the saved settings, the text being edited, and the last outcome.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SettingsForm {
    pub saved: Option<Settings>,
    pub theme: Theme,
    pub request_timeout: String,
    pub connect_timeout: String,
    pub log_buffer_lines: String,
    pub status: FormStatus,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum FormStatus {
    #[default]
    Loading,
    Clean,
    Dirty,
    Saving,
    Saved,
    Error(IpcError),
}

#[derive(Debug, Clone, PartialEq)]
pub enum FormAction {
    Loaded(Result<Settings, IpcError>),
    SetTheme(Theme),
    Edit(Field, String),
    Saving,
    Saved(Result<Settings, IpcError>),
}

impl SettingsForm {
    fn fill(&mut self, s: &Settings) {
        self.theme = s.theme;
        self.request_timeout = s.request_timeout_ms.to_string();
        self.connect_timeout = s.connect_timeout_ms.to_string();
        self.log_buffer_lines = s.log_buffer_lines.to_string();
        self.saved = Some(s.clone());
    }

    pub fn apply(&self, action: FormAction) -> SettingsForm {
        let mut n = self.clone();
        match action {
            FormAction::Loaded(Ok(s)) => {
                n.fill(&s);
                n.status = FormStatus::Clean;
            }
            FormAction::Loaded(Err(e)) | FormAction::Saved(Err(e)) => {
                n.status = FormStatus::Error(e)
            }
            FormAction::SetTheme(t) => {
                n.theme = t;
                n.status = FormStatus::Dirty;
            }
            FormAction::Edit(f, v) => {
                match f {
                    Field::RequestTimeout => n.request_timeout = v,
                    Field::ConnectTimeout => n.connect_timeout = v,
                    Field::LogBufferLines => n.log_buffer_lines = v,
                }
                n.status = FormStatus::Dirty;
            }
            FormAction::Saving => n.status = FormStatus::Saving,
            FormAction::Saved(Ok(s)) => {
                n.fill(&s);
                n.status = FormStatus::Saved;
            }
        }
        n
    }

    /// The settings the form describes, or an error naming the bad field.
    pub fn parse(&self) -> Result<Settings, IpcError> {
        fn num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, IpcError> {
            v.trim().parse().map_err(|_| {
                IpcError::new(
                    ErrorKind::InvalidInput,
                    format!("{name} must be a whole number"),
                )
            })
        }
        let s = Settings {
            theme: self.theme,
            request_timeout_ms: num("Request timeout", &self.request_timeout)?,
            connect_timeout_ms: num("Connect timeout", &self.connect_timeout)?,
            log_buffer_lines: num("Log buffer", &self.log_buffer_lines)?,
        };
        s.validate()
            .map_err(|e| IpcError::new(ErrorKind::InvalidInput, e.to_string()))?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_edit_parse_save_cycle() {
        let f = SettingsForm::default().apply(FormAction::Loaded(Ok(Settings::default())));
        assert_eq!(f.status, FormStatus::Clean);
        assert_eq!(f.request_timeout, "5000");
        let f = f.apply(FormAction::Edit(Field::RequestTimeout, " 8000 ".into()));
        assert_eq!(f.status, FormStatus::Dirty);
        assert_eq!(f.parse().unwrap().request_timeout_ms, 8000);
        let saved = f.parse().unwrap();
        let f = f.apply(FormAction::Saved(Ok(saved.clone())));
        assert_eq!(f.status, FormStatus::Saved);
        assert_eq!(f.saved, Some(saved));
    }

    #[test]
    fn bad_numbers_and_ranges_are_reported_by_field() {
        let f = SettingsForm::default().apply(FormAction::Loaded(Ok(Settings::default())));
        let e = f
            .apply(FormAction::Edit(Field::LogBufferLines, "lots".into()))
            .parse()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("Log buffer"));
        let e = f
            .apply(FormAction::Edit(Field::ConnectTimeout, "1".into()))
            .parse()
            .unwrap_err();
        assert!(e.message.contains("connect_timeout_ms"));
    }
}
