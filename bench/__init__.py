"""Benchmarks against real processes on loopback; run by hand or by ``make``, never imported by services."""
