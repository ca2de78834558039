"""STUB, to be replaced by the audit implementation: the hash-chained, append-only audit log."""


def record(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "",
           region_code: str = "", before: dict | None = None, after: dict | None = None,
           note: str = ""):
    """Append one entry. Call inside the caller's transaction (it commits or rolls back with it)."""
    return None
