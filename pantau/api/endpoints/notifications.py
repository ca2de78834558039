"""The caller's notifications: GET /notifications, POST /notifications/{id}/read and
POST /notifications/read-all. The same rows as the web page (pantau/notify/selectors.py)."""

import datetime as dt

from ninja import Field, Path, Query, Router, Schema

from pantau.api import output
from pantau.api.errors import errors, refuse_a_body
from pantau.api.schemas import Id, Page, PageOut
from pantau.notify import service
from pantau.notify.selectors import notifications_of

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str = Field(
        description="What happened: create, escalate, take_over, refer, withdraw, answer, "
        "overdue, resolve, reject, reopen, ..."
    )
    title: str
    body: str
    url: str = Field(description="The page in Pantau to open (absolute), or empty.")
    problem: int | None = Field(description="The problem it is about, or null.")
    report: int | None = Field(description="The field report it is about, or null.")
    read: bool
    created_at: dt.datetime


class NotificationPage(PageOut):
    items: list[NotificationOut]
    unread: int = Field(description="How many of the caller's notifications are unread.")


class NotificationFilters(Schema):
    page: Page = 1


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read.")


def _object(notification, kind: str) -> int | None:
    if notification.object_type == kind and notification.object_id.isdigit():
        return int(notification.object_id)
    return None


def _row(notification) -> dict:
    return {
        "id": notification.pk,
        "kind": notification.event,
        "title": notification.title,
        "body": notification.body,
        "url": service.absolute_url(notification.url),
        "problem": _object(notification, "problem"),
        "report": _object(notification, "report"),
        "read": notification.read_at is not None,
        "created_at": notification.created_at,
    }


@router.get("", response={200: NotificationPage, **errors(400, 401)})
def list_notifications(request, filters: Query[NotificationFilters]):
    """The caller's notifications, newest first, 50 a page, with the count of unread ones."""
    mine = notifications_of(request.auth)
    page = output.page(request, mine, filters.page, _row)
    return {**page, "unread": mine.filter(read_at__isnull=True).count()}


@router.post("/read-all", response={200: ReadAllOut, **errors(400, 401, 429)})
def read_all_notifications(request):
    """Mark all of the caller's notifications read. The request has no body."""
    refuse_a_body(request)
    return {"marked": service.mark_read(request.auth)}


@router.post("/{id}/read", response={200: NotificationOut, **errors(400, 401, 404, 429)})
def read_notification(request, id: Path[Id]):
    """Mark one of the caller's notifications read; someone else's is 404, as a missing one.
    The request has no body."""
    refuse_a_body(request)
    service.mark_read(request.auth, id)
    return _row(notifications_of(request.auth).get(pk=id))
