"""The daemon's control server (a real server on 127.0.0.1, spoken to with urllib): the refresh
trigger needs the bearer token, which never shows in a log or a response; /healthz and /metrics
answer; and the metrics themselves, read back with Prometheus's own parser."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from sheetsync.daemon.health import Health
from sheetsync.daemon.http import ControlServer
from sheetsync.daemon.metrics import Metrics
from sheetsync.daemon.serving import Limits

TOKEN = "s3cret-T0ken-4f9a"
TOKEN_ENV = "SHEETSYNC_HTTP_TOKEN"
SECRET = "workbook /srv/team/north.xlsx not found; robot@acme-prod.iam.gserviceaccount.com"


@dataclass
class Daemon:
    """What the server calls: a trigger that records names, a switchable health."""

    known: tuple[str, ...] = ("north", "south team")
    triggered: list[str] = field(default_factory=list)
    healthy: bool = True
    metrics: Metrics = field(default_factory=Metrics)

    def trigger(self, name: str) -> bool:
        if name not in self.known:
            return False
        self.triggered.append(name)
        return True

    def health(self) -> Health:
        if self.healthy:
            return Health(True, "ok: 2 spreadsheets")
        details = (f"north failing for 7200s: {SECRET}",)
        return Health(False, "failing: 1 of 2 spreadsheets", details)


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    headers: dict[str, str]


@pytest.fixture
def daemon() -> Daemon:
    return Daemon()


FAST = Limits(tick=0.02)  # stop() is noticed at once


def serve(daemon: Daemon, token: str | None) -> ControlServer:
    return ControlServer("127.0.0.1", 0, token=token, token_env=TOKEN_ENV,
                         trigger=daemon.trigger, health=daemon.health,
                         metrics=daemon.metrics.render, limits=FAST)  # fmt: skip


@pytest.fixture
def server(daemon: Daemon) -> Iterator[ControlServer]:
    with serve(daemon, TOKEN) as running:
        yield running


def call(
    server: ControlServer, method: str, path: str, token: str | None = None, auth: str = "Bearer"
) -> Reply:
    host, port = server.address
    request = urllib.request.Request(f"http://{host}:{port}{path}", method=method)
    if token is not None:
        request.add_header("Authorization", f"{auth} {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, response.read().decode(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode(), dict(error.headers))


# ------------------------------------------------------------------ the trigger


def test_a_refresh_with_the_token_is_queued_once(server: ControlServer, daemon: Daemon) -> None:
    reply = call(server, "POST", "/refresh/north", TOKEN)
    assert (reply.status, reply.body) == (202, "refresh of north queued\n")
    assert daemon.triggered == ["north"]
    call(server, "POST", "/refresh/south%20team", TOKEN)
    assert daemon.triggered == ["north", "south team"]


def test_the_bearer_scheme_is_matched_in_any_case(server: ControlServer, daemon: Daemon) -> None:
    assert call(server, "POST", "/refresh/north", TOKEN, auth="bearer").status == 202
    assert daemon.triggered == ["north"]


def test_an_unknown_spreadsheet_is_404_after_the_token_is_checked(
    server: ControlServer, daemon: Daemon
) -> None:
    reply = call(server, "POST", "/refresh/west", TOKEN)
    assert (reply.status, reply.body) == (404, "no spreadsheet named 'west'\n")
    assert call(server, "POST", "/refresh/west").status == 401  # no name probing without it
    assert daemon.triggered == []


@pytest.mark.parametrize(
    ("token", "auth"),
    [(None, "Bearer"), ("wrong", "Bearer"), (TOKEN[:-1], "Bearer"), (TOKEN + "x", "Bearer"),
     (TOKEN, "Basic"), ("", "Bearer")],
)  # fmt: skip
def test_a_missing_or_wrong_token_is_401(
    server: ControlServer, daemon: Daemon, token: str | None, auth: str
) -> None:
    reply = call(server, "POST", "/refresh/north", token, auth)
    assert reply.status == 401 and "Authorization: Bearer" in reply.body
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert daemon.triggered == []


@pytest.mark.parametrize("token", [None, ""])
def test_without_a_configured_token_the_trigger_is_refused_naming_the_variable(
    daemon: Daemon, token: str | None
) -> None:
    with serve(daemon, token) as server:
        reply = call(server, "POST", "/refresh/north", "anything")
        assert reply.status == 403 and TOKEN_ENV in reply.body
        assert call(server, "GET", "/healthz").status == 200  # the rest still works
    assert daemon.triggered == []


# ------------------------------------------------------------------ health and metrics


def test_healthz_says_200_or_503_and_the_details_only_with_the_token(
    server: ControlServer, daemon: Daemon
) -> None:
    assert call(server, "GET", "/healthz") == Reply(200, "ok: 2 spreadsheets\n", ANY_HEADERS)
    daemon.healthy = False
    for token in (None, "wrong"):  # the error can name a path or an account: not for anyone
        reply = call(server, "GET", "/healthz", token)
        assert (reply.status, reply.body) == (503, "failing: 1 of 2 spreadsheets\n")
    reply = call(server, "GET", "/healthz", TOKEN)
    assert (reply.status, reply.body) == (
        503, f"failing: 1 of 2 spreadsheets\nnorth failing for 7200s: {SECRET}\n")  # fmt: skip


def test_metrics_are_served_in_the_prometheus_text_format(
    server: ControlServer, daemon: Daemon
) -> None:
    daemon.metrics.record("north", "written", 2.0, 3, 140, when=1_800_000_000.0)
    reply = call(server, "GET", "/metrics")
    assert reply.status == 200 and reply.headers["Content-Type"] == CONTENT_TYPE_LATEST
    assert samples(reply.body)[("sheetsync_rows", (("spreadsheet", "north"),))] == 140


def test_head_answers_like_get_without_a_body(server: ControlServer) -> None:
    reply = call(server, "HEAD", "/healthz")
    assert (reply.status, reply.body) == (200, "")
    assert reply.headers["Content-Length"] == str(len("ok: 2 spreadsheets\n"))


# ------------------------------------------------------------------ wrong paths and methods


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [("GET", "/refresh/north", "POST"), ("PUT", "/refresh/north", "POST"),
     ("DELETE", "/refresh/north", "POST"), ("POST", "/healthz", "GET, HEAD"),
     ("POST", "/metrics", "GET, HEAD"), ("PATCH", "/metrics", "GET, HEAD")],
)  # fmt: skip
def test_a_wrong_method_is_405_with_what_is_allowed(
    server: ControlServer, daemon: Daemon, method: str, path: str, allow: str
) -> None:
    reply = call(server, method, path, TOKEN)
    assert (reply.status, reply.headers["Allow"]) == (405, allow)
    assert daemon.triggered == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/health"), ("POST", "/refresh/"), ("POST", "/refresh"),
     ("GET", "/metrics/extra"), ("DELETE", "/nothing")],
)  # fmt: skip
def test_anything_else_is_404(server: ControlServer, method: str, path: str) -> None:
    assert call(server, method, path, TOKEN).status == 404


def test_a_query_string_does_not_change_the_route(server: ControlServer, daemon: Daemon) -> None:
    assert call(server, "POST", "/refresh/north?now=1", TOKEN).status == 202
    assert daemon.triggered == ["north"]


def test_a_failing_callback_is_a_500_that_says_little(daemon: Daemon) -> None:
    def broken() -> Health:
        raise RuntimeError("scheduler state lost")

    with ControlServer("127.0.0.1", 0, token=TOKEN, token_env=TOKEN_ENV, trigger=daemon.trigger,
                       health=broken, metrics=daemon.metrics.render,
                       limits=FAST) as server:  # fmt: skip
        reply = call(server, "GET", "/healthz")
    assert reply.status == 500 and "scheduler state lost" not in reply.body


# ------------------------------------------------------------------ secrets and lifecycle


def test_the_token_is_in_no_log_record_and_no_response(
    server: ControlServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    replies = [
        call(server, "POST", "/refresh/north", TOKEN),
        call(server, "POST", "/refresh/west", TOKEN),
        call(server, "POST", "/refresh/north", TOKEN + "x"),
        call(server, "GET", "/refresh/north", TOKEN),
        call(server, "GET", "/healthz", TOKEN),
        call(server, "GET", "/metrics", TOKEN),
        call(server, "GET", "/nowhere", TOKEN),
    ]
    statuses = [reply.status for reply in replies]
    assert statuses == [202, 404, 401, 405, 200, 200, 404]
    for reply in replies:
        assert TOKEN not in reply.body and all(TOKEN not in v for v in reply.headers.values())
    lines = [r.getMessage() for r in caplog.records if r.name == "sheetsync.daemon.http"]
    assert "POST /refresh/north 202" in lines and "GET /nowhere 404" in lines
    everything = caplog.text + " ".join(lines)
    assert TOKEN not in everything and "Authorization" not in everything


def test_port_zero_binds_a_free_port_on_the_given_host(daemon: Daemon) -> None:
    server = serve(daemon, TOKEN)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.address
    server.start()
    try:
        host, port = server.address
        assert host == "127.0.0.1" and port > 0
        assert call(server, "GET", "/healthz").status == 200
    finally:
        server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
    server.stop()  # a second stop does nothing


def test_a_busy_port_is_an_error_from_start(server: ControlServer, daemon: Daemon) -> None:
    second = ControlServer(*server.address, token=TOKEN, token_env=TOKEN_ENV,
                           trigger=daemon.trigger, health=daemon.health,
                           metrics=daemon.metrics.render, limits=FAST)  # fmt: skip
    with pytest.raises(OSError):
        second.start()


# ------------------------------------------------------------------ the metrics


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, keyed by name and sorted labels (`le` included)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_refreshes_per_spreadsheet_and_outcome() -> None:
    metrics = Metrics()
    metrics.record("north", "written", 1.5, 3, 120, when=1_800_000_000.0)
    metrics.record("north", "unchanged", 0.4, 2, 121, when=1_800_000_300.0)
    metrics.record("north", "failed", 12.0, 1, 0, when=1_800_000_600.0)
    metrics.record("south", "failed", 0.2, 0, 0, when=1_800_000_000.0)
    got = samples(metrics.render().decode())

    def value(name: str, sheet: str, **labels: str) -> float | None:
        key = tuple(sorted({"spreadsheet": sheet, **labels}.items()))
        return got.get((name, key))

    refreshes = "sheetsync_refreshes_total"
    assert [value(refreshes, "north", outcome=o) for o in ("written", "unchanged", "failed")] == [
        1, 1, 1]  # fmt: skip
    assert [value(refreshes, "south", outcome=o) for o in ("written", "unchanged", "failed")] == [
        0, 0, 1]  # fmt: skip
    assert value("sheetsync_refresh_failures_total", "north") == 1
    assert value("sheetsync_refresh_failures_total", "south") == 1
    assert value("sheetsync_api_calls_total", "north") == 6
    assert value("sheetsync_api_calls_total", "south") == 0
    # the last success is the unchanged run; the failure after it changed neither gauge
    assert value("sheetsync_rows", "north") == 121
    assert value("sheetsync_last_success_timestamp_seconds", "north") == 1_800_000_300.0
    assert value("sheetsync_rows", "south") is None
    assert value("sheetsync_last_success_timestamp_seconds", "south") is None
    duration = "sheetsync_refresh_duration_seconds"
    assert value(f"{duration}_count", "north") == 3
    assert value(f"{duration}_sum", "north") == pytest.approx(13.9)
    assert value(f"{duration}_bucket", "north", le="1.0") == 1  # 0.4
    assert value(f"{duration}_bucket", "north", le="2.5") == 2  # and 1.5
    assert value(f"{duration}_bucket", "north", le="+Inf") == 3


def test_metrics_use_a_registry_of_their_own() -> None:
    from prometheus_client import REGISTRY

    first, second = Metrics(), Metrics()  # two in one process: no duplicate registration
    first.record("north", "written", 1.0, 3, 10, when=1.0)
    assert b"sheetsync_rows{" not in second.render()
    assert REGISTRY.get_sample_value("sheetsync_rows", {"spreadsheet": "north"}) is None


@pytest.mark.parametrize(
    ("outcome", "seconds", "calls", "rows"),
    [("ok", 1.0, 1, 1), ("written", -1.0, 1, 1), ("written", 1.0, -1, 1), ("failed", 1, 1, -1)],
)
def test_metrics_refuse_what_would_make_them_lie(
    outcome: str, seconds: float, calls: int, rows: int
) -> None:
    with pytest.raises(ValueError):
        Metrics().record("north", outcome, seconds, calls, rows, when=1.0)


class _AnyHeaders(dict[str, str]):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, dict)


ANY_HEADERS = _AnyHeaders()
