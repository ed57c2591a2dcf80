from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from branding import colours, favicon
from branding.context_processors import PLATFORM_NAME
from branding.forms import BrandingForm
from portal.access.http import PortalRequest, managers_only
from tenants.routing import remember_routing_version
from tenants.services import tenant_update_branding

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


@managers_only
def branding_settings(request: PortalRequest) -> HttpResponse:
    """Owners and admins set the portal's name, colour and logo."""
    tenant = request.tenant
    if request.method == "POST":
        form = BrandingForm(request.POST, request.FILES)
        if form.is_valid():
            tenant_update_branding(
                actor=request.actor,
                tenant=tenant,
                display_name=form.cleaned_data["display_name"],
                brand_color=form.cleaned_data["brand_color"],
                logo=form.cleaned_data["logo"],
                clear_logo=form.cleaned_data["clear_logo"],
            )
            messages.success(request, _("Your portal's branding is saved."))
            return remember_routing_version(redirect("branding:settings"))
    else:
        form = BrandingForm(initial={"display_name": tenant.display_name, "brand_color": tenant.brand_color})
    if not tenant.logo:
        del form.fields["clear_logo"]
    form.fields["display_name"].widget.attrs["placeholder"] = tenant.name  # what an empty name falls back to
    return render(request, "portal/settings/branding.html", {"form": form})


@require_GET
def theme_css(request: HttpRequest) -> HttpResponse:
    """The portal's brand as CSS custom properties (a stylesheet, so the CSP needs no inline styles)."""
    css = colours.theme_css(request.tenant.brand_color)  # type: ignore[attr-defined]
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # the URL carries the colour
    return response


@require_GET
def logo(request: HttpRequest) -> FileResponse:
    """The portal's logo, read from the tenant's storage prefix. Public: it is on the sign-in page."""
    name = request.tenant.logo.name  # type: ignore[attr-defined]
    if not name or not default_storage.exists(name):
        raise Http404
    extension = name.rsplit(".", 1)[-1]
    response = FileResponse(
        default_storage.open(name), content_type=CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- favicons: public assets like the theme and the logo (on the sign-in page, open in every lifecycle state) ---


def _icon_design(request: HttpRequest) -> tuple[str, str]:
    """(colour, initial) of the portal's icon, or Portico's on the root site."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return favicon.brand_colour(None), favicon.initial(PLATFORM_NAME)
    return favicon.brand_colour(tenant.brand_color), favicon.initial(tenant.portal_name)


def _icon_response(
    request: HttpRequest, body: str | bytes, content_type: str, colour: str, letter: str
) -> HttpResponse:
    """The icon with its caching: a year (immutable) at the URL that names this design (`?v=`, as the pages
    link it), a day at the bare URL (`/favicon.ico`, which browsers ask for on their own); an ETag either way."""
    current = favicon.version(colour, letter)
    etag = f'"{current}"'
    not_modified = get_conditional_response(request, etag=etag)
    response = not_modified if not_modified is not None else HttpResponse(body, content_type=content_type)
    immutable = request.GET.get("v") == current
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=86400"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def favicon_svg(request: HttpRequest) -> HttpResponse:
    """The portal's icon as SVG: a rounded square in its brand colour with its name's initial."""
    colour, letter = _icon_design(request)
    return _icon_response(request, favicon.svg(colour, letter), "image/svg+xml", colour, letter)


@require_safe
def favicon_ico(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`: the same design as a 16, 32 and 48 px icon file, so it never answers 404."""
    colour, letter = _icon_design(request)
    return _icon_response(request, favicon.ico(colour, letter), "image/x-icon", colour, letter)


@require_safe
def touch_icon(request: HttpRequest) -> HttpResponse:
    """The 180 px PNG for home screens (`<link rel="apple-touch-icon">`)."""
    colour, letter = _icon_design(request)
    return _icon_response(request, favicon.touch_png(colour, letter), "image/png", colour, letter)
