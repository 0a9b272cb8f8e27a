#!/usr/bin/env python3
"""Load figures for `triplet serve`, on loopback with wrk (`make bench-serve`).

1. identify with an embedding body (JSON) and with a 28×28 PNG body: requests/s, p50 / p99 latency, errors;
2. identify under wrk while another client enrolls continuously; a third client checks that no read is torn
   (every listed identity has all of its samples, every enrolled vector identifies as its own identity);
3. kill -9 of the server while a client enrolls: the gallery file holds a prefix of the enrolls, each whole.

Each wrk run lasts --seconds (30 by default) with --connections connections on one wrk thread.
"""
import argparse
import base64
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "Tests" / "browser"))
from serve_page import png, test_images  # noqa: E402


def request(url, method="GET", body=None, token=None, kind="application/json"):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", kind)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    def __init__(self, binary, args, port, log):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [binary, "serve", *args, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                if request(self.url + "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        return self.process.wait(60)


def cpu_seconds(pid):
    """User + system CPU seconds a process has used (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """Busy and total CPU seconds of the whole machine (/proc/stat), all cores."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK"), sum(ticks) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu():
    """This script's CPU seconds (its enrolling and checking clients)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def wrk(url, script, seconds, connections, server_pid):
    server_before, wrk_before, own_before = cpu_seconds(server_pid), children_cpu(), own_cpu()
    busy_before, total_before = machine_cpu()
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
        capture_output=True, text=True, check=True).stdout
    server_cpu, wrk_cpu = cpu_seconds(server_pid) - server_before, children_cpu() - wrk_before
    busy, total = machine_cpu()
    # The share of the machine's CPU that neither the server, wrk nor this script used: the other load.
    others = (busy - busy_before - server_cpu - wrk_cpu - (own_cpu() - own_before)) / (total - total_before)
    def latency(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[m.group(2)]
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(map(int, m.groups()))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"requests": requests, "rps": rate, "p50_ms": latency(50), "p99_ms": latency(99), "errors": errors,
            "server_us": server_cpu / requests * 1e6, "wrk_us": wrk_cpu / requests * 1e6, "others": others}


def lua(folder, name, path, body, kind):
    body_file = folder / f"{name}.body"
    body_file.write_bytes(body)
    script = folder / f"{name}.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.path = "{path}"\nwrk.headers["Content-Type"] = "{kind}"\n'
        f'local f = io.open("{body_file}", "rb")\nwrk.body = f:read("*a")\nf:close()\n')
    return str(script)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/triplet")
    parser.add_argument("--model", default="runs/convnet-semihard")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--identities", type=int, default=100, help="identities enrolled before the runs")
    parser.add_argument("--port", type=int, default=18081)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="serve-load-"))
    token = "load-" + os.urandom(8).hex()
    (folder / "token").write_text(token)
    gallery = folder / "gallery.sqlite"
    log = open(folder / "server.log", "w")
    common = ["--model", args.model, "--gallery", str(gallery), "--token-file", str(folder / "token"),
              "--workers", str(args.workers)]
    images, labels = test_images()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start")

    server = Server(args.binary, common, args.port, log)
    url = server.url
    # A gallery of --identities identities (5 test images each), enrolled as image bodies.
    for n in range(args.identities):
        shots = [base64.b64encode(png(images[n * 5 + i])).decode() for i in range(5)]
        status, answer = request(url + "/v1/identities", "POST", {"name": f"id{n}", "images": shots}, token)
        assert status == 201, answer
    query_png = png(images[9000])
    status, answer = request(url + "/v1/embed", "POST", query_png, kind="image/png")
    embedding = answer["embeddings"][0]
    results = {}
    results["identify, embedding body"] = wrk(
        url, lua(folder, "embedding", "/v1/identify", json.dumps({"embedding": embedding}).encode(),
                 "application/json"), args.seconds, args.connections, server.process.pid)
    results["identify, 28×28 PNG body"] = wrk(
        url, lua(folder, "image", "/v1/identify", query_png, "image/png"), args.seconds, args.connections,
        server.process.pid)

    # identify under wrk while a client enrolls and another checks for torn reads.
    stop = threading.Event()
    enrolled, torn, write_errors, checks = [0], [], [0], [0]
    dimension = len(embedding)

    def vector(n):  # a unit vector only identity w{n} has
        v = [0.0] * dimension
        v[n % dimension] = 1.0
        v[(n // dimension + 1 + n % dimension) % dimension] = 0.5 + (n // dimension) * 1e-3
        norm = sum(x * x for x in v) ** 0.5
        return [x / norm for x in v]

    def enroller():
        n = 0
        while not stop.is_set():
            rows = [vector(n)] * 3
            status, _ = request(url + "/v1/identities", "POST", {"name": f"w{n}", "embeddings": rows}, token)
            if status == 201:
                enrolled[0] += 1
            else:
                write_errors[0] += 1
            n += 1

    def checker():
        while not stop.is_set():
            status, listing = request(url + "/v1/identities")
            for identity in listing["identities"]:
                if identity["name"].startswith("w") and identity["samples"] != 3:
                    torn.append(f"{identity['name']} listed with {identity['samples']} samples")
            latest = enrolled[0] - 1
            if latest >= 0:
                status, answer = request(url + "/v1/identify", "POST", {"embedding": vector(latest)})
                best = answer["results"][0]["matches"][0]
                if best["name"] != f"w{latest}" or best["distance"] > 1e-3:
                    torn.append(f"w{latest} identified as {best['name']} at {best['distance']}")
            checks[0] += 1

    threads = [threading.Thread(target=enroller), threading.Thread(target=checker)]
    for t in threads:
        t.start()
    results["identify while another client enrolls"] = wrk(
        url, str(folder / "embedding.lua"), args.seconds, args.connections, server.process.pid)
    stop.set()
    for t in threads:
        t.join()
    print(f"during that run: {enrolled[0]} enrolls ({write_errors[0]} failed), {checks[0]} consistency checks, "
          f"{len(torn)} torn reads {torn[:3]}")
    assert server.stop() == 0, "the server did not exit 0 on SIGTERM"

    # kill -9 while enrolling: every identity in the file is whole, and they are a prefix of the enrolls.
    server = Server(args.binary, common, args.port, log)
    stop.clear()
    answered = []

    def enroll_until_killed():
        n = 0
        while True:
            try:
                status, _ = request(server.url + "/v1/identities", "POST",
                                    {"name": f"k{n}", "embeddings": [vector(n)] * 4}, token)
            except OSError:
                return
            if status == 201:
                answered.append(n)
            n += 1

    client = threading.Thread(target=enroll_until_killed)
    client.start()
    time.sleep(3)
    server.stop(signal.SIGKILL)
    client.join()
    with sqlite3.connect(gallery) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        rows = db.execute(
            "SELECT i.name, COUNT(e.id) FROM identities i LEFT JOIN embeddings e ON e.identity_id = i.id "
            "WHERE i.name LIKE 'k%' GROUP BY i.id ORDER BY i.id").fetchall()
    names = [int(name[1:]) for name, _ in rows]
    whole = all(count == 4 for _, count in rows)
    prefix = names == list(range(len(names)))
    covers = len(names) >= len(answered)  # every answered enroll is in the file (at most one more)
    print(f"kill -9 after {len(answered)} answered enrolls: the file holds {len(names)} (integrity {integrity}), "
          f"each with all 4 embeddings: {whole}, a prefix of the enrolls: {prefix}, every answered one: {covers}")
    server = Server(args.binary, common, args.port, log)
    status, listing = request(server.url + "/v1/identities")
    reopened = sum(1 for i in listing["identities"] if i["name"].startswith("k"))
    assert server.stop() == 0, "the restarted server did not exit 0 on SIGTERM"
    print(f"restarted: {reopened} k-identities listed")

    print(f"\nload average {os.getloadavg()[0]:.2f} at the end; {args.connections} connections, {args.seconds} s each")
    # CPU per request (server, wrk) does not depend on what else the machine runs; 2 cores' worth of CPU
    # divided by it is the rate the pair could reach on 2 idle cores.
    print("| run | requests/s | p50 ms | p99 ms | errors | server CPU µs/request | wrk CPU µs/request "
          "| 2 idle cores ÷ CPU: requests/s | CPU used by other processes |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        capacity = 2e6 / (r["server_us"] + r["wrk_us"])
        print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['errors']} "
              f"| {r['server_us']:.0f} | {r['wrk_us']:.0f} | {capacity:.0f} | {r['others']:.0%} |")
    ok = not torn and write_errors[0] == 0 and whole and prefix and covers and integrity == "ok" \
        and reopened == len(names) and all(r["errors"] == 0 for r in results.values())
    shutil.rmtree(folder, ignore_errors=True) if ok else print(f"kept {folder}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
