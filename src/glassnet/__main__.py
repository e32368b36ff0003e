"""``python -m glassnet``."""

import sys

from glassnet.cli import main

sys.exit(main())
