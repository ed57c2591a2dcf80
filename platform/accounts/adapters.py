"""django-allauth glue."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    """Nobody signs up through allauth, on any host: provider accounts come from the signup flow on the root
    site and portal accounts from invitations."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
