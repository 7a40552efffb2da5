"""Production serves hashed, compressed static files: collecting them must work with every vendored asset."""

from __future__ import annotations

from django.core.management import call_command


def test_it_collects_every_static_file_for_production(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # A vendored file that names a missing source map fails here, as it would at deploy time.
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert list((tmp_path / "static" / "vendor" / "chartjs").glob("chart.umd.min.*.js"))
