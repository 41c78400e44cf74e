"""An uploaded USGS MCS data-release CSV, parsed in memory for one session (never written)."""

from __future__ import annotations

from . import usgs_mcs2025, usgs_mcs2026
from .common import MAX_CSV_BYTES, ImportFailure, parse_csv_bytes, validate_docs


def import_upload(data: bytes, name: str, *, max_bytes: int = MAX_CSV_BYTES) -> tuple[str, dict[str, dict]]:
    """Parse an uploaded MCS data-release CSV (2026 long or 2025 world layout) in memory.

    Returns (edition, docs). Nothing is written; the caller decides what to do with the
    validated documents. Raises ImportFailure with a message naming the file, row and field.
    """
    if not name.lower().endswith(".csv"):
        raise ImportFailure(name, "not a .csv file: upload a USGS Mineral Commodity Summaries data-release CSV")
    if len(data) == 0:
        raise ImportFailure(name, "the file is empty")
    if len(data) > max_bytes:
        raise ImportFailure(name, f"file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    head = data[:4096].decode("utf-8", "replace")
    if "MCS chapter" in head:
        rows, _ = parse_csv_bytes(data, usgs_mcs2026.REQUIRED, name=name, encodings=("utf-8", "cp1252"))
        edition, docs = "upload2026", usgs_mcs2026.docs_from_rows(rows, name)
    elif "PROD_EST_" in head or "RESERVES_" in head:
        rows, _ = parse_csv_bytes(data, usgs_mcs2025.REQUIRED, name=name, encodings=("utf-8-sig", "cp1252"))
        edition, docs = "upload2025", usgs_mcs2025.docs_from_rows(rows, name)
    else:
        # let the strict reader name the missing columns
        rows, _ = parse_csv_bytes(data, usgs_mcs2026.REQUIRED, name=name, encodings=("utf-8", "cp1252"))
        edition, docs = "upload2026", usgs_mcs2026.docs_from_rows(rows, name)
    for d in docs.values():
        d["edition"] = edition
    validate_docs(docs, name)
    return edition, docs
