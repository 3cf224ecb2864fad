"""quotes: find every quotation in news articles and link it to a canonical speaker."""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
