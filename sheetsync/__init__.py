"""sheetsync: always-fresh sales KPIs in Google Sheets or a local Excel workbook.

`load_config` is imported on first use, so that importing the package is cheap: `sheetsync
daemon` catches SIGTERM before the slow imports (sheetsync/__main__.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetsync.config.loading import load_config

__version__ = "0.1.0"
__all__ = ["__version__", "load_config"]


def __getattr__(name: str) -> Any:
    if name == "load_config":
        from sheetsync.config.loading import load_config

        return load_config
    raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")
