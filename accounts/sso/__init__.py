"""Signing in with Microsoft 365: allauth's Microsoft provider, plus the tenant the person signed in
through, which a district checks against its own (accounts.sign_in)."""
