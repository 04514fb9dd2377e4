"""What one email says, in German or English, before it is laid out. No I/O.

A letter gathers deliveries by need reference: per need the new matches,
best first, and the offers that are no longer available. The subject names
the references and the counts. Nothing here knows a newcomer: a need is its
generated reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lotse_notifications.domain.model import DIGEST, MATCH_FOUND, Delivery, Recipient

__all__ = ["Letter", "NeedNews", "letter_for"]

Language = Literal["de", "en"]
_NAMED_REFERENCES = 3  # a digest subject names this many needs, then "and N more"


@dataclass(frozen=True)
class NeedNews:
    reference: str
    found: tuple[Delivery, ...]  # best first
    gone: tuple[Delivery, ...]


@dataclass(frozen=True)
class Letter:
    recipient: Recipient
    digest: bool
    needs: tuple[NeedNews, ...]
    deliveries: tuple[Delivery, ...]

    @property
    def language(self) -> Language:
        return self.recipient.language

    @property
    def found(self) -> int:
        return sum(len(n.found) for n in self.needs)

    @property
    def gone(self) -> int:
        return sum(len(n.gone) for n in self.needs)

    def subject(self) -> str:
        refs = _references([n.reference for n in self.needs], self.language)
        if self.language == "en":
            head = "Lotse daily summary" if self.digest else "Lotse"
            if not self.found:
                verb = "is" if self.gone == 1 else "are"
                return f"{head}: {_count(self.gone, 'offer', 'offers')} for {refs} {verb} no longer available"
            news = f"{_count(self.found, 'new matching offer', 'new matching offers')}"
            if self.gone:
                news += f" and {_count(self.gone, 'notice', 'notices')}"
            return f"{head}: {news} for {refs}"
        head = "Lotse-Tagesübersicht" if self.digest else "Lotse"
        if not self.found:
            if self.gone == 1:
                return f"{head}: ein Angebot für {refs} ist nicht mehr verfügbar"
            return f"{head}: {self.gone} Angebote für {refs} sind nicht mehr verfügbar"
        if self.found == 1:
            news = "ein neues passendes Angebot"
        else:
            news = f"{self.found} neue passende Angebote"
        if self.gone:
            news += " und " + ("ein Hinweis" if self.gone == 1 else f"{self.gone} Hinweise")
        return f"{head}: {news} für {refs}"


def letter_for(recipient: Recipient, group: str, deliveries: Sequence[Delivery]) -> Letter:
    """The letter for one claimed group of deliveries."""
    by_need: dict[str, tuple[list[Delivery], list[Delivery]]] = {}
    for d in sorted(deliveries, key=lambda d: (d.need_reference, -d.score, d.offer.title, d.id)):
        found, gone = by_need.setdefault(d.need_reference, ([], []))
        (found if d.kind == MATCH_FOUND else gone).append(d)
    needs = tuple(
        NeedNews(reference, tuple(found), tuple(gone))
        for reference, (found, gone) in by_need.items()
    )
    return Letter(recipient, group == DIGEST, needs, tuple(deliveries))


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _references(references: list[str], language: Language) -> str:
    named = references[:_NAMED_REFERENCES]
    rest = len(references) - len(named)
    joined = ", ".join(named)
    if rest:
        joined += f" and {rest} more" if language == "en" else f" und {rest} weitere"
    return joined
