"""`python -m armstance` runs the `armstance` command."""

import sys

from armstance.cli import main

sys.exit(main())
