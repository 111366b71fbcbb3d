"""What every router shares: who is asking (a bearer token or the web session) and the one error shape."""

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
