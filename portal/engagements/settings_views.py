"""The engagement settings page (owners and admins): after how many days a deliverable waiting for a decision is
reminded to those who may decide. One guard, one service."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import add_to_form
from portal.access.http import PortalRequest, managers_only
from portal.engagements.models import EngagementSettings
from portal.engagements.services import EngagementError, engagement_settings, engagement_settings_save


class EngagementSettingsForm(forms.ModelForm):
    class Meta:
        model = EngagementSettings
        fields = ["decision_reminder_days"]
        widgets = {"decision_reminder_days": forms.NumberInput(attrs={"min": 0, "max": 30})}


@managers_only
def settings_view(request: PortalRequest) -> HttpResponse:
    form = EngagementSettingsForm(request.POST if request.method == "POST" else None, instance=engagement_settings())
    if form.is_bound and form.is_valid():
        try:
            engagement_settings_save(
                actor=request.actor, decision_reminder_days=form.cleaned_data["decision_reminder_days"]
            )
        except EngagementError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("engagements:settings")
    return render(request, "portal/engagements/settings.html", {"form": form}, status=400 if form.errors else 200)
