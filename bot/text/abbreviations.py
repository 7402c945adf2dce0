"""Vietnamese chat abbreviations and teencode, as data.

Keys are lowercase tokens as citizens type them, with "đ" written as "d" (lookup folds đ→d,
so "đc" and "dc" share one entry). Tone and vowel marks in a key are significant: "ạ" is a
politeness particle, never "a"; "khống" is never "khong". Values are lowercase, marked
Vietnamese and contain no key, so expansion is idempotent.

Context-free choices for an administrative-services bot (documented because they are
ambiguous in general chat):
- "hk" → "không" (teencode: "được hk", "có hk" ending a question in southern typing), not
  "hộ khẩu": a wrong "không" loses a mention, a wrong "hộ khẩu" would inject a procedure the
  citizen never asked about. Except after a word that takes the household register as its
  object ("sổ hk", "nhập hk", "cắt hk", "tách hk", "đăng ký hk", "cccd với hk"), where
  "không" makes no sense: see ``AFTER``.
- "dk"/"đk" → "đăng ký" (citizens write "đk khai sinh", "đk kết hôn"), not "được"/"điều kiện".
- "hs" → "hồ sơ" (dossier), not "học sinh"; "ks" is left alone (khai sinh / khách sạn).
- "dt" is not expanded ("điện thoại" or, in land matters, "diện tích"); "sdt" is.
- "bn" → "bao nhiêu" (fee/time questions: "lệ phí bn"), not "bạn".
- "e" → "em" ("cho e hỏi"); "a" and "c" are NOT expanded: unmarked "a" is also "à"/"ạ", and
  "c" is also "có"/"các".
- "kg" is not expanded (kilogram), nor "hong"/"hông"/"bít" (real words).
"""

from __future__ import annotations

ABBREVIATIONS: dict[str, str] = {
    # --- negation: "không"
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "khong": "không",
    "hok": "không",
    "hk": "không",
    "khum": "không",
    # --- "được", "đăng ký"
    "dc": "được",
    "dk": "đăng ký",
    # --- identity documents and administrative terms
    "cccd": "căn cước công dân",
    "cmnd": "chứng minh nhân dân",
    "cmt": "chứng minh thư",
    "gplx": "giấy phép lái xe",
    "gks": "giấy khai sinh",
    "dkks": "đăng ký khai sinh",
    "dkkh": "đăng ký kết hôn",
    "gcn": "giấy chứng nhận",
    "qsdd": "quyền sử dụng đất",
    "ubnd": "ủy ban nhân dân",
    "hdnd": "hội đồng nhân dân",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "tthc": "thủ tục hành chính",
    "dvc": "dịch vụ công",
    "nvqs": "nghĩa vụ quân sự",
    "mst": "mã số thuế",
    "hs": "hồ sơ",
    "kq": "kết quả",
    "xn": "xác nhận",
    "tk": "tài khoản",
    "sdt": "số điện thoại",
    "tp": "thành phố",
    # --- question words
    "j": "gì",
    "ji": "gì",
    "gi": "gì",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "bnhiu": "bao nhiêu",
    "bnh": "bao nhiêu",
    "nhiu": "nhiêu",
    # --- pronouns and people
    "mk": "mình",
    "mik": "mình",
    "mh": "mình",
    "mn": "mọi người",
    "ng": "người",
    "ngta": "người ta",
    "e": "em",
    "vk": "vợ",
    "ck": "chồng",
    # --- common verbs/adverbs
    "ns": "nói",
    "vs": "với",
    "r": "rồi",
    "oy": "rồi",
    "ùi": "rồi",
    "lm": "làm",
    "trc": "trước",
    "ms": "mới",
    "cx": "cũng",
    "cg": "cũng",
    "bik": "biết",
    "bit": "biết",
    "bjt": "biết",
    "thik": "thích",
    "mún": "muốn",
    "dag": "đang",
    "z": "vậy",
    "v": "vậy",
    "vd": "ví dụ",
    "nt": "nhắn tin",
}


# Abbreviations read differently after certain words: key -> (expansion, the previous words,
# folded with "đ" as "d", after which that expansion applies). A previous word that is itself
# an abbreviation is compared as typed ("dk hk", "vs hk").
AFTER: dict[str, tuple[str, frozenset[str]]] = {
    "hk": (
        "hộ khẩu",
        frozenset(
            # "ký hk", "vào hk" stay "không": "có cần ký hk", "có được vào hk"
            [
                "so",
                "nhap",
                "cat",
                "chuyen",
                "tach",
                "xoa",
                "rut",
                "khoi",
                "voi",
                "vs",
                "dk",
                "trong",
            ]
        ),
    ),
}
