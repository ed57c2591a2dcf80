"""Signed outbound webhooks (issue 14). `transport` delivers one request to a receiver's URL with the SSRF
defences; the app is wired into INSTALLED_APPS separately."""
