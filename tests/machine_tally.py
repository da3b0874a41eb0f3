"""How far the course state machines' runs get: how many cycles started and how many of the
steps tried were refused, over every run of one test. Printed after the test (``-s``), so
that a change to a machine that stops it reaching later cycles shows in the figures, and
the test fails when too few runs reach them (the invariants across cycles would then go
unexercised)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    name: str
    runs: int = 0
    furthest: Counter[int] = field(default_factory=Counter)  # cycles started -> runs
    stopped: int = 0  # runs that ended with the course discontinued permanently
    tried: int = 0
    refused: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # refusal code -> times
    levels: Counter[int] = field(default_factory=Counter)  # highest dose level -> runs
    kinds: Counter[str] = field(default_factory=Counter)  # kind of change done -> times

    def reset(self) -> None:
        self.__init__(self.name)  # type: ignore[misc]

    def run(self, cycles_started: int, *, stopped: bool, level: int = 0) -> None:
        self.runs += 1
        self.furthest[cycles_started] += 1
        self.stopped += stopped
        self.levels[level] += 1

    def step(self, refused: list[str] | None = None, kind: str | None = None) -> None:
        """One change tried; ``refused``: the codes it was refused with; ``kind``: what
        it was."""
        self.tried += 1
        if refused is not None:
            self.refused += 1
            self.reasons.update(refused[:1])
        elif kind is not None:
            self.kinds[kind] += 1

    def reached(self, cycles: int) -> float:
        """The share of runs in which at least ``cycles`` cycles started."""
        if not self.runs:
            return 0.0
        return sum(n for k, n in self.furthest.items() if k >= cycles) / self.runs

    def report(self) -> str:
        share = self.refused / self.tried if self.tried else 0.0
        reached = ", ".join(f"≥{k}: {self.reached(k):.0%}" for k in (1, 2, 3, 4, 5, 6))
        common = ", ".join(f"{code} {n}" for code, n in self.reasons.most_common(8))
        levels = ", ".join(f"{level}: {n}" for level, n in sorted(self.levels.items()))
        runs = (
            f"{self.runs} runs; cycles started {reached}; discontinued in {self.stopped}; "
            f"highest dose level (runs) {levels}; "
            if self.runs
            else ""
        )
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.kinds.items()))
        return (
            f"\n{self.name}: {runs}{self.tried} changes tried, {self.refused} refused "
            f"({share:.0%}); most refused: {common or 'none'}"
            + (f"; done: {kinds}" if kinds else "")
        )
