"""contextmfa: contextual multi-factor authentication, self-hosted.

The public surface is small on purpose: load a tenant config, build an engine from it once, and
evaluate login events into decisions. The CLI and, later, the HTTP service are thin adapters over
these names.

    config = load_config("tenant.toml")
    engine = Engine(config)
    decision = engine.evaluate(parse_event(data, where="request"), InMemoryHistory())
"""

from contextmfa.config import TenantConfig, load_config
from contextmfa.decision import Decision
from contextmfa.engine import Engine
from contextmfa.enrich.history import History, InMemoryHistory, LoginRecord
from contextmfa.errors import (
    CompileError,
    ConfigError,
    ContextMFAError,
    InputError,
    Problem,
    SandboxError,
)
from contextmfa.events import LoginEvent, load_event, parse_event, read_events
from contextmfa.replay import replay

__version__ = "0.1.0"

__all__ = [
    "CompileError",
    "ConfigError",
    "ContextMFAError",
    "Decision",
    "Engine",
    "History",
    "InMemoryHistory",
    "InputError",
    "LoginEvent",
    "LoginRecord",
    "Problem",
    "SandboxError",
    "TenantConfig",
    "__version__",
    "load_config",
    "load_event",
    "parse_event",
    "read_events",
    "replay",
]
