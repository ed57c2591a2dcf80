"""Database aggregates the features share."""

from typing import Any

from django.db.models import Aggregate, FloatField


class PercentileCont(Aggregate):
    """`percentile_cont(p) WITHIN GROUP (ORDER BY expression)`: PostgreSQL's interpolated percentile."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile is a fraction from 0 to 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)
