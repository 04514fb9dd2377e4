"""``lotse``: operator commands.

``lotse token issue`` prints a bearer token for a caller; ``lotse events write|check``
keeps the event documents in ``docs/events/`` in step with the contracts.

The signing key comes from ``--secret-file`` or ``LOTSE_JWT_SECRET``; ``LOTSE_ENV`` picks
how strictly it is checked (see ``resolve_secret``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

from lotse_shared.auth import InsecureSecret, JwtCodec, Role
from lotse_shared.eventdocs import documents

__all__ = ["main", "parse_ttl"]

_TTL = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_ttl(text: str) -> timedelta:
    """``30m``, ``8h``, ``7d`` (and ``90s``) as a positive ``timedelta``."""
    found = _TTL.match(text.strip())
    if found is None or int(found.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"invalid ttl {text!r}: use e.g. 30m, 8h or 7d")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lotse", description="Lotse operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    issue = token_commands.add_parser(
        "issue",
        help="print a signed bearer token",
        description="Print a bearer token signed with LOTSE_JWT_SECRET or --secret-file.",
    )
    issue.add_argument("--role", required=True, choices=[role.value for role in Role])
    issue.add_argument(
        "--sub", required=True, help="provider id, advisor id, or the admin's own id"
    )
    issue.add_argument("--org", help="the caller's organisation, e.g. 'VHS Schwerte'")
    issue.add_argument("--ttl", type=parse_ttl, default=timedelta(hours=8), help="default 8h")
    issue.add_argument(
        "--secret-file", type=Path, help="read the signing key from this file, not the env"
    )
    events = commands.add_parser(
        "events",
        help="the event documents in docs/events",
        description="Write or check the AsyncAPI document, JSON Schemas and examples.",
    )
    events.add_argument("action", choices=["write", "check"])
    events.add_argument("--dir", type=Path, default=Path("docs/events"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "events":
        return _events(args.action, args.dir)
    return _issue_token(args)


def _events(action: str, folder: Path) -> int:
    """``write`` the generated documents, or ``check`` that the files hold exactly them."""
    wanted = documents()
    if action == "write":
        for name, text in wanted.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(wanted)} files to {folder}")
        return 0
    present = {
        str(p.relative_to(folder))
        for sub in ("schemas", "examples")
        for p in (folder / sub).glob("*.json")
    } | ({"asyncapi.json"} if (folder / "asyncapi.json").exists() else set())
    stale = sorted(
        name
        for name in wanted.keys() | present
        if name not in present
        or name not in wanted
        or (folder / name).read_text(encoding="utf-8") != wanted[name]
    )
    if stale:
        return _fail(
            f"{len(stale)} file(s) in {folder} differ from the contracts ({', '.join(stale[:5])}"
            f"{' …' if len(stale) > 5 else ''}); run: make docs"
        )
    print(f"{folder}: {len(wanted)} files match the contracts")
    return 0


def _issue_token(args: argparse.Namespace) -> int:
    try:
        secret = (
            args.secret_file.read_text().strip()
            if args.secret_file
            else os.environ.get("LOTSE_JWT_SECRET")
        )
    except OSError as exc:
        return _fail(f"cannot read --secret-file: {exc}")
    if not secret:
        # resolve_secret would invent a random key in development; a token signed with it
        # would be accepted by nothing.
        return _fail("no signing key: set LOTSE_JWT_SECRET or pass --secret-file PATH")
    try:
        codec = JwtCodec.from_secret(secret, os.environ.get("LOTSE_ENV", "development"))
    except InsecureSecret as exc:
        return _fail(str(exc))
    print(codec.issue(args.sub, Role(args.role), args.org, ttl=args.ttl))
    return 0


def _fail(message: str) -> int:
    print(f"lotse: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
