"""The chat page, its files, security headers and CORS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.gateway.settings import GatewaySettings, SettingsError
from bot.gateway.web.config import DEFAULT_FRAME_ANCESTORS, WebSettings
from bot.gateway.web.page import (
    STATIC_DIR,
    PageProfile,
    load_page_profile,
    logo_path,
    render_page,
)

ZALO_ORIGIN = "https://h5.zdn.vn"


def _csp(headers) -> dict[str, str]:
    policy = headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


async def test_page_names_the_commune_and_forbids_inline_script(make_client) -> None:
    client = await make_client()
    response = await client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    html = await response.text()
    name = load_page_profile().name
    assert f"<h1>{name}</h1>" in html
    assert 'lang="vi"' in html
    assert '<script src="static/app.js" defer></script>' in html
    assert not re.search(r"<script>|<script [^>]*>[^<]+</script>|\son[a-z]+=", html)
    csp = _csp(response.headers)
    assert csp["script-src"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == " ".join(DEFAULT_FRAME_ANCESTORS)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response.headers


async def test_input_is_labelled_and_limited(make_client) -> None:
    client = await make_client(max_text_chars=321)
    html = await (await client.get("/")).text()
    assert '<label for="input"' in html
    assert 'maxlength="321"' in html
    assert 'data-max-chars="321"' in html


async def test_static_files_and_logo_are_served_with_headers(make_client) -> None:
    client = await make_client()
    for path, kind in (
        ("/static/app.js", "javascript"),
        ("/static/style.css", "text/css"),
        ("/logo", "image/svg+xml"),
    ):
        response = await client.get(path)
        assert response.status == 200, path
        assert kind in response.headers["Content-Type"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-cache"
    missing = await client.get("/static/nothing.js")
    assert missing.status == 404
    assert missing.headers["X-Content-Type-Options"] == "nosniff"
    escape = await client.get("/static/../page.py")
    assert escape.status in (403, 404)


def test_app_js_never_writes_html() -> None:
    source = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, sink


def test_profile_values_are_escaped() -> None:
    page = render_page(PageProfile(name='<img src=x onerror="alert(1)">', sample=True), 100)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "Dữ liệu mẫu" in page and 'class="badge" >' in page


def test_neutral_profile_without_knowledge(monkeypatch, tmp_path: Path) -> None:
    from bot.knowledge import loader

    monkeypatch.setenv("KNOWLEDGE_DIR", str(tmp_path / "missing"))
    loader._cache.clear()
    try:
        profile = load_page_profile()
    finally:
        monkeypatch.delenv("KNOWLEDGE_DIR")
        loader._cache.clear()
    assert profile.name
    assert "hidden" in render_page(profile, 100).split('class="badge"')[1].split(">")[0]


def test_staff_logo_overrides_the_default(tmp_path: Path) -> None:
    assert logo_path(tmp_path).name == "logo.svg"  # the default, from the package
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    assert logo_path(tmp_path) == tmp_path / "logo.png"


async def test_api_answers_carry_security_headers_and_no_cors_by_default(make_client) -> None:
    client = await make_client()
    response = await client.post(
        "/api/chat", json={"text": "xin chào"}, headers={"Origin": ZALO_ORIGIN}
    )
    assert response.status == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    preflight = await client.options(
        "/api/chat",
        headers={"Origin": ZALO_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    not_found = await client.get("/api/nothing")
    assert not_found.status == 404
    assert not_found.headers["X-Content-Type-Options"] == "nosniff"


async def test_cors_for_configured_origins_only(make_client) -> None:
    client = await make_client(web=WebSettings(cors_origins=(ZALO_ORIGIN,)))
    preflight = await client.options(
        "/api/history",
        headers={
            "Origin": ZALO_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ZALO_ORIGIN
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in preflight.headers

    allowed = await client.post("/api/chat", json={"text": "a"}, headers={"Origin": ZALO_ORIGIN})
    assert allowed.headers["Access-Control-Allow-Origin"] == ZALO_ORIGIN
    assert "Origin" in allowed.headers["Vary"]
    other = await client.post(
        "/api/chat", json={"text": "a"}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in other.headers
    page = await client.get("/", headers={"Origin": ZALO_ORIGIN})
    assert "Access-Control-Allow-Origin" not in page.headers  # only the API is shared


def test_settings_from_env() -> None:
    settings = GatewaySettings.from_env(
        {
            "CORS_ORIGINS": "https://h5.zdn.vn, https://commune.example.vn/",
            "FRAME_ANCESTORS": "'self' https://*.zalo.me",
            "RATE_LIMIT_SESSION_PER_MINUTE": "5",
            "RATE_LIMIT_ADDRESS_PER_MINUTE": "0",
            "CHAT_HISTORY_DAYS": "30",
            "GATEWAY_PROXY_HOPS": "1",
        }
    )
    web = settings.web
    assert web.cors_origins == ("https://h5.zdn.vn", "https://commune.example.vn")
    assert web.frame_ancestors == ("'self'", "https://*.zalo.me")
    assert web.rate_limit_session_per_minute == 5
    assert web.rate_limit_address_per_minute == 0
    assert web.history_ttl_seconds == 30 * 86400
    assert web.proxy_hops == 1
    defaults = GatewaySettings.from_env({}).web
    assert defaults.cors_origins == ()
    assert defaults == WebSettings()


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("CORS_ORIGINS", "*"),
        ("CORS_ORIGINS", "https://a.example/path"),
        ("FRAME_ANCESTORS", "'self'; script-src *"),
        ("FRAME_ANCESTORS", "*"),
        ("RATE_LIMIT_SESSION_PER_MINUTE", "-1"),
        ("CHAT_HISTORY_DAYS", "soon"),
        ("GATEWAY_PROXY_HOPS", "9"),
    ],
)
def test_bad_settings_name_the_variable(var: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        GatewaySettings.from_env({var: value})
    assert var in str(err.value)
    assert value not in str(err.value)
