"""Ingest benchmark: field reports per second through the HTTP API, beside the same server's
rate for a trivial authenticated endpoint (the framework's floor on this machine).

    .venv/bin/python bench/ingest.py [--reports 2000] [--clients 16] [--workers 5]

Starts `pantau demo` in a fresh data directory (SQLite, or DATABASE_URL when set) on 127.0.0.1,
takes an API token for a village account and a camat, and sends reports from concurrent
clients over keep-alive connections. Prints a table. Nothing leaves 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

PANTAU = str(Path(sys.executable).parent / "pantau")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int):
    data = tempfile.mkdtemp(prefix="pantau-bench-")
    env = {**os.environ, "PANTAU_DATA_DIR": data}
    port = free_port()
    print(f"starting pantau demo on 127.0.0.1:{port} (data in {data}) ...", flush=True)
    proc = subprocess.Popen(
        [PANTAU, "demo", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/masuk/")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start")


def token(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"username": username, "password": os.environ.get(
        "PANTAU_DEMO_PASSWORD", "pantau-demo")})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"no token for {username}: {response.status} {data}")
    return data["token"]


def run(port: int, total: int, clients: int, make_request) -> dict:
    """Send `total` requests from `clients` threads; returns rate, latencies and statuses."""
    counter = iter(range(total))
    lock = threading.Lock()
    latencies, statuses = [], {}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, path, body, headers = make_request(i)
            started = time.perf_counter()
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"rate": total / wall, "p50": latencies[len(latencies) // 2] * 1000,
            "p95": latencies[int(len(latencies) * 0.95)] * 1000, "statuses": statuses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    args = parser.parse_args()
    proc, port = start_server(args.workers)
    try:
        village = token(port, "desa-3513012001")
        auth = {"Authorization": f"Bearer {village}", "Content-Type": "application/json"}

        def trivial(i):
            return "GET", "/api/v1/me", None, auth

        def report(i):
            body = json.dumps({
                "client_id": str(uuid.uuid4()), "region": "35.13.01.2001",
                "observed_at": "2024-10-10T09:00:00+07:00", "status": "aman",
                "narrative": f"Laporan bench {i}",
            })
            return "POST", "/api/v1/reports", body, auth

        run(port, 200, args.clients, trivial)  # warm up every worker
        rows = [("GET /api/v1/me (floor)", run(port, args.reports, args.clients, trivial)),
                ("POST /api/v1/reports", run(port, args.reports, args.clients, report))]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    floor = rows[0][1]["rate"]
    db = os.environ.get("DATABASE_URL", "sqlite").split(":", 1)[0]
    print(f"\ndatabase: {db}, {args.workers} workers x 4 threads, {args.clients} clients, "
          f"{args.reports} requests each, {os.cpu_count()} cores")
    print(f"{'what':<26}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'vs floor':>10}  statuses")
    for name, r in rows:
        print(f"{name:<26}{r['rate']:>9.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
              f"{r['rate'] / floor:>10.2f}  {r['statuses']}")


if __name__ == "__main__":
    main()
