"""Small inline SVG trend charts (no JavaScript, no library): coordinates for a template."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 160
HEIGHT = 48
PAD = 4


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y" through the published points
    dots: list[tuple[float, float]]
    label: str  # the chart's text alternative


def trend_chart(scores: list[Decimal | None]) -> Chart:
    """A 0–100 line over the surveys in order; unpublished points are left out."""
    step = (WIDTH - 2 * PAD) / max(len(scores) - 1, 1)
    dots = [
        (round(PAD + i * step, 1), round(HEIGHT - PAD - float(s) / 100 * (HEIGHT - 2 * PAD), 1))
        for i, s in enumerate(scores)
        if s is not None
    ]
    shown = [str(s) for s in scores if s is not None]
    label = "Scores over time: " + (", ".join(shown) if shown else "none published")
    return Chart(WIDTH, HEIGHT, " ".join(f"{x},{y}" for x, y in dots), dots, label)


def heat_class(score: Decimal | None) -> str:
    """A heatmap cell's colour class, by band of 20 points (classes, not inline styles: the CSP)."""
    if score is None:
        return "heat-none"
    return f"heat-{min(int(score) // 20, 4)}"
