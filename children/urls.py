from django.urls import path

from children.views import actions, boards, excel, ledger, retention, transfers

app_name = "children"

urlpatterns = [
    path("", ledger.child_list, name="list"),
    path("new/", ledger.child_create, name="create"),
    path("<int:pk>/", ledger.child_detail, name="detail"),
    path("<int:pk>/edit/", ledger.child_edit, name="edit"),
    path("<int:pk>/status/", actions.child_status, name="status"),
    path("<int:pk>/transfer/", actions.child_transfer, name="transfer"),
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/<int:pk>/accept/", transfers.transfer_accept, name="transfer-accept"),
    path("transfers/<int:pk>/reject/", transfers.transfer_reject, name="transfer-reject"),
    path("transfers/<int:pk>/cancel/", transfers.transfer_cancel, name="transfer-cancel"),
    path("<int:pk>/assess/", actions.child_assess, name="assess"),
    path("<int:pk>/reveal/", actions.child_reveal, name="reveal"),
    path("<int:pk>/needs/new/", actions.need_create, name="need-create"),
    path("needs/<int:pk>/<str:to>/", actions.need_transition, name="need-transition"),
    path("needs/", boards.need_list, name="need-list"),
    path("risk/", boards.risk_board, name="risk-board"),
    path("aging-out/", boards.aging_out, name="aging-out"),
    path("retention/", retention.retention_list, name="retention"),
    path("<int:pk>/retention-hold/", retention.child_hold, name="retention-hold"),
    path("<int:pk>/retention-release/", retention.child_release, name="retention-release"),
    path("import/", excel.import_upload, name="import"),
    path("import/template.xlsx", excel.import_template, name="import-template"),
    path("import/<int:pk>/", excel.import_preview, name="import-preview"),
]
