"""Lists page with an opaque cursor (stable while rows are added, unlike page numbers), newest change last, so a
client syncing with `updated_since` walks forward through the changes and keeps the last `updated_at` it saw."""

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request


class ChangesCursor(CursorPagination):
    ordering = ("updated_at", "pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request) -> Cursor | None:
        """A cursor that was tampered with is a 404 (DRF's answer to a cursor it cannot read), never a 500 from the
        position it carries failing to convert."""
        try:
            return super().decode_cursor(request)
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except ValidationError:  # the position is read, then compared in SQL: a value the column cannot take
            raise NotFound(self.invalid_cursor_message) from None
