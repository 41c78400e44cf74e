"""The USGS 2022 list of 50 critical minerals (MCS 2025 table T4) -> ``data/critical_lists.yaml``."""

from __future__ import annotations

from pathlib import Path

from ..schema import CriticalListsFile
from ..yamlio import dump_yaml
from .common import ImportFailure, begin_import, generated_header, read_csv_rows, slug, write_files

# List names whose world data sit in another mineral's series.
CRITICAL_2022_MINERAL = {
    "aluminum": "aluminum",
    "graphite": "graphite",
    "magnesium": "magnesium_metal",
    "titanium": "titanium_mineral_concentrates",
    "iridium": "platinum_group_metals",
    "rhodium": "platinum_group_metals",
    "ruthenium": "platinum_group_metals",
}


def import_critical_list_2022(path: str | Path) -> dict:
    rows, _ = read_csv_rows(path, ["Critical Mineral", "Primary Applications", "Category_Note"])
    entries = []
    for r in rows:
        name = " ".join(r["Critical Mineral"].split())
        note = " ".join(r["Category_Note"].split()) or None
        key = name.lower()
        if note and "rare earths chapter" in note.lower():
            mineral = "rare_earths"
        else:
            mineral = CRITICAL_2022_MINERAL.get(key, slug(key))
        e = {"name": name, "mineral": mineral, "applications": " ".join(r["Primary Applications"].split()) or None}
        if note:
            e["note"] = note
        entries.append(e)
    if len(entries) != 50:
        raise ImportFailure(path, f"the 2022 list has 50 minerals; this file has {len(entries)}")
    return {"source": "usgs_critical_2022", "list_2022": entries}


def import_critical_list_file(path: str | Path, data_dir: str | Path) -> dict[str, str]:
    begin_import(data_dir)
    doc = import_critical_list_2022(path)
    CriticalListsFile.model_validate(doc)
    header = generated_header("import-usgs-critical-list", "the 2022 list of 50 critical minerals")
    return write_files(data_dir, {"critical_lists.yaml": header + dump_yaml(doc)})
