"""Compiled builds of the extractor and linker (mypyc), used only while they match their sources.

`python -m native.build` compiles the hot modules of `indicators/` and `geo/` into `build/native/`,
with a manifest of the sources it compiled.  Each package's `__init__` calls `use()` first: when the
manifest matches this interpreter and every compiled source is unchanged, the build's folder goes
first on the package's import path and its modules load instead of the sources; otherwise the
sources load as they are, and a changed source is reported once.  The Python source is always the
reference: the build is the same code, about 1.4x faster.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "native"
MANIFEST = BUILD / "manifest.json"
PURE = "ATLAS_PURE_PYTHON"  # set to 1 to run the sources even where a fresh build exists


def digest(path: Path) -> str:
    """The sha256 of a source file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stale(manifest: dict) -> list[str]:
    """The sources in the manifest that changed (or vanished) since they were compiled."""
    out = []
    for module, want in manifest.get("modules", {}).items():
        source = ROOT.joinpath(*module.split(".")).with_suffix(".py")
        if not source.is_file() or digest(source) != want:
            out.append(str(source.relative_to(ROOT)))
    return out


_told: list[bool] = []


def use(package: str, path: list[str], build: Path | None = None) -> bool:
    """Put the compiled build of `package` first on its import `path` if it matches the sources."""
    build = BUILD if build is None else build
    manifest_path = build / "manifest.json"
    if os.environ.get(PURE) == "1" or not manifest_path.is_file():
        return False
    if not path or Path(path[-1]).resolve() != (ROOT / package).resolve():
        return False  # a package from another checkout: this build was made from other sources
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        print(f"native: {manifest_path} is unreadable ({err}); running the Python sources", file=sys.stderr)
        return False
    if manifest.get("ext_suffix") != sysconfig.get_config_var("EXT_SUFFIX"):
        return False  # built for another interpreter: its modules would not load here
    # All or nothing: compiled modules call each other's compiled code directly, so one changed
    # source must not run beside the old build of another.
    changed = stale(manifest)
    if changed:
        if not _told:
            print(f"native: {', '.join(changed)} changed since the native build; running the Python "
                  "sources (rebuild: python -m native.build)", file=sys.stderr)
            _told.append(True)
        return False
    folder = str(build / package)
    if folder not in path:
        path.insert(0, folder)
    if str(build) not in sys.path:
        sys.path.append(str(build))  # the build's shared runtime library, a top-level module
    return True


def active(module) -> bool:
    """Whether a module was loaded from the compiled build."""
    return str(getattr(module, "__file__", "")).endswith(sysconfig.get_config_var("EXT_SUFFIX"))
