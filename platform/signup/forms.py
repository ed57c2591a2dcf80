from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from accounts.forms import name_field
from branding.forms import check_logo
from tenants.models import DEFAULT_BRAND_COLOUR, HEX_COLOUR, Tenant
from tenants.subdomains import MAX_LENGTH, validate_subdomain


class SignupForm(forms.Form):
    company_name = forms.CharField(
        label=_("Company name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    subdomain = forms.CharField(
        label=_("Subdomain"),
        max_length=MAX_LENGTH + 10,  # longer input gets the subdomain rule's own message
        help_text=_("Your portal's address: <subdomain>.%(root)s. Letters, digits and hyphens, 3 to 40 characters."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    owner_name = name_field(_("Your name"))
    email = forms.EmailField(label=_("Your work e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; a passphrase of a few words is easiest to remember."),
    )
    brand_color = forms.CharField(
        label=_("Brand colour"),
        initial=DEFAULT_BRAND_COLOUR,
        validators=[HEX_COLOUR],
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Buttons and links use it; text colours adjust to stay readable. You can change it later."),
    )
    logo = forms.FileField(label=_("Logo"), required=False, help_text=_("Optional. PNG, JPEG or WebP, at most 512 KB."))

    def __init__(self, *args: object, root_domain: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["subdomain"].help_text = str(self.fields["subdomain"].help_text) % {"root": root_domain}

    def clean_subdomain(self) -> str:
        slug = validate_subdomain(self.cleaned_data["subdomain"])
        if Tenant.objects.filter(slug=slug).exists():
            raise ValidationError(_("That subdomain is already taken."), code="taken")
        return slug

    def clean_logo(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("logo")
        return check_logo(upload) if upload else None

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            try:
                validate_password(str(password))
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class FindPortalForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
