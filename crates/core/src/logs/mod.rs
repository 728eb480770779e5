//! Container logs: one container, every pod of a workload, or the same workload on
//! several sites, merged into one bounded stream.
//!
//! - [`open`] resolves the target on each site through the per-site kube clients
//!   ([`crate::client`]), follows pods that appear (a watch on the workload's selector)
//!   and streams `pods/log` of each container into a [`LogStream`];
//! - each line is sanitised ([`text::render`]: lossy UTF-8, SGR colours as data, every
//!   other escape stripped), capped at [`BufferOptions::max_line_bytes`] with the cut
//!   recorded, tagged with its source (site/pod/container, stable colour index) and
//!   stored in a bounded [`ring::Ring`] under a sequence number;
//! - readers pull batches with a [`Cursor`]; one that falls behind the ring gets a
//!   count of dropped lines instead of unbounded memory;
//! - [`LogStream::query`] filters the whole ring (substring or regex) with an
//!   incremental match index, returning one window for virtualised rendering.

use crate::error::ErrorKind;

mod buffer;
pub mod filter;
mod recorded;
mod resolve;
pub mod ring;
mod source;
mod stream;
pub mod text;

pub use buffer::{BufferOptions, Cursor, Delivery, Notice, SourceInfo};
pub use filter::{FilterSpec, Matcher, QueryResult, Window};
pub use recorded::{Recorded, from_recorded};
pub use resolve::{
    ContainerInfo, PodContainers, Target, WorkloadKind, containers, selector_string,
};
pub use ring::{Line, Ring};
pub use stream::{LogStream, MAX_SITES, OpenSpec, open};

use crate::client::ClientError;

/// Errors of the log viewer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LogError {
    /// The request is malformed (bad name, no site, unknown kind…).
    #[error("{0}")]
    InvalidInput(String),
    /// The filter does not compile.
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// The site, workload, pod or container does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The site could not be asked.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Writing an export failed.
    #[error("cannot write the logs: {0}")]
    Io(String),
}

impl LogError {
    /// Coarse category, using the IPC kind names.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LogError::InvalidInput(_) | LogError::InvalidFilter(_) => ErrorKind::InvalidInput,
            LogError::NotFound(_) => ErrorKind::NotFound,
            LogError::Io(_) => ErrorKind::Storage,
            LogError::Client(c) => match c {
                ClientError::TooLarge { .. } => ErrorKind::Unreachable,
                ClientError::Api { code, .. } => match code {
                    400 | 422 => ErrorKind::InvalidInput,
                    404 => ErrorKind::NotFound,
                    409 => ErrorKind::Conflict,
                    401 | 403 => ErrorKind::Auth,
                    429 | 500..=599 => ErrorKind::Unreachable,
                    _ => ErrorKind::Api,
                },
                other => other.kind(),
            },
        }
    }

    /// From a kube error, through [`crate::client::classify`].
    pub fn kube(e: &kube::Error) -> LogError {
        match crate::client::classify(e) {
            ClientError::Api { code: 404, reason } => LogError::NotFound(reason),
            other => LogError::Client(other),
        }
    }
}

/// A Kubernetes object name: DNS subdomain characters only, at most 253 bytes.
pub(crate) fn check_name(what: &str, s: &str) -> Result<(), LogError> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with(['-', '.'])
        && !s.ends_with(['-', '.']);
    if ok {
        Ok(())
    } else {
        Err(LogError::InvalidInput(format!(
            "{what} {s:?} is not a valid Kubernetes name"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_kinds_mapped() {
        assert!(check_name("pod", "api-7f9c-x2").is_ok());
        assert!(check_name("pod", "a.b").is_ok());
        for bad in [
            "",
            "Api",
            "a/b",
            "-a",
            "a-",
            "../x",
            "<img src=x>",
            &"a".repeat(254),
        ] {
            assert_eq!(
                check_name("pod", bad).map_err(|e| e.kind()),
                Err(crate::error::ErrorKind::InvalidInput),
                "{bad}"
            );
        }
        let api = |code| {
            LogError::Client(ClientError::Api {
                code,
                reason: String::new(),
            })
            .kind()
        };
        assert_eq!(
            (api(400), api(404), api(503), api(418)),
            (
                crate::error::ErrorKind::InvalidInput,
                crate::error::ErrorKind::NotFound,
                crate::error::ErrorKind::Unreachable,
                // Was `internal`: an unexpected status now says "the site's API answered
                // with an error".
                crate::error::ErrorKind::Api
            )
        );
        assert_eq!(
            LogError::Client(ClientError::Timeout("x".into())).kind(),
            crate::error::ErrorKind::Timeout
        );
        assert_eq!(
            LogError::Io("disk".into()).kind(),
            crate::error::ErrorKind::Storage
        );
    }
}
