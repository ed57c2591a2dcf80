"""What requests store, for the plan's storage quota (portal.files.quota). Loaded at start-up."""

from django.db.models import Sum

from portal.files import quota


def request_files_bytes() -> int:
    from portal.requests.models import RequestFile

    return int(RequestFile.objects.aggregate(total=Sum("size"))["total"] or 0)


quota.register("request-files", measure=request_files_bytes, fields=["requests.RequestFile.file"])
quota.exempt(
    "requests.QuarantinedRequestFile.file",
    reason="infected files kept aside for review, never attached or served; counting them would let malware fill "
    "a portal's quota and block its uploads (each is bounded by the file size limit)",
)
