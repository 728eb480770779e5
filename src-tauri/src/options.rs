//! Command-line options of `outpost-desktop`.

use outpost_core::paths::{DEFAULT_PROFILE, Home, PathError};
use std::path::PathBuf;

/// What the desktop app was started with.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options {
    /// Open straight into the built-in demo fleet (its own profile).
    pub demo: bool,
    /// Data directory override (else `$OUTPOST_HOME`, else the OS data directory).
    pub home: Option<PathBuf>,
    pub help: bool,
}

/// A command-line mistake.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    #[error("{0} needs a value")]
    MissingValue(&'static str),
    #[error("unknown argument {0:?}")]
    Unknown(String),
}

impl Options {
    pub const USAGE: &'static str = "usage: outpost-desktop [--demo] [--home PATH]\n  \
        --demo       open the built-in twelve-site demo fleet (kept apart from real sites)\n  \
        --home PATH  data directory (default: $OUTPOST_HOME, else the OS data directory)";

    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, OptionsError> {
        let mut o = Options::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--demo" => o.demo = true,
                "--home" => {
                    o.home = Some(
                        it.next()
                            .ok_or(OptionsError::MissingValue("--home"))?
                            .into(),
                    )
                }
                "-h" | "--help" => o.help = true,
                s if s.starts_with("--home=") => o.home = Some(s["--home=".len()..].into()),
                // Injected by some launchers (macOS) and harmless elsewhere.
                s if s.starts_with("-psn_") => {}
                other => return Err(OptionsError::Unknown(other.to_string())),
            }
        }
        Ok(o)
    }

    /// The default profile's directory (settings and the app's log live there; the
    /// demo's sites live in their own profile beside it).
    pub fn home(&self) -> Result<Home, PathError> {
        Home::resolve(self.home.as_deref(), DEFAULT_PROFILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, OptionsError> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_demo_and_home() {
        let o = parse(&["--demo", "--home", "/tmp/x"]).unwrap();
        assert!(o.demo);
        assert_eq!(o.home, Some(PathBuf::from("/tmp/x")));
        assert_eq!(o.home().unwrap().profile(), DEFAULT_PROFILE);
        assert_eq!(
            parse(&["--home=/y"]).unwrap().home,
            Some(PathBuf::from("/y"))
        );
    }

    #[test]
    fn rejects_unknown_and_missing_values() {
        assert_eq!(
            parse(&["--bogus"]),
            Err(OptionsError::Unknown("--bogus".into()))
        );
        assert_eq!(
            parse(&["--home"]),
            Err(OptionsError::MissingValue("--home"))
        );
    }
}
