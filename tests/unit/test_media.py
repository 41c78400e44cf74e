"""ui.media: a built download survives Streamlit's orphan sweeps for its grace period, then goes."""

import streamlit.runtime.media_file_manager as mfm
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui import media


def _manager_with_one_download():
    m = mfm.MediaFileManager(MemoryMediaFileStorage("/media"))
    # as a deferred download stores its built file: downloadable, referenced by no session
    fid = m._storage.load_and_get_id(b"png bytes", "image/png", mfm.MediaFileKind.DOWNLOADABLE, "chart.png")
    m._file_metadata[fid] = mfm.MediaFileMetadata(kind=mfm.MediaFileKind.DOWNLOADABLE)
    return m, fid


def test_a_built_download_outlives_two_sweeps_then_goes(monkeypatch):
    assert media.install(grace_s=30)
    m, fid = _manager_with_one_download()
    now = [1000.0]
    monkeypatch.setattr(media.time, "monotonic", lambda: now[0])
    m.remove_orphaned_files()  # another session's run ends: marked
    m.remove_orphaned_files()  # and another: Streamlit alone would delete it here
    assert fid in m._file_metadata
    now[0] += 29.9
    m.remove_orphaned_files()
    assert fid in m._file_metadata
    now[0] += 0.2  # 30 s after it was first marked
    m.remove_orphaned_files()
    assert fid not in m._file_metadata


def test_media_other_than_downloads_goes_at_once():
    assert media.install()
    m = mfm.MediaFileManager(MemoryMediaFileStorage("/media"))
    fid = m._storage.load_and_get_id(b"img", "image/png", mfm.MediaFileKind.MEDIA, None)
    m._file_metadata[fid] = mfm.MediaFileMetadata(kind=mfm.MediaFileKind.MEDIA)
    m.remove_orphaned_files()
    assert fid not in m._file_metadata
