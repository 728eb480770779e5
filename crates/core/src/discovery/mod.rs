//! Finding clusters: kubeconfigs already on this machine ([`local`]) and API servers on
//! the LAN ([`scan`]).

use crate::error::ErrorKind;

pub mod local;
pub mod scan;

/// Errors from discovery.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("invalid CIDR {0:?}: expected IPv4 like 192.168.1.0/24")]
    InvalidCidr(String),
    #[error("{cidr} has {hosts} addresses: scan at most a /16")]
    TooLarge { cidr: String, hosts: u64 },
    #[error("invalid port list {0:?}: expected e.g. 6443,16443")]
    InvalidPorts(String),
}

impl DiscoveryError {
    /// Coarse category for mapping to IPC and exit codes.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}
