"""ODK Collect against the real server (`pantau demo`: gunicorn on 127.0.0.1), over HTTP: the
headers as they go over the wire, and a multipart body as OkHttp writes it."""

import base64
import http.client
import uuid
from urllib.parse import urlsplit

from pantau.odk.tests.helpers import NGADISARI, VOTING_MORNING, fill, form_list, jpeg

AUTH = "Basic " + base64.b64encode(b"desa-3513012001:pantau-demo").decode()
OPENROSA = {"X-OpenRosa-Version": "1.0", "Accept-Encoding": "gzip,deflate"}


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status_code = raw.status
        self.headers = raw.headers
        self.content = raw.read()


def request(server, method, path, body=None, headers=None) -> Response:
    url = urlsplit(server["url"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={**OPENROSA, **(headers or {})})
        return Response(conn.getresponse())
    finally:
        conn.close()


def multipart(parts: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    """(body, content type) of multipart/form-data with (name, filename, type, content) parts."""
    boundary = uuid.uuid4().hex
    body = b""
    for name, filename, content_type, content in parts:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n'
                f"Content-Length: {len(content)}\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def assert_openrosa_headers(response):
    assert response.headers.get_all("X-OpenRosa-Version") == ["1.0"]
    assert len(response.headers.get_all("Date")) == 1


def test_odk_collect_against_the_real_server(demo_server):
    challenged = request(demo_server, "GET", "/odk/formList")
    assert challenged.status_code == 401
    assert challenged.headers["WWW-Authenticate"].startswith('Basic realm="Pantau"')
    assert_openrosa_headers(challenged)

    listed = request(demo_server, "GET", "/odk/formList", headers={"Authorization": AUTH})
    assert listed.status_code == 200
    assert_openrosa_headers(listed)
    item = form_list(listed)["pantau-pemungutan"]
    assert item["downloadUrl"] == demo_server["url"] + "/odk/forms/pantau-pemungutan.xml"

    xform = request(
        demo_server, "GET", urlsplit(item["downloadUrl"]).path, headers={"Authorization": AUTH}
    )
    assert xform.status_code == 200
    assert_openrosa_headers(xform)

    head = request(demo_server, "HEAD", "/odk/submission", headers={"Authorization": AUTH})
    assert head.status_code == 204
    assert_openrosa_headers(head)
    assert int(head.headers["X-OpenRosa-Accept-Content-Length"]) > 0

    instance = fill(
        xform.content,
        {
            "start": VOTING_MORNING,
            "region": NGADISARI,
            "situation": "aman",
            "checklist/tps_buka_tepat": "ya",
            "checklist/surat_suara_cukup": "ya",
            "checklist/gangguan": "tidak_ada",
            "photo1": "1732674612345.jpg",
        },
    )
    body, content_type = multipart(
        [
            ("xml_submission_file", "instance.xml", "text/xml", instance),
            ("1732674612345.jpg", "1732674612345.jpg", "image/jpeg", jpeg()),
        ]
    )
    headers = {"Authorization": AUTH, "Content-Type": content_type}
    sent = request(demo_server, "POST", "/odk/submission", body, headers)
    assert sent.status_code == 201, sent.content
    assert_openrosa_headers(sent)
    again = request(demo_server, "POST", "/odk/submission", body, headers)
    assert again.status_code == 202, again.content
