//! `https://host:port` endpoints and `HOST[:PORT]` addresses, without a URL crate.

use crate::error::ErrorKind;

use std::net::IpAddr;

/// Why an endpoint or address could not be parsed; the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EndpointError(String);

impl EndpointError {
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

/// A parsed API endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Host name or IP (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// Path after the authority (usually empty).
    pub path: String,
}

impl Endpoint {
    /// `https://host:port` (brackets around IPv6), plus the path.
    pub fn url(&self) -> String {
        format!("https://{}{}", self.authority(), self.path)
    }

    /// `host:port`, bracketed for IPv6.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The host as an IP address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// Whether the host is a loopback address or `localhost`.
    pub fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost") || self.ip().is_some_and(|ip| ip.is_loopback())
    }
}

/// Parses an `https://` URL. The message says what is wrong.
pub fn parse_https(url: &str) -> Result<Endpoint, EndpointError> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| EndpointError(format!("endpoint {url:?} must start with https://")))?;
    let (auth, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (host, port) =
        parse_host_port(auth).map_err(|e| EndpointError(format!("endpoint {url:?}: {e}")))?;
    Ok(Endpoint {
        host,
        port: port.unwrap_or(443),
        path: path.trim_end_matches('/').to_string(),
    })
}

/// Parses `HOST[:PORT]` (IPv6 as `[::1]:6443`).
pub fn parse_host_port(s: &str) -> Result<(String, Option<u16>), EndpointError> {
    let s = s.trim();
    let s = s
        .strip_prefix("https://")
        .unwrap_or(s)
        .trim_end_matches('/');
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| EndpointError(format!("{s:?}: missing ']'")))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| EndpointError(format!("{s:?}: expected :PORT after ']'")))?,
            ),
        };
        (h.to_string(), port)
    } else if s.matches(':').count() > 1 {
        (s.to_string(), None)
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    let valid_host = !host.is_empty()
        && (host.parse::<IpAddr>().is_ok()
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'));
    if !valid_host {
        return Err(EndpointError(format!(
            "{host:?} is not a host name or IP address"
        )));
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| EndpointError(format!("port {p:?} must be 1..65535")))?,
        ),
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        let e = parse_https("https://127.0.0.1:6443").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("127.0.0.1", 6443));
        assert!(e.is_loopback());
        let e = parse_https("https://[::1]:16443/").unwrap();
        assert_eq!(e.host, "::1");
        assert_eq!(e.url(), "https://[::1]:16443");
        let e = parse_https("https://k8s.example.org").unwrap();
        assert_eq!(e.port, 443);
        assert!(!e.is_loopback());
        assert!(parse_https("http://x:1").is_err());
        assert!(parse_https("https://x:0").is_err());
        assert!(parse_https("https://a b:1").is_err());
    }

    #[test]
    fn parses_host_port() {
        assert_eq!(
            parse_host_port("10.0.0.5").unwrap(),
            ("10.0.0.5".into(), None)
        );
        assert_eq!(
            parse_host_port("edge.lan:7443").unwrap(),
            ("edge.lan".into(), Some(7443))
        );
        assert_eq!(
            parse_host_port("[fd00::5]:6443").unwrap(),
            ("fd00::5".into(), Some(6443))
        );
        assert!(parse_host_port("x:99999").is_err());
        assert_eq!(
            parse_host_port("https://10.0.0.5:6443/").unwrap(),
            ("10.0.0.5".into(), Some(6443))
        );
    }
}
