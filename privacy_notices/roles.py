"""Who may do what: the two groups, their permissions, and the "DPO approval" workflow on the hubs.

- **Privacy editors** write notices and submit them for approval. They can
  read the registers (to choose entries in the notice editor) but not change
  them, and they cannot publish or approve. They can choose documents to link.
- **Data protection officers** keep the registers (processors, cookies,
  audiences, the retention schedule) and the organisation settings, approve or
  reject notices in the "DPO approval" workflow, publish, and may publish a
  notice with compliance gaps if they record why.

Page permissions and the workflow are given on each privacy notices hub, so
they cover its notices and nothing else on the site. Migration 0005 makes the
groups and the workflow and gives them on the hubs that exist; a hub created
later gets them when it is created (``signal_handlers``).

Every function takes an ``apps`` registry so the migration can call it with
its historical models; at run time ``django.apps.apps`` is used.
"""

import swapper
from django.apps import apps as global_apps

# WAGTAIL_PAGE_MODEL names the page model, as in this app's first migration.
swapper.set_app_prefix("wagtailcore", "wagtail")

EDITORS = "Privacy editors"
DPOS = "Data protection officers"
WORKFLOW = "DPO approval"
TASK = "Approval by the data protection officers"

# (app label, model, action). The register models have drafts and locks, so Wagtail adds "publish",
# "lock" and "unlock" to Django's add, change, delete and view.
_REGISTERS = (
    ("privacy_notices", "processor"),
    ("privacy_notices", "cookiedeclaration"),
    ("retention_schedule", "retentionrule"),
)

MODEL_PERMISSIONS = {
    EDITORS: [
        ("wagtailadmin", "admin", "access"),
        *[(app, model, "view") for app, model in _REGISTERS],
        ("privacy_notices", "audience", "view"),
    ],
    DPOS: [
        ("wagtailadmin", "admin", "access"),
        *[
            (app, model, action)
            for app, model in _REGISTERS
            for action in ("add", "change", "delete", "publish", "lock", "unlock", "view")
        ],
        *[("privacy_notices", "audience", action) for action in ("add", "change", "delete", "view")],
        ("privacy_notices", "organisationsettings", "change"),
        ("privacy_notices", "privacynoticepage", "override_compliance"),
    ],
}

# Permissions the project defines itself, named as in the model's Meta.permissions.
OVERRIDE_COMPLIANCE_NAME = "Can publish a privacy notice with compliance gaps, giving a reason"
_NAMES = {"override_compliance": OVERRIDE_COMPLIANCE_NAME}

# Collection permissions on the root collection, and so on every collection. Notices' rich text links
# documents; Wagtail gives "choose" only to the groups that exist when its own migration runs.
COLLECTION_PERMISSIONS = {
    EDITORS: [("wagtaildocs", "document", "choose")],
    DPOS: [("wagtaildocs", "document", "choose")],
}

# Page permissions on each hub (and so on its notices).
PAGE_PERMISSIONS = {
    EDITORS: ["add", "change"],
    DPOS: ["add", "change", "publish", "lock", "unlock"],
}


def page_model_label() -> tuple[str, str]:
    """The app label and lower-case model name of the page model, which a site may swap (WAGTAIL_PAGE_MODEL).

    Wagtail's page permissions belong to that model ("add_page", or e.g. "add_basepage").
    """
    app_label, model_name = swapper.split(swapper.get_model_name("wagtailcore", "Page"))
    return app_label, model_name.lower()


def page_permission_codename(action: str) -> str:
    return f"{action}_{page_model_label()[1]}"


def _permission(apps, app_label: str, model: str, action: str):
    """The permission, created if the usual post-migrate handlers have not made it yet.

    A migration runs before Django's and Wagtail's ``post_migrate`` handlers
    create permissions on a new database; they skip those that exist, so
    creating one here with the name they would give it is safe.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    codename = action if action in _NAMES else f"{action}_{model}"
    try:
        verbose_name = apps.get_model(app_label, model)._meta.verbose_name_raw
    except LookupError:
        verbose_name = model
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": _NAMES.get(action, f"Can {action} {verbose_name}")[:255]},
    )
    return permission


def create_groups(apps=global_apps) -> dict:
    """The two groups with their model permissions, created or completed; returns them by name."""
    Group = apps.get_model("auth", "Group")
    groups = {}
    for name, permissions in MODEL_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(apps, *permission) for permission in permissions])
        groups[name] = group
    _give_collection_permissions(groups, apps)
    return groups


def _give_collection_permissions(groups: dict, apps) -> None:
    """Let the groups choose documents in every collection (where ``wagtail.documents`` is installed)."""
    try:
        apps.get_model("wagtaildocs", "Document")
    except LookupError:
        return
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root = Collection.objects.filter(depth=1).first()
    for name, permissions in COLLECTION_PERMISSIONS.items():
        for permission in [_permission(apps, *permission) for permission in permissions]:
            # Wagtail checks the model permission as well as the collection's.
            groups[name].permissions.add(permission)
            if root is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name], collection=root, permission=permission
                )


def create_workflow(apps=global_apps):
    """The "DPO approval" workflow, with one task approved by the DPO group; returns the workflow."""
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    DPOApprovalTask = apps.get_model("privacy_notices", "DPOApprovalTask")

    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW)
    if created or not WorkflowTask.objects.filter(workflow=workflow).exists():
        # Task.save() sets content_type; historical models do not run it, so it is set here.
        content_type, _ = ContentType.objects.get_or_create(app_label="privacy_notices", model="dpoapprovaltask")
        task = DPOApprovalTask.objects.create(name=TASK, content_type=content_type, active=True)
        task.groups.add(Group.objects.get(name=DPOS))
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def assign_to_hub(hub_pk: int, apps=global_apps) -> None:
    """Give both groups their page permissions on a hub, and put the hub (and its notices) under the workflow.

    A hub that already has a workflow of its own keeps it: the site chose it.
    """
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    page_app, page_model = page_model_label()
    for name, actions in PAGE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:  # removed by the site: nothing to give
            continue
        for action in actions:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page_id=hub_pk,
                permission=_permission(apps, page_app, page_model, action),
            )
    workflow = Workflow.objects.filter(name=WORKFLOW, active=True).first()
    if workflow is not None and not WorkflowPage.objects.filter(page_id=hub_pk).exists():
        WorkflowPage.objects.create(workflow=workflow, page_id=hub_pk)
