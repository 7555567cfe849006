"""``python -m stellars_hub``: the same as the ``stellars-hub`` command."""

import sys

from stellars_hub.cli import main

sys.exit(main())
