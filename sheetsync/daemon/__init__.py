"""The scheduled daemon's home (not built yet): schedule wiring, pacing under the API quota,
locking, signals and the HTTP trigger, with no business logic: it only calls the pipeline.

May import: anything below the command line (the pipeline, the config, the backends).
"""
