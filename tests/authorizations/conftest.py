# The consent scopes the authorizations' participation forms sit beside.
from tests.consent.conftest import scopes, social  # noqa: F401
