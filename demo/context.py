"""The state one ``seed_demo`` run passes from step to step."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.utils import timezone

from accounts.models import Region, RegionLevel
from demo.copywriter import BulkLoad
from demo.phones import MobileNumbers
from demo.progress import Progress
from demo.scales import ScaleSpec


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


@dataclass
class SeedContext:
    """What a step may read and extend.

    ``rng`` is reset by the runner before every step to a stream seeded with ``(seed, step name)``,
    so one step's draws do not shift another's and adding a step changes nothing before it.
    Steps that create regions or people record them here for the steps after them; ``extra`` is for
    anything else a later step needs. Big tables are written through ``bulk`` (COPY on PostgreSQL,
    see :mod:`demo.copywriter`); a long step shows its progress with :meth:`progress`.
    """

    spec: ScaleSpec
    seed: int
    stdout: Writer
    rng: random.Random = field(default_factory=random.Random)
    mobiles: MobileNumbers | None = None
    password_hash: str = ""
    counties: list[Region] = field(default_factory=list)  # county-level units that have townships
    townships: list[Region] = field(default_factory=list)
    villages: list[Region] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # One "today" for the whole run: nothing is dated after it.
    today: date = field(default_factory=timezone.localdate)
    bulk: BulkLoad = field(default_factory=BulkLoad)
    step: str = ""  # the running step's name, set by the runner

    def progress(self, total: int) -> Progress:
        """A progress bar for the running step, ``total`` units long (``with ctx.progress(n) as bar:``)."""
        return Progress(self.stdout, self.step, total)

    def __post_init__(self) -> None:
        if self.mobiles is None:
            self.mobiles = MobileNumbers(random.Random(f"{self.seed}:mobiles"))

    @property
    def scale(self) -> str:
        return self.spec.name

    def city_names(self) -> dict[str, str]:
        """City code → name, for the texts that name a child's or a volunteer's city."""
        return dict(Region.objects.filter(level=RegionLevel.CITY).values_list("code", "name"))

    def townships_of(self) -> dict[str, list[Region]]:
        """County code → its townships, as created by the regions step."""
        return _by_parent(self.townships)

    def villages_of(self) -> dict[str, list[Region]]:
        """Township code → its villages."""
        return _by_parent(self.villages)


def _by_parent(regions: list[Region]) -> dict[str, list[Region]]:
    grouped: dict[str, list[Region]] = defaultdict(list)
    for region in regions:
        grouped[region.parent_id].append(region)
    return grouped
