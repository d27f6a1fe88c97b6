"""The HTTP service (``contextmfa serve``): FastAPI on uvicorn, one or many tenants.

    from contextmfa.service import create_app, load_tenants
    app = create_app(load_tenants([Path("tenant.toml")]), owns_tenants=True)

Modules, one concept each: ``app`` (the factory), ``routes/`` (one module per area), ``auth``
(the three bearer credentials), ``tokens`` (the ``mfa_token``), ``steps`` (walking the MFA
steps), ``assertion`` (ES256 JWT and JWKS), ``tenants`` (the registry), ``engines`` (a tenant's
engine, rebuilt on deployment; where process isolation is wired), ``deployments`` (Action
versions), ``schemas`` (bodies), ``views`` (records as JSON), ``errors`` (Auth0-style answers),
``metrics`` (Prometheus), ``logs`` (JSON access and audit lines), ``openapi``.
"""

from contextmfa.service.app import app_from_environment, create_app
from contextmfa.service.tenants import Tenant, Tenants, config_paths, load_tenants

__all__ = [
    "Tenant",
    "Tenants",
    "app_from_environment",
    "config_paths",
    "create_app",
    "load_tenants",
]
