"""The demo portal's people and clients (operators.demo) the feature tests act as, by name."""

from accounts.models import User
from portal.clients.models import ClientOrg


def user(email: str) -> User:
    return User.objects.get(email=email)


def olivia() -> User:
    return user("olivia.owner@northwind.example")


def adam() -> User:
    return user("adam.admin@northwind.example")


def mia() -> User:
    return user("mia.member@northwind.example")


def carla() -> User:
    return user("carla.admin@contoso.example")


def paula() -> User:
    return user("paula.lead@contoso.example")


def frank() -> User:
    return user("frank.finance@contoso.example")


def victor() -> User:
    return user("victor.viewer@contoso.example")


def hana() -> User:
    return user("hana.admin@fabrikam.example")


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def fabrikam() -> ClientOrg:
    return ClientOrg.objects.get(name="Fabrikam Health")
