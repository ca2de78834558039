"""The server is killed (SIGKILL: master, web workers and task consumer at once) in the middle of
voting day's reports and started again on the same data. Phones keep what got no answer in their
outbox and send it again with the same client_id. Afterwards every report that got a 2xx is
stored exactly once, nothing else was stored, the audit chain verifies and SQLite's file is
sound. On SQLite and on PostgreSQL, as the suite runs."""

import http.client
import json
import threading
import time
import uuid

# (the fixtures too: a copy of the demo prepared once per run, removed at the end)
from pantau.tests.test_load import Site, _clean_up_demo, pantau, site  # noqa: F401

PHONES = [  # account, region: two phones each
    ("desa-3513012001", "35.13.01.2001"),
    ("camat-tongas", "35.13.23"),
    ("camat-sukapura", "35.13.01"),
] * 2
KILL_AFTER = 40  # reports acknowledged before the kill
RUN_AFTER_RESTART = 3.0  # seconds of new reports after the restart


class Phone(threading.Thread):
    """A phone with an outbox: it sends reports one after the other over a keep-alive
    connection; what got no answer (connection refused or cut) stays first in the outbox and
    is sent again, with the same client_id, until it gets one."""

    def __init__(self, port: int, token: str, region: str, stop_new: threading.Event):
        super().__init__(daemon=True)
        self.port, self.region, self.stop_new = port, region, stop_new
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.outbox: list[dict] = []
        self.accepted: dict[str, tuple[int, int]] = {}  # client_id -> (status, report id)
        self.attempts: dict[str, int] = {}
        self.refused: list[tuple[int, str]] = []
        self.deadline = time.monotonic() + 240
        self.conn = None

    def new_report(self) -> dict:
        return {
            "client_id": str(uuid.uuid4()),
            "region": self.region,
            "observed_at": "2024-11-27T10:15:00+07:00",
            "status": "aman",
            "checklist": "pemungutan",
            "answers": {"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "ringan"},
            "narrative": "Laporan dari kotak keluar.",
        }

    def send(self, body: dict) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request("POST", "/api/v1/reports", json.dumps(body), self.headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            if not self.outbox:
                if self.stop_new.is_set():
                    return
                self.outbox.append(self.new_report())
            body = self.outbox[0]
            client_id = body["client_id"]
            self.attempts[client_id] = self.attempts.get(client_id, 0) + 1
            try:
                status, content = self.send(body)
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)  # no answer: it stays in the outbox
                continue
            self.outbox.pop(0)
            if 200 <= status < 300:
                self.accepted[client_id] = (status, json.loads(content)["id"])
            else:
                self.refused.append((status, content[:500].decode(errors="replace")))


def test_every_report_acknowledged_before_a_kill_is_stored_once(site: Site):  # noqa: F811
    started = time.monotonic()
    site.start()
    stop_new = threading.Event()
    phones = [
        Phone(site.port, site.tokens[username], region, stop_new) for username, region in PHONES
    ]
    for phone in phones:
        phone.start()

    def acknowledged() -> int:
        return sum(len(phone.accepted) for phone in phones)

    until = time.monotonic() + 60
    while acknowledged() < KILL_AFTER and time.monotonic() < until:
        time.sleep(0.05)
    before_kill = acknowledged()
    site.kill()  # SIGKILL to the process group: no worker finishes what it was doing
    assert before_kill >= 10, site.log_text()[-3000:]
    restart = time.monotonic()
    site.start()
    restarted_in = time.monotonic() - restart
    time.sleep(RUN_AFTER_RESTART)
    stop_new.set()
    for phone in phones:
        phone.join(timeout=120)
    assert not any(phone.is_alive() for phone in phones), "the outboxes did not drain"

    refused = [r for phone in phones for r in phone.refused]
    assert not refused, refused[:5]
    assert not any(phone.outbox for phone in phones)
    accepted = {cid: answer for phone in phones for cid, answer in phone.accepted.items()}
    resent = [cid for phone in phones for cid, n in phone.attempts.items() if n > 1]
    stored_before_answer = [cid for cid in resent if accepted[cid][0] == 200]
    assert len(resent) >= len(phones)  # each phone's outbox held a report through the outage

    # Every report that got a 2xx is stored exactly once, under the id it was answered with.
    stored = site.stored({"report": set(accepted), "problem": set()})["report"]
    assert set(stored["found"]) == set(accepted)
    assert set(stored["found"].values()) == {1}
    assert stored["doubled"] == 0
    assert stored["total"] - site.baseline["report"]["total"] == len(accepted)
    ids = [report_id for _status, report_id in accepted.values()]
    assert len(set(ids)) == len(ids)

    audit = pantau(site.env, "verifyaudit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    if not site.env.get("DATABASE_URL"):
        assert site.sqlite_integrity() == "ok"
    site.keep_log("crash")
    assert not site.server_errors(), [*site.server_errors()[:5], site.server_messages()[-8000:]]
    site.stop()
    print(
        f"\ncrash test on {'PostgreSQL' if site.env.get('DATABASE_URL') else 'SQLite'}: "
        f"{len(phones)} phones, {before_kill} reports acknowledged before the kill, "
        f"{len(accepted)} in all; {len(resent)} sent again after getting no answer, "
        f"{len(stored_before_answer)} of them had been stored before the kill (answered 200); "
        f"restart {restarted_in:.1f} s; wall time {time.monotonic() - started:.0f} s "
        f"(without preparing the demo)"
    )
