"""Wagtail API v2 for the notices and the registers: only live content, only public fields.

Endpoints (``privacy_notices.api_urls`` mounts the router at ``/api/v2/``):

``pages``
    Wagtail's pages endpoint, limited to live pages no view restriction covers.
    ``?type=privacy_notices.PrivacyNoticePage`` lists the notices; a notice's
    detail carries ``notice``, the same JSON as the notice's own address, and
    the hub's carries ``hub``.
``processors``, ``cookies``, ``retention-rules``
    The published entries of the DPO's registers, in the public order. The row
    of a published entry always holds its published version (a draft lives in
    its revisions), so filtering on ``live`` is all it takes to never show a draft.
``audiences``
    The audiences notices speak to.

Every endpoint finds an entry by id (``<id>/``) and by its stable code
(``?slug=``/``?code=`` on the listing, or ``find/?slug=``, which redirects).
Models' ``api_fields`` say what is public; on the registers, only the fields a
viewset's ``filter_fields`` names can filter or order the listing.

Answers are anonymous and the same for everyone, so every 200 is cacheable:
``ETag``, ``Last-Modified`` where known, ``Cache-Control: public``, ``Vary:
Accept``, CORS per settings and 304 for a matching ``If-None-Match``
(``retention_schedule.conditional``). Errors are JSON: ``{"message": "..."}``.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.http import Http404, JsonResponse
from django.urls import re_path
from rest_framework.exceptions import APIException, NotAcceptable, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from wagtail.api.v2.filters import FieldsFilter, OrderingFilter, SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet

from retention_schedule.conditional import finish_public_response
from retention_schedule.models import RetentionRule, schedule_order
from retention_schedule.negotiation import JSON, MEDIA_TYPES, not_acceptable_message

from .registers import Audience, CookieDeclaration, Processor, cookie_category_rank

SEARCH_OPERATORS = ("and", "or")
# The API answers in JSON only (no browsable HTML: it would show who is signed in).
API_FORMATS = {JSON: MEDIA_TYPES[JSON]}


class BoundedPagination(WagtailPagination):
    """Wagtail's ``limit`` and ``offset``, never asking the database for rows past the end.

    A huge offset or limit would otherwise reach the database as is, and overflow it.
    """

    def paginate_queryset(self, queryset, request, view=None):
        super().paginate_queryset(queryset, request, view)  # validates offset and limit, counts
        limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
        offset = int(request.GET.get("offset", 0))
        limit = int(request.GET.get("limit", 20 if not limit_max else min(20, limit_max)))
        if offset >= self.total_count or limit == 0:
            return []
        return queryset[offset : min(offset + limit, self.total_count)]


class PublicAPIMixin:
    """What every endpoint shares: anonymous JSON answers, validators and caching, errors as ``{"message"}``."""

    # The answers are the same for everyone (they are cached as public), so nobody is authenticated,
    # and there is no browsable HTML form of them.
    renderer_classes = [JSONRenderer]
    authentication_classes = []
    permission_classes = [AllowAny]
    pagination_class = BoundedPagination
    _last_modified = None

    def note_last_modified(self, *moments) -> None:
        """Record when something the answer shows was last published; Last-Modified is the newest."""
        if self._last_modified is None:
            self._last_modified = []
        self._last_modified += [moment for moment in moments if moment]

    def last_modified_of(self, obj):
        """When ``obj``, as the answer shows it, was last published (None where unknown)."""
        return getattr(obj, "last_published_at", None)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Wagtail lets these reach the database or the search backend, which fail on them with a 500.
        for name, value in request.GET.items():
            if "\x00" in name or "\x00" in value:
                raise BadRequestError("null characters are not allowed in query parameters")
        operator = request.GET.get("search_operator")
        if operator is not None and operator not in SEARCH_OPERATORS:
            raise BadRequestError("search_operator must be 'and' or 'or'")

    def filter_queryset(self, queryset):
        # Searching is for listings: a detail or find/ looks one object up (Wagtail fails on a search there).
        for backend in self.filter_backends:
            if backend is SearchFilter and self.action != "listing_view":
                continue
            if backend is SearchFilter and "search" in self.request.GET:
                # The search backend can only order by field names: the public order's expressions
                # (by name in any letter case) would fail it, so a search keeps only the named fields.
                names = [field for field in queryset.query.order_by if isinstance(field, str)]
                queryset = queryset.order_by(*names)
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def paginate_queryset(self, queryset):
        try:
            # A savepoint: on PostgreSQL a failed query would spoil the rest of the request's transaction.
            with transaction.atomic():
                items = list(super().paginate_queryset(queryset))
        except (DatabaseError, OverflowError):
            # What the database cannot take: a search in its full-text syntax with an unbalanced
            # quote (?search="), a number too large for a column (?audience=9223372036854775808).
            raise BadRequestError(
                "a filter or search value could not be used; check the numbers and try plain words"
            ) from None
        self.note_last_modified(*(self.last_modified_of(item) for item in items))
        return items

    def detail_view(self, request, pk):
        self.note_last_modified(self.last_modified_of(self.get_object()))
        return super().detail_view(request, pk)

    def find_view(self, request):
        """Wagtail's redirect to the detail address, made relative: the site's root URL may not be the host asked."""
        response = super().find_view(request)
        location = urlsplit(response["Location"])
        response["Location"] = location.path + (f"?{location.query}" if location.query else "")
        return response

    def find_object(self, queryset, request):
        if "id" in request.GET:
            try:
                pk = int(request.GET["id"])
            except ValueError:
                raise BadRequestError("id must be an integer") from None
            return queryset.filter(pk=pk).first()
        code = getattr(self, "code_field", None)
        if code and code in request.GET:
            return queryset.filter(**{code: request.GET[code]}).first()
        return super().find_object(queryset, request)

    def handle_exception(self, exc):
        if isinstance(exc, ValidationError):  # a filter value the field cannot hold, e.g. ?first_published_at=x
            exc = BadRequestError("; ".join(exc.messages))
        # A form the API does not have, asked for by ?format= (DRF answers 404) or by Accept alone.
        asked_format = "format" in self.request.GET and isinstance(exc, (NotFound, Http404))
        if isinstance(exc, NotAcceptable) or asked_format:
            message = not_acceptable_message(self.request, API_FORMATS)
            return JsonResponse({"message": message}, status=406)
        response = super().handle_exception(exc)
        if isinstance(exc, APIException) and isinstance(response.data, dict) and "detail" in response.data:
            response.data = {"message": str(response.data["detail"])}
        if response.status_code == 404 and isinstance(response.data, dict) and not response.data.get("message"):
            response.data = {"message": "not found"}
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(response, "render"):  # a DRF answer (find/ redirects are plain responses)
            response.render()
        moments = self._last_modified or []
        return finish_public_response(
            getattr(request, "_request", request), response, last_modified=max(moments) if moments else None
        )


class NoticePagesAPIViewSet(PublicAPIMixin, PagesAPIViewSet):
    """Wagtail's pages endpoint, for pages anyone may read: live, and under no view restriction.

    Wagtail's own endpoint lets a signed-in user (or one who typed a page's
    password) see restricted pages; these answers are cached as public, so
    restricted pages are never in them.
    """

    # Resolving a notice or the hub costs a bounded set of queries: once per answer, never per row.
    detail_only_fields = [*PagesAPIViewSet.detail_only_fields, "notice", "hub"]

    def get_base_queryset(self):
        return super().get_base_queryset().public()

    def get_queryset(self):
        from .pages import PrivacyNoticePage

        queryset = super().get_queryset()
        related = ["locale", "alias_of"]
        if issubclass(queryset.model, PrivacyNoticePage):
            related.append("audience")
        return queryset.select_related(*related)


class RegisterAPIViewSet(PublicAPIMixin, BaseAPIViewSet):
    """A published register: live rows only, every public field by default, filters on public fields only."""

    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]  # search last: its results cannot be filtered
    #: The field that holds an entry's stable code (``?slug=``, ``find/?slug=``).
    code_field = "slug"
    #: The fields ``?<field>=`` and ``?order=`` accept (besides ``id``).
    filter_fields = ()

    def get_queryset(self):
        return self.model.objects.filter(live=True).order_by(*self.public_order())

    def public_order(self) -> list:
        # As the public registers beside the hub list them: by name whatever its case, on every database.
        return [Lower("name"), "name", "slug"]

    @classmethod
    def get_available_fields(cls, model, db_fields_only=False):
        fields = super().get_available_fields(model, db_fields_only=db_fields_only)
        if db_fields_only:
            allowed = {"id", cls.code_field, *cls.filter_fields}
            fields = [field for field in fields if field in allowed]
        return fields

    @classmethod
    def get_listing_default_fields(cls, model):
        return cls.get_available_fields(model)

    @classmethod
    def get_nested_default_fields(cls, model):
        return cls.get_available_fields(model)


class ProcessorsAPIViewSet(RegisterAPIViewSet):
    """The processor register: who receives personal data, where it is held and what protects it."""

    name = "processors"
    model = Processor
    find_query_parameters = BaseAPIViewSet.find_query_parameters.union(["slug"])
    filter_fields = ("name", "service", "role", "transfer_safeguard")


class CookiesAPIViewSet(RegisterAPIViewSet):
    """The cookie declarations, by category in the ICO's order, then by name."""

    name = "cookies"
    model = CookieDeclaration
    find_query_parameters = BaseAPIViewSet.find_query_parameters.union(["slug"])
    filter_fields = ("name", "category", "party", "lifetime")

    def get_queryset(self):
        return super().get_queryset().select_related("provider")

    def public_order(self) -> list:
        return [cookie_category_rank(), "category", Lower("name"), "name", "slug"]

    def last_modified_of(self, cookie):
        # The provider's name shows in the cookie's answer.
        provider = cookie.provider if cookie.provider_id and cookie.provider.live else None
        return max(filter(None, [cookie.last_published_at, provider and provider.last_published_at]), default=None)


class RetentionRulesAPIViewSet(RegisterAPIViewSet):
    """The retention schedule, in the public schedule's order (``retention_schedule.models.published_rules``)."""

    name = "retention-rules"
    model = RetentionRule
    code_field = "code"
    find_query_parameters = BaseAPIViewSet.find_query_parameters.union(["code"])
    filter_fields = ("record_class", "business_function", "period_type", "period", "disposal_action")

    def public_order(self) -> list:
        return schedule_order()


class AudiencesAPIViewSet(RegisterAPIViewSet):
    """The audiences notices speak to (plain data: no drafts)."""

    name = "audiences"
    model = Audience
    find_query_parameters = BaseAPIViewSet.find_query_parameters.union(["slug"])
    filter_fields = ("name", "data_subject")

    def get_queryset(self):
        return Audience.objects.order_by(*self.public_order())


def address_not_found(request, *args, **kwargs):
    """Any other address under the API: a JSON 404 like the endpoints' own, not the site's HTML page."""
    return finish_public_response(request, JsonResponse({"message": "not found"}, status=404))


class PublicAPIRouter(WagtailAPIRouter):
    """Wagtail's router, answering addresses no endpoint has (``pages/x/``, ``nothing/``) in JSON too."""

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), re_path(r"", address_not_found)]


api_router = PublicAPIRouter("privacy_notices_api")
api_router.register_endpoint("pages", NoticePagesAPIViewSet)
for viewset in (ProcessorsAPIViewSet, CookiesAPIViewSet, RetentionRulesAPIViewSet, AudiencesAPIViewSet):
    api_router.register_endpoint(viewset.name, viewset)
