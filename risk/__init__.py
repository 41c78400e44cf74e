"""Critical-minerals supply-risk library: data, metrics, scenarios, charts and exports.

Nothing in this package imports Streamlit; the pages in ``pages/`` are thin wrappers.
"""

from pathlib import Path

__version__ = "0.1.0"

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
