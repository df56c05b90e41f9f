from django.urls import include, path

from prospects.views import bulk, detail, edit, search, sync

app_name = "prospects"

urlpatterns = [
    path("", search.search, name="search"),
    path("export.csv", search.export_csv, name="export"),
    path("columns/", search.save_columns, name="columns"),
    path("new/", edit.create, name="create"),
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/timeline/", detail.timeline_older, name="timeline"),
    path("<int:pk>/refresh/", detail.refresh, name="refresh"),
    path("<int:pk>/edit/", edit.edit, name="edit"),
    path("<int:pk>/custom-field/", edit.custom_field, name="custom_field"),
    path("import/", include("prospects.import_urls")),
    path("sync/", sync.sync_status, name="sync_status"),
    path("sync/start/", sync.start_sync, name="sync_start"),
    path("bulk/", bulk.confirm, name="bulk_confirm"),
    path("bulk/start/", bulk.start, name="bulk_start"),
    path("jobs/", bulk.jobs, name="jobs"),
    path("jobs/<int:pk>/", bulk.job, name="job"),
    path("jobs/<int:pk>/progress/", bulk.job_progress, name="job_progress"),
    path("jobs/<int:pk>/cancel/", bulk.cancel, name="job_cancel"),
    path("jobs/<int:pk>/retry/", bulk.retry, name="job_retry"),
    path("jobs/<int:pk>/undo/", bulk.undo, name="job_undo"),
    path("jobs/<int:pk>/results.csv", bulk.results_csv, name="job_results"),
]
