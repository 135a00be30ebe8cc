"""Fixtures for the tests of core/. The named actors and the region tree come from tests/conftest.py;
the children, caring-mother and pairing fixtures live in sibling conftests, which pytest only sees
below their own folder, so they are imported here (as tests/activities/conftest.py does)."""

from tests.children.conftest import child_lishi, child_yuci, make_child  # noqa: F401
from tests.pairing.conftest import pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401
