"""Matching: pairs needs with offers as either arrives, and explains why."""
