from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site: its content loader, logins and an ordinary content page. Never imported by the plugin's apps."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
