"""Kinds of organisation a procedure is for: a household business (hộ kinh doanh), a
cooperative group (tổ hợp tác), a cooperative (hợp tác xã, liên hiệp hợp tác xã) or a company
(công ty, doanh nghiệp). They are different legal forms with their own procedures that share
almost every other word ("đăng ký thay đổi nội dung đăng ký ..."), so a question naming one
kind must not be answered with another kind's procedure because the rest of the words fit.

Kinds are read from folded syllables, longest phrase first at each position, so "tổ hợp tác"
is not also "hợp tác xã" and "liên hiệp hợp tác xã" is a cooperative.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.knowledge.lexical import canon

HOUSEHOLD_BUSINESS = "household_business"
COOPERATIVE_GROUP = "cooperative_group"
COOPERATIVE = "cooperative"
COMPANY = "company"

# folded phrase -> kind; commune procedures exist for the first three, none for companies
# (registered at the provincial business registration office), which is why a question about
# "công ty TNHH" must not confidently get a household-business procedure.
PHRASES: dict[tuple[str, ...], str] = {
    ("ho", "kinh", "doanh"): HOUSEHOLD_BUSINESS,
    ("to", "hop", "tac"): COOPERATIVE_GROUP,
    ("hop", "tac", "xa"): COOPERATIVE,
    ("cong", "ty"): COMPANY,
    ("doanh", "nghiep"): COMPANY,
}
_CANON = {tuple(canon(s) for s in phrase): kind for phrase, kind in PHRASES.items()}
_LONGEST = max(len(p) for p in PHRASES)


def kinds_in(sylls: Sequence[str | None]) -> frozenset[str]:
    """The organisation kinds named in a sequence of folded syllables ("ký"/"kí" alike)."""
    sylls = [canon(s) if s else s for s in sylls]
    found: set[str] = set()
    i = 0
    while i < len(sylls):
        for size in range(_LONGEST, 1, -1):
            kind = _CANON.get(tuple(sylls[i : i + size]))  # type: ignore[arg-type]
            if kind is not None:
                found.add(kind)
                i += size
                break
        else:
            i += 1
    return frozenset(found)


def subject_kinds(title_sylls: Sequence[str | None]) -> frozenset[str]:
    """The kinds of organisation a procedure title is for. A company named beside another
    kind is what that organisation deals with ("thông báo thành lập doanh nghiệp của hợp tác
    xã" is a cooperative's procedure), not the procedure's subject."""
    found = kinds_in(title_sylls)
    return found - {COMPANY} if len(found) > 1 else found


def mismatched(procedure_kinds: frozenset[str], query_kinds: frozenset[str]) -> bool:
    """Whether a procedure is for other kinds of organisation than all those the query names
    (a procedure naming no kind, or a query naming none, never mismatches)."""
    return bool(procedure_kinds and query_kinds and not procedure_kinds & query_kinds)
