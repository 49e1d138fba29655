#!/usr/bin/env python
"""Run the demo project's management commands.

The project package lives in site/ (a package named ``site`` would clash with
the standard library), so this directory and the repository root go on the path.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_site.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
