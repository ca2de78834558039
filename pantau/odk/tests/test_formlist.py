import hashlib
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from pantau.accounts import logins
from pantau.instruction.models import Category, Checklist
from pantau.odk.tests.helpers import basic, form_list, message

pytestmark = pytest.mark.django_db

OPENROSA = {"HTTP_X_OPENROSA_VERSION": "1.0", "HTTP_ACCEPT_ENCODING": "gzip,deflate"}


def active_checklist_codes():
    return set(
        Checklist.objects.filter(
            operation__status="active", is_active=True, stage__is_active=True
        ).values_list("code", flat=True)
    )


def test_it_challenges_a_request_without_credentials(client):
    response = client.get("/odk/formList", **OPENROSA)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="Pantau"')
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Date"]
    assert message(response)[0] == "not_authenticated"


def test_it_lists_a_form_per_checklist_and_the_problem_form(collect):
    phone = collect("desa-3513012001")
    response = phone.form_list()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response["X-OpenRosa-Version"] == "1.0" and response["Date"]
    assert [status for _m, _u, status in phone.exchanges] == [401, 200]
    forms = form_list(response)
    expected = {f"pantau-{code}" for code in active_checklist_codes()} | {"pantau-masalah"}
    assert set(forms) == expected
    pemungutan = forms["pantau-pemungutan"]
    assert pemungutan["name"] == Checklist.objects.get(code="pemungutan").name
    assert pemungutan["version"]
    assert pemungutan["downloadUrl"] == "http://testserver/odk/forms/pantau-pemungutan.xml"
    assert pemungutan["hash"].startswith("md5:")


def test_the_hash_is_the_md5_of_the_form_downloaded(collect):
    phone = collect()
    for item in form_list(phone.form_list()).values():
        body = phone.download(item["downloadUrl"]).content
        assert item["hash"] == "md5:" + hashlib.md5(body).hexdigest()


def test_form_id_narrows_the_list(client):
    auth_header = basic("camat-tongas", "pantau-demo")
    response = client.get(
        "/odk/formList", {"formID": "pantau-masalah"}, HTTP_AUTHORIZATION=auth_header, **OPENROSA
    )
    assert set(form_list(response)) == {"pantau-masalah"}


def test_the_version_follows_the_users_regions(collect):
    village = form_list(collect("desa-3513012001").form_list())
    camat = form_list(collect("camat-tongas").form_list())
    same_regions = form_list(collect("desa-3513012001").form_list())
    assert village["pantau-pemungutan"]["version"] != camat["pantau-pemungutan"]["version"]
    assert village == same_regions


def test_a_changed_checklist_is_a_new_version(collect):
    before = form_list(collect().form_list())
    checklist = Checklist.objects.get(code="pemungutan", operation__status="active")
    checklist.questions = [*checklist.questions, {"code": "baru", "text": "Baru?", "type": "text"}]
    checklist.save(update_fields=["questions"])
    after = form_list(collect().form_list())
    assert after["pantau-pemungutan"]["version"] != before["pantau-pemungutan"]["version"]
    assert after["pantau-pemungutan"]["hash"] != before["pantau-pemungutan"]["hash"]
    assert after["pantau-kampanye"] == before["pantau-kampanye"]


def test_an_inactive_checklist_or_no_category_leaves_its_form_out(collect):
    Checklist.objects.filter(code="kampanye").update(is_active=False)
    Category.objects.update(is_active=False)
    forms = form_list(collect().form_list())
    assert "pantau-kampanye" not in forms and "pantau-masalah" not in forms
    assert "pantau-pemungutan" in forms


def test_an_external_agency_has_no_forms(collect):
    response = collect("bawaslu").form_list()
    assert response.status_code == 200
    assert form_list(response) == {}


def test_a_wrong_password_is_refused(collect):
    phone = collect("desa-3513012001", "wrong-password")
    response = phone.form_list()
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert message(response)[0] == "invalid_credentials"


def test_an_inactive_account_is_refused(collect, users):
    get_user_model().objects.filter(username="desa-3513012001").update(is_active=False)
    assert collect().form_list().status_code == 401


def test_a_verified_password_is_remembered_and_a_wrong_one_never(client, users):
    header = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "pantau-demo"), **OPENROSA}
    wrong = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "nope"), **OPENROSA}
    with mock.patch.object(logins, "authenticate", wraps=logins.authenticate) as verify:
        assert client.get("/odk/formList", **header).status_code == 200
        assert client.get("/odk/formList", **header).status_code == 200
        assert client.head("/odk/submission", **header).status_code == 204
        assert verify.call_count == 1  # the password was hashed once
        assert client.get("/odk/formList", **wrong).status_code == 401
        assert client.get("/odk/formList", **wrong).status_code == 401
        assert verify.call_count == 3  # a wrong password is checked every time


def test_a_changed_password_ends_the_remembered_one(client, users):
    header = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "pantau-demo"), **OPENROSA}
    assert client.get("/odk/formList", **header).status_code == 200
    user = users["desa-3513012001"]
    user.set_password("another-password-2024")
    user.save(update_fields=["password"])
    assert client.get("/odk/formList", **header).status_code == 401
    new = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "another-password-2024"), **OPENROSA}
    assert client.get("/odk/formList", **new).status_code == 200


def test_the_cache_never_holds_the_password(client, users, settings):
    from django.core.cache import cache

    header = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "pantau-demo"), **OPENROSA}
    assert client.get("/odk/formList", **header).status_code == 200
    stored = repr(dict(cache._cache.items()))  # the test's own LocMemCache
    assert "pantau-demo" not in stored


def test_repeated_wrong_passwords_are_slowed_down(client, users):
    good = {"HTTP_AUTHORIZATION": basic("camat-paiton", "pantau-demo"), **OPENROSA}
    wrong = {"HTTP_AUTHORIZATION": basic("camat-paiton", "guess"), **OPENROSA}
    for _ in range(logins.pair_limit()):
        assert client.get("/odk/formList", **wrong).status_code == 401
    response = client.get("/odk/formList", **wrong)
    assert response.status_code == 429
    assert response["Retry-After"] and response["X-OpenRosa-Version"] == "1.0"
    assert message(response)[0] == "rate_limited"
    # Even the right password waits: guessing must not go on.
    assert client.get("/odk/formList", **good).status_code == 429
    # Other accounts are not affected.
    other = {"HTTP_AUTHORIZATION": basic("camat-tongas", "pantau-demo"), **OPENROSA}
    assert client.get("/odk/formList", **other).status_code == 200


def test_a_phone_already_logged_in_is_not_locked_out_by_someone_guessing(client, users):
    good = {"HTTP_AUTHORIZATION": basic("camat-paiton", "pantau-demo"), **OPENROSA}
    wrong = {"HTTP_AUTHORIZATION": basic("camat-paiton", "guess"), **OPENROSA}
    assert client.get("/odk/formList", **good).status_code == 200
    for _ in range(logins.pair_limit() + 1):
        client.get("/odk/formList", **wrong)
    assert client.get("/odk/formList", **good).status_code == 200


def test_a_browser_session_is_not_enough(login):
    client = login("desa-3513012001")
    assert client.get("/odk/formList", **OPENROSA).status_code == 401


def test_other_methods_are_refused(client, users):
    header = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "pantau-demo"), **OPENROSA}
    response = client.post("/odk/formList", **header)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("username", ["desa-3513012001", "camat-tongas", "bupati"])
def test_the_form_list_costs_a_few_queries_however_many_regions(
    client, users, username, django_assert_max_num_queries
):
    header = {"HTTP_AUTHORIZATION": basic(username, "pantau-demo"), **OPENROSA}
    assert client.get("/odk/formList", **header).status_code == 200  # password verified once
    with django_assert_max_num_queries(7):
        response = client.get("/odk/formList", **header)
    assert len(form_list(response)) == len(active_checklist_codes()) + 1


def test_an_account_that_must_use_two_factor_login_is_refused(collect, settings):
    # Basic credentials cannot carry a TOTP code: with PANTAU_REQUIRE_2FA the Pj Bupati's
    # password alone must not open ODK, while a village account (not required) still works.
    settings.REQUIRE_2FA = True
    refused = collect("bupati").form_list()
    assert refused.status_code == 403
    assert message(refused)[0] == "forbidden"
    assert collect("desa-3513012001").form_list().status_code == 200


def test_a_kept_login_is_each_request_s_own_and_ends_with_the_account(
    client, users, monkeypatch, rf
):
    """As a server runs (outside a transaction) the user behind verified credentials is kept in
    the process: the next request reads nothing at all; each request gets its own copy of the
    user; switching the account off (a save of the user) ends it at once in this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pantau.lib import kept
    from pantau.odk.auth import authenticate_request

    kept.clear_all()
    monkeypatch.setattr(kept, "enabled", lambda: True)
    header = {"HTTP_AUTHORIZATION": basic("desa-3513012001", "pantau-demo"), **OPENROSA}
    assert client.head("/odk/submission", **header).status_code == 204
    with CaptureQueriesContext(connection) as queries:
        assert client.head("/odk/submission", **header).status_code == 204
    assert not queries.captured_queries
    first = authenticate_request(rf.head("/odk/submission", **header))
    second = authenticate_request(rf.head("/odk/submission", **header))
    assert first.pk == second.pk and first is not second
    first._pantau_territory = "noted by the first request"
    assert not hasattr(second, "_pantau_territory")
    user = users["desa-3513012001"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.head("/odk/submission", **header).status_code == 401
    kept.clear_all()
