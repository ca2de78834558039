"""The retry schedule of everything Pantau sends to another server (webhooks, WhatsApp,
Telegram, SMS): 6 attempts, waiting 30 s, 2 min, 8 min, 32 min and about 2 h between them."""

from datetime import timedelta

from django.utils import timezone

MAX_ATTEMPTS = 6
STALLED_AFTER = timedelta(minutes=30)  # a pending send not retried for this long lost its task
FIRST_DELAY = 30  # seconds; each further wait is four times the previous one


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: 30, 120, 480, 1920, 7680."""
    return FIRST_DELAY * 4 ** (attempts - 1)


def requeue_stalled(pending, task) -> int:
    """Queue `task` again for each send in `pending` (a queryset of pending rows with a
    `next_attempt_at`) whose task was lost; answer how many. The next attempt is pushed
    forward first, so that the next sweep does not queue them again."""
    now = timezone.now()
    stalled = list(
        pending.filter(next_attempt_at__lt=now - STALLED_AFTER).values_list("pk", flat=True)[:500]
    )
    pending.model.objects.filter(pk__in=stalled).update(next_attempt_at=now)
    for pk in stalled:
        task(pk)
    return len(stalled)
