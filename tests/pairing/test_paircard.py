"""The pair card (结对卡) PDF: given name only, no ID number, a CJK font embedded, scoped."""

import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditAction, AuditEvent
from children import services as child_services
from children.names import given_name
from pairing import paircard
from pairing.models import PairingRole

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"),
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")


@pytest.mark.parametrize(("name", "given"), [
    ("王小雨", "小雨"), ("李娜", "娜"), ("欧阳娜娜", "娜娜"), ("司马光明", "光明"), ("诸葛亮", "亮"),
    ("欧阳", "阳"), ("张", "张"), ("阿依古丽·买买提", "阿依古丽"), (" 刘洋 ", "洋"),
])
def test_given_name_drops_the_surname(name, given):
    assert given_name(name) == given


@pytest.mark.parametrize(("days", "rhythm"), [(7, "At least once a week"), (14, "At least once every two weeks"),
                                              (30, "At least once a month"), (10, "At least once every 10 days")])
def test_contact_rhythm_in_words(days, rhythm):
    with translation.override("en"):
        assert paircard.contact_rhythm_text(days) == rhythm


def test_card_follows_the_regions_own_contact_rhythm(staff_lishi, admin_lishi, child_lishi, lead_pairing):
    from activities import rhythm

    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["safety"],
                                assessed_on=date(2025, 3, 1))
    rhythm.rhythm_set(actor=admin_lishi, region=admin_lishi.region, red_days=10, yellow_days=20, green_days=40,
                      unassessed_days=40)
    lead_pairing.child.refresh_from_db()
    with translation.override("en"):
        assert paircard.pair_card(lead_pairing).rhythm == "At least once every 10 days"


@pytest.fixture
def lead_pairing(pair, child_lishi, mother_lishi):
    return pair(child_lishi, mother_lishi)


def test_card_content(staff_lishi, child_lishi, lead_pairing):
    child_services.child_assess(actor=staff_lishi, child=child_lishi, color="red", reasons=["safety"],
                                assessed_on=date(2025, 3, 1))
    lead_pairing.child.refresh_from_db()
    card = paircard.pair_card(lead_pairing)
    assert card.given_name == "小雨"
    assert (card.volunteer_name, card.volunteer_phone) == ("刘秀兰", lead_pairing.volunteer.phone)
    assert card.started_on == lead_pairing.started_on
    assert card.rhythm == paircard.contact_rhythm_text(7)  # red, the default interval
    assert "离石区" in card.federation  # the county of 东关村


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_card_is_a_pdf(client, staff_lishi, lead_pairing):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:card", args=[lead_pairing.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@needs_poppler
def test_card_shows_the_given_name_never_the_full_name_or_the_id_number(client, staff_lishi, child_lishi,
                                                                        lead_pairing, tmp_path):
    client.force_login(staff_lishi)
    text = pdf_text(client.get(reverse("pairing:card", args=[lead_pairing.pk])).content, tmp_path)
    compact = "".join(text.split())
    assert "小雨" in compact
    assert "王小雨" not in compact
    assert child_lishi.reveal_id_number() not in compact
    assert child_lishi.id_number_masked not in compact
    assert "刘秀兰" in compact and lead_pairing.volunteer.phone in compact
    assert lead_pairing.started_on.isoformat() in compact
    assert "离石区" in compact


@needs_poppler
def test_card_embeds_a_cjk_font(client, staff_lishi, lead_pairing, tmp_path):
    client.force_login(staff_lishi)
    path = tmp_path / "card.pdf"
    path.write_bytes(client.get(reverse("pairing:card", args=[lead_pairing.pk])).content)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines()[2:] if "CJK" in line or "WenQuanYi" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


def test_card_download_is_audited(client, staff_lishi, child_lishi, lead_pairing):
    client.force_login(staff_lishi)
    client.get(reverse("pairing:card", args=[lead_pairing.pk]))
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert (event.actor, event.target_id, event.detail) == (staff_lishi, str(child_lishi.pk),
                                                            {"pair_card": lead_pairing.pk})


def test_card_outside_the_scope_is_404(client, staff_yuci, lead_pairing):
    client.force_login(staff_yuci)
    assert client.get(reverse("pairing:card", args=[lead_pairing.pk])).status_code == 404


def test_a_caring_mother_is_sent_from_her_own_card_to_her_phone_pages(client, pair, volunteer_lishi,
                                                                      volunteer_mother_lishi, child_lishi):
    """The card names the child in full, with the address: federation staff print it."""
    pairing = pair(child_lishi, volunteer_mother_lishi)
    client.force_login(volunteer_lishi)
    response = client.get(reverse("pairing:card", args=[pairing.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_a_caring_mother_cannot_download_another_mothers_card(client, pair, make_child, staff_lishi,
                                                              volunteer_lishi, volunteer_mother_lishi, child_lishi,
                                                              mother_lishi):
    pair(child_lishi, volunteer_mother_lishi)
    helper = pair(child_lishi, mother_lishi, PairingRole.HELPER)  # same child, someone else's pairing
    client.force_login(volunteer_lishi)
    response = client.get(reverse("pairing:card", args=[helper.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))
