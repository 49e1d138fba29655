"""A notice's public history, at the notice's own address.

``<notice>@history``
    every published version, newest first, 50 to a page (``?page=``)
``<notice>@history/<n>``
    version ``n`` as it was published, rendered from its snapshot with the notice's own template under a
    banner saying when it was in force; the latest version is shown the same way (not redirected), its
    banner saying it is the current version, so a link to "version 5" always shows version 5
``<notice>?at=YYYY-MM-DD``
    the version in force on that date (handled by ``PrivacyNoticePage.serve``)
``<notice>@diff/<a>/<b>``
    what changed from version ``a`` to version ``b`` (see :mod:`privacy_notices.diff`)

Wagtail's own URL pattern only matches ``[\\w-]`` path segments, so the ``@``
addresses have their own patterns (``privacy_notices.urls``) that route to the
page exactly as ``wagtail.views.serve`` does, hooks and view restrictions
included, so a private notice's history is as private as the notice. Only a
live notice has a history page; nothing unpublished is ever shown.

Every view costs a fixed number of queries however many versions a notice has:
the list never loads the snapshots, and a version or a date is one indexed lookup.
"""

import datetime
import re

import swapper
from django.core.paginator import InvalidPage, Paginator
from django.db.models import F, Max, Min, Window
from django.db.models.functions import Lag
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail import hooks

from retention_schedule.conditional import finish_public_response
from retention_schedule.negotiation import HTML, JSON, not_acceptable, requested_format, wants_json

from .diff import diff_documents
from .headless import diff_json, history_json, in_force_json
from .serving import (
    DIFF_FORMATS,
    HISTORY_FORMATS,
    VERSION_FORMATS,
    alternate_links,
    is_public,
    json_response,
    notice_response,
)
from .versions import NoticeVersion

HISTORY = "@history"
DIFF = "@diff"
VERSIONS_PER_PAGE = 50
# Version numbers are stored as positive integers; anything larger is simply not a version.
_LARGEST_NUMBER = 2**31 - 1
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A day as people write it: 14 October 2016 (as the long_date filter shows it).
_LONG_DATE = "j F Y"


def notice_address(page, request=None, *parts) -> str | None:
    """The public address of ``page`` followed by ``parts``, e.g. ``/privacy/complainants/@history/3``."""
    url = page.get_url(request=request)
    if not url:
        return None
    return url + "/".join(str(part) for part in parts)


def history_address(page, request=None) -> str | None:
    return notice_address(page, request, HISTORY)


def version_address(page, request, number) -> str | None:
    return notice_address(page, request, HISTORY, number)


def diff_address(page, request, old, new) -> str | None:
    return notice_address(page, request, DIFF, old, new)


# Routing -------------------------------------------------------------------------------------------------------------


@require_safe
def serve_notice_view(request, path, view, **kwargs):
    """Route ``path`` to a page as ``wagtail.views.serve`` does, then call ``page.<view>(request, **kwargs)``.

    Wagtail's ``before_serve_page`` hooks and its ``on_serve_page`` chain (where
    page view restrictions are enforced: a password form or a login redirect)
    run exactly as they do for the page itself. Only a live page of a type that
    has the view answers (a notice's ``serve_history``, the hub's registers).
    """
    Page = swapper.load_model("wagtailcore", "Page")
    route = Page.route_for_request(request, path)
    if route is None:
        raise Http404
    page, args, route_kwargs = route
    if args or route_kwargs or not page.live or not callable(getattr(page, view, None)):
        raise Http404

    def serve(page, request, serve_args, serve_kwargs):
        return getattr(page, view)(request, **kwargs)

    on_serve_chain = serve
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)

    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, route_kwargs)
        if isinstance(result, HttpResponse):
            return result

    return on_serve_chain(page, request, args, route_kwargs)


# Shared parts --------------------------------------------------------------------------------------------------------


def base_context(page, request) -> dict:
    """The context Wagtail gives any page (``page``, ``self``, ``request``), without resolving the live notice."""
    from .pages import PrivacyNoticePage

    return super(PrivacyNoticePage, page).get_context(request)


def problem(page, request, status, heading, message, *, links=()):
    """A plain page explaining what is wrong with the address, with the given status (400 or 404).

    JSON (``{"status", "error", "message", "links"}``) when the client asked for JSON.
    """
    if wants_json(request):
        data = {
            "status": status,
            "error": str(heading),
            "message": str(message),
            "links": [{"href": request.build_absolute_uri(link["url"]), "text": str(link["text"])} for link in links],
        }
        response = json_response(data, status=status)
        response["X-Robots-Tag"] = "noindex"
        return finish_public_response(request, response)
    context = base_context(page, request)
    context.update(
        {
            "problem": {"heading": heading, "message": message, "links": list(links)},
            "notice_title": page.title,
        }
    )
    response = TemplateResponse(request, "privacy_notices/history/problem.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return finish_public_response(request, response)


def _not_found(page, request, heading, message):
    return problem(page, request, 404, heading, message, links=_back_links(page, request))


def _back_links(page, request):
    return [
        {"url": history_address(page, request), "text": _("See every version of this notice")},
        {"url": page.get_url(request=request), "text": _("Read the current notice")},
    ]


def _local_day(value) -> datetime.date:
    return timezone.localdate(value, timezone.get_default_timezone())


def _version_number(value) -> int | None:
    number = int(value)
    return number if 0 < number <= _LARGEST_NUMBER else None


# The list ------------------------------------------------------------------------------------------------------------


def history_view(page, request):
    """Every published version of the notice, newest first, a page at a time (HTML or JSON)."""
    form = requested_format(request, HISTORY_FORMATS)
    if form is None:
        return finish_public_response(request, not_acceptable(request, HISTORY_FORMATS))
    versions = (
        NoticeVersion.objects.filter(notice=page)
        .only("number", "published_at", "material", "summary")
        # The number before each one (not always n - 1 for records older than this code).
        .annotate(previous_number=Window(Lag("number"), order_by=F("number").asc()))
        .order_by("-number")
    )
    paginator = Paginator(versions, VERSIONS_PER_PAGE)
    try:
        page_obj = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return _not_found(
            page,
            request,
            _("Page not found"),
            _("There is no such page of versions. The list of versions has %(count)s page(s).")
            % {"count": paginator.num_pages},
        )
    rows = list(page_obj.object_list)
    notice_url = page.get_url(request=request)
    items = [
        {
            "number": version.number,
            "published_at": version.published_at,
            "material": version.material,
            "summary": version.summary,
            "current": page_obj.number == 1 and index == 0,
            "url": version_address(page, request, version.number),
            "previous_number": version.previous_number,
            "diff_url": (
                diff_address(page, request, version.previous_number, version.number)
                if version.previous_number
                else None
            ),
        }
        for index, version in enumerate(rows)
    ]
    history_url = history_address(page, request)
    # The newest version is on the first page; every page shifts when one is published.
    latest = rows[0].published_at if page_obj.number == 1 and rows else _latest_publish(page)
    if form == JSON:
        data = history_json(
            request,
            notice_title=page.title,
            notice_url=notice_url,
            history_url=history_url,
            versions=items,
            page_obj=page_obj,
            paginator=paginator,
        )
        response = json_response(data)
    else:
        context = base_context(page, request)
        context.update(
            {
                "notice_title": page.title,
                "notice_url": notice_url,
                "history_url": history_url,
                "versions": items,
                "page_obj": page_obj,
                "paginator": paginator,
                "alternates": alternate_links(request, history_url, HISTORY_FORMATS),
            }
        )
        response = TemplateResponse(request, "privacy_notices/history/history.html", context)
    return finish_public_response(request, response, last_modified=latest, public=is_public(page))


def _latest_publish(page):
    return NoticeVersion.objects.filter(notice=page).aggregate(latest=Max("published_at"))["latest"]


# One version, by number or by date -----------------------------------------------------------------------------------


def version_view(page, request, number):
    """Version ``number`` of the notice, as it was published (HTML, JSON or JSON-LD)."""
    form = requested_format(request, VERSION_FORMATS)
    if form is None:
        return finish_public_response(request, not_acceptable(request, VERSION_FORMATS))
    number = _version_number(number)
    version = NoticeVersion.objects.filter(notice=page, number=number).first() if number else None
    if version is None:
        return _not_found(
            page,
            request,
            _("Version not found"),
            _("This notice has no version %(number)s.") % {"number": number or ""},
        )
    return render_version(page, request, version, form=form)


def parse_day(value) -> datetime.date | None:
    """A date written YYYY-MM-DD, or None for anything else (2026-13-01, "yesterday", 20260101)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def as_of_view(page, request, form=HTML):
    """The version of the notice in force on the day given by ``?at=YYYY-MM-DD``."""
    if not page.live:  # only ever reached through routing, which serves live pages; never show a draft's history
        raise Http404
    raw = request.GET.get("at", "")
    day = parse_day(raw)
    if day is None:
        return problem(
            page,
            request,
            400,
            _("That is not a date we can read"),
            _(
                "“%(value)s” is not a date. Write the date as year, month and day with hyphens, "
                "for example %(example)s for 14 October 2016."
            )
            % {"value": raw, "example": "?at=2016-10-14"},
            links=_back_links(page, request),
        )
    # The last day has no "next day" to count to; any version published is in force by then.
    lookup_day = min(day, datetime.date.max - datetime.timedelta(days=1))
    version = NoticeVersion.objects.filter(notice=page).in_force_on(lookup_day)
    if version is None:
        first = (
            NoticeVersion.objects.filter(notice=page)
            .order_by("published_at", "number")
            .values_list("published_at", flat=True)
            .first()
        )
        asked = _format_day(day)
        if first is None:
            message = _("No versions of this notice have been recorded, so we cannot show it as it was on %(day)s.")
        else:
            message = _("This notice was first published on %(first)s. There was no version of it in force on %(day)s.")
        return _not_found(
            page,
            request,
            _("No version in force on that date"),
            message % {"day": asked, "first": _format_day(_local_day(first)) if first else ""},
        )
    return render_version(page, request, version, as_of=day, form=form)


def _format_day(day) -> str:
    return format_date(day, _LONG_DATE)


def render_version(page, request, version, *, as_of=None, form=HTML):
    """``version``'s snapshot rendered with the notice's own template, under a banner saying which version it is.

    As JSON or JSON-LD, the snapshot as the notice's JSON, with an ``in_force`` object saying when.
    """
    later = NoticeVersion.objects.filter(notice=page, number__gt=version.number).aggregate(
        until=Min("published_at"), latest=Max("number"), last_change=Max("published_at")
    )
    current = later["latest"] is None
    since = _local_day(version.published_at)
    until = _local_day(later["until"]) if later["until"] else None
    banner = {
        "number": version.number,
        "current": current,
        "published_at": version.published_at,
        "since": since,
        "until": until,
        "same_day": until == since,
        "material": version.material,
        "summary": version.summary,
        "as_of": as_of,
        "in_future": bool(as_of and as_of > timezone.localdate()),
        "notice_url": page.get_url(request=request),
        "history_url": history_address(page, request),
        "url": version_address(page, request, version.number),
        "diff_previous_url": diff_address(page, request, version.number - 1, version.number)
        if version.number > 1
        else None,
        "latest_number": later["latest"] or version.number,
        "diff_current_url": None if current else diff_address(page, request, version.number, later["latest"]),
    }
    if form == HTML:
        context = base_context(page, request)
        context.update(
            {
                "notice": version.document,
                "history_banner": banner,
                "alternates": alternate_links(request, banner["url"], VERSION_FORMATS),
            }
        )
        response = TemplateResponse(request, page.get_template(request), context)
    else:
        extra = {"in_force": in_force_json(request, banner)}
        response = notice_response(page, request, version.document, form, address=banner["url"], extra=extra)
    if not current or as_of:
        # The current notice is the one search engines should offer people.
        response["X-Robots-Tag"] = "noindex"
    # The banner says until when a version was in force: it changes when a later one is published.
    last_modified = max(version.published_at, later["last_change"] or version.published_at)
    # A version is a permanent record and later versions are dated: the date tells every change.
    return finish_public_response(request, response, last_modified=last_modified, public=is_public(page), dated=True)


# What changed --------------------------------------------------------------------------------------------------------


def diff_view(page, request, old, new):
    """What changed from version ``old`` to version ``new``, section by section (HTML or JSON)."""
    form = requested_format(request, DIFF_FORMATS)
    if form is None:
        return finish_public_response(request, not_acceptable(request, DIFF_FORMATS))
    old_number, new_number = _version_number(old), _version_number(new)
    if old_number and new_number and old_number >= new_number:
        return problem(
            page,
            request,
            400,
            _("Versions in the wrong order"),
            _(
                "To see what changed, give the earlier version first: for example %(example)s shows what changed "
                "from version %(old)s to version %(new)s."
            )
            % {
                "example": diff_address(page, request, new_number, old_number),
                "old": new_number,
                "new": old_number,
            }
            if old_number != new_number
            else _("Give two different versions to compare."),
            links=_back_links(page, request),
        )
    numbers = [number for number in (old_number, new_number) if number]
    found = {version.number: version for version in NoticeVersion.objects.filter(notice=page, number__in=numbers)}
    missing = [str(number) for number in (old, new) if _version_number(number) not in found]
    if missing:
        return _not_found(
            page,
            request,
            _("Version not found"),
            _("This notice has no version %(numbers)s.") % {"numbers": _(" or ").join(missing)},
        )
    before, after = found[old_number], found[new_number]
    between = (
        NoticeVersion.objects.filter(notice=page, number__gt=old_number, number__lte=new_number)
        .only("number", "published_at", "material", "summary")
        .order_by("number")
    )
    address = diff_address(page, request, old_number, new_number)
    context = {
        "notice_title": page.title,
        "notice_url": page.get_url(request=request),
        "history_url": history_address(page, request),
        "old": _version_summary(page, request, before),
        "new": _version_summary(page, request, after),
        "changes": [_version_summary(page, request, version) for version in between],
        "diff": diff_documents(before.document, after.document),
    }
    if form == JSON:
        response = json_response(diff_json(request, address=address, **context))
    else:
        context.update(base_context(page, request))
        context["alternates"] = alternate_links(request, address, DIFF_FORMATS)
        response = TemplateResponse(request, "privacy_notices/history/diff.html", context)
    response["X-Robots-Tag"] = "noindex"
    # Both versions are a permanent record: what changed between them never changes.
    return finish_public_response(
        request, response, last_modified=after.published_at, public=is_public(page), dated=True
    )


def _version_summary(page, request, version) -> dict:
    return {
        "number": version.number,
        "published_at": version.published_at,
        "material": version.material,
        "summary": version.summary,
        "url": version_address(page, request, version.number),
    }
