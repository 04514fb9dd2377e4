"""Straight-line distances within the region."""

from __future__ import annotations

from math import asin, cos, inf, radians, sin, sqrt

from lotse_matching.domain.model import Need, Offer
from lotse_shared.region import Region

__all__ = ["distance_from", "distance_km", "haversine_km", "km_or_infinite"]

_EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in kilometres."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = radians(lat2 - lat1), radians(lon2 - lon1)
    a = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * asin(sqrt(a))


def distance_km(need: Need, offer: Offer, region: Region) -> float | None:
    """From the centre of the need's municipality to the offer's venue (or its municipality's centre).

    None when either place is unknown to the region.
    """
    return distance_from(need.details.municipality, offer, region)


def distance_from(ags: str, offer: Offer, region: Region) -> float | None:
    """From the centre of municipality ``ags`` to the offer's venue; None when a place is unknown."""
    home = region.municipalities.get(ags)
    location = offer.details.location
    if home is None:
        return None
    if location.lat is not None and location.lon is not None:
        return haversine_km(home.lat, home.lon, location.lat, location.lon)
    venue = region.municipalities.get(location.municipality)
    if venue is None:
        return None
    return haversine_km(home.lat, home.lon, venue.lat, venue.lon)


def km_or_infinite(ags: str, offer: Offer, region: Region) -> float:
    """:func:`distance_from`, with an unknown place infinitely far: no travel limit reaches it."""
    km = distance_from(ags, offer, region)
    return inf if km is None else km
