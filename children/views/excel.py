"""Excel into the ledger: the civil-affairs (民政) list template, upload, preview and apply
(children.reconcile). The ledger's export is a job of the exports app (children.export writes it).

The upload only stores the file; a Celery task builds the preview, and the preview page refreshes
itself while the import is ``pending`` (at once with the in-process tasks of the embedded default). The
confirmation is a job too: the import is ``applying`` while another task applies it, the page
refreshing itself meanwhile. An import pending or applying so long that its job is lost is failed when
its page is opened (reconcile.import_fail_if_lost)."""

from io import BytesIO

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Region
from children import reconcile
from children.models import LedgerImport, LedgerImportStatus
from children.services import EDIT_MESSAGE
from children.xlsx_template import MAX_ROWS, MAX_UPLOAD_BYTES, template_bytes
from core.access import EDIT, READ, require
from core.forms import attach_service_errors
from core.regioncodes import CITY, COUNTY, LEVELS, PROVINCE, TOWNSHIP
from core.regions import region_options
from core.widgets import RegionField
from core.xlsx import CONTENT_TYPE as XLSX

# Rows listed per preview section; the counts are always complete.
PREVIEW_LISTED = 1000
# Seconds between reloads of the preview page while the preview is being built.
PENDING_REFRESH_SECONDS = 2
RECENT_IMPORTS = 20
# The statuses in which a job (the preview's, the apply's) works on the import.
_JOB_STATUSES = (LedgerImportStatus.PENDING, LedgerImportStatus.APPLYING)
# Levels an import can cover: a list is compared with the ledger of a region down to a township.
_IMPORT_LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP)
# A superuser (no region) is offered the provinces, cities and counties only.
_SUPERUSER_DEPTH = 3
NO_LEDGER_MESSAGE = _lazy("Volunteers do not work with the ledger.")


class UploadForm(forms.Form):
    file = forms.FileField(label=_lazy("Civil-affairs list (.xlsx)"))
    region = RegionField(label=_lazy("Compare with the ledger of"),
                         help_text=_lazy("Children of this region missing from the list are shown as "
                                         "candidates for exit."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The user's region and every region under it down to townships, with their codes: a select while
        # they fit, else the search picker (core.widgets).
        self.fields["region"].offer(
            Region.objects.manageable_by(user), levels=_IMPORT_LEVELS, with_province=not user.region_id,
            blank_choice=False, options=region_options(user, depth=len(LEVELS) if user.region_id else _SUPERUSER_DEPTH,
                                                       levels=_IMPORT_LEVELS, with_codes=True))
        self.fields["region"].initial = user.region_id
        self.fields["file"].widget.attrs["accept"] = ".xlsx," + XLSX
        self.fields["file"].help_text = _("Use the template's headers. At most %(mb)s MB and %(rows)s rows.") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024), "rows": f"{MAX_ROWS:,}"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an .xlsx file (Excel workbook). Save an .xls or .csv list as .xlsx first."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than %(mb)s MB. Split the list and import it in parts.")
                                  % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return upload


@require(READ, NO_LEDGER_MESSAGE)
@require_safe
def import_template(request):
    return FileResponse(BytesIO(template_bytes()), as_attachment=True, filename="民政儿童名单导入模板.xlsx",
                        content_type=XLSX)


@require(EDIT, EDIT_MESSAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def import_upload(request):
    user = request.user
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            ledger_import = reconcile.import_upload(
                actor=user, region=form.cleaned_data["region"],
                file_name=upload.name, data=upload.read())
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            return redirect("children:import-preview", pk=ledger_import.pk)
    recent = (LedgerImport.objects.visible_to(user).select_related("region", "uploaded_by")
              .defer("preview")[:RECENT_IMPORTS])
    return render(request, "children/excel/import_upload.html", {"form": form, "recent": recent})


def _section(rows: list[dict], kind: str) -> dict:
    chosen = [r for r in rows if r["kind"] == kind]
    return {"rows": chosen[:PREVIEW_LISTED], "hidden": max(len(chosen) - PREVIEW_LISTED, 0)}


def _error_lines(rows: list[dict]) -> dict:
    """One line per error, in row order, for the errors table."""
    lines = [{"row": r["row"], "name": r["name"], "id_masked": r["id_masked"], **e}
             for r in rows if r["kind"] == reconcile.ERROR for e in r["errors"]]
    return {"rows": lines[:PREVIEW_LISTED], "hidden": max(len(lines) - PREVIEW_LISTED, 0)}


@require(EDIT, EDIT_MESSAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def import_preview(request, pk: int):
    user = request.user
    ledger_import = get_object_or_404(LedgerImport.objects.visible_to(user).select_related("region", "uploaded_by"),
                                      pk=pk)
    if ledger_import.status in _JOB_STATUSES:  # its job may be lost: then it is failed now
        ledger_import = reconcile.import_fail_if_lost(ledger_import)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "apply":
                ledger_import = reconcile.import_apply_request(actor=user, ledger_import=ledger_import)
                ledger_import.refresh_from_db()  # applied already where tasks run in-process
                if ledger_import.status == LedgerImportStatus.APPLIED:
                    messages.success(request, _("The list was applied: %(created)s children added, %(updated)s "
                                                "updated, %(skipped)s rows with errors skipped.")
                                     % ledger_import.summary)
                return redirect("children:import-preview", pk=ledger_import.pk)
            if action == "discard":
                reconcile.import_discard(actor=user, ledger_import=ledger_import)
                messages.info(request, _("The import was discarded; the ledger is unchanged."))
                return redirect("children:import")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("children:import-preview", pk=ledger_import.pk)

    preview = ledger_import.preview
    rows = preview.get("rows", [])
    is_apply_failed = ledger_import.status == LedgerImportStatus.APPLY_FAILED
    context = {
        "imp": ledger_import,
        "counts": preview.get("counts", {}),
        "errors": _error_lines(rows),
        "new": _section(rows, reconcile.NEW),
        "changed": _section(rows, reconcile.CHANGED),
        "missing": preview.get("missing", []),
        "missing_total": preview.get("missing_total", 0),
        "missing_hidden": max(preview.get("missing_total", 0) - len(preview.get("missing", [])), 0),
        "failures": ledger_import.summary.get("failures", []) if is_apply_failed else [],
        "failures_hidden": max(ledger_import.summary.get("failures_total", 0)
                               - len(ledger_import.summary.get("failures", [])), 0) if is_apply_failed else 0,
        "is_apply_failed": is_apply_failed,
        "is_applying": ledger_import.status == LedgerImportStatus.APPLYING,
        "applied_before": reconcile.applied_before(actor=user, ledger_import=ledger_import),
        "is_previewed": ledger_import.status == LedgerImportStatus.PREVIEWED,
        "is_pending": ledger_import.status == LedgerImportStatus.PENDING,
        "progress": reconcile.import_progress(ledger_import),
        "is_failed": ledger_import.status == LedgerImportStatus.FAILED,
        "refresh_seconds": PENDING_REFRESH_SECONDS,
    }
    return render(request, "children/excel/import_preview.html", context)
