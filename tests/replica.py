"""A ``replica`` database alias for the tests that prove which reads go to it (core.dbrouting).

``replica_alias`` (module-scoped, PostgreSQL only — skipped on SQLite) adds the alias as DATABASE_REPLICA_URL
would, pointed at the test database itself through a second connection (Django's ``TEST: MIRROR``): what a
streaming replica serves, minus the lag. A second connection sees only what is committed, so the tests using
it are transactional: ``pytestmark = [*REPLICA_MARKS]``. Module-scoped so that it is set up before the
test's database access (pytest-django checks ``databases=`` against the aliases then); removed, its
connection closed, after the module.

Capture each alias's queries with ``CaptureQueriesContext(connections["replica"])``.
"""

import copy
import re

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from core.dbrouting import REPLICA

REPLICA_MARKS = (
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
    pytest.mark.usefixtures("replica_alias"),
)

@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.skip("a second connection to the test database needs PostgreSQL (SQLite's is in memory or locked)")
    assert REPLICA not in settings.DATABASES  # config/test_settings.py drops a configured one
    # The default alias's settings as the connections read them: already the test database's (per xdist
    # worker), with every key Django fills in.
    replica = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    assert connections.settings is settings.DATABASES  # one dict: the router reads settings.DATABASES
    settings.DATABASES[REPLICA] = replica
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del settings.DATABASES[REPLICA]


def writes(captured) -> list[str]:
    """The statements of a CaptureQueriesContext that write (or lock rows to)."""
    return [q["sql"] for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) or " FOR UPDATE" in q["sql"].upper()]


def tables_read(captured) -> set[str]:
    """The tables named after FROM or JOIN in the captured queries (quoted names, as Django writes them)."""
    found = set()
    for query in captured.captured_queries:
        found.update(re.findall(r'(?:FROM|JOIN)\s+"([a-z0-9_]+)"', query["sql"]))
    return found
