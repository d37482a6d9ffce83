"""`python -m indicators …`: the project's one command line."""
import sys

from .cli import main

sys.exit(main())
