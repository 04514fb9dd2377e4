"""``make run``: Kafka, the mail sink, the three services and the web app, with demo data.

Everything runs in the foreground of this process; Ctrl-C (or SIGTERM) stops
every process it started, Kafka included. State lives in ``var/``.

``--auth keycloak`` (``make run AUTH=keycloak``) also starts Keycloak with the
realm ``lotse`` on 127.0.0.1:8180 and makes every process trust it: people sign
in through Keycloak with the demo users' passwords printed at the end. In
development the local key is trusted next to the issuer, so the demo data still
loads with local tokens.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
PYTHON = sys.executable

SERVICES = {"catalog": 8001, "matching": 8002, "notifications": 8003}
WEB = 8000
MAILSINK_WEB, MAILSINK_SMTP = 8025, 1025
KEYCLOAK_PORT = 8180
KEYCLOAK_REALM = ROOT / "deploy" / "keycloak" / "realm-lotse.json"
KEYCLOAK_ISSUER = f"http://127.0.0.1:{KEYCLOAK_PORT}/realms/lotse"


def start(module: str, port: int, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [PYTHON, "-m", module, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


def wait_ready(
    url: str, name: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited; last lines of {log}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} did not become ready; see {log}")


def local_secret() -> str:
    """A signing key made once for this machine's ``var/``; never used outside development."""
    path = VAR / "jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_demo(catalog: str, codec: JwtCodec) -> None:
    demo = json.loads((Path(__file__).parent / "demo.json").read_text("utf-8"))

    def bearer(sub: str, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {codec.issue(sub, role)}"}

    def post(
        client: httpx.Client, url: str, body: dict[str, object], headers: dict[str, str]
    ) -> None:
        response = client.post(url, json=body, headers=headers)
        if response.status_code not in (201, 409):
            raise SystemExit(f"demo data: {url} answered {response.status_code} {response.text}")

    admin = bearer("ki-admin", Role.ADMIN)
    with httpx.Client(base_url=catalog, timeout=10) as client:
        if client.get("/v1/providers", headers=admin).json():
            print("demo data: the catalog has data already (delete var/ for a fresh start)")
            return
        for body in demo["providers"]:
            post(client, "/v1/providers", body, admin)
        for body in demo["advisors"]:
            post(client, "/v1/advisors", body, admin)
        for body in demo["offers"]:
            provider = bearer(body.pop("provider_id"), Role.PROVIDER)
            publish_through_review(client, body, provider, admin)
        for body in demo["needs"]:
            post(client, "/v1/needs", body, bearer(body.pop("advisor_id"), Role.ADVISOR))
    print("demo data: loaded " + ", ".join(f"{len(v)} {k}" for k, v in demo.items()))


def publish_through_review(
    client: httpx.Client, body: dict[str, object], provider: dict[str, str], admin: dict[str, str]
) -> None:
    """The offer as a new provider's goes: saved, sent for review, approved by the demo admin
    (a provider the catalog trusts already is published at once)."""
    saved = client.post("/v1/offers", json=body, headers=provider)
    if saved.status_code == 201:
        return
    if saved.status_code != 202:
        raise SystemExit(f"demo data: /v1/offers answered {saved.status_code} {saved.text}")
    offer_id, version = saved.json()["offer_id"], saved.json()["version"]
    sent = client.post(
        f"/v1/offers/{offer_id}/submit", headers=provider | {"If-Match": f'"{version}"'}
    )
    if sent.status_code != 200:
        raise SystemExit(f"demo data: submit answered {sent.status_code} {sent.text}")
    if sent.json()["state"] == "published":
        return
    revision = sent.json()["pending"]["number"]
    decided = client.post(
        f"/v1/offers/{offer_id}/decisions",
        json={"revision": revision, "decision": "approved"},
        headers=admin,
    )
    if decided.status_code != 200:
        raise SystemExit(f"demo data: approval answered {decided.status_code} {decided.text}")


def print_tokens(codec: JwtCodec) -> None:
    print("\nDemo tokens (8 h; send as 'Authorization: Bearer <token>'):")
    for label, sub, role in (
        ("admin", "ki-admin", Role.ADMIN),
        ("provider vhs-schwerte", "vhs-schwerte", Role.PROVIDER),
        ("advisor adv-schwerte-1", "adv-schwerte-1", Role.ADVISOR),
    ):
        print(f"  {label:<24} {codec.issue(sub, role)}")


def web_client_secret() -> str:
    """The web app's client secret as Keycloak imports it: WEB_OIDC_CLIENT_SECRET if set,
    else the realm file's default, a development value."""
    realm = json.loads(KEYCLOAK_REALM.read_text("utf-8"))
    [web] = [c for c in realm["clients"] if c["clientId"] == "lotse-web"]
    placeholder = re.fullmatch(r"\$\{WEB_OIDC_CLIENT_SECRET:(.*)\}", web["secret"])
    default = placeholder[1] if placeholder else web["secret"]
    return os.environ.get("WEB_OIDC_CLIENT_SECRET", default)


def print_keycloak_users() -> None:
    realm = json.loads(KEYCLOAK_REALM.read_text("utf-8"))
    print(f"\nKeycloak demo users (development only; issuer {KEYCLOAK_ISSUER}):")
    for user in realm["users"]:
        roles = [r for r in user["realmRoles"] if r.startswith("lotse-")] or ["no Lotse role"]
        [password] = [c["value"] for c in user["credentials"] if c["type"] == "password"]
        print(f"  {user['username']:<20} {password:<24} {', '.join(roles)}")
    admin = os.environ.get("KC_BOOTSTRAP_ADMIN_PASSWORD", "admin-dev")
    print(f"  Keycloak's admin console: http://127.0.0.1:{KEYCLOAK_PORT}/admin/ (admin / {admin})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--auth",
        choices=["development", "keycloak"],
        default="development",
        help="development: the development sign-in page; keycloak: sign in through Keycloak",
    )
    auth = parser.parse_args(argv).auth
    VAR.mkdir(exist_ok=True)
    logs = VAR / "logs"
    logs.mkdir(exist_ok=True)
    env = os.environ | {
        "LOTSE_ENV": os.environ.get("LOTSE_ENV", "development"),
        "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{VAR / 'catalog.db'}",
        "MATCHING_DATABASE_URL": f"sqlite+aiosqlite:///{VAR / 'matching.db'}",
        "NOTIFICATIONS_DATABASE_URL": f"sqlite+aiosqlite:///{VAR / 'notifications.db'}",
        "WEB_DATABASE_URL": f"sqlite+aiosqlite:///{VAR / 'web.db'}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(MAILSINK_SMTP),
        "MAILSINK_SMTP_PORT": str(MAILSINK_SMTP),
        "MAILSINK_DIR": str(VAR / "mail"),
        "NOTIFICATIONS_MATCH_LINK_BASE": f"http://127.0.0.1:{WEB}",
        # Short, so the demo's emails come quickly; a district runs with the 60 s default.
        "NOTIFICATIONS_BATCH_WINDOW_SECONDS": os.environ.get(
            "NOTIFICATIONS_BATCH_WINDOW_SECONDS", "5"
        ),
    }
    env.setdefault("LOTSE_JWT_SECRET", local_secret())
    codec = JwtCodec(env["LOTSE_JWT_SECRET"])
    kafka = [PYTHON, str(ROOT / "deploy/kafka/launch.py")]
    kafka_dir = ["--data-dir", str(VAR / "kafka")]
    keycloak = [PYTHON, str(ROOT / "deploy/keycloak/launch.py")]
    keycloak_dir = ["--data-dir", str(VAR / "keycloak"), "--port", str(KEYCLOAK_PORT)]

    def stop_infrastructure() -> None:
        subprocess.run([*kafka, "stop", *kafka_dir], cwd=ROOT, check=False)
        if auth == "keycloak":
            subprocess.run([*keycloak, "stop", *keycloak_dir], cwd=ROOT, check=False)

    starting: subprocess.Popen[bytes] | None = None
    if auth == "keycloak":
        env |= {"LOTSE_OIDC_ISSUER": KEYCLOAK_ISSUER, "WEB_OIDC_CLIENT_SECRET": web_client_secret()}
        # Keycloak needs half a minute: it starts while Kafka does.
        starting = subprocess.Popen([*keycloak, "start", *keycloak_dir], cwd=ROOT)
    try:
        started = (
            subprocess.run([*kafka, "start", *kafka_dir], cwd=ROOT, check=False).returncode == 0
        )
        if starting is not None:
            started = starting.wait() == 0 and started
    except KeyboardInterrupt:
        started = False
    if not started:
        if starting is not None:
            stop_infrastructure()
        return 1
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    # Started from a script in the background, SIGINT may arrive ignored; Ctrl-C must still stop us.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        processes["mailsink"] = start("lotse_mailsink", MAILSINK_WEB, logs / "mailsink.log", env)
        for name, port in SERVICES.items():
            processes[name] = start(f"lotse_{name}", port, logs / f"{name}.log", env)
        wait_ready(
            f"http://127.0.0.1:{MAILSINK_WEB}/api/messages",
            "mailsink",
            processes["mailsink"],
            logs / "mailsink.log",
        )
        for name, port in SERVICES.items():
            wait_ready(
                f"http://127.0.0.1:{port}/readyz", name, processes[name], logs / f"{name}.log"
            )
        processes["web"] = start("lotse_web", WEB, logs / "web.log", env)
        wait_ready(f"http://127.0.0.1:{WEB}/readyz", "web", processes["web"], logs / "web.log")
        load_demo(f"http://127.0.0.1:{SERVICES['catalog']}", codec)
        print_tokens(codec)
        if auth == "keycloak":
            print_keycloak_users()
        print("\nLotse is running:")
        if auth == "keycloak":
            print(f"  {'web app':<14} http://127.0.0.1:{WEB}/  (sign in through Keycloak, e.g.")
            print(f"  {'':<14} as adv-schwerte-1 with the password adv-schwerte-1-dev)")
            print(f"  {'keycloak':<14} http://127.0.0.1:{KEYCLOAK_PORT}/  (realm lotse)")
        else:
            print(f"  {'web app':<14} http://127.0.0.1:{WEB}/  (sign in as any demo user, e.g.")
            print(
                f"  {'':<14} advisor Aylin Demir, provider VHS Schwerte, coordinator KI Koordination)"
            )
        for name, port in SERVICES.items():
            print(f"  {name:<14} http://127.0.0.1:{port}/docs")
        print(
            f"  {'mail inbox':<14} http://127.0.0.1:{MAILSINK_WEB}/  (SMTP on 127.0.0.1:{MAILSINK_SMTP})"
        )
        print(f"  {'kafka':<14} {env['KAFKA_BOOTSTRAP_SERVERS']}")
        print(f"  logs in {logs}\nPress Ctrl-C to stop everything.", flush=True)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        dead = [n for n, p in processes.items() if p.poll() is not None]
        print(f"{', '.join(dead)} stopped unexpectedly; see {logs}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        stop_infrastructure()


if __name__ == "__main__":
    sys.exit(main())
