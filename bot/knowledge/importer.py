"""Import the national procedure records (one raw JSON file per procedure) into knowledge files.

`python -m bot kb import <dir>` selects records (by default: commune-level procedures in the
fields a commune's citizens need, see knowledge/import/selection.yml), parses their flattened
tables with bot.knowledge.parsing, and writes one generated YAML file per procedure into
knowledge/procedures/. Generated files carry a `source:` block and are overwritten by the next
import; a staff-written file without it is never touched. Staff changes go in
knowledge/overrides/<code>.yml (bot.knowledge.overrides).

Nothing is guessed: a value the record leaves unclear is kept as given with `unclear: true` and
a reason, and the report lists every record left out (and why) and every part not parsed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.knowledge import parsing as p
from bot.knowledge.schema import (
    CODE_RE,
    Channel,
    Document,
    DocumentGroup,
    LegalDoc,
    Procedure,
    Review,
    Source,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SELECTION = REPO_ROOT / "knowledge" / "import" / "selection.yml"
IMPORT_REVIEWER = "Nhập tự động từ CSDL quốc gia về TTHC - chưa được cán bộ xã rà soát"
GENERATED_HEADER = (
    "# TỆP SINH TỰ ĐỘNG bởi `python -m bot kb import` từ Cơ sở dữ liệu quốc gia về TTHC.\n"
    "# Đừng sửa tệp này: lần nhập sau sẽ ghi đè. Muốn thêm cách gọi, hỏi đáp hoặc sửa nội dung,\n"
    "# hãy ghi vào knowledge/overrides/{code}.yml (xem knowledge/README.md).\n"
)

Progress = Callable[[Iterable[Any]], Iterable[Any]]


# -- selection -------------------------------------------------------------------------------------


class Selection(BaseModel):
    """Which records to import. Loaded from a YAML file staff can edit."""

    model_config = ConfigDict(extra="forbid")

    levels: list[str] = ["Cấp xã"]  # a record must list one of these handling levels
    fields: list[str] = []  # linh_vuc values to take; empty = every field not excluded
    exclude_fields: dict[str, str] = {}  # linh_vuc -> why it is not the commune's business
    exclude_local: bool = True  # leave out other provinces' own procedures (UBND decisions)
    exclude_shared_pages: bool = True  # several codes on one portal page: records unreliable
    include_codes: list[str] = []  # always take these (still must parse)
    exclude_codes: dict[str, str] = {}  # code -> reason


def load_selection(path: Path | None = None) -> Selection:
    path = path or DEFAULT_SELECTION
    if not path.is_file():
        return Selection()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Selection.model_validate(data)


_LOCAL_DECISION_RE = re.compile(r"QĐ-UBND|/UBND", re.I)


def leave_out_reason(
    record: dict[str, Any], selection: Selection, shared_urls: set[str]
) -> str | None:
    """Why a record is not imported, or None to import it."""
    code = str(record.get("ma_thu_tuc", ""))
    field_name = p.one_line(record.get("linh_vuc"))
    if code in selection.exclude_codes:
        return f"loại theo danh sách: {selection.exclude_codes[code]}"
    if not CODE_RE.match(code):
        return "mã thủ tục không hợp lệ"
    if code in selection.include_codes:
        return None
    levels = [x.strip() for x in str(record.get("cap_thuc_hien", "")).split(",")]
    if not set(levels) & set(selection.levels):
        return "không thực hiện ở " + ", ".join(selection.levels)
    if selection.exclude_local and _LOCAL_DECISION_RE.search(str(record.get("so_quyet_dinh"))):
        return "thủ tục riêng của một tỉnh khác (công bố bằng quyết định của UBND tỉnh)"
    if selection.exclude_shared_pages and record.get("detail_url") in shared_urls:
        return "trang Cổng dùng chung cho nhiều mã thủ tục: bản ghi không đáng tin"
    if field_name in selection.exclude_fields:
        return f"lĩnh vực không thuộc việc của xã: {selection.exclude_fields[field_name]}"
    if selection.fields and field_name not in selection.fields:
        return "lĩnh vực chưa chọn (thêm vào selection.yml nếu xã cần)"
    return None


# -- one record -> one procedure -----------------------------------------------------------------


@dataclass
class Converted:
    procedure: Procedure
    problems: list[str] = field(default_factory=list)  # parts not parsed
    unclear: list[str] = field(default_factory=list)  # values kept raw and flagged


def record_hash(record: dict[str, Any]) -> str:
    """Hash of the record's content (raw_text excluded: it repeats the fields)."""
    content = {k: v for k, v in record.items() if k != "raw_text"}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _channels(record: dict[str, Any], out: Converted) -> list[Channel]:
    rows, problems = p.parse_channels(record.get("cach_thuc_thuc_hien"))
    out.problems += problems
    channels = []
    for row in rows:
        reason = "; ".join(row.reasons) or None
        if row.unclear:
            out.unclear.append(f"{row.channel}: {reason}")
        channels.append(
            Channel(
                channel=row.channel,  # type: ignore[arg-type]
                time=row.time,
                fee=row.fee,
                note=row.note,
                description=row.description,
                unclear=row.unclear,
                reason=reason,
            )
        )
    return channels


def _documents(record: dict[str, Any], out: Converted) -> list[DocumentGroup]:
    groups, problems = p.parse_documents(record.get("thanh_phan_ho_so"))
    out.problems += problems
    case_counts = Counter(g.case for g in groups if g.items and g.case)
    result: list[DocumentGroup] = []
    pending_notes: list[str] = []
    for group in groups:
        if not group.items:
            # Notes without papers ("Lưu ý"): attach to the previous group (or the next one).
            notes = [f"{group.case}: {n}" if group.case else n for n in group.notes]
            if result:
                last = result[-1]
                result[-1] = last.model_copy(update={"notes": [*last.notes, *notes]})
            else:
                pending_notes += notes
            continue
        items = []
        for doc in group.items:
            if doc.unclear:
                out.unclear.append(f"giấy tờ: {doc.reason}: {doc.name[:60]}")
            items.append(
                Document(
                    name=doc.name,
                    quantity=doc.quantity,
                    form=doc.form,
                    unclear=doc.unclear,
                    reason=doc.reason,
                )
            )
        repeated = group.case is not None and case_counts[group.case] > 1
        reason = None
        if repeated:
            reason = "tên trường hợp bị lặp trên Cổng: giấy tờ có thể nằm sai nhóm"
            out.unclear.append(f"nhóm giấy tờ '{p.one_line(group.case)[:50]}': {reason}")
        result.append(
            DocumentGroup(
                case=group.case,
                items=items,
                notes=[*pending_notes, *group.notes],
                unclear=repeated,
                reason=reason,
            )
        )
        pending_notes = []
    return result


def _where(record: dict[str, Any]) -> str | None:
    for key in ("co_quan_thuc_hien", "co_quan_co_tham_quyen", "dia_chi_tiep_nhan"):
        value = p.one_line(p.drop_ui_text(p.clean(record.get(key))))
        if value:
            return value
    return None


def convert(record: dict[str, Any], imported_at: dt.date) -> Converted:
    """Build the Procedure for one raw record. Raises ValueError when the record cannot make a
    valid procedure at all (no title or portal link)."""
    code = str(record.get("ma_thu_tuc", "")).strip()
    holder = Converted(procedure=None)  # type: ignore[arg-type]
    channels = _channels(record, holder)
    documents = _documents(record, holder)
    legal_pairs, legal_problems = p.parse_legal(record.get("can_cu_phap_ly"))
    holder.problems += legal_problems
    steps = p.parse_lines(record.get("trinh_tu_thuc_hien"))
    for name, value in (("giấy tờ", documents), ("hình thức nộp", channels), ("trình tự", steps)):
        if not value:
            holder.problems.append(f"không có {name} trong bản ghi")
    portal = p.one_line(record.get("detail_url"))
    levels = [x.strip() for x in str(record.get("cap_thuc_hien", "")).split(",") if x.strip()]
    try:
        procedure = Procedure(
            code=code,
            title=p.one_line(record.get("ten_thu_tuc")),
            field=p.one_line(record.get("linh_vuc")) or None,
            levels=levels,
            portal_url=portal,
            documents=documents,
            channels=channels,
            where_to_file=_where(record),
            online_links=[portal] if any(c.channel == "Trực tuyến" for c in channels) else [],
            steps=steps,
            conditions=p.parse_lines(record.get("yeu_cau_dieu_kien")),
            result=p.parse_result(record.get("ket_qua_xu_ly")),
            legal_basis=[LegalDoc(code=c, title=t) for c, t in legal_pairs],
            review=Review(by=IMPORT_REVIEWER, at=imported_at),
            source=Source(
                decision=p.one_line(record.get("so_quyet_dinh")) or None,
                imported_at=imported_at,
                record_hash=record_hash(record),
            ),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from exc
    holder.procedure = procedure
    return holder


# -- YAML output ---------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Readable YAML for staff: lists indented under their key, unicode kept, 100 columns."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _drop_empty(item)
            if item in (None, [], {}, "") or (item is False and key == "unclear"):
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_drop_empty(item) for item in value]
    return value


def procedure_yaml(procedure: Procedure) -> str:
    """The generated file's text: header, then the procedure without empty sections."""
    data = _drop_empty(procedure.model_dump(mode="json"))
    data.pop("aliases", None)
    data.pop("faq", None)
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
    return GENERATED_HEADER.format(code=procedure.code) + body


def _existing(path: Path) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def is_generated(path: Path) -> bool:
    data = _existing(path)
    return bool(data and isinstance(data.get("source"), dict) and data["source"].get("generated"))


# -- the whole import -----------------------------------------------------------------------------


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # new or changed files
    left_out: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    failed: dict[str, str] = field(default_factory=dict)  # code -> why no procedure was made
    problems: dict[str, list[str]] = field(default_factory=dict)
    unclear: dict[str, list[str]] = field(default_factory=dict)
    kept_staff_files: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # generated files deleted (--prune)
    stale: list[str] = field(default_factory=list)  # generated files not in this import
    fields: Counter[str] = field(default_factory=Counter)

    def text(self) -> str:
        """The human report (Vietnamese, for staff)."""
        unclear_values = sum(len(v) for v in self.unclear.values())
        lines = [
            f"Đã nhập {len(self.imported)} thủ tục ({len(self.written)} tệp mới hoặc thay đổi).",
            f"Giá trị chưa rõ (giữ nguyên, đã đánh dấu): {unclear_values} "
            f"trong {len(self.unclear)} thủ tục.",
            f"Thủ tục có phần không đọc được: {len(self.problems)}.",
            "",
            "Theo lĩnh vực:",
            *(f"  {n:4d}  {name}" for name, n in self.fields.most_common()),
            "",
            f"Không nhập {sum(len(v) for v in self.left_out.values())} bản ghi:",
        ]
        for reason, codes in sorted(self.left_out.items(), key=lambda kv: -len(kv[1])):
            sample = ", ".join(codes[:6]) + (" ..." if len(codes) > 6 else "")
            lines.append(f"  {len(codes):4d}  {reason}  [{sample}]")
        if self.failed:
            lines += ["", "Không tạo được thủ tục:"]
            lines += [f"  {code}: {why}" for code, why in sorted(self.failed.items())]
        if self.kept_staff_files:
            lines += ["", "Giữ nguyên tệp do cán bộ viết (không có khối `source:`):"]
            lines += [f"  {code}" for code in self.kept_staff_files]
        if self.removed:
            lines += ["", "Đã xóa tệp sinh tự động không còn được chọn:"]
            lines += [f"  {code}" for code in self.removed]
        if self.stale:
            lines += ["", "Tệp sinh tự động không có trong lần nhập này (xóa bằng --prune):"]
            lines += [f"  {code}" for code in self.stale]
        if self.problems:
            lines += ["", "Phần không đọc được (giữ trên Cổng, cán bộ kiểm tra):"]
            for code, problems in sorted(self.problems.items()):
                lines += [f"  {code}: {problem}" for problem in problems]
        if self.unclear:
            lines += ["", "Giá trị chưa rõ (đã đánh dấu unclear):"]
            for code, notes in sorted(self.unclear.items()):
                lines += [f"  {code}: {note}" for note in notes]
        return "\n".join(lines) + "\n"


def read_records(source: Path) -> Iterator[tuple[Path, dict[str, Any] | None]]:
    """Every *.json under ``source`` (recursively), with None for unreadable files."""
    for path in sorted(source.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            yield path, None
            continue
        yield path, data if isinstance(data, dict) else None


def run_import(
    source: Path,
    knowledge_root: Path,
    selection: Selection | None = None,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
    prune: bool = False,
) -> ImportReport:
    """Import ``source`` (a directory of raw JSON records) into ``knowledge_root``.

    Generated files of procedures not selected this time are deleted only with ``prune``
    (a partial source directory must not wipe the knowledge)."""
    selection = selection or Selection()
    today = today or dt.date.today()
    report = ImportReport()
    records = list(read_records(source))
    urls = Counter(r.get("detail_url") for _, r in records if r)
    shared = {url for url, n in urls.items() if url and n > 1}
    out_dir = knowledge_root / "procedures"
    if not dry_run:
        out_dir.mkdir(parents=True, exist_ok=True)
    wanted: set[str] = set()
    steps: Iterable[tuple[Path, dict[str, Any] | None]] = progress(records) if progress else records
    for path, record in steps:
        if record is None:
            report.left_out["tệp JSON không đọc được"].append(path.name)
            continue
        code = str(record.get("ma_thu_tuc", path.stem))
        reason = leave_out_reason(record, selection, shared)
        if reason:
            report.left_out[reason].append(code)
            continue
        target = out_dir / f"{code}.yml"
        if target.exists() and not is_generated(target):
            report.kept_staff_files.append(code)
            wanted.add(code)
            continue
        try:
            converted = convert(record, today)
        except ValueError as exc:
            report.failed[code] = str(exc)
            continue
        procedure = converted.procedure
        previous = _existing(target) if target.exists() else None
        if previous and (previous.get("source") or {}).get("record_hash") == (
            procedure.source.record_hash if procedure.source else None
        ):
            # Unchanged record: keep the first import date so the file stays byte-identical.
            kept = dt.date.fromisoformat(str(previous["source"]["imported_at"]))
            procedure = procedure.model_copy(
                update={
                    "source": procedure.source.model_copy(update={"imported_at": kept}),
                    "review": procedure.review.model_copy(update={"at": kept}),
                }
            )
        text = procedure_yaml(procedure)
        wanted.add(code)
        report.imported.append(code)
        report.fields[procedure.field or "(không có lĩnh vực)"] += 1
        if converted.problems:
            report.problems[code] = converted.problems
        if converted.unclear:
            report.unclear[code] = converted.unclear
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            report.written.append(code)
            if not dry_run:
                target.write_text(text, encoding="utf-8")
    for path in sorted(out_dir.glob("*.yml")) if out_dir.is_dir() else []:
        if path.stem not in wanted and is_generated(path):
            if not prune:
                report.stale.append(path.stem)
                continue
            report.removed.append(path.stem)
            if not dry_run:
                path.unlink()
    report.left_out = dict(report.left_out)
    return report
