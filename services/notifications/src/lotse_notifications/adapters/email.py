"""Lays a letter out as an email: Jinja2 templates for plain text and HTML, one MIME message.

The message is multipart/alternative (text first, HTML second), in the bytes
an ``EmailMessage`` would be sent as (:mod:`.mime`). Header values come from
the directory and the match and review events; every one passes through
:func:`header_safe`, so no value can start a header of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime, formataddr
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lotse_notifications.adapters.mime import addresses, alternative
from lotse_notifications.domain.letter import Letter
from lotse_notifications.domain.mailer import Email
from lotse_notifications.domain.model import Delivery, message_id_for
from lotse_notifications.domain.wording import WORDS, eligibility, found_heading, gone_reason, start
from lotse_shared.contracts import Category
from lotse_shared.region import Region

__all__ = ["EmailComposer", "header_safe"]


def header_safe(value: str) -> str:
    """One line: a CR or LF (or any other line break) in a header value would start a new header."""
    return " ".join(value.split())


class EmailComposer:
    def __init__(self, *, sender: str, region: Region, link_base: str) -> None:
        self.sender = header_safe(sender)
        self.region = region
        self.link_base = link_base.rstrip("/")
        self._templates = Environment(
            loader=PackageLoader("lotse_notifications", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # the templates are part of the package: compiled once
        )

    def compose(self, letter: Letter, *, providers: Mapping[str, str], now: datetime) -> Email:
        """The email for ``letter``; ``providers`` maps provider ids to their names."""
        return self.message(
            to=(letter.recipient.name, letter.recipient.email),
            subject=letter.subject(),
            template="letter",
            context=self._context(letter, providers),
            message_id=message_id_for(letter.deliveries),
            language=letter.language,
            now=now,
        )

    def message(
        self,
        *,
        to: tuple[str, str],
        subject: str,
        template: str,
        context: dict[str, Any],
        message_id: str,
        language: str,
        now: datetime,
        reply_to: str | None = None,
    ) -> Email:
        """``template``'s .txt and .html rendered with ``context``, to ``to`` (name, address)."""
        subject = header_safe(subject)
        context = context | {"subject": subject}
        recipient = formataddr((header_safe(to[0]), header_safe(to[1])))
        headers = [("From", self.sender), ("To", recipient)]
        if reply_to:
            headers.append(("Reply-To", header_safe(reply_to)))
        headers += [
            ("Subject", subject),
            ("Date", format_datetime(now)),
            ("Message-ID", message_id),
            ("Auto-Submitted", "auto-generated"),  # RFC 3834: no out-of-office replies
        ]
        senders, recipients = addresses(self.sender), addresses(recipient)
        envelope = "".join(senders[:1] + recipients)
        data, seven_bit = alternative(
            headers,
            text=self._templates.get_template(f"{template}.txt").render(context),
            html=self._templates.get_template(f"{template}.html").render(context),
            language=language,
            utf8=not envelope.isascii(),
        )
        return Email(
            message_id,
            senders[0] if senders else "",
            recipients,
            data,
            seven_bit,
            smtputf8=not envelope.isascii(),
        )

    def _context(self, letter: Letter, providers: Mapping[str, str]) -> dict[str, Any]:
        lang = letter.language
        words = WORDS[lang]

        def provider(d: Delivery) -> str:
            pid = d.offer.provider_id
            return providers.get(pid, pid) if pid else words["unknown_provider"]

        def found(d: Delivery) -> dict[str, Any]:
            de, en = Category(d.offer.category).names()
            return {
                "title": d.offer.title,
                "provider": provider(d),
                "category": en if lang == "en" else de,
                "municipality": self.region.name_of(d.offer.municipality),
                "start": start(d.offer.start_date, d.offer.rolling_start, lang),
                "eligibility": eligibility(d.eligibility, lang),
                "percent": round(d.score * 100),
                "reasons": [r.en if lang == "en" else r.de for r in d.reasons],
                "contact_email": d.offer.contact_email,
                "link": f"{self.link_base}/matches/{d.match_id}",
            }

        def gone(d: Delivery) -> dict[str, Any]:
            return {
                "title": d.offer.title,
                "provider": provider(d),
                "reason": gone_reason(d.invalidation_reason, lang),
            }

        return {
            "w": words,
            "language": lang,
            "name": letter.recipient.name,
            "digest": letter.digest,
            "needs": [
                {
                    "reference": n.reference,
                    "found_heading": found_heading(len(n.found), lang),
                    "found": [found(d) for d in n.found],
                    "gone": [gone(d) for d in n.gone],
                }
                for n in letter.needs
            ],
        }
