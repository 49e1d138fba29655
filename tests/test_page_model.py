"""Reusable-app hygiene: page types follow the host's base page model; apps set their own auto field."""

import ast
from pathlib import Path

import swapper
from django.apps import apps
from django.conf import settings

from privacy_notices.models import PrivacyNoticeIndexPage, PrivacyNoticePage
from retention_schedule.models import RetentionSchedulePage


def test_page_types_inherit_from_the_projects_base_page_model():
    base = swapper.load_model("wagtailcore", "Page")
    expected = getattr(settings, "WAGTAIL_PAGE_MODEL", "wagtailcore.Page")
    assert base._meta.label.lower() == expected.lower()
    for page_type in (PrivacyNoticeIndexPage, PrivacyNoticePage, RetentionSchedulePage):
        assert issubclass(page_type, base)


def test_apps_set_default_auto_field_so_host_projects_get_no_stray_migrations():
    for label in ("privacy_notices", "retention_schedule"):
        assert apps.get_app_config(label).default_auto_field == "django.db.models.BigAutoField"


def test_retention_schedule_never_imports_privacy_notices():
    package = Path(apps.get_app_config("retention_schedule").path)
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "privacy_notices" for m in modules), source
