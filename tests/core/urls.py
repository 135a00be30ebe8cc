"""A tiny URLconf for the tests of core/ (``@pytest.mark.urls("tests.core.urls")``): a few views that
exercise the guards and middleware of core/, plus the project's own URLs, which the page templates
(base.html, 400.html, 403.html) reverse."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import path

from accounts.audit import audit_record
from accounts.models import AuditAction
from config.urls import urlpatterns as project_urlpatterns
from core.access import EDIT, require
from core.request_context import current_client_ip


@require(EDIT)
def edit_page(request):
    return HttpResponse("edited")


def refuse_with_field_errors(request):
    raise ValidationError({"month": ["月份格式不对：2025-3"], "region": ["区划代码须为12位数字"]})


def refuse_with_a_list(request):
    raise ValidationError(["第一条理由", "第二条理由"])


def refuse_with_markup(request):
    raise ValidationError("<script>alert(1)</script>")


def client_address(request):
    return JsonResponse({"ip": current_client_ip()})


def audited(request):
    event = audit_record(actor=request.user, action=AuditAction.UPDATE, target_type="tests.thing",
                         target_id="1", target_label="测试记录")
    return JsonResponse({"event": event.pk})


urlpatterns = [
    path("__core__/edit/", edit_page),
    path("__core__/refuse/fields/", refuse_with_field_errors),
    path("__core__/refuse/list/", refuse_with_a_list),
    path("__core__/refuse/markup/", refuse_with_markup),
    path("__core__/ip/", client_address),
    path("__core__/audited/", audited),
    *project_urlpatterns,
]
