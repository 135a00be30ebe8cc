"""Shared fixtures: the real slice of the region tree, named actors, and API clients.

Region tree (``regions``), loaded with ``accounts.services.regions_import`` — the code path
``manage.py load_regions`` uses::

    山西省 140000000000
    ├── 吕梁市 141100000000
    │   └── 离石区 141102000000
    │       └── 滨河街道 141102001000 (township)
    │           └── 东关村 141102001200 (village)
    └── 晋中市 140700000000
        └── 榆次区 140702000000
            └── 修文镇 140702100000 (township)

Named actors (each a ``User`` with password ``tests.factories.PASSWORD``, username = fixture name):

==================  ===========  =====================  =======================================
fixture             role         region                 what they may do
==================  ===========  =====================  =======================================
``staff_lishi``     staff        离石区                 edits records in 离石区
``staff_yuci``      staff        榆次区                 edits records in 榆次区 (outside 离石区)
``viewer_lvliang``  viewer       吕梁市                 reads all of 吕梁市 (the read-only leader)
``admin_province``  admin        山西省                 manages users of the whole province
``admin_lishi``     admin        离石区                 manages users of 离石区 only
``volunteer_lishi`` volunteer    东关村 (离石区 village) sees only themself and their pairings
``superuser``       (superuser)  none                   everything
==================  ===========  =====================  =======================================

API clients: ``api_client`` is anonymous; ``api_client_for(user)`` logs ``user`` in through
``POST /api/v1/auth/token/`` and returns an ``APIClient`` sending ``Authorization: Token <key>``.
Real tokens rather than ``force_authenticate``: the token path (and django-axes, which watches it)
is then exercised by every API test, and deactivating a user visibly cuts off their client.
Pass ``password=`` for users created with another password.

Query counting: pytest-django's ``django_assert_num_queries`` / ``django_assert_max_num_queries``.

The clock (tests/clock.py): every test runs with "now" pinned, never on the real clock. A test that
depends on the day asks for ``today`` and runs once on each of ``clock.CALENDAR_DAYS`` (the 1st, the
15th, a month's last day, 31 December, 29 February).
"""

import os
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Region
from accounts.roles import Role
from tests import clock, factories
from tests.factories import PASSWORD, REGION_ROWS, UserFactory


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Celery tasks run in-process in every test, as in the embedded default, also on the PostgreSQL +
    Redis run — but for the tests marked ``redis``, which start real workers. Otherwise the other tests'
    tasks (sent when a transaction commits) would pile up in Redis for those workers to take."""
    if request.node.get_closest_marker("redis"):
        yield
        return
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# The modules that render PDFs (WeasyPrint) and read them back: minutes of layout, the same on any
# database (the figures they lay out are tested on both). Marked ``pdf``; CI's PostgreSQL run leaves
# them out to stay within its time (.ci/run).
PDF_MODULES = ("tests/reports/test_pdf.py", "tests/submissions/test_report.py", "tests/pairing/test_paircard.py",
               "tests/exports/test_access_copy.py")


def _days_left_out() -> set:
    """The calendar days (tests/clock.py CALENDAR names) the ``today`` tests skip this run:
    ``AIXIN_TEST_DAYS=month-end,dec-31,feb-29`` runs them on those days only (CI's PostgreSQL run, the
    other days having run on SQLite). Unset: every day. An unknown name stops the run, naming it."""
    wanted = [name.strip() for name in os.environ.get("AIXIN_TEST_DAYS", "").split(",") if name.strip()]
    names = dict(clock.CALENDAR)
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise pytest.UsageError(f"AIXIN_TEST_DAYS: unknown day {unknown[0]!r}; use some of {', '.join(names)}")
    return {day for name, day in clock.CALENDAR if name not in wanted} if wanted else set()


# The browser tests run on two of the calendar days: the 1st (at 07:30 Beijing the UTC date is still the
# last month's: the phone's "today" against the server's) and 29 February; the other days' date logic
# is the server's, tested on all five by the rest of the suite.
E2E_DAYS_LEFT_OUT = {day for name, day in clock.CALENDAR if name not in ("1st", "feb-29")}


def _argnames(mark) -> list[str]:
    names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
    return [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the xdist_group marks added here
def pytest_collection_modifyitems(config, items):
    """The tests that start real Celery workers (marked ``redis``) run one after another in one pytest
    worker (bin/test distributes with ``--dist loadgroup``): workers of two tests at once share Redis's
    list of unacknowledged tasks, and one test's worker timing another's hand-over made it flaky. The
    tests of :data:`PDF_MODULES` are marked ``pdf``. The ``today`` tests of the days
    :func:`_days_left_out` names are deselected."""
    left_out_days = _days_left_out()
    kept, deselected = [], []
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("celery-workers"))
        if item.nodeid.startswith(PDF_MODULES):
            item.add_marker(pytest.mark.pdf)
        callspec = getattr(item, "callspec", None)
        explicit = any("today" in _argnames(mark) for mark in item.iter_markers("parametrize"))
        day = callspec.params.get("today") if callspec is not None and not explicit else None
        if day in left_out_days or (day in E2E_DAYS_LEFT_OUT and item.get_closest_marker("e2e")):
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _pinned_clock():
    """The whole session runs on ``clock.DEFAULT_TODAY`` (session- and module-scoped fixtures too)."""
    with clock.pinned(clock.DEFAULT_TODAY):
        yield


@pytest.fixture(params=[day for _id, day in clock.CALENDAR], ids=[name for name, _day in clock.CALENDAR])
def today(request):
    """The pinned day of a date-sensitive test: it runs once on each of ``clock.CALENDAR_DAYS``."""
    return request.param


@pytest.fixture(autouse=True)
def _clock_for_test(request):
    """Move the clock to the test's ``today`` before any of its other function-scoped fixtures run."""
    if "today" not in request.fixturenames:
        yield
        return
    with clock.pinned(request.getfixturevalue("today")):
        yield


@pytest.fixture
def regions(db) -> SimpleNamespace:
    """The slice of the tree above, as ``regions.shanxi``, ``.lvliang``, ``.lishi``, ``.lishi_township``,
    ``.lishi_village``, ``.jinzhong``, ``.yuci``, ``.yuci_township`` (``Region`` instances)."""
    services.regions_import(rows=REGION_ROWS)
    by_code = Region.objects.in_bulk([code for code, _name in REGION_ROWS])
    return SimpleNamespace(
        shanxi=by_code[factories.SHANXI],
        lvliang=by_code[factories.LVLIANG],
        lishi=by_code[factories.LISHI],
        lishi_township=by_code[factories.LISHI_TOWNSHIP],
        lishi_village=by_code[factories.LISHI_VILLAGE],
        jinzhong=by_code[factories.JINZHONG],
        yuci=by_code[factories.YUCI],
        yuci_township=by_code[factories.YUCI_TOWNSHIP],
    )


@pytest.fixture
def staff_lishi(regions):
    """Federation staff at 离石区: edits records in the 离石区 subtree."""
    return UserFactory(username="staff_lishi", name="李敏", role=Role.STAFF, region=regions.lishi)


@pytest.fixture
def staff_yuci(regions):
    """Federation staff at 榆次区 (晋中市): outside everything scoped to 离石区 or 吕梁市."""
    return UserFactory(username="staff_yuci", name="张丽", role=Role.STAFF, region=regions.yuci)


@pytest.fixture
def viewer_lvliang(regions):
    """A read-only leader at 吕梁市: reads the whole city (including 离石区), changes nothing."""
    return UserFactory(username="viewer_lvliang", name="王芳", role=Role.VIEWER, region=regions.lvliang)


@pytest.fixture
def admin_province(regions):
    """The provincial administrator: manages every non-superuser in 山西省."""
    return UserFactory(username="admin_province", name="赵红", role=Role.ADMIN, region=regions.shanxi)


@pytest.fixture
def admin_lishi(regions):
    """The 离石区 administrator: manages users of the 离石区 subtree only."""
    return UserFactory(username="admin_lishi", name="刘霞", role=Role.ADMIN, region=regions.lishi)


@pytest.fixture
def volunteer_lishi(regions):
    """A caring-mother volunteer living in 东关村 (a 离石区 village)."""
    return UserFactory(username="volunteer_lishi", name="陈桂英", role=Role.VOLUNTEER, region=regions.lishi_village)


@pytest.fixture
def superuser(regions):
    """A superuser with no region: sees and manages everything, including other superusers.

    Depends on ``regions`` like every actor, so a test naming any actor has the tree loaded."""
    return UserFactory(username="superuser", name="系统管理员", role=Role.ADMIN, region=None, is_superuser=True)


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous DRF client."""
    return APIClient()


@pytest.fixture
def api_client_for(db):
    """``api_client_for(user, password=PASSWORD)`` → an ``APIClient`` authenticated with a real token."""

    def make(user, *, password: str = PASSWORD) -> APIClient:
        client = APIClient()
        response = client.post("/api/v1/auth/token/", {"username": user.username, "password": password},
                               format="json")
        assert response.status_code == 200, response.content.decode()
        client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return client

    return make
