"""Realistic, deterministic demo data for ``manage.py seed_demo``.

This app sits at the top of the dependency graph: it imports every other app directly, and no
other app imports it (tests/test_dependency_graph.py checks that).

- :mod:`~demo.names`, :mod:`~demo.places`, :mod:`~demo.phones`: Chinese person names, township
  and village names, mobile numbers (pure functions of a ``random.Random``).
- :mod:`~demo.scales`: what ``small``, ``county`` and ``province`` mean.
- :mod:`~demo.context`: the state one run passes from step to step.
- :mod:`~demo.steps`: the ordered list of seeding steps and the runner; each step is a
  function ``step(ctx: SeedContext) -> dict[str, int]``.
- The steps: :mod:`~demo.regions`, :mod:`~demo.users`, :mod:`~demo.children` (children and
  needs), :mod:`~demo.volunteers`, :mod:`~demo.pairing`, :mod:`~demo.activities`.
"""
