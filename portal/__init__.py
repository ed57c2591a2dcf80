"""Tenant-schema apps: one sub-app per concern of a provider's portal."""
