from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from pantau.accounts import access
from pantau.instruction import selectors
from pantau.monitoring import selectors as reports
from pantau.problems import selectors as problems
from pantau.regions.models import Level, Region, parent_code


@login_required
def home(request):
    user = request.user
    top = list(
        access.top_regions(user)
        .order_by("code")
        .prefetch_related(Prefetch("children", queryset=Region.objects.order_by("name")))
    )
    clusters = selectors.with_coordinators(
        selectors.clusters_with_kecamatan(access.visible_clusters(user))
    )
    return render(
        request,
        "web/home.html",
        {
            "territory": access.territory(user),
            "nation": Region.nation() if access.sees_nation(user) else None,
            "top_regions": top,
            "clusters": clusters,
            "operations": selectors.active_operations(),
            "waiting": problems.waiting_for(user),
            "field_role": reports.is_field_role(user),
            "can_view_audit": access.can_view_audit(user),
            "can_administer": user.is_staff,
            # an agency without a territory: how many problems are referred to it (open or not)
            "referred": access.problems_for(user).count() if not access.has_regions(user) else 0,
        },
    )


@login_required
def region(request, code):
    user = request.user
    region = access.get_region(user, code)
    terr = access.territory(user)
    codes, code_ = [], parent_code(region.code)
    while code_:
        codes.append(code_)
        code_ = parent_code(code_)
    ancestors = [(r, terr.contains(r.code)) for r in Region.objects.filter(code__in=codes)]
    children = Region.objects.filter(parent=region).order_by("name")
    return render(
        request,
        "web/region.html",
        {
            "region": region,
            "ancestors": ancestors,
            "children": children,
            "officials": selectors.kecamatan_officials(region)
            if region.level == Level.KECAMATAN
            else None,
        },
    )
