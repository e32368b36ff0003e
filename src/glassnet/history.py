"""``History``: the numbers of every epoch of ``fit``, by name ("cost", "val_cost", …)."""

from __future__ import annotations

import math

Logs = dict[str, float]
"""One epoch's numbers by name, as the training loop gives them to each callback."""


class History:
    """What happened in each epoch of a ``fit``.

    ``history["cost"]`` (also ``history.cost``) lists every epoch's training cost;
    ``"val_cost"`` and metric names (``"accuracy"``, ``"val_accuracy"``) appear when asked
    for; ``epoch`` lists the epoch numbers (counting on across calls of ``fit``).
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stopped_early = False
        self.interrupted = False

    def record(self, epoch: int, logs: Logs) -> None:
        """Append one epoch's numbers (a key new this epoch is NaN for the epochs before)."""
        for key, value in logs.items():
            values = self.history.get(key)
            if values is None:
                values = self.history[key] = [math.nan] * len(self.epoch)
            values.append(value)
        self.epoch.append(epoch)

    def extend(self, other: History) -> None:
        """Append all epochs of a later ``fit`` (NaN where one of them lacks a key)."""
        before, added = len(self.epoch), len(other.epoch)
        for key in self.history.keys() | other.history.keys():
            values = self.history.setdefault(key, [math.nan] * before)
            values.extend(other.history.get(key, [math.nan] * added))
        self.epoch.extend(other.epoch)
        self.stopped_early = other.stopped_early
        self.interrupted = other.interrupted

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def cost(self) -> list[float]:
        """The training cost of every epoch."""
        return self.history.get("cost", [])

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.6g}" for k, v in self.history.items() if v)
        return f"History({len(self.epoch)} epochs{': ' + last if last else ''})"


def merge(total: History | None, new: History) -> History:
    """``total`` (a new History when None) with the epochs of ``new`` appended."""
    if total is None:
        total = History()
    total.extend(new)
    return total
