"""`python -m sheetsync` and the `sheetsync` command: the command line.

For `sheetsync daemon`, SIGTERM is caught before anything slow is imported (the command line
pulls in pandas and the pipeline, about a second): one sent meanwhile makes the daemon exit 0
before its first run instead of killing it (daemon/signals.py).
"""

import sys

from sheetsync.daemon.signals import catch_early


def main() -> int:
    if sys.argv[1:2] == ["daemon"]:
        catch_early()
    from sheetsync.cli import main as command_line

    return command_line()


if __name__ == "__main__":
    sys.exit(main())
