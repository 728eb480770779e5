//! Seeding a real site with what the simulator seeds for the same [`SiteSpec`]
//! (`outpost_sim::world::seed`): namespaces, nodes (managed by kwok), config, services and
//! the system and user workloads. Fields the real servers own are dropped (uids, times,
//! status, cluster IPs, the `kube-root-ca.crt` maps, the `kubernetes` service); the real
//! controller-manager then creates ReplicaSets and Pods, the scheduler places them and kwok
//! runs them.

use crate::TestbedError;
use crate::site::RealSite;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use outpost_sim::resource::Resource;
use serde_json::{Value, json};

/// Namespaces the apiserver creates itself.
const BUILTIN_NAMESPACES: [&str; 4] = ["default", "kube-system", "kube-public", "kube-node-lease"];

pub(crate) fn api_resource(r: Resource) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(r.group(), r.version(), r.kind()),
        r.plural(),
    )
}

/// The sim's seed object, made acceptable to a real apiserver; `None` when the real
/// servers create it themselves.
pub fn adapt(r: Resource, mut obj: Value, site: &RealSite) -> Option<Value> {
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match r {
        Resource::Namespace if BUILTIN_NAMESPACES.contains(&name.as_str()) => return None,
        Resource::ConfigMap if name == "kube-root-ca.crt" => return None,
        Resource::Service if name == "kubernetes" => return None,
        Resource::Pod | Resource::ReplicaSet | Resource::Event => return None,
        _ => {}
    }
    if let Some(m) = obj["metadata"].as_object_mut() {
        for f in ["creationTimestamp", "uid", "resourceVersion", "generation"] {
            m.remove(f);
        }
    }
    match r {
        Resource::Node => {
            obj["metadata"]["annotations"]["kwok.x-k8s.io/node"] = json!("fake");
            let ip = site.ip.to_string();
            if site.distro() == outpost_sim::spec::Distro::K3s {
                obj["metadata"]["labels"]["k3s.io/internal-ip"] = json!(ip);
                obj["metadata"]["annotations"]["k3s.io/internal-ip"] = json!(ip);
                obj["metadata"]["annotations"]["flannel.alpha.coreos.com/public-ip"] = json!(ip);
            }
        }
        Resource::Service => {
            if let Some(spec) = obj["spec"].as_object_mut()
                && spec.get("clusterIP").and_then(Value::as_str) != Some("None")
            {
                spec.remove("clusterIP");
                spec.remove("clusterIPs");
            }
        }
        _ => {}
    }
    if r != Resource::Node
        && let Some(m) = obj.as_object_mut()
    {
        m.remove("status");
    }
    Some(obj)
}

/// Creates every seed object; an object that already exists is left alone.
pub async fn seed(site: &RealSite) -> Result<(), TestbedError> {
    let client = site.client().await?;
    let objects = outpost_sim::world::seed(&site.spec, jiff::Timestamp::now());
    if site.spec.upgrade_controller {
        install_plan_crd(site, &client).await?;
    }
    let (plans, objects): (Vec<_>, Vec<_>) =
        objects.into_iter().partition(|(r, _)| *r == Resource::Plan);
    for (r, obj) in objects.into_iter().chain(plans) {
        let Some(mut obj) = adapt(r, obj, site) else {
            continue;
        };
        let status = if r == Resource::Node {
            obj.as_object_mut().and_then(|m| m.remove("status"))
        } else {
            None
        };
        let ar = api_resource(r);
        let ns = obj["metadata"]["namespace"].as_str().map(str::to_string);
        let api: Api<DynamicObject> = match (&ns, r.namespaced()) {
            (Some(ns), true) => Api::namespaced_with(client.clone(), ns, &ar),
            _ => Api::all_with(client.clone(), &ar),
        };
        let dynobj: DynamicObject = serde_json::from_value(obj)
            .map_err(|e| TestbedError::Config(format!("seed object: {e}")))?;
        let name = dynobj.metadata.name.clone().unwrap_or_default();
        create(site, &api, &dynobj, &format!("{}/{name}", r.plural())).await?;
        if let Some(mut st) = status {
            // Addresses and conditions are kwok's; capacity and nodeInfo are the site's.
            if let Some(m) = st.as_object_mut() {
                m.remove("addresses");
                m.remove("conditions");
            }
            api.patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"status": st})),
            )
            .await
            .map_err(|e| TestbedError::Seed {
                site: site.name().to_string(),
                object: format!("nodes/{name}/status"),
                message: e.to_string(),
            })?;
        }
    }
    Ok(())
}

/// Creates `obj`, leaving an existing one alone; retries a 404 (a CRD's resource is served
/// shortly after the CRD is established) and 5xx answers for a few seconds.
async fn create(
    site: &RealSite,
    api: &Api<DynamicObject>,
    obj: &DynamicObject,
    what: &str,
) -> Result<(), TestbedError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match api.create(&PostParams::default(), obj).await {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(e)) if e.code == 409 => return Ok(()),
            // 404: a CRD's resource not served yet; 5xx: kine's sqlite busy under load.
            Err(kube::Error::Api(e))
                if (e.code == 404 || e.code >= 500) && std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            Err(e) => {
                return Err(TestbedError::Seed {
                    site: site.name().to_string(),
                    object: what.to_string(),
                    message: e.to_string(),
                });
            }
        }
    }
}

/// Installs the `Plan` CRD (see [`crate::crd`]).
pub async fn install_plan_crd(site: &RealSite, client: &kube::Client) -> Result<(), TestbedError> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("apiextensions.k8s.io", "v1", "CustomResourceDefinition"),
        "customresourcedefinitions",
    );
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let crd: DynamicObject = serde_json::from_value(crate::crd::plan_crd())
        .map_err(|e| TestbedError::Config(format!("Plan CRD: {e}")))?;
    create(
        site,
        &api,
        &crd,
        "customresourcedefinitions/plans.upgrade.cattle.io",
    )
    .await
}
