from tests.real_services import (  # noqa: F401 - fixtures for the reminder benchmark
    beat,
    redis_server,
    services_directory,
    smtp_sink,
    worker,
    worker_environment,
)
