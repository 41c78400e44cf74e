"""Safe YAML reading and atomic writing.

* Reading uses ``yaml.safe_load`` semantics through the C loader where available, refuses
  duplicate mapping keys, refuses files over a size limit, and reports problems with the file
  name and line.
* Writing goes to a temporary file in the same folder and is renamed into place, so a failed
  write never leaves a half-written file behind.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is about ten times faster than the pure-Python one
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: Default limit for YAML that comes from a user (uploads, scenario files).
USER_YAML_MAX_BYTES = 1_000_000
#: Limit for any YAML file read from data/ (the largest bundled file is well under this).
DATA_YAML_MAX_BYTES = 20_000_000


class DataFileError(ValueError):
    """A data file could not be read. ``str()`` is the message shown to the user."""

    def __init__(self, path: str | os.PathLike | None, message: str, line: int | None = None):
        self.path = str(path) if path is not None else "<input>"
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


_STR_TAG = "tag:yaml.org,2002:str"


class _StrictLoader(_BaseLoader):
    """Safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        # Fast path: plain scalar keys that are all different (the usual case).
        keys = [k.value for k, _ in node.value if k.tag == _STR_TAG]
        if len(keys) != len(node.value) or len(set(keys)) != len(keys):
            self._check_duplicates(node)
        return super().construct_mapping(node, deep=deep)

    def _check_duplicates(self, node) -> None:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"duplicate key {key!r} (first on line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line


def _yaml_error(path, exc: yaml.YAMLError) -> DataFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"malformed YAML: {problem}" + (f" ({context})" if context else "")
    return DataFileError(path, message, line)


def load_yaml_text(
    text: str | bytes, *, path: str | os.PathLike | None = None, max_bytes: int = USER_YAML_MAX_BYTES, allow_aliases: bool = False
) -> Any:
    """Parse YAML text safely. Raises :class:`DataFileError` with file and line on any problem."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > max_bytes:
        raise DataFileError(path, f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataFileError(path, f"not UTF-8 text (byte {exc.start}: {text[exc.start : exc.start + 1]!r})") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    # Anchors (&), aliases (*) and tags (!) need those characters; most files have none, and
    # scanning tokens costs as much as parsing, so only files that contain them are scanned.
    if not allow_aliases and ("&" in text or "*" in text or "!" in text):
        _refuse_aliases(text, path)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except RecursionError:
        raise DataFileError(path, "YAML nesting is too deep") from None


def _refuse_aliases(text: str, path) -> None:
    """Refuse YAML anchors and aliases: no data file needs them and they can expand hugely."""
    try:
        for token in yaml.scan(text, Loader=_BaseLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                kind = "anchor" if isinstance(token, yaml.AnchorToken) else "alias"
                raise DataFileError(path, f"YAML {kind} '{token.value}' is not allowed here", token.start_mark.line + 1)
            if isinstance(token, yaml.TagToken):
                handle, suffix = token.value
                tag = (handle or "") + (suffix or "")
                if "python" in tag or tag.startswith("tag:"):
                    raise DataFileError(path, f"YAML tag '{tag}' is not allowed", token.start_mark.line + 1)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


def load_yaml_file(path: str | os.PathLike, *, max_bytes: int = DATA_YAML_MAX_BYTES) -> Any:
    """Read and parse one YAML file from disk (see :func:`load_yaml_text`)."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise DataFileError(p, f"cannot read file: {exc.strerror}") from None
    if size > max_bytes:
        raise DataFileError(p, f"file is {size:,} bytes; the limit is {max_bytes:,} bytes")
    return load_yaml_text(p.read_bytes(), path=p, max_bytes=max_bytes, allow_aliases=False)


def line_of(text: str, keys: Iterable[Any]) -> int | None:
    """Line number (1-based) of the node reached by following ``keys`` in YAML ``text``.

    Used only to report errors, so it uses the slower composer and returns the deepest node
    it can reach when the path is only partly present.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        if node is None:
            break
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    nxt = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            nxt = node.value[key]
            line = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return line


# ---------------------------------------------------------------------------------------------
# Writing


class _Dumper(_BaseDumper):
    pass


def _represent_str(dumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_float(dumper, data: float):
    if math.isnan(data) or math.isinf(data):
        raise ValueError("refusing to write NaN or infinity to YAML")
    if data == int(data) and abs(data) < 1e15:
        return dumper.represent_int(int(data))
    return dumper.represent_scalar("tag:yaml.org,2002:float", repr(data))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(float, _represent_float)


def dump_yaml(data: Any) -> str:
    """Deterministic YAML text: keys in insertion order, unicode kept, no aliases."""
    _Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    p = Path(path)
    if not p.parent.is_dir():
        raise DataFileError(p, f"folder {p.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; a written file gets the usual mode
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def interrupted_imports(root: str | os.PathLike) -> list[Path]:
    """Folders an import moved aside and did not put back (``.NAME.old-*`` with no ``NAME``).

    A folder is replaced by renaming the old one to ``.NAME.old-*`` and the new one into place;
    an import killed between the two renames leaves the old folder under its hidden name, and
    :func:`recover_interrupted` (``python -m risk repair``) puts it back. Only looks; never changes
    anything.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    return [old for old in sorted(root.rglob(".*.old-*")) if not (old.parent / old.name[1:].split(".old-")[0]).exists()]


def recover_interrupted(root: str | os.PathLike) -> list[str]:
    """Undo what an import killed half-way left behind under ``root``.

    A folder moved aside and not replaced (see :func:`interrupted_imports`) is put back; one
    whose replacement is in place is removed, and so are leftover staging folders
    (``.NAME.new-*``). Imports call this before they start, and so does ``python -m risk
    repair``; it must not run beside an import that is still running. Returns what was done.
    """
    import shutil

    root = Path(root)
    done = []
    if not root.is_dir():
        return done
    for old in sorted(root.rglob(".*.old-*")):
        name = old.name[1:].split(".old-")[0]
        target = old.parent / name
        if not target.exists():
            os.replace(old, target)
            done.append(f"restored {target}")
        else:
            shutil.rmtree(old, ignore_errors=True)
            done.append(f"removed {old}")
    for junk in [*root.glob(".import-*"), *root.rglob(".*.new-*")]:
        shutil.rmtree(junk, ignore_errors=True)
        done.append(f"removed {junk}")
    return done


def write_tree_atomically(root: str | os.PathLike, files: dict[str, str], *, clean: Iterable[str] = ()) -> None:
    """Write a set of files under ``root`` so that a failure or a kill leaves the old ones.

    Folders listed in ``clean`` (for example ``usgs/mcs2026``) are replaced whole: the new folder
    is written beside the old one, then swapped in with two renames; files not in ``clean``
    folders are each written to a temporary name and renamed. Nothing under ``root`` changes
    until every new file has been written. Callers undo an earlier interrupted write first
    (:func:`recover_interrupted`).
    """
    import shutil

    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    clean = [str(Path(c)) for c in clean]
    staged: dict[str, Path] = {}
    singles: dict[str, str] = {}
    try:
        for folder in clean:
            dest = root / folder
            dest.parent.mkdir(parents=True, exist_ok=True)
            staged[folder] = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
        for rel, text in files.items():
            folder = next((c for c in clean if str(Path(rel).parent) == c), None)
            if folder is None:
                singles[rel] = text
                continue
            (staged[folder] / Path(rel).name).write_text(text, encoding="utf-8")
        for folder, tmp in staged.items():
            dest = root / folder
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes 0700; the data folder gets the usual mode
            if dest.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
                os.rmdir(old)
                os.replace(dest, old)
                os.replace(tmp, dest)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, dest)
        for rel, text in singles.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(target, text)
    finally:
        for tmp in staged.values():
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
