from __future__ import annotations

from typing import Any

import jwt
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.microsoft.views import MicrosoftGraphOAuth2Adapter
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from django.http import HttpRequest


class MicrosoftTenantOAuth2Adapter(MicrosoftGraphOAuth2Adapter):
    """Microsoft Graph's profile says nothing of the tenant; the ID token the token endpoint returned
    does (`tid`). It came straight from Microsoft's token endpoint over TLS, which OpenID Connect
    accepts in place of checking its signature (Core 1.0, 3.1.3.7); its audience must still be us."""

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> SocialLogin:
        login = super().complete_login(request, app, token, **kwargs)
        id_token = (kwargs.get("response") or {}).get("id_token", "")
        if not id_token:
            raise OAuth2Error("Microsoft returned no ID token: the app needs the openid scope.")
        claims = jwt.decode(id_token, options={"verify_signature": False, "verify_exp": False})
        if claims.get("aud") != app.client_id:
            raise OAuth2Error("The Microsoft ID token was issued to another application.")
        login.account.extra_data = {**login.account.extra_data, "tid": claims.get("tid", "")}
        return login


oauth2_login = OAuth2LoginView.adapter_view(MicrosoftTenantOAuth2Adapter)
oauth2_callback = OAuth2CallbackView.adapter_view(MicrosoftTenantOAuth2Adapter)
