"""``replay --report``: one self-contained HTML file about a replay or a diff.

collect.py  ReportData: counts gathered row by row, in bounded memory
charts.py   stacked outcome bars and the SVG world map
html.py     the page, section by section
logins.py   the mismatches and changed decisions, each with its trace
"""

from __future__ import annotations

from typing import TextIO

from contextmfa.replay.report.collect import ReportData
from contextmfa.replay.report.html import write_html

__all__ = ["ReportData", "write_report"]


def write_report(data: ReportData, out: TextIO) -> None:
    """Write the page to ``out`` and release the report's temporary file."""
    try:
        write_html(data, out)
    finally:
        data.close()
