"""The one error type of :mod:`golden.nn` (a ``ConfigError``, so the ``hymem`` CLI prints it as one line)."""

from hymem.golden.config import ConfigError


class NNError(ConfigError):
    """Bad input to the digits CNN: wrong shapes, unknown names, out-of-range rates or values."""
