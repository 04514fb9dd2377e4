"""Find a JDK new enough for Keycloak, without trusting the machine's default ``java``.

Keycloak 26 needs Java 21 or newer, while these machines default to Java 17 and
keep newer JDKs next to it under /usr/lib/jvm. Candidates are ``JAVA_HOME``, the
``java`` on ``PATH`` and every folder in /usr/lib/jvm; each one's version comes
from its ``release`` file, or from ``bin/java -version`` when it has none.
``JAVA_HOME`` wins when it is new enough; otherwise the newest candidate does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Jdk", "JdkNotFound", "find_jdk", "version_of"]

JVM_ROOT = Path("/usr/lib/jvm")
_RELEASE_VERSION = re.compile(r'^JAVA_VERSION="?([^"\s]+)"?\s*$', re.MULTILINE)
_VERSION_OUTPUT = re.compile(r'version "([^"]+)"')


class JdkNotFound(Exception):
    """No JDK of the required version; the message (one line) says where it looked."""


@dataclass(frozen=True)
class Jdk:
    home: Path
    major: int

    @property
    def java(self) -> Path:
        return self.home / "bin" / "java"


def _major(version: str) -> int | None:
    """17.0.15 -> 17, 25 -> 25, 1.8.0_292 -> 8 (the old scheme)."""
    parts = re.findall(r"\d+", version)
    if not parts:
        return None
    if parts[0] == "1" and len(parts) > 1:
        return int(parts[1])
    return int(parts[0])


def version_of(home: Path) -> int | None:
    """The major Java version of the JDK or JRE in ``home``; None if it is not one."""
    java = home / "bin" / "java"
    if not (java.is_file() and os.access(java, os.X_OK)):
        return None
    release = home / "release"
    if release.is_file():
        found = _RELEASE_VERSION.search(release.read_text(errors="replace"))
        if found:
            return _major(found[1])
    try:
        answer = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = _VERSION_OUTPUT.search(answer.stderr + answer.stdout)
    return _major(found[1]) if found else None


def _candidates(environ: Mapping[str, str], roots: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    if home := environ.get("JAVA_HOME"):
        found.append(Path(home))
    if (search := environ.get("PATH")) and (on_path := shutil.which("java", path=search)):
        found.append(Path(on_path).resolve().parent.parent)
    for root in roots:
        if root.is_dir():
            found.extend(sorted(p for p in root.iterdir() if p.is_dir()))
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def find_jdk(
    minimum: int = 21,
    *,
    environ: Mapping[str, str] | None = None,
    roots: Iterable[Path] = (JVM_ROOT,),
) -> Jdk:
    """The JDK to run Keycloak with, or :class:`JdkNotFound` naming what was there."""
    environ = os.environ if environ is None else environ
    roots = tuple(roots)
    seen: list[str] = []
    suitable: list[Jdk] = []
    for home in _candidates(environ, roots):
        major = version_of(home)
        if major is None:
            continue
        seen.append(f"{home} is {major}")
        if major >= minimum:
            suitable.append(Jdk(home, major))
    java_home = environ.get("JAVA_HOME")
    for jdk in suitable:
        if java_home and jdk.home == Path(java_home):
            return jdk
    if suitable:
        return max(suitable, key=lambda jdk: jdk.major)
    where = "; ".join(seen) if seen else "no JDK at all"
    raise JdkNotFound(
        f"no JDK {minimum} or newer in JAVA_HOME, PATH or {', '.join(map(str, roots))} "
        f"({where}): install one (apt-get install -y openjdk-{minimum}-jdk-headless) "
        "or point JAVA_HOME at it"
    )
