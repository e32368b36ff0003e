"""``python -m glassnet.cli``."""

import sys

from glassnet.cli import main

sys.exit(main())
