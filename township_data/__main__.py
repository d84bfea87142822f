"""`python -m township_data …` — see township_data.cli."""

import sys

from .cli import main

sys.exit(main())
