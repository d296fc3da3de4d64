"""Capabilities by name: what the harness ships, what other packages add, what a session
registers.

Where a capability is found, in order:

1. ``register(capability)``, called by a module of this process (a suite module that
   declares its own capability, a notebook);
2. ``CAPABILITIES``, the capabilities that ship with the harness (name -> import path);
3. the ``harness.capabilities`` entry-point group of installed packages, each entry
   point naming a ``Capability`` object::

       [project.entry-points."harness.capabilities"]
       sql = "my_package.capability:SQL"

A suite module names its capability in its marker
(``pytest.mark.harness_suite(capability="navigation")``); its cases are the
capability's banks, relative to the module's folder.
"""

from __future__ import annotations

from harness.errors import ConfigError
from harness.protocols import Capability
from harness.registry import load_entry_point, load_reference, plugin_entry_points

ENTRY_POINT_GROUP = "harness.capabilities"
CAPABILITIES: dict[str, str] = {
    "navigation": "harness.capabilities.navigation:NAVIGATION",
    "planning": "harness.capabilities.planning:PLANNING",
    "recovery": "harness.capabilities.recovery:RECOVERY",
    "testing": "harness.capabilities.testing:TESTING",
    "swe-bench-verified": "harness.capabilities.swe_bench:VERIFIED",
    "swe-bench-lite": "harness.capabilities.swe_bench:LITE",
    "swe-bench-multilingual": "harness.capabilities.swe_bench:MULTILINGUAL",
    "r2e-gym": "harness.capabilities.swe_bench:R2E_GYM",
    "swt-bench": "harness.capabilities.swt_bench:SWT_BENCH",
}
_registered: dict[str, Capability] = {}


def register(capability: Capability) -> Capability:
    """Make ``capability`` known to this process by its name; returns it.

    Registering a different capability under a name already taken is an error.
    """
    known = _registered.get(capability.name)
    if known is not None and known is not capability:
        raise ConfigError(f"a capability named {capability.name!r} is already registered")
    _registered[capability.name] = capability
    return capability


def get_capability(name: str) -> Capability:
    """The capability called ``name``; ``ConfigError`` saying which exist otherwise."""
    if name in _registered:
        return _registered[name]
    if name in CAPABILITIES:
        found = load_reference(CAPABILITIES[name])
    else:
        point = plugin_entry_points(ENTRY_POINT_GROUP).get(name)
        if point is None:
            raise ConfigError(f"no capability named {name!r}; known: "
                              f"{', '.join(capability_names())} (register one with "
                              "harness.capabilities.register or an entry point in the "
                              f"{ENTRY_POINT_GROUP!r} group)")
        found = load_entry_point(point, ENTRY_POINT_GROUP)
    if not isinstance(found, Capability) or found.name != name:
        raise ConfigError(f"{name!r} does not name a Capability called {name!r}: {found!r}")
    return register(found)


def capability_names() -> list[str]:
    """Every capability this process can find, sorted."""
    return sorted({*_registered, *CAPABILITIES, *plugin_entry_points(ENTRY_POINT_GROUP)})


__all__ = ["CAPABILITIES", "ENTRY_POINT_GROUP", "Capability", "capability_names",
           "get_capability", "register"]
