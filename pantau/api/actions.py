"""Writes of the API's own data: tokens. Issuing and revoking are audited."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from pantau.api.auth import hash_key, new_key, token_days
from pantau.api.models import ApiToken
from pantau.audit import log as audit


def do_issue_token(
    user, *, second_factor: bool = False, now: dt.datetime | None = None
) -> tuple[str, ApiToken]:
    """A new token for `user`: returns (the token, its stored record). The token itself is
    shown once, here; only its hash is kept. `second_factor`: issued after a verified code
    (an account that must use two factors has no use for a token without)."""
    now = now or timezone.now()
    key = new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_hash=hash_key(key),
            created_at=now,
            expires_at=now + dt.timedelta(days=token_days()),
            second_factor=second_factor,
        )
        audit.record(
            actor=user,
            action="api.token.create",
            obj=token,
            after={
                "user": user.username,
                "expires_at": token.expires_at,
                "second_factor": second_factor,
            },
        )
    return key, token


def do_revoke_token(token: ApiToken, *, acting_user) -> bool:
    """Revoke `token` (by its owner through the API, or by an admin). Returns False when it was
    already revoked."""
    with transaction.atomic():
        now = timezone.now()
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if not changed:
            return False
        token.revoked_at = now
        audit.record(
            actor=acting_user,
            action="api.token.revoke",
            obj=token,
            after={"user": token.user.username, "revoked_at": now},
        )
    return True
