from datetime import datetime
from typing import Any

import pytest
from aiohttp import web

from bot.dossiers import (
    Dossier,
    DossierNotFound,
    HttpProvider,
    ProviderUnavailable,
    SampleProvider,
    VerificationFailed,
    describe,
    get_provider,
)

NOW = datetime(2025, 6, 10, 9, 0)
CODE = "000.00.00.H26-250601-0003"


async def test_sample_provider_checks_the_verification() -> None:
    provider = SampleProvider(now=NOW)
    dossier = await provider.lookup(CODE, "3456")
    assert dossier.sample and dossier.status == "needs_documents"
    assert dossier.missing_documents
    with pytest.raises(VerificationFailed):
        await provider.lookup(CODE, "0000")
    with pytest.raises(DossierNotFound):
        await provider.lookup("000.00.00.H26-250601-9999", "3456")


def test_default_provider_is_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_API_BASE", raising=False)
    assert isinstance(get_provider(), SampleProvider)
    monkeypatch.setenv("DOSSIER_API_BASE", "http://127.0.0.1:1")
    assert isinstance(get_provider(), HttpProvider)


async def test_each_state_has_a_plain_answer() -> None:
    provider = SampleProvider(now=NOW)
    texts = {}
    for n, verify in enumerate(["1234", "2345", "3456", "4567", "5678", "6789"], start=1):
        dossier = await provider.lookup(f"000.00.00.H26-250601-000{n}", verify)
        texts[n] = describe(dossier, now=NOW)
    assert "đã được tiếp nhận" in texts[1]
    assert "đang được cán bộ giải quyết" in texts[2]
    assert "bổ sung" in texts[3] and "tình trạng hôn nhân" in texts[3]
    assert "có thể đến nhận" in texts[4] and "Nơi nhận" in texts[4]
    assert "xin lỗi" in texts[5] and "Ngày hẹn trả kết quả mới: 16:00 ngày 12/06/2025" in texts[5]
    # still "in progress" in the system, but past its appointment: overdue, with an apology
    assert "quá hạn" in texts[6] and "xin lỗi" in texts[6]
    assert all("MẪU" in t for t in texts.values())


def test_overdue_without_a_new_date_says_how_to_learn_it() -> None:
    dossier = Dossier(
        code=CODE, procedure_name="Đăng ký khai sinh", status="processing",
        due_at=datetime(2025, 6, 1, 16, 0),
    )  # fmt: skip
    text = describe(dossier, now=NOW)
    assert "quá hạn" in text and "hẹn lại" in text and "MẪU" not in text


def contract_app(seen: list[dict[str, Any]]) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        seen.append({"auth": request.headers.get("Authorization"), **request.query})
        code = request.match_info["code"]
        if code == "slow":
            import asyncio

            await asyncio.sleep(2)
        if code != CODE:
            return web.json_response({"error": "not found"}, status=404)
        if request.query.get("verify") != "3456":
            return web.json_response({"error": "forbidden"}, status=403)
        return web.json_response(
            {"code": CODE, "procedure_code": "1.000894", "procedure_name": "Đăng ký kết hôn",
             "status": "done", "received_at": "2025-06-01T08:00:00+07:00",
             "due_at": "2025-06-05T16:00:00+07:00", "missing_documents": [],
             "pickup_place": "Bộ phận một cửa", "updated_at": "2025-06-04T10:00:00+07:00"}
        )  # fmt: skip

    app = web.Application()
    app.router.add_get("/api/dossiers/{code}", handler)
    return app


async def test_http_provider_follows_the_contract(aiohttp_server: Any) -> None:
    seen: list[dict[str, Any]] = []
    server = await aiohttp_server(contract_app(seen))
    provider = HttpProvider(str(server.make_url("/api/")), token="secret", timeout=1)
    dossier = await provider.lookup(CODE, "3456")
    assert dossier.status == "done" and dossier.pickup_place == "Bộ phận một cửa"
    assert seen[0] == {"auth": "Bearer secret", "verify": "3456"}
    with pytest.raises(VerificationFailed):
        await provider.lookup(CODE, "1111")
    with pytest.raises(DossierNotFound):
        await provider.lookup("000.00.00.H26-250601-0009", "3456")
    with pytest.raises(ProviderUnavailable):  # timeout
        await HttpProvider(str(server.make_url("/api/")), timeout=0.3).lookup("slow", "3456")


async def test_http_provider_down_or_nonsense(aiohttp_server: Any) -> None:
    with pytest.raises(ProviderUnavailable):
        await HttpProvider("http://127.0.0.1:9", timeout=0.5).lookup(CODE, "3456")

    async def nonsense(request: web.Request) -> web.Response:
        return web.Response(text="<html>maintenance</html>")

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=502)

    app = web.Application()
    app.router.add_get("/a/dossiers/{code}", nonsense)
    app.router.add_get("/b/dossiers/{code}", broken)
    server = await aiohttp_server(app)
    for prefix in ("/a", "/b"):
        with pytest.raises(ProviderUnavailable):
            await HttpProvider(str(server.make_url(prefix)), timeout=1).lookup(CODE, "3456")
