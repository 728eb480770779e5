//! Detecting system-upgrade-controller and creating the server/agent Plans.

use super::{UpgradeError, kube_err, valid_k3s_version};
use crate::health::{Level, Reach, SiteHealth};
use crate::registry::MaintenanceWindow;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, PostParams};
use serde_json::{Value, json};

pub const NAMESPACE: &str = "system-upgrade";
pub const SERVER_PLAN: &str = "k3s-server";
pub const AGENT_PLAN: &str = "k3s-agent";

pub(crate) fn plan_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("upgrade.cattle.io", "v1", "Plan"),
        "plans",
    )
}

/// What is known about system-upgrade-controller on a site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Controller {
    /// The `upgrade.cattle.io/v1` API (the Plan CRD) is served.
    pub crd: bool,
    /// The controller's image, when its Deployment was found.
    pub image: Option<String>,
}

impl Controller {
    pub fn installed(&self) -> bool {
        self.crd
    }
}

/// Looks for the Plan CRD and the controller Deployment.
pub async fn detect(client: &kube::Client) -> Result<Controller, UpgradeError> {
    let crd = match client
        .list_api_group_resources("upgrade.cattle.io/v1")
        .await
    {
        Ok(l) => l.resources.iter().any(|r| r.name == "plans"),
        Err(kube::Error::Api(s)) if s.code == 404 => false,
        Err(e) => return Err(kube_err(&e)),
    };
    let deps: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let image = match deps.get_opt("system-upgrade-controller").await {
        Ok(d) => d.and_then(|d| {
            d.spec
                .template
                .spec
                .and_then(|s| s.containers.first().and_then(|c| c.image.clone()))
        }),
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 403 => None,
        Err(e) => return Err(kube_err(&e)),
    };
    Ok(Controller { crd, image })
}

/// A maintenance window as a Plan's `spec.window`.
pub fn suc_window(w: &MaintenanceWindow) -> Result<Value, UpgradeError> {
    match w {
        MaintenanceWindow::Weekly {
            days,
            start,
            end,
            timezone,
        } => {
            let full = |d: &str| -> Result<&'static str, UpgradeError> {
                Ok(match d {
                    "mon" => "monday",
                    "tue" => "tuesday",
                    "wed" => "wednesday",
                    "thu" => "thursday",
                    "fri" => "friday",
                    "sat" => "saturday",
                    "sun" => "sunday",
                    other => return Err(UpgradeError::Invalid(format!("unknown day {other:?}"))),
                })
            };
            let days = days.iter().map(|d| full(d)).collect::<Result<Vec<_>, _>>()?;
            Ok(json!({"days": days, "startTime": start, "endTime": end, "timeZone": timezone}))
        }
        MaintenanceWindow::Text { .. } => Err(UpgradeError::Invalid(
            "a free-text window cannot be given to system-upgrade-controller: use `DAYS HH:MM-HH:MM TZ`".into(),
        )),
    }
}

fn base(name: &str, version: &str, window: Option<&Value>) -> Value {
    let mut p = json!({
        "apiVersion": "upgrade.cattle.io/v1", "kind": "Plan",
        "metadata": {"name": name, "namespace": NAMESPACE,
                     "labels": {"app.kubernetes.io/managed-by": "outpost"}},
        "spec": {
            "concurrency": 1,
            "version": version,
            "cordon": true,
            "serviceAccountName": "system-upgrade",
            "upgrade": {"image": "rancher/k3s-upgrade"},
        }
    });
    if let Some(w) = window {
        p["spec"]["window"] = w.clone();
    }
    p
}

/// The server Plan: control-plane nodes, one at a time, cordoned.
pub fn server_plan(version: &str, window: Option<&Value>) -> Value {
    let mut p = base(SERVER_PLAN, version, window);
    p["spec"]["nodeSelector"] = json!({"matchExpressions": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "In", "values": ["true"]}]});
    p
}

/// The agent Plan: the other nodes, after the servers (`prepare` waits for the server Plan).
pub fn agent_plan(version: &str, window: Option<&Value>) -> Value {
    let mut p = base(AGENT_PLAN, version, window);
    p["spec"]["nodeSelector"] = json!({"matchExpressions": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"}]});
    p["spec"]["prepare"] =
        json!({"image": "rancher/k3s-upgrade", "args": ["prepare", SERVER_PLAN]});
    p
}

/// `sudo snap refresh microk8s --channel=1.31/stable` for `v1.31.x`.
pub fn microk8s_command(version: &str) -> Result<String, UpgradeError> {
    let v = version.trim_start_matches('v');
    let mut it = v.split('.');
    let (Some(major), Some(minor)) = (it.next(), it.next()) else {
        return Err(UpgradeError::Invalid(format!(
            "{version:?} is not a version like v1.31.4"
        )));
    };
    if major.is_empty()
        || minor.is_empty()
        || !major.chars().all(|c| c.is_ascii_digit())
        || !minor.chars().all(|c| c.is_ascii_digit())
    {
        return Err(UpgradeError::Invalid(format!(
            "{version:?} is not a version like v1.31.4"
        )));
    }
    Ok(format!(
        "sudo snap refresh microk8s --channel={major}.{minor}/stable"
    ))
}

/// What starting an upgrade on a site did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Started {
    /// The Plans were created or updated to the version.
    Plans {
        created: Vec<String>,
        updated: Vec<String>,
        unchanged: Vec<String>,
    },
    /// MicroK8s: Outpost cannot upgrade it; this is the command to run on each node.
    MicroK8s { command: String },
}

/// Refuses a site whose last health check failed, unless `force`.
pub fn check_health(
    site: &str,
    health: Option<&SiteHealth>,
    force: bool,
) -> Result<(), UpgradeError> {
    if force {
        return Ok(());
    }
    let why = match health {
        None => Some("no health check has been made".to_string()),
        Some(h) if h.reach != Reach::Reachable => {
            Some(format!("unreachable: {}", h.reach.as_str()))
        }
        Some(h) if matches!(h.level, Level::Critical | Level::Unknown) => {
            Some(format!("{}: {}", h.level.as_str(), h.reasons.join("; ")))
        }
        _ => None,
    };
    match why {
        Some(why) => Err(UpgradeError::Unhealthy {
            site: site.to_string(),
            why,
        }),
        None => Ok(()),
    }
}

/// Starts a K3s upgrade on one site: creates (or moves) the server and agent Plans to
/// `version`. Never touches a MicroK8s site: returns the `snap refresh` command instead.
pub async fn start(
    client: &kube::Client,
    site: &crate::registry::Site,
    version: &str,
    window: Option<&MaintenanceWindow>,
) -> Result<Started, UpgradeError> {
    if site.distro == Some(crate::registry::Distro::MicroK8s) {
        return Ok(Started::MicroK8s {
            command: microk8s_command(version)?,
        });
    }
    if !valid_k3s_version(version) {
        return Err(UpgradeError::Invalid(format!(
            "{version:?} is not a K3s version like v1.31.4+k3s1 (pin the exact version)"
        )));
    }
    if !detect(client).await?.installed() {
        return Err(UpgradeError::NoController(site.name.clone()));
    }
    let win = window.map(suc_window).transpose()?;
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), NAMESPACE, &plan_resource());
    let (mut created, mut updated, mut unchanged) = (Vec::new(), Vec::new(), Vec::new());
    for want in [
        server_plan(version, win.as_ref()),
        agent_plan(version, win.as_ref()),
    ] {
        let name = want["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let obj: DynamicObject = serde_json::from_value(want.clone())
            .map_err(|e| UpgradeError::Invalid(e.to_string()))?;
        // Create, or replace the spec on the fresh object (409: read again, never force).
        let mut tries = 0;
        loop {
            tries += 1;
            match api.get_opt(&name).await.map_err(|e| kube_err(&e))? {
                None => match api.create(&PostParams::default(), &obj).await {
                    Ok(_) => {
                        created.push(name.clone());
                        break;
                    }
                    Err(kube::Error::Api(s)) if s.code == 409 && tries < 5 => continue,
                    Err(e) => return Err(kube_err(&e)),
                },
                Some(mut cur) => {
                    if cur.data.get("spec") == want.get("spec") {
                        unchanged.push(name.clone());
                        break;
                    }
                    cur.data["spec"] = want["spec"].clone();
                    match api.replace(&name, &PostParams::default(), &cur).await {
                        Ok(_) => {
                            updated.push(name.clone());
                            break;
                        }
                        Err(kube::Error::Api(s)) if s.code == 409 && tries < 5 => continue,
                        Err(e) => return Err(kube_err(&e)),
                    }
                }
            }
        }
    }
    Ok(Started::Plans {
        created,
        updated,
        unchanged,
    })
}
