"""The retry schedule of everything Pantau sends to another server (webhooks, WhatsApp,
Telegram, SMS): 6 attempts, waiting 30 s, 2 min, 8 min, 32 min and about 2 h between them."""

MAX_ATTEMPTS = 6
FIRST_DELAY = 30  # seconds; each further wait is four times the previous one


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: 30, 120, 480, 1920, 7680."""
    return FIRST_DELAY * 4 ** (attempts - 1)
