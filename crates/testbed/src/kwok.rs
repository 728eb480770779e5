//! kwok's configuration for a site: the `Stage`s that play the nodes' kubelets and the
//! `ClusterLogs` that serve `kubectl logs [-f] [--previous]` from files the test bed writes.
//!
//! Node and pod stages follow kwok's own `kustomize/stage/{node,pod}/fast` (Apache-2.0),
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

const NODE_STAGES: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-initialize
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: NotIn
      values: ['True']
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $lastTransitionTime | Quote }}
        message: {{ .message | Quote }}
        reason: {{ .reason | Quote }}
        status: {{ .status | Quote }}
        type: {{ .type  | Quote}}
      {{ end }}
      addresses:
      {{ with NodeIP }}
      - address: {{ . | Quote }}
        type: InternalIP
      {{ end }}
      {{ with NodeName }}
      - address: {{ . | Quote }}
        type: Hostname
      {{ end }}
      {{ with NodePort }}
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{ . }}
      {{ end }}
      phase: Running
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: node-heartbeat
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - key: '.status.phase'
      operator: In
      values: ['Running']
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: In
      values: ['True']
  delay:
    durationMilliseconds: 15000
    jitterDurationMilliseconds: 5000
  next:
    statusTemplate: |
      {{ $now := Now }}
      {{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $lastTransitionTime | Quote }}
        message: {{ .message | Quote }}
        reason: {{ .reason | Quote }}
        status: {{ .status | Quote }}
        type: {{ .type | Quote }}
      {{ end }}
"#;

const POD_READY: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-ready
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Pending']
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: NotIn
      values: ['True']
    - key: 'PULL_FAILS'
      operator: NotIn
      values: ['true']
    - key: 'CRASHES'
      operator: NotIn
      values: ['true']
  delay:
    durationMilliseconds: 500
    jitterDurationMilliseconds: 1000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Initialized}
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Ready}
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: ContainersReady}
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: PodScheduled}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        imageID: {{ printf "%s@sha256:%s" .image (sha256sum .image) | Quote }}
        containerID: {{ printf "containerd://%s" (sha256sum (print $.metadata.uid .name)) | Quote }}
        name: {{ .name | Quote }}
        ready: true
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      {{ with NodeIPWith .spec.nodeName }}
      hostIP: {{ . | Quote }}
      hostIPs: [{ip: {{ . | Quote }}}]
      {{ end }}
      {{ with PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ . | Quote }}
      podIPs: [{ip: {{ . | Quote }}}]
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
"#;

const POD_FAULTS: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-image-pull-error
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Pending']
    - key: 'PULL_FAILS'
      operator: In
      values: ['true']
    - key: '[.status.containerStatuses[]?.state.waiting.reason] | first // "none"'
      operator: NotIn
      values: ['ErrImagePull', 'ImagePullBackOff']
  delay:
    durationMilliseconds: 1000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: PodScheduled}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: Ready, reason: ContainersNotReady}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        imageID: ""
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          waiting:
            reason: ErrImagePull
            message: {{ printf "failed to pull and unpack image %q: not found" .image | Quote }}
      {{ end }}
      {{ with NodeIPWith .spec.nodeName }}
      hostIP: {{ . | Quote }}
      {{ end }}
      phase: Pending
      startTime: {{ $now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-image-pull-backoff
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '[.status.containerStatuses[]?.state.waiting.reason] | first // "none"'
      operator: In
      values: ['ErrImagePull']
  delay:
    durationMilliseconds: 3000
  next:
    statusTemplate: |
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        imageID: ""
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: 0
        state:
          waiting:
            reason: ImagePullBackOff
            message: {{ printf "Back-off pulling image %q" .image | Quote }}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-crash-start
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Pending']
    - key: 'CRASHES'
      operator: In
      values: ['true']
  delay:
    durationMilliseconds: 500
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: Initialized}
      - {lastTransitionTime: {{ $now | Quote }}, status: "True", type: PodScheduled}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: Ready, reason: ContainersNotReady}
      - {lastTransitionTime: {{ $now | Quote }}, status: "False", type: ContainersReady, reason: ContainersNotReady}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        imageID: {{ printf "%s@sha256:%s" .image (sha256sum .image) | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      {{ with NodeIPWith .spec.nodeName }}
      hostIP: {{ . | Quote }}
      {{ end }}
      {{ with PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ . | Quote }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-crash-exit
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: 'CRASHES'
      operator: In
      values: ['true']
    - key: '[.status.containerStatuses[]?.state.running] | first | type'
      operator: In
      values: ['object']
  delay:
    durationMilliseconds: 3000
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range .status.containerStatuses }}
      - image: {{ .image | Quote }}
        imageID: {{ .imageID | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: false
        restartCount: {{ add (or .restartCount 0) 1 }}
        lastState:
          terminated:
            exitCode: 1
            reason: Error
            startedAt: {{ or .state.running.startedAt $now | Quote }}
            finishedAt: {{ $now | Quote }}
        state:
          waiting:
            reason: CrashLoopBackOff
            message: {{ printf "back-off 10s restarting failed container=%s" .name | Quote }}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-crash-restart
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '[.status.containerStatuses[]?.state.waiting.reason] | first // "none"'
      operator: In
      values: ['CrashLoopBackOff']
  delay:
    durationMilliseconds: 6000
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range .status.containerStatuses }}
      - image: {{ .image | Quote }}
        imageID: {{ .imageID | Quote }}
        name: {{ .name | Quote }}
        ready: false
        started: true
        restartCount: {{ .restartCount }}
        lastState: {{ toJson .lastState }}
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
"#;

const POD_END: &str = r#"apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-complete
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: DoesNotExist
    - key: '.status.phase'
      operator: In
      values: ['Running']
    - key: '.metadata.ownerReferences.[].kind'
      operator: In
      values: ['Job']
  delay:
    durationMilliseconds: 2000
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 0
            finishedAt: {{ $now | Quote }}
            reason: Completed
            startedAt: {{ $now | Quote }}
      {{ end }}
      phase: Succeeded
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-delete
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: Exists
  delay:
    durationMilliseconds: 300
  next:
    delete: true
"#;

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
