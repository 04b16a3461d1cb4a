"""What slow-loris clients cost the daemon's control server, against a thread-per-connection one.

    python benchmarks/bench_http_slow_clients.py [--clients 200] [--seconds 15] [--header-kib 0]

Each client opens a connection, starts a request (`GET /healthz` and an unfinished header) and
then sends one byte a second. The baseline, measured in the same run, is the standard
library's `ThreadingHTTPServer` with a 10-second timeout per read (what the daemon used
before); the other is `ControlServer` (cheroot, with its limits and the whole-request
deadline). With `--header-kib N` each client first sends N KiB of complete header lines.
The figures: the most threads in this process, its resident memory growth, the connections
the server answered 503 at once, and the connections still open at the end.
"""

from __future__ import annotations

import argparse
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sheetsync.daemon.health import Health
from sheetsync.daemon.http import ControlServer

Address = tuple[str, int]


class _Baseline(BaseHTTPRequestHandler):
    timeout = 10.0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def baseline() -> Iterator[Address]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Baseline)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def control() -> Iterator[Address]:
    with ControlServer("127.0.0.1", 0, token=None, token_env="SHEETSYNC_TOKEN",
                       trigger=lambda name: False, health=lambda: Health(True, "ok"),
                       metrics=lambda: b"") as server:  # fmt: skip
        yield server.address


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def attack(address: Address, clients: int, seconds: int, header_kib: int) -> dict[str, float]:
    threads, rss = threading.active_count(), rss_mib()
    pad = b"".join(b"X-Pad: " + b"a" * 1016 + b"\r\n" for _ in range(header_kib))
    socks = []
    for _ in range(clients):
        sock = socket.create_connection(address, timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\n" + pad + b"X-Slow: ")
        socks.append(sock)
        time.sleep(0.005)  # the baseline's listen backlog is 5
    most_threads, most_rss, refused, open_ = threads, rss, 0, set(socks)
    for _ in range(seconds):
        for sock in select.select(list(open_), [], [], 0)[0]:
            refused += sock.recv(64).startswith(b"HTTP/1.1 503")
            open_.discard(sock)
        for sock in list(open_):
            try:
                sock.sendall(b"a")
            except OSError:
                open_.discard(sock)
        most_threads = max(most_threads, threading.active_count())
        most_rss = max(most_rss, rss_mib())
        time.sleep(1)
    for sock in socks:
        sock.close()
    return {"threads": most_threads - threads, "rss_mib": most_rss - rss,
            "refused_503": refused, "still_open": len(open_)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--header-kib", type=int, default=0)
    args = parser.parse_args()
    servers: dict[str, Callable[[], AbstractContextManager[Address]]] = {
        "http.server (before)": baseline, "ControlServer": control}  # fmt: skip
    results = {}
    for name, serve in servers.items():
        with serve() as address:
            results[name] = attack(address, args.clients, args.seconds, args.header_kib)
        print(f"{name:22} " + "  ".join(f"{k} {v:.1f}" for k, v in results[name].items()))
    before, after = results.values()
    print(
        f"threads ratio {after['threads'] / max(before['threads'], 1):.3f}, "
        f"memory ratio {after['rss_mib'] / max(before['rss_mib'], 0.1):.3f}"
    )


if __name__ == "__main__":
    main()
