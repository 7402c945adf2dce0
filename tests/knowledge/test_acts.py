from __future__ import annotations

import pytest

from bot.knowledge.acts import AGAIN, CHANGE, END, REPORT, acts_of, asked_phrases, title_phrases


@pytest.mark.parametrize(
    ("title", "acts"),
    [
        ("Chấm dứt hoạt động hộ kinh doanh", {END}),
        ("Cấp đổi thẻ căn cước", {CHANGE}),
        ("Đính chính Giấy chứng nhận đã cấp lần đầu có sai sót", {CHANGE}),
        ("Đăng ký thành lập hộ kinh doanh", set()),
        ("Thủ tục đăng ký lại khai sinh", {AGAIN}),
        ("Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", {AGAIN}),
        ("Chứng thực bản sao từ bản chính giấy tờ", set()),
        ("Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)", {REPORT}),
        # "đối với" is no "đổi": titles are marked, so they match marked cues only
        ("Gia hạn giấy phép xây dựng đối với công trình cấp III", set()),
    ],
)
def test_title_acts(title: str, acts: set[str]) -> None:
    assert acts_of(title_phrases(title)) == acts


@pytest.mark.parametrize(
    ("message", "acts"),
    [
        ("quán nhà em đóng cửa rồi, muốn hủy giấy phép", {END}),
        ("quan nha em dong cua roi, muon huy giay phep", {END}),
        ("giấy khai sinh bị sai tên mẹ", {CHANGE}),
        ("cccd het han, doi sang the moi", {CHANGE}),
        # an ending the citizen suffered is the situation, not the request
        ("đất bị thu hồi làm đường thì được bồi thường không", set()),
        ("bi huy ket qua thi thi sao", set()),
        # a marked word that only folds like a cue is not one
        ("đối với người cao tuổi thì sao", set()),
        ("làm giấy khai sinh cho con", set()),
        # old-style tone placement and capitals read the same
        ("xoá đăng ký thường trú", {END}),
        ("HUỶ GIẤY PHÉP", {END}),
        ("giấy đăng ký hộ kinh doanh bị rách, xin cấp lại", {AGAIN}),
        ("mat giay dang ky xe, lam lai online dc ko", {AGAIN}),
        ("giấy khai sinh cháy mất rồi, muốn khai sinh lại", {AGAIN}),
        ("giấy thông hành bị mất, báo mất ở đâu", {REPORT}),
        # going back to work is no paper made again; marrying again is a new marriage
        ("sinh con xong đi làm lại rồi vẫn yếu", set()),
        ("kết hôn lại với vợ cũ", set()),
        ("giấy khai sinh bị bỏ trống quê quán, muốn bổ sung vào", {CHANGE}),
        ("xin giấy xác nhận cư trú để bổ sung hồ sơ xin việc", set()),
    ],
)
def test_asked_acts(message: str, acts: set[str]) -> None:
    assert acts_of(asked_phrases(message)) == acts


def test_asked_phrases_keep_the_words_used() -> None:
    assert "đính chính" in asked_phrases("dinh chinh so do bi sai ten")
