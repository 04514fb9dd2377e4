"""deploy/compose.yaml and deploy/k8s against their published schemas, and against Lotse itself.

The schemas are the Compose specification's (as vendored by check-jsonschema)
and the Kubernetes 1.33 API's, strict (as bundled by kubernetes-validate):
an unknown field fails. Beyond the schemas, every service must have health
checks, probes and resources, run a module that exists, and be given only
settings that it reads. The web app reaches the three APIs by their service
names; the image carries the htmx it serves.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from lotse_catalog.config import CatalogSettings
from lotse_matching.config import MatchingSettings
from lotse_notifications.config import NotificationsSettings
from lotse_shared.settings import CommonSettings
from lotse_web.config import WebSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "deploy" / "compose.yaml"
K8S = ROOT / "deploy" / "k8s"
KUBERNETES = "v1.33.0-local-strict"
SETTINGS: dict[str, type[CommonSettings]] = {
    "web": WebSettings,
    "catalog": CatalogSettings,
    "matching": MatchingSettings,
    "notifications": NotificationsSettings,
}
SERVICES = {"web": 8000, "catalog": 8001, "matching": 8002, "notifications": 8003}
APIS = ("catalog", "matching", "notifications")
HTMX = "services/web/src/lotse_web/static/vendor/htmx.min.js"


def settings_names(*services: str) -> set[str]:
    """Every environment variable the given Lotse services read (all of them without any)."""
    names = set()
    for service in services or tuple(SETTINGS):
        for name, field in SETTINGS[service].model_fields.items():
            alias = field.validation_alias
            names.add(alias if isinstance(alias, str) else name.upper())
    return names


def test_the_services_listen_by_default_where_the_deployment_expects_them() -> None:
    assert {name: s.model_fields["port"].default for name, s in SETTINGS.items()} == SERVICES


def errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


# --- Compose ---------------------------------------------------------------------------------


@cache
def compose_validator() -> Draft202012Validator:
    schema = files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json")
    return Draft202012Validator(json.loads(schema.read_text()))


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def test_compose_is_valid_against_the_compose_specification() -> None:
    assert errors(compose_validator(), compose()) == []
    broken = compose()
    broken["services"]["catalog"]["healthcheck"]["test"] = {"curl": "/readyz"}
    broken["services"]["kafka"]["depends_on"] = 42
    assert len(errors(compose_validator(), broken)) >= 2


def test_compose_runs_kafka_postgres_a_mail_catcher_the_services_and_the_web_app() -> None:
    services = compose()["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["postgres"]["image"].startswith("postgres:")
    assert "mail" in services
    for name, service in services.items():
        assert "test" in service.get("healthcheck", {}), f"{name} has no healthcheck"
    for name, port in SERVICES.items():
        service = services[name]
        assert service["build"] == {"context": "..", "dockerfile": "Dockerfile"}
        assert service["command"][0] == f"lotse_{name}"
        assert importlib.util.find_spec(service["command"][0]) is not None
        assert service["ports"] == [f"{port}:{port}"]
        assert f"{port}/readyz" in " ".join(service["healthcheck"]["test"])
        needs = ("postgres", *APIS) if name == "web" else ("kafka", "postgres")
        for needed in needs:
            assert service["depends_on"][needed]["condition"] == "service_healthy"
        unknown = set(service["environment"]) - settings_names(name)
        assert not unknown, f"{name} is given settings it does not read: {unknown}"
        assert f"{name.upper()}_DATABASE_URL" in service["environment"]
        assert "LOTSE_JWT_SECRET" in service["environment"]
    notifications = services["notifications"]["environment"]
    assert notifications["SMTP_HOST"] == "mail"
    web = services["web"]["environment"]
    for api in APIS:
        assert web[f"WEB_{api.upper()}_URL"] == f"http://{api}:{SERVICES[api]}"


def test_compose_creates_a_database_for_each_service() -> None:
    init = (ROOT / "deploy" / "postgres" / "init.sql").read_text()
    services = compose()["services"]
    for name in SERVICES:
        url = services[name]["environment"][f"{name.upper()}_DATABASE_URL"]
        database = url.rsplit("/", 1)[1]
        assert f"CREATE DATABASE {database};" in init


def test_the_dockerfile_installs_every_workspace_member() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    members = [p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("*/**/pyproject.toml")]
    members = [m for m in members if not m.startswith((".venv", "var"))]
    assert sorted(members) == sorted(
        [
            "shared",
            "services/catalog",
            "services/matching",
            "services/notifications",
            "services/web",
            "deploy/mailsink",
        ]
    )
    for member in members:
        assert f"COPY {member}/pyproject.toml {member}/" in dockerfile
    assert "uv sync --frozen --no-dev --no-editable" in dockerfile
    assert 'ENTRYPOINT ["python", "-m"]' in dockerfile
    assert re.search(r"^USER \d+$", dockerfile, re.MULTILINE), "the services must not run as root"
    for port in SERVICES.values():
        assert re.search(rf"^EXPOSE .*\b{port}\b", dockerfile, re.MULTILINE)


def test_the_image_fetches_the_pinned_htmx_itself_and_copies_all_else_from_the_context() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    pinned = re.search(r"^HTMX := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert pinned is not None
    assert re.search(r"^FROM node:\S+ AS frontend$", dockerfile, re.MULTILINE)
    assert f"ARG HTMX={pinned[1]}" in dockerfile
    assert "npm pack --silent htmx.org@${HTMX}" in dockerfile
    copy = f"COPY --from=frontend /frontend/package/dist/htmx.min.js {Path(HTMX).parent}/"
    assert copy in dockerfile
    assert dockerfile.index(copy) < dockerfile.index("uv sync --frozen --no-dev --no-editable")
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.MULTILINE)
    for source in " ".join(sources).split():
        assert not any(Path(source).match(pattern) for pattern in ignored), source
        assert (ROOT / source).exists(), source
    assert any(Path(HTMX).parent.as_posix() == p for p in ignored)


# --- Kubernetes ------------------------------------------------------------------------------


@cache
def kubernetes_schemas() -> tuple[Path, Registry[Any]]:
    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / KUBERNETES
    definitions = Resource.from_contents(json.loads((base / "_definitions.json").read_text()))
    registry: Registry[Any] = Registry().with_resource(definitions.id() or "", definitions)
    return base, registry


def kubernetes_errors(manifest: dict[str, Any]) -> list[str]:
    base, registry = kubernetes_schemas()
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", manifest["apiVersion"])
    schema_file = base / f"{manifest['kind'].lower()}-{group_version}.json"
    if not schema_file.exists():
        return [f"no schema for {manifest['kind']} {manifest['apiVersion']}"]
    validator = Draft202012Validator(json.loads(schema_file.read_text()), registry=registry)
    return errors(validator, manifest)


def manifests() -> list[dict[str, Any]]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return found


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


@pytest.mark.parametrize(
    "manifest", manifests(), ids=lambda m: f"{m['kind']}/{m['metadata']['name']}"
)
def test_each_manifest_is_valid_against_the_kubernetes_schemas(manifest: dict[str, Any]) -> None:
    assert kubernetes_errors(manifest) == []


def test_the_kubernetes_check_catches_typos_wrong_types_and_unknown_kinds() -> None:
    deployment = next(m for m in manifests() if m["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "two"
    broken["spec"]["template"]["spec"]["containers"][0]["portz"] = []
    assert len(kubernetes_errors(broken)) >= 2
    assert kubernetes_errors(deployment | {"kind": "Deploymnet"}) != []


def test_every_deployment_has_probes_resources_and_known_settings() -> None:
    deployments = {m["metadata"]["name"]: m for m in manifests() if m["kind"] == "Deployment"}
    assert set(deployments) == {f"lotse-{name}" for name in SERVICES}
    config = next(m for m in manifests() if m["kind"] == "ConfigMap")
    known = settings_names()
    assert set(config["data"]) <= known, set(config["data"]) - known
    services = {m["metadata"]["name"]: m for m in manifests() if m["kind"] == "Service"}
    for api in APIS:
        [port] = services[f"lotse-{api}"]["spec"]["ports"]
        assert config["data"][f"WEB_{api.upper()}_URL"] == f"http://lotse-{api}:{port['port']}"
    for name, port in SERVICES.items():
        [container] = deployments[f"lotse-{name}"]["spec"]["template"]["spec"]["containers"]
        assert container["args"][:1] == [f"lotse_{name}"]
        assert container["args"][-1] == str(port)
        assert container["ports"][0]["containerPort"] == port
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["startupProbe"]["httpGet"]["path"] == "/readyz"
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert "memory" in container["resources"]["limits"]
        env = {e["name"] for e in container["env"]}
        assert env <= settings_names(name), env - settings_names(name)
        assert {f"{name.upper()}_DATABASE_URL", "LOTSE_JWT_SECRET"} <= env
