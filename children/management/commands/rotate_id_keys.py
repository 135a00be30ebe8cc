"""Re-encrypt every stored ID number under the first key of ID_NUMBER_KEYS (children.keyrotation), printing
the progress; resumable (a second run skips what is done) and audited. The README gives the procedure."""

from django.core.management.base import BaseCommand, CommandError

from children import keyrotation


class Command(BaseCommand):
    help = "Re-encrypt every stored ID number with the first key of ID_NUMBER_KEYS (resumable, audited)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=keyrotation.BATCH, help="Children per transaction.")

    def handle(self, *args, batch: int, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        self.stdout.write(f"Encrypting key: {keyrotation.key_fingerprint()} (SHA-256 prefix)")

        def progress(run: keyrotation.Rotation) -> None:
            share = 100 * run.done / run.total if run.total else 100
            self.stdout.write(f"{run.done}/{run.total} children ({share:.1f}%): {run.rotated} re-encrypted, "
                              f"{run.current} already under the key")

        run = keyrotation.id_keys_rotate(batch=batch, progress=progress)
        if run.unreadable:
            raise CommandError(f"{len(run.unreadable)} child record(s) open with none of ID_NUMBER_KEYS (ids "
                               f"{', '.join(map(str, run.unreadable[:20]))}): nothing was re-encrypted. Add the key "
                               "they were written with back to the list and run again. Do not remove any key yet.")
        self.stdout.write(f"List imports re-encrypted: {run.imports}")
        self.stdout.write(self.style.SUCCESS(
            f"Done: {run.rotated} re-encrypted, {run.current} already under the key. Every ID number now opens "
            "with the first key; the others can be removed from ID_NUMBER_KEYS."))
