//! LAN scan: unauthenticated `GET https://addr:port/version` on every address of an IPv4
//! CIDR (at most a /16), with bounded concurrency and short timeouts. Certificates are
//! not verified: the results only say where an API server answers.

use super::DiscoveryError;
use crate::net::tls::get_version;
use crate::registry::Distro;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::task::JoinSet;

/// Scan settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub ports: Vec<u16>,
    pub concurrency: usize,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            ports: vec![6443, 16443],
            concurrency: 64,
            connect_timeout: Duration::from_millis(300),
            request_timeout: Duration::from_secs(1),
        }
    }
}

/// An API server that answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub address: IpAddr,
    pub port: u16,
    pub distro: Distro,
    pub version: String,
}

/// Parses `6443,16443`.
pub fn parse_ports(s: &str) -> Result<Vec<u16>, DiscoveryError> {
    let ports: Result<Vec<u16>, _> = s.split(',').map(|p| p.trim().parse::<u16>()).collect();
    match ports {
        Ok(p) if !p.is_empty() && !p.contains(&0) => Ok(p),
        _ => Err(DiscoveryError::InvalidPorts(s.to_string())),
    }
}

/// The host addresses of an IPv4 CIDR (network and broadcast excluded below /31).
pub fn hosts(cidr: &str) -> Result<Vec<Ipv4Addr>, DiscoveryError> {
    let bad = || DiscoveryError::InvalidCidr(cidr.to_string());
    let (ip, len) = cidr.split_once('/').ok_or_else(bad)?;
    let ip: Ipv4Addr = ip.trim().parse().map_err(|_| bad())?;
    let len: u32 = len.trim().parse().map_err(|_| bad())?;
    if len > 32 {
        return Err(bad());
    }
    let size = 1u64 << (32 - len);
    if len < 16 {
        return Err(DiscoveryError::TooLarge {
            cidr: cidr.to_string(),
            hosts: size,
        });
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    let net = u32::from(ip) & mask;
    let (first, last) = if len >= 31 {
        (net, net + (size as u32 - 1))
    } else {
        (net + 1, net + (size as u32 - 2))
    };
    Ok((first..=last).map(Ipv4Addr::from).collect())
}

/// Classifies an answer.
pub fn distro_of(git_version: &str, port: u16) -> Distro {
    if git_version.contains("+k3s") {
        Distro::K3s
    } else if port == 16443 {
        Distro::MicroK8s
    } else {
        Distro::Kubernetes
    }
}

/// Scans `cidr`; results are sorted by address then port.
pub async fn scan(cidr: &str, opts: &ScanOptions) -> Result<Vec<Found>, DiscoveryError> {
    let targets: Vec<SocketAddr> = hosts(cidr)?
        .into_iter()
        .flat_map(|ip| {
            opts.ports
                .iter()
                .map(move |p| SocketAddr::new(IpAddr::V4(ip), *p))
        })
        .collect();
    tracing::info!(cidr, targets = targets.len(), "scanning");
    let mut out = Vec::new();
    let mut set = JoinSet::new();
    let mut it = targets.into_iter();
    let limit = opts.concurrency.max(1);
    loop {
        while set.len() < limit {
            let Some(addr) = it.next() else { break };
            let (ct, rt) = (opts.connect_timeout, opts.request_timeout);
            set.spawn(async move {
                let sni = addr.ip().to_string();
                get_version(addr, &sni, ct, rt).await.ok().map(|v| Found {
                    address: addr.ip(),
                    port: addr.port(),
                    distro: distro_of(&v.git_version, addr.port()),
                    version: v.git_version,
                })
            });
        }
        match set.join_next().await {
            Some(Ok(Some(f))) => out.push(f),
            Some(_) => {}
            None => break,
        }
    }
    out.sort_by_key(|f| (f.address, f.port));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Pki, VersionServer};

    #[test]
    fn cidr_hosts_and_limits() {
        let h = hosts("127.77.0.0/28").unwrap();
        assert_eq!(h.len(), 14);
        assert_eq!(h[0], Ipv4Addr::new(127, 77, 0, 1));
        assert_eq!(hosts("10.0.0.7/32").unwrap(), [Ipv4Addr::new(10, 0, 0, 7)]);
        assert_eq!(hosts("10.0.0.0/16").unwrap().len(), 65534);
        let e = hosts("10.0.0.0/15").unwrap_err();
        assert!(e.to_string().contains("at most a /16"));
        for bad in ["10.0.0.0", "10.0.0/24", "10.0.0.0/33", "::1/128"] {
            assert_eq!(
                hosts(bad).unwrap_err().kind(),
                crate::error::ErrorKind::InvalidInput,
                "{bad}"
            );
        }
        assert_eq!(parse_ports("6443, 16443").unwrap(), [6443, 16443]);
        assert!(parse_ports("x").is_err());
    }

    #[test]
    fn distro_classification() {
        assert_eq!(distro_of("v1.31.4+k3s1", 6443), Distro::K3s);
        assert_eq!(distro_of("v1.30.5", 16443), Distro::MicroK8s);
        assert_eq!(distro_of("v1.30.5", 6443), Distro::Kubernetes);
    }

    #[tokio::test]
    async fn finds_the_loopback_responders_only() {
        let pki = Pki::new("ca");
        let s1 = pki.serving(&["127.77.0.5"]);
        let s2 = pki.serving(&["127.77.0.9"]);
        // Real API ports on their own loopback addresses; fall back to free ports if taken.
        let bind = |ip: &str, port: u16, c: &crate::testing::Issued, v: &str| {
            VersionServer::start(
                format!("{ip}:{port}").parse().unwrap(),
                &c.cert_pem,
                &c.key_pem,
                v,
            )
            .or_else(|_| {
                VersionServer::start(
                    format!("{ip}:0").parse().unwrap(),
                    &c.cert_pem,
                    &c.key_pem,
                    v,
                )
            })
            .unwrap()
        };
        let k3s = bind("127.77.0.5", 6443, &s1, "v1.31.4+k3s1");
        let mk = bind("127.77.0.9", 16443, &s2, "v1.30.5");
        let mut ports = vec![6443, 16443, k3s.addr.port(), mk.addr.port()];
        ports.sort();
        ports.dedup();
        let opts = ScanOptions {
            ports,
            ..Default::default()
        };
        let found = scan("127.77.0.0/28", &opts).await.unwrap();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].address, k3s.addr.ip());
        assert_eq!(found[0].port, k3s.addr.port());
        assert_eq!(found[0].distro, Distro::K3s);
        assert_eq!(found[0].version, "v1.31.4+k3s1");
        assert_eq!(found[1].address, mk.addr.ip());
        assert_eq!(found[1].version, "v1.30.5");
        if mk.addr.port() == 16443 {
            assert_eq!(found[1].distro, Distro::MicroK8s);
        }
    }
}
