"""`python -m bot kb check`: validate every knowledge file and print `file:line: message`.

Errors (the bot would refuse the files, or citizens would get a wrong answer): YAML syntax,
schema, a file name that is not its code, duplicate codes, an alias used by two procedures,
a required section written but left empty, malformed links, an override without a procedure.
Warnings (the files load, staff should look): a staff correction whose national value changed
since it was written (or was never recorded: run `kb pin <code>`), an alias repeated in one
procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.knowledge.loader import Sources, load_sources, merge_sources
from bot.knowledge.overrides import stale_corrections
from bot.text import folded_syllables

# Sections that must not be written empty (leave the key out if the portal has nothing).
REQUIRED_SECTIONS: tuple[str, ...] = ("title", "portal_url", "documents", "channels", "steps")


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    message: str  # "<file>:<line>: <text>"

    def __str__(self) -> str:
        return f"{self.message}" if self.level == "error" else f"{self.message} (cảnh báo)"


def _fold(text: str) -> str:
    return " ".join(folded_syllables(text))


def _line_of(path: Path, needle: str, default: int = 1) -> int:
    """1-based line where ``needle`` first appears in the file (for pointing staff to it)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return default
    for number, line in enumerate(lines, 1):
        if needle and needle in line:
            return number
    return default


def _empty_sections(path: Path) -> list[Finding]:
    """Required keys present with an empty value (``steps: []``, ``title: ""``)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # already reported by the loader
    if not isinstance(data, dict):
        return []
    findings = []
    for key in REQUIRED_SECTIONS:
        if key in data and data[key] in (None, "", [], {}):
            line = _line_of(path, f"{key}:")
            findings.append(
                Finding(
                    "error",
                    f"{path}:{line}: {key}: section is empty; fill it in or remove the line",
                )
            )
    return findings


def _alias_findings(sources: Sources, procedures: dict[str, Any]) -> list[Finding]:
    """An alias (or title) that names two procedures makes the search pick at random."""
    findings: list[Finding] = []
    owners: dict[str, str] = {}
    titles = {_fold(p.title): code for code, p in procedures.items()}
    for code in sorted(procedures):
        procedure = procedures[code]
        path = sources.override_paths.get(code) or sources.procedure_paths.get(code)
        if path is None:
            continue
        seen_here: set[str] = set()
        for alias in procedure.aliases:
            key = _fold(alias)
            where = f"{path}:{_line_of(path, alias)}"
            if key in seen_here:
                findings.append(Finding("warning", f"{where}: alias {alias!r} is repeated"))
                continue
            seen_here.add(key)
            other = owners.get(key)
            if other is not None and other != code:
                findings.append(
                    Finding("error", f"{where}: alias {alias!r} is also an alias of {other}")
                )
            elif titles.get(key, code) != code:
                findings.append(
                    Finding(
                        "error",
                        f"{where}: alias {alias!r} is the title of procedure {titles[key]}",
                    )
                )
            owners.setdefault(key, code)
    return findings


def _stale_findings(sources: Sources) -> list[Finding]:
    findings = []
    for code, override in sorted(sources.overrides.items()):
        base = sources.procedures.get(code)
        if base is None:
            continue
        path = sources.override_paths[code]
        for field, recorded, _now in stale_corrections(base, override):
            line = _line_of(path, f"{field}:")
            if recorded is None:
                text = (
                    f"{field}: staff correction has no record of the national value it "
                    f"replaced; run `python -m bot kb pin {code}` after checking it"
                )
            else:
                text = (
                    f"{field}: the national record changed under this staff correction; "
                    f"compare with {base.portal_url}, update the correction, then run "
                    f"`python -m bot kb pin {code}`"
                )
            findings.append(Finding("warning", f"{path}:{line}: {text}"))
    return findings


def check(root: Path) -> list[Finding]:
    """Every problem in the knowledge directory ``root`` (errors first)."""
    sources = load_sources(root)
    findings = [Finding("error", problem) for problem in sources.problems]
    procedures, merge_problems = merge_sources(sources)
    findings += [Finding("error", problem) for problem in merge_problems]
    for path in [*sources.procedure_paths.values(), *sources.override_paths.values()]:
        findings += _empty_sections(path)
    findings += _alias_findings(sources, procedures)
    findings += _stale_findings(sources)
    return sorted(findings, key=lambda f: f.level != "error")
