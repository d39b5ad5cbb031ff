from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("messaging.api.urls")),
    # The pages: /, /accounts/login|logout|signup/, /messages and /messages/<user id>.
    path("", include("messaging.web.urls")),
]

handler404 = "alumunity.views.not_found"
handler500 = "alumunity.views.server_failure"
