"""`sheetsync daemon`: the process around the loop: configs, locks, the shared API budget,
metrics, the HTTP trigger and signals.

- One daemon per config at a time: a lock file beside the config's state file (filelock: an
  OS lock, so a daemon killed with SIGKILL leaves nothing to clean up).
- SIGTERM and SIGINT: the runs under way finish (a write is never cut short), then exit 0;
  one that comes while the daemon is still starting makes it exit 0 before its first run, and
  one during `--once` lets no further spreadsheet start (daemon/signals.py).
- SIGHUP: the configs are read again; a config that no longer loads (or that the scheduler
  cannot keep) keeps the old ones running and the reason is logged. The loop never waits for
  a run during a reload: each spreadsheet's new worker starts once the old one's run is done.
- The loop ticks at least once a second and never spins (it waits at least MIN_WAIT between
  ticks); a watchdog on the injected clock makes /healthz say 503 when it has not ticked for
  WATCHDOG_SECONDS (daemon/health.py).
- Process-wide settings (`daemon.http`, `daemon.token_env`, `daemon.quota`) come from the
  first config; another config that sets them differently is a config error.
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.daemon.health import Health, Watchdog
from sheetsync.daemon.loop import Daemon
from sheetsync.daemon.metrics import Metrics
from sheetsync.daemon.pacing import Pacer
from sheetsync.daemon.runner import Clock, Outcome, utc_now
from sheetsync.daemon.signals import handled
from sheetsync.daemon.state import state_path
from sheetsync.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from sheetsync.daemon.http import ControlServer

log = logging.getLogger("sheetsync.daemon")
PROCESS_KEYS = ("http", "token_env", "quota")
MIN_WAIT, MAX_WAIT = 0.05, 1.0  # seconds between two ticks of the loop


def load_configs(paths: Sequence[Path], shard: tuple[int, int] = (1, 1)) -> list[Config]:
    """The configs of this shard (`K/N`: the configs whose name hashes to K of N)."""
    configs = [load_config(path) for path in paths]
    index, count = shard
    mine = [c for c in configs if zlib.crc32(c.daemon.name.encode()) % count == index - 1]
    for config in mine[1:]:
        for key in PROCESS_KEYS:
            if getattr(config.daemon, key) != getattr(mine[0].daemon, key):
                raise ConfigError(str(config.path), f"daemon.{key}", f"differs from "
                                  f"{mine[0].path}'s; it is one setting for the whole daemon "
                                  "process, so set it the same in every config (or only in "
                                  "the first)")  # fmt: skip
    return mine


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: write K/N, like 2/3") from None
    if not 1 <= index <= count:
        raise UsageError(f"--shard {text!r}: K must be from 1 to N")
    return index, count


@contextmanager
def held(configs: Sequence[Config]) -> Iterator[None]:
    """Hold each config's daemon lock; a config another daemon holds is a clear error."""
    with ExitStack() as stack:
        for config in configs:
            path = state_path(config).with_suffix(".lock")
            lock = FileLock(path)
            try:
                stack.enter_context(lock.acquire(timeout=0))
            except Timeout:
                raise UsageError(f"{config.path}: another sheetsync daemon is running for this "
                                 f"config (it holds {path}); stop it first") from None  # fmt: skip
        yield


class Service:
    """The daemon process: run until stopped (`run`) or once (`once`)."""

    def __init__(self, paths: Sequence[Path], *, shard: tuple[int, int] = (1, 1),
                 now: Clock = utc_now, threaded: bool = True) -> None:  # fmt: skip
        self.paths, self.shard, self.now, self.threaded = list(paths), shard, now, threaded
        self.configs = load_configs(self.paths, shard)
        if not self.configs:
            raise UsageError(f"--shard {shard[0]}/{shard[1]} holds none of the configs")
        quota = self.configs[0].daemon.quota
        self.pacer = Pacer(max(1, int(quota.reads_per_minute * quota.margin)),
                           max(1, int(quota.writes_per_minute * quota.margin)),
                           sleep=_sleep)  # fmt: skip
        self.metrics = Metrics()
        self.stopping = threading.Event()
        self.reloading = threading.Event()
        self.watchdog = Watchdog(now)
        self.server: ControlServer | None = None
        self.daemon = self._daemon(self.configs)

    def once(self) -> int:
        """Each spreadsheet's due job once; 0 when every run succeeded, else 1."""
        with held(self.configs), handled(self._stop, self.reloading.set):
            outcomes = self.daemon.run_once(self.stopping.is_set)
        return 0 if all(o.result != "failed" for o in outcomes) else 1

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; SIGHUP reloads the configs."""
        with held(self.configs), self._server(), handled(self._stop, self.reloading.set):
            if not self.stopping.is_set():
                self.daemon.start()
            self.watchdog.beat()
            while not self.stopping.is_set():
                if self.reloading.is_set():
                    self.reloading.clear()
                    self._reload()
                wait = self.daemon.tick()
                self.watchdog.beat()
                self.stopping.wait(min(max(wait, MIN_WAIT), MAX_WAIT))
            log.info("stopping: letting the runs under way finish")
            self.daemon.stop()
        return 0

    def _stop(self, why: str) -> None:
        log.info("%s received", why)
        self.stopping.set()

    def _daemon(self, configs: Sequence[Config], previous: Daemon | None = None) -> Daemon:
        return Daemon(configs, now=self.now, threaded=self.threaded, listener=self._record,
                      previous=previous, pacer=self.pacer)  # fmt: skip

    def _record(self, outcome: Outcome) -> None:
        if outcome.reason != "digest" and outcome.result in ("written", "unchanged", "failed"):
            self.metrics.record(outcome.name, outcome.result, outcome.seconds, outcome.api_calls,
                                outcome.rows, self.now().timestamp())  # fmt: skip

    def _reload(self) -> None:
        """The new configs on a new scheduler; the old one's runs under way finish first (its
        workers hand over), without holding up the loop."""
        try:
            configs = load_configs(self.paths, self.shard)
            if [c.daemon.name for c in configs] != [c.daemon.name for c in self.configs]:
                raise UsageError("the set of spreadsheets changed; restart the daemon for that")
            daemon = self._daemon(configs, previous=self.daemon)
        except (ConfigError, UsageError) as exc:
            log.error("reload refused, the old configs keep running: %s", exc)
            return
        old, self.configs, self.daemon = self.daemon, configs, daemon
        old.stop(wait=False)
        daemon.start()
        log.info("reloaded %d configs", len(configs))

    @contextmanager
    def _server(self) -> Iterator[None]:
        settings = self.configs[0].daemon
        if settings.http is None:
            yield
            return
        from sheetsync.daemon.http import ControlServer

        host, port = settings.http
        server = ControlServer(host, port, token=os.environ.get(settings.token_env) or None,
                               token_env=settings.token_env, trigger=self._trigger,
                               health=self._health, metrics=self.metrics.render)  # fmt: skip
        server.start()
        self.server = server
        log.info("listening on http://%s:%d", *server.address)
        try:
            yield
        finally:
            self.server = None
            server.stop()

    def _trigger(self, name: str) -> bool:
        return self.daemon.trigger(name)

    def _health(self) -> Health:
        if self.stopping.is_set():
            return Health(False, "stopping")
        stalled = self.watchdog.stalled()
        if stalled is not None:
            return Health(False, f"stalled: the schedule loop has not run for {int(stalled)}s")
        return self.daemon.health()


def _sleep(seconds: float) -> None:
    threading.Event().wait(seconds)
