"""Admin addresses for importing and exporting the schedule (registered by wagtail_hooks)."""

from django.urls import path

from .admin_import import ExportView, ImportConfirmView, ImportView, TemplateDownloadView

app_name = "retention_schedule_admin"

urlpatterns = [
    path("import/", ImportView.as_view(), name="import"),
    path("import/confirm/", ImportConfirmView.as_view(), name="import_confirm"),
    path("import/template.<str:fmt>", TemplateDownloadView.as_view(), name="template"),
    path("export.<str:fmt>", ExportView.as_view(), name="export"),
]
