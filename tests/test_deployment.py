"""The county deployment's nginx site: one template, rendered for docs/deploy.md and for the test.

The nginx block of docs/deploy.md must be the template rendered with the example values, so what the
county copies is what tests/e2e/test_county_deployment.py runs.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from township_data import config, deployment
from township_data.cli import main
from township_data.deployment import Site, render_nginx


def _documented_nginx_blocks() -> list[str]:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    return re.findall(r"```nginx\n(.*?)```", text, flags=re.S)


def test_the_deployment_doc_shows_the_template_rendered_with_its_example_values() -> None:
    assert _documented_nginx_blocks() == [render_nginx(Site())]


def test_every_process_is_an_upstream_server_and_every_placeholder_is_filled() -> None:
    site = Site(
        ports=(9101, 9102),
        server_name="kanban.test",
        listen="127.0.0.1:8443",
        certificate="/tmp/c.pem",
        certificate_key="/tmp/k.pem",
        max_upload_mb=7,
    )
    text = render_nginx(site)
    assert "{{" not in text and "}}" not in text
    servers = re.findall(r"^    server (\S+);$", text, flags=re.M)
    assert servers == ["127.0.0.1:9101", "127.0.0.1:9102"]
    assert "listen 127.0.0.1:8443 ssl;" in text and "server_name kanban.test;" in text
    assert "ssl_certificate     /tmp/c.pem;" in text and "ssl_certificate_key /tmp/k.pem;" in text
    assert "client_max_body_size 7m;" in text
    # Sticky by nginx's own cookie (ip_hash would send one NAT address to one process) and the
    # WebSocket upgrade passed on.
    assert "hash $township_backend consistent;" in text
    assert not re.search(r"^\s*ip_hash;", text, flags=re.M)
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    with pytest.raises(ValueError):
        render_nginx(Site(ports=()))


def test_a_template_placeholder_without_a_value_is_refused(tmp_path, monkeypatch) -> None:
    template = tmp_path / "nginx.conf.template"
    template.write_text(
        config.NGINX_TEMPLATE.read_text(encoding="utf-8") + "# {{ unknown }}\n", encoding="utf-8"
    )
    monkeypatch.setattr(deployment.config, "NGINX_TEMPLATE", template)
    with pytest.raises(ValueError, match="unknown"):
        render_nginx(Site())


def test_the_command_prints_or_writes_the_same_rendering(tmp_path, capsys) -> None:
    assert main(["nginx"]) == 0
    assert capsys.readouterr().out == render_nginx(Site())
    out = tmp_path / "township.conf"
    args = ["nginx", "--port", "8601", "--port", "8602", "--server-name", "a.example"]
    assert main([*args, "--listen", "8443", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_nginx(
        Site(ports=(8601, 8602), server_name="a.example", listen="8443")
    )
    assert "nginx -t" in capsys.readouterr().out
