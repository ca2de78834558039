from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.audit import selectors, wording
from pantau.audit.forms import AuditFilterForm
from pantau.lib.errors import NotFound

PER_PAGE = 50


@login_required
def audit(request):
    if not access.can_view_audit(request.user):
        raise NotFound(_("Page not found."))
    form = AuditFilterForm(request.GET)
    entries = selectors.entries_for(request.user)
    if form.is_valid():
        entries = selectors.filter_entries(entries, **form.cleaned_data)
    else:
        # Never show an unfiltered list as if it were the filtered one.
        entries = entries.none()
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    names, titles = wording.lookups(page.object_list)
    said = wording.say(page.object_list, names, titles)
    return render(request, "audit/list.html", {"form": form, "page": page, "said": said})
