"""What `bench_refresh.py` measured for one size and path, and how it is printed.

- `PathResult`: the runs of one size on one path (the first refresh, the later ones, the floor,
  the usual script), their best and the client's part of their time (`client_stage`,
  `client_seconds`: without the fake's and the transport's time);
- printing: the progress line of each size, the Markdown tables (xlsx; Google's time; Google's
  calls, request bytes and memory) and how cost grows between the sizes run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.refresh_processes import MIB, RESULT

STAGES = ("read", "sync", "kpi", "report", "write", "total")

# -- one size -----------------------------------------------------------------------------------


@dataclass
class PathResult:
    path: str  # xlsx | google
    rows: int
    reps: int
    repeat: int
    first: RESULT = field(default_factory=dict)
    again: list[RESULT] = field(default_factory=list)
    floor: RESULT = field(default_factory=dict)
    script_first: RESULT = field(default_factory=dict)
    script: list[RESULT] = field(default_factory=list)
    extra: RESULT = field(default_factory=dict)  # file size, fake's load time and size
    next_day: RESULT = field(default_factory=dict)  # Google: the refresh of the day after

    def _later(self) -> list[RESULT]:
        """The later refreshes that finished (the first when there is none)."""
        return [r for r in self.again if "timings" in r] or [self.first]

    def best(self) -> RESULT:
        """The later refresh with the best total (the first when there is none)."""
        return min(self._later(), key=lambda r: r.get("timings", {}).get("total", float("inf")))

    def stage(self, name: str) -> float | None:
        """Best time of one stage over the later refreshes (the client's part on Google)."""
        stages = (client_stage(r, name) for r in self._later() if "timings" in r)
        found = [seconds for seconds in stages if seconds is not None]
        return min(found) if found else None

    def stages(self) -> dict[str, float | None]:
        """`stage` of every stage."""
        return {name: self.stage(name) for name in STAGES}

    def first_total(self) -> float | None:
        """The first refresh's total (it creates the output tabs)."""
        total: float | None = self.first.get("timings", {}).get("total")
        return total

    def script_best(self) -> RESULT:
        done = [r for r in self.script if "wall" in r] or [self.script_first]
        return min(done, key=lambda r: client_seconds(r) if "wall" in r else float("inf"))

    def as_json(self) -> RESULT:
        return dataclasses.asdict(self)


def client_stage(result: RESULT, name: str) -> float | None:
    """A stage's seconds without the fake's and the transport's (Google); as is for xlsx."""
    if result.get("timings", {}).get(name) is None:
        return None
    seconds = float(result["timings"][name])
    if name == "read":
        seconds -= result.get("read_fake", 0.0)
    elif name == "write":
        seconds -= result.get("write_fake", 0.0)
    elif name == "total":
        seconds -= result.get("fake", 0.0) + result.get("transport", 0.0)
    return max(seconds, 0.0)


def client_seconds(result: RESULT) -> float:
    """Wall seconds of a run without the fake's and the transport's."""
    outside = float(result.get("fake", 0.0)) + float(result.get("transport", 0.0))
    return max(float(result["wall"]) - outside, 0.0)


# -- printing -----------------------------------------------------------------------------------


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def _x(top: float | None, bottom: float | None) -> str:
    return "-" if top is None or not bottom else f"{top / bottom:.1f}x"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _bytes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / MIB:.2f} MB" if value >= 100_000 else f"{value / 1000:.1f} kB"


def _error(result: PathResult) -> str | None:
    for run in (result.extra, result.first, *result.again):
        if "error" in run:
            return str(run["error"])
    return None


def _markdown(header: str, rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table: `header` is the column names between " | ", every column right-aligned."""
    columns = header.split(" | ")
    lines = ["| " + header + " |", "|" + "---:|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def xlsx_table(results: Sequence[PathResult]) -> str:
    rows = []
    for r in results:
        s, floor = r.stages(), r.floor.get("seconds")
        rows.append([f"{r.rows:,}", f"{r.reps:,}", f"{r.extra.get('mb', 0):.1f}",
                     *(_s(s[name]) for name in STAGES), _s(floor), _x(s["total"], floor),
                     _mb(r.best().get("peak")), _mb(r.floor.get("peak")),
                     _s(r.first_total())])  # fmt: skip
    return _markdown(
        "rows | reps | file MB | read s | sync s | kpi s | report s | write s | total s "
        "| floor s | total / floor | peak MB | floor peak MB | first refresh s",
        rows,
    )


def google_time_table(results: Sequence[PathResult]) -> str:
    rows = []
    for r in results:
        s, floor = r.stages(), r.floor.get("seconds")
        script = r.script_best()
        script_client = client_seconds(script) if "wall" in script else None
        rows.append([f"{r.rows:,}", f"{r.reps:,}", *(_s(s[name]) for name in STAGES),
                     _s(r.best().get("fake")), _s(floor), _x(s["total"], floor),
                     _s(script_client), _x(s["total"], script_client),
                     _s(r.first_total())])  # fmt: skip
    return _markdown(
        "rows | reps | read s | sync s | kpi s | report s | write s | client s | fake s "
        "| floor s | client / floor | script client s | client / script | first refresh s",
        rows,
    )


def google_size_table(results: Sequence[PathResult]) -> str:
    rows = []
    for r in results:
        best = r.best()
        script, first = r.script_best(), r.script_first
        calls = (f"{first.get('requests', '-')}, {script.get('requests', '-')}"
                 if script else "-")  # fmt: skip
        writes = (r.first, best, r.next_day)
        rows.append([f"{r.rows:,}", f"{r.reps:,}",
                     f"{best.get('api_calls', best.get('requests', '-'))}", calls,
                     _bytes(best.get("sent")),
                     " / ".join(_bytes(run.get("write_bytes")) for run in writes),
                     f"{best.get('url', 0):,}", _bytes(best.get("received")),
                     _mb(best.get("peak")), _mb(best.get("fake_peak_rise")),
                     _mb(r.floor.get("peak")), _mb(script.get("peak"))])  # fmt: skip
    return _markdown(
        "rows | reps | calls | script calls (first, later) | sent | write: first / later / "
        "next day "
        "| longest URL | received | peak MB | fake's rise MB | floor peak MB | script peak MB",
        rows,
    )


def print_progress(result: PathResult) -> None:
    best = result.best()
    error = _error(result)
    total = result.stage("total")
    line = (f"{result.path:>6} {result.rows:>9,} rows {result.reps:>5} reps: "
            f"total {_s(total)}s, floor {_s(result.floor.get('seconds'))}s "
            f"({_x(total, result.floor.get('seconds'))}), peak {_mb(best.get('peak'))} MB "
            f"(base {_mb(best.get('base'))} MB)")  # fmt: skip
    if result.path == "google":
        writes = " / ".join(_bytes(run.get("write_bytes"))
                            for run in (result.first, best, result.next_day))  # fmt: skip
        line += (f", {best.get('api_calls', '-')} calls, write (first / later / next day) {writes}"
                 f", fake {_s(best.get('fake'))}s, fake's rise {_mb(best.get('fake_peak_rise'))} "
                 f"MB")  # fmt: skip
    if error:
        line += f"\n       ERROR: {error}"
    print(line, flush=True)


def print_tables(results: Sequence[PathResult]) -> None:
    xlsx = [r for r in results if r.path == "xlsx"]
    google = [r for r in results if r.path == "google"]
    if xlsx:
        print("\nxlsx: a real .xlsx refreshed in place (best of the later refreshes)\n")
        print(xlsx_table(xlsx))
    if google:
        print("\nGoogle through the fake: time (client = without the fake's and the "
              "transport's time)\n")  # fmt: skip
        print(google_time_table(google))
        print("\nGoogle through the fake: calls, request bytes, memory\n")
        print(google_size_table(google))
    lines = growth(results)
    if lines:
        print("\nHow cost grows (from the smallest to the largest size of each series)\n")
        print("\n".join(f"- {line}" for line in lines))
    errors = [(r, _error(r)) for r in results if _error(r)]
    for r, error in errors:
        print(f"\n{r.path} {r.rows:,} rows {r.reps} reps: {error}")


def growth(results: Sequence[PathResult]) -> list[str]:
    """Slopes: seconds and peak MB per 100k rows (reps fixed); per rep (rows fixed): seconds,
    and on Google the write's bytes."""
    lines = []
    for path in ("xlsx", "google"):
        done = {(r.rows, r.reps): r for r in results if r.path == path and not _error(r)}
        for reps in sorted({reps for _, reps in done}):
            sizes = sorted(rows for rows, p in done if p == reps)
            if len(sizes) > 1:
                low, high = done[(sizes[0], reps)], done[(sizes[-1], reps)]
                lines.append(
                    f"{path}, {reps:,} reps, {sizes[0]:,} to {sizes[-1]:,} rows: "
                    + _slope(low, high, (high.rows - low.rows) / 100_000, "100k rows")
                )
        for rows in sorted({rows for rows, _ in done}):
            teams = sorted(reps for r, reps in done if r == rows)
            if len(teams) > 1:
                low, high = done[(rows, teams[0])], done[(rows, teams[-1])]
                line = f"{path}, {rows:,} rows, {teams[0]:,} to {teams[-1]:,} reps: " + _slope(
                    low, high, high.reps - low.reps, "rep", memory=False
                )
                if path == "google":
                    write = [r.first.get("write_bytes", 0) for r in (low, high)]
                    calls = [r.best().get("api_calls") for r in (low, high)]
                    per_rep = (write[1] - write[0]) / (high.reps - low.reps) / 1000
                    line += (f", first write +{per_rep:.1f} kB per rep ({_bytes(write[0])} to "
                             f"{_bytes(write[1])}), calls {calls[0]} to {calls[1]}")  # fmt: skip
                lines.append(line)
    return lines


def _slope(low: PathResult, high: PathResult, units: float, unit: str, *,
           memory: bool = True) -> str:  # fmt: skip
    seconds = [r.stage("total") or 0.0 for r in (low, high)]
    peaks = [float(r.best().get("peak", 0.0)) for r in (low, high)]
    scale = 1000 if unit == "rep" else 1
    text = (f"{(seconds[1] - seconds[0]) / units * scale:+.2f} {'ms' if scale > 1 else 's'} "
            f"per {unit}")  # fmt: skip
    if memory:
        text += f", {(peaks[1] - peaks[0]) / units:+.0f} MB peak per {unit}"
    return text
