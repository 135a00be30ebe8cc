"""A share — so many of so many (paired of active children, covered of paired …) — with its rate."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    part: int = 0
    whole: int = 0

    @property
    def rest(self) -> int:
        return self.whole - self.part

    @property
    def rate(self) -> float | None:
        """part / whole, 0..1; None when the whole is 0 (shown as —)."""
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def full(self) -> bool:
        return self.whole > 0 and self.part == self.whole

    @classmethod
    def sum(cls, shares: Iterable["Share"]):
        shares = list(shares)
        return cls(part=sum(s.part for s in shares), whole=sum(s.whole for s in shares))
