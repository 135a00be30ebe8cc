"""The urgent-report pages: the staff list and detail (acknowledge, close), the staff report form, the
caring mother's phone form, and the banners heading the home page and the risk board."""

import pytest
from django.urls import reverse

from alerts.models import Alert, AlertStatus
from tests.alerts.conftest import OCCURRED

pytestmark = pytest.mark.django_db


def form_data(**fields) -> dict:
    import uuid

    return {"id": str(uuid.uuid4()), "kind": "violence", "description": "身上有淤青", "occurred_on": OCCURRED.isoformat(),
            **fields}


def test_the_list_shows_open_alerts_first_with_their_status(client, volunteer_lishi, child, staff_lishi, report):
    older = report(volunteer_lishi, child=child)
    newer = report(volunteer_lishi, child=child, description="又摔了一次")
    from alerts import services

    services.alert_acknowledge(actor=staff_lishi, alert=newer)
    client.force_login(staff_lishi)
    response = client.get(reverse("alerts:list"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["page"]] == [older.pk, newer.pk]
    html = response.content.decode()
    assert "待处理" in html and "处理中" in html and "王小雨" in html


def test_the_list_takes_a_fixed_number_of_queries(client, volunteer_lishi, child, staff_lishi, report,
                                                  django_assert_max_num_queries, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report(volunteer_lishi, child=child)
    client.force_login(staff_lishi)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("alerts:list"))
    for _n in range(4):
        report(volunteer_lishi, child=child)
    # The same queries with five alerts as with one (the page joins child, region and reporter).
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("alerts:list"))


def test_acknowledge_and_close_on_the_page(client, volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    client.force_login(staff_lishi)
    assert "接报" in client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert client.post(reverse("alerts:acknowledge", args=[alert.pk])).status_code == 302
    refused = client.post(reverse("alerts:close", args=[alert.pk]), {"outcome": ""})
    assert refused.status_code == 400 and Alert.objects.get().status == AlertStatus.ACKNOWLEDGED
    assert client.post(reverse("alerts:close", args=[alert.pk]), {"outcome": "已报警，孩子安全"}).status_code == 302
    assert Alert.objects.get().status == AlertStatus.CLOSED


def test_a_leader_sees_the_page_without_the_buttons_and_is_refused_acting(client, volunteer_lishi, child,
                                                                        viewer_lvliang, report):
    alert = report(volunteer_lishi, child=child)
    client.force_login(viewer_lvliang)
    html = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert reverse("alerts:acknowledge", args=[alert.pk]) not in html
    assert client.post(reverse("alerts:acknowledge", args=[alert.pk])).status_code == 403


def test_staff_outside_the_area_get_404(client, volunteer_lishi, child, staff_yuci, report):
    alert = report(volunteer_lishi, child=child)
    client.force_login(staff_yuci)
    assert client.get(reverse("alerts:detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("alerts:acknowledge", args=[alert.pk])).status_code == 404
    assert client.get(reverse("alerts:report", args=[child.pk])).status_code == 404


def test_staff_report_from_the_child_page(client, child, staff_lishi):
    client.force_login(staff_lishi)
    assert reverse("alerts:report", args=[child.pk]) in client.get(reverse("children:detail", args=[child.pk])
                                                                   ).content.decode()
    response = client.post(reverse("alerts:report", args=[child.pk]), form_data())
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("alerts:detail", args=[alert.pk])
    assert alert.reported_by == staff_lishi and alert.kind == "violence"


def test_the_staff_form_refuses_a_missing_description(client, child, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("alerts:report", args=[child.pk]), form_data(description=""))
    assert response.status_code == 400 and not Alert.objects.exists()


def test_the_phone_child_page_has_the_button_and_the_form_reports(client, volunteer_lishi, child, staff_lishi):
    client.force_login(volunteer_lishi)
    page = client.get(reverse("phone:child", args=[child.pk])).content.decode()
    assert reverse("phone:alert", args=[child.pk]) in page and "报告紧急情况" in page
    form = client.get(reverse("phone:alert", args=[child.pk]))
    assert form.status_code == 200 and "王小雨" not in form.content.decode()
    data = form_data()
    response = client.post(reverse("phone:alert", args=[child.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("phone:child", args=[child.pk])
    # The same form sent again (a double tap): still one report.
    client.post(reverse("phone:alert", args=[child.pk]), data)
    assert Alert.objects.count() == 1 and Alert.objects.get().reported_by == volunteer_lishi


def test_the_phone_form_is_404_for_a_child_she_is_not_paired_with(client, volunteer_lishi, my_mother, child_lishi):
    client.force_login(volunteer_lishi)
    assert client.get(reverse("phone:alert", args=[child_lishi.pk])).status_code == 404
    assert client.post(reverse("phone:alert", args=[child_lishi.pk]), form_data()).status_code == 404
    assert not Alert.objects.exists()


def test_open_alerts_head_the_home_page_and_the_risk_board(client, volunteer_lishi, child, staff_lishi, report):
    report(volunteer_lishi, child=child)
    report(volunteer_lishi, child=child, description="再次")
    client.force_login(staff_lishi)
    for url in (reverse("home"), reverse("children:risk-board")):
        html = client.get(url).content.decode()
        assert "紧急情况 2 条待处理" in html and f'href="{reverse("alerts:list")}"' in html
        assert html.index("alert-banner") < html.index("<h1")


def test_no_banner_without_pending_alerts(client, staff_lishi):
    client.force_login(staff_lishi)
    assert "alert-banner" not in client.get(reverse("home")).content.decode()
