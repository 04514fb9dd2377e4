"""Lotse's web app: server-rendered pages over the catalog, matching and notifications APIs."""
