"""``lotse token issue`` prints a token the services accept, and refuses to guess a key."""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path

import jwt
import pytest

from lotse_shared.auth import JwtCodec, Principal, Role
from lotse_shared.cli import main, parse_ttl

SECRET = "a-test-signing-key-long-enough-for-hs256-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTSE_JWT_SECRET", raising=False)
    monkeypatch.delenv("LOTSE_ENV", raising=False)


def issue(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["token", "issue", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_printed_token_verifies_with_the_same_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", SECRET)

    code, out, err = issue(
        capsys, "--role", "provider", "--sub", "vhs-schwerte", "--org", "VHS Schwerte"
    )

    assert code == 0
    assert err == ""
    assert out.endswith("\n") and out.count("\n") == 1
    principal = JwtCodec(SECRET).verify(out.strip())
    assert principal == Principal("vhs-schwerte", Role.PROVIDER, "VHS Schwerte")


def test_without_any_key_it_refuses_even_in_development(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = issue(capsys, "--role", "admin", "--sub", "ki-admin")

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "LOTSE_JWT_SECRET" in err and "--secret-file" in err


def test_an_empty_key_counts_as_no_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", "")

    code, out, _ = issue(capsys, "--role", "admin", "--sub", "ki-admin")

    assert (code, out) == (2, "")


def test_the_key_can_come_from_a_file_with_its_newline_stripped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "jwt.key"
    key_file.write_text(f"{SECRET}\n")

    code, out, _ = issue(
        capsys, "--role", "advisor", "--sub", "jc-7", "--secret-file", str(key_file)
    )

    assert code == 0
    assert JwtCodec(SECRET).verify(out.strip()) == Principal("jc-7", Role.ADVISOR, None)


def test_a_secret_file_takes_precedence_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", "x" * 40)
    key_file = tmp_path / "jwt.key"
    key_file.write_text(SECRET)

    _, out, _ = issue(capsys, "--role", "admin", "--sub", "a", "--secret-file", str(key_file))

    assert JwtCodec(SECRET).verify(out.strip()).sub == "a"


def test_an_unreadable_secret_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.key"

    code, out, err = issue(capsys, "--role", "admin", "--sub", "a", "--secret-file", str(missing))

    assert (code, out) == (2, "")
    assert "--secret-file" in err


def test_a_placeholder_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", "change-me")

    code, out, err = issue(capsys, "--role", "admin", "--sub", "a")

    assert (code, out) == (2, "")
    assert "placeholder" in err


def test_production_refuses_a_short_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_ENV", "production")
    monkeypatch.setenv("LOTSE_JWT_SECRET", "short-but-not-a-placeholder")

    code, out, err = issue(capsys, "--role", "admin", "--sub", "a")

    assert (code, out) == (2, "")
    assert "at least 32" in err


def test_ttl_sets_the_expiry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", SECRET)

    _, out, _ = issue(capsys, "--role", "admin", "--sub", "a", "--ttl", "30m")

    payload = jwt.decode(out.strip(), options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 30 * 60


def test_the_default_ttl_is_eight_hours(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", SECRET)

    _, out, _ = issue(capsys, "--role", "admin", "--sub", "a")

    payload = jwt.decode(out.strip(), options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 8 * 3600
    assert abs(payload["iat"] - datetime.now(UTC).timestamp()) < 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("8h", timedelta(hours=8)),
        ("7d", timedelta(days=7)),
    ],
)
def test_ttl_forms(text: str, expected: timedelta) -> None:
    assert parse_ttl(text) == expected


@pytest.mark.parametrize("text", ["8", "h", "0h", "-1h", "1.5h", "8 hours", "2w", ""])
def test_invalid_ttls_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"e\.g\. 30m, 8h or 7d"):
        parse_ttl(text)


def test_an_invalid_ttl_is_an_argparse_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", SECRET)

    with pytest.raises(SystemExit) as exited:
        main(["token", "issue", "--role", "admin", "--sub", "a", "--ttl", "forever"])

    assert exited.value.code == 2
    assert "invalid ttl 'forever'" in capsys.readouterr().err


def test_an_unknown_role_is_an_argparse_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOTSE_JWT_SECRET", SECRET)

    with pytest.raises(SystemExit) as exited:
        main(["token", "issue", "--role", "superuser", "--sub", "a"])

    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'superuser'" in err
    assert "'admin'" in err


def test_the_lotse_script_runs_the_cli() -> None:
    (script,) = entry_points(group="console_scripts", name="lotse")

    assert script.load() is main


@pytest.mark.slow  # two Python processes: a second or two of the fast tier's time
def test_as_a_process_stdout_holds_only_the_token(tmp_path: Path) -> None:
    key_file = tmp_path / "jwt.key"
    key_file.write_text(SECRET)
    command = [sys.executable, "-m", "lotse_shared.cli", "token", "issue"]

    issued = subprocess.run(
        [*command, "--role", "admin", "--sub", "ki-admin", "--secret-file", str(key_file)],
        capture_output=True,
        text=True,
        check=False,
        env={"LOTSE_ENV": "production"},
    )
    refused = subprocess.run(
        [*command, "--role", "admin", "--sub", "ki-admin"],
        capture_output=True,
        text=True,
        check=False,
        env={},
    )

    assert issued.returncode == 0, issued.stderr
    assert JwtCodec(SECRET).verify(issued.stdout.strip()).role is Role.ADMIN
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.startswith("lotse: error: no signing key")
