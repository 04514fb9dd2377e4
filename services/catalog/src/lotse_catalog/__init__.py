"""The catalog: system of record and write API for providers, advisors, offers and needs."""
