from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from sitecert.api import api
from sitecert.certificates import views as certificate_views
from sitecert.registry import views as registry_views

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("query/", registry_views.query, name="registry-query"),
    path("verify/", certificate_views.verify, name="verify"),
    path("verify/<str:number>", certificate_views.verify, name="verify-number"),
    path(".well-known/jwks.json", certificate_views.jwks, name="jwks"),
    path("", include("sitecert.portals.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
