"""``python -m ncverify``: the command line."""

from ncverify.cli import main

main()
