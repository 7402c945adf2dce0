import pytest

from bot.emergency import is_emergency


@pytest.mark.parametrize(
    "text",
    ["nhà hàng xóm đang cháy", "nha toi bi chay", "có tai nạn ở ngã ba", "ông tôi bị đột quỵ",
     "có trộm vào nhà", "co trom vao nha", "em bé bị đuối nước", "CẤP CỨU"],
)  # fmt: skip
def test_emergencies(text: str) -> None:
    assert is_emergency(text)


@pytest.mark.parametrize(
    "text",
    ["nước chảy tràn ra đường", "nuoc chay tran ra duong", "lúa bị sâu", "làm giấy khai sinh",
     "tôi muốn tố cáo việc đổ trộm rác", "", "   ", "nỗ lực"],
)  # fmt: skip
def test_not_emergencies(text: str) -> None:
    assert not is_emergency(text)
