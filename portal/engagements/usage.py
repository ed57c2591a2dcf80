"""What deliverables store, for the plan's storage quota (portal.files.quota). Loaded at start-up."""

from django.db.models import Sum

from portal.files import quota


def deliverable_bytes() -> int:
    from portal.engagements.models import DeliverableVersion

    return int(DeliverableVersion.objects.aggregate(total=Sum("size"))["total"] or 0)


quota.register("deliverables", measure=deliverable_bytes, fields=["engagements.DeliverableVersion.file"])
