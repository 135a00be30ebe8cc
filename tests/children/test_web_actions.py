"""The child page's actions: status, transfer, assessment, ID reveal and needs, per role."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from children import services
from children.models import Child, Need, RiskAssessment, StatusChange, Transfer
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def action_urls(child, need) -> list[tuple[str, dict]]:
    return [
        (reverse("children:status", args=[child.pk]), {"to_status": "suspended", "effective_on": "2025-01-10"}),
        (reverse("children:transfer", args=[child.pk]), {"region": "141102001000", "effective_on": "2025-01-10"}),
        (reverse("children:assess", args=[child.pk]), {"color": "green", "assessed_on": "2025-01-10"}),
        (reverse("children:reveal", args=[child.pk]), {"reason": "核对民政名单"}),
        (reverse("children:need-create", args=[child.pk]), {"kind": "study", "description": "书包"}),
        (reverse("children:need-transition", args=[need.pk, "cancelled"]), {}),
    ]


@pytest.fixture
def need(child_lishi, staff_lishi):
    return services.need_create(actor=staff_lishi, child=child_lishi, kind="material", description="一件冬衣",
                                opened_on=date(2025, 1, 5))


def detail_url(child) -> str:
    return reverse("children:detail", args=[child.pk])


# --- scope and roles ------------------------------------------------------------------------------

def test_other_county_staff_gets_404_on_every_action(client, staff_yuci, child_lishi, need):
    client.force_login(staff_yuci)
    assert [client.post(url, data).status_code for url, data in action_urls(child_lishi, need)] == [404] * 6


def test_viewer_gets_403_on_every_action(client, viewer_lvliang, child_lishi, need):
    client.force_login(viewer_lvliang)
    assert [client.post(url, data).status_code for url, data in action_urls(child_lishi, need)] == [403] * 6


def test_volunteer_is_sent_to_her_phone_pages_from_every_action(client, volunteer_lishi, child_lishi, need):
    # The actions admit editors only (core.access.EDIT), before the child is even looked up; a caring
    # mother is sent to /m/ (core.access.require).
    client.force_login(volunteer_lishi)
    responses = [client.post(url, data) for url, data in action_urls(child_lishi, need)]
    assert [(r.status_code, r["Location"]) for r in responses] == [(302, reverse("phone:home"))] * 6


def test_forbidden_actions_change_nothing(client, viewer_lvliang, child_lishi, need):
    client.force_login(viewer_lvliang)
    for url, data in action_urls(child_lishi, need):
        client.post(url, data)
    child_lishi.refresh_from_db()
    need.refresh_from_db()
    assert (child_lishi.status, child_lishi.risk_color, need.status) == ("active", "", "open")
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_actions_refuse_get(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    assert client.get(reverse("children:status", args=[child_lishi.pk])).status_code == 405


# --- status ---------------------------------------------------------------------------------------

def test_staff_suspends_a_child(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:status", args=[child_lishi.pk]),
                           {"to_status": "suspended", "effective_on": "2025-01-10", "note": "随父母外出"})
    assert response.status_code == 302
    assert response.url == detail_url(child_lishi)
    child_lishi.refresh_from_db()
    assert child_lishi.status == "suspended"


def test_exit_is_recorded_with_its_reason(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    client.post(reverse("children:status", args=[child_lishi.pk]),
                {"to_status": "exited", "effective_on": "2025-01-10", "reason": "parents_returned"})
    change = StatusChange.objects.filter(child=child_lishi).latest("id")
    assert (change.to_status, change.reason, change.actor) == ("exited", "parents_returned", staff_lishi)


def test_exit_before_entry_is_refused_on_the_date_field(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:status", args=[child_lishi.pk]),
                           {"to_status": "exited", "effective_on": "2024-08-01", "reason": "moved_away"})
    assert response.status_code == 400
    assert list(response.context["status_form"].errors) == ["effective_on"]
    child_lishi.refresh_from_db()
    assert child_lishi.status == "active"


def test_exit_without_reason_is_refused_on_the_reason_field(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:status", args=[child_lishi.pk]),
                           {"to_status": "exited", "effective_on": "2025-01-10"})
    assert response.status_code == 400
    assert list(response.context["status_form"].errors) == ["reason"]


def test_failed_action_reopens_its_form_on_the_page(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    page = client.post(reverse("children:status", args=[child_lishi.pk]),
                       {"to_status": "exited", "effective_on": "2025-01-10"}).content.decode()
    assert '<details class="action" open>' in page
    assert 'class="field-error"' in page


# --- transfer -------------------------------------------------------------------------------------

def test_transfer_within_the_county_keeps_the_history(client, staff_lishi, child_lishi):
    # The request first (she stays), then the county's own staff accept it: the destination is in their area.
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": "141102001000", "effective_on": "2025-01-10", "reason": "随祖父母搬家"})
    assert response.url == detail_url(child_lishi)
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"
    transfer = Transfer.objects.get(child=child_lishi, status="pending")
    client.post(reverse("children:transfer-accept", args=[transfer.pk]))
    child_lishi.refresh_from_db()
    assert child_lishi.region_id == "141102001000"
    assert StatusChange.objects.filter(child=child_lishi, to_region_id="141102001000").exists()


def test_transfer_out_of_the_area_waits_for_the_receiving_county(client, staff_lishi, staff_yuci, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": "140702100000", "effective_on": "2025-01-10", "reason": "随父母务工"})
    assert response.url == detail_url(child_lishi)
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"
    client.force_login(staff_yuci)
    client.post(reverse("children:transfer-accept", args=[Transfer.objects.get(child=child_lishi).pk]))
    assert Child.objects.get(pk=child_lishi.pk).region_id == "140702100000"


def test_transfer_without_a_reason_is_refused_on_the_reason_field(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": "140702100000", "effective_on": "2025-01-10"})
    assert response.status_code == 400
    assert list(response.context["transfer_form"].errors) == ["reason"]
    assert not Transfer.objects.exists()


def test_transfer_to_an_unknown_region_is_refused_on_the_region_field(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": "141102999000", "effective_on": "2025-01-10", "reason": "搬家"})
    assert response.status_code == 400
    assert list(response.context["transfer_form"].errors) == ["region"]


def test_transfer_to_another_province_is_refused_on_the_region_field(client, staff_lishi, child_lishi):
    RegionFactory(code="610102001000", name="吴城街道")  # 陕西省
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": "610102001000", "region_text": "吴城街道", "effective_on": "2025-01-10",
                            "reason": "搬家"})
    assert response.status_code == 400
    assert list(response.context["transfer_form"].errors) == ["region"]
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"


def test_the_service_refuses_a_transfer_to_another_province(staff_lishi, child_lishi):
    elsewhere = RegionFactory(code="610102001000", name="吴城街道")
    with pytest.raises(ValidationError) as caught:
        services.child_transfer(actor=staff_lishi, child=child_lishi, to_region=elsewhere,
                                effective_on=date(2025, 1, 10))
    assert list(caught.value.message_dict) == ["region"]


def test_transfer_by_a_name_typed_without_the_script(client, staff_lishi, child_lishi):
    RegionFactory(code="141102102000", name="吴城镇")
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": "", "region_text": "吴城镇", "effective_on": "2025-01-10", "reason": "搬家"})
    assert response.url == detail_url(child_lishi)
    assert Transfer.objects.get(child=child_lishi).to_region_id == "141102102000"


def test_the_child_page_offers_the_destination_search_not_a_code_input(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    page = client.get(detail_url(child_lishi)).content.decode()
    form = page.split(f'action="{reverse("children:transfer", args=[child_lishi.pk])}"')[1].split("</form>")[0]
    assert 'role="combobox"' in form and "scope=transfer&amp;levels=county%2Ctownship%2Cvillage" in form
    assert 'inputmode="numeric"' not in form


# --- assessment -----------------------------------------------------------------------------------

def test_staff_assesses_a_red_card(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:assess", args=[child_lishi.pk]),
                           {"color": "red", "reasons": ["guardianship", "safety"], "note": "独自在家",
                            "assessed_on": "2025-01-10"})
    assert response.status_code == 302
    child_lishi.refresh_from_db()
    assert (child_lishi.risk_color, child_lishi.next_review_on) == ("red", date(2025, 2, 9))


def test_assessment_appears_on_the_timeline(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    client.post(reverse("children:assess", args=[child_lishi.pk]),
                {"color": "yellow", "reasons": ["schooling"], "assessed_on": "2025-01-10"})
    timeline = client.get(detail_url(child_lishi)).context["timeline"]
    assert (timeline[0].kind, timeline[0].item.color, timeline[0].item.assessor) == ("assessment", "yellow", staff_lishi)


def test_colour_outside_the_three_is_refused(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:assess", args=[child_lishi.pk]),
                           {"color": "blue", "assessed_on": "2025-01-10"})
    assert response.status_code == 400
    assert list(response.context["assess_form"].errors) == ["color"]
    assert not RiskAssessment.objects.exists()


def test_red_card_without_factors_is_refused_on_the_factors(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:assess", args=[child_lishi.pk]),
                           {"color": "red", "assessed_on": "2025-01-10"})
    assert response.status_code == 400
    assert list(response.context["assess_form"].errors) == ["reasons"]


# --- reveal ---------------------------------------------------------------------------------------

def test_reveal_shows_the_full_number_once_and_is_audited(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:reveal", args=[child_lishi.pk]), {"reason": "核对民政名单"})
    assert response.status_code == 200
    assert child_lishi.reveal_id_number() in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.actor, event.detail["reason"]) == (staff_lishi, "核对民政名单")


def test_revealed_number_is_not_kept_for_the_next_page(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    client.post(reverse("children:reveal", args=[child_lishi.pk]), {"reason": "核对民政名单"})
    assert child_lishi.reveal_id_number() not in client.get(detail_url(child_lishi)).content.decode()
    assert child_lishi.reveal_id_number() not in str(dict(client.session))


def test_revealed_page_is_not_cached(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:reveal", args=[child_lishi.pk]), {"reason": "核对民政名单"})
    assert "no-store" in response["Cache-Control"]


def test_reveal_without_a_reason_is_refused(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:reveal", args=[child_lishi.pk]), {"reason": ""})
    assert response.status_code == 400
    assert list(response.context["reveal_form"].errors) == ["reason"]
    assert child_lishi.reveal_id_number() not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


# --- needs ----------------------------------------------------------------------------------------

def test_staff_adds_a_need(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:need-create", args=[child_lishi.pk]),
                           {"kind": "study", "description": "一个新书包", "value_yuan": "80"})
    assert response.url == detail_url(child_lishi)
    assert Need.objects.get(child=child_lishi).description == "一个新书包"


def test_need_without_description_is_refused(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:need-create", args=[child_lishi.pk]), {"kind": "study"})
    assert response.status_code == 400
    assert list(response.context["need_create_form"].errors) == ["description"]


def test_claim_needs_a_name(client, staff_lishi, child_lishi, need):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:need-transition", args=[need.pk, "claimed"]), {"on": "2025-01-06"})
    assert response.status_code == 400
    assert list(response.context["need_form"].errors) == ["claimed_by_name"]
    need.refresh_from_db()
    assert need.status == "open"


def test_need_is_claimed_then_fulfilled(client, staff_lishi, child_lishi, need):
    client.force_login(staff_lishi)
    client.post(reverse("children:need-transition", args=[need.pk, "claimed"]),
                {"on": "2025-01-06", "claimed_by_name": "王爱华"})
    client.post(reverse("children:need-transition", args=[need.pk, "fulfilled"]),
                {"on": "2025-01-08", "value_yuan": "120.50"})
    need.refresh_from_db()
    assert (need.status, need.claimed_by_name, need.fulfilled_on, str(need.value_yuan)) == (
        "fulfilled", "王爱华", date(2025, 1, 8), "120.50")


def test_fulfilling_an_open_need_is_refused(client, staff_lishi, child_lishi, need):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:need-transition", args=[need.pk, "fulfilled"]), {"on": "2025-01-08"})
    assert response.status_code == 400
    assert response.context["need_form"].non_field_errors()


def test_unknown_need_transition_is_404(client, staff_lishi, need):
    client.force_login(staff_lishi)
    assert client.post(reverse("children:need-transition", args=[need.pk, "lost"])).status_code == 404


def test_open_need_is_listed_with_its_actions(client, staff_lishi, child_lishi, need):
    client.force_login(staff_lishi)
    page = client.get(detail_url(child_lishi)).content.decode()
    assert "一件冬衣" in page
    assert reverse("children:need-transition", args=[need.pk, "claimed"]) in page
