//! Every object the world writes must parse as the typed Kubernetes API objects real
//! clients use (k8s-openapi, as kube-rs does), for every demo site, after seeding and
//! after a few minutes of controllers, rollouts, crash loops and an upgrade.

use super::ObjectView;
use super::testkit::Sim;
use crate::resource::Resource;
use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
use serde_json::{Value, json};

fn check<T: serde::de::DeserializeOwned>(r: Resource, v: &Value) {
    if let Err(e) = serde_json::from_value::<T>(v.clone()) {
        panic!(
            "{r:?} {} does not parse: {e}\n{v:#}",
            super::objects::name(v)
        );
    }
}

fn check_all(s: &Sim) {
    for r in Resource::ALL {
        for v in s.store.list(r, None) {
            match r {
                Resource::Namespace => check::<core::Namespace>(r, &v),
                Resource::Node => check::<core::Node>(r, &v),
                Resource::Pod => check::<core::Pod>(r, &v),
                Resource::Service => check::<core::Service>(r, &v),
                Resource::ConfigMap => check::<core::ConfigMap>(r, &v),
                Resource::Secret => check::<core::Secret>(r, &v),
                Resource::Event => check::<core::Event>(r, &v),
                Resource::Deployment => check::<apps::Deployment>(r, &v),
                Resource::ReplicaSet => check::<apps::ReplicaSet>(r, &v),
                Resource::DaemonSet => check::<apps::DaemonSet>(r, &v),
                Resource::StatefulSet => check::<apps::StatefulSet>(r, &v),
                Resource::Job => check::<batch::Job>(r, &v),
                Resource::Plan => {}
            }
        }
    }
}

#[test]
fn world_objects_parse_as_typed_kubernetes_objects() {
    for spec in crate::demo::demo_fleet() {
        let k3s = spec.distro == crate::spec::Distro::K3s;
        let mut s = Sim::new(spec);
        check_all(&s);
        s.run_for(60.0, |_| {});
        if k3s {
            let now = s.now;
            let plan = json!({"apiVersion": "upgrade.cattle.io/v1", "kind": "Plan",
                "metadata": {"name": "k3s-server", "namespace": "system-upgrade"},
                "spec": {"concurrency": 1, "version": "v1.32.1+k3s1", "cordon": true,
                         "nodeSelector": {}, "upgrade": {"image": "rancher/k3s-upgrade"}}});
            s.store.create(Resource::Plan, plan, now).expect("plan");
        }
        s.run_for(120.0, |_| {});
        check_all(&s);
    }
}
