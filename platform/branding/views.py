from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from branding.colours import ink_on_white, text_on
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
    return render(request, "portal/settings/branding.html", {"form": form})


@require_GET
def theme_css(request: HttpRequest) -> HttpResponse:
    """The portal's brand as CSS custom properties (a stylesheet, so the CSP needs no inline styles)."""
    colour = request.tenant.brand_color  # type: ignore[attr-defined]
    css = (
        ":root {\n"
        f"  --brand: {colour};\n"
        f"  --brand-contrast: {text_on(colour)};\n"
        f"  --brand-ink: {ink_on_white(colour)};\n"
        "}\n"
    )
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
