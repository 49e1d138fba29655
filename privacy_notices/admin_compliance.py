"""The compliance report in the admin: a panel in the notice editor, and the DPO's approval screen.

Both read the notice as its latest revision has it (what approving or
publishing would make live), resolved like the public page, so the report
checks what people would actually be told.
"""

from django.utils.functional import cached_property
from wagtail.admin.panels import Panel

from .compliance import MISSING, NOT_APPLICABLE, PRESENT, hub_sections_for, hub_sections_of, notice_report
from .compliance import compliance_report as build_report
from .diff import diff_documents


class ComplianceReportPanel(Panel):
    """Each Article 13 (and, where it applies, 14) item, present or missing, with the section to fix."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "privacy_notices/admin/compliance_panel.html"

        @cached_property
        def report(self):
            from .document import resolve_notice

            page = self.instance
            if page.pk:
                return notice_report(page)
            # A notice being created: its hub is the page it is added under.
            parent = getattr(self.form, "parent_page", None)
            return build_report(resolve_notice(page), hub_sections_of(parent.specific if parent else None))

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(report_context(self.report), saved=bool(self.instance.pk))
            return context


def report_context(report: dict) -> dict:
    """The report, grouped for a template: what is missing first, then what is there, then what does not apply."""
    items = report["items"]
    return {
        "report": report,
        "missing": [item for item in items if item["status"] == MISSING],
        "present": [item for item in items if item["status"] == PRESENT],
        "not_applicable": [item for item in items if item["status"] == NOT_APPLICABLE],
    }


def approval_review(page) -> dict:
    """What the DPO sees before approving: the report for the draft, and what it changes from the live notice."""
    from .approval import latest_content
    from .document import resolve_notice

    page = page.specific
    draft = latest_content(page)
    draft_document = resolve_notice(draft)
    context = report_context(build_report(draft_document, hub_sections_for(page)))
    # The page row holds the published content; the draft lives in the revision.
    live_document = resolve_notice(page) if page.live else None
    context.update(
        is_notice=True,
        live=page.live,
        diff=diff_documents(live_document, draft_document) if live_document is not None else None,
    )
    return context
