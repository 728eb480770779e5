//! Per-site Kubernetes clients: a [`kube::Client`] built from a [`Site`] and its keyring
//! credentials (connect timeout, per-request deadlines, TLS server name, insecure and
//! exec only when the site opted in), a TLS probe that classifies connection failures,
//! and a per-site cache.

use crate::error::ErrorKind;

mod build;
mod cache;
mod classify;
mod limit;
mod observe;
mod probe;
mod stack;
#[cfg(test)]
mod tests;

pub use build::{Timeouts, build_clients};
pub use cache::{ClientCache, SiteClients};
pub use classify::classify;
pub use limit::{Limits, MAX_OBJECTS, TooLarge, too_large};
pub use observe::{Handshake, NotHttp2};
pub use probe::{Probe, probe};

use crate::credentials::CredentialError;

/// Why talking to a site failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    /// Connection refused, no route, DNS failure.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// No answer within the deadline (a blackholed or very slow site).
    #[error("timed out: {0}")]
    Timeout(String),
    /// The server's certificate is not trusted (unknown CA, expired, name mismatch).
    #[error("TLS failed: {0}")]
    Tls(String),
    /// 401/403, or credentials that cannot be used.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The keyring could not give the site's credentials.
    #[error("credentials: {0}")]
    Credentials(String),
    /// The site record cannot be turned into a client.
    #[error("invalid site configuration: {0}")]
    Config(String),
    /// The API answered with an error status (429, 5xx, …).
    #[error("API error {code}: {reason}")]
    Api { code: u16, reason: String },
    /// The site sent more than a bound allows (a response's bytes or items, a watch
    /// event, objects of one kind): a compromised or broken site.
    #[error("too large: {site} sent more than {limit} {what}")]
    TooLarge {
        site: String,
        what: String,
        limit: u64,
    },
}

impl ClientError {
    /// What kind of failure: credentials the keyring cannot give count as `Auth`, a site
    /// record that cannot become a client as `InvalidInput`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Unreachable(_) => ErrorKind::Unreachable,
            ClientError::Timeout(_) => ErrorKind::Timeout,
            ClientError::Tls(_) => ErrorKind::Tls,
            ClientError::Auth(_) | ClientError::Credentials(_) => ErrorKind::Auth,
            ClientError::Config(_) => ErrorKind::InvalidInput,
            ClientError::Api { .. } => ErrorKind::Api,
            ClientError::TooLarge { .. } => ErrorKind::TooLarge,
        }
    }

    /// More than `limit` `what` (objects of a kind, …) from `site`.
    pub fn too_large(site: &str, what: impl Into<String>, limit: u64) -> ClientError {
        ClientError::TooLarge {
            site: site.to_string(),
            what: what.into(),
            limit,
        }
    }
}

impl From<TooLarge> for ClientError {
    fn from(t: TooLarge) -> Self {
        ClientError::TooLarge {
            site: t.site,
            what: t.what,
            limit: t.limit,
        }
    }
}

impl From<CredentialError> for ClientError {
    fn from(e: CredentialError) -> Self {
        match e {
            CredentialError::Missing(_) => ClientError::Auth(e.to_string()),
            other => ClientError::Credentials(other.to_string()),
        }
    }
}

/// Whether an error is a connection the peer cut (reset, closed mid-way), which a new
/// connection may well get past; a refused connection or a timeout is not.
pub fn is_cut(e: &ClientError) -> bool {
    let ClientError::Unreachable(m) = e else {
        return false;
    };
    let l = m.to_ascii_lowercase();
    !l.contains("refused")
        && [
            "reset",
            "eof",
            "closed",
            "broken pipe",
            "aborted",
            "sendrequest",
        ]
        .iter()
        .any(|p| l.contains(p))
}

/// Runs `f` up to `attempts` times while it fails with a cut connection (a flaky
/// link), 50 ms apart, doubling.
pub async fn retry_cut<T, F, Fut>(attempts: u32, mut f: F) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let mut pause = std::time::Duration::from_millis(50);
    let mut left = attempts.max(1);
    loop {
        left -= 1;
        match f().await {
            Err(e) if left > 0 && is_cut(&e) => {
                tracing::debug!(reason = %e, "connection cut; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            r => return r,
        }
    }
}

/// Runs `fut` with a deadline, mapping the elapsed deadline to [`ClientError::Timeout`].
pub async fn with_deadline<T>(
    deadline: std::time::Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, ClientError>>,
) -> Result<T, ClientError> {
    tokio::time::timeout(deadline, fut)
        .await
        .map_err(|_| ClientError::Timeout(format!("{what}: no answer within {deadline:?}")))?
}
