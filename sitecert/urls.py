from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from sitecert.api import api

urlpatterns = [
    path("", include("sitecert.portals.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers and the admin ask for /favicon.ico whatever the pages say.
    path("favicon.ico", RedirectView.as_view(url=static("sitecert/favicon.svg"), permanent=True)),
]
