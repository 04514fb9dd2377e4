"""Active providers kept between requests: for a while, never inactive ones, forgotten on change."""

from __future__ import annotations

from lotse_catalog.adapters.provider_cache import ActiveProviders
from lotse_catalog.domain.model import Provider
from lotse_shared.contracts import ProviderDetails


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def provider(active: bool = True) -> Provider:
    details = ProviderDetails(name="VHS Schwerte", contact_email="kurse@vhs.example")
    return Provider(id="vhs-schwerte", details=details, active=active)


def test_an_active_provider_is_kept_for_its_time_and_then_read_again() -> None:
    clock = Clock()
    cache = ActiveProviders(ttl=5.0, clock=clock)
    cache.keep(provider())
    clock.now += 4.9
    assert cache.get("vhs-schwerte") is not None
    clock.now += 0.1
    assert cache.get("vhs-schwerte") is None


def test_an_inactive_provider_is_never_kept() -> None:
    cache = ActiveProviders(ttl=5.0, clock=Clock())
    cache.keep(provider(active=False))
    assert cache.get("vhs-schwerte") is None


def test_a_provider_forgotten_is_read_again_at_once() -> None:
    cache = ActiveProviders(ttl=5.0, clock=Clock())
    cache.keep(provider())
    cache.forget(["vhs-schwerte", "someone-else"])
    assert cache.get("vhs-schwerte") is None


def test_a_time_of_zero_keeps_nothing() -> None:
    cache = ActiveProviders(ttl=0, clock=Clock())
    cache.keep(provider())
    assert cache.get("vhs-schwerte") is None
