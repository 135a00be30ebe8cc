"""Recording reads and changes of sensitive records (PIPL) and every privilege change: one call per
audited action, inside the service's transaction, so the record and its trace commit together.

The client's address comes from the request being served (core.request_context); services never take
the request. Views of a record are folded: one row per user, record and day, counting the views.
"""

from collections.abc import Mapping

from django.db import connections, models, router
from django.utils import timezone

from accounts.auditchain import row_mac
from accounts.models import AuditAction, AuditEvent
from core.request_context import current_client_ip


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    region_code: str = "",
    changes: Mapping[str, tuple | list] | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit event. ``changes`` is ``{field: (old, new)}`` (values must be JSON: codes,
    ids, strings, numbers, ISO dates). A VIEW is folded into the actor's row for that record today."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or _label(target)
        region_code = region_code or (getattr(target, "region_id", "") or "")
    fields = {
        "actor": actor if getattr(actor, "pk", None) else None,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label[:120],
        "region_code": region_code or "",
        "ip": current_client_ip(),
        "detail": detail or {},
        "changes": {field: [old, new] for field, (old, new) in (changes or {}).items()},
    }
    if action == AuditAction.VIEW and fields["actor"] is not None:
        return _fold_view(fields)
    fields["at"] = timezone.now()
    return AuditEvent.objects.create(**fields, mac=_mac(fields, day=None))


def _mac(fields: dict, *, day) -> str:
    """The row's keyed hash as written (accounts.auditchain): what nobody may change afterwards."""
    return row_mac({**fields, "actor_id": getattr(fields["actor"], "pk", fields["actor"]), "day": day})


def _fold_view(fields: dict) -> AuditEvent:
    """Count one more view on today's row of this actor and record, or start it: ONE statement
    (INSERT … ON CONFLICT DO UPDATE, on PostgreSQL and SQLite alike), so a page's query count does not
    depend on whether it was already seen today, and concurrent views cannot lose a count."""
    now = timezone.now()
    day = timezone.localdate()
    row = {**fields, "actor": fields["actor"].pk, "day": day, "last_at": now, "at": now, "count": 1}
    row["mac"] = _mac(row, day=day)  # the first view's: the row keeps it, its count and last time go on
    row.update(prev_hash="", hash="")  # sealed the next day (accounts.auditchain)
    meta = AuditEvent._meta
    connection = connections[router.db_for_write(AuditEvent)]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [meta.get_field(name) for name in row]
    values = [field.get_db_prep_save(row[field.name], connection) for field in columns]
    key = ", ".join(quote(meta.get_field(name).column) for name in ("actor", "action", "target_type",
                                                                       "target_id", "day"))
    sql = (f"INSERT INTO {table} ({', '.join(quote(f.column) for f in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({key}) DO UPDATE SET {quote('count')} = {table}.{quote('count')} + 1, "
           f"{quote('last_at')} = EXCLUDED.{quote('last_at')}, {quote('ip')} = EXCLUDED.{quote('ip')} "
           f"RETURNING {quote('id')}, {quote('count')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        pk, count = cursor.fetchone()
    # The day's row as far as this view knows it (``at`` of a folded row is the first view's: re-read it
    # when that matters).
    event = AuditEvent(**{**fields, "day": day, "last_at": now, "at": now, "count": count, "mac": row["mac"]}, pk=pk)
    event._state.adding = False
    return event


def _label(target) -> str:
    label = getattr(target, "audit_label", None)
    return label() if callable(label) else str(target)
