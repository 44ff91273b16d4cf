"""Run the command line as ``python -m pmf.cli``, as the server starts its worker."""

import sys

from pmf.cli.app import main

sys.exit(main())
