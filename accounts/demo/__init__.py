"""Realistic, deterministic demo data for ``manage.py seed_demo``.

- :mod:`~accounts.demo.names`, :mod:`~accounts.demo.places`, :mod:`~accounts.demo.phones`: Chinese
  person names, township and village names, mobile numbers (pure functions of a ``random.Random``).
- :mod:`~accounts.demo.scales`: what ``small``, ``county`` and ``province`` mean.
- :mod:`~accounts.demo.steps`: the ordered list of seeding steps and the runner; each step is a
  function ``step(ctx: SeedContext) -> dict[str, int]`` (see :mod:`~accounts.demo.context`).
  Later apps add their own step (children, volunteers, pairings, activities) to ``STEPS``.
- :mod:`~accounts.demo.regions`, :mod:`~accounts.demo.users`: the first two steps.
"""
