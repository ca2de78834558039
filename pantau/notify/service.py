"""STUB, to be replaced by the notifications implementation."""


def notify(recipients, *, event: str, title: str, body: str = "", url: str = "",
           problem=None, payload: dict | None = None) -> None:
    """Tell `recipients` (users) that `event` happened. Call inside the caller's transaction."""
    return None
