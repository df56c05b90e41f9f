from django.urls import path

from prospects.views import imports

urlpatterns = [
    path("", imports.upload, name="import"),
]
