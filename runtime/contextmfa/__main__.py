"""``python -m contextmfa`` is the same entry point as the ``contextmfa`` command."""

from contextmfa.cli.main import run

if __name__ == "__main__":
    run()
