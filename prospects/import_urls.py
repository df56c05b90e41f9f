from django.urls import path

from prospects.views import imports

urlpatterns = [
    path("", imports.upload, name="import"),
    path("<str:token>/", imports.summary, name="import_summary"),
    path("<str:token>/map/", imports.map_columns, name="import_map"),
    path("<str:token>/preview/", imports.preview, name="import_preview"),
    path("<str:token>/start/", imports.start, name="import_start"),
    path("<str:token>/outcome.csv", imports.outcome_csv, name="import_outcome"),
]
