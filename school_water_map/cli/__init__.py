"""The ``swmap`` command line (``main``): subcommands for the register, data, users and notices."""

from school_water_map.cli.main import main

__all__ = ["main"]
