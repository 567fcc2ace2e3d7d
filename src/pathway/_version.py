"""The version of pathway (one place; the facade, the CLI and the reports read it)."""

__version__ = "0.1.0"
