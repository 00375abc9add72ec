"""``python -m onrecord.cli``: the same as the ``onrecord`` command."""

import sys

from onrecord.cli.main import main

sys.exit(main())
