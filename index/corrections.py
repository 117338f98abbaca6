"""Staff corrections of what a reply's text does not say: a sidecar `<file name>.meta.json`.

A published reply may name its place only on the website that carries it, or lose its signature
and date when the page ends early. A sidecar beside the file, e.g. `某县答复.docx.meta.json`:

    {"jurisdiction": "马鞍山市花山区", "issuer": "花山区民政局", "date": "2024-05-11"}

overrides those fields of what was parsed. Its keys are `title`, `doc_number`, `issuer`,
`jurisdiction` and `date` (ISO); an empty value leaves the parsed one. The staff page writes the
same file; a build re-reads a document whose sidecar changed, and only that document.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import date
from pathlib import Path

from index.errors import DocumentError
from index.records import DocMeta
from zhtext.places import jurisdiction_of, leading_places

SIDECAR_SUFFIX = ".meta.json"
# Sidecar key → DocMeta field.
FIELDS = {"title": "title", "doc_number": "number", "issuer": "issuer", "jurisdiction": "jurisdiction", "date": "date"}
MAX_CHARS = 200

Corrections = tuple[tuple[str, str], ...]  # (DocMeta field, value), sorted: hashable and stable


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_corrections(path: Path, name: str) -> Corrections:
    """The corrections in the sidecar beside `path`, none when it has none.

    Raises:
        DocumentError: the sidecar is not a JSON object of known keys with valid values.
    """
    sidecar = sidecar_of(path)
    if not sidecar.is_file():
        return ()
    try:
        raw = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DocumentError(f"{name}{SIDECAR_SUFFIX}: 不是有效的 JSON（{error}）") from error
    if not isinstance(raw, dict):
        raise DocumentError(f"{name}{SIDECAR_SUFFIX}: 应是一个 JSON 对象，如 {{\"jurisdiction\": \"某某县\"}}")
    return checked(raw, f"{name}{SIDECAR_SUFFIX}")


def checked(raw: dict, where: str) -> Corrections:
    """Validate sidecar keys and values; the DocMeta fields they correct, sorted.

    Raises:
        DocumentError: an unknown key, a value that is not text, or a bad date or place.
    """
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise DocumentError(f"{where}: 不认识的字段 {'、'.join(unknown)}（可用：{'、'.join(FIELDS)}）")
    found = []
    for key, value in raw.items():
        if not isinstance(value, str) or len(value) > MAX_CHARS:
            raise DocumentError(f"{where}: {key} 应是不超过 {MAX_CHARS} 字的文字")
        value = value.strip()
        if not value:
            continue
        if key == "date" and not is_iso_date(value):
            raise DocumentError(f"{where}: date 应写成 2024-05-11 这样的日期，而不是 {value!r}")
        if key == "jurisdiction" and leading_places(value)[1] != len(value):
            raise DocumentError(f"{where}: jurisdiction 应是完整的地名，如 马鞍山市花山区，而不是 {value!r}")
        found.append((FIELDS[key], value))
    return tuple(sorted(found))


def is_iso_date(value: str) -> bool:
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def corrected(meta: DocMeta, corrections: Corrections) -> DocMeta:
    """`meta` with the corrected fields; a corrected issuer also names the place when nothing else does."""
    if not corrections:
        return meta
    fields = dict(corrections)
    if "jurisdiction" not in fields and "issuer" in fields and jurisdiction_of(fields["issuer"]):
        fields["jurisdiction"] = jurisdiction_of(fields["issuer"])
    kept = [pair for pair in meta.origins.split(",") if pair and pair.split("=")[0] not in fields]
    origins = ",".join([*kept, *(f"{field}=staff" for field in sorted(fields))])
    return dataclasses.replace(meta, **fields, origins=origins)


def update_corrections(path: Path, changes: dict[str, str]) -> Corrections:
    """The sidecar beside `path` with `changes` (sidecar keys) laid over it; an empty value removes that key.

    Raises:
        DocumentError: the existing sidecar or a change does not validate; nothing is written.
    """
    keys = {field: key for key, field in FIELDS.items()}
    existing = {keys[field]: value for field, value in read_corrections(path, path.name)}
    return write_corrections(path, {**existing, **changes})


def write_corrections(path: Path, raw: dict[str, str]) -> Corrections:
    """Write the sidecar beside `path` (all at once: a reader never sees half of it); none left: removed.

    Raises:
        DocumentError: the values do not validate; nothing is written.
    """
    corrections = checked(raw, path.name + SIDECAR_SUFFIX)
    sidecar = sidecar_of(path)
    if not corrections:
        sidecar.unlink(missing_ok=True)
        return ()
    keys = {field: key for key, field in FIELDS.items()}
    text = json.dumps({keys[field]: value for field, value in corrections}, ensure_ascii=False, indent=2)
    handle, temporary = tempfile.mkstemp(dir=sidecar.parent, prefix=".meta-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    os.replace(temporary, sidecar)
    return corrections
