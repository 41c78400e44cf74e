"""A grace period for generated downloads (a fix for a Streamlit race under load).

A download button whose file is built when clicked (``data=`` a callable) stores the built file
unreferenced by any element, and every script run of any session ends with
``MediaFileManager.remove_orphaned_files()``: the first such call marks the file, the second
deletes it. On a busy server two runs of other sessions can end between the server's answer to
the click and the browser's ``GET /media/...``, and the download is a 404 (ws_load.py with 50 and
100 sessions exporting: 3 of 47 and 3 of 97 exports; benchmarks/README, "Server capacity").

Here a marked file is deleted only once ``GRACE_S`` seconds have passed since it was first
marked. Streamlit's other files (images, media) are deleted as before, on the first call.
:func:`install` is idempotent; it checks that the class still has the two members it replaces
(tests/unit/test_media.py fails if a Streamlit upgrade changes them).
"""

from __future__ import annotations

import time

GRACE_S = 60.0


def install(grace_s: float = GRACE_S) -> bool:
    """Make a downloadable file marked for delete wait ``grace_s`` seconds before its deletion.
    Returns False (and changes nothing) if Streamlit's MediaFileMetadata is not as expected."""
    from streamlit.runtime import media_file_manager as mfm

    cls = mfm.MediaFileMetadata
    if getattr(cls, "_mr_grace_s", None) is not None:
        cls._mr_grace_s = grace_s
        return True
    if not (isinstance(getattr(cls, "is_marked_for_delete", None), property) and callable(getattr(cls, "mark_for_delete", None))):
        return False

    def mark_for_delete(self) -> None:
        if getattr(self, "_mr_marked_at", None) is None:
            self._mr_marked_at = time.monotonic()
        self._is_marked_for_delete = True

    def is_marked_for_delete(self) -> bool:
        marked = getattr(self, "_mr_marked_at", None)
        return marked is not None and time.monotonic() - marked >= type(self)._mr_grace_s

    cls._mr_grace_s = grace_s
    cls.mark_for_delete = mark_for_delete
    cls.is_marked_for_delete = property(is_marked_for_delete)
    return True
