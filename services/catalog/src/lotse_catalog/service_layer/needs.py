"""Use cases of needs: advisors register, change, close and erase their own."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from lotse_catalog.domain.errors import Forbidden, NotFound
from lotse_catalog.domain.model import Expected, Need, new_reference, require_municipality
from lotse_catalog.service_layer.events import need_event
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import NEEDS, NeedClosed, NeedDetails, NeedRegistered, NeedUpdated
from lotse_shared.envelope import Tombstone
from lotse_shared.identity import Principal, Role
from lotse_shared.region import Region

__all__ = ["close_need", "erase_expired_needs", "erase_need", "register_need", "revise_need"]


def _advisor(principal: Principal) -> str:
    if principal.role is not Role.ADVISOR:
        raise Forbidden("only advisors work with needs")
    return principal.sub


async def own_need(
    uow: UnitOfWork, principal: Principal, need_id: str, *, for_update: bool = False
) -> Need:
    """The caller's need; another advisor's need is reported as missing, never as forbidden."""
    advisor_id = _advisor(principal)
    need = await uow.needs.get(need_id, for_update=for_update)
    if need is None or need.advisor_id != advisor_id:
        raise NotFound(f"no need {need_id}")
    return need


async def register_need(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    details: NeedDetails,
    case_reference: str | None,
    retention: timedelta,
) -> Need:
    advisor_id = _advisor(principal)
    require_municipality(region, "municipality", details.municipality)
    async with uow:
        advisor = await uow.advisors.get(advisor_id)
        if advisor is None or not advisor.active:
            raise Forbidden(f"advisor {advisor_id} is not registered or no longer active")
        reference = new_reference(region.reference_prefix)
        while await uow.needs.reference_taken(reference):
            reference = new_reference(region.reference_prefix)
        need = Need(
            id=str(uuid.uuid4()),
            reference=reference,
            advisor_id=advisor_id,
            details=details.model_copy(
                update={"categories": list(dict.fromkeys(details.categories))}
            ),
            case_reference=case_reference,
            expires_on=Need.expiry(retention),
        )
        await uow.needs.add(need)
        await uow.publish([need_event(NeedRegistered, need)])
        await uow.commit()
    return need


async def revise_need(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    need_id: str,
    details: NeedDetails,
    case_reference: str | None,
    expected_version: Expected,
) -> Need:
    require_municipality(region, "municipality", details.municipality)
    async with uow:
        need = await own_need(uow, principal, need_id, for_update=True)
        need.revise(details, case_reference, expected_version)
        await uow.needs.save(need)
        await uow.publish([need_event(NeedUpdated, need)])
        await uow.commit()
    return need


async def close_need(
    uow: UnitOfWork, principal: Principal, need_id: str, expected_version: Expected
) -> Need:
    async with uow:
        need = await own_need(uow, principal, need_id, for_update=True)
        need.close(expected_version)
        await uow.needs.save(need)
        await uow.publish([need_event(NeedClosed, need)])
        await uow.commit()
    return need


async def erase_need(uow: UnitOfWork, principal: Principal, need_id: str) -> None:
    """Delete the need and publish a tombstone so every service deletes its copy."""
    async with uow:
        await own_need(uow, principal, need_id, for_update=True)
        await uow.needs.erase(need_id)
        await _tombstone(uow, need_id)
        await uow.commit()


async def erase_expired_needs(uow: UnitOfWork, today: date, batch: int = 500) -> int:
    """Erase needs whose expiry passed, through the same path as an advisor's erasure."""
    async with uow:
        erased = 0
        for need_id in await uow.needs.expired(today, batch):
            if await uow.needs.erase(need_id):
                await _tombstone(uow, need_id)
                erased += 1
        await uow.commit()
    return erased


async def _tombstone(uow: UnitOfWork, need_id: str) -> None:
    """Queue the need's tombstone; its states the outbox has not yet sent never leave it."""
    await uow.discard_unpublished(NEEDS.name, need_id)
    await uow.publish([Tombstone(NEEDS.name, need_id)])
