"""A submission's figures: frozen when sent (late records never alter them; they show as "since
submission" differences), fresh when a returned one is sent again, and — for a region with
sub-regions — the sum of its sub-regions' accepted snapshots plus the live figures of the rest."""

from datetime import date
from decimal import Decimal

import pytest

from reports import stats
from submissions import selectors, services
from submissions.models import Submission
from tests.submissions.conftest import LIANHUA, MONTH

pytestmark = pytest.mark.django_db


def live(region):
    return stats.region_stats(region=region, month=MONTH)


def test_the_frozen_figures_are_the_full_stats_payload(regions, ledger, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    expected = live(regions.lishi_township)
    assert {key: submission.figures[key] for key in expected if key != "subregions"} == {
        key: value for key, value in expected.items() if key != "subregions"}
    assert [row["source"] for row in submission.figures["subregions"]] == ["live"]  # 东关村
    assert submission.figures["activities"] == 1 and submission.figures["children_paired"] == 1


def test_a_late_activity_does_not_change_what_was_sent(regions, ledger, staff_binhe, leader_binhe, staff_lishi,
                                                       send, record):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    sent = dict(Submission.objects.get(pk=submission.pk).figures)
    record(staff_lishi, children=[ledger.binhe_child], occurred_on=date(2027, 2, 27), volunteer=ledger.binhe_mother.pk,
           kind="material_aid", participants=3, aid_value_yuan=Decimal("120.00"))
    submission.refresh_from_db()
    assert submission.figures == sent
    shown = selectors.submission_figures(region=regions.lishi_township, month=MONTH, submission=submission)
    assert shown.frozen and shown.figures == sent
    assert shown.since == {"children_active": 0, "children_paired": 0, "pairing_rate": 0.0, "monthly_coverage": 0.0,
                           "activities": 1, "participant_times": 3, "aid_value_yuan": "120.00"}
    assert shown.changed


def test_a_draft_shows_the_live_figures(regions, ledger, staff_binhe):
    submission, _created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                                   month=MONTH)
    shown = selectors.submission_figures(region=regions.lishi_township, month=MONTH, submission=submission)
    assert not shown.frozen and shown.since == {} and shown.figures["activities"] == 1


def test_a_returned_submission_takes_fresh_figures_when_sent_again(regions, ledger, staff_binhe, leader_binhe,
                                                                   staff_lishi, send, record):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_return(actor=staff_lishi, submission=submission, reason="漏报了一次探访")
    record(staff_lishi, children=[ledger.binhe_child], occurred_on=date(2027, 2, 20), volunteer=ledger.binhe_mother.pk)
    services.submission_submit(actor=staff_binhe, submission=submission)
    submission.refresh_from_db()
    assert submission.figures["activities"] == 2 == live(regions.lishi_township)["activities"]


def test_without_accepted_sub_regions_a_countys_figures_are_the_live_ones(regions, ledger):
    figures = selectors.region_figures(region=regions.lishi, month=MONTH)
    expected = live(regions.lishi)
    assert {k: v for k, v in figures.items() if k != "subregions"} == {
        k: v for k, v in expected.items() if k != "subregions"}
    assert [(row["region"]["code"], row["source"]) for row in figures["subregions"]] == [
        (regions.lishi_township.code, "live"), (LIANHUA, "live")]


def test_a_countys_figures_take_the_accepted_snapshot_plus_the_live_rest(
        regions, ledger, staff_binhe, leader_binhe, staff_lianhua, leader_lianhua, staff_lishi, send, record):
    binhe = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_accept(actor=staff_lishi, submission=binhe)
    lianhua = send(staff_lianhua, regions.lishi.subregions.get(code=LIANHUA), leader_lianhua)  # sent, not accepted
    # Late records in both townships after they were sent.
    record(staff_lishi, children=[ledger.binhe_child], occurred_on=date(2027, 2, 25), volunteer=ledger.binhe_mother.pk)
    record(staff_lishi, children=[ledger.lianhua_child], occurred_on=date(2027, 2, 26),
           volunteer=ledger.lianhua_mother.pk, participants=4)

    figures = selectors.region_figures(region=regions.lishi, month=MONTH)

    rows = {row["region"]["code"]: row for row in figures["subregions"]}
    accepted, rest = rows[regions.lishi_township.code], rows[LIANHUA]
    assert (accepted["source"], accepted["submission"]) == ("accepted", binhe.pk)
    assert (rest["source"], rest["submission"]) == ("live", None)  # sent but not accepted: live
    assert accepted["activities"] == 1  # the frozen snapshot, without the late visit
    assert rest["activities"] == 2 and rest["participant_times"] == 5  # live, with it
    assert figures["activities"] == 3 and figures["participant_times"] == 6
    assert figures["children_active"] == 2 and figures["pairing_rate"] == 1.0
    assert lianhua.figures["activities"] == 1


def test_what_a_county_sends_is_those_composed_figures(regions, ledger, staff_binhe, leader_binhe, staff_lishi,
                                                       admin_lishi, send, record):
    binhe = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_accept(actor=staff_lishi, submission=binhe)
    record(staff_lishi, children=[ledger.binhe_child], occurred_on=date(2027, 2, 25), volunteer=ledger.binhe_mother.pk)
    county = send(staff_lishi, regions.lishi, admin_lishi)
    assert county.figures["activities"] == 2  # 滨河街道 as accepted (1) + 莲花池街道 live (1), not 3
    assert live(regions.lishi)["activities"] == 3


def test_comparisons_take_a_sent_month_frozen_and_an_unsent_one_live(regions, ledger, staff_binhe, leader_binhe,
                                                                     send, record, staff_lishi):
    january = send(staff_binhe, regions.lishi_township, leader_binhe, month=date(2027, 1, 1))
    february = send(staff_binhe, regions.lishi_township, leader_binhe)
    data = selectors.submission_comparisons(submission=february)
    assert data["frozen"] and data["figures"] == february.figures
    previous = data["previous_month"]
    assert (previous.month, previous.source, previous.submission) == (date(2027, 1, 1), "submitted", january)
    assert previous.change["activities"] == 1  # one visit in February, none in January
    last_year = data["previous_year"]
    assert (last_year.month, last_year.source, last_year.submission) == (date(2026, 2, 1), "live", None)
    assert last_year.figures["region"]["code"] == regions.lishi_township.code


def test_summing_the_rows_gives_region_stats_own_total(regions, ledger):
    """reports.stats.sum_figures, which puts snapshots and live rows together, adds up as region_stats does."""
    expected = live(regions.lishi)
    assert stats.sum_figures(expected["subregions"]) == {key: expected[key] for key in stats.KEY_ORDER}
