"""Providers' desk: their offers, free places, the offer form, import."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter()
