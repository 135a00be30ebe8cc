"""The notification settings on /profile/ (activities.preferences): channels need their address on the
account, quiet hours need both ends; a refusal names the field in Chinese and stores nothing."""

from datetime import time

import pytest
from django.urls import reverse

from activities.models import DeliveryPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def post(client, **fields):
    return client.post(reverse("profile"), {"form": "delivery", **fields})


def test_the_profile_page_shows_the_notification_settings(signed_in):
    page = signed_in.get(reverse("profile")).content.decode()
    assert "同时发送电子邮件" in page and "同时发送短信" in page and "免打扰开始时间" in page


def test_the_settings_are_saved(signed_in, staff_lishi, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    staff_lishi.email, staff_lishi.phone = "limin@example.cn", "13800000001"
    staff_lishi.save(update_fields=["email", "phone"])
    response = post(signed_in, email="on", sms="on", quiet_start="22:00", quiet_end="07:00")
    assert response.status_code == 302 and response.url == reverse("profile")
    saved = DeliveryPreference.objects.get(user=staff_lishi)
    assert (saved.email, saved.sms, saved.quiet_start, saved.quiet_end) == (True, True, time(22), time(7))


def test_email_without_an_address_is_refused_naming_the_field(signed_in):
    response = post(signed_in, email="on")
    assert response.status_code == 400
    assert response.context["delivery_form"].errors == {
        "email": ["电子邮件：您的账号没有电子邮箱地址，请先请管理员添加。"]}
    assert not DeliveryPreference.objects.exists()


def test_sms_without_a_mobile_number_is_refused_naming_the_field(signed_in, settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    response = post(signed_in, sms="on")
    assert response.status_code == 400
    assert response.context["delivery_form"].errors == {"sms": ["短信：您的账号没有手机号码，请先请管理员添加。"]}
    assert not DeliveryPreference.objects.exists()


def test_sms_is_refused_while_the_platform_has_no_gateway(signed_in, staff_lishi, settings):
    settings.SMS_GATEWAY_URL = ""
    staff_lishi.phone = "13800000001"
    staff_lishi.save(update_fields=["phone"])
    response = post(signed_in, sms="on")
    assert response.context["delivery_form"].errors == {"sms": ["短信：本平台尚未开通短信发送。"]}
    assert not DeliveryPreference.objects.exists()


def test_quiet_hours_need_both_ends(signed_in):
    response = post(signed_in, quiet_start="22:00")
    assert response.status_code == 400
    assert response.context["delivery_form"].errors == {
        "quiet_end": ["免打扰时间：请同时填写开始和结束时间，或都不填。"]}
    assert not DeliveryPreference.objects.exists()


def test_quiet_hours_cannot_start_and_end_at_once(signed_in):
    response = post(signed_in, quiet_start="22:00", quiet_end="22:00")
    assert response.context["delivery_form"].errors == {"quiet_end": ["免打扰时间：开始和结束时间不能相同。"]}
    assert not DeliveryPreference.objects.exists()


def test_a_malformed_time_is_refused_not_a_500(signed_in):
    response = post(signed_in, quiet_start="25:99", quiet_end="07:00")
    assert response.status_code == 400
    assert list(response.context["delivery_form"].errors) == ["quiet_start"]
    assert not DeliveryPreference.objects.exists()


def test_the_language_form_still_saves_on_its_own(signed_in, staff_lishi):
    response = signed_in.post(reverse("profile"), {"language": "en"})
    assert response.status_code == 302
    staff_lishi.refresh_from_db()
    assert staff_lishi.language == "en" and not DeliveryPreference.objects.exists()


def test_a_caring_mother_sets_her_channels_on_her_phone(client, volunteer_lishi):
    volunteer_lishi.phone = "13800000002"
    volunteer_lishi.save(update_fields=["phone"])
    client.force_login(volunteer_lishi)
    assert "同时发送短信" in client.get(reverse("phone:me")).content.decode()
    response = client.post(reverse("phone:me"), {"form": "delivery", "quiet_start": "21:00", "quiet_end": "07:30"})
    assert response.status_code == 302 and response.url == reverse("phone:me")
    saved = DeliveryPreference.objects.get(user=volunteer_lishi)
    assert (saved.sms, saved.quiet_start, saved.quiet_end) == (False, time(21), time(7, 30))


def test_a_refusal_on_the_phone_names_the_field(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.post(reverse("phone:me"), {"form": "delivery", "email": "on"})
    assert response.status_code == 400
    assert list(response.context["delivery_form"].errors) == ["email"]
    assert not DeliveryPreference.objects.exists()
