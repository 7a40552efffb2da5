from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "authorizations"
    verbose_name = "Authorizations to use a tool with students"

    def ready(self) -> None:
        # A tool leaving the approved list suspends the authorizations to use it (tools cannot import
        # this app, so it calls the step registered here from its own service).
        from authorizations.services import authorizations_suspend_for_tool
        from tools.services import register_tool_leaving_step

        register_tool_leaving_step(authorizations_suspend_for_tool)
