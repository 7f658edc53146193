"""``python -m marginspec``: the command line."""

from marginspec.cli import main

main()
