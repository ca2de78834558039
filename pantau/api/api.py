"""The REST API at /api/v1: the NinjaAPI object, its routers, authentication and error shape.

Endpoints parse (ninja schemas), call the actions, selectors and `accounts.access`, and return;
who sees what is decided in `pantau.accounts.access`, as for the web pages.
"""

import json

from ninja import NinjaAPI
from ninja.parser import Parser

from pantau.api import errors
from pantau.api.auth import BearerAuth
from pantau.api.docs import LocalSwagger
from pantau.api.endpoints import (
    auth,
    compliance,
    dashboard,
    instruction,
    notifications,
    periodic,
    problems,
    reports,
    territory,
)
from pantau.api.throttle import WriteThrottle

DESCRIPTION = """\
The JSON interface of Pantau, the regency's election-monitoring desk.

Log in with `POST /api/v1/auth/token` and send the token with every other call as
`Authorization: Bearer <token>`. Every list and object is limited to the caller's territory.

Errors have one shape: `{"detail": message (Indonesian), "code": machine code, "fields":
{dotted field path: what is wrong}}`. Bad input is 400 with code `invalid`.
"""


class JSONParser(Parser):
    """JSON bodies, without the NaN and Infinity that JSON does not have."""

    def parse_body(self, request):
        return json.loads(request.body, parse_constant=_reject_constant)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class PantauAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__  # list_reports, act_on_problem, ...


api = PantauAPI(
    title="Pantau API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=BearerAuth(),
    docs=LocalSwagger(),
    parser=JSONParser(),
    throttle=[WriteThrottle()],  # per-user limit on writes (pantau/api/throttle.py)
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("", territory.router)
api.add_router("/reports", reports.router)
api.add_router("/problems", problems.router)
api.add_router("", instruction.router)
api.add_router("", dashboard.router)
api.add_router("", compliance.router)
api.add_router("", periodic.router)
api.add_router("/notifications", notifications.router)
