//! Log text of the distro's own components: CoreDNS queries, Traefik access logs,
//! klog-style controller lines, and the k3s-upgrade script of system-upgrade Jobs.

use super::objects::mix;

/// Which system component writes the lines (from the `sim.outpost.dev/logs` annotation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemLog {
    CoreDns,
    Traefik,
    Klog,
    Upgrade,
}

impl SystemLog {
    pub fn parse(s: &str) -> Option<SystemLog> {
        match s {
            "coredns" => Some(SystemLog::CoreDns),
            "traefik" => Some(SystemLog::Traefik),
            "klog" => Some(SystemLog::Klog),
            "k3s-upgrade" => Some(SystemLog::Upgrade),
            _ => None,
        }
    }

    pub fn annotation(self) -> &'static str {
        match self {
            SystemLog::CoreDns => "coredns",
            SystemLog::Traefik => "traefik",
            SystemLog::Klog => "klog",
            SystemLog::Upgrade => "k3s-upgrade",
        }
    }

    /// Mean spacing of lines in milliseconds.
    pub fn period_ms(self) -> f64 {
        match self {
            SystemLog::CoreDns => 2500.0,
            SystemLog::Traefik => 1500.0,
            SystemLog::Klog => 6000.0,
            SystemLog::Upgrade => 900.0,
        }
    }
}

fn pick<'a>(h: u64, xs: &[&'a str]) -> &'a str {
    xs[(h % xs.len() as u64) as usize]
}

const NAMES: [&str; 8] = [
    "pos-terminal.retail.svc.cluster.local.",
    "mqtt-broker.factory.svc.cluster.local.",
    "local-cache.retail.svc.cluster.local.",
    "registry.local.",
    "kubernetes.default.svc.cluster.local.",
    "time.cloudflare.com.",
    "api.outpost.example.",
    "db.retail.svc.cluster.local.",
];

const UPGRADE_STEPS: [&str; 12] = [
    "+ upgrade",
    "+ get_k3s_process_info",
    "+ ps -ef",
    "+ grep -E '( |/)k3s .*(server|agent)'",
    "+ K3S_PID=1034",
    "+ info 'K3S binary is running with pid 1034, parent pid 1, release: v1.31.4+k3s1'",
    "+ replace_binary",
    "+ NEW_BINARY=/opt/k3s",
    "+ cp /opt/k3s /host/usr/local/bin/k3s",
    "+ chmod +x /host/usr/local/bin/k3s",
    "+ kill_k3s_process",
    "+ kill -SIGTERM 1034",
];

/// Line `i` of a system component's log.
pub fn line(kind: SystemLog, key: u64, i: u64, ts: jiff::Timestamp) -> Vec<u8> {
    let h = mix(&[key, i]);
    let h2 = mix(&[h, 1]);
    let text = match kind {
        SystemLog::CoreDns => match i {
            0 => ".:53".to_string(),
            1 => format!(
                "[INFO] plugin/reload: Running configuration SHA512 = {:016x}{:016x}",
                key, h
            ),
            2 => "CoreDNS-1.12.0".to_string(),
            _ => {
                let name = NAMES[(h2 % NAMES.len() as u64) as usize];
                let qtype = pick(h >> 4, &["A", "A", "AAAA"]);
                let rcode = if name.ends_with(".example.") {
                    "NXDOMAIN"
                } else {
                    "NOERROR"
                };
                format!(
                    "[INFO] 10.42.{}.{}:{} - {} \"{qtype} IN {name} udp {} false 1232\" {rcode} qr,aa,rd {} {:.6}s",
                    h % 3,
                    2 + (h >> 8) % 200,
                    30000 + (h >> 16) % 30000,
                    (h >> 24) % 65535,
                    40 + name.len(),
                    90 + (h2 >> 8) % 80,
                    0.00005 + ((h2 >> 20) % 900) as f64 / 1e6
                )
            }
        },
        SystemLog::Traefik => {
            if i == 0 {
                "time=\"".to_string()
                    + &ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
                    + "\" level=info msg=\"Configuration loaded from flags.\""
            } else {
                let path = pick(
                    h2,
                    &[
                        "/api/v1/orders",
                        "/api/v1/basket",
                        "/",
                        "/healthz",
                        "/api/v1/products",
                    ],
                );
                let status = pick(h >> 8, &["200", "200", "200", "304", "404", "502"]);
                format!(
                    "192.168.1.{} - - [{}] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"-\" {} \"retail-pos-terminal-8080@kubernetes\" \"http://10.42.{}.{}:8080\" {}ms",
                    10 + h % 200,
                    ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                    100 + h2 % 9000,
                    i,
                    h % 3,
                    2 + (h >> 12) % 200,
                    1 + (h2 >> 16) % 60
                )
            }
        }
        SystemLog::Klog => {
            let us = ts.subsec_microsecond();
            let msg = pick(
                h2,
                &[
                    "\"Successfully synced\" key=\"kube-system/coredns\"",
                    "\"Event occurred\" object=\"kube-system/metrics-server\" reason=\"LeaderElection\"",
                    "\"Starting workers\" count=1",
                    "\"Caches populated\" type=\"*v1.Node\"",
                    "\"Reconciling\" resource=\"nodes\"",
                ],
            );
            format!(
                "I{} {}.{us:06}       1 controller.go:{}] {msg}",
                ts.strftime("%m%d"),
                ts.strftime("%H:%M:%S"),
                100 + h % 300
            )
        }
        SystemLog::Upgrade => match UPGRADE_STEPS.get(i as usize) {
            Some(step) => step.to_string(),
            None if i.is_multiple_of(2) => "+ sleep 5".to_string(),
            None => format!(
                "+ echo 'Waiting for k3s to restart ({})'",
                (i - UPGRADE_STEPS.len() as u64) / 2 + 1
            ),
        },
    };
    text.into_bytes()
}
