"""The compliance page (/kepatuhan/): who has reported, on time, and who has not.

The view parses the filters, asks `selectors.compliance_for` (which starts from the user's
territory, as the API does) and renders; a region outside the territory is a 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pantau.compliance import selectors
from pantau.compliance.forms import ComplianceForm
from pantau.lib.errors import Invalid
from pantau.regions.models import Level


@login_required
def compliance_page(request):
    user = request.user
    form = ComplianceForm(request.GET or None, user=user)
    context = {"form": form, "result": None, "clusters": [], "start": None, "end": None}
    status = 200
    if form.is_bound and not form.is_valid():
        return render(request, "compliance/page.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        start, end = selectors.period(
            date=data.get("date"), since=data.get("since"), until=data.get("until")
        )
    except Invalid as exc:
        for name, message in exc.fields.items():
            form.add_error(name if name in form.fields else None, message)
        return render(request, "compliance/page.html", context, status=400)
    result, scope = selectors.compliance_for(
        user, start=start, end=end, code=data.get("region") or None
    )
    if scope.region is not None and scope.region.level == Level.KABUPATEN:
        operation = selectors.operation_for_region(scope.region)
        if operation is not None:
            context["clusters"] = [
                node
                for _cluster, node in selectors.compliance_by_cluster(
                    operation=operation, start=start, end=end
                )
            ]
    context.update(result=result, scope=scope, start=start, end=end)
    return render(request, "compliance/page.html", context, status=status)
