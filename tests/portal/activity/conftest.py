from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from config.celery import app


@pytest.fixture
def told(django_capture_on_commit_callbacks: Any) -> Iterator[Callable[[], AbstractContextManager[None]]]:
    """`with told(): ...` runs the block, then what it scheduled after commit, with Celery tasks run here and
    at once (the fan-out, then the e-mails it queues)."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True

    @contextmanager
    def block() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    try:
        yield block
    finally:
        app.conf.task_always_eager = False
        app.conf.task_eager_propagates = False
