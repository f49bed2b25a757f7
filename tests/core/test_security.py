"""Security headers, production refusals and cookie settings."""


import pytest

from config import DEV_SECRET_KEY, Config
from schoolportal import create_app


def test_security_headers_on_every_page(client, parent):
    for response in (client.get("/login"), parent.get("/"), parent.get("/no-such-page")):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script(client, parent):
    for response in (client.get("/login"), parent.get("/")):
        html = response.get_data(as_text=True)
        assert "<script>" not in html and " on" + "click=" not in html
        assert '<script src="/static/js/htmx-4.0.1.min.js?v=' in html  # v: the file's hash


def test_htmx_sends_the_csrf_token_from_the_body(parent):
    html = parent.get("/").get_data(as_text=True)
    assert 'hx-headers:inherited=\'{"X-CSRFToken": "' in html
    assert "hx-boost:inherited='{\"swap\": \"outerHTML\"}'" in html


def test_no_external_resources(client):
    html = client.get("/login").get_data(as_text=True)
    assert "http://" not in html and "https://" not in html


def _production(tmp_path, **settings):
    attrs = {"DATABASE_URL": f"sqlite:///{tmp_path}/prod.db", **settings}
    return type("ProdConfig", (Config,), attrs)


def test_production_refuses_the_default_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(tmp_path, SECRET_KEY=DEV_SECRET_KEY))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(tmp_path, SECRET_KEY="short"))


def test_production_sets_secure_cookies(tmp_path):
    app = create_app(_production(tmp_path, SECRET_KEY="k" * 64))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_page_is_a_friendly_404(parent):
    response = parent.get("/does-not-exist")
    assert response.status_code == 404 and "Pagina niet gevonden" in response.get_data(as_text=True)


def test_too_large_request_is_refused_clearly(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413 and "te groot" in response.get_data(as_text=True)
