"""What a procedure does to a paper or a registration, and what a citizen asks to be done.

Titles of one subject differ by their act: "Đăng ký thành lập hộ kinh doanh" against
"Chấm dứt hoạt động hộ kinh doanh", "Cấp thẻ căn cước" against "Cấp đổi thẻ căn cước". Citizens
say the act in everyday words ("quán đóng cửa rồi, muốn hủy giấy phép", "cccd hết hạn, đổi sang
thẻ mới", "khai sinh bị sai tên mẹ"), and the subject words, which all those titles share,
outweigh the one act word in the lexical score. Naming the act picks among close titles. The
same holds for doing a thing again ("Cấp lại giấy chứng nhận đăng ký hộ kinh doanh", "Đăng ký
lại khai sinh": "giấy bị rách, xin cấp lại", "làm lại khai sinh") and for reporting a loss
("Trình báo mất giấy thông hành": "bị mất, báo mất ở đâu").

Acts are read from normalised syllables (see ``bot.text.syllables``). The cues a message
gives are narrower than the words a title uses: "bổ sung" in a title is a change, in a message
it is one unless a purpose ("để bổ sung hồ sơ"); "mất" is said of papers that get a copy, a
re-issue or a re-registration alike, so it names no act.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.text import fold, syllables

END = "end"  # the registration or the business ends: chấm dứt, giải thể, hủy, xóa, thu hồi
CHANGE = "change"  # the record changes: thay đổi, cải chính, đính chính, điều chỉnh, cấp đổi
AGAIN = "again"  # done once more: cấp lại, đăng ký lại (a lost paper, a lost record)
REPORT = "report"  # a loss is reported: trình báo mất

# Phrases by which a title names its act. Marked: "đổi" is an act, "đối với" is not.
TITLE_ACTS: dict[str, tuple[str, ...]] = {
    END: ("chấm dứt", "giải thể", "hủy", "xóa", "thu hồi", "ngừng", "thôi"),
    CHANGE: ("thay đổi", "cải chính", "đính chính", "điều chỉnh", "sửa đổi", "đổi", "bổ sung"),
    AGAIN: ("cấp lại", "đăng ký lại", "ký lại", "cấp bản sao"),  # another copy is issued again
    REPORT: ("trình báo mất",),
}

# Phrases by which a message asks for an act.
ASKED_ACTS: dict[str, tuple[str, ...]] = {
    END: ("chấm dứt", "giải thể", "hủy", "xóa", "thu hồi", "ngừng", "đóng cửa", "dẹp quán"),
    CHANGE: (
        "thay đổi",
        "cải chính",
        "đính chính",
        "điều chỉnh",
        "sửa",
        "sai",
        "đổi",
        "cập nhật",
        "bổ sung",
    ),
    # "kết hôn lại" is a new marriage, not a re-registration: only papers and records
    AGAIN: (
        "cấp lại",
        "làm lại",
        "xin lại",
        "đăng ký lại",
        "đăng kí lại",
        "khai sinh lại",
        "khai tử lại",
    ),
    REPORT: ("báo mất", "trình báo mất", "khai báo mất"),
}


# A word before an asked phrase that makes it no request: an ending the citizen suffered ("bị
# thu hồi đất", "bị hủy"), going back to work ("đi làm lại"), a purpose ("để bổ sung hồ sơ").
PASSIVE = "bị"
NOT_AFTER: dict[str, str] = {
    **{phrase: PASSIVE for phrase in ASKED_ACTS[END]},
    "làm lại": "đi",
    "bổ sung": "để",
}
ACT_OF = {p: act for table in (TITLE_ACTS, ASKED_ACTS) for act, ps in table.items() for p in ps}


def _same(said: str, cue: str) -> bool:
    """A syllable says the cue when it is spelled the same, or typed without marks ("doi")."""
    return said == cue or (said == fold(cue) and fold(said) == said)


def _said_at(said: Sequence[str], phrase: str) -> list[int]:
    cue = phrase.split()
    n = len(cue)
    return [
        i for i in range(len(said) - n + 1) if all(_same(said[i + j], cue[j]) for j in range(n))
    ]


def title_phrases(title: str) -> frozenset[str]:
    """The act phrases a procedure title uses ("Chấm dứt hoạt động ..." -> {"chấm dứt"})."""
    said = syllables(title)
    return frozenset(p for ps in TITLE_ACTS.values() for p in ps if _said_at(said, p))


def asked_phrases(text: str) -> frozenset[str]:
    """The act phrases a message asks with, but not after a word in ``NOT_AFTER``."""
    said = syllables(text)

    def asks(phrase: str) -> bool:
        before = NOT_AFTER.get(phrase)
        return any(
            i == 0 or before is None or not _same(said[i - 1], before)
            for i in _said_at(said, phrase)
        )

    return frozenset(p for phrases in ASKED_ACTS.values() for p in phrases if asks(p))


def acts_of(phrases: frozenset[str]) -> frozenset[str]:
    """The acts (END, CHANGE, AGAIN, REPORT) the phrases name."""
    return frozenset(ACT_OF[p] for p in phrases)
