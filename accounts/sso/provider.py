from __future__ import annotations

from allauth.socialaccount.providers.microsoft.provider import MicrosoftGraphProvider

from accounts.sso.views import MicrosoftTenantOAuth2Adapter


class MicrosoftProvider(MicrosoftGraphProvider):
    """allauth's Microsoft provider, its URLs and views taken from this package (get_package)."""

    oauth2_adapter_class = MicrosoftTenantOAuth2Adapter


provider_classes = [MicrosoftProvider]
