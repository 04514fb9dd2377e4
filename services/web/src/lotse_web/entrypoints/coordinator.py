"""KI coordinators' desk: directory, coverage with trend, delivery problems."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter()
