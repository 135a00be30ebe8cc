"""The additive figures of the monthly statistics, named once.

Every count behind ``/api/v1/stats/`` that can be summed over regions is listed here, flattened
(``"group.key"`` for the contract's nested dicts). reports.stats computes them live, the analytics
table (reports.models.StatsCell) stores one column per figure — :func:`column` names it — and
reports.statstable sums those columns back into the same keys; the rates are always derived from
the sums (reports.stats._shape), never stored.
"""

from activities.models import ActivityKind
from children.models import Category, RiskColor, Status

CATEGORIES = tuple(Category.values)
COLORS = tuple(RiskColor.values)  # red, yellow, green
RISK_KEYS = (*COLORS, "unassessed")
STATUSES = tuple(Status.values)  # active, suspended, exited
KINDS = tuple(ActivityKind.values)

CHILD_FIGURES = (
    "children_active",
    *(f"children_by_category.{c}" for c in CATEGORIES),
    *(f"children_by_risk.{c}" for c in RISK_KEYS),
    *(f"children_by_status.{s}" for s in STATUSES),
    "children_paired",
    "children_without_activity",
    "paired_children_without_activity",
    "children_new",
    "children_exited",
    *(f"overdue_by_color.{c}" for c in RISK_KEYS),
)
VOLUNTEER_FIGURES = ("volunteers_active", "volunteers_paired", "volunteers_new")
ACTIVITY_FIGURES = ("activities", *(f"activities_by_kind.{k}" for k in KINDS), "participant_times")
TRAINING_FIGURES = ("trainings", "training_participant_times")
NEED_FIGURES = ("needs_opened", "needs_fulfilled")
MONEY_FIGURES = ("aid_value_yuan",)
ADDITIVE = (*CHILD_FIGURES, *VOLUNTEER_FIGURES, *ACTIVITY_FIGURES, *MONEY_FIGURES, *TRAINING_FIGURES,
            *NEED_FIGURES)


def column(key: str) -> str:
    """The analytics table's column of an additive figure: ``children_by_risk.red`` →
    ``children_by_risk_red``."""
    return key.replace(".", "_")


COLUMNS = {key: column(key) for key in ADDITIVE}
assert len(set(COLUMNS.values())) == len(ADDITIVE), "two figures map to one analytics column"
