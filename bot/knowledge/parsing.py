"""Parsers for the flattened tables of the national procedure records.

The portal's tables reach us with their cells run together ("Trực tuyến7 Ngày làm việc10,000 Việt
Nam ĐồngTrực tiếp..."). Each parser splits them back into cells using only what is certain (the
column headers, the channel names followed by a time, the quantity column "1 bản chính", a legal
code in the code column). Whenever a cell cannot be read with certainty the value is kept as
given and marked ``unclear`` with a Vietnamese reason for staff: a value is never guessed.

All functions are pure and never raise on bad input; problems are returned for the import report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

NO_INFO = "Không có thông tin"

# Portal user-interface text that leaks into fields (the filing widget under the result).
UI_MARKERS: tuple[str, ...] = (
    "Từ khóa",
    "Chọn cơ quan thực hiện",
    "-- Chọn Tỉnh/ Thành phố --",
    "-- Chọn Phường/ Xã --",
    "Hệ thống chỉ hiển thị những cơ quan đã áp dụng dịch vụ công trực tuyến",
)

CHANNELS: tuple[str, ...] = ("Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính")
CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
# A channel name starts a row only when a time cell follows at once (a digit or "no info");
# "Trực tiếp tại trụ sở..." inside a description does not.
_CHANNEL_RE = re.compile(rf"({'|'.join(CHANNELS)})(?=\s*(?:\d|{NO_INFO}))")
_TIME_UNITS = ("Ngày làm việc", "Giờ làm việc", "Ngày", "Giờ", "Tháng", "Năm", "Tuần", "Phút")
_TIME_RE = re.compile(rf"(\d+(?:[.,]\d+)?)\s*({'|'.join(_TIME_UNITS)})")
_CURRENCY = r"(?:Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD)"
_AMOUNT_RE = re.compile(rf"(\d{{1,3}}(?:[.,]\d{{3}})+|\d+)\s*{_CURRENCY}")
_MONEY_IN_TEXT_RE = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ\b|VNĐ|VND|USD)", re.I)
# Wording in a fee note that says money may be charged (contradicting "Miễn phí").
_CHARGED_RE = re.compile(
    r"mức (?:thu|phí|lệ phí)[^.;]{0,40}(?:do|theo|là|:)|lệ phí cụ thể|phí cấp bản sao|"
    r"theo quy định của hội đồng nhân dân|do hội đồng nhân dân|thu phí|thu lệ phí|"
    r"nộp (?:phí|lệ phí)|áp dụng mức thu|giá dịch vụ|theo quy định của luật phí",
    re.I,
)
_NOT_CHARGED_RE = re.compile(r"không thu|miễn (?:thu )?(?:phí|lệ phí)|không (?:phải )?nộp", re.I)

DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_QTY_RE = re.compile(r"(\d+)\s*bản (?:chính|sao)(?:\s*,\s*\d+\s*bản (?:chính|sao))*")
_FORM_EXT_RE = re.compile(r"\.(?:docx?|pdf|xlsx?|rar|zip)$", re.I)

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_SEP = "\u2063"  # invisible separator put between glued cells before matching codes
_VI_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_VI_LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
# A code in the code column ends where the next title starts (a capitalised word, maybe after
# a space), where the next code starts, or at the end: "...Trung ương85/2019/TT-BTCNghị định".
# Inside a title a code is followed by lower-case text ("123/2015/NĐ-CP ngày 15/11/2015").
_CODE_PART = f"[{_VI_UPPER}0-9]+g?"  # "NĐ", "BTC", "QH13", "TTg", "UBTƯMTTQVN"
_LEGAL_CODE_RE = re.compile(
    r"(?<![\d/])(?<!\d\.)"
    rf"(?:\d+(?:\.\d+)?/\d{{4}}/{_CODE_PART}(?:-{_CODE_PART})*|\d+/[A-ZĐ]{{1,4}}(?:-{_CODE_PART})+)"
    rf"(?=\s*(?!Tg)[{_VI_UPPER}][{_VI_LOWER}]|\s*$|{_SEP})"
)
_REPEATED_CODE_RE = re.compile(r"(\d+(?:\.\d+)?/\d{4}/[A-ZĐ0-9-]+?)\1(?![0-9])(?![A-ZĐ][A-ZĐ])")
_GLUED_CODE_IN_TITLE_RE = re.compile(r"[^\s\d(/.]\d+/\d{4}/[A-ZĐ]")
_GLUED_DATE_RE = re.compile(r"((?:\d{1,2}/\d{1,2}/|năm )(?:19|20)\d\d)(?=\d{1,4}(?:\.\d+)?/\d{4}/)")


# -- small text helpers ---------------------------------------------------------------------------


def clean(text: str | None) -> str:
    """NFC, non-breaking spaces and runs of spaces collapsed, "no info" emptied."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = "\n".join(line.strip() for line in text.splitlines())
    text = text.strip()
    return "" if text in (NO_INFO, "-", "--") else text


def one_line(text: str | None) -> str:
    return " ".join(clean(text).split())


def drop_ui_text(text: str) -> str:
    """Cut a field at the first piece of portal UI text."""
    cut = len(text)
    for marker in UI_MARKERS:
        position = text.find(marker)
        if position != -1:
            cut = min(cut, position)
    return text[:cut]


def _is_upper(char: str) -> bool:
    return char.isalpha() and char.isupper()


def _is_lower(char: str) -> bool:
    return char.isalpha() and char.islower()


def _digits(amount: str) -> str:
    return re.sub(r"\D", "", amount)


# -- channels: cach_thuc_thuc_hien ----------------------------------------------------------------


@dataclass
class ParsedChannel:
    channel: str
    time: str | None = None
    fee: str | None = None
    note: str | None = None  # the fee's own description, in brackets on the portal
    description: str | None = None  # the row's free-text description
    unclear: bool = False
    reasons: list[str] = field(default_factory=list)

    def flag(self, reason: str) -> None:
        self.unclear = True
        self.reasons.append(reason)


def _balanced_prefix(text: str) -> tuple[str | None, str]:
    """If ``text`` starts with "(...)", return its inside (balanced) and the rest."""
    if not text.startswith("("):
        return None, text
    depth = 0
    for i, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return text[1:i], text[i + 1 :]
    return text[1:], ""  # unbalanced: everything is the note


def _parse_fee(row: ParsedChannel, text: str) -> str:
    """Read the fee cell at the start of ``text``; return the rest (the description)."""
    if text.startswith("Miễn phí"):
        row.fee = "Miễn phí"
        rest = text[len("Miễn phí") :]
    elif text.startswith(NO_INFO):
        rest = text[len(NO_INFO) :]
    else:
        match = _AMOUNT_RE.match(text)
        if not match:
            row.fee = None
            row.flag("không đọc được ô lệ phí")
            row.note = text[:300].strip() or None
            return ""
        row.fee = match.group(0).strip()
        rest = text[match.end() :]
    note, rest = _balanced_prefix(rest.lstrip())
    if note is not None:
        note = one_line(note.strip("() "))
        if note.startswith("/") and row.fee and len(note) <= 20:
            row.fee = f"{row.fee} ({note})"  # "(/trang)" is the fee's unit, not a note
        elif note:
            row.note = note
    return rest


def _check_fee(row: ParsedChannel) -> None:
    """Flag a fee that contradicts its own note (never decide which side is right)."""
    note = " ".join(filter(None, (row.note, row.description)))
    if row.fee == "Miễn phí" and note:
        if _MONEY_IN_TEXT_RE.search(note) or (
            _CHARGED_RE.search(note) and not _NOT_CHARGED_RE.fullmatch(note.strip(" .()"))
        ):
            row.flag("cột lệ phí ghi 'Miễn phí' nhưng phần ghi chú nói có thể thu phí, lệ phí")
    elif row.fee and row.fee != "Miễn phí":
        stated = _digits(row.fee.split("(")[0])
        amounts = {_digits(m.group(1)) for m in _MONEY_IN_TEXT_RE.finditer(note)}
        if amounts and stated not in amounts:
            row.flag("mức phí trong ghi chú khác với cột lệ phí")
        elif len(amounts) > 1:
            row.flag("ghi chú nêu nhiều mức phí khác nhau")


def parse_channels(text: str | None) -> tuple[list[ParsedChannel], list[str]]:
    """Rows of the filing-channel table: channel, processing time, fee, fee note, description."""
    raw = clean(text)
    problems: list[str] = []
    if not raw:
        return [], []
    if raw.startswith(CHANNEL_HEADER):
        raw = raw[len(CHANNEL_HEADER) :]
    else:
        problems.append("cách thức thực hiện: thiếu dòng tiêu đề của bảng")
    parts = _CHANNEL_RE.split(raw)
    if parts[0].strip():
        problems.append(f"cách thức thực hiện: bỏ qua phần đầu không đọc được: {parts[0][:80]!r}")
    rows: list[ParsedChannel] = []
    for name, body in zip(parts[1::2], parts[2::2], strict=False):
        row = ParsedChannel(channel=name)
        body = body.lstrip()
        match = _TIME_RE.match(body)
        if body.startswith(NO_INFO):
            rest = body[len(NO_INFO) :]
        elif match:
            row.time = f"{match.group(1)} {match.group(2)}"
            rest = body[match.end() :]
        else:
            digits = re.match(r"\d+", body)
            assert digits is not None  # guaranteed by _CHANNEL_RE's lookahead
            rest = body[digits.end() :]
            if rest.startswith(("Miễn phí", NO_INFO)):
                row.time = digits.group(0)
                row.flag(f"thời gian chỉ ghi '{row.time}', không có đơn vị")
            else:
                # Time without unit glued to an amount ("1200 VNĐ"): cannot tell where the time
                # ends and the fee starts. Keep the cell as given.
                cell = _AMOUNT_RE.match(body)
                raw_cell = cell.group(0) if cell else body[:40]
                row.flag(f"không tách được thời gian và lệ phí trong ô '{raw_cell}'")
                row.note = f"Trên Cổng ghi: {raw_cell}"
                rest = body[len(raw_cell) :]
                note, rest = _balanced_prefix(rest.lstrip())
                if note:
                    row.note += f" ({one_line(note)})"
                row.description = one_line(rest) or None
                rows.append(row)
                continue
        rest = _parse_fee(row, rest.lstrip())
        row.description = one_line(rest) or None
        _check_fee(row)
        rows.append(row)
    if not rows:
        problems.append(f"cách thức thực hiện: không tìm thấy hình thức nộp: {raw[:80]!r}")
    return rows, problems


# -- documents: thanh_phan_ho_so -----------------------------------------------------------------


@dataclass
class ParsedDocument:
    name: str
    quantity: str | None = None
    form: str | None = None
    unclear: bool = False
    reason: str | None = None


@dataclass
class ParsedGroup:
    case: str | None
    items: list[ParsedDocument] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _clean_case(text: str) -> str | None:
    text = one_line(text).strip(" *-+:•")
    return text or None


def _clean_item(text: str) -> str:
    return one_line(text).lstrip("-+•* ").strip().rstrip(";").strip()


def _split_form(text: str) -> tuple[str, str | None, str | None]:
    """Split "name + glued form file name" -> (name, form, unclear reason)."""
    if not _FORM_EXT_RE.search(text):
        return text, None, None
    # A form file name starts right after punctuation glued to it: "...NĐ-CP;Mauso25.docx",
    # "...).MauKX1079 (1).docx". Take the earliest such start close to the end.
    tail_start = max(0, len(text) - 90)
    for i in range(max(tail_start, 1), len(text)):
        if text[i - 1] in ";).:" and text[i].isalnum():
            form = text[i:]
            if _FORM_EXT_RE.search(form) and len(_FORM_EXT_RE.sub("", form)) >= 1:
                if "; " in form or ". " in form:
                    continue
                return text[:i].rstrip(" ;:"), form, None
    # "...theo quy địnhMauon (2).docx": a lower-case letter or digit glued to "Mau"/"Mẫu".
    match = re.search(r"(?<=[^\W_])(M(?:au|ẫu|ẪU|AU)[^;]*)$", text)
    if match and (_is_lower(text[match.start() - 1]) or text[match.start() - 1].isdigit()):
        return text[: match.start()].rstrip(" ;:"), match.group(1), None
    return text, None, "tên file mẫu dính liền tên giấy tờ, không tách được"


def parse_documents(text: str | None) -> tuple[list[ParsedGroup], list[str]]:
    """Document groups (by case) with each item's name, quantity and form file name.

    Items with quantity "0 bản" are explanations on the portal, not papers: they become notes.
    """
    raw = clean(text).replace("\n", " ")
    problems: list[str] = []
    if not raw:
        return [], []
    parts = raw.split(DOCUMENT_HEADER)
    if len(parts) == 1:
        return [], [f"thành phần hồ sơ: không có bảng giấy tờ: {raw[:80]!r}"]
    groups: list[ParsedGroup] = []
    case = _clean_case(parts[0])
    for index, body in enumerate(parts[1:], start=1):
        group = ParsedGroup(case=case)
        position = 0
        last = index == len(parts) - 1
        for match in _QTY_RE.finditer(body):
            following = body[match.end() : match.end() + 2]
            # Mid-sentence "01 bản sao giấy..." is not the quantity column.
            if following[:1].islower() or (following[:1] == " " and following[1:2].islower()):
                continue
            item_text = _clean_item(body[position : match.start()])
            position = match.end()
            if not item_text:
                problems.append(f"thành phần hồ sơ: số lượng không kèm tên giấy tờ ({match[0]})")
                continue
            counts = [int(n) for n in re.findall(r"(\d+)\s*bản", match.group(0))]
            if not any(counts):  # "0 bản chính": an explanation, not a paper
                group.notes.append(item_text)
                continue
            name, form, reason = _split_form(item_text)
            if reason is None and re.search(r"[;.]\s*[-+]\s+\S", name):
                reason = "một ô có nhiều giấy tờ (gạch đầu dòng bên trong), chỉ có một số lượng"
            group.items.append(
                ParsedDocument(
                    name=name,
                    quantity=re.sub(r"\s*,\s*", ", ", match.group(0)),
                    form=form,
                    unclear=reason is not None,
                    reason=reason,
                )
            )
        tail = body[position:]
        if last:
            if _clean_item(tail):
                problems.append(f"thành phần hồ sơ: phần cuối không có số lượng: {tail[:80]!r}")
                group.notes.append(_clean_item(tail))
        else:
            case = _clean_case(tail)
        if group.items or group.notes:
            groups.append(group)
    return groups, problems


# -- legal basis: can_cu_phap_ly -----------------------------------------------------------------


def parse_legal(text: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """(code, title) pairs of the legal-basis table."""
    raw = one_line(text)
    problems: list[str] = []
    if not raw:
        return [], []
    if raw.startswith(LEGAL_HEADER):
        raw = raw[len(LEGAL_HEADER) :]
    raw = _REPEATED_CODE_RE.sub(rf"\1{_SEP}\1", raw)
    raw = _GLUED_DATE_RE.sub(rf"\1{_SEP}", raw)
    pairs: list[tuple[str, str]] = []
    position = 0
    for match in _LEGAL_CODE_RE.finditer(raw):
        if match.start() < position:
            continue
        title = raw[position : match.start()].replace(_SEP, "").strip(" ;,")
        code = match.group(0)
        position = match.end()
        if not title and pairs and pairs[-1][0] == code:
            # "Luật 60/2014/QH13" + code column "60/2014/QH13": the title ends with the code.
            pairs[-1] = (code, f"{pairs[-1][1]} {code}")
            continue
        pairs.append((code, title or code))
    tail = raw[position:].replace(_SEP, "").strip()
    if tail:
        problems.append(f"căn cứ pháp lý: phần cuối không có mã văn bản: {tail[:80]!r}")
    for code, title in pairs:
        if _GLUED_CODE_IN_TITLE_RE.search(title):
            problems.append(f"căn cứ pháp lý: tên văn bản {code} có thể lẫn văn bản khác")
    seen: dict[str, str] = {}
    for code, title in pairs:
        seen.setdefault(code, title)
    return list(seen.items()), problems


# -- free-text sections ----------------------------------------------------------------------------

_BULLET_RE = re.compile(r"^\s*(?:[-+•*]|\(?[ivx]+\)|\d+[.)]|[a-zđ][.)]|Bước \d+)\s*", re.I)


def parse_lines(text: str | None) -> list[str]:
    """Bulleted free text -> one entry per item; lines that continue a sentence are joined."""
    raw = clean(drop_ui_text(clean(text)))
    if not raw:
        return []
    items: list[str] = []
    for line in raw.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        starts_new = bool(_BULLET_RE.match(line)) or (line[:1].isupper() or line[:1].isdigit())
        if items and not starts_new:
            items[-1] = f"{items[-1]} {line}"
        else:
            items.append(re.sub(r"^[-+•*]\s*", "", line))
    return [item for item in items if item and item != NO_INFO]


def parse_result(text: str | None) -> str | None:
    """The result document(s): "Giấy khai sinhMã: KQ.G15.000031Từ khóa..." -> "Giấy khai sinh
    (Mã: KQ.G15.000031)"."""
    raw = one_line(drop_ui_text(clean(text)))
    if not raw:
        return None
    raw = re.sub(r"Mô tả(?:Không có thông tin)?$", "", raw).strip()
    parts = re.split(r"(Mã: ?[A-Z0-9.]+\d)", raw)
    out: list[str] = []
    for i in range(0, len(parts), 2):
        name = parts[i].strip(" ;,")
        code = parts[i + 1] if i + 1 < len(parts) else ""
        if name and code:
            out.append(f"{name} ({code})")
        elif name:
            out.append(name)
        elif code and out:
            out[-1] += f" ({code})"
    return "; ".join(out) or None
