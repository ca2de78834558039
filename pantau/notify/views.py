from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pantau.notify import service
from pantau.notify.selectors import notifications_of

PER_PAGE = 20


def _page(request, number):
    return Paginator(notifications_of(request.user), PER_PAGE).get_page(number)


@login_required
def notifications(request):
    """The user's own notifications, newest first, unread ones marked."""
    return render(request, "notify/list.html", {"page": _page(request, request.GET.get("page"))})


@login_required
@require_POST
def mark_read(request, pk: int | None = None):
    """Mark one of the user's notifications (or all of them) read.

    htmx gets the updated list back (and the header count, out of band); a plain form post is
    redirected to the list.
    """
    service.mark_read(request.user, pk)
    number = request.POST.get("page", "")
    if request.htmx:
        return render(
            request,
            "notify/_list.html",
            {"page": _page(request, number), "oob_count": True},
        )
    url = reverse("notifications")
    return redirect(f"{url}?page={number}" if number.isdigit() else url)
