"""Lists page with an opaque cursor (stable while rows are added, unlike page numbers), newest change last, so a
client syncing with `updated_since` walks forward through the changes and keeps the last `updated_at` it saw."""

from rest_framework.pagination import CursorPagination


class ChangesCursor(CursorPagination):
    ordering = ("updated_at", "pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
