"""An email goes out in the bytes Python's email package would send, and says what it said before.

The composer writes the bytes itself, since the email package's header
parsing cost more than all the rest of sending; these tests hold it to that
package's output (built as an ``EmailMessage`` under policy.default,
flattened as aiosmtplib's ``send_message`` does) and pin two letters as
advisors receive them.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

from aiosmtplib.email import flatten_message
from hypothesis import given, settings
from hypothesis import strategies as st

from lotse_notifications.adapters.email import EmailComposer, header_safe
from lotse_notifications.adapters.mime import alternative
from lotse_notifications.domain.letter import letter_for
from lotse_notifications.domain.model import Delivery, OfferFacts, Reason, Recipient
from lotse_shared.region import load_region

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
EXPECTED = Path(__file__).parent / "expected"
# Latin with umlauts, Cyrillic, Arabic, CJK, an emoji, and what headers treat specially.
LETTERS = "aZ09 äöüÄÖÜß éñ ОленаКоваленко استشارة 日本語 🙂 ,.;:()<>\"'=?_-\u2013&@[]\\"
BODY = LETTERS + "\t\n"


def _boundless(raw: bytes) -> bytes:
    return re.sub(rb"===============\d+(\.\d+)?==", b"===============BOUNDARY==", raw)


def _by_the_email_package(
    headers: list[tuple[str, str]], text: str, html: str, language: str, *, eight_bit: bool
) -> bytes:
    message = EmailMessage()
    for name, value in headers:
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = language
    return flatten_message(message, cte_type="8bit" if eight_bit else "7bit")


@settings(max_examples=300, deadline=None)
@given(
    name=st.text(LETTERS, max_size=60),
    subject=st.text(LETTERS, max_size=140),
    text=st.text(BODY, max_size=600),
    html=st.text(BODY, max_size=600),
    language=st.sampled_from(["de", "en", "de, en"]),
    reply_to=st.booleans(),
)
def test_an_email_is_byte_for_byte_what_the_email_package_sends(
    name: str, subject: str, text: str, html: str, language: str, reply_to: bool
) -> None:
    headers = [
        ("From", "Lotse <lotse@ki-unna.example>"),
        ("To", formataddr((header_safe(name), "a.demir@ki-unna.example"))),
        *([("Reply-To", "ki@kreis-unna.example")] if reply_to else []),
        ("Subject", header_safe(subject)),
        ("Date", format_datetime(NOW)),
        ("Message-ID", f"<{uuid.uuid4()}@lotse>"),
        ("Auto-Submitted", "auto-generated"),
    ]
    data, seven_bit = alternative(headers, text=text, html=html, language=language)
    for eight_bit, ours in ((True, data), (False, seven_bit)):
        theirs = _by_the_email_package(headers, text, html, language, eight_bit=eight_bit)
        assert _boundless(ours) == _boundless(theirs)
    assert seven_bit.isascii()


def _news(n: int, title: str, score: float, ended: str | None = None) -> Delivery:
    return Delivery(
        id=f"0c9e4b1a-1f7e-4c55-9d0a-5b3c2e1f00{n:02d}",
        advisor_id="adv-1",
        match_id=f"m-{n}",
        kind="match_invalidated" if ended else "match_found",
        need_reference="UNN-7K3Q9X",
        offer=OfferFacts(
            f"o-{n}",
            title,
            "language_course",
            "05978028",
            provider_id="vhs-schwerte",
            start_date=date(2027, 1, 11),
            contact_email="kurse@vhs-schwerte.example",
        ),
        score=score,
        reasons=(
            Reason("Gewünschte Art: Sprachkurs", "Wanted kind: language course"),
            Reason("Im Wohnort Schwerte", "In the home town Schwerte"),
        ),
        eligibility="self_payer_only" if n == 2 else "eligible",
        invalidation_reason=ended,
    )


def _digest_news(n: int, reference: str, title: str) -> Delivery:
    return Delivery(
        id=f"7d2f0c4e-3b1a-4e8f-a6c9-1e2d3c4b5a{n:02d}",
        advisor_id="adv-2",
        match_id=f"m-{n}",
        kind="match_found",
        need_reference=reference,
        offer=OfferFacts(f"o-{n}", title, "counselling", "05978024", rolling_start=True),
        score=0.8,
        reasons=(Reason("Im Wohnort Unna", "In the home town Unna"),),
    )


def _composer() -> EmailComposer:
    return EmailComposer(
        sender="Lotse <lotse@ki-unna.example>",
        region=load_region(),
        link_base="https://lotse.kreis-unna.example",
    )


def _as_pinned(raw: bytes) -> bytes:
    assert b"\n" not in raw.replace(b"\r\n", b""), "every line ends in CRLF"
    return _boundless(raw).replace(b"\r\n", b"\n")


def test_a_german_letter_reads_as_it_always_did() -> None:
    letter = letter_for(
        Recipient("adv-1", "Jürgen Müller", "j.mueller@ki-unna.example"),
        "UNN-7K3Q9X",
        [
            _news(1, "Deutschkurs B1 \u2013 Grammatik & Gespräch", 0.92),
            _news(2, "Alphabetisierungskurs für Erwachsene", 0.75),
            _news(3, "Sprachcafé", 0.5, ended="full"),
        ],
    )
    email = _composer().compose(letter, providers={"vhs-schwerte": "VHS Schwerte"}, now=NOW)
    assert _as_pinned(email.data) == (EXPECTED / "letter_de.eml").read_bytes()
    assert email.seven_bit == email.data  # quoted-printable already: nothing 8-bit
    assert email.sender == "lotse@ki-unna.example"
    assert email.recipients == ("j.mueller@ki-unna.example",)
    assert email.message_id == "<ffa6342e-d443-5901-916b-d3794596f367@lotse>"


def test_an_english_digest_in_other_scripts_reads_as_it_always_did() -> None:
    letter = letter_for(
        Recipient("adv-2", "Олена Коваленко", "o.kovalenko@ki-unna.example", language="en"),
        "*digest*",
        [
            _digest_news(1, "UNN-AAAA11", "استشارة الهجرة"),
            _digest_news(2, "UNN-BBBB22", "Migrationsberatung für Erwachsene"),
        ],
    )
    email = _composer().compose(letter, providers={}, now=NOW)
    assert _as_pinned(email.data) == (EXPECTED / "digest_en.eml").read_bytes()
    assert email.seven_bit.isascii() and b"Content-Transfer-Encoding: base64" in email.seven_bit
