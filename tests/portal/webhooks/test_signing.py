"""Deliveries are signed so the reference Standard Webhooks verifier accepts them; a secret rotation signs with
both secrets during its overlap, then with the new one only."""

import datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from portal.webhooks.signing import new_secret, signed_headers, signing_secrets

BODY = b'{"type": "request.submitted", "data": {"id": 7}}'


def test_a_new_secret_is_the_schemes_text_form_and_never_repeats() -> None:
    first, second = new_secret(), new_secret()

    assert first.startswith("whsec_")
    assert first != second
    Webhook(first)  # the reference package reads it


def test_the_reference_verifier_accepts_a_delivery_and_refuses_a_changed_body() -> None:
    secret = new_secret()
    headers = signed_headers(message_id="evt_7", body=BODY, secrets_in_use=[secret])

    assert Webhook(secret).verify(BODY, headers) == {"type": "request.submitted", "data": {"id": 7}}
    assert headers["webhook-id"] == "evt_7"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"7", b"8"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_during_a_rotations_overlap_both_secrets_sign_and_each_verifies() -> None:
    old, new = new_secret(), new_secret()
    now = datetime.datetime.now(datetime.UTC)
    in_use = signing_secrets(new, old, previous_until=now + datetime.timedelta(hours=24), now=now)
    headers = signed_headers(message_id="evt_8", body=BODY, secrets_in_use=in_use)

    assert in_use == [new, old]
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)


def test_after_the_overlap_only_the_new_secret_signs() -> None:
    old, new = new_secret(), new_secret()
    now = datetime.datetime.now(datetime.UTC)
    in_use = signing_secrets(new, old, previous_until=now - datetime.timedelta(seconds=1), now=now)
    headers = signed_headers(message_id="evt_9", body=BODY, secrets_in_use=in_use)

    assert in_use == [new]
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, headers)


def test_a_retry_carries_the_same_id_with_a_fresh_timestamp() -> None:
    secret = new_secret()
    first = signed_headers(message_id="evt_10", body=BODY, secrets_in_use=[secret])
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=90)
    retry = signed_headers(message_id="evt_10", body=BODY, secrets_in_use=[secret], now=later)

    assert retry["webhook-id"] == first["webhook-id"]
    assert int(retry["webhook-timestamp"]) - int(first["webhook-timestamp"]) >= 89


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        signed_headers(message_id="evt_11", body=BODY, secrets_in_use=[])
