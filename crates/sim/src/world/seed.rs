//! The objects a site starts with: namespaces, nodes, config, services and workloads.
//!
//! ReplicaSets and Pods are deliberately absent: the controllers create them on the first
//! ticks, so they carry real owner references, template hashes and revisions.

use super::objects::{base64, fnv64, ts};
use super::templates::{Workload, user_workload};
use super::templates_system::system_workloads;
use crate::resource::Resource;
use crate::spec::{Distro, NodeRole, NodeSpec, SiteSpec};
use serde_json::{Value, json};

/// The namespace system-upgrade-controller runs in and Plans live in.
pub const UPGRADE_NAMESPACE: &str = "system-upgrade";

/// Initial objects for a site, in creation order. The store assigns uids and versions.
pub fn seed(spec: &SiteSpec, now: jiff::Timestamp) -> Vec<(Resource, Value)> {
    let mut out = Vec::new();
    let mut namespaces = vec!["default", "kube-system", "kube-public", "kube-node-lease"];
    if spec.upgrade_controller {
        namespaces.push(UPGRADE_NAMESPACE);
    }
    for w in &spec.workloads {
        if !namespaces.contains(&w.namespace.as_str()) {
            namespaces.push(&w.namespace);
        }
    }
    for ns in &namespaces {
        out.push((
            Resource::Namespace,
            json!({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                   "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
        ));
    }
    for (i, n) in spec.nodes.iter().enumerate() {
        out.push((Resource::Node, node(spec, n, i, now)));
    }
    let ca = fake_ca(spec);
    for ns in &namespaces {
        out.push((
            Resource::ConfigMap,
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "kube-root-ca.crt", "namespace": ns},
                   "data": {"ca.crt": ca}}),
        ));
    }
    out.push(service(
        "default",
        "kubernetes",
        &cluster_ip(spec, 1),
        json!([{"name": "https", "port": 443, "protocol": "TCP",
                "targetPort": spec.distro.default_port()}]),
        None,
        "ClusterIP",
    ));
    let mut workloads: Vec<Workload> = system_workloads(spec);
    workloads.extend(spec.workloads.iter().map(|w| user_workload(spec, w)));
    if spec.distro == Distro::K3s {
        out.push((
            Resource::ConfigMap,
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "coredns", "namespace": "kube-system"},
                   "data": {"Corefile": COREFILE, "NodeHosts": node_hosts(spec)}}),
        ));
    }
    let mut app_namespaces: Vec<&str> = spec
        .workloads
        .iter()
        .map(|w| w.namespace.as_str())
        .collect();
    app_namespaces.dedup();
    app_namespaces.sort();
    app_namespaces.dedup();
    for ns in app_namespaces {
        out.push((
            Resource::ConfigMap,
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "site-config", "namespace": ns,
                                "labels": {"app.kubernetes.io/part-of": "outpost-demo"}},
                   "data": {"SITE_NAME": spec.name, "SITE_DISPLAY_NAME": spec.display_name,
                            "SITE_CITY": spec.city, "LOG_LEVEL": "info",
                            "MQTT_URL": format!("mqtt://mqtt-broker.{ns}.svc:1883")}}),
        ));
        let h = fnv64(format!("{}/{ns}", spec.name).as_bytes());
        out.push((
            Resource::Secret,
            json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": "app-credentials", "namespace": ns},
            "data": {
                "DB_USER": base64(b"app"),
                "DB_PASSWORD": base64(format!("s3cr3t-{:08x}", h as u32).as_bytes()),
                "API_TOKEN": base64(format!("tok_{h:016x}").as_bytes()),
            }}),
        ));
    }
    for (i, w) in workloads.iter().enumerate() {
        if let Some(ports) = &w.service_ports {
            let ip = if w.headless {
                "None".to_string()
            } else {
                cluster_ip(spec, 10 + i as u64)
            };
            let svc_type = if w.load_balancer {
                "LoadBalancer"
            } else {
                "ClusterIP"
            };
            out.push(service(
                &w.namespace,
                &w.service_name,
                &ip,
                ports.clone(),
                Some(w.selector.clone()),
                svc_type,
            ));
        }
    }
    for w in workloads {
        out.push((w.resource, w.object));
    }
    // The site was installed a while ago: backdate everything seeded (the store keeps a
    // given creationTimestamp), 20–200 days depending on the site.
    let days = 20 + fnv64(spec.name.as_bytes()) % 180;
    let installed = ts(super::objects::plus(now, -(days as f64) * 86400.0));
    for (_, obj) in &mut out {
        if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            m.insert("creationTimestamp".into(), json!(installed));
        }
    }
    out
}

fn service(
    ns: &str,
    name: &str,
    ip: &str,
    ports: Value,
    selector: Option<Value>,
    svc_type: &str,
) -> (Resource, Value) {
    let mut spec = json!({
        "type": svc_type, "clusterIP": ip, "clusterIPs": [ip], "ports": ports,
        "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
        "internalTrafficPolicy": "Cluster",
    });
    if let Some(s) = selector {
        spec["selector"] = s;
    }
    let mut labels = json!({});
    if name == "kubernetes" {
        labels = json!({"component": "apiserver", "provider": "kubernetes"});
    }
    (
        Resource::Service,
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": ns, "labels": labels},
               "spec": spec, "status": {"loadBalancer": {}}}),
    )
}

/// Service CIDR: 10.43.0.0/16 on K3s, 10.152.183.0/24 on MicroK8s.
fn cluster_ip(spec: &SiteSpec, n: u64) -> String {
    match spec.distro {
        Distro::K3s => {
            if n == 1 {
                "10.43.0.1".into()
            } else {
                let h = fnv64(format!("{}/{n}", spec.name).as_bytes());
                format!("10.43.{}.{}", h % 250 + 1, (h >> 8) % 250 + 2)
            }
        }
        Distro::MicroK8s => format!("10.152.183.{}", if n == 1 { 1 } else { 10 + n * 7 % 240 }),
    }
}

/// The node's LAN address (stable per site and node index).
pub fn node_ip(spec: &SiteSpec, index: usize) -> String {
    let h = fnv64(spec.name.as_bytes());
    format!("192.168.{}.{}", h % 200 + 10, 20 + index)
}

fn arch(spec: &SiteSpec, n: &NodeSpec) -> &'static str {
    if n.cpu_millis <= 4000 && fnv64(spec.name.as_bytes()).is_multiple_of(3) {
        "arm64"
    } else {
        "amd64"
    }
}

fn node(spec: &SiteSpec, n: &NodeSpec, index: usize, now: jiff::Timestamp) -> Value {
    let arch = arch(spec, n);
    let ip = node_ip(spec, index);
    let mut labels = json!({
        "beta.kubernetes.io/arch": arch, "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": arch, "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux",
    });
    let mut annotations = json!({
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    });
    let server = n.role == NodeRole::Server;
    if server {
        labels["node-role.kubernetes.io/control-plane"] = json!("true");
    }
    let h = fnv64(format!("{}/{}", spec.name, n.name).as_bytes());
    let (runtime, os_image, kernel) = match spec.distro {
        Distro::K3s => {
            labels["node.kubernetes.io/instance-type"] = json!("k3s");
            labels["beta.kubernetes.io/instance-type"] = json!("k3s");
            labels["k3s.io/hostname"] = json!(n.name);
            labels["k3s.io/internal-ip"] = json!(ip);
            if server {
                labels["node-role.kubernetes.io/master"] = json!("true");
            }
            annotations["k3s.io/node-args"] =
                json!(format!("[\"{}\"]", if server { "server" } else { "agent" }));
            annotations["k3s.io/internal-ip"] = json!(ip);
            annotations["flannel.alpha.coreos.com/backend-type"] = json!("vxlan");
            annotations["flannel.alpha.coreos.com/public-ip"] = json!(ip);
            let os = if arch == "arm64" {
                ("Debian GNU/Linux 12 (bookworm)", "6.6.51+rpt-rpi-v8")
            } else {
                ("Ubuntu 24.04.1 LTS", "6.8.0-49-generic")
            };
            ("containerd://1.7.23-k3s2", os.0, os.1)
        }
        Distro::MicroK8s => {
            labels["microk8s.io/cluster"] = json!("true");
            labels["node.kubernetes.io/microk8s-controlplane"] = json!("microk8s-controlplane");
            annotations["projectcalico.org/IPv4Address"] = json!(format!("{ip}/24"));
            (
                "containerd://1.6.28",
                "Ubuntu 22.04.5 LTS",
                "5.15.0-126-generic",
            )
        }
    };
    let mem_ki = n.memory_mib * 1024;
    let alloc_mem_ki = mem_ki.saturating_sub(mem_ki / 20);
    let cpu = format!("{}", n.cpu_millis.div_ceil(1000));
    let now_s = ts(now);
    let mut node_spec = json!({"providerID": format!("{}://{}", match spec.distro {
        Distro::K3s => "k3s", Distro::MicroK8s => "microk8s" }, n.name)});
    if spec.distro == Distro::K3s {
        let cidr = format!("10.42.{index}.0/24");
        node_spec["podCIDR"] = json!(cidr);
        node_spec["podCIDRs"] = json!([cidr]);
    }
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": n.name, "labels": labels, "annotations": annotations},
        "spec": node_spec,
        "status": {
            "capacity": {"cpu": cpu, "memory": format!("{mem_ki}Ki"), "pods": "110",
                         "ephemeral-storage": "122749536Ki", "hugepages-2Mi": "0"},
            "allocatable": {"cpu": cpu, "memory": format!("{alloc_mem_ki}Ki"), "pods": "110",
                            "ephemeral-storage": "119410748528", "hugepages-2Mi": "0"},
            "conditions": super::nodes::conditions(true, &now_s, &now_s),
            "addresses": [{"type": "InternalIP", "address": ip},
                          {"type": "Hostname", "address": n.name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": arch, "bootID": uuidish(h), "containerRuntimeVersion": runtime,
                "kernelVersion": kernel, "kubeProxyVersion": spec.version,
                "kubeletVersion": spec.version, "machineID": format!("{h:016x}{:016x}", h.rotate_left(17)),
                "operatingSystem": "linux", "osImage": os_image, "systemUUID": uuidish(h.rotate_left(29)),
            },
            "images": [],
        }
    })
}

/// A UUID-shaped string derived from `h`.
pub fn uuidish(h: u64) -> String {
    let l = h.rotate_left(32) ^ 0x5bd1_e995_1234_5678;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        l & 0xfff,
        l >> 16
    )
}

fn fake_ca(spec: &SiteSpec) -> String {
    let mut body = Vec::new();
    let mut h = fnv64(spec.name.as_bytes());
    for _ in 0..48 {
        h = super::objects::mix(&[h]);
        body.extend_from_slice(&h.to_le_bytes());
    }
    let b = base64(&body);
    let lines: Vec<&str> = b
        .as_bytes()
        .chunks(64)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn node_hosts(spec: &SiteSpec) -> String {
    spec.nodes
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{} {}\n", node_ip(spec, i), n.name))
        .collect()
}

const COREFILE: &str = ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    hosts /etc/coredns/NodeHosts {\n      ttl 60\n      reload 15s\n      fallthrough\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n";
