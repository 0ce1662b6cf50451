"""Server-side SVG charts: no JavaScript, no CDN, readable on a laptop or a tablet.

Each chart carries a <title> and an aria-label, and its numbers are also printed as text,
so the figures are available to screen readers and in print.
"""

from __future__ import annotations

from html import escape
from typing import Dict, List, Sequence, Tuple

PALETTE = ["#b30000", "#0b57d0", "#137333", "#e37400", "#7b1fa2", "#5f6368"]
WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 16, 36


def _fmt(value: float, percent: bool) -> str:
    """A value as officers write it: "50%", "3,5", "12"."""
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:.1f}".replace(".", ",") if value and value != int(value) else f"{int(value)}"


def empty(title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} 60" role="img" aria-label="{escape(title)}: chưa có dữ liệu">'
        f'<title>{escape(title)}</title><text x="{WIDTH / 2}" y="34" text-anchor="middle" '
        f'class="chart-empty">Chưa có dữ liệu trong khoảng thời gian này</text></svg>'
    )


def bar_chart(title: str, items: Sequence[Tuple[str, float]], percent: bool = False, colors: Sequence[str] = ()) -> str:
    """Horizontal bars, one per (label, value), longest first as given."""
    if not items or not any(v for _, v in items):
        return empty(title)
    row, label_width = 26, 210
    height = PAD_TOP + row * len(items) + 8
    top = max(v for _, v in items) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = PAD_TOP + i * row
        width = (WIDTH - label_width - 70) * (value / top)
        color = colors[i % len(colors)] if colors else PALETTE[0]
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row - 8}" fill="{color}" rx="2"/>'
        )
        parts.append(
            f'<text x="{label_width + width + 6:.1f}" y="{y + 15}" class="chart-value">{_fmt(value, percent)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    title: str, series: Dict[str, List[Tuple[str, float]]], percent: bool = False, y_max: float = 0.0
) -> str:
    """One line per series over shared x labels (days), with a legend."""
    points = [v for values in series.values() for _, v in values]
    if not points or not any(points):
        return empty(title)
    labels = next(iter(series.values()))
    top = max(y_max, max(points)) or 1
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def xy(i: int, value: float) -> Tuple[float, float]:
        return PAD_LEFT + i * step, PAD_TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + 22}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = PAD_TOP + plot_h * (1 - fraction)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>')
        parts.append(
            f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="chart-axis">'
            f"{_fmt(top * fraction, percent)}</text>"
        )
    every = max(1, len(labels) // 8)
    for i, (label, _) in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x, _ = xy(i, 0)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 14}" text-anchor="middle" class="chart-axis">{escape(label)}</text>'
            )
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, (_, v) in enumerate(values)))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        for i, (label, value) in enumerate(values):
            x, y = xy(i, value)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)} {escape(label)}: {_fmt(value, percent)}</title></circle>"
            )
        legend_x = PAD_LEFT + index * 130
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT + 6}" width="12" height="12" fill="{color}"/>'
            f'<text x="{legend_x + 16}" y="{HEIGHT + 16}" class="chart-label">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def split_bar_chart(title: str, items: Sequence[Tuple[str, int, int]]) -> str:
    """Per label, a 👍 (green) / 👎 (red) split bar with both counts."""
    rows = [(label, up, down) for label, up, down in items if up + down]
    if not rows:
        return empty(title)
    row, label_width = 26, 210
    height = PAD_TOP + row * len(rows) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    span = WIDTH - label_width - 110
    for i, (label, up, down) in enumerate(rows):
        y = PAD_TOP + i * row
        up_w = span * up / (up + down)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
        )
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{up_w:.1f}" height="{row - 8}" fill="#137333"/>')
        parts.append(
            f'<rect x="{label_width + up_w:.1f}" y="{y + 3}" width="{span - up_w:.1f}" height="{row - 8}" '
            f'fill="#b30000"/>'
        )
        parts.append(f'<text x="{label_width + span + 6}" y="{y + 15}" class="chart-value">👍 {up} · 👎 {down}</text>')
    parts.append("</svg>")
    return "".join(parts)
