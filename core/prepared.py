"""Hot queries built and compiled by the ORM once per process and shape, then run with new values.

For a small query the ORM spends far longer building the queryset (``filter``, ``annotate``,
``visible_to``) and compiling it to SQL than the database spends running it: a caring mother's visit
POST spent most of its time there. :class:`PreparedQuery` builds the queryset with stand-in values
(*sentinels*), compiles it once, notes which parameters of the SQL are which values, and from then on
runs that SQL with the caller's values, materialising rows through Django's own iterable (``ModelIterable``:
``select_related`` and annotations included). It is SQLAlchemy's compiled-statement cache in small. On
PostgreSQL the statement is also bound and prepared on the server (:func:`server_binding_cursor`), so
the database parses and plans it once per connection. :func:`insert_rows` does the same for the INSERTs
of a recorded visit.

What may be a value and what must be fixed:

- values (parameters, substituted per call): ints, strings, dates, UUIDs, lists or tuples of those
  (their length is part of the shape), and model instances (their primary key is the value);
- fixed arguments (``fixed=``, part of the shape: compiled once per combination): everything else the
  builder reads — booleans, a role. The SQL compiled for one shape serves every call with that shape,
  so a builder must not read anything from a value that changes the SQL (a model instance's attributes
  other than its key, for one: a caller whose SQL depends on them names them in ``shape=``, or passes
  ``prepared=False``).

Compiling checks that every value became a parameter of the SQL (not written into its text nor
dropped): a value that did not raises :class:`NotAParameter`, so a builder that bakes a value in can
never serve one caller's SQL to another. The SQL is compiled for a database alias (the router's read
alias for the model at the call, so the replica blocks of core.dbrouting still apply) and cached per
alias, shape, and number of list items; at most :data:`MAX_SHAPES` shapes per query are kept, later
ones run through the ORM uncached.
"""

import copy
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connections, models, router
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.query import ModelIterable, QuerySet
from django.db.models.sql import Query
from django.db.models.sql.compiler import cursor_iter
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI

MAX_SHAPES = 64

# Stand-ins: far from any real key or constant, inside a 32-bit integer (the ORM leaves a lookup out
# of the SQL when its value overflows the column's range).
_INT_BASE = 1_987_650_000
_DATE_BASE = date(1001, 1, 1)
_TEXT = "\x1fprepared-sentinel-{}\x1f"


class NotAParameter(Exception):
    """A value given to a PreparedQuery did not become a parameter of its SQL."""


@dataclass(frozen=True)
class _Slot:
    position: int  # in the SQL's parameters
    name: str  # the keyword argument
    index: int | None  # the item, for a list or tuple
    convert: Callable[[Any], Any]  # the value as the compiled SQL holds it (a key, a date as text…)


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple  # the compiled parameters; the slots' positions are replaced per call
    slots: tuple[_Slot, ...]
    # What ModelIterable reads off a compiler that has run as_sql().
    select: Any
    klass_info: Any
    annotation_col_map: Any
    col_count: int
    has_extra_select: bool
    # The columns' converters (SQLCompiler.get_converters), found at the first run.
    converters: dict = field(default_factory=dict, compare=False)

    def params_for(self, values: dict[str, Any]) -> list:
        params = list(self.params)
        for slot in self.slots:
            value = values[slot.name]
            if slot.index is not None:
                value = value[slot.index]
            params[slot.position] = slot.convert(value)
        return params


class _PreparedCompilerMixin:
    """A compiler whose SQL and select were compiled earlier (``as_sql`` does no work)."""

    def use(self, statement: _Statement, params: list) -> None:
        self._statement, self._params = statement, params
        self.select, self.klass_info = statement.select, statement.klass_info
        self.annotation_col_map, self.col_count = statement.annotation_col_map, statement.col_count
        self.has_extra_select = statement.has_extra_select

    def as_sql(self, with_limits=True, with_col_aliases=False):
        return self._statement.sql, self._params

    def execute_sql(self, result_type=MULTI, chunked_fetch=False, chunk_size=GET_ITERATOR_CHUNK_SIZE):
        if self.connection.vendor != "postgresql" or result_type != MULTI or chunked_fetch:
            return super().execute_sql(result_type, chunked_fetch, chunk_size)
        cursor = server_binding_cursor(self.connection)
        try:
            cursor.execute(self._statement.sql, self._params)
            return list(cursor_iter(cursor, self.connection.features.empty_fetchmany_value,
                                    self.col_count if self.has_extra_select else None, chunk_size))
        finally:
            cursor.close()

    def get_converters(self, expressions):
        cached = self._statement.converters
        if "columns" not in cached:
            cached["columns"] = super().get_converters(expressions)
        return cached["columns"]


class _ServerBoundDebugWrapper(CursorDebugWrapper):
    """Django's query log for a cursor that binds on the server: its statements are logged with their
    values written in (Django reads them off a client-side cursor, which this is not)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def server_binding_cursor(connection):
    """A Django cursor on ``connection`` (PostgreSQL) that binds its parameters on the server, so that
    psycopg prepares a statement it has run ``prepare_threshold`` times on the connection
    (settings.DB_PREPARED_STATEMENTS): the database then parses and plans it once per connection
    instead of on every run. Django's own cursors bind on the client and are never prepared."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    factory = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor  # for this one cursor: the connection's other queries keep theirs
    try:
        with connection.wrap_database_errors:
            cursor = connection.create_cursor()  # with the connection's time zone, as Django's own
    finally:
        raw.cursor_factory = factory
    return (_ServerBoundDebugWrapper if connection.queries_logged else CursorWrapper)(cursor, connection)


def preparing_cursor(connection):
    """A cursor whose statements are prepared where the database allows (PostgreSQL:
    :func:`server_binding_cursor`), for a hot statement written as SQL; elsewhere Django's own."""
    return server_binding_cursor(connection) if connection.vendor == "postgresql" else connection.cursor()


_compiler_classes: dict[type, type] = {}


def _compiler_class(connection) -> type:
    base = connection.ops.compiler("SQLCompiler")
    try:
        return _compiler_classes[base]
    except KeyError:
        return _compiler_classes.setdefault(base, type(f"Prepared{base.__name__}", (_PreparedCompilerMixin, base), {}))


class _PreparedSQLQuery(Query):
    """The query of a queryset that runs a prepared statement."""

    def __init__(self, model, statement: _Statement, params: list):
        super().__init__(model)
        self.statement, self.params = statement, params

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        connection = connection or connections[using]
        compiler = _compiler_class(connection)(self, connection, using, elide_empty)
        compiler.use(self.statement, self.params)
        return compiler


class _Sentinels:
    """Stand-ins for the values of one compilation, each unique, and the forms they may take as parameters."""

    def __init__(self):
        self._next = 0
        self.expected: list[tuple[str, int | None, Any]] = []  # (name, index, sentinel)

    def _number(self) -> int:
        self._next += 1
        return self._next

    def _one(self, name: str, index: int | None, value: Any) -> Any:
        n = self._number()
        if isinstance(value, bool) or value is None:
            raise TypeError(f"{name}: {value!r} decides the SQL's shape; pass it among the fixed arguments, not as a value")
        if isinstance(value, models.Model):
            sentinel = copy.copy(value)
            sentinel.pk = _INT_BASE + n
            # Without the caller's related rows (a token's user.volunteer, a prefetch): a builder that
            # reads one would otherwise write the first caller's key into the statement as a constant.
            # Read off the stand-in, a relation is looked up by the stand-in's key and not found.
            sentinel._state.fields_cache = {}
            sentinel.__dict__.pop("_prefetched_objects_cache", None)
        elif isinstance(value, int):
            sentinel = _INT_BASE + n
        elif isinstance(value, str):
            sentinel = _TEXT.format(n)
        elif isinstance(value, date) and not hasattr(value, "hour"):
            sentinel = _DATE_BASE + timedelta(days=n)
        elif isinstance(value, uuid.UUID):
            sentinel = uuid.UUID(int=(0x5E1_71E1 << 96) | n)
        else:
            raise TypeError(f"{name}: a {type(value).__name__} cannot be a prepared value")
        self.expected.append((name, index, sentinel))
        return sentinel

    def make(self, values: dict[str, Any]) -> dict[str, Any]:
        made = {}
        for name, value in values.items():
            if isinstance(value, list | tuple):
                made[name] = type(value)(self._one(name, i, item) for i, item in enumerate(value))
            else:
                made[name] = self._one(name, None, value)
        return made


def _forms(sentinel: Any) -> list[tuple[Any, Callable[[Any], Any]]]:
    """The forms a value may take among the compiled parameters, each with how to make it from a value."""
    if isinstance(sentinel, models.Model):
        return [(sentinel.pk, lambda v: v.pk)]
    if isinstance(sentinel, uuid.UUID):
        return [(sentinel, lambda v: v), (sentinel.hex, lambda v: v.hex), (str(sentinel), str)]
    if isinstance(sentinel, date):
        return [(sentinel, lambda v: v), (sentinel.isoformat(), lambda v: v.isoformat())]
    return [(sentinel, lambda v: v)]


def _same(param: Any, form: Any) -> bool:
    return type(param) is type(form) and param == form


def _compile(queryset: QuerySet, alias: str, sentinels: _Sentinels) -> _Statement:
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    slots = []
    for name, index, sentinel in sentinels.expected:
        found = False
        for form, convert in _forms(sentinel):
            if str(form) in sql:
                raise NotAParameter(f"{name} was written into the SQL, not passed as a parameter")
            for position, param in enumerate(params):
                if _same(param, form):
                    slots.append(_Slot(position, name, index, convert))
                    found = True
        if not found:
            raise NotAParameter(f"{name} is not a parameter of the compiled SQL")
    return _Statement(sql=sql, params=tuple(params), slots=tuple(slots), select=compiler.select,
                      klass_info=compiler.klass_info, annotation_col_map=compiler.annotation_col_map,
                      col_count=compiler.col_count, has_extra_select=compiler.has_extra_select)


class PreparedQuery:
    """``build(**values)`` returns a queryset of ``model``; :meth:`rows` runs it, compiled once per
    alias and shape.

    ``build`` is called with stand-ins for the values when a shape is first seen, and not again for it.
    Model rows only (no ``values()``, no ``prefetch_related``)."""

    def __init__(self, model: type[models.Model], build: Callable[..., QuerySet]):
        self.model, self.build = model, build
        self._statements: dict[Hashable, _Statement] = {}

    def rows(self, *, prepared: bool = True, fixed: Mapping[str, Hashable] | None = None, shape: Hashable = (),
             **values) -> list[models.Model]:
        """``build(**fixed, **values)``'s rows. ``fixed``: the arguments that shape the SQL (compiled
        once per combination); ``values``: those passed as its parameters (see the module); ``shape``:
        what else the SQL depends on that the builder reads off a value (an actor's role). With
        ``prepared=False`` the queryset is built and run as usual."""
        fixed = dict(fixed or {})
        if not prepared:
            return list(self.build(**fixed, **values))
        alias = router.db_for_read(self.model)
        key = (alias, shape, tuple(sorted(fixed.items())),
               tuple((name, len(value) if isinstance(value, list | tuple) else None)
                     for name, value in sorted(values.items())))
        statement = self._statements.get(key)
        if statement is None:
            if len(self._statements) >= MAX_SHAPES:
                return list(self.build(**fixed, **values))
            sentinels = _Sentinels()
            statement = _compile(self._checked(self.build(**fixed, **sentinels.make(values))), alias, sentinels)
            # One assignment (atomic): two threads compiling the same shape at once store equal statements.
            self._statements[key] = statement
        query = _PreparedSQLQuery(self.model, statement, statement.params_for(values))
        return list(QuerySet(model=self.model, query=query, using=alias))

    def _checked(self, queryset: QuerySet) -> QuerySet:
        if queryset.model is not self.model:
            raise TypeError(f"the builder returned {queryset.model.__name__} rows, not {self.model.__name__}")
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
            raise TypeError("a prepared query returns model rows: no values(), values_list() or prefetch_related()")
        return queryset


# --- Inserts --------------------------------------------------------------------------------------

_INSERTS: dict[tuple[type, str], tuple[str, list, list]] = {}


def _insert_statement(model: type[models.Model], connection) -> tuple[str, list, list]:
    """INSERT INTO the model's table: its SQL, the fields it writes and those it reads back."""
    key = (model, connection.alias)
    try:
        return _INSERTS[key]
    except KeyError:
        pass
    meta, quote = model._meta, connection.ops.quote_name
    returning = [f for f in meta.db_returning_fields if f.primary_key and f.db_returning]
    fields = [f for f in meta.local_concrete_fields if f not in returning and not getattr(f, "generated", False)]
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if returning:
        sql += f" RETURNING {', '.join(quote(f.column) for f in returning)}"
    return _INSERTS.setdefault(key, (sql, fields, returning))


def insert_rows(objs: list[models.Model]) -> list[models.Model]:
    """Insert new rows of one model, as ``save(force_insert=True)`` would (fields' ``pre_save``: an
    ``auto_now_add`` stamp; an auto primary key read back), with the INSERT built once per model and
    database, and prepared on PostgreSQL. No signals are sent (the app connects none); no parents
    (multi-table inheritance) nor database defaults. A taken primary key raises IntegrityError."""
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields, returning = _insert_statement(model, connection)
    cursor = preparing_cursor(connection)
    try:
        for obj in objs:
            if type(obj) is not model:
                raise TypeError("insert_rows takes rows of one model")
            cursor.execute(sql, [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            if returning:
                for f, value in zip(returning, cursor.fetchone(), strict=True):
                    setattr(obj, f.attname, value)
            obj._state.adding, obj._state.db = False, alias
    finally:
        cursor.close()
    return objs
