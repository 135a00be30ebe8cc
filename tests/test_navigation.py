"""The navigation (accounts.context_processors): defined once, filtered by the views' own allow-lists —
every link shown to a role opens for that role, every section a role may open is offered — grouped for
the side bar, marking the current section, with a breadcrumb trail (templates/base.html). Pages render in
Chinese (the default language)."""

import pytest
from django.urls import resolve, reverse

from accounts.context_processors import NAVIGATION, access_of, visible_navigation
from accounts.roles import Role
from core.access import role_of

pytestmark = pytest.mark.django_db

ACTORS = ["superuser", "admin_lishi", "staff_lishi", "viewer_lvliang", "volunteer_lishi"]
NAMES = [name for _group, items in NAVIGATION for _label, name in items]


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith("admin:")])
def test_every_nav_target_is_a_guarded_page(name):
    assert resolve(reverse(name)).func.access == access_of(name)


@pytest.mark.parametrize("actor", ACTORS)
def test_every_link_shown_opens_for_the_role_and_every_page_it_may_open_is_shown(request, client, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    shown = {url for _group, links in visible_navigation(user) for _label, url, _name in links}
    for name in NAMES:
        url = reverse(name)
        if name.startswith("admin:"):
            assert (url in shown) == (role_of(user) == Role.ADMIN and user.is_staff)
            continue
        assert (url in shown) == (role_of(user) in resolve(url).func.access), name
        if url in shown and role_of(user) != Role.VOLUNTEER:
            assert client.get(url).status_code == 200, name


def test_a_caring_mother_gets_no_side_bar_and_no_trail(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("rhythm:notifications"))
    assert response.context["nav_groups"] == [] and response.context["nav_current"] is None
    assert b'class="sidenav"' not in response.content and b'class="trail"' not in response.content


def test_a_viewer_has_the_federation_groups_but_not_the_administration(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    groups = [str(group) for group, _links in client.get(reverse("home")).context["nav_groups"]]
    assert groups == ["None", "台账", "爱心妈妈与结对", "关爱服务", "统计与报表"]


def test_the_current_section_is_marked_and_the_trail_leads_home(client, staff_lishi):
    client.force_login(staff_lishi)
    html = client.get(reverse("volunteers:training-list")).content.decode()
    trail = html.split('class="trail"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("home")}"' in trail and "爱心妈妈与结对" in trail
    assert '<span aria-current="page">赋能培训</span>' in trail
    sidenav = html.split('class="sidenav"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{reverse("volunteers:training-list")}" aria-current="page">' in sidenav
    # The caring mothers' roster is a shorter prefix of the trainings' URL: not marked.
    assert f'<a href="{reverse("volunteers:list")}" aria-current' not in sidenav


def test_a_page_inside_a_section_marks_the_section_and_links_back_to_it(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("activities:create"))
    assert response.context["nav_current"][2] == reverse("activities:list")
    html = response.content.decode()
    assert f'<a href="{reverse("activities:list")}" aria-current="true">' in html
    trail = html.split('class="trail"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{reverse("activities:list")}">关爱活动</a>' in trail


def test_the_report_and_statistics_pages_have_distinct_names(client, staff_lishi):
    client.force_login(staff_lishi)
    labels = {url: str(label) for label, url in client.get(reverse("home")).context["nav_items"]}
    assert labels[reverse("reports:list")] == "月度报表"
    assert labels[reverse("reports:dashboard")] == "数据统计"
    assert labels[reverse("children:need-list")] == "急难愁盼"
