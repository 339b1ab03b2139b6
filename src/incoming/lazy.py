"""Names a package offers, imported from their modules on first use (PEP 562).

A package's `__init__` that imported all its modules would make every light module in it as
slow to import as the heaviest: `incoming.fetch.settings` would bring httpx, and the command
line would pay for the fetcher to show `--help`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports each name from the module `homes`
    gives it (relative to the package) when it is first asked for."""

    def attribute(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)

    return attribute
