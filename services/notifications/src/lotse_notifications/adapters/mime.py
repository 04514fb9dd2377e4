"""Writes a multipart/alternative email in the very bytes Python's email package would send.

Built as an ``EmailMessage`` under ``email.policy.default`` and flattened
with ``email.policy.SMTP`` (what aiosmtplib's ``send_message`` does), an
email cost milliseconds: that policy parses every header it is given, and
again when it folds it. Here each header is folded by the same code, but once
per distinct value (the sender, a recipient, the date of a batch, the MIME
headers), and the values that need no folding or encoding are written as
they are. The bodies get the transfer encoding the email package's content
manager chooses, by the same rules. The notifications tests hold the result
against the email package's own (test_email_layout.py).
"""

from __future__ import annotations

import binascii
import random
import re
import sys
from collections.abc import Sequence
from email import base64mime, policy, quoprimime
from functools import lru_cache

__all__ = ["addresses", "alternative", "folded"]

_MAX_LINE = 78  # email.policy.default's max_line_length, for headers and bodies alike
_MULTIPART = 'Content-Type: multipart/alternative;\r\n boundary="{}"\r\n'
_PART = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: {}\r\n'
_EACH_ITS_OWN = {  # what these headers are when written as they are
    # words of printable ASCII one space apart, none of them (part of) an encoded word
    "Subject": re.compile(r"(?:(?!=\?)[!-~])+(?: (?:(?!=\?)[!-~])+)*"),
    "Message-ID": re.compile(
        r"<[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>"
    ),
}
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))  # as email.generator makes them


@lru_cache(maxsize=4096)
def folded(name: str, value: str, utf8: bool = False) -> str:
    """``name: value`` as the email package folds it for SMTP, CRLF included; ``utf8``: for a
    server taking SMTPUTF8, which gets non-ASCII text as it is."""
    header = policy.default.header_factory(name, value)
    return str(header.fold(policy=policy.SMTPUTF8 if utf8 else policy.SMTP))


@lru_cache(maxsize=4096)
def addresses(value: str) -> tuple[str, ...]:
    """The addresses in an address header's ``value``, as the envelope carries them."""
    header = policy.default.header_factory("To", value)
    return tuple(a.addr_spec for a in header.addresses)


def _header(name: str, value: str, utf8: bool) -> str:
    """Subjects and Message-IDs differ from email to email: those that are plain and short
    are written as folding them would write them; the other headers are folded."""
    plain = _EACH_ITS_OWN.get(name)
    if plain and len(name) + 2 + len(value) <= _MAX_LINE and plain.fullmatch(value):
        return f"{name}: {value}\r\n"
    return folded(name, value, utf8)


def alternative(
    headers: Sequence[tuple[str, str]], *, text: str, html: str, language: str, utf8: bool = False
) -> tuple[bytes, bytes]:
    """An email of ``headers`` (in this order; then MIME-Version, the multipart Content-Type and
    ``language``'s Content-Language) with a ``text`` and an ``html`` part: its bytes for a
    server that takes 8-bit MIME (RFC 6152), and for one that does not, whose 8-bit parts are
    in base64 as aiosmtplib's flattening gives them. ``utf8``: for a server told SMTPUTF8,
    which gets non-ASCII header text as it is."""
    head = "".join(_header(name, value, utf8) for name, value in headers)
    plain, plain_7bit = _part("plain", text, "")
    rich, rich_7bit = _part("html", html, "MIME-Version: 1.0\r\n")
    boundary = _boundary(plain + rich)
    start = f"{head}MIME-Version: 1.0\r\n{_MULTIPART.format(boundary)}"
    start += folded("Content-Language", language, utf8) + "\r\n"
    data = _joined(start, boundary, plain, rich, utf8)
    if plain_7bit is None and rich_7bit is None:
        return data, data
    return data, _joined(start, boundary, plain_7bit or plain, rich_7bit or rich, utf8)


def _part(subtype: str, content: str, extra: str) -> tuple[str, str | None]:
    """A text part as flattened, and if it is 8-bit, the same in base64: encoded as
    ``email.contentmanager.set_text_content`` encodes it under policy.default."""
    lines = content.encode("utf-8").splitlines()
    body = b"\n".join(lines) + b"\n"
    if max((len(line) for line in lines), default=0) <= _MAX_LINE:
        if body.isascii():
            return _PART.format(subtype, "7bit") + extra + "\r\n" + _crlf(body.decode()), None
        eight_bit = _crlf(body.decode("ascii", "surrogateescape"))
        return (
            _PART.format(subtype, "8bit") + extra + "\r\n" + eight_bit,
            _PART.format(subtype, "base64") + extra + "\r\n" + _crlf(_base64(body)),
        )
    sniff = b"\n".join(lines[:10]) + b"\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), _MAX_LINE)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        encoded, cte = _base64(body), "base64"
    elif len(lines) <= 10:
        encoded, cte = sniff_qp, "quoted-printable"
    else:
        encoded, cte = quoprimime.body_encode(body.decode("latin-1"), _MAX_LINE), "quoted-printable"
    return _PART.format(subtype, cte) + extra + "\r\n" + _crlf(encoded), None


def _base64(data: bytes) -> str:
    """email.contentmanager's base64 body: lines of at most 76 characters."""
    return base64mime.body_encode(data, maxlinelen=_MAX_LINE // 4 * 4)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _boundary(text: str) -> str:
    """A boundary in email.generator's form that occurs nowhere in ``text``."""
    while True:
        token = random.randrange(sys.maxsize)  # unique, not secret, as the email package's
        boundary = "=" * 15 + f"{token:0{_BOUNDARY_WIDTH}d}" + "=="
        if boundary not in text:
            return boundary


def _joined(start: str, boundary: str, first: str, second: str, utf8: bool) -> bytes:
    flat = f"{start}--{boundary}\r\n{first}\r\n--{boundary}\r\n{second}\r\n--{boundary}--\r\n"
    return flat.encode("utf-8" if utf8 else "ascii", "surrogateescape")
