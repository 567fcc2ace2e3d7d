"""``python -m pathway``: the same as the ``pathway`` command."""

from pathway.cli import entry_point

if __name__ == "__main__":
    entry_point()
