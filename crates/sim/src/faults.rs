//! Faults a site can suffer, switchable at run time.

use crate::error::ErrorKind;

use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FaultError {
    #[error(
        "unknown fault {0:?} (offline, blackhole, rtt[=MS], flaky[=P], slow-logs, expired-cert, wrong-ca, revoked-token, errors, errors-429, errors-500, sleep)"
    )]
    Unknown(String),
}

impl FaultError {
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::BadRequest
    }
}

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    /// Listener closed: connection refused.
    Offline,
    /// Connections accepted, never answered.
    Blackhole,
    /// Added delay per request.
    Rtt(Duration),
    /// Drops this share of connections at random.
    Flaky(f64),
    /// Log streams throttled to a trickle.
    SlowLogs,
    /// Serves an expired certificate.
    ExpiredCert,
    /// Serves a certificate from a CA the kubeconfig does not hold.
    WrongCa,
    /// Credentials revoked: every authenticated request gets 401.
    RevokedToken,
    /// Bursts of 429 (with Retry-After) and 500.
    Errors(ErrorMode),
    /// Laptop sleep: cut every watch and compact history (an action, not a state).
    Sleep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorMode {
    /// Bursts: three 429s, then two 500s, repeating.
    Mixed,
    TooManyRequests,
    Internal,
}

impl FromStr for Fault {
    type Err = FaultError;
    fn from_str(s: &str) -> Result<Fault, FaultError> {
        let (k, arg) = match s.split_once(['=', ':']) {
            Some((k, a)) => (k, Some(a)),
            None => (s, None),
        };
        let bad = || FaultError::Unknown(s.to_string());
        Ok(match k.trim() {
            "offline" => Fault::Offline,
            "blackhole" => Fault::Blackhole,
            "rtt" => Fault::Rtt(Duration::from_millis(
                arg.map(|a| a.trim_end_matches("ms").parse().map_err(|_| bad()))
                    .transpose()?
                    .unwrap_or(300),
            )),
            "flaky" => Fault::Flaky(
                arg.map(|a| a.parse().map_err(|_| bad()))
                    .transpose()?
                    .unwrap_or(0.3),
            ),
            "slow-logs" => Fault::SlowLogs,
            "expired-cert" => Fault::ExpiredCert,
            "wrong-ca" => Fault::WrongCa,
            "revoked-token" | "revoked" | "revoked-credentials" => Fault::RevokedToken,
            "errors" => Fault::Errors(ErrorMode::Mixed),
            "errors-429" => Fault::Errors(ErrorMode::TooManyRequests),
            "errors-500" => Fault::Errors(ErrorMode::Internal),
            "sleep" => Fault::Sleep,
            _ => return Err(bad()),
        })
    }
}

/// The faults currently active on a site.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSet {
    pub offline: bool,
    pub blackhole: bool,
    pub rtt: Option<Duration>,
    pub flaky: Option<f64>,
    pub slow_logs: bool,
    pub expired_cert: bool,
    pub wrong_ca: bool,
    pub revoked: bool,
    pub errors: Option<ErrorMode>,
}

impl FaultSet {
    /// Turns a fault on (Sleep is not a state and changes nothing here).
    pub fn add(&mut self, f: Fault) {
        match f {
            Fault::Offline => self.offline = true,
            Fault::Blackhole => self.blackhole = true,
            Fault::Rtt(d) => self.rtt = Some(d),
            Fault::Flaky(p) => self.flaky = Some(p.clamp(0.0, 1.0)),
            Fault::SlowLogs => self.slow_logs = true,
            Fault::ExpiredCert => self.expired_cert = true,
            Fault::WrongCa => self.wrong_ca = true,
            Fault::RevokedToken => self.revoked = true,
            Fault::Errors(m) => self.errors = Some(m),
            Fault::Sleep => {}
        }
    }

    /// Names of the active faults, for the control endpoint.
    pub fn names(&self) -> Vec<String> {
        let mut v = Vec::new();
        let flags = [
            (self.offline, "offline"),
            (self.blackhole, "blackhole"),
            (self.slow_logs, "slow-logs"),
            (self.expired_cert, "expired-cert"),
            (self.wrong_ca, "wrong-ca"),
            (self.revoked, "revoked-token"),
        ];
        v.extend(
            flags
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| n.to_string()),
        );
        if let Some(d) = self.rtt {
            v.push(format!("rtt={}", d.as_millis()));
        }
        if let Some(p) = self.flaky {
            v.push(format!("flaky={p}"));
        }
        if let Some(m) = self.errors {
            v.push(
                match m {
                    ErrorMode::Mixed => "errors",
                    ErrorMode::TooManyRequests => "errors-429",
                    ErrorMode::Internal => "errors-500",
                }
                .into(),
            );
        }
        v
    }
}

/// The status code the `n`th request gets under an error mode.
pub fn error_status(mode: ErrorMode, n: u64) -> u16 {
    match mode {
        ErrorMode::TooManyRequests => 429,
        ErrorMode::Internal => 500,
        ErrorMode::Mixed => {
            if n % 5 < 3 {
                429
            } else {
                500
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_apply() {
        assert_eq!("offline".parse(), Ok(Fault::Offline));
        assert_eq!(
            "rtt=250".parse(),
            Ok(Fault::Rtt(Duration::from_millis(250)))
        );
        assert_eq!(
            "rtt:40ms".parse(),
            Ok(Fault::Rtt(Duration::from_millis(40)))
        );
        assert_eq!("flaky=0.5".parse(), Ok(Fault::Flaky(0.5)));
        assert!("melt".parse::<Fault>().is_err());
        let mut s = FaultSet::default();
        s.add(Fault::WrongCa);
        s.add(Fault::Errors(ErrorMode::Mixed));
        assert_eq!(s.names(), vec!["wrong-ca".to_string(), "errors".into()]);
        let codes: Vec<u16> = (0..5).map(|n| error_status(ErrorMode::Mixed, n)).collect();
        assert_eq!(codes, vec![429, 429, 429, 500, 500]);
    }
}
