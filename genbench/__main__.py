"""`python -m genbench …`: the form launchers take (`accelerate launch -m genbench run …`, `torchrun -m …`)."""

from .cli import main

if __name__ == "__main__":
    main()
