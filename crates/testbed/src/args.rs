//! Command lines of a site's programs. Every listener is on the site's own loopback
//! address (`127.0.<n>.1`), so the ports are the real ones and never collide.

use crate::pki::SitePki;
use outpost_sim::spec::Distro;
use std::net::Ipv4Addr;
use std::path::Path;

/// kine's etcd port on the site address.
pub const KINE_PORT: u16 = 2379;
/// kine's metrics port (its default is `:8080` on every interface).
pub const KINE_METRICS_PORT: u16 = 2381;
/// kwok's kubelet server (logs, metrics) for every node of the site.
pub const KUBELET_PORT: u16 = 10250;
pub const CONTROLLER_MANAGER_PORT: u16 = 10257;
pub const SCHEDULER_PORT: u16 = 10259;

/// A site's programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Component {
    Kine,
    ApiServer,
    ControllerManager,
    Scheduler,
    Kwok,
}

impl Component {
    /// Start order; stop in reverse.
    pub const ALL: [Component; 5] = [
        Component::Kine,
        Component::ApiServer,
        Component::ControllerManager,
        Component::Scheduler,
        Component::Kwok,
    ];

    /// The multi-call binary's program name.
    pub fn program(self) -> &'static str {
        match self {
            Component::Kine => "kine",
            Component::ApiServer => "apiserver",
            Component::ControllerManager => "controller-manager",
            Component::Scheduler => "scheduler",
            Component::Kwok => "kwok",
        }
    }
}

/// What the argument builders need to know about a site.
pub struct SiteLayout<'a> {
    pub ip: Ipv4Addr,
    pub port: u16,
    pub distro: Distro,
    pub dir: &'a Path,
    pub pki: &'a SitePki,
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

pub fn args(c: Component, l: &SiteLayout<'_>) -> Vec<String> {
    let ip = l.ip;
    let p = |f: &str| l.pki.file(f);
    let kubeconfig = l.dir.join("components.kubeconfig").display().to_string();
    match c {
        Component::Kine => vec![
            // kine's DefaultParams, which it applies only when no endpoint is given (without
            // them the pure-Go sqlite answers SQLITE_BUSY at once and the apiserver dies).
            format!(
                "--endpoint=sqlite://{}?_journal_mode=WAL&_busy_timeout=30000&_synchronous=NORMAL&_txlock=immediate",
                l.dir.join("db/state.db").display()
            ),
            format!("--listen-address={ip}:{KINE_PORT}"),
            format!("--metrics-bind-address={ip}:{KINE_METRICS_PORT}"),
        ],
        Component::ApiServer => {
            let service_range = match l.distro {
                Distro::K3s => "10.43.0.0/16",
                Distro::MicroK8s => "10.152.183.0/24",
            };
            let mut a = vec![
                format!("--etcd-servers=http://{ip}:{KINE_PORT}"),
                format!("--bind-address={ip}"),
                format!("--advertise-address={ip}"),
                format!("--secure-port={}", l.port),
                format!("--tls-cert-file={}", p("serving.crt")),
                format!("--tls-private-key-file={}", p("serving.key")),
                format!("--client-ca-file={}", p("client-ca.crt")),
                format!("--service-account-key-file={}", p("sa.pub")),
                format!("--service-account-signing-key-file={}", p("sa.key")),
                format!("--service-cluster-ip-range={service_range}"),
                format!("--requestheader-client-ca-file={}", p("front-proxy-ca.crt")),
                format!("--proxy-client-cert-file={}", p("front-proxy-client.crt")),
                format!("--proxy-client-key-file={}", p("front-proxy-client.key")),
                format!("--token-auth-file={}", p("tokens.csv")),
                format!("--cert-dir={}", l.dir.join("apiserver-certs").display()),
            ];
            a.extend(s(&[
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--authorization-mode=Node,RBAC",
                "--allow-privileged=true",
                "--anonymous-auth=false",
                // Endpoints may not hold loopback addresses: no `kubernetes` endpoints.
                "--endpoint-reconciler-type=none",
                "--kubelet-preferred-address-types=InternalIP,Hostname",
                "--requestheader-allowed-names=system:auth-proxy",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-username-headers=X-Remote-User",
                "--profiling=false",
                "--storage-backend=etcd3",
                "--etcd-compaction-interval=0",
                "--watch-cache=true",
            ]));
            a
        }
        Component::ControllerManager => {
            let mut a = vec![
                format!("--kubeconfig={kubeconfig}"),
                format!("--authentication-kubeconfig={kubeconfig}"),
                format!("--authorization-kubeconfig={kubeconfig}"),
                format!("--bind-address={ip}"),
                format!("--secure-port={CONTROLLER_MANAGER_PORT}"),
                format!("--cert-dir={}", l.dir.join("kcm-certs").display()),
                format!("--service-account-private-key-file={}", p("sa.key")),
                format!("--root-ca-file={}", p("ca.crt")),
            ];
            a.extend(s(&[
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--controllers=*",
                "--concurrent-deployment-syncs=5",
                "--node-monitor-grace-period=40s",
                "--profiling=false",
            ]));
            a
        }
        Component::Scheduler => vec![
            format!("--kubeconfig={kubeconfig}"),
            format!("--authentication-kubeconfig={kubeconfig}"),
            format!("--authorization-kubeconfig={kubeconfig}"),
            format!("--bind-address={ip}"),
            format!("--secure-port={SCHEDULER_PORT}"),
            format!("--cert-dir={}", l.dir.join("scheduler-certs").display()),
            "--leader-elect=false".into(),
            "--profiling=false".into(),
        ],
        Component::Kwok => vec![
            format!("--kubeconfig={kubeconfig}"),
            format!("--config={}", l.dir.join("kwok.yaml").display()),
            "--manage-all-nodes=false".into(),
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake".into(),
            format!("--node-ip={ip}"),
            format!("--node-port={KUBELET_PORT}"),
            format!("--server-address={ip}:{KUBELET_PORT}"),
            format!("--tls-cert-file={}", p("serving.crt")),
            format!("--tls-private-key-file={}", p("serving.key")),
            match l.distro {
                Distro::K3s => "--cidr=10.42.0.0/16".into(),
                Distro::MicroK8s => "--cidr=10.1.0.0/16".into(),
            },
        ],
    }
}
