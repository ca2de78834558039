"""Voting day for one regency, for locust (headless, on 127.0.0.1):

    .venv/bin/locust -f bench/locustfile.py --headless -u 24 -r 24 --run-time 5m \
        --host http://127.0.0.1:8000 --csv var/locust/run

against `pantau demo` (or `pantau setup-demo` + `pantau serve`). Time is compressed: a phone
that reports every few minutes on the day sends every second or two here.

- Village and kecamatan accounts (`desa-*`, `pemantau-*`, `camat-*`) send field reports through
  the API with a bearer token, some through the web form (session and CSRF, as the phone's
  outbox sends it) and some through ODK Collect (OpenRosa, HTTP Basic). Now and then a phone on
  a bad network sends the same report again with the same `client_id`: the answer must be 200
  with the report stored the first time.
- Camat and Asisten record problems and act on them (verify, start, escalate, comment); two
  people acting on the same problem at once may get a conflict (409), which is an answer, not
  a failure.
- The Pj Bupati and the Asisten poll the dashboard (`/dasbor/` and `/api/v1/dashboard`).

Every `client_id` that got a 2xx is written, one line each (`report|problem <client_id> <id>`,
`resend <client_id> <id>` for a resend), to `$PANTAU_LOAD_OUT/accepted-<pid>.txt` (default
`./locust-out`), so that a test can check afterwards that each is stored exactly once.

A phone logs in once and keeps its token for 30 days, so on voting day almost nobody logs in:
`$PANTAU_LOAD_TOKENS` may name a JSON file {username: token} of tokens issued beforehand;
an account without one logs in (POST /api/v1/auth/token) once per locust process.
"""

import itertools
import json
import os
import random
import re
import threading
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PASSWORD = os.environ.get("PANTAU_DEMO_PASSWORD", "pantau-demo")
OUT = Path(os.environ.get("PANTAU_LOAD_OUT", "locust-out"))
RESEND_RATE = float(os.environ.get("PANTAU_LOAD_RESEND", "0.15"))
CAMATS = [
    "camat-sukapura", "camat-tongas", "camat-kraksaan", "camat-paiton", "camat-dringu",
    "camat-leces", "camat-gending", "camat-krejengan", "camat-besuk", "camat-tegalsiwalan",
]  # fmt: skip
ASISTEN = ["asisten-pemkesra", "asisten-adum", "asisten-ekbang"]
ANSWERS = {"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "tidak ada"}
CATEGORIES = ["logistik", "keamanan", "netralitas-asn", "politik-uang"]
OPENROSA = {"X-OpenRosa-Version": "1.0"}

_lock = threading.Lock()  # locust's users are greenlets; a lock keeps each line whole
# One login per account and process (password hashing is slow), or the tokens issued beforehand.
_tokens: dict[str, str] = (
    json.loads(Path(os.environ["PANTAU_LOAD_TOKENS"]).read_text())
    if os.environ.get("PANTAU_LOAD_TOKENS")
    else {}
)
_accepted = None


def record(kind: str, client_id: str, pk) -> None:
    global _accepted
    with _lock:
        if _accepted is None:
            OUT.mkdir(parents=True, exist_ok=True)
            _accepted = (OUT / f"accepted-{os.getpid()}.txt").open("a", buffering=1)
        _accepted.write(f"{kind} {client_id} {pk}\n")


@events.quitting.add_listener
def _close(environment, **kwargs):
    if _accepted is not None:
        _accepted.close()


def voting_time() -> str:
    """A moment of voting day (27 November 2024) in WIB, as a phone sends it."""
    minutes = random.randint(7 * 60, 13 * 60 - 1)
    return f"2024-11-27T{minutes // 60:02d}:{minutes % 60:02d}:00+07:00"


class PantauUser(HttpUser):
    """A person with an account; `accounts` are shared round-robin among the users."""

    abstract = True
    accounts: list[str] = []
    wait_time = between(0.5, 2.5)

    def on_start(self):
        # A phone sends again what got no answer, the same client_id included: a connection
        # closed by the server's keep-alive timeout just as a request left is retried, as
        # every HTTP client library does for requests it may repeat (all of these).
        retry = Retry(
            total=2, connect=2, read=2, status=0, allowed_methods=None, backoff_factor=0.2
        )
        self.client.mount("http://", HTTPAdapter(max_retries=retry))
        cls = type(self)
        if "_cycle" not in cls.__dict__:
            cls._cycle = itertools.cycle(cls.accounts)
        self.username = next(cls._cycle)
        self.regions: list[str] = []

    # API

    def login_api(self) -> None:
        token = _tokens.get(self.username)
        if token is None:
            with self.client.post(
                "/api/v1/auth/token",
                json={"username": self.username, "password": PASSWORD},
                name="/api/v1/auth/token",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"login {self.username}: {response.status_code}")
                    raise RuntimeError(response.text)
                token = _tokens[self.username] = response.json()["token"]
        self.client.headers["Authorization"] = f"Bearer {token}"
        me = self.client.get("/api/v1/me", name="/api/v1/me").json()
        for root in me["regions"]:
            if root.count(".") >= 3:  # a village: reports go to it
                self.regions.append(root)
            else:  # a kecamatan: to it and its villages
                found = self.client.get(
                    f"/api/v1/regions?parent={root}", name="/api/v1/regions?parent="
                ).json()
                self.regions += [root, *(r["code"] for r in found["items"])]

    def send_report(self) -> None:
        client_id = str(uuid.uuid4())
        body = {
            "client_id": client_id,
            "region": random.choice(self.regions),
            "observed_at": voting_time(),
            "status": random.choices(["aman", "waspada", "rawan"], [85, 12, 3])[0],
            "checklist": "pemungutan",
            "answers": ANSWERS,
            "tps": random.randint(1, 12),
            "narrative": "TPS berjalan lancar.",
        }
        response = self.client.post("/api/v1/reports", json=body, name="/api/v1/reports")
        if response.status_code in (200, 201):  # 200: a retry after a lost answer
            record("report", client_id, response.json()["id"])
            if random.random() < RESEND_RATE:
                self.resend("/api/v1/reports", body, response.json()["id"])

    def resend(self, path: str, body: dict, first_id: int) -> None:
        """The phone did not hear the answer and sends the same thing again."""
        with self.client.post(
            path, json=body, name=f"{path} (resend)", catch_response=True
        ) as response:
            if response.status_code != 200 or response.json().get("id") != first_id:
                response.failure(f"resend answered {response.status_code}: {response.text[:200]}")
            else:
                record("resend", body["client_id"], first_id)

    def create_problem(self) -> None:
        client_id = str(uuid.uuid4())
        body = {
            "client_id": client_id,
            "region": random.choice(self.regions),
            "title": "Logistik TPS terlambat",
            "description": "Kotak suara belum tiba di TPS.",
            "category": random.choice(CATEGORIES),
            "severity": random.choices(["rendah", "sedang", "tinggi", "kritis"], [4, 4, 2, 1])[0],
            "suggestion": "Koordinasi dengan PPK.",
        }
        response = self.client.post("/api/v1/problems", json=body, name="/api/v1/problems")
        if response.status_code in (200, 201):
            record("problem", client_id, response.json()["id"])
            if random.random() < RESEND_RATE:
                self.resend("/api/v1/problems", body, response.json()["id"])

    def act_on_problem(self) -> None:
        found = self.client.get("/api/v1/problems?status=open", name="/api/v1/problems?status=open")
        items = found.json().get("items", []) if found.ok else []
        if not items:
            return
        pk = random.choice(items)["id"]
        detail = self.client.get(f"/api/v1/problems/{pk}", name="/api/v1/problems/{id}")
        if not detail.ok:
            return
        problem = detail.json()
        possible = [
            a for a in ("verify", "start", "escalate", "comment") if a in problem["actions"]
        ]
        if not possible:
            return
        action = random.choice(possible)
        body = {"action": action, "version": problem["version"], "note": f"{action} (uji beban)"}
        with self.client.post(
            f"/api/v1/problems/{pk}/actions",
            json=body,
            name=f"/api/v1/problems/{{id}}/actions {action}",
            catch_response=True,
        ) as response:
            # Someone acted first: a conflict is the right answer, not a failure.
            if response.status_code == 409:
                response.success()

    # The web, with a session and CSRF, as a browser

    def login_web(self) -> None:
        page = self.client.get("/masuk/", name="/masuk/")
        self.client.post(
            "/masuk/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf(page.text),
            },
            headers={"Referer": self.host + "/masuk/"},
            name="/masuk/ (POST)",
        )


def csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


class VillageReporter(PantauUser):
    """A village office or a field monitor, reporting from a phone through the API."""

    weight = 4
    accounts = ["desa-3513012001", "pemantau-kraksaan"]

    def on_start(self):
        super().on_start()
        self.login_api()

    @task(10)
    def report(self):
        self.send_report()

    @task(1)
    def problem(self):
        self.create_problem()


class CamatReporter(PantauUser):
    """A camat's office: reports for its villages, records problems, acts on them."""

    weight = 4
    accounts = CAMATS

    def on_start(self):
        super().on_start()
        self.login_api()

    @task(6)
    def report(self):
        self.send_report()

    @task(1)
    def problem(self):
        self.create_problem()

    @task(2)
    def act(self):
        self.act_on_problem()


class WebReporter(PantauUser):
    """A village phone sending its outbox through the web form (session + CSRF)."""

    weight = 1
    accounts = ["desa-3513012001", "pemantau-kraksaan", "camat-sukapura"]

    def on_start(self):
        super().on_start()
        self.login_web()
        form = self.client.get("/laporan/baru/", name="/laporan/baru/").text
        self.form_regions = re.findall(r'<option value="(35\.13[0-9.]*)"', form)
        self.token = csrf(form)
        # The voting-day stage and its first checklist, as the person picks them on the form.
        self.stage = re.search(r'<option value="(\d+)"[^>]*>Pemungutan', form)[1]
        questions = self.client.get(
            f"/laporan/baru/?stage={self.stage}", name="/laporan/baru/?stage="
        ).text
        chosen = re.search(r'<select name="checklist".*?value="(\d+)" selected', questions, re.S)
        self.checklist = chosen[1]

    @task
    def report(self):
        client_id = str(uuid.uuid4())
        data = {
            "csrfmiddlewaretoken": self.token,
            "client_id": client_id,
            "region": random.choice(self.form_regions),
            "situation": random.choice(["aman", "aman", "waspada"]),
            "observed_at": voting_time()[:16],
            "stage": self.stage,
            "checklist": self.checklist,
            "narrative": "Dikirim dari kotak keluar.",
            **{f"q_{code}": answer for code, answer in ANSWERS.items()},
        }
        headers = {
            "X-Pantau-Outbox": "queue",
            "X-Pantau-Outbox-User": self.username,
            "Referer": self.host + "/laporan/baru/",
        }
        for attempt in (1, 2) if random.random() < RESEND_RATE else (1,):
            name = "/laporan/baru/ (POST)" + (" (resend)" if attempt == 2 else "")
            with self.client.post(
                "/laporan/baru/", data=data, headers=headers, name=name, catch_response=True
            ) as response:
                # (a first send answered 200: a retry after a lost answer)
                if (
                    response.status_code not in ((200, 201) if attempt == 1 else (200,))
                    or response.json().get("client_id") != client_id
                ):
                    response.failure(f"answered {response.status_code}: {response.text[:200]}")
                    return
                record("report" if attempt == 1 else "resend", client_id, response.json()["id"])


class OdkReporter(PantauUser):
    """ODK Collect on a village phone: the form list, then submissions (HTTP Basic)."""

    weight = 1
    accounts = ["desa-3513012001", "pemantau-kraksaan"]

    def on_start(self):
        super().on_start()
        self.client.auth = (self.username, PASSWORD)
        listed = self.client.get("/odk/formList", headers=OPENROSA, name="/odk/formList")
        ns = {"or": "http://openrosa.org/xforms/xformsList"}
        self.version = "1"
        for form in ET.fromstring(listed.content).iterfind("or:xform", ns):
            if form.findtext("or:formID", namespaces=ns) == "pantau-pemungutan":
                self.version = form.findtext("or:version", namespaces=ns)
        choices = self.client.get(
            "/odk/forms/pantau-pemungutan.xml", headers=OPENROSA, name="/odk/forms/{id}.xml"
        )
        # the user's regions: the choices of the form's `wilayah` list
        self.odk_regions = re.findall(r"<name>(35\.13\.[0-9.]+)</name>", choices.text)

    @task
    def submit(self):
        client_id = str(uuid.uuid4())
        xml = (
            '<?xml version="1.0" ?><data xmlns:jr="http://openrosa.org/javarosa" '
            f'id="pantau-pemungutan" version="{self.version}">'
            f"<start>{voting_time()}</start><region>{random.choice(self.odk_regions)}</region>"
            "<tps>3</tps><situation>aman</situation><checklist><tps_buka_tepat>ya</tps_buka_tepat>"
            "<surat_suara_cukup>ya</surat_suara_cukup><gangguan>tidak_ada</gangguan></checklist>"
            "<narrative>Aman.</narrative><photo1/><photo2/><photo3/>"
            f"<meta><instanceID>uuid:{client_id}</instanceID></meta></data>"
        ).encode()
        for attempt in (1, 2) if random.random() < RESEND_RATE else (1,):
            name = "/odk/submission" + (" (resend)" if attempt == 2 else "")
            with self.client.post(
                "/odk/submission",
                files={"xml_submission_file": ("instance.xml", xml, "text/xml")},
                headers=OPENROSA,
                name=name,
                catch_response=True,
            ) as response:
                if response.status_code not in ((201, 202) if attempt == 1 else (202,)):
                    response.failure(f"answered {response.status_code}: {response.text[:200]}")
                    return
                record("report" if attempt == 1 else "resend", client_id, "odk")


class DeskReader(PantauUser):
    """The Pj Bupati and the Asisten at the desk: the dashboard, and the Asisten act on
    problems escalated to them."""

    weight = 2
    accounts = ["bupati", *ASISTEN]

    def on_start(self):
        super().on_start()
        self.login_api()
        self.login_web()

    @task(3)
    def dashboard_api(self):
        self.client.get("/api/v1/dashboard", name="/api/v1/dashboard")

    @task(2)
    def dashboard_page(self):
        self.client.get("/dasbor/", name="/dasbor/")

    @task(1)
    def map(self):
        self.client.get("/api/v1/map.geojson", name="/api/v1/map.geojson")

    @task(2)
    def act(self):
        if self.username != "bupati":
            self.act_on_problem()
