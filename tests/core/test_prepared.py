"""core.prepared: hot queries compiled once per shape and run with each caller's values, and inserts
built once. The security property first: a statement compiled for one caring mother serves the next
one with her own key, never the first one's."""

from datetime import date
from uuid import uuid4

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from accounts.models import User
from accounts.tokens import _TOKEN
from activities import services as activity_services
from activities.models import Activity, ActivityChild
from children.models import Child
from core.access import role_of
from core.prepared import NotAParameter, PreparedQuery, insert_rows
from pairing.models import Pairing
from tests.activities.conftest import my_mother, record  # noqa: F401
from tests.children.conftest import make_child  # noqa: F401
from tests.pairing.conftest import START, mother_lishi, pair  # noqa: F401
from tests.test_settings_env import DEV, run
from tests.volunteers.conftest import make_volunteer, new_phone, volunteer_mother_lishi  # noqa: F401
from volunteers import services as volunteer_services
from volunteers.models import Volunteer

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")


def scoped_children():
    """A fresh query (its own cache): the children a caller sees among ``child_ids``."""
    built = []

    def build(*, actor, child_ids):
        built.append(actor)
        return Child.objects.visible_to(actor).filter(pk__in=child_ids).order_by("pk")

    query = PreparedQuery(Child, build)
    query.built = built
    return query


@pytest.fixture
def second_mother(make_volunteer, staff_lishi):  # noqa: F811
    """Another caring mother of 离石区 with a login of her own (``second_mother.user``)."""
    mother = make_volunteer(staff_lishi, name="王秀兰", phone=new_phone())
    volunteer_services.volunteer_create_login(actor=staff_lishi, volunteer=mother, username="mother_wang",
                                              password="Aixin#2026pass")
    mother.refresh_from_db()
    return mother


@pytest.fixture
def two_families(make_child, pair, staff_lishi, my_mother, second_mother):  # noqa: F811
    """``mine`` is paired with ``my_mother`` (login volunteer_lishi), ``hers`` with ``second_mother``."""
    mine = make_child(staff_lishi, name="张小一")
    hers = make_child(staff_lishi, name="王小二")
    pair(mine, my_mother)
    pair(hers, second_mother)
    return mine, hers


def test_two_caring_mothers_share_one_compiled_statement_and_each_sees_her_own_child(
        two_families, volunteer_lishi, second_mother):
    mine, hers = two_families
    query = scoped_children()
    first = query.rows(shape=role_of(volunteer_lishi), actor=volunteer_lishi, child_ids=[mine.pk, hers.pk])
    second = query.rows(shape=role_of(second_mother.user), actor=second_mother.user, child_ids=[mine.pk, hers.pk])
    assert (first, second, len(query.built)) == ([mine], [hers], 1)


def test_the_builder_is_given_stand_ins_not_the_callers_values(two_families, volunteer_lishi):
    mine, _hers = two_families
    query = scoped_children()
    query.rows(actor=volunteer_lishi, child_ids=[mine.pk])
    assert query.built[0].pk != volunteer_lishi.pk


def test_a_list_of_another_length_is_compiled_apart(two_families, volunteer_lishi, second_mother):
    mine, hers = two_families
    query = scoped_children()
    one = query.rows(actor=second_mother.user, child_ids=[hers.pk])
    two = query.rows(actor=second_mother.user, child_ids=[hers.pk, mine.pk])
    assert (one, two, len(query.built)) == ([hers], [hers], 2)


def test_unprepared_rows_are_built_from_the_callers_values_each_time(two_families, staff_lishi):
    mine, hers = two_families
    query = scoped_children()
    rows = [query.rows(prepared=False, actor=staff_lishi, child_ids=[mine.pk, hers.pk]) for _ in range(2)]
    assert (rows, query.built) == ([[mine, hers], [mine, hers]], [staff_lishi, staff_lishi])


def test_a_prepared_run_takes_one_query(two_families, volunteer_lishi, django_assert_num_queries):
    mine, _hers = two_families
    query = scoped_children()
    query.rows(actor=volunteer_lishi, child_ids=[mine.pk])
    with django_assert_num_queries(1):  # the compiled SELECT, nothing built
        assert query.rows(actor=volunteer_lishi, child_ids=[mine.pk]) == [mine]


def test_a_visits_checks_give_what_the_queryset_gives(two_families, volunteer_lishi, my_mother, record):  # noqa: F811
    # activities.services' rows for a visit: the scope, the latest pairing's dates, a repeat that day.
    mine, _hers = two_families
    day = date(2025, 6, 3)
    record(volunteer_lishi, children=[mine], occurred_on=day)  # the repeat that day
    values = {"actor": volunteer_lishi, "child_ids": [mine.pk], "volunteer": my_mother, "occurred_on": day,
              "repeat_kind": "home_visit", "activity_id": uuid4()}
    fixed = {"is_group": False}
    shown = ["pk", "name", "region_id", "pairing_started_on", "pairing_ended_on", "recorded_that_day"]

    def as_read(rows):
        return [[getattr(row, name) for name in shown] for row in rows]

    prepared = activity_services._CHILD_ROWS.rows(shape=role_of(volunteer_lishi), fixed=fixed, **values)
    plain = activity_services._CHILD_ROWS.rows(prepared=False, fixed=fixed, **values)
    assert as_read(prepared) == as_read(plain) == [[mine.pk, mine.name, mine.region_id, START, None, True]]


def test_select_related_rows_come_with_their_relations(volunteer_lishi, my_mother,  # noqa: F811
                                                       django_assert_num_queries):
    key = Token.objects.create(user=volunteer_lishi).key
    _TOKEN.rows(key=key)
    with django_assert_num_queries(1):
        token = _TOKEN.rows(key=key)[0]
        assert (token.user, token.user.volunteer) == (volunteer_lishi, my_mother)


def test_a_relation_cached_on_a_callers_instance_never_reaches_the_statement(two_families, volunteer_lishi,
                                                                              my_mother):  # noqa: F811
    # Her login read with her caring mother's row, as the token lookup reads it: a builder reading that
    # relation off the stand-in finds no caring mother, instead of writing hers into the statement.
    actor = User.objects.select_related("volunteer").get(pk=volunteer_lishi.pk)
    assert actor.volunteer == my_mother
    query = PreparedQuery(Child, lambda *, actor: Child.objects.filter(
        pk__in=Pairing.objects.filter(volunteer=actor.volunteer).values("child_id")))
    with pytest.raises(Volunteer.DoesNotExist):
        query.rows(actor=actor)


def test_a_value_written_into_the_sql_is_refused(two_families, volunteer_lishi):
    query = PreparedQuery(Child, lambda *, name: Child.objects.annotate(
        shown=RawSQL(f"'{name}'", [])))
    with pytest.raises(NotAParameter, match="name was written into the SQL"):
        query.rows(name="张小一")


def test_a_value_left_out_of_the_sql_is_refused(two_families):
    query = PreparedQuery(Child, lambda *, name: Child.objects.all())
    with pytest.raises(NotAParameter, match="name is not a parameter"):
        query.rows(name="张小一")


@pytest.mark.parametrize("value", [True, None])
def test_a_value_that_shapes_the_sql_must_be_fixed(two_families, value):
    query = PreparedQuery(Child, lambda *, flag: Child.objects.all())
    with pytest.raises(TypeError, match="fixed arguments"):
        query.rows(flag=value)


def test_values_and_prefetches_are_refused(two_families):
    query = PreparedQuery(Child, lambda *, pk: Child.objects.filter(pk=pk).values("name"))
    with pytest.raises(TypeError, match="model rows"):
        query.rows(pk=1)


@postgres_only
def test_the_statement_is_prepared_on_the_server_from_its_second_run(two_families, volunteer_lishi):
    mine, _hers = two_families
    query = scoped_children()
    for _ in range(2):
        query.rows(actor=volunteer_lishi, child_ids=[mine.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s AND NOT from_sql",
                       ['SELECT "children_child"."id"%"pairing_pairing"%'])
        assert cursor.fetchone()[0] >= 1


@postgres_only
def test_a_prepared_statement_is_logged_with_its_values(two_families, volunteer_lishi):
    mine, _hers = two_families
    query = scoped_children()
    with CaptureQueriesContext(connection) as captured:
        query.rows(actor=volunteer_lishi, child_ids=[mine.pk])
    assert f"IN ({mine.pk})" in captured.captured_queries[-1]["sql"]


# --- insert_rows -----------------------------------------------------------------------------------


def a_visit(mother, child, **fields) -> Activity:
    return Activity(id=uuid4(), volunteer=mother, region_id=child.region_id, occurred_on=date(2025, 6, 3),
                    kind="home_visit", services=["emotional"], content_digest="d" * 64, **fields)


def test_inserted_rows_read_back_as_written(two_families, my_mother, volunteer_lishi):  # noqa: F811
    mine, _hers = two_families
    activity = a_visit(my_mother, mine, notes="陪孩子读绘本", aid_value_yuan="12.50", created_by=volunteer_lishi)
    insert_rows([activity])
    stored = Activity.objects.get(pk=activity.pk)
    shown = ["volunteer_id", "region_id", "occurred_on", "kind", "services", "notes", "created_by_id", "created_at"]
    assert [getattr(stored, name) for name in shown] == [getattr(activity, name) for name in shown]
    assert str(stored.aid_value_yuan) == "12.50"


def test_an_auto_primary_key_is_read_back(two_families, my_mother):  # noqa: F811
    mine, _hers = two_families
    activity = insert_rows([a_visit(my_mother, mine)])[0]
    link = insert_rows([ActivityChild(activity=activity, child=mine, occurred_on=activity.occurred_on,
                                      region_id=mine.region_id)])[0]
    assert ActivityChild.objects.get(pk=link.pk).child_id == mine.pk
    assert (link._state.adding, activity._state.adding) == (False, False)


def test_a_taken_primary_key_is_an_integrity_error(two_families, my_mother):  # noqa: F811
    mine, _hers = two_families
    first = insert_rows([a_visit(my_mother, mine)])[0]
    again = a_visit(my_mother, mine)
    again.id = first.id
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([again])
    assert Activity.objects.filter(pk=first.pk).count() == 1


# --- the setting ------------------------------------------------------------------------------------

SHOW_THRESHOLDS = ("import django; django.setup(); from django.conf import settings; "
                   "print([settings.DATABASES[a]['OPTIONS'].get('prepare_threshold') for a in sorted(settings.DATABASES)])")
PRIMARY = {"DATABASE_URL": "postgres://aixin:secret@primary:5432/aixin",
           "DATABASE_REPLICA_URL": "postgres://aixin:secret@standby:5432/aixin"}


@pytest.mark.parametrize(("value", "shown"), [(None, "[1, 1]"), ("0", "[None, None]"), ("1", "[1, 1]")])
def test_db_prepared_statements_sets_psycopgs_threshold_on_both_aliases(tmp_path, value, shown):
    env = {**DEV, **PRIMARY, **({"DB_PREPARED_STATEMENTS": value} if value is not None else {})}
    result = run(["-c", SHOW_THRESHOLDS], env, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, shown), result.stderr


def test_a_wrong_db_prepared_statements_stops_start_up_naming_it(tmp_path):
    result = run(["-c", "import django; django.setup()"], {**DEV, **PRIMARY, "DB_PREPARED_STATEMENTS": "maybe"},
                 tmp_path)
    assert result.returncode != 0 and "DB_PREPARED_STATEMENTS" in result.stderr
