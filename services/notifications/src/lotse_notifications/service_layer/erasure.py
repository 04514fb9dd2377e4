"""Erasing a need: notifications forgets which need its news was about.

The delivery log keeps that news went to an advisor, of which kind, how far
it got and when; the need's id and reference go, and pending news of it is
cancelled, so no email about an erased need leaves afterwards. The need's id
alone is kept as erased, so that match news of it arriving late (the matches
topic is not ordered with the needs topic) is not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lotse_notifications.service_layer.unit_of_work import UnitOfWork

__all__ = ["NeedErasure", "erase_need"]


@dataclass(frozen=True)
class NeedErasure:
    """A tombstone on the needs topic: the need with this id is erased."""

    need_id: str


async def erase_need(
    uow: UnitOfWork, need_id: str, now: datetime, *, match_id: str | None = None
) -> None:
    """Erase ``need_id`` in ``uow``'s transaction; doing it again changes nothing.

    ``match_id``: a match of the need, whose deliveries may predate knowing their need.
    """
    await uow.erased.add(need_id, now)
    await uow.deliveries.erase_need(need_id, match_id=match_id)
