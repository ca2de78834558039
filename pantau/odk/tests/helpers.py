"""ODK Collect, as far as the server sees it: the requests it sends and the instances it writes."""

import base64
import io
import uuid
import xml.etree.ElementTree as ET

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.http import http_date
from PIL import Image

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "x": "http://www.w3.org/2002/xforms",
    "jr": "http://openrosa.org/javarosa",
    "or": "http://openrosa.org/xforms/xformsList",
    "r": "http://openrosa.org/http/response",
}
# The namespaces ODK Collect declares on the root of every instance it writes.
INSTANCE_NAMESPACES = {
    "xmlns:h": "http://www.w3.org/1999/xhtml",
    "xmlns:jr": "http://openrosa.org/javarosa",
    "xmlns:orx": "http://openrosa.org/xforms",
    "xmlns:odk": "http://www.opendatakit.org/xforms",
    "xmlns:ev": "http://www.w3.org/2001/xml-events",
    "xmlns:xsd": "http://www.w3.org/2001/XMLSchema",
}
NGADISARI = "35.13.01.2001"
SUKAPURA = "35.13.01"
TONGAS = "35.13.23"
VOTING_MORNING = "2024-11-27T09:30:12.345+07:00"  # as Collect writes `start`


def qn(prefix: str, name: str) -> str:
    """ElementTree's name of `prefix:name`."""
    return f"{{{NS[prefix]}}}{name}"


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def jpeg(size=(64, 48), color=(40, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


class OdkCollect:
    """The requests of ODK Collect (OkHttp): OpenRosa headers on each; the first request without
    credentials, answered 401 with a challenge, then the same with Basic credentials, which it
    then sends with every request (pre-emptively)."""

    user_agent = "Dalvik/2.1.0 (Linux; U; Android 13) org.odk.collect.android/v2024.3.4"

    def __init__(self, client, username: str, password: str):
        self.client = client
        self.username = username
        self.password = password
        self.preemptive = False
        self.exchanges: list[tuple[str, str, int]] = []

    def headers(self, with_credentials: bool) -> dict:
        headers = {
            "HTTP_X_OPENROSA_VERSION": "1.0",
            "HTTP_ACCEPT_ENCODING": "gzip,deflate",
            "HTTP_DATE": http_date(),
            "HTTP_USER_AGENT": self.user_agent,
        }
        if with_credentials:
            headers["HTTP_AUTHORIZATION"] = basic(self.username, self.password)
        return headers

    def send(self, method: str, url: str, data=None):
        def once(with_credentials):
            kwargs = self.headers(with_credentials)
            if method == "POST":
                response = self.client.post(url, data, **kwargs)  # multipart/form-data
            else:
                response = getattr(self.client, method.lower())(url, **kwargs)
            self.exchanges.append((method, url, response.status_code))
            return response

        response = once(self.preemptive)
        if response.status_code == 401 and not self.preemptive:
            assert response["WWW-Authenticate"].startswith("Basic ")
            response = once(True)
            self.preemptive = response.status_code != 401
        return response

    def form_list(self):
        return self.send("GET", "/odk/formList")

    def download(self, url: str):
        return self.send("GET", url)

    def submit(self, xml: bytes, photos: dict[str, bytes] | None = None, *, incomplete=False):
        """HEAD, then the multipart POST of `xml_submission_file` and the photos."""
        head = self.send("HEAD", "/odk/submission")
        assert head.status_code == 204, head.content
        data = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
        for name, content in (photos or {}).items():
            data[name] = SimpleUploadedFile(name, content, "image/jpeg")
        if incomplete:
            data["*isIncomplete*"] = "yes"
        return self.send("POST", "/odk/submission", data)


def form_list(response) -> dict[str, dict[str, str]]:
    """formID -> {name, version, hash, downloadUrl} of a form list."""
    root = ET.fromstring(response.content)
    assert root.tag == qn("or", "xforms")
    forms = {}
    for item in root.findall("or:xform", NS):
        fields = {local(child.tag): (child.text or "") for child in item}
        forms[fields["formID"]] = fields
    return forms


def message(response) -> tuple[str, str]:
    """(nature, text) of an OpenRosaResponse."""
    root = ET.fromstring(response.content)
    assert root.tag == qn("r", "OpenRosaResponse")
    element = root.find("r:message", NS)
    return element.get("nature"), element.text or ""


def primary_instance(xform: bytes) -> ET.Element:
    root = ET.fromstring(xform)
    return root.find("h:head/x:model/x:instance", NS)[0]


def fill(xform: bytes, values: dict[str, str], instance_id: uuid.UUID | None = None) -> bytes:
    """The instance Collect writes for `xform` filled with `values` (by path, e.g. "region",
    "checklist/gangguan"): the form's primary instance without the XForms namespace, the
    namespaces Collect declares, empty elements for what was not answered, a new instanceID."""
    values = dict(values)
    values["meta/instanceID"] = f"uuid:{instance_id or uuid.uuid4()}"

    def copy(element, prefix=""):
        name = local(element.tag)
        new = ET.Element(name, dict(element.attrib))
        path = prefix + name
        for child in element:
            new.append(copy(child, "" if element is template else path + "/"))
        if not len(element):
            new.text = values.pop(path, None)
        return new

    template = primary_instance(xform)
    root = copy(template)
    root.attrib.update(INSTANCE_NAMESPACES)
    assert not values, f"not in the form: {sorted(values)}"
    return b"<?xml version='1.0' ?>" + ET.tostring(root, encoding="utf-8", xml_declaration=False)
