//! Workload objects: the distro's system components and the site's own workloads, as
//! Deployments, StatefulSets and DaemonSets with realistic pod templates.

use super::logsystem::SystemLog;
use super::objects::fnv64;
use super::seed::UPGRADE_NAMESPACE;
use crate::resource::Resource;
use crate::spec::{Distro, LogProfile, SiteSpec, WorkloadKind, WorkloadSpec};
use serde_json::{Value, json};

/// Pod-template annotation carrying the log profile (kebab-case [`LogProfile`] name).
pub const LOGS_ANNOTATION: &str = "sim.outpost.dev/logs";
/// Pod-template annotation: `"true"` makes every container crash-loop.
pub const CRASH_ANNOTATION: &str = "sim.outpost.dev/crash";

/// The annotation value for a profile.
pub fn profile_name(p: LogProfile) -> &'static str {
    match p {
        LogProfile::WebApp => "web-app",
        LogProfile::Camera => "camera",
        LogProfile::Mqtt => "mqtt",
        LogProfile::Cache => "cache",
        LogProfile::Json => "json",
        LogProfile::Hostile => "hostile",
    }
}

/// Parses an annotation value (unknown values read as JSON logs).
pub fn parse_profile(s: &str) -> LogProfile {
    match s {
        "web-app" => LogProfile::WebApp,
        "camera" => LogProfile::Camera,
        "mqtt" => LogProfile::Mqtt,
        "cache" => LogProfile::Cache,
        "hostile" => LogProfile::Hostile,
        _ => LogProfile::Json,
    }
}

/// A workload object plus what its Service needs.
pub struct Workload {
    pub resource: Resource,
    pub namespace: String,
    pub service_name: String,
    pub selector: Value,
    pub service_ports: Option<Value>,
    pub headless: bool,
    pub load_balancer: bool,
    pub object: Value,
}

struct Def<'a> {
    kind: WorkloadKind,
    ns: &'a str,
    name: &'a str,
    selector: Value,
    replicas: u32,
    containers: Vec<Value>,
    profile: LogProfile,
    crash: bool,
}

fn build(d: Def<'_>) -> Value {
    let mut labels = d.selector.clone();
    if labels.get("app.kubernetes.io/name").is_none() && labels.get("k8s-app").is_none() {
        labels["app.kubernetes.io/name"] = json!(d.name);
    }
    let template = json!({
        "metadata": {
            "labels": labels,
            "annotations": {LOGS_ANNOTATION: profile_name(d.profile),
                            CRASH_ANNOTATION: if d.crash { "true" } else { "false" }},
        },
        "spec": {
            "containers": d.containers,
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "securityContext": {},
        }
    });
    let meta = json!({"name": d.name, "namespace": d.ns, "labels": labels, "annotations": {}});
    let selector = json!({"matchLabels": d.selector});
    match d.kind {
        WorkloadKind::Deployment => json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {
                "replicas": d.replicas, "selector": selector, "template": template,
                "strategy": {"type": "RollingUpdate",
                             "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "progressDeadlineSeconds": 600, "revisionHistoryLimit": 10, "minReadySeconds": 0,
            },
            "status": {},
        }),
        WorkloadKind::StatefulSet => json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta,
            "spec": {
                "replicas": d.replicas, "selector": selector, "template": template,
                "serviceName": d.name, "podManagementPolicy": "OrderedReady",
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                "revisionHistoryLimit": 10, "minReadySeconds": 0,
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            },
            "status": {"replicas": 0, "availableReplicas": 0},
        }),
        WorkloadKind::DaemonSet => json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta,
            "spec": {
                "selector": selector, "template": template,
                "updateStrategy": {"type": "RollingUpdate",
                                   "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                "revisionHistoryLimit": 10, "minReadySeconds": 0,
            },
            "status": {"currentNumberScheduled": 0, "desiredNumberScheduled": 0,
                       "numberMisscheduled": 0, "numberReady": 0},
        }),
    }
}

fn container(
    name: &str,
    image: &str,
    port: u16,
    res: (&str, &str, &str, &str),
    env: Value,
    probe: Value,
) -> Value {
    json!({
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": port, "protocol": "TCP", "name": "main"}],
        "env": env,
        "resources": {"requests": {"cpu": res.0, "memory": res.1},
                      "limits": {"cpu": res.2, "memory": res.3}},
        "readinessProbe": probe.clone(),
        "livenessProbe": probe,
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    })
}

fn http_probe(path: &str, port: u16) -> Value {
    json!({"httpGet": {"path": path, "port": port, "scheme": "HTTP"}, "initialDelaySeconds": 3,
           "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
}

fn tcp_probe(port: u16) -> Value {
    json!({"tcpSocket": {"port": port}, "initialDelaySeconds": 3, "periodSeconds": 10,
           "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
}

fn wl(
    resource: Resource,
    ns: &str,
    name: &str,
    selector: Value,
    ports: Option<Value>,
    object: Value,
) -> Workload {
    Workload {
        resource,
        namespace: ns.to_string(),
        service_name: name.to_string(),
        selector,
        service_ports: ports,
        headless: false,
        load_balancer: false,
        object,
    }
}

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

/// One of the site's own workloads.
pub fn user_workload(spec: &SiteSpec, w: &WorkloadSpec) -> Workload {
    let (port, res, probe) = match w.logs {
        LogProfile::WebApp | LogProfile::Json | LogProfile::Hostile => (
            8080,
            ("100m", "128Mi", "500m", "256Mi"),
            http_probe("/healthz", 8080),
        ),
        LogProfile::Camera => (
            8000,
            ("500m", "512Mi", "2", "1Gi"),
            http_probe("/health", 8000),
        ),
        LogProfile::Mqtt => (1883, ("50m", "64Mi", "250m", "128Mi"), tcp_probe(1883)),
        LogProfile::Cache => (6379, ("100m", "256Mi", "500m", "512Mi"), tcp_probe(6379)),
    };
    let pw = fnv64(format!("{}/{}/db", spec.name, w.name).as_bytes());
    let env = json!([
        {"name": "SITE_NAME", "value": spec.name},
        {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"name": "site-config", "key": "LOG_LEVEL"}}},
        {"name": "DB_HOST", "value": format!("db.{}.svc.cluster.local", w.namespace)},
        {"name": "DB_PASSWORD", "value": format!("pw-{:012x}", pw & 0xffff_ffff_ffff)},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "app-credentials", "key": "API_TOKEN"}}},
    ]);
    let sel = json!({"app.kubernetes.io/name": w.name});
    let mut object = build(Def {
        kind: w.kind,
        ns: &w.namespace,
        name: &w.name,
        selector: sel.clone(),
        replicas: w.replicas,
        containers: vec![container(&w.container, &w.image, port, res, env, probe)],
        profile: w.logs,
        crash: w.crash_loop,
    });
    object["metadata"]["labels"]["app.kubernetes.io/part-of"] = json!("outpost-demo");
    let resource = match w.kind {
        WorkloadKind::Deployment => Resource::Deployment,
        WorkloadKind::StatefulSet => Resource::StatefulSet,
        WorkloadKind::DaemonSet => Resource::DaemonSet,
    };
    let ports = json!([{"name": "main", "port": port, "protocol": "TCP", "targetPort": port}]);
    let mut out = wl(resource, &w.namespace, &w.name, sel, Some(ports), object);
    out.headless = w.kind == WorkloadKind::StatefulSet;
    out
}
