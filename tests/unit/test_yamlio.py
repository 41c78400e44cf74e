import os

import pytest

from risk.yamlio import DataFileError, atomic_write_text, dump_yaml, line_of, load_yaml_text


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a'"),
        ("a: &x [1, 2]\nb: *x\n", "anchor 'x' is not allowed"),
        ("a: !!python/object/apply:os.system ['true']\n", "tag '!!python/object/apply:os.system' is not allowed"),
        ("a: [1, 2\n", "malformed YAML"),
        ("a:\n\tb: 1\n", "malformed YAML"),
        ("? [1, 2]\n: x\n", "mapping key must be a plain value"),
    ],
)
def test_bad_yaml_is_refused_with_a_message(text, needle):
    with pytest.raises(DataFileError) as exc:
        load_yaml_text(text, path="scenario.yaml")
    assert needle in str(exc.value)
    assert str(exc.value).startswith("scenario.yaml")


def test_duplicate_key_error_names_the_line():
    with pytest.raises(DataFileError) as exc:
        load_yaml_text("x: 1\ny: 2\nx: 3\n", path="f.yaml")
    assert exc.value.line == 3
    assert "first on line 1" in str(exc.value)


def test_size_limit_and_encoding():
    with pytest.raises(DataFileError, match="limit is 100 bytes"):
        load_yaml_text("a: " + "x" * 200, path="big.yaml", max_bytes=100)
    with pytest.raises(DataFileError, match="not UTF-8"):
        load_yaml_text(b"a: caf\xe9\n", path="latin1.yaml")


def test_billion_laughs_is_refused_before_expansion():
    lol = "a: &a ['lol','lol']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    with pytest.raises(DataFileError, match="anchor"):
        load_yaml_text(lol)


def test_line_of_follows_a_path():
    text = "world:\n- stage: mine\n  figures:\n  - {country: CHN, year: 2025, value: 1}\n  - {country: USA, year: 2025, value: -1}\n"
    assert line_of(text, ("world", 0, "figures", 1, "value")) == 5


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "out.yaml"
    target.write_text("old: true\n")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "new: true\n")
    assert target.read_text() == "old: true\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]


def test_dump_refuses_nan_and_round_trips():
    with pytest.raises(ValueError):
        dump_yaml({"a": float("nan")})
    doc = {"a": 1.5, "b": "x: y", "c": [1, 2], "d": None, "e": "multi\nline"}
    assert load_yaml_text(dump_yaml(doc)) == doc


def test_interrupted_imports_are_found_without_changes_and_recovered(tmp_path):
    from risk.yamlio import interrupted_imports, recover_interrupted

    usgs = tmp_path / "usgs"
    (usgs / ".mcs2026.old-abc").mkdir(parents=True)  # moved aside, never put back
    (usgs / ".mcs2026.old-abc" / "gallium.yaml").write_text("old\n")
    (usgs / ".mcs2026.new-def").mkdir()  # staging of the killed import
    (usgs / "mcs2025").mkdir()
    (usgs / ".mcs2025.old-ghi").mkdir()  # swapped, but the old copy was not removed: not interrupted
    before = sorted(p.name for p in usgs.iterdir())
    assert interrupted_imports(tmp_path) == [usgs / ".mcs2026.old-abc"]
    assert sorted(p.name for p in usgs.iterdir()) == before
    done = recover_interrupted(tmp_path)
    assert f"restored {usgs / 'mcs2026'}" in done and len(done) == 3
    assert sorted(p.name for p in usgs.iterdir()) == ["mcs2025", "mcs2026"]
    assert (usgs / "mcs2026" / "gallium.yaml").read_text() == "old\n"
    assert interrupted_imports(tmp_path) == [] and recover_interrupted(tmp_path) == []
