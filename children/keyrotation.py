"""Re-encrypting every stored ID number under the first key of ID_NUMBER_KEYS (``manage.py rotate_id_keys``),
so that an old key can be removed from the list (children.identity decrypts with any listed key, encrypts
with the first).

What holds ID numbers encrypted: each child's ``id_number_encrypted``; the preview rows of a civil-affairs
list import not yet applied (``id_enc``); and an upload waiting for its preview job (the file itself).
The digest (ID_NUMBER_HASH_KEY) does not change.

First a read-only pass checks that a listed key opens every number: if one does not, nothing is written
and the command names the rows. Then in batches of ``batch`` children, by primary key, each batch in its own transaction with its rows locked
(an edit saved meanwhile is not overwritten). A row whose token the first key already opens is skipped,
so a run stopped half-way (or run again) takes up where it stopped: resumable by construction. Each run
is audited once at its end with the counts and the new key's fingerprint (never a key).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import AuditAction
from children import identity
from children.models import Child, LedgerImport, LedgerImportStatus

BATCH = 1000


@dataclass
class Rotation:
    total: int = 0
    done: int = 0  # children looked at
    rotated: int = 0
    current: int = 0  # already under the first key
    imports: int = 0  # list imports (previews, waiting uploads) re-encrypted
    unreadable: list[int] = field(default_factory=list)  # children no configured key opens

    def as_dict(self) -> dict:
        return {"children": self.total, "rotated": self.rotated, "already_current": self.current,
                "imports": self.imports, "unreadable": len(self.unreadable)}


def key_fingerprint() -> str:
    """The first 12 hex digits of the SHA-256 of the encrypting key: names it in logs without giving it."""
    keys = list(settings.ID_NUMBER_KEYS)
    raw = keys[0].encode() if keys else b"derived-from-SECRET_KEY"
    return hashlib.sha256(raw).hexdigest()[:12]


def _is_current(token: str, first: Fernet) -> bool:
    try:
        first.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def _children_batch(ids: list[int], first: Fernet, result: Rotation) -> None:
    with transaction.atomic():
        rows = list(Child.objects.select_for_update().filter(pk__in=ids).only("pk", "id_number_encrypted"))
        changed = []
        for child in rows:
            if _is_current(child.id_number_encrypted, first):
                result.current += 1
                continue
            try:
                child.id_number_encrypted = identity.rotate(child.id_number_encrypted)
            except InvalidToken:
                result.unreadable.append(child.pk)
                continue
            changed.append(child)
        Child.objects.bulk_update(changed, ["id_number_encrypted"])
        result.rotated += len(changed)
        result.done += len(rows)


def _imports(first: Fernet) -> int:
    """Re-encrypt the previews not yet applied and the uploads still waiting; returns how many imports."""
    count = 0
    waiting = (LedgerImport.objects.exclude(status=LedgerImportStatus.APPLIED)
               .values_list("pk", flat=True).order_by("pk"))
    for pk in waiting:
        with transaction.atomic():
            imp = LedgerImport.objects.select_for_update().get(pk=pk)
            touched = False
            for row in imp.preview.get("rows", []) if isinstance(imp.preview, dict) else []:
                token = row.get("id_enc")
                if token and not _is_current(token, first):
                    row["id_enc"] = identity.rotate(token)
                    touched = True
            if touched:
                imp.save(update_fields=["preview"])
            if imp.upload and imp.status == LedgerImportStatus.PENDING and imp.upload.storage.exists(imp.upload.name):
                with imp.upload.open("rb") as handle:
                    data = handle.read()
                try:
                    first.decrypt(data)
                except InvalidToken:
                    name = imp.upload.name
                    imp.upload.storage.delete(name)
                    imp.upload.storage.save(name, ContentFile(identity.rotate_bytes(data)))
                    touched = True
            count += touched
    return count


def unreadable_children(*, chunk: int = BATCH) -> list[int]:
    """The children whose ID number no listed key opens (read only: the check before any write)."""
    keys = identity._fernet()
    found = []
    rows = Child.objects.exclude(id_number_encrypted="").values_list("pk", "id_number_encrypted").order_by("pk")
    for pk, token in rows.iterator(chunk_size=chunk):
        try:
            keys.decrypt(token.encode())
        except InvalidToken:
            found.append(pk)
    return found


def id_keys_rotate(*, batch: int = BATCH, progress: Callable[[Rotation], None] | None = None) -> Rotation:
    """Re-encrypt every stored ID number under the first key (see the module); returns the counts.
    ``progress`` is called after each batch. First every number is checked: when one opens with none of
    the keys, nothing is written and ``unreadable`` names them."""
    first = identity.encrypting_key()
    result = Rotation(total=Child.objects.count())
    result.unreadable = unreadable_children(chunk=batch)
    if result.unreadable:
        return result
    last = 0
    while True:
        ids = list(Child.objects.filter(pk__gt=last).exclude(id_number_encrypted="").order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            break
        _children_batch(ids, first, result)
        last = ids[-1]
        if progress is not None:
            progress(result)
    result.imports = _imports(first)
    audit_record(actor=None, action=AuditAction.UPDATE, target_type="children.child", target_id="",
                 target_label="ID number key rotation",
                 detail={**result.as_dict(), "key": key_fingerprint()})
    return result
