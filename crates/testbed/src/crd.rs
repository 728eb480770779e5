//! The system-upgrade-controller `Plan` CRD (`plans.upgrade.cattle.io`, `upgrade.cattle.io/v1`).
//!
//! The issue asks for the CRD YAML from the `github.com/rancher/system-upgrade-controller`
//! module, read from the Go module cache. The Go module proxy refuses that module (every
//! version, `go mod download -json github.com/rancher/system-upgrade-controller@latest`:
//! `403 Forbidden ... This module version is not available.`), so this is our own structural
//! schema of the upstream `Plan` type's fields (spec: concurrency, nodeSelector,
//! serviceAccountName, channel, version, secrets, tolerations, exclusive, window, prepare,
//! cordon, drain, upgrade (required), imagePullSecrets, postCompleteDelay,
//! jobActiveDeadlineSecs, priorityClassName; status: conditions, latestVersion, latestHash,
//! applying). Unknown spec fields are rejected in strict field validation, like upstream.

use serde_json::{Value, json};

fn container_spec() -> Value {
    json!({"type": "object", "required": ["image"], "properties": {
        "image": {"type": "string"},
        "command": {"type": "array", "items": {"type": "string"}},
        "args": {"type": "array", "items": {"type": "string"}},
        "envs": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
        "envFrom": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
        "volumes": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
        "securityContext": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}})
}

fn schema() -> Value {
    let label_selector = json!({"type": "object", "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {"type": "array", "items": {"type": "object", "required": ["key", "operator"],
            "properties": {"key": {"type": "string"}, "operator": {"type": "string"},
                           "values": {"type": "array", "items": {"type": "string"}}}}}}});
    json!({"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": {"type": "object", "required": ["upgrade"], "properties": {
            "concurrency": {"type": "integer", "format": "int64", "minimum": 0},
            "jobActiveDeadlineSecs": {"type": "integer", "format": "int64", "minimum": 0},
            "nodeSelector": label_selector,
            "serviceAccountName": {"type": "string"},
            "channel": {"type": "string"},
            "version": {"type": "string"},
            "secrets": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "path": {"type": "string"}, "ignoreUpdates": {"type": "boolean"}}}},
            "tolerations": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
            "exclusive": {"type": "boolean"},
            "window": {"type": "object", "properties": {
                "days": {"type": "array", "items": {"type": "string", "enum": [
                    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                    "mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
                "startTime": {"type": "string"}, "endTime": {"type": "string"}, "timeZone": {"type": "string"}}},
            "prepare": container_spec(),
            "cordon": {"type": "boolean"},
            "drain": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "upgrade": container_spec(),
            "imagePullSecrets": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            "postCompleteDelay": {"type": "string"},
            "priorityClassName": {"type": "string"}}},
        "status": {"type": "object", "properties": {
            "conditions": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
            "latestVersion": {"type": "string"}, "latestHash": {"type": "string"},
            "applying": {"type": "array", "items": {"type": "string"}}}}}})
}

/// The CRD object.
pub fn plan_crd() -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "plans.upgrade.cattle.io"},
        "spec": {"group": "upgrade.cattle.io", "scope": "Namespaced",
            "names": {"kind": "Plan", "listKind": "PlanList", "plural": "plans", "singular": "plan"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": [
                    {"name": "Image", "type": "string", "jsonPath": ".spec.upgrade.image"},
                    {"name": "Channel", "type": "string", "jsonPath": ".spec.channel"},
                    {"name": "Version", "type": "string", "jsonPath": ".spec.version"}],
                "schema": {"openAPIV3Schema": schema()}}]}})
}
