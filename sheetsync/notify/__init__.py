"""The e-mail digests' home (not built yet): templates and SMTP delivery of what a refresh
computed. May import: the pipeline's report, the config and `sheetsync.errors`.
"""
