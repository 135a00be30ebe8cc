"""The language is the user's own (issue 12): chosen on the profile page (staff) or the phone's 我的 page
(a caring mother), kept on her account and applied after every login (accounts.language); Simplified
Chinese unless she chose otherwise, whatever the browser asks for. No page carries a switcher."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def log_in(user, **headers) -> Client:
    """A fresh browser that logs in through the login form."""
    browser = Client(**headers)
    response = browser.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return browser


def home_text(browser) -> str:
    return browser.get(reverse("home"), follow=True).content.decode()


def test_a_user_who_never_chose_sees_chinese_even_from_an_english_browser(staff_lishi):
    assert staff_lishi.language == "zh-hans"
    assert "退出登录" in home_text(log_in(staff_lishi, **ENGLISH_BROWSER))


def test_a_user_who_chose_english_sees_english_after_logging_in(staff_lishi):
    browser = log_in(staff_lishi)
    browser.post(reverse("profile"), {"language": "en"})
    browser.post(reverse("logout"))
    assert "Log out" in home_text(log_in(staff_lishi))


def test_the_choice_is_kept_on_the_account_across_computers(staff_lishi):
    log_in(staff_lishi).post(reverse("profile"), {"language": "en"})
    assert User.objects.get(pk=staff_lishi.pk).language == "en"
    elsewhere = log_in(staff_lishi, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")  # another computer, a Chinese browser
    assert "Log out" in home_text(elsewhere)


def test_choosing_chinese_again_brings_chinese_back(staff_lishi):
    staff_lishi.language = "en"
    staff_lishi.save(update_fields=["language"])
    browser = log_in(staff_lishi)
    browser.post(reverse("profile"), {"language": "zh-hans"})
    assert "退出登录" in home_text(browser)


def test_saving_says_so_in_the_language_chosen(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("profile"), {"language": "en"}, follow=True)
    assert "Your language is saved." in response.content.decode()


def test_the_language_cookie_follows_the_users_choice(staff_lishi):
    staff_lishi.language = "en"
    staff_lishi.save(update_fields=["language"])
    browser = log_in(staff_lishi)
    browser.get(reverse("home"))
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    browser.post(reverse("logout"))
    assert "Log in" in browser.get(reverse("login")).content.decode()  # the login page after her logout


def test_a_language_not_offered_is_refused_naming_the_field(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("profile"), {"language": "fr"})
    assert response.status_code == 400
    assert response.context["form"].errors["language"]
    assert User.objects.get(pk=staff_lishi.pk).language == "zh-hans"


def test_the_profile_page_shows_each_language_in_its_own_words(client, staff_lishi):
    client.force_login(staff_lishi)
    content = client.get(reverse("profile")).content.decode()
    assert "简体中文" in content and "English" in content


def test_no_page_carries_a_language_switcher(client, staff_lishi):
    client.force_login(staff_lishi)
    content = client.get(reverse("home")).content.decode()
    assert "i18n/setlang" not in content and 'name="language"' not in content
    assert 'href="/profile/"' in content


# --- the phone's 我的 page --------------------------------------------------------------------------

def test_a_caring_mother_chooses_english_on_her_phone(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.post(reverse("phone:me"), {"language": "en"})
    assert response.status_code == 302
    assert "My children" in client.get(reverse("phone:home")).content.decode()


def test_the_phone_has_a_me_tab(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    content = client.get(reverse("phone:home")).content.decode()
    assert f'href="{reverse("phone:me")}"' in content and "我的" in content


def test_a_caring_mother_opening_the_staff_profile_is_sent_to_her_phone_page(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("profile"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:me"))


# --- the API --------------------------------------------------------------------------------------

def test_an_api_token_client_keeps_the_requests_language(api_client_for, staff_lishi):
    staff_lishi.language = "en"
    staff_lishi.save(update_fields=["language"])
    response = api_client_for(staff_lishi).get("/api/v1/children/999999/")
    assert response.json() == {"detail": "未找到。"}
