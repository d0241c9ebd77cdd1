"""Who may talk to whom, computed from the built NetworkPolicies as Kubernetes applies them.

A small evaluator of the NetworkPolicy rules these manifests use (pod and namespace selectors,
ports by number or name, ipBlock by address for peers outside the cluster): a connection is
allowed when the destination's ingress policies and the source's egress policies both allow it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

import pytest

Manifest = dict[str, Any]
NAMESPACE = "orderflow"


@dataclass(frozen=True)
class Peer:
    name: str
    namespace: str | None  # None: outside the cluster (a managed database, the internet)
    labels: dict[str, str] = field(default_factory=dict, hash=False)
    ports: dict[str, int] = field(default_factory=dict, hash=False)
    ip: str | None = None  # outside the cluster: its address

    @property
    def namespace_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace} if self.namespace else {}


INGRESS_CONTROLLER = Peer(
    "ingress-controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}
)
STRANGER_HERE = Peer("stranger-in-namespace", NAMESPACE, {"run": "debug"})
STRANGER_ELSEWHERE = Peer("stranger-elsewhere", "default", {"app": "other"})
CLUSTER_DNS = Peer("cluster-dns", "kube-system", {"k8s-app": "kube-dns"})
OUTSIDE = Peer("outside-the-cluster", None, ip="203.0.113.7")
# The address the production overlay names for the managed PostgreSQL.
MANAGED_DATABASE = Peer("managed-postgresql", None, ip="192.0.2.10")
DATABASE_PORT = 5432
# And for the managed Redis, where the gateways keep their budgets.
MANAGED_REDIS = Peer("managed-redis", None, ip="192.0.2.11")
REDIS_PORT = 6379


def selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return True
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def peer_matches(entry: dict[str, Any], peer: Peer, policy_namespace: str) -> bool:
    if "ipBlock" in entry:
        if peer.namespace is not None or peer.ip is None:
            return False
        address = ipaddress.ip_address(peer.ip)
        block = entry["ipBlock"]
        excepted = any(address in ipaddress.ip_network(c) for c in block.get("except", []))
        return address in ipaddress.ip_network(block["cidr"]) and not excepted
    if peer.namespace is None:
        return False
    if "namespaceSelector" in entry:
        if not selects(entry["namespaceSelector"], peer.namespace_labels):
            return False
    elif peer.namespace != policy_namespace:
        return False
    return selects(entry.get("podSelector"), peer.labels)


def port_matches(entries: list[dict[str, Any]] | None, dst: Peer, port: int, proto: str) -> bool:
    if not entries:
        return True
    for entry in entries:
        if entry.get("protocol", "TCP") != proto:
            continue
        wanted = entry.get("port")
        if wanted is None:
            return True
        number = dst.ports.get(wanted) if isinstance(wanted, str) else wanted
        if number is not None and number <= port <= entry.get("endPort", number):
            return True
    return False


def rules_allow(
    policies: list[Manifest],
    direction: str,
    subject: Peer,
    other: Peer,
    dst: Peer,
    port: int,
    proto: str,
) -> bool:
    """Default allow for a pod no policy of that direction selects; else some rule must match."""
    kind, peers_key = ("Ingress", "from") if direction == "ingress" else ("Egress", "to")
    governing = [
        p
        for p in policies
        if subject.namespace == p["metadata"]["namespace"]
        and kind in p["spec"].get("policyTypes", ["Ingress"])
        and selects(p["spec"]["podSelector"], subject.labels)
    ]
    if subject.namespace != NAMESPACE or not governing:
        return True
    for policy in governing:
        for rule in policy["spec"].get(direction, []):
            peers = rule.get(peers_key)
            namespace = policy["metadata"]["namespace"]
            if (
                not peers or any(peer_matches(e, other, namespace) for e in peers)
            ) and port_matches(rule.get("ports"), dst, port, proto):
                return True
    return False


def allowed(policies: list[Manifest], src: Peer, dst: Peer, port: int, proto: str = "TCP") -> bool:
    return rules_allow(policies, "egress", src, dst, dst, port, proto) and rules_allow(
        policies, "ingress", dst, src, dst, port, proto
    )


def pods(objects: list[Manifest]) -> dict[str, Peer]:
    found = {}
    for obj in objects:
        if obj["kind"] not in {"Deployment", "StatefulSet"}:
            continue
        template = obj["spec"]["template"]
        ports = {
            p["name"]: p["containerPort"]
            for c in template["spec"]["containers"]
            for p in c.get("ports", [])
            if "name" in p
        }
        name = obj["metadata"]["name"]
        found[name] = Peer(
            name, obj["metadata"]["namespace"], template["metadata"]["labels"], ports
        )
    return found


def network_policies(objects: list[Manifest]) -> list[Manifest]:
    return [o for o in objects if o["kind"] == "NetworkPolicy"]


# Destination -> who may open a connection to its serving port.
EXPECTED_CALLERS = {
    "orderflow-frontend": {"ingress-controller"},
    "orderflow-api-gateway": {"ingress-controller", "orderflow-frontend"},
    "orderflow-customer": {"orderflow-api-gateway", "orderflow-order"},
    "orderflow-order": {"orderflow-api-gateway"},
    # Sign-in and /me through the gateway; the services fetch its keys.
    "orderflow-identity": {"orderflow-api-gateway", "orderflow-customer", "orderflow-order"},
    "orderflow-postgresql": {"orderflow-customer", "orderflow-order", "orderflow-identity"},
    "orderflow-redis": {"orderflow-api-gateway"},
}


@pytest.mark.parametrize("side", ["both", "ingress", "egress"])
def test_only_the_intended_callers_reach_each_component(objects: list[Manifest], side: str) -> None:
    """Checked on each side alone too: a mistake in one policy is not hidden by another."""
    policies = network_policies(objects)
    here = pods(objects)
    everyone = [*here.values(), INGRESS_CONTROLLER, STRANGER_HERE, STRANGER_ELSEWHERE, OUTSIDE]
    wrong = []
    for dst in here.values():
        (port,) = dst.ports.values()
        for src in everyone:
            if src == dst or (side == "egress" and src.namespace != NAMESPACE):
                continue
            if side == "both":
                verdict = allowed(policies, src, dst, port)
            elif side == "ingress":
                verdict = rules_allow(policies, "ingress", dst, src, dst, port, "TCP")
            else:
                verdict = rules_allow(policies, "egress", src, dst, dst, port, "TCP")
            expected = src.name in EXPECTED_CALLERS[dst.name]
            if verdict != expected:
                wrong.append(f"{src.name} -> {dst.name}:{port}: expected {expected}, got {verdict}")
    assert not wrong, "\n".join(wrong)


def test_no_other_port_of_a_component_is_reachable(objects: list[Manifest]) -> None:
    policies = network_policies(objects)
    here = pods(objects)
    for dst in here.values():
        for src in [*here.values(), INGRESS_CONTROLLER]:
            assert not allowed(policies, src, dst, 9999), f"{src.name} -> {dst.name}:9999"


def test_every_pod_resolves_names_and_nothing_else_leaves_unasked(objects: list[Manifest]) -> None:
    policies = network_policies(objects)
    for pod in pods(objects).values():
        assert allowed(policies, pod, CLUSTER_DNS, 53, "UDP"), pod.name
        assert allowed(policies, pod, CLUSTER_DNS, 53, "TCP"), pod.name
        assert not allowed(policies, pod, OUTSIDE, 443), f"{pod.name} reaches the internet"


def test_in_production_only_the_services_with_a_database_reach_it_and_only_it(
    built: dict[str, list[Manifest]],
) -> None:
    objects = built["production"]
    policies = network_policies(objects)
    for pod in pods(objects).values():
        expected = pod.name in {"orderflow-customer", "orderflow-order", "orderflow-identity"}
        assert allowed(policies, pod, MANAGED_DATABASE, DATABASE_PORT) == expected, pod.name
        # Any other host on PostgreSQL's port is out of reach, whoever runs there.
        assert not allowed(policies, pod, OUTSIDE, DATABASE_PORT), pod.name


def test_in_production_only_the_gateway_reaches_the_managed_redis_and_only_it(
    built: dict[str, list[Manifest]],
) -> None:
    objects = built["production"]
    policies = network_policies(objects)
    for pod in pods(objects).values():
        expected = pod.name == "orderflow-api-gateway"
        assert allowed(policies, pod, MANAGED_REDIS, REDIS_PORT) == expected, pod.name
        assert not allowed(policies, pod, OUTSIDE, REDIS_PORT), pod.name


def test_locally_the_gateway_reaches_redis_only_in_its_pod(
    built: dict[str, list[Manifest]],
) -> None:
    objects = built["local"]
    policies = network_policies(objects)
    here = pods(objects)
    gateway = here["orderflow-api-gateway"]
    impostor = Peer("impostor", NAMESPACE, {"run": "cache"}, {"redis": REDIS_PORT})

    assert allowed(policies, gateway, here["orderflow-redis"], REDIS_PORT)
    assert not allowed(policies, gateway, MANAGED_REDIS, REDIS_PORT)
    assert not rules_allow(policies, "egress", gateway, impostor, impostor, REDIS_PORT, "TCP")


def test_locally_the_services_reach_postgres_only_in_its_pod(
    built: dict[str, list[Manifest]],
) -> None:
    objects = built["local"]
    policies = network_policies(objects)
    here = pods(objects)
    impostor = Peer("impostor", NAMESPACE, {"run": "pg"}, {"postgresql": DATABASE_PORT})
    for name in ("orderflow-customer", "orderflow-order", "orderflow-identity"):
        service = here[name]
        assert allowed(policies, service, here["orderflow-postgresql"], DATABASE_PORT), name
        assert not allowed(policies, service, OUTSIDE, DATABASE_PORT), name
        assert not allowed(policies, service, MANAGED_DATABASE, DATABASE_PORT), name
        assert not rules_allow(
            policies, "egress", service, impostor, impostor, DATABASE_PORT, "TCP"
        ), f"{name} may open a connection to any pod listening on 5432"


def test_a_default_deny_covers_the_namespace_and_each_component_has_its_own_policy(
    objects: list[Manifest],
) -> None:
    policies = network_policies(objects)
    blanket = [p for p in policies if p["spec"]["podSelector"] == {}]
    assert any(
        set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in blanket
    ), "no default-deny policy"
    for pod in pods(objects).values():
        own = [
            p
            for p in policies
            if p["spec"]["podSelector"] and selects(p["spec"]["podSelector"], pod.labels)
        ]
        assert own, f"{pod.name} is selected by no NetworkPolicy of its own"


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({}, {"a": "b"}, True),
        ({"matchLabels": {"a": "b"}}, {"a": "b", "c": "d"}, True),
        ({"matchLabels": {"a": "x"}}, {"a": "b"}, False),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}, {"a": "b"}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": "b"}, False),
    ],
)
def test_the_evaluator_reads_selectors_as_kubernetes_does(
    selector: dict[str, Any], labels: dict[str, str], expected: bool
) -> None:
    assert selects(selector, labels) is expected
