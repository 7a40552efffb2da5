from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "District directory"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.services import record_sign_in

        # Django's own receiver saves the whole user, which would add an empty entry to the person's
        # audited history at every sign-in; ours writes the sign-in time alone (it is not audited).
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(record_sign_in, dispatch_uid="update_last_login")
