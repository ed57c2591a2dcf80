from core.celery import app
from signup.services import find_portal_send


@app.task(name="signup.find_portal_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def find_portal_send_task(email: str) -> int:
    """Public-schema task: e-mails the portals where `email` has an account."""
    return find_portal_send(email=email)
