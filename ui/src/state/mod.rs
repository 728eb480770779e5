//! Pure UI state and reducers. No DOM, no IPC: unit-tested natively.

pub mod cluster;
pub mod detail;
pub mod fleet;
pub mod form_errors;
pub mod import;
pub mod logs;
pub mod reasons;
pub mod rollouts;
pub mod settings;
pub mod sites;
pub mod snapshot;
pub mod time;
pub mod upgrades;
pub mod viewport;

#[cfg(test)]
pub(crate) mod fixtures;

use outpost_ipc::{AppInfo, ErrorKind, IpcError};
use std::rc::Rc;
use yew::Reducible;

/// The main areas of the app, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Map,
    Sites,
    Logs,
    Rollouts,
    Upgrades,
    Settings,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Map,
        View::Sites,
        View::Logs,
        View::Rollouts,
        View::Upgrades,
        View::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            View::Map => "Map",
            View::Sites => "Sites",
            View::Logs => "Logs",
            View::Rollouts => "Rollouts",
            View::Upgrades => "Upgrades",
            View::Settings => "Settings",
        }
    }

    /// Stable id used in element ids and tests.
    pub fn id(self) -> &'static str {
        match self {
            View::Map => "map",
            View::Sites => "sites",
            View::Logs => "logs",
            View::Rollouts => "rollouts",
            View::Upgrades => "upgrades",
            View::Settings => "settings",
        }
    }

    /// The keyboard shortcut that opens this view.
    pub fn shortcut(self) -> char {
        match self {
            View::Map => '1',
            View::Sites => '2',
            View::Logs => '3',
            View::Rollouts => '4',
            View::Upgrades => '5',
            View::Settings => '6',
        }
    }

    pub fn from_shortcut(c: char) -> Option<View> {
        View::ALL.into_iter().find(|v| v.shortcut() == c)
    }
}

/// A value loaded from the backend.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load<T> {
    #[default]
    Loading,
    Ready(T),
    Failed(IpcError),
}

/// Top-level state of the shell.
#[derive(Debug, Clone, PartialEq)]
pub struct Shell {
    pub view: View,
    pub info: Load<AppInfo>,
    /// The site whose view is open over the current area, if any.
    pub site: Option<String>,
    /// Bumped by `/`: the sites view focuses its search field when this changes.
    pub search_focus: u32,
    pub overlay: Option<Overlay>,
    /// A profile switch (opening or leaving the demo) is under way.
    pub switching: bool,
    /// Why the last profile switch failed.
    pub switch_error: Option<IpcError>,
}

/// A layer over the current view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    /// The keyboard shortcuts (`?`).
    Help,
    /// The import wizard.
    Import,
}

impl Shell {
    /// Whether the demo profile is active.
    pub fn is_demo(&self) -> bool {
        matches!(&self.info, Load::Ready(i) if i.profile == "demo")
    }
}

impl Default for Shell {
    fn default() -> Self {
        Self {
            view: View::Map,
            info: Load::Loading,
            site: None,
            search_focus: 0,
            overlay: None,
            switching: false,
            switch_error: None,
        }
    }
}

/// Everything that changes the shell.
#[derive(Debug, Clone, PartialEq)]
pub enum ShellAction {
    Navigate(View),
    /// A key pressed outside text fields.
    Key(char),
    InfoLoaded(Result<AppInfo, IpcError>),
    /// Open a site's view (from the map or the list).
    OpenSite(String),
    /// Back from the site view to the area it was opened from.
    CloseSite,
    Show(Overlay),
    CloseOverlay,
    /// Opening or leaving the demo started.
    Switching,
    /// It ended: the new profile's info, or why it failed.
    Switched(Result<AppInfo, IpcError>),
}

impl Shell {
    /// The reducer, as a plain function.
    pub fn apply(&self, action: ShellAction) -> Shell {
        let mut next = self.clone();
        match action {
            ShellAction::Navigate(v) => {
                next.view = v;
                next.site = None;
            }
            ShellAction::Key(_) if self.overlay == Some(Overlay::Import) => {}
            ShellAction::Key('/') => {
                next.view = View::Sites;
                next.site = None;
                next.overlay = None;
                next.search_focus = self.search_focus.wrapping_add(1);
            }
            ShellAction::Key('?') => {
                next.overlay = match self.overlay {
                    Some(Overlay::Help) => None,
                    _ => Some(Overlay::Help),
                }
            }
            ShellAction::Key(c) => {
                if let Some(v) = View::from_shortcut(c) {
                    next.view = v;
                    next.site = None;
                }
            }
            ShellAction::OpenSite(name) => next.site = Some(name),
            ShellAction::CloseSite => next.site = None,
            ShellAction::InfoLoaded(Ok(info)) => next.info = Load::Ready(info),
            ShellAction::InfoLoaded(Err(e)) => next.info = Load::Failed(e),
            ShellAction::Show(o) => next.overlay = Some(o),
            ShellAction::CloseOverlay => next.overlay = None,
            ShellAction::Switching => {
                next.switching = true;
                next.switch_error = None;
            }
            ShellAction::Switched(r) => {
                next.switching = false;
                next.site = None;
                match r {
                    Ok(info) => {
                        next.info = Load::Ready(info);
                        next.view = View::Map;
                    }
                    Err(e) => next.switch_error = Some(e),
                }
            }
        }
        next
    }
}

impl Reducible for Shell {
    type Action = ShellAction;

    fn reduce(self: Rc<Self>, action: ShellAction) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

/// Turns a plain-string rejection from Tauri into a typed error.
pub fn classify_rejection(cmd: &str, text: &str) -> IpcError {
    let kind = if text.contains("not allowed") || text.contains("denied") {
        ErrorKind::Denied
    } else {
        ErrorKind::Internal
    };
    IpcError::new(kind, format!("{cmd}: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> AppInfo {
        AppInfo {
            version: "0.1.0".into(),
            data_dir: "/d".into(),
            site_count: 3,
            profile: "default".into(),
            platform: "linux-x86_64".into(),
        }
    }

    #[test]
    fn navigation_and_shortcuts() {
        let s = Shell::default();
        assert_eq!(s.view, View::Map);
        let s = s.apply(ShellAction::Navigate(View::Logs));
        assert_eq!(s.view, View::Logs);
        let s = s.apply(ShellAction::Key('6'));
        assert_eq!(s.view, View::Settings);
        let s = s.apply(ShellAction::Key('x'));
        assert_eq!(s.view, View::Settings, "unknown keys change nothing");
        for v in View::ALL {
            assert_eq!(View::from_shortcut(v.shortcut()), Some(v));
        }
    }

    #[test]
    fn open_close_site_and_slash_focuses_search() {
        let s = Shell::default().apply(ShellAction::OpenSite("munich-ost".into()));
        assert_eq!(s.site.as_deref(), Some("munich-ost"));
        assert_eq!(s.view, View::Map, "the site opens over the current area");
        assert_eq!(s.apply(ShellAction::CloseSite).site, None);
        assert_eq!(s.apply(ShellAction::Navigate(View::Logs)).site, None);
        let f = s.apply(ShellAction::Key('/'));
        assert_eq!(
            (f.view, f.site.clone(), f.search_focus),
            (View::Sites, None, 1)
        );
        assert_eq!(f.apply(ShellAction::Key('/')).search_focus, 2);
    }

    #[test]
    fn info_load_success_and_failure() {
        let s = Shell::default().apply(ShellAction::InfoLoaded(Ok(info())));
        assert_eq!(s.info, Load::Ready(info()));
        let err = IpcError::new(ErrorKind::Storage, "disk full");
        let s = s.apply(ShellAction::InfoLoaded(Err(err.clone())));
        assert_eq!(s.info, Load::Failed(err));
    }

    #[test]
    fn help_toggles_and_the_import_wizard_swallows_shortcuts() {
        let s = Shell::default().apply(ShellAction::Key('?'));
        assert_eq!(s.overlay, Some(Overlay::Help));
        assert_eq!(s.apply(ShellAction::Key('?')).overlay, None);
        let s = s.apply(ShellAction::Show(Overlay::Import));
        let typed = s.apply(ShellAction::Key('2'));
        assert_eq!(
            (typed.view, typed.overlay),
            (View::Map, Some(Overlay::Import))
        );
        assert_eq!(typed.apply(ShellAction::CloseOverlay).overlay, None);
    }

    #[test]
    fn switching_profiles_resets_the_view_and_keeps_errors() {
        let s = Shell::default()
            .apply(ShellAction::Navigate(View::Sites))
            .apply(ShellAction::OpenSite("a".into()))
            .apply(ShellAction::Switching);
        assert!(s.switching);
        let mut demo = info();
        demo.profile = "demo".into();
        let ok = s.apply(ShellAction::Switched(Ok(demo)));
        assert!(!ok.switching && ok.is_demo());
        assert_eq!((ok.view, ok.site.as_deref()), (View::Map, None));
        let failed = s.apply(ShellAction::Switched(Err(IpcError::new(
            ErrorKind::Internal,
            "x",
        ))));
        assert!(!failed.switching && !failed.is_demo());
        assert_eq!(failed.switch_error.map(|e| e.message), Some("x".into()));
    }

    #[test]
    fn acl_rejections_are_classified_as_denied() {
        let e = classify_rejection("plugin:store|set", "plugin:store|set not allowed by ACL");
        assert_eq!(e.kind, ErrorKind::Denied);
        assert_eq!(classify_rejection("x", "boom").kind, ErrorKind::Internal);
    }
}
