"""A local mail sink for development: receives SMTP, keeps every message, shows them on a page."""
