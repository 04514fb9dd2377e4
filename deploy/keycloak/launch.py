"""Start and stop a local Keycloak (development mode) with the realm ``lotse`` imported.

    python deploy/keycloak/launch.py resolve
    python deploy/keycloak/launch.py start  [--data-dir var/keycloak] [--port 8180]
    python deploy/keycloak/launch.py status [--data-dir var/keycloak] [--port 8180]
    python deploy/keycloak/launch.py stop   [--data-dir var/keycloak]

``resolve`` fetches Keycloak's server distribution from Maven Central (pom.xml)
into deploy/keycloak/dist, unpacks it and checks for a JDK 21+, once. ``start`` gives the data folder
a Keycloak home of its own — the distribution's jars linked, its database,
build and realm import kept in the data folder — starts ``kc.sh start-dev`` on
127.0.0.1 with a JDK 21+ found by jdk.py, and waits until the realm's discovery
document answers. Keycloak's development mode rebuilds itself on its first
start (about 30 s); that build is kept in dist/ and reused by every later data
folder, and ``resolve`` makes it ahead, in a scratch folder. Every failure ends with one line that says what to do.

The bootstrap admin of the master realm is KC_BOOTSTRAP_ADMIN_USERNAME /
KC_BOOTSTRAP_ADMIN_PASSWORD from the environment, ``admin`` / ``admin-dev`` when
unset: development values, like the demo users' passwords in the realm file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from jdk import JdkNotFound, find_jdk

HERE = Path(__file__).resolve().parent
VERSION = "26.7.3"
DIST = HERE / "dist"
ZIP = DIST / f"keycloak-quarkus-dist-{VERSION}.zip"
KEYCLOAK = DIST / f"keycloak-{VERSION}"
# The distribution rebuilt for development mode by its first start, reused by every data folder.
DEV_BUILD = DIST / f"dev-build-{VERSION}"
REALM_FILE = HERE / "realm-lotse.json"
REALM = "lotse"
DEVELOPMENT_ADMIN = ("admin", "admin-dev")


class LaunchError(Exception):
    """A problem the person starting Keycloak can fix; the message says how."""


def resolve() -> None:
    """The distribution from Maven Central, unpacked with its scripts executable."""
    if (KEYCLOAK / "bin" / "kc.sh").exists():
        return
    if not ZIP.exists():
        if shutil.which("mvn") is None:
            raise LaunchError(
                "Maven (mvn) is missing: install it (apt-get install -y maven) and retry"
            )
        print("keycloak: resolving Keycloak from Maven Central (first use only) ...", flush=True)
        result = subprocess.run(
            ["mvn", "-q", "-B", "-f", str(HERE / "pom.xml"), "dependency:copy"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not ZIP.exists():
            tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
            raise LaunchError(f"could not download Keycloak from Maven Central: {' | '.join(tail)}")
    unpacking = Path(tempfile.mkdtemp(prefix=".unpack-", dir=DIST))
    try:
        with zipfile.ZipFile(ZIP) as archive:
            for member in archive.infolist():
                target = Path(archive.extract(member, unpacking))
                mode = member.external_attr >> 16
                if mode & stat.S_IXUSR:  # zipfile drops permissions; kc.sh must stay executable
                    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        (unpacking / KEYCLOAK.name).rename(KEYCLOAK)
    except (OSError, zipfile.BadZipFile) as exc:
        raise LaunchError(f"could not unpack {ZIP.name} ({exc}): delete {DIST} and retry") from exc
    finally:
        shutil.rmtree(unpacking, ignore_errors=True)


def prepare_home(data_dir: Path) -> Path:
    """A Keycloak home in the data folder: the jars linked, everything it writes its own."""
    home = data_dir / "home"
    for folder in ("bin", "lib", "providers", "themes", "data/import"):
        (home / folder).mkdir(parents=True, exist_ok=True)
    # kc.sh finds its home from where it lies, so a copy of it makes this folder the home.
    shutil.copy2(KEYCLOAK / "bin" / "kc.sh", home / "bin" / "kc.sh")
    if not (home / "conf").exists():
        shutil.copytree(KEYCLOAK / "conf", home / "conf")
    shutil.copy2(KEYCLOAK / "lib" / "quarkus-run.jar", home / "lib" / "quarkus-run.jar")
    for shared in ("lib", "app"):
        link = home / "lib" / shared
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(KEYCLOAK / "lib" / shared, target_is_directory=True)
    marker = home / "keycloak-version"
    if marker.exists() and marker.read_text().strip() != VERSION:
        shutil.rmtree(home / "lib" / "quarkus", ignore_errors=True)  # another version's build
    marker.write_text(VERSION)
    if not (home / "lib" / "quarkus").exists():
        build = DEV_BUILD if DEV_BUILD.exists() else KEYCLOAK / "lib" / "quarkus"
        shutil.copytree(build, home / "lib" / "quarkus")
    shutil.copy2(REALM_FILE, home / "data" / "import" / REALM_FILE.name)
    return home


def keep_dev_build(home: Path) -> None:
    """Keep the first development build so later data folders start without rebuilding."""
    if DEV_BUILD.exists():
        return
    staging = Path(tempfile.mkdtemp(prefix=".dev-build-", dir=DIST))
    try:
        shutil.copytree(home / "lib" / "quarkus", staging / "quarkus")
        (staging / "quarkus").rename(DEV_BUILD)
    except OSError:
        pass  # another start kept one first, or dist/ is read-only: the next start rebuilds
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def realm_answers(port: int) -> bool:
    url = f"http://127.0.0.1:{port}/realms/{REALM}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def pid_of(data_dir: Path) -> int | None:
    pid_file = data_dir / "keycloak.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip())
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    # a pid the system has since given to another program is not ours to stop
    return pid if str(data_dir).encode() in command else None


def rss_bytes(pid: int) -> int:
    """Resident memory of the process group ``pid`` leads (kc.sh and its JVM)."""
    total = 0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pid:  # the process group id, after state and parent pid
                status = (stat_file.parent / "status").read_text()
                kib = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
                total += int(kib.split()[1]) * 1024
        except (OSError, IndexError, ValueError, StopIteration):
            continue
    return total


def start(data_dir: Path, port: int, timeout: float) -> str:
    """Start Keycloak (or find it running) and say how it went, in one line."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if pid_of(data_dir) is not None:
        if not wait_ready(data_dir, port, None, timeout):
            raise LaunchError(
                f"a Keycloak from {data_dir} runs but does not answer on port {port}: "
                f"stop it (launch.py stop --data-dir {data_dir})"
            )
        return f"already running on http://127.0.0.1:{port}"
    if port_open(port):
        raise LaunchError(
            f"port {port} is in use by another program: stop it, or choose another with --port"
        )
    resolve()
    try:
        jdk = find_jdk(21)
    except JdkNotFound as exc:
        raise LaunchError(str(exc)) from exc
    home = prepare_home(data_dir)
    username, password = DEVELOPMENT_ADMIN
    env = os.environ | {
        "JAVA_HOME": str(jdk.home),
        "KC_BOOTSTRAP_ADMIN_USERNAME": os.environ.get("KC_BOOTSTRAP_ADMIN_USERNAME", username),
        "KC_BOOTSTRAP_ADMIN_PASSWORD": os.environ.get("KC_BOOTSTRAP_ADMIN_PASSWORD", password),
    }
    env.pop("JAVA", None)  # kc.sh would prefer it over JAVA_HOME
    command = [
        str(home / "bin" / "kc.sh"),
        "start-dev",
        "--http-port",
        str(port),
        "--http-host",
        "127.0.0.1",
        "--import-realm",
    ]
    began = time.monotonic()
    with (data_dir / "keycloak.log").open("ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (data_dir / "keycloak.pid").write_text(str(process.pid))
    if not wait_ready(data_dir, port, process, timeout):
        log = data_dir / "keycloak.log"
        if process.poll() is not None:
            (data_dir / "keycloak.pid").unlink(missing_ok=True)
            raise LaunchError(f"Keycloak exited with {process.returncode}; see {log}")
        stop(data_dir, quiet=True)
        raise LaunchError(f"Keycloak did not answer within {timeout:.0f} s; see {log}")
    seconds = time.monotonic() - began
    keep_dev_build(home)
    return (
        f"ready on http://127.0.0.1:{port} in {seconds:.1f} s (Java {jdk.major}, "
        f"pid {process.pid}, {rss_bytes(process.pid) / 2**20:.0f} MB, data in {data_dir}); "
        f"issuer http://127.0.0.1:{port}/realms/{REALM}"
    )


def prepare(timeout: float) -> None:
    """Resolve, and start once in a scratch folder so the development build is there."""
    resolve()
    try:
        find_jdk(21)
    except JdkNotFound as exc:
        raise LaunchError(str(exc)) from exc
    if DEV_BUILD.exists():
        return
    print("keycloak: building the development server once (about a minute) ...", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="lotse-keycloak-build-"))
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        start(scratch, port, timeout)
    finally:
        stop(scratch, quiet=True)
        shutil.rmtree(scratch, ignore_errors=True)


def wait_ready(
    data_dir: Path, port: int, process: subprocess.Popen[bytes] | None, timeout: float
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if realm_answers(port):
            return True
        if process is not None and process.poll() is not None:
            return False
        if process is None and pid_of(data_dir) is None:
            return False
        time.sleep(0.25)
    return False


def status(data_dir: Path, port: int) -> bool:
    pid = pid_of(data_dir)
    if pid is None:
        print("keycloak: not running", flush=True)
        return False
    answers = realm_answers(port)
    state = "ready" if answers else f"not answering on port {port}"
    print(
        f"keycloak: running (pid {pid}, {rss_bytes(pid) / 2**20:.0f} MB), {state}; "
        f"issuer http://127.0.0.1:{port}/realms/{REALM}",
        flush=True,
    )
    return answers


def stop(data_dir: Path, *, quiet: bool = False) -> None:
    pid = pid_of(data_dir)
    if pid is None:
        if not quiet:
            print("keycloak: not running", flush=True)
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while pid_of(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_of(data_dir) is not None:
        os.killpg(pid, signal.SIGKILL)
    (data_dir / "keycloak.pid").unlink(missing_ok=True)
    if not quiet:
        print("keycloak: stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["resolve", "start", "status", "stop"])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KEYCLOAK_DATA_DIR", "var/keycloak"))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("KEYCLOAK_PORT", "8180")))
    parser.add_argument("--timeout", type=float, default=240.0)
    args = parser.parse_args(argv)
    try:
        if args.command == "resolve":
            prepare(args.timeout)
        elif args.command == "start":
            print(
                f"keycloak: {start(args.data_dir.resolve(), args.port, args.timeout)}", flush=True
            )
        elif args.command == "status":
            return 0 if status(args.data_dir.resolve(), args.port) else 1
        else:
            stop(args.data_dir.resolve())
    except LaunchError as exc:
        print(f"keycloak: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
