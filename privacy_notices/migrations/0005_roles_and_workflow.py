"""The "Privacy editors" and "Data protection officers" groups and the "DPO approval" workflow.

Both are given on every privacy notices hub that exists (roles.py explains
what each may do); a hub created later gets them when it is created.
Reversing removes the groups and the workflow, and the permissions and the
assignments that go with them.
"""

from django.apps import apps as global_apps
import swapper
from django.db import migrations

from privacy_notices.roles import DPOS, EDITORS, WORKFLOW, assign_to_hub, create_groups, create_workflow


def create_roles(apps, schema_editor):
    create_groups(apps)
    create_workflow(apps)
    PrivacyNoticeIndexPage = apps.get_model("privacy_notices", "PrivacyNoticeIndexPage")
    for hub_pk in PrivacyNoticeIndexPage.objects.values_list("pk", flat=True):
        assign_to_hub(hub_pk, apps)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    DPOApprovalTask = apps.get_model("privacy_notices", "DPOApprovalTask")
    Workflow.objects.filter(name=WORKFLOW).delete()
    DPOApprovalTask.objects.all().delete()
    Group.objects.filter(name__in=[EDITORS, DPOS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy_notices", "0004_approval_workflow"),
        ("retention_schedule", "0003_review_interval"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # The page permissions belong to the page model, which a site may swap.
        swapper.dependency("wagtailcore", "Page"),
        # Documents can be chosen in notices' rich text: the groups may choose them (see roles.py).
        *([("wagtaildocs", "0011_add_choose_permissions")] if global_apps.is_installed("wagtail.documents") else []),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
