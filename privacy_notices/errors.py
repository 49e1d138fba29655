"""Error pages that answer in JSON when JSON was asked for.

A client reading the notices headlessly (``Accept: application/json`` or
``?format=json``) should get an error it can parse, not an HTML page. Use these
as the project's error handlers, in the root URLconf::

    handler404 = "privacy_notices.errors.page_not_found"
    handler500 = "privacy_notices.errors.server_error"

People still get Django's (or the project's own) HTML error pages.
"""

from django.utils.translation import gettext
from django.views import defaults

from retention_schedule.conditional import finish_public_response
from retention_schedule.negotiation import error_response, wants_json


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if wants_json(request):
        response = error_response(request, 404, gettext("There is nothing at this address."))
    else:
        response = defaults.page_not_found(request, exception, template_name=template_name)
    # The answer depends on Accept (a cache must not give the JSON to a browser), and scripts of
    # the allowed origins may read it.
    return finish_public_response(request, response)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if wants_json(request):
        # Never the exception: a stack trace is for the logs, not the public.
        return error_response(request, 500, gettext("Something went wrong on our side. Please try again later."))
    return defaults.server_error(request, template_name=template_name)
