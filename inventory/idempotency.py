"""``Idempotency-Key`` for adjust and transfer.

The key row is inserted in the same transaction as the change: a second
request with the key waits on the first (unique index), then finds its
stored answer. A refused change rolls back the key too, so the client may
retry it.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

from inventory.models import IdempotencyKey
from stockwiz.errors import IdempotencyConflict, InvalidInput

MAX_KEY_LENGTH = 255


def _fingerprint(scope, payload):
    canonical = json.dumps([scope, payload], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_idempotent(*, key, user, scope, payload, action):
    """Run ``action() -> (status, body)`` at most once per user and key.

    Without a key, ``action`` just runs. With one, a repeat with the same
    ``scope`` and ``payload`` gets the first answer; a different one is an
    ``idempotency_conflict``.
    """
    if not key:
        return action()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            "Idempotency-Key", f"Must be at most {MAX_KEY_LENGTH} characters."
        )
    fingerprint = _fingerprint(scope, payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    request_fingerprint=fingerprint,
                    response_status=0,
                    response_body={},
                )
        except IntegrityError:
            # Used before, or by a concurrent request that has now committed.
            return _first_answer(user=user, key=key, fingerprint=fingerprint)
        status, body = action()
        record.response_status = status
        record.response_body = body
        record.save(update_fields=["response_status", "response_body"])
        return status, body


def _first_answer(*, user, key, fingerprint):
    first = IdempotencyKey.objects.get(user=user, key=key)
    if first.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different request."
        )
    return first.response_status, first.response_body
