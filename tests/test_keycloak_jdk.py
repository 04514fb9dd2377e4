"""deploy/keycloak/jdk.py against fake JDK folders: which JDK Keycloak gets, and the one line
when there is none."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deploy.keycloak.jdk import JdkNotFound, find_jdk, version_of


def fake_jdk(root: Path, name: str, *, release: str | None, prints: str | None = None) -> Path:
    """A folder that looks like a JDK: bin/java (a script printing ``prints`` the way java
    -version does, on stderr) and, unless None, a release file with JAVA_VERSION."""
    home = root / name
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho '{prints or 'no version here'}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    if release is not None:
        (home / "release").write_text(f'IMPLEMENTOR="Test"\nJAVA_VERSION="{release}"\n')
    return home


def test_the_release_file_gives_the_major_version(tmp_path: Path) -> None:
    assert version_of(fake_jdk(tmp_path, "a", release="25.0.3")) == 25
    assert version_of(fake_jdk(tmp_path, "b", release="17.0.15")) == 17
    assert version_of(fake_jdk(tmp_path, "c", release="1.8.0_292")) == 8
    assert version_of(fake_jdk(tmp_path, "d", release="21")) == 21


def test_without_a_release_file_java_is_asked_for_its_version(tmp_path: Path) -> None:
    home = fake_jdk(tmp_path, "x", release=None, prints='openjdk version "22.0.1" 2024-04-16')
    assert version_of(home) == 22
    assert version_of(fake_jdk(tmp_path, "y", release=None)) is None


def test_a_folder_without_an_executable_java_is_no_jdk(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    assert version_of(tmp_path / "docs") is None
    home = fake_jdk(tmp_path, "broken", release="25")
    (home / "bin" / "java").chmod(0o644)
    assert version_of(home) is None


def test_the_newest_suitable_jdk_is_chosen_over_the_default_17(tmp_path: Path) -> None:
    fake_jdk(tmp_path, "java-17-openjdk-amd64", release="17.0.15")
    fake_jdk(tmp_path, "temurin-21-jdk-amd64", release="21.0.5")
    newest = fake_jdk(tmp_path, "temurin-25-jdk-amd64", release="25.0.3")
    (tmp_path / "openjdk-17").mkdir()  # Debian's leftover folder without a java
    jdk = find_jdk(21, environ={}, roots=[tmp_path])
    assert (jdk.home, jdk.major, jdk.java) == (newest, 25, newest / "bin" / "java")


def test_java_home_wins_when_it_is_new_enough_and_is_passed_over_when_not(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "opt"
    chosen = fake_jdk(elsewhere, "jdk-21", release="21.0.2")
    old = fake_jdk(elsewhere, "jdk-17", release="17.0.1")
    jvm = tmp_path / "jvm"
    newest = fake_jdk(jvm, "temurin-25", release="25")
    assert find_jdk(21, environ={"JAVA_HOME": str(chosen)}, roots=[jvm]).home == chosen
    assert find_jdk(21, environ={"JAVA_HOME": str(old)}, roots=[jvm]).home == newest


def test_the_java_on_path_counts_too(tmp_path: Path) -> None:
    home = fake_jdk(tmp_path / "opt", "jdk", release="23")
    found = find_jdk(21, environ={"PATH": str(home / "bin")}, roots=[tmp_path / "jvm"])
    assert found.home == home


def test_without_a_suitable_jdk_one_line_names_what_was_found_and_what_to_do(
    tmp_path: Path,
) -> None:
    fake_jdk(tmp_path, "java-17-openjdk-amd64", release="17.0.15")
    with pytest.raises(JdkNotFound) as missing:
        find_jdk(21, environ={}, roots=[tmp_path])
    message = str(missing.value)
    assert "\n" not in message
    assert "no JDK 21 or newer" in message
    assert "java-17-openjdk-amd64 is 17" in message
    assert "JAVA_HOME" in message and "apt-get install" in message
    with pytest.raises(JdkNotFound, match="no JDK at all"):
        find_jdk(21, environ={}, roots=[tmp_path / "nothing-here"])
