"""Mainland mobile numbers with real carrier prefixes, unique within one seeding run."""

import random

# Real number-segment prefixes; China Mobile's dominate in Shanxi, so they come more than once.
PREFIXES = (
    # China Mobile
    "139", "139", "138", "138", "137", "136", "135", "135", "134", "150", "151", "152", "157", "158",
    "158", "159", "178", "182", "183", "187", "187", "188", "198",
    # China Unicom
    "130", "131", "132", "155", "156", "166", "175", "176", "185", "186",
    # China Telecom
    "133", "153", "173", "177", "180", "181", "189", "191", "199",
)


class MobileNumbers:
    """Draws distinct 11-digit mobile numbers from its own random stream."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._issued: set[str] = set()

    def take(self) -> str:
        while True:
            number = self._rng.choice(PREFIXES) + f"{self._rng.randrange(10 ** 8):08d}"
            if number not in self._issued:
                self._issued.add(number)
                return number
