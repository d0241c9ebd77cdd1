"""What every workload must be, checked on the built objects of each overlay."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

Manifest = dict[str, Any]
WORKLOAD_KINDS = {"Deployment", "StatefulSet"}
COMPONENTS = (
    "orderflow-customer",
    "orderflow-order",
    "orderflow-identity",
    "orderflow-api-gateway",
    "orderflow-frontend",
)
PINNED_IMAGE = re.compile(r"^[^:@\s]+(:[\w][\w.-]{0,127})?(@sha256:[0-9a-f]{64})?$")


def workloads(objects: list[Manifest]) -> list[Manifest]:
    return [o for o in objects if o["kind"] in WORKLOAD_KINDS]


def containers(workload: Manifest, *, init: bool = True) -> Iterator[tuple[str, Manifest]]:
    spec = workload["spec"]["template"]["spec"]
    groups = ["containers", "initContainers"] if init else ["containers"]
    for group in groups:
        for container in spec.get(group, []):
            yield f"{workload['metadata']['name']}/{container['name']}", container


def by_kind(objects: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def all_containers(objects: list[Manifest]) -> list[tuple[str, Manifest, Manifest]]:
    return [(name, c, w) for w in workloads(objects) for name, c in containers(w)]


def test_each_component_is_a_deployment_with_a_service(objects: list[Manifest]) -> None:
    deployments = by_kind(objects, "Deployment")
    services = by_kind(objects, "Service")
    assert set(COMPONENTS) <= set(deployments)
    assert set(COMPONENTS) <= set(services)


def test_every_container_has_requests_and_limits(objects: list[Manifest]) -> None:
    for name, container, _ in all_containers(objects):
        resources = container.get("resources", {})
        for section in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(section, {})), f"{name}: {section}"


def test_every_container_runs_locked_down(objects: list[Manifest]) -> None:
    for name, container, workload in all_containers(objects):
        pod_context = workload["spec"]["template"]["spec"].get("securityContext", {})
        context = {**pod_context, **container.get("securityContext", {})}
        assert context.get("runAsNonRoot") is True, name
        assert context.get("runAsUser", 1) != 0, name
        assert context.get("readOnlyRootFilesystem") is True, name
        assert context.get("allowPrivilegeEscalation") is False, name
        assert context.get("capabilities", {}).get("drop") == ["ALL"], name
        assert not context.get("privileged", False), name
        assert context.get("seccompProfile", {}).get("type") == "RuntimeDefault", name


def test_pods_mount_no_service_account_token_and_no_host_paths(objects: list[Manifest]) -> None:
    for workload in workloads(objects):
        spec = workload["spec"]["template"]["spec"]
        assert spec.get("automountServiceAccountToken") is False, workload["metadata"]["name"]
        assert not any("hostPath" in v for v in spec.get("volumes", []))
        assert not spec.get("hostNetwork")
        assert not spec.get("hostPID")


def test_every_image_is_pinned(objects: list[Manifest]) -> None:
    for name, container, _ in all_containers(objects):
        image = container["image"]
        assert PINNED_IMAGE.match(image), f"{name}: {image}"
        assert ":" in image.rsplit("/", 1)[-1] or "@sha256:" in image, f"{name}: no tag: {image}"
        assert not image.endswith(":latest"), f"{name}: {image}"


def test_every_server_has_readiness_and_liveness_probes(objects: list[Manifest]) -> None:
    for workload in workloads(objects):
        for name, container in containers(workload, init=False):
            assert "readinessProbe" in container, name
            assert "livenessProbe" in container, name


# The gateway's /readyz reports its upstreams; as a routing signal it would turn one service's
# outage into the whole API's, so the gateway is routed to while it is alive.
READINESS_PATH = {"orderflow-api-gateway": "/healthz"}


def test_components_probe_readiness_and_healthz_for_liveness(
    objects: list[Manifest],
) -> None:
    deployments = by_kind(objects, "Deployment")
    for component in COMPONENTS:
        expected = READINESS_PATH.get(component, "/readyz")
        for name, container in containers(deployments[component], init=False):
            assert container["readinessProbe"]["httpGet"]["path"] == expected, name
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name


@pytest.mark.parametrize(
    "component", ["orderflow-customer", "orderflow-order", "orderflow-identity"]
)
def test_migrations_run_in_an_init_container_before_the_server(
    objects: list[Manifest], component: str
) -> None:
    spec = by_kind(objects, "Deployment")[component]["spec"]["template"]["spec"]
    (init,) = spec["initContainers"]
    (server,) = spec["containers"]
    prefix = component.removeprefix("orderflow-").upper()

    assert init["image"] == server["image"]
    assert init["args"] == ["migrate"]
    assert init["env"] == server["env"]
    assert init["envFrom"] == server["envFrom"]
    config = by_kind(objects, "ConfigMap")[server["envFrom"][0]["configMapRef"]["name"]]
    assert config["data"][f"{prefix}_MIGRATE_ON_STARTUP"] == "false"


def test_a_rollout_never_drops_below_the_desired_count(objects: list[Manifest]) -> None:
    for name, deployment in by_kind(objects, "Deployment").items():
        rolling = deployment["spec"]["strategy"]["rollingUpdate"]
        assert rolling["maxUnavailable"] == 0, name


def test_services_select_pods_and_target_named_ports_that_exist(objects: list[Manifest]) -> None:
    pods = [w["spec"]["template"] for w in workloads(objects)]
    for name, service in by_kind(objects, "Service").items():
        selector = service["spec"]["selector"]
        selected = [p for p in pods if selector.items() <= p["metadata"]["labels"].items()]
        assert selected, f"Service {name} selects no pod"
        for pod in selected:
            port_names = {
                port["name"] for c in pod["spec"]["containers"] for port in c.get("ports", [])
            }
            for port in service["spec"]["ports"]:
                assert port["targetPort"] in port_names, f"Service {name}: {port}"


def test_config_maps_and_secrets_referenced_are_built_or_documented(
    objects: list[Manifest], overlay: str
) -> None:
    config_maps = set(by_kind(objects, "ConfigMap"))
    secrets = set(by_kind(objects, "Secret"))
    external_secrets = {
        "orderflow-customer-db",
        "orderflow-order-db",
        "orderflow-identity-db",
        "orderflow-identity-signing-keys",
        "orderflow-gateway-redis",
    }
    for name, container, workload in all_containers(objects):
        for source in container.get("envFrom", []):
            assert source["configMapRef"]["name"] in config_maps, name
        for var in container.get("env", []):
            ref = var.get("valueFrom", {}).get("secretKeyRef")
            if ref is None:
                continue
            if overlay == "production":
                assert ref["name"] in external_secrets, f"{name}: {ref}"
            else:
                secret = by_kind(objects, "Secret")[ref["name"]]
                assert ref["key"] in secret["data"], f"{name}: {ref}"
        for volume in workload["spec"]["template"]["spec"].get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps
    if overlay == "production":
        assert not secrets, "production takes its Secrets from outside the repository"


def test_the_ingress_routes_as_the_original(objects: list[Manifest], overlay: str) -> None:
    """The original: ``/`` to orderflow-frontend:80 and ``/api`` to orderflow-api-gateway:80."""
    (ingress,) = by_kind(objects, "Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    routes = {
        (p["path"], p["pathType"]): (
            p["backend"]["service"]["name"],
            p["backend"]["service"]["port"]["number"],
        )
        for p in rule["http"]["paths"]
    }
    assert routes == {
        ("/", "Prefix"): ("orderflow-frontend", 80),
        ("/api", "Prefix"): ("orderflow-api-gateway", 80),
    }
    services = by_kind(objects, "Service")
    for service_name, port in routes.values():
        assert port in {p["port"] for p in services[service_name]["spec"]["ports"]}
    expected_host = "orderflow.local" if overlay == "local" else "orderflow.example.com"
    assert rule["host"] == expected_host


def test_local_runs_one_replica_of_each_and_postgres_in_the_cluster(
    built: dict[str, list[Manifest]],
) -> None:
    objects = built["local"]
    for name, deployment in by_kind(objects, "Deployment").items():
        assert deployment["spec"]["replicas"] == 1, name
    postgres = by_kind(objects, "StatefulSet")["orderflow-postgresql"]
    assert postgres["spec"]["volumeClaimTemplates"], "PostgreSQL keeps its data on a volume"

    import base64

    urls = {
        name: base64.b64decode(secret["data"]["url"]).decode()
        for name, secret in by_kind(objects, "Secret").items()
        if "url" in secret["data"]
    }
    databases = {u.rsplit("/", 1)[-1] for u in urls.values() if u.startswith("postgresql")}
    assert databases == {"customers", "orders", "identities"}, "one database per service"
    (redis_url,) = [u for name, u in urls.items() if name.startswith("orderflow-gateway-redis")]
    assert redis_url.startswith("redis://orderflow-redis:6379/")
    redis = by_kind(objects, "StatefulSet")["orderflow-redis"]
    assert "volumeClaimTemplates" not in redis["spec"], "budgets are not worth a volume"


def test_production_scales_every_component_and_bounds_disruption(
    built: dict[str, list[Manifest]],
) -> None:
    objects = built["production"]
    deployments = by_kind(objects, "Deployment")
    autoscalers = {
        h["spec"]["scaleTargetRef"]["name"]: h
        for h in by_kind(objects, "HorizontalPodAutoscaler").values()
    }
    budgets = list(by_kind(objects, "PodDisruptionBudget").values())
    assert not by_kind(objects, "StatefulSet"), "production's PostgreSQL is outside the cluster"

    for name, deployment in deployments.items():
        autoscaler = autoscalers[name]
        assert autoscaler["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert autoscaler["spec"]["minReplicas"] >= 2, name
        assert autoscaler["spec"]["maxReplicas"] > autoscaler["spec"]["minReplicas"], name
        # The autoscaler owns the count; a replicas field would reset it on every apply.
        assert "replicas" not in deployment["spec"], name

        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        ]
        assert len(covering) == 1, f"{name}: {len(covering)} PodDisruptionBudgets"
        assert covering[0]["spec"].get("maxUnavailable") == 1

        spread = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} == {
            "kubernetes.io/hostname",
            "topology.kubernetes.io/zone",
        }


def test_production_images_come_from_a_registry(built: dict[str, list[Manifest]]) -> None:
    for name, container, _ in all_containers(built["production"]):
        assert "." in container["image"].split("/", 1)[0], f"{name}: {container['image']}"


def test_production_identity_signs_with_keys_from_its_secret(
    built: dict[str, list[Manifest]],
) -> None:
    spec = by_kind(built["production"], "Deployment")["orderflow-identity"]["spec"]["template"]
    (server,) = spec["spec"]["containers"]
    refs = {
        var["name"]: var["valueFrom"]["secretKeyRef"]
        for var in server["env"]
        if "secretKeyRef" in var.get("valueFrom", {})
    }
    assert refs["IDENTITY_SIGNING_KEYS"]["name"] == "orderflow-identity-signing-keys"
    assert refs["IDENTITY_ACTIVE_KID"]["name"] == "orderflow-identity-signing-keys"
    config = by_kind(built["production"], "ConfigMap")[server["envFrom"][0]["configMapRef"]["name"]]
    assert config["data"]["IDENTITY_ISSUER"].startswith("https://")
    assert "IDENTITY_DEMO_ACCOUNTS" not in config["data"]


def test_every_component_trusts_the_issuer_identity_signs_as(objects: list[Manifest]) -> None:
    config_maps = by_kind(objects, "ConfigMap")
    deployments = by_kind(objects, "Deployment")

    def config_of(component: str) -> dict[str, str]:
        (server,) = deployments[component]["spec"]["template"]["spec"]["containers"]
        data: dict[str, str] = config_maps[server["envFrom"][0]["configMapRef"]["name"]]["data"]
        return data

    issuer = config_of("orderflow-identity")["IDENTITY_ISSUER"]
    for component in ("orderflow-customer", "orderflow-order", "orderflow-api-gateway"):
        prefix = {"orderflow-api-gateway": "GATEWAY"}.get(
            component, component.removeprefix("orderflow-").upper()
        )
        data = config_of(component)
        assert data[f"{prefix}_AUTH_ISSUER"] == issuer, component
        assert data[f"{prefix}_AUTH_JWKS_URL"] == "http://orderflow-identity/jwks.json", component
