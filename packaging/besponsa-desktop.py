"""Entry script of the PyInstaller bundle: the same as `python -m besponsa_desktop`."""

import sys

from besponsa_desktop.__main__ import main

sys.exit(main())
