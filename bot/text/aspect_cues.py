"""Keyword cues for the aspect of a procedure question (fee, time, place, documents, ...).

Pure functions over folded syllables, standard library only, so the Rasa featurizer and the
knowledge answer share one list.
"""

from __future__ import annotations

from bot.text.normalize import folded_syllables

# Folded keyword phrases per aspect: what a message asks about (fee, time, ...). Used by the
# answer (when the NLU's aspect intent is missing or contradicted) and as NLU features. The
# answer takes the cue nearest the end of the message; this order breaks ties.
ASPECT_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fee", ("le phi", "bao nhieu tien", "mat tien", "mat phi", "het bao nhieu", "chi phi",
             "ton bao nhieu", "phi bao nhieu", "co mat phi", "tien khong", "ton phi", "ton tien",
             "phi khong", "mien phi", "thu phi", "dong phi", "nop phi", "phi gi", "khoan tien",
             "khoan phi", "tien gi", "mat bao nhieu", "bao nhieu 1", "bao nhieu mot")),
    ("time", ("bao lau", "may ngay", "bao nhieu ngay", "bao gio", "khi nao co", "thoi gian",
              "thoi han", "mat may", "thang may", "may tieng", "trong vong", "cho lau",
              "lau khong", "may hom", "may tuan", "khi nao xong", "bao lau thi")),
    ("place", ("o dau", "nop o", "lam o", "cho nao", "noi nao", "len xa hay", "len huyen",
               "truc tuyen", "online", "qua mang", "xa nao", "phuong nao", "o xa hay",
               "o huyen hay", "hay len", "hay ra", "co quan nao", "nop tai", "lam tai",
               # "làm ở xã được không": can the commune do it
               "o xa duoc", "tai xa duoc", "o phuong duoc", "o cong an xa duoc", "xa co lam")),
    ("documents", ("giay to", "mang theo", "mang gi", "can gi", "can nhung gi", "chuan bi gi",
                   "can nhung", "giay gi", "nop gi", "nop nhung gi", "mang nhung gi",
                   "can giay", "ho so gi", "ho so gom", "ho so can", "ho so nhung gi",
                   "can nop", "can mang", "chuan bi nhung", "gom gi", "gom nhung", "kem gi",
                   "kem theo gi", "kem nhung gi", "can co gi", "dem gi", "dem theo",
                   "dem nhung gi")),
    ("legal", ("can cu", "phap ly", "luat nao", "nghi dinh", "thong tu", "van ban nao",
               "quy dinh nao", "dieu may", "dieu nao", "theo luat", "quy dinh o dau")),
    ("conditions", ("dieu kien", "duoc khong", "co phai", "co duoc", "ai duoc",
                    "truong hop nao", "duoc chua", "co can", "bat buoc", "co bat buoc",
                    "du tuoi", "moi duoc", "co bi")),
    ("steps", ("cac buoc", "trinh tu", "quy trinh", "the nao", "ra sao", "lam sao", "nhu nao",
               "cach lam", "huong dan", "buoc nao", "thu tuc sao", "lam gi truoc",
               "phai lam gi", "can lam gi", "kieu gi")),
)  # fmt: skip

STEPS = "steps"
YES_NO_TAILS = frozenset({"duoc khong", "duoc chua"})
# "cần giấy xác nhận ..." names the paper wanted more often than it asks what to bring: an NLU
# feature, not a documents question
FEATURE_ONLY = frozenset({"can giay"})
# A final "sao" after these is a noun, not "how": "bản sao" (a copy), "ngôi sao" (a star).
_NOT_HOW_BEFORE_SAO = frozenset({"ban", "ngoi"})
# Cues added after the NLU's cue features were measured (session 10). As NLU features they
# cost about 0.005 held-out macro-F1 over three trainings; the answer reads them, the NLU does
# not until a data round re-measures it.
ANSWER_ONLY = frozenset(
    {"mat bao nhieu", "bao nhieu 1", "bao nhieu mot", "dem gi", "dem theo", "dem nhung gi",
     "phai lam gi", "can lam gi", "kieu gi"}
)  # fmt: skip
# split once: cue_spans runs for every message and, in the NLU, for every training example
_CUE_WORDS = tuple((aspect, cue.split()) for aspect, cues in ASPECT_CUES for cue in cues)
_NLU_CUE_WORDS = tuple((a, words) for a, words in _CUE_WORDS if " ".join(words) not in ANSWER_ONLY)
_ORDER = {aspect: rank for rank, (aspect, _) in enumerate(ASPECT_CUES)}


def cue_spans(syllables: list[str], *, nlu: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, aspect) for every cue found in folded ``syllables``, end exclusive: the
    NLU's features (without `ANSWER_ONLY`), or with ``nlu=False`` every cue.

    A message ending in "sao" asks how ("chuyển nơi nhận lương hưu sao", "đăng ký sao"),
    unless the "sao" is a copy or stars ("xin cấp bản sao", "cho 5 sao").
    """
    spans: list[tuple[int, int, str]] = []
    for aspect, words in _NLU_CUE_WORDS if nlu else _CUE_WORDS:
        size = len(words)
        spans.extend(
            (start, start + size, aspect)
            for start in range(len(syllables) - size + 1)
            if syllables[start : start + size] == words
        )
    if _ends_with_how(syllables) and not any(a == STEPS for *_, a in spans):
        spans.append((len(syllables) - 1, len(syllables), STEPS))
    return spans


def asked_spans(syllables: list[str]) -> list[tuple[int, int, str]]:
    """The cues that say what is asked: `cue_spans` without the cues that only describe the
    message (`FEATURE_ONLY`, kept for the NLU) and without a cue another outweighs."""
    spans = [
        s for s in cue_spans(syllables, nlu=False) if _phrase(syllables, s) not in FEATURE_ONLY
    ]
    return [s for s in spans if not any(_outweighs(other, s) for other in spans)]


def _phrase(syllables: list[str], span: tuple[int, int, str]) -> str:
    return " ".join(syllables[span[0] : span[1]])


def _outweighs(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Of two overlapping cues for different aspects, the longer one, or the one ending later,
    says what is asked: "mất bao nhiêu ngày" asks how long, not how much."""
    if a[2] == b[2] or a[0] >= b[1] or b[0] >= a[1]:
        return False
    return (a[1] - a[0], a[1]) > (b[1] - b[0], b[1])


def _ends_with_how(syllables: list[str]) -> bool:
    if not syllables or syllables[-1] != "sao":
        return False
    before = syllables[-2] if len(syllables) > 1 else ""
    return before not in _NOT_HOW_BEFORE_SAO and not before.isdigit()


def last_cued_aspect(text: str, *, strong_only: bool = False) -> str | None:
    """The aspect of the cue nearest the end of the message, None without cues. A question
    ends with what it asks; earlier cues tend to tell the situation ("đã có giấy tờ đất, giờ
    làm sổ ở đâu"). With ``strong_only``, a bare "được không" counts as no cue."""
    syllables = folded_syllables(text)
    spans = asked_spans(syllables)
    # "... được không" closes many questions ("lấy ngay được không", "ở xã được không"): it
    # asks about conditions only when nothing else is asked
    strong = [s for s in spans if _phrase(syllables, s) not in YES_NO_TAILS]
    pool = strong if strong_only else strong or spans
    if not pool:
        return None
    return max(pool, key=lambda s: (s[1], -_ORDER[s[2]]))[2]


def cued_aspects(text: str) -> list[str]:
    """Every aspect a keyword cue of the message points at, in `ASPECT_CUES` order."""
    # Syllables, so punctuation separates cues too ("ở đâu, gọi điện được ko?").
    found = {aspect for *_, aspect in asked_spans(folded_syllables(text))}
    return sorted(found, key=_ORDER.__getitem__)
