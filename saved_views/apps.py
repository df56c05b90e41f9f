from django.apps import AppConfig


class SavedViewsConfig(AppConfig):
    name = "saved_views"
    verbose_name = "Saved views"

    def ready(self) -> None:
        # Saved views join the command palette through its providers hook, after the
        # prospects (what is typed most likely names one) and before actions and pages.
        from klentyadmin.core.palette.providers import PROVIDERS
        from saved_views.palette import saved_views

        if saved_views not in PROVIDERS:
            PROVIDERS.insert(1, saved_views)
