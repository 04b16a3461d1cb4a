"""`sheetsync daemon`: the process around the loop: configs, locks, the shared API budget,
metrics, the HTTP trigger and signals.

- One daemon per config at a time: a lock file beside the config's state file (filelock: an
  OS lock, so a daemon killed with SIGKILL leaves nothing to clean up).
- SIGTERM and SIGINT: the runs under way finish (a write is never cut short), then exit 0.
- SIGHUP: the configs are read again; a config that no longer loads keeps the old ones running
  and the reason is logged.
- Process-wide settings (`daemon.http`, `daemon.token_env`, `daemon.quota`) come from the
  first config; another config that sets them differently is a config error.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from filelock import FileLock, Timeout

from sheetsync.config.loading import load_config
from sheetsync.config.values import Config
from sheetsync.daemon.loop import Daemon
from sheetsync.daemon.metrics import Metrics
from sheetsync.daemon.pacing import Pacer
from sheetsync.daemon.runner import Clock, Outcome, utc_now
from sheetsync.daemon.state import state_path
from sheetsync.errors import ConfigError, UsageError

log = logging.getLogger("sheetsync.daemon")
PROCESS_KEYS = ("http", "token_env", "quota")


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
        self.daemon = self._daemon(self.configs)

    def once(self) -> int:
        """Each spreadsheet's due job once; 0 when every run succeeded, else 1."""
        with held(self.configs):
            outcomes = self.daemon.run_once()
        return 0 if all(o.result != "failed" for o in outcomes) else 1

    def run(self) -> int:
        """Run until SIGTERM or SIGINT; SIGHUP reloads the configs."""
        with held(self.configs), self._server(), _signals(self):
            self.daemon.start()
            while not self.stopping.is_set():
                if self.reloading.is_set():
                    self.reloading.clear()
                    self._reload()
                self.stopping.wait(min(self.daemon.tick(), 1.0))
            log.info("stopping: letting the runs under way finish")
            self.daemon.stop()
        return 0

    def _daemon(self, configs: Sequence[Config]) -> Daemon:
        return Daemon(configs, now=self.now, threaded=self.threaded, listener=self._record,
                      pacer=self.pacer)  # fmt: skip

    def _record(self, outcome: Outcome) -> None:
        if outcome.reason != "digest" and outcome.result in ("written", "unchanged", "failed"):
            self.metrics.record(outcome.name, outcome.result, outcome.seconds, outcome.api_calls,
                                outcome.rows, self.now().timestamp())  # fmt: skip

    def _reload(self) -> None:
        try:
            configs = load_configs(self.paths, self.shard)
            if [c.daemon.name for c in configs] != [c.daemon.name for c in self.configs]:
                raise UsageError("the set of spreadsheets changed; restart the daemon for that")
        except (ConfigError, UsageError) as exc:
            log.error("reload refused, the old configs keep running: %s", exc)
            return
        self.daemon.stop()
        self.configs, self.daemon = configs, self._daemon(configs)
        self.daemon.start()
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
        log.info("listening on http://%s:%d", *server.address)
        try:
            yield
        finally:
            server.stop()

    def _trigger(self, name: str) -> bool:
        return self.daemon.trigger(name)

    def _health(self) -> tuple[bool, str]:
        if self.stopping.is_set():
            return False, "stopping"
        return self.daemon.health()


def _sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


@contextmanager
def _signals(service: Service) -> Iterator[None]:
    """SIGTERM/SIGINT stop, SIGHUP reloads (main thread only; restored afterwards)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("%s received", signal.Signals(signum).name)
        service.stopping.set()

    def reload(signum: int, frame: FrameType | None) -> None:
        service.reloading.set()

    wanted: dict[int, Any] = {signal.SIGTERM: stop, signal.SIGINT: stop}
    if hasattr(signal, "SIGHUP"):
        wanted[signal.SIGHUP] = reload
    previous = {signum: signal.signal(signum, handler) for signum, handler in wanted.items()}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
