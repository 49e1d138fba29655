"""The README's examples work: its commands exist, its settings are the demo's, its addresses serve."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
# The README without its curl examples (test_readme_curl runs those against a live demo server).
PROSE = "\n".join(line for line in README.splitlines() if not line.startswith("curl "))


def code_blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_every_make_command_in_the_readme_is_a_makefile_target():
    targets = set(re.findall(r"^([a-z-]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    shown = set(re.findall(r"\bmake ([a-z-]+)", README))
    assert {"demo", "test"} <= shown
    assert shown <= targets


def test_the_installed_apps_example_matches_the_demo_project():
    example = next(block for block in code_blocks("python") if "INSTALLED_APPS" in block)
    apps = re.findall(r'"([\w.]+)"', example)
    assert apps == ["privacy_notices", "retention_schedule", "wagtail.contrib.settings", "django_countries"]
    assert set(apps) <= set(settings.INSTALLED_APPS)
    installed = list(settings.INSTALLED_APPS)
    # The plugin's apps come before wagtail core (after any swapped base page app).
    assert installed.index("privacy_notices") < installed.index("wagtail")


def test_the_production_settings_read_the_variables_the_readme_lists():
    production = (ROOT / "site/privacy_site/settings/production.py").read_text()
    for variable in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS", "REDIS_URL"):
        assert variable in README and variable in production
    assert "DATABASE_URL" in (ROOT / "site/privacy_site/settings/base.py").read_text()


def test_the_middleware_example_is_first_in_the_demo_project():
    example = next(block for block in code_blocks("python") if "MIDDLEWARE" in block)
    middleware = re.findall(r'"([\w.]+)"', example)
    assert middleware == ["privacy_notices.middleware.PublicAnswerCacheMiddleware"]
    assert settings.MIDDLEWARE[0] == middleware[0]


def test_every_caching_setting_the_readme_names_is_read_by_the_code():
    named = set(re.findall(r"`(PRIVACY_NOTICES_CACHE\w*)`", README))
    assert {"PRIVACY_NOTICES_CACHE", "PRIVACY_NOTICES_CACHE_TIMEOUT", "PRIVACY_NOTICES_CACHE_MAX_AGE"} <= named
    sources = [path for folder in ("privacy_notices", "retention_schedule") for path in (ROOT / folder).glob("*.py")]
    code = "".join(path.read_text() for path in sources)
    for setting in named:
        assert f'"{setting}"' in code, setting


@pytest.mark.django_db
def test_the_readmes_command_to_forget_the_cache_runs(client, django_capture_on_commit_callbacks):
    command = re.search(r'shell -c "([^"]+)"', README).group(1)
    from privacy_notices.caching import GENERATION_KEY, public_cache

    before = public_cache().get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("shell", command=command)
    assert public_cache().get(GENERATION_KEY) not in (None, before)


@pytest.mark.django_db
def test_the_demo_addresses_in_the_readme_serve(client):
    call_command("load_demo_content", verbosity=0)
    paths = re.findall(r"http://127\.0\.0\.1:8000(/[\w/-]*)", PROSE)
    assert "/privacy/" in paths and "/retention-schedule/" in paths
    for path in paths:
        if path.startswith("/admin/"):
            assert client.get(path).status_code == 302  # to the login page
        else:
            assert client.get(path).status_code == 200, path


@pytest.mark.django_db  # every request is a transaction (ATOMIC_REQUESTS)
def test_the_demo_front_door_is_the_hub(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/privacy/"


def test_the_urls_example_puts_the_plugins_urls_before_wagtails():
    example = next(block for block in code_blocks("python") if "urlpatterns" in block)
    assert example.index('include("privacy_notices.urls")') < example.index("include(wagtail_urls)")
    demo = (ROOT / "site/privacy_site/urls.py").read_text()
    assert demo.index('include("privacy_notices.urls")') < demo.index("include(wagtail_urls)")


@pytest.mark.django_db
def test_the_history_addresses_in_the_readme_serve_on_the_demo(client):
    from privacy_notices.models import PrivacyNoticePage
    from privacy_notices.versions import VersionCause, record_version

    call_command("load_demo_content", verbosity=0)
    notice = PrivacyNoticePage.objects.get(slug="complainants")
    for summary in ("A correction.", "A change."):
        record_version(notice, cause=VersionCause.NOTICE_PUBLISHED, summary=summary)
    addresses = re.findall(r"`(/privacy/complainants/(?:@[\w/]+|\?at=[\d-]+))`", README)
    kinds = {re.sub(r"[\d-]+", "N", address.split("complainants/")[1]) for address in addresses}
    assert kinds == {"@history", "@history/N", "?at=N", "@diff/N/N"}
    for address in addresses:
        response = client.get(address)
        if "?at=" in address and response.status_code == 404:
            # A date before the demo's first version (recorded when it was loaded): the documented answer.
            assert b"This notice was first published on" in response.content
        else:
            assert response.status_code == 200, address


@pytest.mark.django_db
def test_the_schedule_addresses_in_the_readme_serve_with_their_queries(client):
    call_command("load_demo_content", verbosity=0)
    addresses = re.findall(r"http://127\.0\.0\.1:8000(/retention-schedule/[^\s|)]*)", PROSE)
    assert any("format=schema" in address for address in addresses)
    for address in addresses:
        assert client.get(address).status_code == 200, address


@pytest.mark.django_db
def test_the_schedule_commands_in_the_readme_run(tmp_path, monkeypatch, django_user_model):
    import shlex

    call_command("load_demo_content", verbosity=0)
    django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    monkeypatch.chdir(tmp_path)
    block = next(block for block in code_blocks("sh") if "import_retention_schedule" in block)
    lines = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert len(lines) == 3
    for line in lines:
        words = shlex.split(line)
        assert words[:2] == ["python", "site/manage.py"]
        quiet = ["--no-progress"] if words[2] == "import_retention_schedule" else []
        call_command(*words[2:], *quiet)
    assert (tmp_path / "schedule.xlsx").exists()


def test_the_readme_names_the_roles_and_the_workflow_as_the_migration_makes_them():
    from privacy_notices.compliance import ITEMS
    from privacy_notices.roles import DPOS, EDITORS, WORKFLOW

    for name in (EDITORS, DPOS, WORKFLOW):
        assert name in README, name
    # Every item of the compliance report is in the README's table, by its article.
    for item in ITEMS:
        assert (item.article_13 or item.article_14) in README, item.code


def test_the_demo_writes_its_emails_to_files_in_var_mail():
    """The README says so: the demo has no mail server, and Wagtail's workflow emails must not fail."""
    assert "`var/mail/`" in README
    dev = (ROOT / "site" / "privacy_site" / "settings" / "dev.py").read_text()
    assert 'EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"' in dev
    assert 'EMAIL_FILE_PATH = VAR_DIR / "mail"' in dev


@pytest.mark.django_db
def test_the_import_commands_in_the_readme_run(django_user_model, capsys):
    import json
    import shlex

    from wagtail.models import PageLogEntry

    from privacy_notices.importing import IMPORT_LOG_ACTION
    from privacy_notices.pages import PrivacyNoticePage

    call_command("load_demo_content", verbosity=0)
    call_command("create_demo_logins", verbosity=0)
    block = next(block for block in code_blocks("sh") if "import_notice" in block)
    lines = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert len(lines) == 3
    for line in lines:
        words = shlex.split(line)
        assert words[:2] == ["python", "site/manage.py"]
        call_command(*[str(ROOT / word) if word.startswith("fixtures/") else word for word in words[2:]])
    printed = capsys.readouterr().out
    report = json.loads(printed[printed.index("{") : printed.rindex("}") + 1])
    assert report["written"] is False and report["last_updated"]["date"] == "2024-10-14"
    # The JSON has every key the README's table names.
    for key in report:
        assert f"`{key}`" in README, key
    # The three audiences' notices have new drafts, made by the import.
    imported = PageLogEntry.objects.filter(action=IMPORT_LOG_ACTION, page__in=PrivacyNoticePage.objects.all())
    assert sorted(imported.values_list("page__slug", flat=True)) == ["complainants", "job-applicants", "site-visitors"]
