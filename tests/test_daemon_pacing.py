"""Quota pacing: one limiter per daemon process keeps Sheets API reads and writes under their
per-minute budgets in every 60-second window, slows down after a 429, and is asked before every
request the Google backend sends (retries included). A fake clock: nothing really sleeps."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from sheetsync.backends.google import GoogleBackend
from sheetsync.backends.google.retry import RetryPolicy, request_kind
from sheetsync.config.values import Config
from sheetsync.daemon.pacing import Kind, Pacer
from sheetsync.pipeline import refresh
from sheetsync.testing import FakeSheetsApi, fake_sheets_api
from tests.helpers import team_workbook
from tests.test_google_backend import google_config

AS_OF = date(2026, 11, 3)
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


class Clock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "a pacer never sleeps for nothing"
        self.waits.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def __call__(self) -> float:
        return self.now


class RecordingPacer(Pacer):
    """A real Pacer that also notes what it was asked, and when it let each request go."""

    def __init__(self, reads: int, writes: int, clock: Clock) -> None:
        super().__init__(reads, writes, clock=clock, sleep=clock.sleep)
        self.acquired: list[tuple[Kind, float]] = []
        self.throttles: list[float] = []

    def acquire(self, kind: Kind) -> float:
        waited = super().acquire(kind)
        self.acquired.append((kind, self._clock()))
        return waited

    def throttled(self, seconds: float = 60.0) -> None:
        self.throttles.append(seconds)
        super().throttled(seconds)


def most_in_any_minute(times: Sequence[float]) -> int:
    """Brute force: the most of `times` inside any window [t, t + 60), over every t that
    starts at one of them (a fullest window can always be slid to start at a request)."""
    return max((sum(1 for u in times if t <= u < t + 60) for t in times), default=0)


# ------------------------------------------------------------------ the Pacer alone


def test_requests_over_the_budget_are_spread_one_window_apart() -> None:
    clock = Clock()
    pacer = Pacer(5, 5, clock=clock, sleep=clock.sleep)
    waited = [pacer.acquire("read") for _ in range(12)]
    assert waited == [0.0] * 5 + [60.0] + [0.0] * 4 + [60.0, 0.0]
    assert clock.now == 120.0
    assert pacer.stats() == {"read": 2, "write": 0}


def test_reads_and_writes_have_budgets_of_their_own() -> None:
    clock = Clock()
    pacer = Pacer(3, 2, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        pacer.acquire("read")
    assert [pacer.acquire("write") for _ in range(2)] == [0.0, 0.0]
    assert clock.waits == []
    assert pacer.acquire("write") == 60.0
    assert pacer.stats() == {"read": 0, "write": 1}


def test_a_request_leaves_the_window_exactly_sixty_seconds_after_it_went() -> None:
    clock = Clock()
    pacer = Pacer(2, 2, clock=clock, sleep=clock.sleep)
    pacer.acquire("read")
    clock.advance(10)
    pacer.acquire("read")
    clock.advance(5)
    assert pacer.acquire("read") == 45.0  # until the first one is 60 s old
    assert pacer.acquire("read") == 10.0  # then the second one
    assert clock.now == 70.0


@pytest.mark.parametrize("seed", range(5))
def test_no_sixty_second_window_ever_holds_more_than_the_budget(seed: int) -> None:
    rng = random.Random(seed)
    clock = Clock()
    budgets: dict[Kind, int] = {"read": rng.randint(1, 12), "write": rng.randint(1, 12)}
    pacer = Pacer(budgets["read"], budgets["write"], clock=clock, sleep=clock.sleep)
    sent: dict[Kind, list[float]] = {"read": [], "write": []}
    waited_at: dict[Kind, list[float]] = {"read": [], "write": []}
    for _ in range(400):
        # steps that binary floats hold exactly, so window edges compare exactly
        clock.advance(rng.choice([0.0] * 6 + [0.5, 3.0, 17.25, 59.75, 60.0]))
        kind: Kind = rng.choice(["read", "write"])
        asked = clock.now
        pacer.acquire(kind)
        if clock.now > asked:
            waited_at[kind].append(clock.now)
        sent[kind].append(clock.now)
    for kind in ("read", "write"):
        budget, times = budgets[kind], sent[kind]
        assert most_in_any_minute(times) <= budget, kind
        # and no needless wait: whoever waited found the last 60 s full until it went
        for went in waited_at[kind]:
            assert sum(1 for t in times if went <= t + 60 and t < went) == budget, went
    assert waited_at["read"] or waited_at["write"]  # the budgets were put to the test


def test_a_429_halves_every_budget_for_a_while_then_the_full_rate_returns() -> None:
    clock = Clock()
    pacer = Pacer(10, 10, clock=clock, sleep=clock.sleep)
    pacer.throttled(90)
    times = []
    for _ in range(20):
        pacer.acquire("read")
        times.append(clock.now)
    # 5 a minute until t=90, then 10 in any 60 s: five go at 90 beside the five sent at 60.
    assert times == [0.0] * 5 + [60.0] * 5 + [90.0] * 5 + [120.0] * 5
    assert most_in_any_minute(times[:10]) == 5
    assert most_in_any_minute(times) == 10


def test_each_429_extends_the_slow_period_and_none_shortens_it() -> None:
    clock = Clock()
    pacer = Pacer(4, 4, clock=clock, sleep=clock.sleep)
    pacer.throttled(120)
    pacer.throttled(10)
    times = []
    for _ in range(6):
        pacer.acquire("write")
        times.append(clock.now)
    assert times == [0.0, 0.0, 60.0, 60.0, 120.0, 120.0]  # still halved at 60 s
    clock.advance(60)
    pacer.throttled()  # a new 429 at t=180: half again until 240
    for _ in range(3):
        pacer.acquire("write")
        times.append(clock.now)
    assert times[6:] == [180.0, 180.0, 240.0]


def test_a_budget_of_one_stays_at_one_while_throttled() -> None:
    clock = Clock()
    pacer = Pacer(1, 1, clock=clock, sleep=clock.sleep)
    pacer.throttled()
    assert [pacer.acquire("read") for _ in range(3)] == [0.0, 60.0, 60.0]


def test_threads_racing_for_the_budget_get_exactly_the_budget_without_waiting() -> None:
    frozen = 1000.0
    slept: list[float] = []

    def refuse_to_sleep(seconds: float) -> None:
        slept.append(seconds)
        raise InterruptedError

    pacer = Pacer(400, 1, clock=lambda: frozen, sleep=refuse_to_sleep)
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(50):
            pacer.acquire("read")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert slept == [] and pacer.stats() == {"read": 400, "write": 0}
    with pytest.raises(InterruptedError):
        pacer.acquire("read")
    assert slept == [60.0]


@pytest.mark.parametrize(("reads", "writes"), [(0, 60), (60, 0), (-1, 1), (True, 1)])
def test_a_budget_below_one_request_a_minute_is_refused(reads: int, writes: int) -> None:
    with pytest.raises(ValueError, match="per minute"):
        Pacer(reads, writes)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="'read' or 'write'"):
        Pacer(1, 1).acquire("delete")  # type: ignore[arg-type]


# ------------------------------------------------------------------ what counts as a write


@pytest.mark.parametrize(
    ("method", "endpoint", "kind"),
    [
        ("get", f"{SHEETS}/abc", "read"),
        ("get", f"{SHEETS}/abc/values:batchGet", "read"),
        ("post", f"{SHEETS}/abc/values:batchGetByDataFilter", "read"),
        ("post", f"{SHEETS}/abc:getByDataFilter", "read"),
        ("post", f"{SHEETS}/abc/developerMetadata:search", "read"),
        ("post", f"{SHEETS}/abc:batchUpdate", "write"),
        ("put", f"{SHEETS}/abc/values/Sheet1!A1", "write"),
        ("post", f"{SHEETS}/abc/values/Sheet1!A1:append", "write"),
        ("post", f"{SHEETS}/abc/values/Sheet1!A1:clear", "write"),
        ("post", f"{SHEETS}/abc/values:batchUpdate", "write"),
        ("post", f"{SHEETS}/abc/values:batchClear", "write"),
        ("post", SHEETS, "write"),
        ("get", "https://www.googleapis.com/drive/v3/files/abc", None),
        ("post", "https://oauth2.googleapis.com/token", None),
    ],
)  # fmt: skip
def test_requests_are_classed_as_google_counts_them(
    method: str, endpoint: str, kind: str | None
) -> None:
    assert request_kind(method, endpoint) == kind


# ------------------------------------------------------------------ through the Google backend


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def arrivals() -> list[float]:
    return []


@pytest.fixture
def fake(clock: Clock, arrivals: list[float]) -> Iterator[FakeSheetsApi]:
    """The fake API, noting the fake clock's time as each Sheets or Drive request arrives
    (through its per-request delay hook, which here takes no time)."""
    with fake_sheets_api(sleep=lambda _seconds: arrivals.append(clock.now)) as api:
        api.delay(1e-9)
        yield api


def team(tmp_path: Path, fake: FakeSheetsApi) -> Config:
    """A config pointed at a new fake spreadsheet of the test team."""
    sid = fake.create_spreadsheet("Team", team_workbook())
    return google_config(fake.service_account_file(tmp_path), sid)


def paced(
    cfg: Config, clock: Clock, pacer: Pacer, policy: RetryPolicy | None = None
) -> GoogleBackend:
    return GoogleBackend.from_config(cfg.source, "team.yaml", policy=policy or RetryPolicy(),
                                     sleep=clock.sleep, clock=clock, rng=random.Random(3),
                                     pacer=pacer)  # fmt: skip


def test_a_refresh_asks_the_pacer_before_each_of_its_three_requests(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock
) -> None:
    pacer = RecordingPacer(60, 60, clock)
    cfg = team(tmp_path, fake)
    report = refresh(cfg, AS_OF, backend=paced(cfg, clock, pacer))
    assert report.written
    assert [kind for kind, _ in pacer.acquired] == ["read", "read", "write"]
    sent = [(r.method, r.path.rsplit("/", 1)[-1]) for r in fake.requests if r.api == "sheets"]
    assert [method for method, _ in sent] == ["GET", "GET", "POST"]
    assert sent[2][1].endswith(":batchUpdate")
    assert any(r.api == "oauth" for r in fake.requests)  # the token call went, unpaced
    assert pacer.throttles == [] and pacer.stats() == {"read": 2, "write": 1}


def test_a_429_on_a_read_throttles_the_pacer_and_the_retry_is_paced_too(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock
) -> None:
    pacer = RecordingPacer(60, 60, clock)
    cfg = team(tmp_path, fake)
    google = paced(cfg, clock, pacer)
    fake.fail_next(1, 429, method="GET", path_contains="values:batchGet")
    report = refresh(cfg, AS_OF, backend=google)
    assert report.written and google.requests_sent == 4
    assert pacer.throttles == [60.0]
    assert [kind for kind, _ in pacer.acquired] == ["read", "read", "read", "write"]
    assert [r.status for r in fake.requests if r.api == "sheets"] == [200, 429, 200, 200]


def test_the_pacers_wait_does_not_spend_the_retry_budget(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock
) -> None:
    pacer = RecordingPacer(1, 1, clock)
    cfg = team(tmp_path, fake)
    google = paced(cfg, clock, pacer, RetryPolicy(attempts=3, total=5))
    fake.fail_next(1, 503, method="GET", path_contains="values:batchGet")
    report = refresh(cfg, AS_OF, backend=google)  # each read waits ~60 s for its turn
    assert report.written and google.requests_sent == 4
    assert clock.now >= 120


def test_thirty_spreadsheets_never_pass_the_budget_in_any_minute(
    tmp_path: Path, fake: FakeSheetsApi, clock: Clock, arrivals: list[float]
) -> None:
    budget = 54
    pacer = RecordingPacer(budget, budget, clock)
    key = fake.service_account_file(tmp_path)
    configs = [google_config(key, fake.create_spreadsheet(f"Team {n}", team_workbook()))
               for n in range(30)]  # fmt: skip
    for cfg in configs:
        assert refresh(cfg, AS_OF, backend=paced(cfg, clock, pacer)).written
    sheets = [r for r in fake.requests if r.api in ("sheets", "drive")]
    assert len(arrivals) == len(sheets) == 90 and all(r.api == "sheets" for r in sheets)
    reads = [t for t, r in zip(arrivals, sheets, strict=True) if r.method == "GET"]
    writes = [t for t, r in zip(arrivals, sheets, strict=True) if r.method == "POST"]
    assert (len(reads), len(writes)) == (60, 30)
    # 54 reads go at once (27 refreshes, which write at once too); the 28th refresh's first
    # read waits until the first minute is over, and the rest follow it.
    assert most_in_any_minute(reads) == budget
    assert reads.count(0.0) == budget and reads.count(60.0) == 6
    assert writes.count(0.0) == 27 and writes.count(60.0) == 3
    assert max(reads) >= 60.0 and clock.waits
    assert all(r.status == 200 for r in sheets)
