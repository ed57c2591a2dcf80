"""Signing a webhook delivery with the Standard Webhooks scheme, through its reference package (`standardwebhooks`):
the headers `webhook-id` (the event's id, the same on every retry, so a receiver handles retries idempotently),
`webhook-timestamp` (seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` over `id.timestamp.body`).

Secrets rotate with an overlap: while the previous secret is still honoured, every delivery carries one signature
per secret (space-separated, as the scheme allows), so a receiver verifies with either while it switches."""

import base64
import datetime
import secrets
from collections.abc import Sequence

from django.utils import timezone
from standardwebhooks import Webhook

PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret, in the scheme's text form (`whsec_` + 32 random bytes in base64)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_secrets(
    current: str,
    previous: str = "",
    previous_until: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one until its overlap ends."""
    moment = now or timezone.now()
    honoured = bool(previous) and previous_until is not None and moment < previous_until
    return [current, previous] if honoured else [current]


def signed_headers(
    *, message_id: str, body: bytes, secrets_in_use: Sequence[str], now: datetime.datetime | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, one signature per secret in use."""
    if not secrets_in_use:
        raise ValueError("a delivery is signed with at least one secret")
    moment = (now or timezone.now()).replace(microsecond=0)
    signatures = [Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body) for secret in secrets_in_use]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
    }
