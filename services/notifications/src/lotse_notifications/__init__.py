"""Notifications: emails advisors about new matches, once per advisor and match."""
