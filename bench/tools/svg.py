"""Small hand-written SVG charts (no plotting library, no network)."""
import math
from xml.sax.saxutils import escape

COLORS = {"sb1": "#1f77b4", "sb2": "#6baed6", "node-ws": "#2ca02c", "node-sio": "#ff7f0e",
          "py-sio": "#d62728"}


def _fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e3:
        return f"{v / 1e3:.1f}k"
    return f"{v:.3g}"


def bar_chart(title, unit, bars):
    """bars: [(key, label, value)] drawn as horizontal bars on a linear scale."""
    width, row, left, top = 640, 28, 200, 40
    height = top + row * len(bars) + 30
    top_value = max([v for _, _, v in bars if v] + [1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<text x="{width - 10}" y="20" text-anchor="end" fill="#555">{escape(unit)}</text>']
    span = width - left - 90
    for i, (key, label, value) in enumerate(bars):
        y = top + i * row
        w = 0 if not value else max(1, span * value / top_value)
        out.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
                   f'fill="{COLORS.get(key, "#888")}"/>')
        text = _fmt(value) if value else "n/a"
        out.append(f'<text x="{left + w + 6:.1f}" y="{y + 17}">{text}</text>')
    out.append("</svg>")
    return "\n".join(out)


def line_chart(title, x_label, y_label, series):
    """series: [(key, label, [(x, y)])] on log-log axes."""
    width, height, left, right, top, bottom = 640, 360, 70, 150, 40, 50
    points = [p for _, _, pts in series for p in pts if p[0] > 0 and p[1] > 0]
    if not points:
        points = [(1, 1), (10, 10)]
    xs = [math.log10(x) for x, _ in points]
    ys = [math.log10(y) for _, y in points]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    pw, ph = width - left - right, height - top - bottom

    def px(x):
        return left + pw * (math.log10(x) - x0) / (x1 - x0)

    def py(y):
        return top + ph - ph * (math.log10(y) - y0) / (y1 - y0)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for e in range(x0, x1 + 1):
        x = left + pw * (e - x0) / (x1 - x0)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle">'
                   f'{_fmt(10 ** e)}</text>')
    for e in range(y0, y1 + 1):
        y = top + ph - ph * (e - y0) / (y1 - y0)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(10 ** e)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 12}" text-anchor="middle">'
               f'{escape(x_label)}</text>')
    out.append(f'<text x="14" y="{top + ph / 2}" transform="rotate(-90 14 {top + ph / 2})" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    for i, (key, label, pts) in enumerate(series):
        pts = [(x, y) for x, y in pts if x > 0 and y > 0]
        color = COLORS.get(key, "#888")
        if pts:
            path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
            for x, y in pts:
                out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"/>')
        ly = top + 10 + i * 18
        out.append(f'<rect x="{width - right + 10}" y="{ly - 9}" width="12" height="10" '
                   f'fill="{color}"/>')
        out.append(f'<text x="{width - right + 28}" y="{ly}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)
