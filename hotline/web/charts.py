"""PURE: small server-rendered SVG charts (bars), so no chart library or CDN is needed."""

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT, MARGIN = 640, 240, 40
BAR_COLOUR = "#1f4e79"  # dark blue on white: contrast ratio above 8:1


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str


def bar_chart_svg(bars: list[Bar], *, title: str, maximum: float | None = None) -> str:
    """A labelled bar chart with a <title> for screen readers; values are drawn above bars."""
    top = maximum if maximum is not None else max([b.value for b in bars] + [1.0])
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    slot = plot_w / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}" stroke="#333" />',
    ]
    for index, bar in enumerate(bars):
        height = 0.0 if top <= 0 else plot_h * min(bar.value, top) / top
        x = MARGIN + index * slot + slot * 0.15
        y = HEIGHT - MARGIN - height
        centre = x + slot * 0.35
        parts += [
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}" '
            f'fill="{BAR_COLOUR}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>',
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="12">{escape(bar.text)}</text>',
            f'<text x="{centre:.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle" '
            f'font-size="11">{escape(bar.label)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)
