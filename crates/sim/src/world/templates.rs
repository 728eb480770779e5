//! Workload objects: the distro's system components and the site's own workloads, as
//! Deployments, StatefulSets and DaemonSets with realistic pod templates.

use super::objects::fnv64;
use crate::resource::Resource;
use crate::spec::{LogProfile, SiteSpec, WorkloadKind, WorkloadSpec};
use serde_json::{Value, json};

/// Pod-template annotation carrying the log profile (kebab-case [`LogProfile`] name).
pub const LOGS_ANNOTATION: &str = "sim.outpost.dev/logs";
/// Pod-template annotation: `"true"` makes every container crash-loop.
pub const CRASH_ANNOTATION: &str = "sim.outpost.dev/crash";
/// Pod-template annotation: the image that crash-loops (any other image runs fine, so
/// deploying a new version "fixes" a crash-looping workload).
pub const CRASH_IMAGE_ANNOTATION: &str = "sim.outpost.dev/crash-image";

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

pub(super) struct Def<'a> {
    pub(super) kind: WorkloadKind,
    pub(super) ns: &'a str,
    pub(super) name: &'a str,
    pub(super) selector: Value,
    pub(super) replicas: u32,
    pub(super) containers: Vec<Value>,
    pub(super) profile: LogProfile,
    pub(super) crash: bool,
}

pub(super) fn build(d: Def<'_>) -> Value {
    let mut labels = d.selector.clone();
    if labels.get("app.kubernetes.io/name").is_none() && labels.get("k8s-app").is_none() {
        labels["app.kubernetes.io/name"] = json!(d.name);
    }
    let mut template = json!({
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
    if d.crash
        && let Some(img) = template.pointer("/spec/containers/0/image").cloned()
    {
        template["metadata"]["annotations"][CRASH_IMAGE_ANNOTATION] = img;
    }
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

pub(super) fn container(
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

pub(super) fn http_probe(path: &str, port: u16) -> Value {
    json!({"httpGet": {"path": path, "port": port, "scheme": "HTTP"}, "initialDelaySeconds": 3,
           "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
}

pub(super) fn tcp_probe(port: u16) -> Value {
    json!({"tcpSocket": {"port": port}, "initialDelaySeconds": 3, "periodSeconds": 10,
           "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
}

pub(super) fn wl(
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
