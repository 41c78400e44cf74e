"""Importers: turn the raw files in ``data/raw/`` into the generated files in ``data/``.

:mod:`.common` holds the shared plumbing (errors, CSV reading, validation, rendering, staged
writes) and :mod:`.corrections` the one mechanism that applies ``data/corrections.yaml``; each
other module reads one source. ``python -m risk import-all`` runs them all.
"""
