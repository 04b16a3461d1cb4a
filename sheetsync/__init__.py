"""sheetsync: always-fresh sales KPIs in Google Sheets or a local Excel workbook."""

from sheetsync.config.loading import load_config

__version__ = "0.1.0"
__all__ = ["__version__", "load_config"]
