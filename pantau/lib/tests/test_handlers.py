"""The WSGI application: the OpenRosa paths take the short middleware chain, pages the full one."""

import io
import sys

import pytest

from pantau.lib.handlers import LeanPathsHandler

pytestmark = pytest.mark.django_db


def call(application, path):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=int(status.split()[0]), headers=dict(headers))

    b"".join(application(environ, start_response))
    return answer


def test_openrosa_requests_skip_the_pages_middleware():
    application = LeanPathsHandler()
    odk = call(application, "/odk/formList")
    assert odk["status"] == 401 and odk["headers"]["X-OpenRosa-Version"] == "1.0"
    assert odk["headers"]["Content-Language"] == "id"  # the language still chosen
    assert "X-Content-Type-Options" in odk["headers"]  # and the security headers set
    assert "X-Frame-Options" not in odk["headers"]  # no page: no clickjacking header
    page = call(application, "/masuk/")
    assert page["status"] == 200 and page["headers"]["X-Frame-Options"] == "DENY"
