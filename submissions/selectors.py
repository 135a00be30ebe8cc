"""Reading submissions: a region's figures for a month as a submission carries them, what changed since
it was sent, the level above's progress view, and the comparisons the submission's PDF/Excel show.

**A region's figures** (:func:`region_figures`) are reports.stats.region_stats' — the full
``/api/v1/stats/`` payload — except that each direct sub-region whose own submission for the month was
**accepted** counts with that submission's frozen figures, not its live ones: the level above reports
what its sub-regions reported. Each row under ``subregions`` says which it is (``source``:
``accepted`` with the ``submission``'s id, or ``live``); the totals are the rows added up (rates
recomputed: reports.stats.sum_figures). With no accepted sub-region they are region_stats' own.
This is what :func:`submissions.services.submission_submit` freezes.

**Since submission** (:func:`submission_figures`): a sent or accepted submission shows its frozen
figures, and beside each key figure the live value minus the frozen one (late records, corrections,
sub-regions accepted since); a draft or returned one shows the live figures.

Query counts: region_figures is region_stats' 7 plus 1 (the accepted sub-submissions);
:func:`submission_progress` is 2, whatever the number of sub-regions.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import Region, User
from core import months
from core.regions import direct_subregions
from reports import stats
from submissions.models import RECEIVING_LEVELS, Submission, SubmissionStatus

# The figures a submission is compared on: since submission, month on month, year on year.
KEY_FIGURES = ("children_active", "children_paired", "pairing_rate", "monthly_coverage", "activities",
               "participant_times", "aid_value_yuan")
RATES = frozenset({"pairing_rate", "monthly_coverage"})
SOURCE_ACCEPTED = "accepted"
SOURCE_LIVE = "live"
# A month without a submission on the progress page.
NOT_STARTED = "not_started"


# --- a region's figures ---------------------------------------------------------------------------

def accepted_snapshots(*, region: Region, month: date) -> dict[str, Submission]:
    """The accepted submissions of ``region``'s direct sub-regions for ``month``, by region code. One query."""
    rows = Submission.objects.filter(region__parent=region, month=months.first_day(month),
                                     status=SubmissionStatus.ACCEPTED).only("pk", "region_id", "figures")
    return {row.region_id: row for row in rows}


def _snapshot_row(row: dict, submission: Submission) -> dict:
    frozen = {key: submission.figures[key] for key in stats.KEY_ORDER if key in submission.figures}
    return {"region": row["region"], "own_level": False, **stats.sum_figures([frozen]),
            "source": SOURCE_ACCEPTED, "submission": submission.pk}


def region_figures(*, region: Region, month: date, today: date | None = None) -> dict:
    """``region``'s figures for ``month``: region_stats', with each direct sub-region whose submission
    was accepted counted at its frozen figures (see the module's docstring). 8 queries."""
    live = stats.region_stats(region=region, month=month, today=today)
    snapshots = accepted_snapshots(region=region, month=month)
    rows = []
    for row in live["subregions"]:
        submission = None if row.get("own_level") else snapshots.get(row["region"]["code"])
        rows.append(_snapshot_row(row, submission) if submission is not None
                    else {**row, "source": SOURCE_LIVE, "submission": None})
    head = {key: live[key] for key in ("region", "month", "as_of")}
    if not any(row["source"] == SOURCE_ACCEPTED for row in rows):
        return {**live, "subregions": rows}
    return {**head, **stats.sum_figures(rows), "subregions": rows}


# --- differences ----------------------------------------------------------------------------------

def _number(value) -> Decimal:
    return Decimal(str(value or 0))


def difference(new: dict, old: dict, key: str) -> int | float | str:
    """``new[key] - old[key]`` in the figure's own type: whole numbers for counts, a rate's difference
    rounded to 4 places, the aid value as a string of yuan with 2 decimals."""
    delta = _number(new.get(key)) - _number(old.get(key))
    if key == "aid_value_yuan":
        return str(delta.quantize(stats.CENT))
    if key in RATES:
        return round(float(delta), 4)
    return int(delta)


def differences(new: dict, old: dict, keys=KEY_FIGURES) -> dict:
    """``{key: new - old}`` for each of ``keys`` (see :func:`difference`)."""
    return {key: difference(new, old, key) for key in keys}


@dataclass
class SubmissionFigures:
    """What a submission's page shows: ``figures`` (frozen once sent, else live), ``live`` (now), and for
    a sent or accepted one ``since`` — each key figure's live minus frozen value — and whether any moved."""

    figures: dict
    live: dict
    frozen: bool
    since: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(_number(value) != 0 for value in self.since.values())


def submission_figures(*, region: Region, month: date, submission: Submission | None,
                       today: date | None = None) -> SubmissionFigures:
    """The figures of ``region``'s ``month`` as its submission page shows them (``submission`` may be None:
    not started). 8 queries."""
    live = region_figures(region=region, month=month, today=today)
    if submission is None or not submission.is_frozen or not submission.figures:
        return SubmissionFigures(figures=live, live=live, frozen=False)
    return SubmissionFigures(figures=submission.figures, live=live, frozen=True,
                             since=differences(live, submission.figures))


# --- the level above's view -----------------------------------------------------------------------

@dataclass
class ProgressRow:
    region: Region
    submission: Submission | None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission is not None else NOT_STARTED

    @property
    def status_label(self) -> str:
        return self.submission.get_status_display() if self.submission is not None else ""

    @property
    def submitted_at(self):
        return self.submission.submitted_at if self.submission is not None else None

    @property
    def submitted_by(self) -> User | None:
        return self.submission.submitted_by if self.submission is not None else None


def submission_progress(*, region: Region, month: date) -> list[ProgressRow]:
    """报送进度: every direct sub-region of ``region`` that sends a submission, in code order, with its
    submission for ``month`` (None: not started) and who sent it. Two queries; none for a township
    or a village (villages send none)."""
    if region.level not in RECEIVING_LEVELS:
        return []
    subregions = direct_subregions(region)
    found = {row.region_id: row for row in Submission.objects.filter(
        region__in=[sub.code for sub in subregions], month=months.first_day(month))
        .select_related("submitted_by", "prepared_by", "reviewed_by")}
    return [ProgressRow(region=sub, submission=found.get(sub.code)) for sub in subregions]


# --- the submission's report: month on month, year on year ----------------------------------------

@dataclass
class Comparison:
    """Another month's figures beside a submission's: the frozen figures of that month's submission
    when it was sent or accepted (``source`` its status), else the live ones (``source`` ``live``)."""

    month: date
    figures: dict
    source: str
    submission: Submission | None
    change: dict  # the submission's key figures minus these


def _other_month(*, region: Region, month: date, figures: dict, today: date | None) -> Comparison:
    other = Submission.objects.filter(region=region, month=month).first()
    if other is not None and other.is_frozen and other.figures:
        theirs, source = other.figures, other.status
    else:
        theirs, source = region_figures(region=region, month=month, today=today), SOURCE_LIVE
    return Comparison(month=month, figures=theirs, source=source, submission=other,
                      change=differences(figures, theirs))


def submission_comparisons(*, submission: Submission, today: date | None = None) -> dict:
    """What the submission's PDF and Excel compare (issue 11, items 3–4): ``figures`` (frozen once sent,
    else live), ``frozen``, and ``previous_month`` / ``previous_year`` :class:`Comparison` — the same month
    a year earlier; each is that month's own submission when it was sent or accepted, else its live
    figures, with ``change`` (this month's key figures minus those)."""
    region, month = submission.region, submission.month
    shown = submission_figures(region=region, month=month, submission=submission, today=today)
    last_year = month.replace(year=month.year - 1)
    return {
        "figures": shown.figures,
        "frozen": shown.frozen,
        "since": shown.since,
        "previous_month": _other_month(region=region, month=months.previous_month(month), figures=shown.figures,
                                       today=today),
        "previous_year": _other_month(region=region, month=last_year, figures=shown.figures, today=today),
    }
