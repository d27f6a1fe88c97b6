"""``contextmfa serve``: the HTTP service for one tenant config or a directory of them."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from contextmfa.cli.console import reporting_errors
from contextmfa.cli.options import ConfigOption
from contextmfa.errors import ConfigError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)


def serve(
    config: ConfigOption = None,
    tenants: Annotated[
        Path | None,
        typer.Option(
            "--tenants",
            "-t",
            help="Serve every *.toml tenant config in this directory.",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, max=256, help="Worker processes.")
    ] = 1,
    log_level: Annotated[
        str, typer.Option("--log-level", help="critical, error, warning, info or debug.")
    ] = "info",
    read_timeout: Annotated[
        float,
        typer.Option(
            "--read-timeout",
            min=0.1,
            max=3600,
            help="Seconds a client has to send a request's headers, and again its body; "
            "past either the connection is closed (after a 408).",
        ),
    ] = 10.0,
    shutdown_timeout: Annotated[
        float,
        typer.Option(
            "--shutdown-timeout",
            min=0,
            max=3600,
            help="On SIGTERM, seconds the requests in flight have to finish before they are "
            "cancelled.",
        ),
    ] = 30.0,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json) until interrupted.

    Needs `CONTEXTMFA_SECRET_KEY` (see `contextmfa keygen`; `CONTEXTMFA_DEVELOPMENT=1` uses the
    public development key), and `[service] api_key` (and `admin_key` for the admin endpoints) in
    each config, directly or as `env:NAME`. Logs are JSON lines on stderr. Several workers, or
    several `serve` processes on several hosts, share one store (PostgreSQL, optionally Redis)
    and behave as one service. A client slower than `--read-timeout` to send a request's
    headers, or then its body, is cut off, so slow connections cannot pile up. On SIGTERM it
    stops accepting connections, lets the requests in flight finish (up to `--shutdown-timeout`)
    and exits 0. Exit 2 on a bad config or a store (or Redis) it cannot reach at start.
    """
    with reporting_errors():
        if log_level not in LOG_LEVELS:
            raise ConfigError(f"--log-level must be one of {', '.join(LOG_LEVELS)}")
        _run(
            config,
            tenants,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            read_timeout=read_timeout,
            shutdown_timeout=shutdown_timeout,
        )


def _drained(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM outside uvicorn's own handling: the stop asked for is done, exit a clean 0.

    uvicorn handles SIGTERM while it serves (stop accepting, finish what is in flight) and, once
    drained, raises it again for the handler that was there before, which is this one; a
    SIGTERM just before uvicorn listens ends the process here too.
    """
    raise SystemExit(0)


def _run(
    config: Path | None,
    tenants: Path | None,
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    read_timeout: float,
    shutdown_timeout: float,
) -> None:
    import uvicorn

    from contextmfa.service import config_paths, create_app, load_tenants
    from contextmfa.service.app import ENV_CONFIGS, ENV_LOG_LEVEL
    from contextmfa.service.clock_skew import clock_from_environment
    from contextmfa.service.logs import configure_logging
    from contextmfa.service.read_timeout import ENV_READ_TIMEOUT, HeaderDeadlineProtocol

    configure_logging(log_level)
    clock = clock_from_environment(os.environ)  # a test-only skew, refused unless enabled
    paths = [p.resolve() for p in config_paths(config, tenants)]
    registry = load_tenants(paths)  # every config checked, every store opened, before listening
    # The protocol (in every worker) reads the timeout for headers from the environment.
    os.environ[ENV_READ_TIMEOUT] = repr(read_timeout)
    # log_config=None: uvicorn keeps the JSON handlers configure_logging() set up.
    common = {
        "host": host,
        "port": port,
        "access_log": False,
        "log_config": None,
        "http": HeaderDeadlineProtocol,
        "timeout_graceful_shutdown": shutdown_timeout,
    }
    signal.signal(signal.SIGTERM, _drained)
    if workers == 1:
        app = create_app(registry, clock=clock, owns_tenants=True, read_timeout=read_timeout)
        uvicorn.run(app, server_header=False, **common)
        return
    in_memory = [t.id for t in registry if t.store.database.in_memory]
    registry.close()
    if in_memory:
        raise ConfigError(
            f"tenant {in_memory[0]}: an in-memory store (sqlite://) cannot be shared by "
            f"{workers} workers; use a database file or PostgreSQL"
        )
    metrics_dir = tempfile.mkdtemp(prefix="contextmfa-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    os.environ[ENV_CONFIGS] = os.pathsep.join(str(p) for p in paths)
    os.environ[ENV_LOG_LEVEL] = log_level
    try:
        uvicorn.run(
            "contextmfa.service.app:app_from_environment",
            factory=True,
            workers=workers,
            server_header=False,
            **common,
        )
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
