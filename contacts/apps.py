from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        # Registers the app's kinds of background work in every process.
        import contacts.transfers  # noqa: F401
