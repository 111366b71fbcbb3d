from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from sitecert.api import api
from sitecert.certificates import published
from sitecert.certificates import views as certificate_views
from sitecert.registry import views as registry_views

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("query/", registry_views.query, name="registry-query"),
    path("verify/", certificate_views.verify, name="verify"),
    path("verify/<str:number>", certificate_views.verify, name="verify-number"),
    path(".well-known/jwks.json", certificate_views.jwks, name="jwks"),
    path(".well-known/did.json", published.did_json, name="did-json"),
    path("did.json", published.did_json),  # where did:web looks when PUBLIC_URL has a path
    path("contexts/sitecert/v1", published.context_v1, name="context-v1"),
    path("status/<int:list_id>/<str:purpose>", published.status_list, name="status-list"),
    path("seal/", published.seal_page, name="seal"),
    path("seal/<str:kid>.<str:form>", published.seal_certificate, name="seal-certificate"),
    path("", include("sitecert.portals.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
