from tests.real_services import (  # noqa: F401 - fixtures for the tests in this folder
    beat,
    redis_server,
    services_directory,
    smtp_sink,
    worker,
    worker_environment,
)
