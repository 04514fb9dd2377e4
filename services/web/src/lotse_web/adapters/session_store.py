"""Server-side sessions: the browser holds a random id, everything else stays here.

A session ends when it was idle too long, when it grew too old, or when its
user signs out — which ends every session of that user, on every device. Where
an issuer signed the user in, its tokens (refresh and ID token too) live in the
session's row and nowhere else.

The row keeps the cookie's hash, never the cookie, and every token in it is sealed
(AES-GCM) with a key derived from the cookie value: a copy of the table opens no
session and hands out no token, refresh tokens included.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from lotse_shared.identity import Role
from lotse_web.adapters import orm
from lotse_web.login import IssuerTokens, SignedInUser

__all__ = ["Session", "SessionStore"]

# Writing last_seen_at on every request would make every page a write; a minute's
# lag on a 30-minute idle limit is nothing a user notices.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class Session:
    id_hash: str
    user: SignedInUser
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    language: str = "de"
    previous_visit_at: datetime | None = None
    flash: list[dict[str, str]] = field(default_factory=list)
    seal: _Seal | None = field(default=None, repr=False, compare=False)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class _Seal:
    """Seals a session's tokens with a key only its cookie value gives."""

    def __init__(self, session_id: str) -> None:
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"lotse-web session tokens"
        ).derive(session_id.encode())
        self._aead = AESGCM(key)

    def close(self, text: str | None) -> str | None:
        if text is None:
            return None
        nonce = secrets.token_bytes(12)
        return base64.urlsafe_b64encode(
            nonce + self._aead.encrypt(nonce, text.encode(), None)
        ).decode()

    def open(self, sealed: str | None) -> str | None:
        if sealed is None:
            return None
        raw = base64.urlsafe_b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite forgets the zone


def _user_columns(user: SignedInUser, seal: _Seal) -> dict[str, Any]:
    tokens = user.tokens
    return {
        "user_id": user.id,
        "role": user.role.value,
        "organisation": user.organisation,
        "display_name": user.display_name,
        "api_token": seal.close(user.api_token),
        "token_expires_at": tokens.expires_at if tokens else None,
        "refresh_token": seal.close(tokens.refresh_token) if tokens else None,
        "id_token": seal.close(tokens.id_token) if tokens else None,
    }


class SessionStore:
    """Sessions in the web app's database, with idle and absolute limits."""

    def __init__(self, engine: AsyncEngine, *, idle: timedelta, absolute: timedelta) -> None:
        self.engine = engine
        self.idle = idle
        self.absolute = absolute

    async def create(
        self,
        user: SignedInUser,
        now: datetime | None = None,
        *,
        language: str = "de",
        previous_visit_at: datetime | None = None,
    ) -> tuple[str, Session]:
        """A new session for ``user``; returns the cookie value (shown once) and the session."""
        now = now or datetime.now(UTC)
        session_id = secrets.token_urlsafe(32)
        seal = _Seal(session_id)
        session = Session(
            _hash(session_id), user, secrets.token_urlsafe(32), now, now, language,
            previous_visit_at, seal=seal,
        )  # fmt: skip
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(orm.sessions).values(
                    id_hash=session.id_hash,
                    **_user_columns(user, seal),
                    csrf_token=session.csrf_token,
                    created_at=now,
                    last_seen_at=now,
                    flash=[],
                    language=language,
                    previous_visit_at=previous_visit_at,
                )
            )
        return session_id, session

    async def find(self, session_id: str, now: datetime | None = None) -> Session | None:
        """The live session behind a cookie value, or None (unknown, idle or too old: ended)."""
        now = now or datetime.now(UTC)
        id_hash = _hash(session_id)
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(orm.sessions).where(orm.sessions.c.id_hash == id_hash))
            ).one_or_none()
        if row is None:
            return None
        created, seen = _aware(row.created_at), _aware(row.last_seen_at)
        if now - seen > self.idle or now - created > self.absolute:
            await self._delete(id_hash)
            return None
        seal = _Seal(session_id)
        try:
            api_token = seal.open(row.api_token) or ""
            tokens = None
            if row.token_expires_at is not None:
                tokens = IssuerTokens(
                    _aware(row.token_expires_at),
                    seal.open(row.refresh_token),
                    seal.open(row.id_token),
                )
        except (InvalidTag, ValueError):
            # Not sealed with this cookie's key (or from before tokens were sealed): ended.
            await self._delete(id_hash)
            return None
        session = Session(
            id_hash,
            SignedInUser(
                row.user_id,
                Role(row.role),
                row.display_name,
                row.organisation,
                api_token,
                tokens,
            ),
            row.csrf_token,
            created,
            seen,
            row.language,
            _aware(row.previous_visit_at) if row.previous_visit_at else None,
            list(row.flash or []),
            seal,
        )
        if now - seen >= _TOUCH_EVERY:
            await self._update(id_hash, last_seen_at=now)
            session.last_seen_at = now
        return session

    async def renew(self, session: Session, user: SignedInUser) -> None:
        """The issuer renewed the tokens: the session carries on with the new ones."""
        if session.seal is None:
            raise RuntimeError("a session renews only as found or created by this store")
        session.user = user
        await self._update(session.id_hash, **_user_columns(user, session.seal))

    async def flash(self, session: Session, kind: str, text: str) -> None:
        """A message to show once on the next page."""
        session.flash.append({"kind": kind, "text": text})
        await self._update(session.id_hash, flash=session.flash)

    async def take_flash(self, session: Session) -> list[dict[str, str]]:
        messages, session.flash = session.flash, []
        if messages:
            await self._update(session.id_hash, flash=[])
        return messages

    async def set_language(self, user_id: str, language: str) -> None:
        """The user chose another language: every session of theirs speaks it from now on."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(orm.sessions)
                .where(orm.sessions.c.user_id == user_id)
                .values(language=language)
            )

    async def end(self, session: Session) -> None:
        await self._delete(session.id_hash)

    async def end_all_of(self, user_id: str) -> None:
        """Sign-out: every session of this user, on every device."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(orm.sessions).where(orm.sessions.c.user_id == user_id))

    async def purge(self, now: datetime | None = None) -> int:
        """Delete sessions past either limit; returns how many."""
        now = now or datetime.now(UTC)
        s = orm.sessions.c
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(orm.sessions).where(
                    (s.last_seen_at < now - self.idle) | (s.created_at < now - self.absolute)
                )
            )
        return int(result.rowcount or 0)

    async def _update(self, id_hash: str, **values: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(orm.sessions).where(orm.sessions.c.id_hash == id_hash).values(**values)
            )

    async def _delete(self, id_hash: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(orm.sessions).where(orm.sessions.c.id_hash == id_hash))
