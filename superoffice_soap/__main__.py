"""``python -m superoffice_soap``: the command line."""

import sys

from .cli import main

sys.exit(main())
