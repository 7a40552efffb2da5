from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disclosures"
    verbose_name = "Staff disclosures"

    def ready(self) -> None:
        from core import power
        from disclosures.selectors import power_refusal

        # The policy's "disclosure before power": the registry and authorizations ask core.power.
        power.register("disclosure_before_power", power_refusal)
