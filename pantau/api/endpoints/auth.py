"""POST /auth/token (log in: a token), DELETE /auth/token (revoke the token in use)."""

from ninja import Router, Status

from pantau.accounts.logins import password_login
from pantau.accounts.two_factor import check_api_login
from pantau.api.actions import do_issue_token, do_revoke_token
from pantau.api.errors import errors
from pantau.api.schemas import TokenIn, TokenOut

router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **errors(400, 401, 403, 413, 429)},
    summary="Log in: a bearer token",
)
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a token (valid 30 days unless configured
    otherwise). Too many failed attempts for a username or from an address answer 429. An
    account with two-factor login needs the app's current code in `otp` (403 without it)."""
    user = password_login(request, payload.username, payload.password)
    verified = check_api_login(user, payload.otp)
    key, token = do_issue_token(user, second_factor=verified)
    return {"token": key, "expires_at": token.expires_at}


@router.delete("/token", response={204: None, **errors(401, 429)}, summary="Revoke this token")
def revoke_token(request):
    """Revoke the token this request is made with; it stops working at once."""
    do_revoke_token(request.auth.api_token, acting_user=request.auth)
    return Status(204, None)
