"""`python -m bot ask|search`: the command line, which lives with the serving edge (bot/serve/cli.py)."""

import sys

from bot.serve.cli import main

sys.exit(main())
