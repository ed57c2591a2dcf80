"""The REST API under `/api/v1/` on the portal's host, its OpenAPI schema and its documentation (served from here:
the sidecar's files, no CDN). Each resource family's module lists its routes; every endpoint wears
`api_key_only`; the schema and the docs describe the API and hold no data (`public`)."""

from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from portal.access.http import public
from portal.api.endpoints import activity, clients, comments, contacts, documents, engagements, requests

OPEN: dict[str, Any] = {"authentication_classes": [], "permission_classes": [AllowAny], "throttle_classes": []}
schema_view = SpectacularAPIView.as_view(**OPEN)
docs_view = SpectacularSwaggerSplitView.as_view(url_name="api:schema", **OPEN)


@public
def schema(request: HttpRequest) -> HttpResponseBase:
    """The OpenAPI 3 schema of `/api/v1/` (YAML; `?format=json` for JSON)."""
    return schema_view(request)


@public
def docs(request: HttpRequest) -> HttpResponseBase:
    """The browsable documentation (Swagger UI, its files served from here by the sidecar, no CDN)."""
    return docs_view(request)


FAMILIES = [module.urlpatterns for module in (clients, contacts, documents, comments, requests, engagements, activity)]

app_name = "api"
urlpatterns = [
    path("v1/", include([route for family in FAMILIES for route in family])),
    path("schema/", schema, name="schema"),
    path("docs/", docs, name="docs"),
]
