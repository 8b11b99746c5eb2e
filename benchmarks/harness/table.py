"""The issue's table: each row's figure on each database beside its goal, met or not."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    """What a row must reach: a limit on its main figure, said in words."""

    text: str
    met: Callable[[float], bool]


def at_most(limit: float) -> Goal:
    """A ratio no higher than the limit."""
    return Goal(f"≤ {limit:g}×", lambda value: value <= limit)


def at_least(limit: float) -> Goal:
    """A ratio no lower than the limit."""
    return Goal(f"≥ {limit:g}×", lambda value: value >= limit)


def under_seconds(limit: float) -> Goal:
    """A duration below the limit."""
    return Goal(f"< {limit:g} s", lambda value: value < limit)


@dataclass(frozen=True)
class Figure:
    """One row measured on one database: its main value, how it is shown, the goal."""

    row: str
    goal: Goal
    value: float
    shown: str

    @property
    def cell(self) -> str:
        """The figure and ✓ or ✗."""
        return f"{self.shown} {'✓' if self.goal.met(self.value) else '✗'}"


def render(columns: dict[str, list[Figure]]) -> str:
    """A Markdown table: a line per row, a column per database (each measured the same rows in
    the same order)."""
    names = list(columns)
    lines = ["| what | goal | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(names)]
    for row in zip(*columns.values(), strict=True):
        cells = " | ".join(figure.cell for figure in row)
        lines.append(f"| {row[0].row} | {row[0].goal.text} | {cells} |")
    return "\n".join(lines)
