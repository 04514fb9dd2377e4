"""deploy/compose.yaml and deploy/k8s against their published schemas, and against Lotse itself.

The schemas are the Compose specification's (as vendored by check-jsonschema)
and the Kubernetes 1.33 API's, strict (as bundled by kubernetes-validate):
an unknown field fails. Beyond the schemas, every service must have health
checks, probes and resources, run a module that exists, and be given only
settings that it reads. The web app reaches the three APIs by their service
names; the image carries the htmx it serves. Both run Keycloak with the realm
file of deploy/keycloak, and every service trusts it as its one issuer.
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
REALM_FILE = ROOT / "deploy" / "keycloak" / "realm-lotse.json"
KEYCLOAK_IMAGE = "quay.io/keycloak/keycloak:"


def settings_names(*services: str) -> set[str]:
    """Every environment variable the given Lotse services read (all of them without any)."""
    names: set[str] = set()
    for service in services or tuple(SETTINGS):
        for name, field in SETTINGS[service].model_fields.items():
            alias = field.validation_alias
            names.add(alias if isinstance(alias, str) else name.upper())
    return names


def keycloak_version() -> str:
    found = re.search(r'^VERSION = "(.+)"$', (ROOT / "deploy/keycloak/launch.py").read_text(), re.M)
    assert found is not None
    return found[1]


def realm_redirects(public_url: str) -> list[str]:
    """lotse-web's redirect URI patterns as Keycloak imports them with ``public_url``."""
    text = REALM_FILE.read_text("utf-8").replace(
        "${WEB_PUBLIC_URL:http://127.0.0.1:8000}", public_url
    )
    [web] = [c for c in json.loads(text)["clients"] if c["clientId"] == "lotse-web"]
    uris: list[str] = web["redirectUris"]
    return uris


def redirect_allowed(url: str, patterns: list[str]) -> bool:
    return any(
        url.startswith(p.removesuffix("*")) if p.endswith("*") else url == p for p in patterns
    )


def assert_one_issuer(env: set[str] | dict[str, Any], where: str) -> None:
    """Outside development a service refuses a local signing key next to an issuer."""
    assert "LOTSE_OIDC_ISSUER" in env, f"{where} trusts no issuer"
    assert "LOTSE_JWT_SECRET" not in env, f"{where} is given a local signing key as well"


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
        assert_one_issuer(service["environment"], name)
        assert service["depends_on"]["keycloak"]["condition"] == "service_healthy"
    notifications = services["notifications"]["environment"]
    assert notifications["SMTP_HOST"] == "mail"
    web = services["web"]["environment"]
    for api in APIS:
        assert web[f"WEB_{api.upper()}_URL"] == f"http://{api}:{SERVICES[api]}"


def test_compose_runs_keycloak_with_the_realm_file_and_every_service_trusts_it() -> None:
    services = compose()["services"]
    keycloak = services["keycloak"]
    assert keycloak["image"] == KEYCLOAK_IMAGE + keycloak_version(), "the version make run has"
    assert keycloak["command"][:2] == ["start-dev", "--import-realm"]
    mount = "./keycloak/realm-lotse.json:/opt/keycloak/data/import/realm-lotse.json:ro"
    assert mount in keycloak["volumes"]
    assert (COMPOSE.parent / mount.split(":")[0]).resolve() == REALM_FILE
    env = keycloak["environment"]
    published = f"{env['KC_HTTP_PORT']}:{env['KC_HTTP_PORT']}"
    assert keycloak["ports"] == [published]
    host = env["KC_HOSTNAME"]
    assert host.removeprefix("http://").split(":")[0] in keycloak["networks"]["default"]["aliases"]
    assert host.endswith(f":{env['KC_HTTP_PORT']}")
    assert (
        env["KC_HEALTH_ENABLED"] == "true"
        and "/health/ready" in keycloak["healthcheck"]["test"][-1]
    )
    for name in SERVICES:
        assert services[name]["environment"]["LOTSE_OIDC_ISSUER"] == f"{host}/realms/lotse"
    web = services["web"]["environment"]
    assert web["WEB_OIDC_CLIENT_SECRET"] == env["WEB_OIDC_CLIENT_SECRET"]
    assert web["WEB_PUBLIC_URL"] == env["WEB_PUBLIC_URL"]
    patterns = realm_redirects(env["WEB_PUBLIC_URL"])
    assert redirect_allowed(web["WEB_PUBLIC_URL"] + "/sign-in/callback", patterns)
    assert not redirect_allowed("http://elsewhere.example/sign-in/callback", patterns)


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


def by_name(kind: str) -> dict[str, dict[str, Any]]:
    return {m["metadata"]["name"]: m for m in manifests() if m["kind"] == kind}


def test_every_deployment_has_probes_resources_and_known_settings() -> None:
    deployments = by_name("Deployment")
    assert set(deployments) == {f"lotse-{name}" for name in SERVICES} | {"lotse-keycloak"}
    config = by_name("ConfigMap")["lotse-config"]
    known = settings_names()
    assert set(config["data"]) <= known, set(config["data"]) - known
    services = by_name("Service")
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
        assert f"{name.upper()}_DATABASE_URL" in env
        assert_one_issuer(env | set(config["data"]), f"lotse-{name}")


def test_kubernetes_runs_keycloak_with_the_same_realm_and_every_service_trusts_it() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    [generated] = kustomization["configMapGenerator"]
    assert generated == {"name": "lotse-keycloak-realm", "files": ["realm-lotse.json"]}
    assert (K8S / "realm-lotse.json").read_bytes() == REALM_FILE.read_bytes(), (
        "deploy/k8s/realm-lotse.json differs from deploy/keycloak/realm-lotse.json: copy it"
    )
    deployment = by_name("Deployment")["lotse-keycloak"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == KEYCLOAK_IMAGE + keycloak_version()
    assert container["args"][:2] == ["start-dev", "--import-realm"]
    realm_volume = next(v for v in pod["volumes"] if "configMap" in v)
    assert realm_volume["configMap"]["name"] == "lotse-keycloak-realm"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts[realm_volume["name"]] == "/opt/keycloak/data/import"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"].startswith("/health/")
        assert container[probe]["httpGet"]["port"] == "management"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    env = {e["name"]: e for e in container["env"]}
    assert env["KC_HEALTH_ENABLED"]["value"] == "true"
    config = by_name("ConfigMap")["lotse-config"]["data"]
    assert config["LOTSE_OIDC_ISSUER"] == env["KC_HOSTNAME"]["value"] + "/realms/lotse"
    assert env["WEB_PUBLIC_URL"]["valueFrom"]["configMapKeyRef"]["key"] == "WEB_PUBLIC_URL"
    web_container = by_name("Deployment")["lotse-web"]["spec"]["template"]["spec"]["containers"][0]
    web_env = {e["name"]: e for e in web_container["env"]}
    secret = env["WEB_OIDC_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert web_env["WEB_OIDC_CLIENT_SECRET"]["valueFrom"]["secretKeyRef"] == secret
    patterns = realm_redirects(config["WEB_PUBLIC_URL"])
    assert redirect_allowed(config["WEB_PUBLIC_URL"] + "/sign-in/callback", patterns)
    [service] = by_name("Service")["lotse-keycloak"]["spec"]["ports"]
    assert service["targetPort"] == "http"
