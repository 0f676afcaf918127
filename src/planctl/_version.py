"""planctl's version, the single source: hatchling reads it at build time.

A plain constant, because ``importlib.metadata`` costs ~25 ms at start-up and
``planctl --version`` must answer before anything heavy is imported.
"""

__version__ = "0.1.0"
