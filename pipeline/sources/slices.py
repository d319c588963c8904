"""Cut a long date window into slices sized to what the source holds in them.

A first run (no watermark: everything since `harvest_start`) or a long backfill is harvested,
loaded and watermarked slice by slice, so it can stop and resume anywhere and Airflow can hand
slices to different workers. Slices are found by asking the source how many records a candidate
window holds (PubMed `esearch rettype=count`, Europe PMC `hitCount`) and halving any window
over the target until it fits; PubMed's target is also kept under its 9,999-id ceiling.

Halving follows fixed power-of-two blocks of days counted from 1970-01-01, not the window's
own middle, so a run resumed after slice k cuts the rest of the range on the same boundaries
(or coarser ones): slices already staged or loaded line up with the new plan.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Callable

EPOCH = date(1970, 1, 1).toordinal()

Counter = Callable[[date, date], int]   # records the source holds for since..until


@dataclass(frozen=True)
class Slice:
    """One window of a harvest plan: `start` is the first day of the whole plan (the
    watermark may only move over this slice once every slice from `start` is loaded)."""

    source: str
    since: date
    until: date
    count: int
    start: date

    def to_dict(self) -> dict:
        """JSON-safe, for Airflow's XCom."""
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "Slice":
        return cls(source=data["source"], since=date.fromisoformat(data["since"]),
                   until=date.fromisoformat(data["until"]), count=int(data["count"]),
                   start=date.fromisoformat(data["start"]))

    @property
    def requested(self) -> str:
        """The plan the slice belongs to, as staged manifests name it: "start_until"."""
        return f"{self.start.isoformat()}_{self.until.isoformat()}"


def _day(n: int) -> date:
    return date.fromordinal(EPOCH + n)


def cut(count: Counter, since: date, until: date, target: int) -> list[tuple[date, date, int]]:
    """(since, until, records) windows covering since..until in order, each holding at most
    `target` records, except a single day that holds more (it cannot be cut further).
    Neighbouring blocks that fit in one slice together are joined."""
    if target < 1:
        raise ValueError("a slice holds at least one record")
    if since > until:
        return []
    low, high = since.toordinal() - EPOCH, until.toordinal() - EPOCH
    size = 1
    while low // size != high // size:   # the smallest aligned block holding the whole window
        size *= 2
    slices: list[tuple[date, date, int]] = []
    # Depth first, left to right: (block start, block size, records in the block's part of
    # the window, or None when not counted yet).
    stack: list[tuple[int, int, int | None]] = [((low // size) * size, size, None)]
    while stack:
        block, size, known = stack.pop()
        first, last = max(block, low), min(block + size - 1, high)
        records = count(_day(first), _day(last)) if known is None else known
        if records <= target or first == last:
            slices.append((_day(first), _day(last), records))
            continue
        half = size // 2
        left, right = (block, half), (block + half, half)
        if right[0] > last:        # the window lies in the left half only
            stack.append((*left, records))
        elif left[0] + half - 1 < first:
            stack.append((*right, records))
        else:                      # one count answers both halves
            left_records = count(_day(first), _day(left[0] + half - 1))
            stack.append((*right, max(records - left_records, 0)))
            stack.append((*left, left_records))
    return _join(slices, target)


def _join(slices: list[tuple[date, date, int]], target: int) -> list[tuple[date, date, int]]:
    """Neighbours that fit in one slice together become one (sparse years, empty blocks)."""
    joined: list[tuple[date, date, int]] = []
    for first, last, records in slices:
        if joined and joined[-1][2] + records <= target:
            joined[-1] = (joined[-1][0], last, joined[-1][2] + records)
        else:
            joined.append((first, last, records))
    return joined


def plan(source: str, count: Counter, since: date, until: date, target: int,
         loaded: list[tuple[date, date]] = ()) -> list[Slice]:
    """The slices of since..until still to harvest: those not covered by `loaded` windows
    (slices an earlier attempt loaded out of order)."""
    return [Slice(source, first, last, records, since)
            for first, last, records in cut(count, since, until, target)
            if not _covered(first, last, loaded)]


def _covered(first: date, last: date, loaded) -> bool:
    reach = first - timedelta(days=1)
    for window_start, window_end in sorted(loaded):
        if window_start <= reach + timedelta(days=1) and window_end > reach:
            reach = window_end
        if reach >= last:
            return True
    return False
