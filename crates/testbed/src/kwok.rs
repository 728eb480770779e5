//! kwok's configuration for a site: the `Stage`s that play the nodes' kubelets and the
//! `ClusterLogs` that serve `kubectl logs [-f] [--previous]` from files the test bed writes.
//!
//! The stages (in `kwok/*.yaml`) follow kwok's own `kustomize/stage/{node,pod}/fast` (Apache-2.0),
//! plus the behaviour the simulator's image rules give ([`outpost_sim::spec::image_rules`]):
//! - an image the site cannot pull (tag `bad*`/`missing*`, or a registry host ending in
//!   `.invalid`) stays Pending with `ErrImagePull`, then `ImagePullBackOff`;
//! - an image whose tag contains `crash` (or a pod template the simulator marks crashing)
//!   runs, fails, and loops: `CrashLoopBackOff`, `lastState.terminated`, restartCount + 1.

use std::path::Path;

/// jq: whether any container image cannot be pulled.
const PULL_FAILS: &str = r#"[.spec.containers[].image | (test(":(bad|missing)[^/:]*$") or test("^[^/]*\\.invalid[:/]"))] | any"#;
/// jq: whether the pod crash-loops.
const CRASHES: &str = r#"([.spec.containers[].image | test(":[^/:]*crash[^/:]*$")] | any) or ((.metadata.annotations // {})["sim.outpost.dev/crash"] == "true" and (.metadata.annotations // {})["sim.outpost.dev/crash-image"] == .spec.containers[0].image)"#;

const NODE_STAGES: &str = include_str!("kwok/nodes.yaml");

const POD_READY: &str = include_str!("kwok/pod-ready.yaml");

const POD_FAULTS: &str = include_str!("kwok/pod-faults.yaml");

const POD_END: &str = include_str!("kwok/pod-end.yaml");

/// The kwok `--config` file for a site whose log files live in `logs_dir`.
pub fn config(logs_dir: &Path) -> String {
    let logs = format!(
        r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: all-pods
spec:
  selector: {{}}
  logs:
  - containers: []
    logsFile: {current}
    previousLogsFile: {previous}
    follow: true
"#,
        current = logs_dir.join(crate::logs::CURRENT).display(),
        previous = logs_dir.join(crate::logs::PREVIOUS).display(),
    );
    let pods = |s: &str| {
        s.replace("'PULL_FAILS'", &yaml_single(PULL_FAILS))
            .replace("'CRASHES'", &yaml_single(CRASHES))
    };
    [
        NODE_STAGES.to_string(),
        pods(POD_READY),
        pods(POD_FAULTS),
        POD_END.to_string(),
        logs,
    ]
    .join("---\n")
}

fn yaml_single(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_has_every_stage_and_the_logs() {
        let c = config(Path::new("/tmp/x"));
        let docs: Vec<&str> = c.split("\n---\n").collect();
        assert_eq!(docs.len(), 11, "one document per stage and the logs");
        let names: Vec<&str> = docs
            .iter()
            .filter_map(|d| d.split("\n  name: ").nth(1)?.lines().next())
            .collect();
        for n in [
            "node-initialize",
            "node-heartbeat",
            "pod-ready",
            "pod-image-pull-error",
            "pod-image-pull-backoff",
            "pod-crash-start",
            "pod-crash-exit",
            "pod-crash-restart",
            "pod-complete",
            "pod-delete",
            "all-pods",
        ] {
            assert!(names.contains(&n), "{n} missing in {names:?}");
        }
        assert!(c.contains("\\\\.invalid"), "regex escaping kept");
        assert!(!c.contains("'PULL_FAILS'"));
    }
}
