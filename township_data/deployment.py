"""The county deployment's nginx site, rendered from one template (`nginx.conf.template`).

docs/deploy.md shows this rendering for its example values and the deployment test
(tests/e2e/test_county_deployment.py) runs nginx with it, so the documented configuration and
the tested one cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import config

_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


@dataclass(frozen=True)
class Site:
    """Where the dashboard is reached and which app processes serve it."""

    ports: Sequence[int] = (8501, 8502, 8503)
    server_name: str = "kanban.county.example"
    listen: str = "443"
    certificate: str = "/etc/ssl/kanban.pem"
    certificate_key: str = "/etc/ssl/kanban.key"
    max_upload_mb: int = 20
    host: str = "127.0.0.1"


def render_nginx(site: Site = Site()) -> str:
    """The nginx site file for `site`; every placeholder of the template must be filled."""
    if not site.ports:
        raise ValueError("at least one app process port is needed")
    values = {
        "upstream_servers": "\n".join(f"    server {site.host}:{port};" for port in site.ports),
        "listen": site.listen,
        "server_name": site.server_name,
        "certificate": site.certificate,
        "certificate_key": site.certificate_key,
        "max_upload_mb": str(site.max_upload_mb),
    }
    text = config.NGINX_TEMPLATE.read_text(encoding="utf-8")
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise ValueError(f"the template has placeholders without values: {missing}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
