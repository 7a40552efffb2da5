from django.apps import AppConfig


class ConsentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consent"
    verbose_name = "Photo consent"

    def ready(self) -> None:
        # The consent scopes follow the policy profile: accounts saves it and calls core.policy.
        from consent.services import consent_scopes_follow_policy
        from core import policy

        policy.register("consent_scopes", consent_scopes_follow_policy)
