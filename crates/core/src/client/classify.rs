//! Mapping [`kube::Error`] to [`ClientError`].

use super::ClientError;
use std::error::Error as _;

/// The whole error chain as one line (kube wraps hyper wraps io/rustls errors).
fn chain(e: &kube::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Classifies a kube error into reachability categories.
pub fn classify(e: &kube::Error) -> ClientError {
    if let kube::Error::Api(s) = e {
        let reason = if s.message.is_empty() {
            s.reason.clone()
        } else {
            s.message.clone()
        };
        return match s.code {
            401 | 403 => ClientError::Auth(format!("HTTP {}: {reason}", s.code)),
            code => ClientError::Api { code, reason },
        };
    }
    if let Some(t) = super::too_large(e) {
        return t.into();
    }
    if let Some(i) = super::limit::idle(e) {
        return ClientError::Timeout(i.to_string());
    }
    let text = chain(e);
    let l = text.to_ascii_lowercase();
    if l.contains("certificate")
        || l.contains("unknownissuer")
        || l.contains("tls") && l.contains("invalid")
    {
        ClientError::Tls(text)
    } else if l.contains("timed out") || l.contains("timeout") || l.contains("deadline") {
        ClientError::Timeout(text)
    } else if l.contains("refused")
        || l.contains("unreachable")
        || l.contains("no route")
        || l.contains("dns")
        || l.contains("connect")
        || l.contains("reset")
        || l.contains("closed")
    {
        ClientError::Unreachable(text)
    } else if l.contains("401") || l.contains("unauthorized") {
        ClientError::Auth(text)
    } else {
        ClientError::Api {
            code: 0,
            reason: text,
        }
    }
}
