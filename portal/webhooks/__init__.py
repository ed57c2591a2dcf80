"""Signed outbound webhooks: endpoints the provider's systems listen on, deliveries of the portal's events to
them (signed, retried, logged, replayable), and the SSRF-safe sender. See docs/architecture.md, "Webhooks"."""
