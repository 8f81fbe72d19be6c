"""`python -m pathways.cli`."""

from pathways.cli import main

main()
