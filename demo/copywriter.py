"""Writing the demo's big tables: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

A step asks the run's :class:`BulkLoad` (``ctx.bulk``) for a :class:`TableWriter` per table and
hands it rows, either as model instances (:meth:`TableWriter.add_instance`, for rows that are
built through model methods such as ``Child.compute_ages_out_on``) or as plain tuples of column
values (:meth:`TableWriter.add`, for the millions of activity rows, where making a model instance
per row would cost more than writing it). Either way the step builds each row once; the writer
decides how it reaches the database:

- PostgreSQL: rows are streamed with ``COPY … FROM STDIN`` (psycopg 3), without Django's SQL
  compilation or per-value preparation. Before the first row goes into a table its non-unique
  indexes and its outgoing foreign keys are set aside (dropped, their definitions kept) and
  :meth:`BulkLoad.finish` puts them back once everything is loaded, then ANALYZEs the tables:
  building an index once is far cheaper than updating it two million times, and checking a
  foreign key once with one join far cheaper than queueing a deferred check per row until commit.
  Primary keys, unique indexes and check constraints stay in place, so every row is still checked
  as it goes in. All of it is transactional, so a failed run leaves nothing behind.
- Elsewhere (SQLite, the embedded ``bin/run``): ``bulk_create`` in batches, as before.

Ids: a table whose ids later rows need (children, caring mothers) gets them from
:meth:`TableWriter.new_id` as each row is added: on PostgreSQL from the table's sequence in
blocks (``nextval``, so they never collide with rows inserted by anyone else), elsewhere counting
up from the highest id in use. Other tables leave the id to the database.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import Enum
from typing import Any

from django.db import connections, models, reset_queries
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from django.utils.functional import Promise

BATCH_SIZE = 5000
# COPY needs no batches for the statement's sake; rows are sent every this many to bound memory.
COPY_BATCH_SIZE = 20000
ID_BLOCK_MAX = 10000


# Fields whose Python values psycopg writes as Django would store them.
PLAIN_FIELDS = {
    models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField, models.BigIntegerField,
    models.SmallIntegerField, models.PositiveIntegerField, models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField, models.FloatField, models.DecimalField, models.BooleanField, models.DateField,
    models.DateTimeField, models.UUIDField,
}
TEXT_FIELDS = {models.CharField, models.TextField, models.SlugField, models.EmailField, models.URLField}


def _text(value: Any) -> Any:
    """A choices member or a lazy translation as the plain string Django would store."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Promise):
        return str(value)
    return value


def _json(encoder: type[json.JSONEncoder] | None) -> Callable[[Any], Any]:
    """A JSON value as its text; the few distinct lists of strings (an activity's services) are
    encoded once each."""
    memo: dict[tuple, str] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is list and all(isinstance(item, str) for item in value):
            key = tuple(value)
            text = memo.get(key)
            if text is None:
                text = json.dumps(value, cls=encoder)
                if len(memo) < 10000:
                    memo[key] = text
            return text
        return json.dumps(value, cls=encoder)

    return convert


class TableWriter:
    """Rows of one model, written in batches. ``columns`` are the attnames a tuple row gives, in
    order (:meth:`add`); :meth:`add_instance` reads the same attnames from an instance (default:
    every concrete field, the automatic primary key only with ``assign_ids``). With ``assign_ids``
    each instance added without an id gets one (:meth:`new_id`) before it is read, so rows added
    after it can point at it."""

    def __init__(self, load: "BulkLoad", model: type[Model], columns: Sequence[str] | None = None, *,
                 assign_ids: bool = False, batch_size: int | None = None) -> None:
        self.load, self.model, self.assign_ids = load, model, assign_ids
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]
        by_attname = {f.attname: f for f in fields}
        if columns is None:
            columns = [f.attname for f in fields
                       if assign_ids or not (f.primary_key and isinstance(f, AutoFieldMixin))]
        unknown = set(columns) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}.")
        self.columns = tuple(columns)
        self.fields = [by_attname[c] for c in self.columns]
        # Fields the rows do not give: "now" for auto_now(_add), else the default (computed per row
        # if it is a callable); an automatic primary key is left to the database.
        self.constant: list[tuple[models.Field, Any]] = []
        self.per_row: list[models.Field] = []
        self.stamped: list[models.Field] = []
        for field in fields:
            if field.attname in self.columns:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.stamped.append(field)
            elif field.primary_key and isinstance(field, AutoFieldMixin):
                continue
            elif field.has_default() and callable(field.default):
                self.per_row.append(field)
            else:  # as a new instance would have it: the default, else "" (text) or None
                self.constant.append((field, field.get_default()))
        # Instance rows: the foreign keys whose id may still be None on the instance while the
        # related object (made in the same run) has had its id assigned since.
        self.relations = [(i, f) for i, f in enumerate(self.fields) if f.is_relation and f.many_to_one]
        self.stamped_in_columns = [i for i, f in enumerate(self.fields)
                                   if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        self.batch_size = batch_size or (COPY_BATCH_SIZE if load.postgres else BATCH_SIZE)
        self.rows: list = []
        self.count = 0
        self._ids: Iterable[int] | None = None
        self._id_block = 64
        if load.postgres:
            self._converters = self._make_converters()

    # --- rows ---------------------------------------------------------------------------------------

    def add(self, *values: Any) -> None:
        """One row: values for :attr:`columns`, in that order."""
        if self.load.postgres:
            self.rows.append(values)
        else:
            self.rows.append(self.model(**dict(zip(self.columns, values, strict=True))))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def add_instance(self, obj: Model) -> None:
        """One row read from an unsaved instance (given its id first, with ``assign_ids``)."""
        if self.assign_ids and obj.pk is None:
            obj.pk = self.new_id()
        if self.load.postgres:
            values = [getattr(obj, c) for c in self.columns]
            for i, field in self.relations:
                if values[i] is None and field.is_cached(obj):
                    related = getattr(obj, field.name)
                    values[i] = getattr(related, field.target_field.attname) if related is not None else None
            self.rows.append(values)
        else:
            self.rows.append(obj)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def new_id(self) -> int:
        """The next id for a row of this table (see the module's docstring)."""
        if self._ids is None or (value := next(self._ids, None)) is None:
            self._ids = iter(self.load.reserve_ids(self.model, self._id_block))
            self._id_block = min(self._id_block * 2, ID_BLOCK_MAX)
            value = next(self._ids)
        return value

    def flush(self) -> None:
        if not self.rows:
            return
        if self.load.postgres:
            self._copy()
        else:
            self.model.objects.bulk_create(self.rows, batch_size=BATCH_SIZE)
        self.count += len(self.rows)
        self.rows = []
        reset_queries()  # under DEBUG, the log of multi-megabyte INSERTs would otherwise grow with every batch

    # --- PostgreSQL ---------------------------------------------------------------------------------

    def _make_converters(self) -> list[tuple[int, Callable[[Any], Any]]]:
        """Per column (given, then defaulted, then stamped), how a Python value becomes what COPY
        writes: as is for the plain types psycopg adapts as Django would, JSON as its text, choices
        and lazy strings as plain strings, anything else (a file, a custom field) through the
        field's own ``get_db_prep_save``."""
        connection = self.load.connection
        out = []
        for i, field in enumerate(self._copy_fields()):
            kind = type(field.target_field if field.is_relation else field)
            if kind in PLAIN_FIELDS:
                continue
            if kind in TEXT_FIELDS:
                out.append((i, _text))
            elif kind is models.JSONField:
                out.append((i, _json(field.encoder)))
            else:
                out.append((i, lambda v, f=field: f.get_db_prep_save(v, connection)))
        return out

    def _copy_fields(self) -> list[models.Field]:
        return [*self.fields, *(f for f, _v in self.constant), *self.per_row, *self.stamped]

    def _copy(self) -> None:
        connection = self.load.connection
        quote = connection.ops.quote_name
        self.load.set_aside(self.model)
        now = timezone.now()
        today = date.today()  # what DateField.pre_save stamps

        def stamp(field: models.Field) -> Any:
            return now if isinstance(field, models.DateTimeField) else today

        names = ", ".join(quote(f.column) for f in self._copy_fields())
        sql = f"COPY {quote(self.model._meta.db_table)} ({names}) FROM STDIN"
        converters, per_row = self._converters, self.per_row
        stamped_in_columns = [(i, stamp(self.fields[i])) for i in self.stamped_in_columns]
        tail = (*(v for _f, v in self.constant),)
        stamps = tuple(stamp(f) for f in self.stamped)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for row in self.rows:
                row = [*row, *tail, *(f.get_default() for f in per_row), *stamps]
                for i, convert in converters:
                    row[i] = convert(row[i])
                for i, value in stamped_in_columns:
                    if row[i] is None:
                        row[i] = value
                write(row)


class BulkLoad:
    """The writers of one run and, on PostgreSQL, the indexes and foreign keys set aside meanwhile."""

    def __init__(self, using: str = "default") -> None:
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        self.writers: list[TableWriter] = []
        self._next_free: dict[type[Model], int] = {}
        self._indexes: dict[str, list[str]] = {}  # table → CREATE INDEX statements
        self._foreign_keys: dict[str, list[str]] = {}  # table → ALTER TABLE … ADD CONSTRAINT statements
        self._tuned = False

    def writer(self, model: type[Model], columns: Sequence[str] | None = None, *, assign_ids: bool = False,
               batch_size: int | None = None) -> TableWriter:
        writer = TableWriter(self, model, columns, assign_ids=assign_ids, batch_size=batch_size)
        self.writers.append(writer)
        return writer

    def reserve_ids(self, model: type[Model], count: int) -> list[int]:
        pk = model._meta.pk
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [self.connection.ops.quote_name(table), pk.column, count])
                return [row[0] for row in cursor.fetchall()]
            if model not in self._next_free:
                cursor.execute(f"SELECT MAX({self.connection.ops.quote_name(pk.column)}) "
                               f"FROM {self.connection.ops.quote_name(table)}")
                highest = cursor.fetchone()[0] or 0
                if self.connection.vendor == "sqlite":  # AUTOINCREMENT: never reuse an id once given
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                    row = cursor.fetchone()
                    highest = max(highest, row[0] if row else 0)
                self._next_free[model] = highest + 1
        first = self._next_free[model]
        self._next_free[model] = first + count
        return list(range(first, first + count))

    # --- PostgreSQL: indexes and foreign keys ------------------------------------------------------

    def set_aside(self, model: type[Model]) -> None:
        """Drop ``model``'s table's non-unique indexes and outgoing foreign keys, keeping their
        definitions for :meth:`finish` (once per table)."""
        table = model._meta.db_table
        if table in self._indexes:
            return
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            if not self._tuned:
                # For the CREATE INDEX at the end; SET LOCAL ends with the transaction.
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                self._tuned = True
            cursor.execute("""
                SELECT c.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                  AND k.conrelid = i.indrelid)
                ORDER BY c.relname""", [quote(table)])
            indexes = cursor.fetchall()
            cursor.execute("""
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname""", [quote(table)])
            foreign_keys = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            if foreign_keys:
                # Dropping a foreign key alters the referenced table too, which PostgreSQL refuses
                # while rows inserted earlier in the transaction still wait for their deferred
                # checks: run those checks now, then defer again (Django's foreign keys are all
                # DEFERRABLE INITIALLY DEFERRED).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for name, _definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self._indexes[table] = [definition for _name, definition in indexes]
        self._foreign_keys[table] = [f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                                     for name, definition in foreign_keys]

    def pending(self) -> int:
        """How many statements :meth:`finish` will run (for a progress bar)."""
        return sum(len(v) + 1 for v in self._indexes.values()) + sum(len(v) for v in self._foreign_keys.values())

    def flush(self) -> None:
        """Write every writer's pending rows."""
        for writer in self.writers:
            writer.flush()

    def finish(self, advance: Callable[[], None] = lambda: None) -> dict[str, int]:
        """Write what is left, then put back what :meth:`set_aside` took away: ANALYZE each loaded
        table (so the foreign-key checks below are planned with real sizes), build its indexes,
        and re-add its foreign keys, each checked over the whole table at once."""
        self.flush()
        quote = self.connection.ops.quote_name
        made = {"indexes": 0, "foreign keys": 0}
        with self.connection.cursor() as cursor:
            for table, statements in self._indexes.items():
                cursor.execute(f"ANALYZE {quote(table)}")
                advance()
                for statement in statements:
                    cursor.execute(statement)
                    made["indexes"] += 1
                    advance()
            for statements in self._foreign_keys.values():
                for statement in statements:
                    cursor.execute(statement)
                    made["foreign keys"] += 1
                    advance()
        self._indexes, self._foreign_keys = {}, {}
        return made
