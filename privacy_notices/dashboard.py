"""The admin dashboard's privacy panels: what the DPO has to act on, and every notice at a glance.

Two panels join Wagtail's dashboard (the ``construct_homepage_panels`` hook):

- **Data protection** (``DataProtectionPanel``), for superusers and anyone
  with ``privacy_notices.override_compliance`` (the "Data protection officers"
  group): notices awaiting the DPO's approval, notices whose compliance report
  has gaps, register entries with findings, and retention rules due for review.
- **Privacy notices at a glance** (``NoticesAtAGlancePanel``), for anyone who
  can edit a notice: each of those notices with its audience, its state and its
  compliance report in a line.

Both read one ``NoticeOverview`` per request (``notice_overview(request)``):
the notices, their compliance reports (each notice's latest content, a draft
where there is one) and their workflow states are read once, in a fixed number
of queries however many notices and register entries there are.
"""

import datetime

from django.contrib.admin.utils import quote
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import WorkflowState, get_default_page_content_type
from wagtail.permissions import page_permission_policy

from retention_schedule.checks import Kind as ScheduleKind
from retention_schedule.checks import schedule_findings
from retention_schedule.models import RetentionRule

from .approval import OVERRIDE_PERMISSION, DPOApprovalTask
from .compliance import describe_gaps, missing_items, reports_for_notices
from .pages import PrivacyNoticePage
from .register_admin import HAS_FINDINGS
from .register_lints import register_finding_counts
from .registers import CookieDeclaration, Processor

# The request attribute that holds the overview both panels read.
OVERVIEW_ATTRIBUTE = "privacy_notices_dashboard_overview"

# Rules whose next review falls within this many days are listed as coming up.
REVIEW_SOON_DAYS = 30

# How many rules the panel lists before pointing to the schedule's listing.
RULES_LISTED = 10

# A notice's state, as the at-a-glance table says it.
LIVE = "live"
DRAFT_CHANGES = "draft_changes"
AWAITING_APPROVAL = "awaiting_approval"
CHANGES_REQUESTED = "changes_requested"
NOT_PUBLISHED = "not_published"


def _state_labels() -> dict[str, str]:
    return {
        LIVE: gettext("Live"),
        DRAFT_CHANGES: gettext("Live, with draft changes"),
        AWAITING_APPROVAL: gettext("Awaiting approval"),
        CHANGES_REQUESTED: gettext("Changes requested"),
        NOT_PUBLISHED: gettext("Not published"),
    }


def notice_state(page, workflow_state=None) -> str:
    """Where a notice stands: in the approval workflow, live (with or without draft changes), or never published."""
    if workflow_state is not None:
        if workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
            return AWAITING_APPROVAL
        if workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            return CHANGES_REQUESTED
    if page.live:
        return DRAFT_CHANGES if page.has_unpublished_changes else LIVE
    return NOT_PUBLISHED


def report_summary(report: dict) -> str:
    """The compliance report in a line: "Complete", or "3 missing: 13(1)(b) How to contact the DPO; …"."""
    missing = missing_items(report)
    if not missing:
        return gettext("Complete")
    return ngettext("%(count)s missing: %(gaps)s", "%(count)s missing: %(gaps)s", len(missing)) % {
        "count": len(missing),
        "gaps": describe_gaps(report),
    }


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _url(viewset_model, view: str, *args) -> str:
    return reverse(viewset_model.snippet_viewset.get_url_name(view), args=args)


class NoticeOverview:
    """What the panels show, read once per request, each part only when a panel asks for it.

    ``today`` is the date reviews are due against; by default today where the
    site is (``TIME_ZONE``). A host project can subclass it and set
    ``OVERVIEW_ATTRIBUTE`` on the request before the dashboard is built.
    """

    def __init__(self, user, today: datetime.date | None = None):
        self.user = user
        self.today = today or timezone.localdate()

    # Who sees what ---------------------------------------------------------------------

    @cached_property
    def shows_data_protection(self) -> bool:
        return self.user.has_perm(OVERRIDE_PERMISSION)

    @cached_property
    def editable_notice_pks(self) -> set[int]:
        """The notices this user may edit (every notice, for a superuser)."""
        pages = page_permission_policy.instances_user_has_permission_for(self.user, "change")
        return set(PrivacyNoticePage.objects.filter(pk__in=pages.values("pk")).values_list("pk", flat=True))

    # The notices -------------------------------------------------------------------------

    @cached_property
    def notices(self) -> list[PrivacyNoticePage]:
        """Every notice, by title: the live row (drafts are read from revisions by the reports)."""
        return list(PrivacyNoticePage.objects.select_related("audience").order_by("title", "pk"))

    @cached_property
    def reports(self) -> dict[int, dict]:
        return reports_for_notices(self.notices)

    @cached_property
    def workflow_states(self) -> dict[int, WorkflowState]:
        """Each notice's unfinished workflow state, by the notice's pk, with whether it waits for the DPO."""
        if not self.notices:
            return {}
        states = (
            WorkflowState.objects.active()
            .filter(
                base_content_type=get_default_page_content_type(),
                object_id__in=[str(page.pk) for page in self.notices],
            )
            .select_related("requested_by", "current_task_state__revision__user")
            .annotate(
                at_dpo_approval=Exists(DPOApprovalTask.objects.filter(pk=OuterRef("current_task_state__task_id")))
            )
        )
        return {int(state.object_id): state for state in states}

    def edit_url(self, page) -> str:
        return reverse("wagtailadmin_pages:edit", args=(page.pk,)) if page.pk in self.editable_notice_pks else ""

    # What the DPO acts on ----------------------------------------------------------------

    @cached_property
    def awaiting_approval(self) -> list[dict]:
        """Notices whose workflow waits at the DPO's approval task, the longest waiting first."""
        items = []
        for page in self.notices:
            state = self.workflow_states.get(page.pk)
            if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS or not state.at_dpo_approval:
                continue
            task_state = state.current_task_state
            submitter = (task_state.revision.user if task_state.revision_id else None) or state.requested_by
            items.append(
                {
                    "page": page,
                    "title": page.get_admin_display_title(),
                    "edit_url": self.edit_url(page),
                    "submitted_by": _user_name(submitter),
                    "submitted_at": task_state.started_at,
                }
            )
        return sorted(items, key=lambda item: item["submitted_at"])

    @cached_property
    def with_gaps(self) -> list[dict]:
        """Notices whose latest content misses items the law requires, with those items."""
        items = []
        for page in self.notices:
            missing = missing_items(self.reports[page.pk])
            if missing:
                items.append(
                    {
                        "page": page,
                        "title": page.get_admin_display_title(),
                        "edit_url": self.edit_url(page),
                        "missing": [
                            {"articles": " / ".join(item["articles"]), "title": item["title"]} for item in missing
                        ],
                    }
                )
        return items

    @cached_property
    def register_findings(self) -> list[dict]:
        """Each register's count of entries with findings, with its listing filtered to them."""
        counts = register_finding_counts(today=self.today, rule_findings=self.rule_findings)
        registers = [
            (
                "processors",
                Processor,
                f"?findings={HAS_FINDINGS}",
                ngettext(
                    "%(count)s processor or recipient has findings",
                    "%(count)s processors and recipients have findings",
                    counts["processors"],
                ),
            ),
            (
                "cookies",
                CookieDeclaration,
                f"?findings={HAS_FINDINGS}",
                ngettext("%(count)s cookie has findings", "%(count)s cookies have findings", counts["cookies"]),
            ),
            (
                "retention_rules",
                RetentionRule,
                "?needs_attention=true",
                ngettext(
                    "%(count)s retention rule has findings",
                    "%(count)s retention rules have findings",
                    counts["retention_rules"],
                ),
            ),
        ]
        return [
            {
                "register": register,
                "count": counts[register],
                "text": text % {"count": counts[register]},
                "url": _url(model, "list") + query if counts[register] else "",
            }
            for register, model, query, text in registers
        ]

    @cached_property
    def rules(self) -> dict[int, RetentionRule]:
        return {rule.pk: rule for rule in RetentionRule.objects.all()}

    @cached_property
    def rule_findings(self) -> list:
        """The schedule's checks, run once for both the register counts and the rules due for review."""
        return schedule_findings(self.rules.values(), today=self.today)

    @cached_property
    def rules_due_for_review(self) -> list[dict]:
        """Live rules past their review date or never reviewed, as the schedule's checks find them."""
        kinds = {ScheduleKind.REVIEW_OVERDUE, ScheduleKind.NEVER_REVIEWED}
        items = []
        for finding in self.rule_findings:
            if finding.kind not in kinds or finding.rule_pk not in self.rules:
                continue
            rule = self.rules[finding.rule_pk]
            if finding.kind == ScheduleKind.REVIEW_OVERDUE:
                when = gettext("Review overdue since %(date)s") % {"date": date_format(rule.next_review_date())}
            else:
                when = gettext("Never reviewed")
            items.append(self._rule_item(rule, finding.kind, when))
        return items

    @cached_property
    def rules_due_soon(self) -> list[dict]:
        """Live rules whose next review falls between today and ``REVIEW_SOON_DAYS`` days from now."""
        until = self.today + datetime.timedelta(days=REVIEW_SOON_DAYS)
        items = []
        for rule in self.rules.values():
            due = rule.next_review_date() if rule.live else None
            if due is not None and self.today <= due <= until:
                when = gettext("Due on %(date)s") % {"date": date_format(due)}
                items.append((due, self._rule_item(rule, "review_soon", when)))
        return [item for _due, item in sorted(items, key=lambda pair: pair[0])]

    def _rule_item(self, rule, kind: str, when: str) -> dict:
        return {
            "rule": rule,
            "kind": kind,
            "name": f"{rule.code}: {rule.record_class}",
            "when": when,
            "edit_url": _url(RetentionRule, "edit", quote(rule.pk)),
        }


def notice_overview(request) -> NoticeOverview:
    """The request's overview, made on first use, so every panel shares one set of queries."""
    overview = getattr(request, OVERVIEW_ATTRIBUTE, None)
    if overview is None:
        overview = NoticeOverview(request.user)
        setattr(request, OVERVIEW_ATTRIBUTE, overview)
    return overview


class DataProtectionPanel(Component):
    """The DPO's panel: four counts, each with the notices, entries or rules behind it."""

    name = "privacy_notices_data_protection"
    template_name = "privacy_notices/admin/dashboard/data_protection.html"
    order = 150  # above Wagtail's workflow panels (210 and 220)

    def __init__(self, overview: NoticeOverview):
        self.overview = overview

    def get_context_data(self, parent_context=None):
        overview = self.overview
        awaiting = overview.awaiting_approval
        gaps = overview.with_gaps
        registers = overview.register_findings
        with_findings = sum(register["count"] for register in registers)
        due = overview.rules_due_for_review
        soon = overview.rules_due_soon
        rules = due + soon
        return {
            "awaiting": awaiting,
            "awaiting_heading": ngettext(
                "%(count)s notice is awaiting approval", "%(count)s notices are awaiting approval", len(awaiting)
            )
            % {"count": len(awaiting)},
            "gaps": gaps,
            "gaps_heading": ngettext(
                "%(count)s notice is missing items the law requires",
                "%(count)s notices are missing items the law requires",
                len(gaps),
            )
            % {"count": len(gaps)},
            "registers": registers,
            "registers_count": with_findings,
            "registers_heading": ngettext(
                "%(count)s register entry has findings", "%(count)s register entries have findings", with_findings
            )
            % {"count": with_findings},
            "due": due,
            "soon": soon,
            "rules": rules[:RULES_LISTED],
            "rules_not_listed": max(len(rules) - RULES_LISTED, 0),
            "rules_url": _url(RetentionRule, "list") + "?needs_attention=true",
            "rules_heading": ngettext(
                "%(count)s retention rule is due for review", "%(count)s retention rules are due for review", len(due)
            )
            % {"count": len(due)},
            "soon_text": ngettext(
                "%(count)s more is due in the next %(days)s days",
                "%(count)s more are due in the next %(days)s days",
                len(soon),
            )
            % {"count": len(soon), "days": REVIEW_SOON_DAYS}
            if soon
            else "",
        }


class NoticesAtAGlancePanel(Component):
    """Every notice the user can edit: its audience, its state and its compliance report in a line."""

    name = "privacy_notices_at_a_glance"
    template_name = "privacy_notices/admin/dashboard/notices_at_a_glance.html"
    order = 160

    def __init__(self, overview: NoticeOverview):
        self.overview = overview

    def get_context_data(self, parent_context=None):
        overview = self.overview
        labels = _state_labels()
        rows = []
        for page in overview.notices:
            if page.pk not in overview.editable_notice_pks:
                continue
            report = overview.reports[page.pk]
            state = notice_state(page, overview.workflow_states.get(page.pk))
            rows.append(
                {
                    "page": page,
                    "title": page.get_admin_display_title(),
                    "edit_url": overview.edit_url(page),
                    "audience": page.audience.name if page.audience_id else "",
                    "state": state,
                    "state_label": labels[state],
                    "complete": report["complete"],
                    "missing_count": len(report["missing"]),
                    "summary": report_summary(report),
                }
            )
        return {"rows": rows}


@hooks.register("construct_homepage_panels")
def add_privacy_panels(request, panels):
    overview = notice_overview(request)
    if overview.shows_data_protection:
        panels.append(DataProtectionPanel(overview))
    if overview.editable_notice_pks:
        panels.append(NoticesAtAGlancePanel(overview))
