"""Who may sign in and how: the ``LoginProvider`` port.

The sign-in page asks the provider what to offer. The development provider
lists the directory's people and signs in as any of them; a provider that
sends the browser to an identity provider (OpenID Connect) answers
``redirect_to`` instead and completes the sign-in on its callback.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from lotse_shared.identity import Role

__all__ = ["Account", "LoginFailed", "LoginProvider", "SignedInUser"]


@dataclass(frozen=True)
class Account:
    """Someone the development sign-in offers to sign in as."""

    id: str
    role: Role
    name: str
    organisation: str | None


@dataclass(frozen=True)
class SignedInUser:
    """Who signed in, as the login provider vouches for them, and the token the APIs take."""

    id: str
    role: Role
    display_name: str
    organisation: str | None
    api_token: str


class LoginFailed(Exception):
    """The sign-in did not succeed; ``str(exc)`` says why in words a user can act on."""


class LoginProvider(abc.ABC):
    """Signs people in and vouches for who they are, with the token the APIs accept."""

    kind: str

    async def accounts(self) -> list[Account]:
        """The accounts a "sign in as" list shows; empty where people sign in elsewhere."""
        return []

    @abc.abstractmethod
    async def sign_in_as(self, account_id: str) -> SignedInUser:
        """Sign in as one of :meth:`accounts`; ``LoginFailed`` when that is not possible."""

    def end_session_url(self, user: SignedInUser) -> str | None:
        """Where to send the browser after sign-out so the identity provider ends its session too."""
        return None
