"""Charts as plain HTML and inline SVG: stacked outcome bars and the world map.

No chart library and no network: bars are flex rows whose segments are sized in percent, the map
is an equirectangular SVG (x = longitude + 180, y = 90 − latitude, one unit per degree) over
Natural Earth's 1:110m land polygons (public domain, via the world-atlas package, ISC), shipped
next to this module as one SVG path.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from html import escape
from importlib.resources import files

from contextmfa.replay.items import OUTCOMES
from contextmfa.replay.report.collect import Place

__all__ = ["bar", "bar_table", "breakable", "land_path", "world_map"]

MAP_PLACES = 5000
"""Circles drawn at most (the largest places); the country table below the map has them all."""
SEVERITY = {outcome: rank for rank, outcome in enumerate(OUTCOMES)}


@cache
def land_path() -> str:
    return files(__package__).joinpath("land-110m.svgpath").read_text(encoding="ascii").strip()


def breakable(code: str) -> str:
    """A code, escaped, that a narrow column wraps between its words, never inside one:
    ``substantial_<wbr>travel_<wbr>from_<wbr>last_<wbr>login``, ``action:<wbr>step_<wbr>up``."""
    text = escape(code)
    for mark in ("_", ":", "."):
        text = text.replace(mark, mark + "<wbr>")
    return text


def _describe(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{counts[o]:,} {o}" for o in OUTCOMES if counts.get(o))


def bar(counts: Mapping[str, int], scale: int) -> str:
    """A bar as long as ``sum(counts) / scale``, split by outcome."""
    total = sum(counts.values())
    if not total or not scale:
        return '<div class="bar"></div>'
    parts = []
    for outcome in OUTCOMES:
        n = counts.get(outcome, 0)
        if n:
            width = 100.0 * n / scale
            title = escape(f"{n:,} {outcome}")
            parts.append(
                f'<span class="o-{outcome}" style="width:{width:.2f}%" title="{title}"></span>'
            )
    return '<div class="bar">' + "".join(parts) + "</div>"


def bar_table(
    title: str,
    rows: Iterable[tuple[str, Mapping[str, int]]],
    *,
    first: str = "",
    code: bool = False,
    by_size: bool = True,
) -> str:
    """A table of categories, each with its total and its bar; largest first unless
    ``by_size`` is false (a histogram keeps its buckets' order)."""
    ordered = list(rows)
    if by_size:
        ordered.sort(key=lambda kv: (-sum(kv[1].values()), kv[0]))
    scale = max((sum(c.values()) for _, c in ordered), default=0)
    head = f"<h3>{escape(title)}</h3>" if title else ""
    body = []
    for label, counts in ordered:
        total = sum(counts.values())
        text = f"<code>{breakable(label)}</code>" if code else escape(label)
        body.append(
            f'<tr title="{escape(_describe(counts))}"><td>{text}</td>'
            f'<td class="num">{total:,}</td><td class="barcell">{bar(counts, scale)}</td></tr>'
        )
    if not body:
        body.append('<tr><td colspan="3" class="note">none</td></tr>')
    header = f'<tr><th>{escape(first)}</th><th class="num">logins</th><th>by outcome</th></tr>'
    return f"{head}<table>{header}{''.join(body)}</table>"


def dominant(counts: Counter[str]) -> str:
    """The most frequent outcome; a tie goes to the more severe one."""
    return max(counts, key=lambda o: (counts[o], SEVERITY.get(o, 0)))


def world_map(places: Iterable[Place], *, show_changed: bool) -> str:
    """Logins by place: a circle per place, area by count, colour by its dominant outcome."""
    biggest = sorted(places, key=lambda p: -sum(p.outcomes.values()))[:MAP_PLACES]
    peak = max((sum(p.outcomes.values()) for p in biggest), default=1)
    grid = "".join(f'<path class="grid" d="M{x},0V180"/>' for x in range(30, 360, 30)) + "".join(
        f'<path class="grid" d="M0,{y}H360"/>' for y in range(30, 180, 30)
    )
    circles = []
    for place in biggest:
        total = sum(place.outcomes.values())
        radius = 0.7 + 3.3 * math.sqrt(total / peak)
        css = f"o-{dominant(place.outcomes)}"
        if show_changed and place.changed:
            css += " changed"
        note = f"{place.label}: {total:,} logins ({_describe(place.outcomes)})"
        if show_changed and place.changed:
            note += f"; {place.changed:,} changed"
        circles.append(
            f'<circle class="{css}" cx="{place.longitude + 180:.1f}" cy="{90 - place.latitude:.1f}"'
            f' r="{radius:.2f}"><title>{escape(note)}</title></circle>'
        )
    return (
        '<svg viewBox="0 0 360 180" role="img" aria-label="logins by location" id="world-map" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<path class="land" d="{land_path()}"/>{grid}{"".join(circles)}</svg>'
    )
