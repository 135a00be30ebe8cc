"""The HTML shell and user/region management pages, per role."""

import pytest
from django.urls import reverse

from accounts.models import Region, User

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_shows_the_users_region_and_role(client, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("home")).content.decode()
    assert "离石区" in page
    assert "吕梁市" in page  # the path from the province down
    assert "妇联工作人员" in page


def test_pages_use_no_external_assets(client, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("home")).content.decode()
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page


def test_navigation_offers_user_management_to_admins_only(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    assert reverse("accounts:user-list") in client.get(reverse("home")).content.decode()
    client.force_login(staff_lishi)
    assert reverse("accounts:user-list") not in client.get(reverse("home")).content.decode()


def test_user_list_forbidden_to_staff(client, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get(reverse("accounts:user-list")).status_code == 403


def test_user_list_shows_only_the_admins_subtree(client, admin_lishi, staff_lishi, staff_yuci):
    client.force_login(admin_lishi)
    page = client.get(reverse("accounts:user-list")).content.decode()
    assert staff_lishi.username in page
    assert staff_yuci.username not in page


def test_user_detail_outside_scope_is_404(client, admin_lishi, staff_yuci):
    client.force_login(admin_lishi)
    assert client.get(reverse("accounts:user-detail", args=[staff_yuci.pk])).status_code == 404


def test_user_page_trail_leads_back_to_the_users(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    html = client.get(reverse("accounts:user-detail", args=[staff_lishi.pk])).content.decode()
    trail = html.split('class="trail"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{reverse("accounts:user-list")}">用户管理</a>' in trail
    assert f'<span aria-current="page">{staff_lishi.get_full_name()}</span>' in trail
    assert "←" not in html


def test_admin_creates_a_user_in_scope(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(reverse("accounts:user-create"), {
        "username": "ls_new", "name": "刘芳", "phone": "13935800011", "role": "staff",
        "region": "141102001000", "password": "Kx9!pl2mQ",
    })
    assert response.status_code == 302
    created = User.objects.get(username="ls_new")
    assert (created.role, created.region_id, created.created_by_id) == ("staff", "141102001000", admin_lishi.pk)


def test_create_form_offers_no_region_outside_scope(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(reverse("accounts:user-create"), {
        "username": "yc_new", "role": "staff", "region": "140702000000", "password": "Kx9!pl2mQ",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert not User.objects.filter(username="yc_new").exists()


def test_deactivate_from_the_user_page(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("accounts:user-deactivate", args=[staff_lishi.pk]))
    assert response.status_code == 302
    staff_lishi.refresh_from_db()
    assert not staff_lishi.is_active
    assert staff_lishi.deactivated_at is not None


def test_deactivating_outside_scope_is_404_and_changes_nothing(client, admin_lishi, staff_yuci):
    client.force_login(admin_lishi)
    assert client.post(reverse("accounts:user-deactivate", args=[staff_yuci.pk])).status_code == 404
    staff_yuci.refresh_from_db()
    assert staff_yuci.is_active


def test_region_page_lists_subregions_and_adds_a_village(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    url = reverse("accounts:region-detail", args=["141102001000"])
    response = client.post(url, {"code": "141102001201", "name": "王家坡村"})
    assert response.status_code == 302
    assert Region.objects.get(pk="141102001201").parent_id == "141102001000"
    assert "王家坡村" in client.get(url).content.decode()


def test_region_page_rejects_a_malformed_code_and_writes_nothing(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    before = Region.objects.count()
    response = client.post(reverse("accounts:region-detail", args=["141102001000"]), {"code": "14110200120", "name": "x"})
    assert response.status_code == 200
    assert "12 位" in response.content.decode() or "12" in response.content.decode()
    assert Region.objects.count() == before


def test_region_outside_scope_is_404(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    assert client.get(reverse("accounts:region-detail", args=["140702000000"])).status_code == 404


def test_healthz_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_english_is_chosen_on_the_profile_page(client, staff_lishi):
    client.force_login(staff_lishi)
    client.post(reverse("profile"), {"language": "en"})
    assert "Log out" in client.get(reverse("home")).content.decode()
