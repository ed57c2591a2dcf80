from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tenants.models import HEX_COLOUR

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4096
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def check_logo(upload: UploadedFile) -> UploadedFile:
    """A small PNG, JPEG or WebP image, recognised from its content (never from its name)."""
    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > MAX_LOGO_BYTES:
        raise ValidationError(_("The logo must be at most 512 KB."), code="too_big")
    try:
        with Image.open(upload) as image:
            width, height = image.size  # read from the header, before any pixel is decoded
            if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
                raise ValidationError(
                    _("The logo must be at most %(side)d pixels wide and high."), code="too_large",
                    params={"side": MAX_LOGO_SIDE},
                )  # fmt: skip
            image.verify()
            kind = image.format or ""
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The logo must be at most %(side)d pixels wide and high."),
            code="too_large",
            params={"side": MAX_LOGO_SIDE},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="not_an_image") from None
    if kind not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."), code="format")
    upload.seek(0)
    upload.name = f"logo.{LOGO_FORMATS[kind]}"
    return upload


class BrandingForm(forms.Form):
    display_name = forms.CharField(
        label=_("Portal name"),
        max_length=120,
        required=False,
        help_text=_("Shown to your clients; defaults to your company name."),
    )
    brand_color = forms.CharField(
        label=_("Brand colour"),
        max_length=7,
        validators=[HEX_COLOUR],
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Buttons and highlights use it; link and focus colours are adjusted so they stay readable."),
    )
    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("PNG, JPEG or WebP, at most 512 KB."))
    clear_logo = forms.BooleanField(
        label=_("Remove the current logo"),
        required=False,
        help_text=_("Your portal then shows its initial and name instead."),
    )

    def clean_logo(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("logo")
        return check_logo(upload) if upload else None
