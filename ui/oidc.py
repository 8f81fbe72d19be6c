"""Sign-in with the kommune's identity provider: OpenID Connect, authorization code flow with PKCE,
``state`` and ``nonce``, through authlib's Starlette client (discovery from the issuer's
``.well-known/openid-configuration``; the ID token's signature, issuer, audience, expiry and nonce are
checked by authlib). Who the provider's user is here: :mod:`pathways.services.identity`.

Configuration (all four, or none: then only local passwords):

- ``PATHWAYS_OIDC_ISSUER``: the provider's issuer URL (Entra ID: ``https://login.microsoftonline.com/<tenant>/v2.0``)
- ``PATHWAYS_OIDC_CLIENT_ID`` and ``PATHWAYS_OIDC_CLIENT_SECRET``: this application's registration
- ``PATHWAYS_OIDC_MAPPING``: the YAML file mapping the provider's groups to role, kommune and unit
- ``PATHWAYS_OIDC_SCOPE`` (optional): ``openid profile email`` unless set
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from authlib.integrations.starlette_client import OAuth

from pathways.services.context import Actor, Context, Engine
from pathways.services.identity import ClaimMapping, check_mapping, load_mapping

NAME = "kommune"  # the provider's name in authlib's registry (and in the session's state keys)
VARIABLES = ("PATHWAYS_OIDC_ISSUER", "PATHWAYS_OIDC_CLIENT_ID", "PATHWAYS_OIDC_CLIENT_SECRET", "PATHWAYS_OIDC_MAPPING")


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    mapping: ClaimMapping
    scope: str = "openid profile email"

    @property
    def origin(self) -> str:
        """The provider's origin (scheme and host): sign-out forms may be sent on to it (CSP form-action)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @classmethod
    def from_environment(cls) -> OidcSettings | None:
        """The settings from the environment; None when none of the variables is set. Some but not all, a
        scope without ``openid``, or a bad issuer URL or mapping file: ValueError saying which."""
        values = {name: os.environ.get(name, "").strip() for name in VARIABLES}
        if not any(values.values()):
            return None
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ValueError(f"sign-in with the kommune's identity provider needs {', '.join(missing)} as well")
        issuer = values["PATHWAYS_OIDC_ISSUER"].rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"PATHWAYS_OIDC_ISSUER must be an https URL, not {issuer!r}")
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("PATHWAYS_OIDC_ISSUER must use https (plain http only on loopback, for tests)")
        scope = os.environ.get("PATHWAYS_OIDC_SCOPE", "").strip() or "openid profile email"
        if "openid" not in scope.split():
            raise ValueError(f"PATHWAYS_OIDC_SCOPE must include openid, not {scope!r}")
        return cls(issuer, values["PATHWAYS_OIDC_CLIENT_ID"], values["PATHWAYS_OIDC_CLIENT_SECRET"],
                   load_mapping(values["PATHWAYS_OIDC_MAPPING"]), scope)


def provider(settings: OidcSettings, engine: Engine) -> OAuth:
    """authlib's client of the provider, after the mapping's kommuner and units are checked in the store."""
    check_mapping(Context(engine, actor=Actor.system("dashboard")), settings.mapping,
                  os.environ.get("PATHWAYS_OIDC_MAPPING") or "the sign-in mapping")
    oauth = OAuth()
    oauth.register(NAME, client_id=settings.client_id, client_secret=settings.client_secret,
                   server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": settings.scope, "code_challenge_method": "S256", "timeout": 10})
    return oauth
