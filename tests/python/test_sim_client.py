"""The official Python `kubernetes` client against the Outpost fleet simulator.

Run by crates/sim/tests/it/python.rs with:
  SIM_KUBECONFIG  kubeconfig written by the fleet
  SIM_CONTEXTS    comma-separated contexts to exercise (a K3s and a MicroK8s site)
  SIM_CONTROL     base URL of the control endpoint (for "sleep")
  SIM_CONTROL_TOKEN  the control endpoint's per-run token
"""

import json
import os
import sys
import urllib.request

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def check_site(context: str) -> None:
    api_client = config.new_client_from_config(config_file=os.environ["SIM_KUBECONFIG"], context=context)
    v1 = client.CoreV1Api(api_client)

    names = [n.metadata.name for n in v1.list_namespace().items]
    assert "default" in names and "kube-system" in names, names

    pods = v1.list_pod_for_all_namespaces(limit=2)
    assert pods.metadata.resource_version, "list has a resourceVersion"
    if pods.metadata._continue:
        more = v1.list_pod_for_all_namespaces(limit=2, _continue=pods.metadata._continue)
        first = {(p.metadata.namespace, p.metadata.name) for p in pods.items}
        assert not first & {(p.metadata.namespace, p.metadata.name) for p in more.items}, "pages overlap"

    rv = v1.list_namespaced_config_map("default").metadata.resource_version
    v1.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm"), data={"a": "1"})
    )
    seen = []
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=5):
        seen.append((ev["type"], ev["object"].metadata.name))
        if ("ADDED", "py-cm") in seen:
            w.stop()
    assert ("ADDED", "py-cm") in seen, seen

    # Conflict on a stale resourceVersion.
    cm = v1.read_namespaced_config_map("py-cm", "default")
    cm.data = {"a": "2"}
    v1.replace_namespaced_config_map("py-cm", "default", cm)
    cm.data = {"a": "3"}
    try:
        v1.replace_namespaced_config_map("py-cm", "default", cm)
        raise AssertionError("stale update accepted")
    except ApiException as e:
        assert e.status == 409, e

    # "Laptop sleep": history compacted, resuming from the old version gives 410.
    req = urllib.request.Request(f"{os.environ['SIM_CONTROL']}/sites/{context}/sleep", method="POST", data=b"",
                                 headers={"Authorization": f"Bearer {os.environ['SIM_CONTROL_TOKEN']}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert json.load(r)["slept"] is True
    try:
        for ev in watch.Watch().stream(v1.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=5):
            if ev["type"] == "ERROR":
                assert ev["raw_object"]["code"] == 410, ev
                break
            raise AssertionError(f"expected 410 Gone, got {ev['type']}")
        else:
            raise AssertionError("watch ended without 410")
    except ApiException as e:
        assert e.status == 410, e

    # Relist and resume from the fresh version works again.
    fresh = v1.list_namespaced_config_map("default").metadata.resource_version
    v1.delete_namespaced_config_map("py-cm", "default")
    kinds = [ev["type"] for ev in watch.Watch().stream(
        v1.list_namespaced_config_map, "default", resource_version=fresh, timeout_seconds=2)]
    assert "DELETED" in kinds, kinds


def main() -> int:
    for ctx in os.environ["SIM_CONTEXTS"].split(","):
        check_site(ctx)
        print(f"ok {ctx}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
