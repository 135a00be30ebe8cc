"""The home page's to-do list (:func:`home_todo`): for staff, leaders (viewers) and administrators,
the counts of what needs doing in their region's subtree, each linked to the list page that shows
exactly those rows — and the direct sub-regions as tiles with their own counts.

Every figure is counted by its ONE definition, the one its list uses:

- overdue contacts: activities.rhythm.overdue_counts (OverdueRule) — the overdue list;
- red cards overdue for review: children.selectors.review_overdue — the risk board;
- unpaired: pairing.coverage.coverage_counts — the pairing coverage page's unpaired list;
- ageing out: ``Child.objects.aging_out_within(AGING_OUT_WARNING_DAYS)`` — the ageing-out page;
- open needs (急难愁盼): status ``open`` — the needs list filtered on it;
- this month's coverage (月月有活动): activities.coverage.coverage_counts — the coverage page;
- my overdue actions (我的逾期行动): casework.selectors.overdue_actions — the user's own list;
- pending transfers (staff and administrators): children.transfers.incoming_pending — the transfers
  page filtered on the incoming pending ones.

The overdue and unpaired counts are grouped by the direct sub-region's code prefix in SQL (one
query each), so the tiles cost no query per sub-region. Eight queries in all (ten for staff and
administrators, who also have their own overdue actions and incoming transfers counted), whatever the size of
the subtree (none for a user without a region in an empty tree).
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from accounts.models import Region
from activities import coverage as activity_coverage
from activities.rhythm import load_rhythms, overdue_counts
from casework.selectors import overdue_actions
from children.filters import CONSENT_MISSING, LedgerFilter
from children.models import Child, Need, NeedStatus, TransferStatus
from children.selectors import review_overdue
from children.transfers import incoming_pending
from core import months
from core.access import EDIT, allowed
from core.regioncodes import subtree_q
from core.regions import direct_subregions, sub_prefix_length
from pairing import coverage as pairing_coverage
from pairing.coverage import PairingShare


def _url(name: str, **params) -> str:
    return reverse(name) + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@dataclass
class Todo:
    key: str  # overdue, review, unpaired, ageing, needs, coverage, actions, consent, transfers
    count: int
    url: str


@dataclass
class Tile:
    region: Region
    overdue: int
    unpaired: int
    overdue_url: str
    unpaired_url: str
    url: str  # the sub-region's risk board


@dataclass
class Home:
    region: Region
    todos: dict[str, Todo]
    coverage: activity_coverage.ContactShare  # this month's 月月有活动: covered of paired
    month: date
    ageing_days: int
    tiles: list[Tile] = field(default_factory=list)


def home_region(user) -> Region | None:
    """The region the home page is about: the user's own; for a superuser without one, the top of
    the tree (the first province, as core.regions.default_root), None when the tree is empty."""
    if user.region_id:
        return user.region
    return Region.objects.filter(parent__isnull=True).order_by("code").first()


def home_todo(user, today: date) -> Home | None:
    """The counts of the user's home page (staff, viewers, administrators) on ``today``."""
    region = home_region(user)
    if region is None:
        return None
    code = region.code
    # Query: the contact rhythms of the region's ancestors and subtree.
    rhythms = load_rhythms(subtree_of=code)
    # Query: overdue children, ONE aggregate grouped by direct sub-region.
    overdue = overdue_counts(actor=user, region=region, today=today, rhythms=rhythms)
    # Query: active / paired children, ONE aggregate grouped by direct sub-region.
    pairing = pairing_coverage.coverage_counts(actor=user, region=region, day=today)
    children = Child.objects.visible_to(user).filter(subtree_q("region", code))
    # Query: the red cards overdue for review (the risk board's list).
    review = review_overdue(children.active(), today).count()
    days = settings.AGING_OUT_WARNING_DAYS
    # Query: the children ageing out within the warning days (the ageing-out page).
    ageing = children.aging_out_within(days, today=today).count()
    # Query: the open needs.
    needs = Need.objects.visible_to(user).filter(subtree_q("region", code), status=NeedStatus.OPEN).count()
    # Query: the children without a guardian's consent to keep their information (casework.consents).
    no_consent = LedgerFilter({"consent": CONSENT_MISSING}, queryset=children).qs.count()
    month = months.current_month(today=today)
    # Query (only for staff and administrators, who own actions; a leader owns none): the user's own
    # overdue case-plan actions (casework.selectors.overdue_actions).
    actions = overdue_actions(user, today).count() if allowed(user, EDIT) else 0
    # Query: this month's coverage, ONE aggregate.
    coverage = activity_coverage.ContactShare.sum(
        activity_coverage.coverage_counts(actor=user, region=region, month=month, today=today).values())
    unpaired = PairingShare.sum(pairing.values()).unpaired
    todos = {
        "overdue": Todo("overdue", sum(c["overdue"] for c in overdue.values()),
                        _url("rhythm:overdue-list", region=code)),
        "review": Todo("review", review, _url("children:risk-board", region=code)),
        "unpaired": Todo("unpaired", unpaired, _url("pairing:coverage", region=code)),
        "ageing": Todo("ageing", ageing, _url("children:aging-out", region=code)),
        "needs": Todo("needs", needs, _url("children:need-list", status=NeedStatus.OPEN, region=code)),
        "coverage": Todo("coverage", coverage.uncovered, _url("rhythm:coverage", region=code)),
        "actions": Todo("actions", actions, reverse("casework:overdue-actions")),
        "consent": Todo("consent", no_consent, _url("children:list", consent=CONSENT_MISSING, region=code)),
    }
    if allowed(user, EDIT):
        # Query (staff and administrators): the transfers waiting for their side to accept (children.transfers).
        todos["transfers"] = Todo("transfers", incoming_pending(user).count(),
                                  _url("children:transfers", box="incoming", status=TransferStatus.PENDING))
    length = sub_prefix_length(region)
    # Query (none for a village): the direct sub-regions.
    tiles = [Tile(region=sub,
                  overdue=overdue.get(sub.code[:length], {}).get("overdue", 0),
                  unpaired=pairing.get(sub.code[:length], PairingShare()).unpaired,
                  overdue_url=_url("rhythm:overdue-list", region=sub.code),
                  unpaired_url=_url("pairing:coverage", region=sub.code),
                  url=_url("children:risk-board", region=sub.code))
             for sub in direct_subregions(region)]
    return Home(region=region, todos=todos, coverage=coverage, month=month, ageing_days=days, tiles=tiles)
