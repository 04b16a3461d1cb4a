"""`sheetsync daemon`: schedule wiring, pacing under the API quota, locking, signals, the HTTP
trigger and metrics, with no business logic: it only calls the pipeline.

    service.py   the process: configs, locks, signals, the HTTP server, --once
    loop.py      schedule jobs and one worker thread per spreadsheet
    runner.py    one spreadsheet's run: change detection, backoff, checkbox, snapshots
    schedules.py when a snapshot is due;   state.py  the state file;   logs.py  log lines
    pacing.py    the shared API budget;    metrics.py, http.py  /metrics, /healthz, /refresh
    serving.py   the HTTP server (cheroot) and its limits;   health.py  /healthz, the watchdog
    signals.py   SIGTERM from the first moment, SIGHUP

May import: anything below the command line (the pipeline, the config, the backends).
"""
