"""What every router shares: who is asking (a bearer token or the web session), the one error shape, and
answers rendered without a second validation for the rush's hot operations."""

from ninja import Schema
from ninja.security import HttpBearer, django_auth

from sitecert import clock
from sitecert.people import services


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = services.api_token_authenticate(token, now=clock.now())
        if found is None:
            return None
        request.user, request.api_token = found.user, found
        return found.user


AUTH = [TokenAuth(), django_auth]


class ErrorOut(Schema):
    message: str
    details: object = None


def answered(request, data: dict, status: int = 200):
    """`data` rendered as the API renders every answer, without validating it against the operation's schema
    once more (about a fifth of a verification's CPU): for hot operations whose answer one function builds
    with fixed fields. tests/api/test_schema.py and the operation's own tests hold it to the document."""
    from sitecert.api import api  # that module imports the routers, which import this one

    return api.create_response(request, data, status=status)
