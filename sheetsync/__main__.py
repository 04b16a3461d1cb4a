"""`python -m sheetsync` runs the command line."""

import sys

from sheetsync.cli import main

sys.exit(main())
