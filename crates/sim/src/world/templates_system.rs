//! The distro's own components as workloads: K3s (CoreDNS, local-path-provisioner,
//! metrics-server, Traefik and its svclb DaemonSet), MicroK8s (Calico, CoreDNS), and
//! system-upgrade-controller where installed.

use super::logsystem::SystemLog;
use super::objects::fnv64;
use super::seed::UPGRADE_NAMESPACE;
use super::templates::{Def, LOGS_ANNOTATION, Workload, build, container, tcp_probe, wl};
use crate::resource::Resource;
use crate::spec::{Distro, LogProfile, SiteSpec, WorkloadKind};
use serde_json::{Value, json};

fn system(
    ns: &str,
    name: &str,
    sel: Value,
    image: &str,
    kind: WorkloadKind,
    port: u16,
    replicas: u32,
) -> Value {
    let mut obj = build(Def {
        kind,
        ns,
        name,
        selector: sel,
        replicas,
        containers: vec![container(
            name.trim_start_matches("svclb-"),
            image,
            port,
            ("50m", "64Mi", "500m", "256Mi"),
            json!([]),
            tcp_probe(port),
        )],
        profile: LogProfile::Json,
        crash: false,
    });
    let logs = match name {
        "coredns" => SystemLog::CoreDns,
        "traefik" => SystemLog::Traefik,
        _ => SystemLog::Klog,
    };
    if let Some(a) = obj.pointer_mut("/spec/template/metadata/annotations") {
        a[LOGS_ANNOTATION] = json!(logs.annotation());
    }
    obj
}

/// The distro's own components (and system-upgrade-controller where installed).
pub fn system_workloads(spec: &SiteSpec) -> Vec<Workload> {
    let ks = "kube-system";
    let dep = WorkloadKind::Deployment;
    let dns_ports = json!([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                          {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                          {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]);
    let dns_sel = json!({"k8s-app": "kube-dns"});
    let mut out = Vec::new();
    match spec.distro {
        Distro::K3s => {
            let mut dns = wl(
                Resource::Deployment,
                ks,
                "kube-dns",
                dns_sel.clone(),
                Some(dns_ports),
                system(
                    ks,
                    "coredns",
                    dns_sel,
                    "rancher/mirrored-coredns-coredns:1.12.0",
                    dep,
                    53,
                    1,
                ),
            );
            dns.service_name = "kube-dns".into();
            out.push(dns);
            let s = json!({"app": "local-path-provisioner"});
            out.push(wl(
                Resource::Deployment,
                ks,
                "local-path-provisioner",
                s.clone(),
                None,
                system(
                    ks,
                    "local-path-provisioner",
                    s,
                    "rancher/local-path-provisioner:v0.0.30",
                    dep,
                    8080,
                    1,
                ),
            ));
            let s = json!({"k8s-app": "metrics-server"});
            out.push(wl(Resource::Deployment, ks, "metrics-server", s.clone(),
                Some(json!([{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}])),
                system(ks, "metrics-server", s, "rancher/mirrored-metrics-server:v0.7.2", dep, 10250, 1)));
            let s = json!({"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-kube-system"});
            let mut traefik = wl(
                Resource::Deployment,
                ks,
                "traefik",
                s.clone(),
                Some(
                    json!([{"name": "web", "port": 80, "protocol": "TCP", "targetPort": "web"},
                            {"name": "websecure", "port": 443, "protocol": "TCP", "targetPort": "websecure"}]),
                ),
                system(
                    ks,
                    "traefik",
                    s,
                    "rancher/mirrored-library-traefik:2.11.18",
                    dep,
                    8000,
                    1,
                ),
            );
            traefik.load_balancer = true;
            out.push(traefik);
            let svclb = format!("svclb-traefik-{:08x}", fnv64(spec.name.as_bytes()) as u32);
            let s = json!({"app": svclb, "svccontroller.k3s.cattle.io/svcname": "traefik"});
            let mut obj = system(
                ks,
                &svclb,
                s.clone(),
                "rancher/klipper-lb:v0.4.9",
                WorkloadKind::DaemonSet,
                80,
                0,
            );
            if let Some(c) = obj.pointer_mut("/spec/template/spec/containers/0") {
                c["name"] = json!("lb-tcp-80");
            }
            out.push(wl(Resource::DaemonSet, ks, &svclb, s, None, obj));
        }
        Distro::MicroK8s => {
            let s = json!({"k8s-app": "calico-node"});
            out.push(wl(
                Resource::DaemonSet,
                ks,
                "calico-node",
                s.clone(),
                None,
                system(
                    ks,
                    "calico-node",
                    s,
                    "docker.io/calico/node:v3.28.1",
                    WorkloadKind::DaemonSet,
                    9099,
                    0,
                ),
            ));
            let s = json!({"k8s-app": "calico-kube-controllers"});
            out.push(wl(
                Resource::Deployment,
                ks,
                "calico-kube-controllers",
                s.clone(),
                None,
                system(
                    ks,
                    "calico-kube-controllers",
                    s,
                    "docker.io/calico/kube-controllers:v3.28.1",
                    dep,
                    9094,
                    1,
                ),
            ));
            let mut dns = wl(
                Resource::Deployment,
                ks,
                "kube-dns",
                dns_sel.clone(),
                Some(dns_ports),
                system(ks, "coredns", dns_sel, "coredns/coredns:1.10.1", dep, 53, 1),
            );
            dns.service_name = "kube-dns".into();
            out.push(dns);
        }
    }
    if spec.upgrade_controller {
        let s = json!({"upgrade.cattle.io/controller": "system-upgrade-controller"});
        out.push(wl(
            Resource::Deployment,
            UPGRADE_NAMESPACE,
            "system-upgrade-controller",
            s.clone(),
            None,
            system(
                UPGRADE_NAMESPACE,
                "system-upgrade-controller",
                s,
                "rancher/system-upgrade-controller:v0.14.2",
                dep,
                8080,
                1,
            ),
        ));
    }
    out
}
