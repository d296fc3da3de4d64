"""Exceptions raised by the algorithms package."""


class NoPathError(LookupError):
    """Raised when the target cannot be reached from the source."""


class NegativeWeightError(ValueError):
    """Raised by algorithms that require non-negative edge weights."""


class NegativeCycleError(ValueError):
    """Raised when a negative-weight cycle is reachable from the source."""


class CycleError(ValueError):
    """Raised when an acyclic graph was required but a cycle exists."""
