"""`python -m genbench.cli …`."""

from . import main

main()
