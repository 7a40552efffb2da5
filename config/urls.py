from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views import email_addresses
from config.views import accessibility, healthz
from dashboards.views import home

# The admin signs in through the product's own page: its throttle, its single backend. Signed in
# without being a platform operator, the admin answers 403.
# (Replacing a bound method on the one AdminSite instance is the point, hence the ignore.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

handler500 = "config.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accessibility/", accessibility, name="accessibility"),
    # The language switch of the family pages posts here (Django's set_language): the choice is kept
    # in a cookie and the visitor lands back on the page they were reading.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The roster (or the technology director) owns sign-in addresses: allauth's page to add or
    # switch one is replaced by a page that says so (before allauth's own, which it shadows).
    path("account/email/", email_addresses, name="account_email_closed"),
    # Accounts of Google, Microsoft or the district's provider are linked by signing in with them
    # (accounts.sign_in), never by hand: their management page says so too.
    path("account/3rdparty/", email_addresses, name="socialaccount_connections_closed"),
    path("account/", include("allauth.urls")),
    path("registry/", include("registry.urls")),
    path("consent/", include("consent.urls")),
    # A family's consent link: no account, the signed address is the key (consent.family_links).
    path("family/", include("consent.family_urls")),
    # Creating districts (the installation's operators) and each district's setup checklist.
    path("setup/", include("onboarding.urls")),
    path("disclosures/", include("disclosures.urls")),
    path("reminders/", include("reminders.urls")),
    path("tools/authorizations/", include("authorizations.urls")),
    path("tools/", include("tools.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("audit/", include("audit.urls")),
    path("evidence/", include("evidence.urls")),
    path("", include("accounts.urls")),
]
