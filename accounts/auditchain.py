"""A tamper-evident audit trail: whoever can write to the database can still not edit, delete or insert
an audit row without ``manage.py verify_audit`` naming the first row where the trail breaks.

Two keyed hashes (HMAC-SHA256 with settings.AUDIT_HMAC_KEY, which is not in the database):

- ``mac``, written with the row (accounts.audit.audit_record), over what never changes once written:
  everything but a folded view's count, last time and address. A row edited, or inserted by hand
  without the key, fails it — sealed or not.
- ``hash``, the chain. :func:`audit_seal` (the beat task ``accounts.tasks.seal_audit``, every minute)
  gives each finished row the next ``seq``, the previous row's hash as ``prev_hash``, and ``hash`` =
  HMAC(previous hash, the row's whole content). A row is finished once nothing may change it: at once,
  but for a folded view (its count goes up all day), which is sealed the day after. A sealed row
  deleted leaves a gap in ``seq``; one edited no longer matches its hash; the last rows deleted no
  longer reach the head (:class:`~accounts.models.AuditChainHead`), whose seq and hash each sealing
  also writes to the log, for keeping outside the database.

The chain follows ``seq``, not ``id``: a row committed late (a long import) is sealed when it is there.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditChainHead, AuditEvent

logger = logging.getLogger(__name__)

# What a row's ``mac`` covers: fixed when it is written.
FIXED = ("at", "actor_id", "action", "target_type", "target_id", "target_label", "region_code", "detail",
         "changes", "day")
# What its ``hash`` covers, once sealed: the whole row.
WHOLE = (*FIXED, "ip", "count", "last_at")
SEAL_BATCH = 5000
HEAD = 1  # the primary key of the one AuditChainHead row


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _canonical(row: dict, names: tuple[str, ...]) -> bytes:
    return json.dumps({name: _plain(row.get(name)) for name in names}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), default=str).encode("utf-8")


def _hmac(data: bytes) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode("utf-8"), data, hashlib.sha256).hexdigest()


def row_mac(row: dict) -> str:
    """The ``mac`` of a row given as ``{field: value}`` (``actor_id``, not ``actor``)."""
    return _hmac(b"row\n" + _canonical(row, FIXED))


def chain_hash(previous: str, row: dict) -> str:
    """The ``hash`` of a row sealed after the row whose hash is ``previous`` ("" for the first)."""
    return _hmac(b"chain\n" + previous.encode("ascii") + b"\n" + _canonical(row, WHOLE))


def _rows(queryset):
    return queryset.values("id", "seq", "mac", "prev_hash", "hash", *WHOLE)


def sealable(today: date | None = None):
    """The rows not yet sealed whose content is final: all but today's folded views."""
    today = today or timezone.localdate()
    return AuditEvent.objects.filter(seq__isnull=True).exclude(day__gte=today)


@transaction.atomic
def audit_seal(*, batch: int = SEAL_BATCH) -> int:
    """Chain up to ``batch`` finished rows after the head, oldest first; returns how many. The head row
    is locked, so two sealers run one after the other."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=HEAD)
    rows = list(_rows(sealable().order_by("id"))[:batch])
    if not rows:
        return 0
    sealed = []
    seq, previous = head.last_seq, head.last_hash
    for row in rows:
        seq += 1
        digest = chain_hash(previous, row)
        sealed.append(AuditEvent(pk=row["id"], seq=seq, prev_hash=previous, hash=digest))
        previous = digest
    AuditEvent.objects.bulk_update(sealed, ["seq", "prev_hash", "hash"], batch_size=1000)
    head.last_seq, head.last_hash, head.sealed_at = seq, previous, timezone.now()
    head.save(update_fields=["last_seq", "last_hash", "sealed_at"])
    logger.info("Audit trail sealed to seq %s, hash %s", seq, previous)
    return len(rows)


@dataclass
class Verification:
    checked: int = 0
    sealed: int = 0
    # The first break: the row's id (None: rows missing at the end) and seq, and what is wrong.
    broken_id: int | None = None
    broken_seq: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem

    def _break(self, row: dict | None, problem: str, *, seq: int | None = None) -> "Verification":
        self.broken_id = row["id"] if row else None
        self.broken_seq = row["seq"] if row else seq
        self.problem = problem
        return self


def audit_verify(*, chunk: int = SEAL_BATCH) -> Verification:
    """Walk the sealed rows by ``seq`` and then the unsealed ones; stop at the first break."""
    result = Verification()
    expected, previous = 1, ""
    for row in _rows(AuditEvent.objects.filter(seq__isnull=False).order_by("seq")).iterator(chunk_size=chunk):
        result.checked += 1
        if row["seq"] != expected:
            return result._break(row, f"rows {expected}–{row['seq'] - 1} of the chain are missing (deleted)")
        if row["prev_hash"] != previous:
            return result._break(row, "its link to the previous row does not match (a row was removed or moved)")
        if row["mac"] != row_mac(row) or row["hash"] != chain_hash(previous, row):
            return result._break(row, "its content was changed after it was written")
        result.sealed += 1
        expected, previous = expected + 1, row["hash"]
    head = AuditChainHead.objects.filter(pk=HEAD).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, "")
    if (expected - 1, previous) != (last_seq, last_hash):
        return result._break(None, f"the chain ends at {expected - 1} but was sealed up to {last_seq} "
                                   "(the last rows were deleted)", seq=expected)
    for row in _rows(AuditEvent.objects.filter(seq__isnull=True).order_by("id")).iterator(chunk_size=chunk):
        result.checked += 1
        if row["mac"] != row_mac(row):
            return result._break(row, "it was not written by the application, or was changed since")
    return result
