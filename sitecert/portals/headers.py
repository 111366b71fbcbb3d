"""Response headers every page and endpoint carries besides Django's own (docs/security.md)."""

from django.conf import settings


class PermissionsPolicy:
    """`Permissions-Policy`: the browser features sitecert never uses stay off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
