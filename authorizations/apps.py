from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "authorizations"
    verbose_name = "Authorizations to use a tool with students"
