"""Check the audit trail (accounts.auditchain): every sealed row in order, unchanged and linked to the one
before, none missing at the end, and every row not yet sealed as the application wrote it.

Exit status 0 when intact; otherwise 1, naming the first row where the trail breaks. ``--seal`` first
chains what is waiting (as the beat task would)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import auditchain


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail and report the first row whose chain breaks."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="Seal the rows waiting first.")

    def handle(self, *args, seal: bool = False, **options):
        if seal:
            total = 0
            while sealed := auditchain.audit_seal():
                total += sealed
            self.stdout.write(f"Sealed {total} row(s).")
        result = auditchain.audit_verify()
        if not result.intact:
            where = f"row id {result.broken_id}" if result.broken_id is not None else "the end of the chain"
            raise CommandError(f"Audit trail broken at {where} (seq {result.broken_seq}): {result.problem}. "
                               f"{result.sealed} sealed row(s) before it are intact.")
        self.stdout.write(self.style.SUCCESS(
            f"Audit trail intact: {result.sealed} sealed row(s) in order, {result.checked - result.sealed} "
            "awaiting sealing, none changed."))
