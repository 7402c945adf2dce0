"""How a procedure is filed, when its title says so: fully online ("trực tuyến toàn trình") or
partly online / in person ("trực tuyến một phần hoặc trực tiếp").

Vehicle registrations come in such twins ("Cấp lại chứng nhận đăng ký xe ... toàn trình" and
"... một phần hoặc trực tiếp") that fit the same question equally well. A citizen who names no
channel means the common case, going in person; one who says "online", "qua mạng", "VNeID" means
the fully online twin. The other twin is then no rival to ask about, only a related procedure.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge.lexical import canon

ONLINE = "online"
IN_PERSON = "in_person"

# Folded title phrases. Titles are often cut short ("... trực tuyến một phần hoặc"), so the
# first words of the qualifier are enough.
TITLE_PHRASES: dict[tuple[str, ...], str] = {
    ("toan", "trinh"): ONLINE,
    ("mot", "phan"): IN_PERSON,
}
# Folded message phrases that ask for the online way of filing.
ONLINE_CUES: tuple[tuple[str, ...], ...] = (
    ("online",),
    ("onl",),
    ("vneid",),
    ("truc", "tuyen"),
    ("toan", "trinh"),
    ("qua", "mang"),
    ("tren", "mang"),
    ("dich", "vu", "cong"),
)
ACT_SYLLABLES = 2  # twins do the same act: their titles start alike ("cấp lại", "đăng ký")


def _has(sylls: Sequence[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(sylls[i : i + size]) == phrase for i in range(len(sylls) - size + 1))


def title_channel(title_sylls: Sequence[str]) -> str | None:
    """The channel a procedure title names, or None (most titles name none)."""
    sylls = [canon(s) for s in title_sylls]
    for phrase, channel in TITLE_PHRASES.items():
        if _has(sylls, phrase):
            return channel
    return None


def asked_channel(query_sylls: Sequence[str]) -> str:
    """The channel a message asks for: online when it says so, else in person."""
    sylls = [canon(s) for s in query_sylls]
    return ONLINE if any(_has(sylls, cue) for cue in ONLINE_CUES) else IN_PERSON


def twins(a: tuple[str | None, tuple[str, ...]], b: tuple[str | None, tuple[str, ...]]) -> bool:
    """Whether two procedures, each given as (channel, title syllables), are the same act
    filed through different channels."""
    (channel_a, title_a), (channel_b, title_b) = a, b
    return (
        channel_a is not None
        and channel_b is not None
        and channel_a != channel_b
        and len(title_a) >= ACT_SYLLABLES
        and title_a[:ACT_SYLLABLES] == title_b[:ACT_SYLLABLES]
    )
