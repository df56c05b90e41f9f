from django.urls import path

from reporting.views import dashboard, emails, experiments, funnel, health, pulls, scorecards

app_name = "reporting"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("section/<slug:name>/", dashboard.section, name="section"),
    path("csv/<slug:name>/", dashboard.chart_csv, name="csv"),
    path("scorecards/", scorecards.scorecards_page, name="scorecards"),
    path("scorecards/goals/", scorecards.set_goal, name="set_goal"),
    path("funnel/", funnel.outcome_funnel, name="funnel"),
    path("experiments/", experiments.experiments, name="experiments"),
    path("deliverability/", health.deliverability, name="deliverability"),
    path("answer-times/", health.answer_times, name="answer_times"),
    path("health-csv/<slug:name>/", health.health_csv, name="health_csv"),
    path("pulls/", pulls.pull_status, name="pulls"),
    path("pulls/refresh/", pulls.refresh_now, name="refresh"),
    path("pulls/<int:pk>/", pulls.pull_progress, name="pull_progress"),
    path("emails/", emails.subscriptions, name="emails"),
    path("emails/<int:pk>/", emails.edit_subscription, name="edit_email"),
    path("emails/<int:pk>/delete/", emails.delete_subscription, name="delete_email"),
    path("emails/<int:pk>/test/", emails.send_test, name="test_email"),
    path("unsubscribe/<str:token>/", emails.unsubscribe, name="unsubscribe"),
]
