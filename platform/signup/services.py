from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from accounts.services import email_digest
from core.audit import not_audited
from tenants.models import Tenant
from tenants.urls_external import portal_url, root_url


@not_audited("reads only")
def portals_for(email: str) -> list[Tenant]:
    """The live portals where this address has an account: one indexed query on the public directory."""
    return list(
        Tenant.objects.filter(directory_entries__email_digest=email_digest(email))
        .exclude(subscription__status="canceled")
        .prefetch_related("domains")
        .order_by("name")
    )


@not_audited("sends an e-mail to an address, telling nothing to whoever asked; writes nothing")
def find_portal_send(*, email: str) -> int:
    """E-mail the list of portals where `email` has an account; nothing is sent when there are none."""
    portals = [{"name": tenant.portal_name, "url": portal_url(tenant)} for tenant in portals_for(email)]
    if not portals:
        return 0
    context = {"portals": portals, "root_url": root_url()}
    message = EmailMultiAlternatives(
        subject="Your Portico portals",
        body=render_to_string("emails/find_portal.txt", context),
        to=[email],
    )
    message.attach_alternative(render_to_string("emails/find_portal.html", context), "text/html")
    message.send()
    return len(portals)
