"""Compile the extractor's, linker's and fact layer's hot modules with mypyc into build/native/.

    python -m native.build            # on failure (no C compiler, say): a warning, exit 0
    python -m native.build --strict   # on failure: exit 1 (CI, where the build must work)

The sources stay the reference and keep working without the build (see native/__init__.py).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import sysconfig
import time

from . import BUILD, MANIFEST, ROOT, digest

# Package inits and command lines stay Python (they run once); rules.py builds its YAML loader on
# a class chosen at run time, which mypyc cannot compile, and runs only at import.
SKIP = {"__init__.py", "__main__.py", "cli.py", "rules.py"}
PACKAGES = ("indicators", "geo")
# And the fact layer's bookkeeping, which loops over every member of each fact an ingest touches;
# the rest of data/ waits on DuckDB, and benchmarks and tests replace some of its functions, which
# compiled callers would call past.
FACT_LAYER = ("data/agreement.py", "data/fact_keys.py", "data/fact_state.py")


def sources() -> list[str]:
    """The module files to compile, relative to the repository root, in a stable order."""
    every = [f"{pkg}/{p.name}" for pkg in PACKAGES for p in (ROOT / pkg).glob("*.py") if p.name not in SKIP]
    return sorted(every + list(FACT_LAYER))


def build() -> dict:
    """Compile `sources()` into BUILD and write its manifest; the manifest."""
    from mypyc.build import mypycify
    from setuptools import setup

    files = sources()
    tmp = ROOT / "build" / "native-tmp"
    shutil.rmtree(BUILD, ignore_errors=True)  # no module of an older build may linger
    os.chdir(ROOT)  # module names come from the paths given, relative to the root
    notes = io.StringIO()  # mypyc's notes (a generator read as a list...): shown only if it fails
    try:
        with contextlib.redirect_stdout(notes):
            # Imported modules that stay Python are read for their types, their own errors left unsaid.
            ext = mypycify(["--ignore-missing-imports", "--follow-imports=silent", *files], opt_level="3",
                           target_dir=str(tmp / "c"))
    except BaseException:
        sys.stderr.write(notes.getvalue())
        raise
    setup(name="indicator-atlas-native", ext_modules=ext, script_args=[
        "--quiet", "build_ext", "--build-lib", str(BUILD), "--build-temp", str(tmp), "--parallel", "2"])
    manifest = {"ext_suffix": sysconfig.get_config_var("EXT_SUFFIX"),
                "modules": {f[:-3].replace("/", "."): digest(ROOT / f) for f in files}}
    MANIFEST.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Build, reporting the outcome on stderr; the exit status."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--strict", action="store_true", help="exit 1 if the build fails")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        manifest = build()
    except (Exception, SystemExit) as err:  # setuptools reports a compiler failure as SystemExit
        shutil.rmtree(BUILD, ignore_errors=True)
        print(f"native: build failed ({type(err).__name__}: {err}); the Python sources will run, "
              "about 1.4x slower", file=sys.stderr)
        return 1 if args.strict else 0
    print(f"native: compiled {len(manifest['modules'])} modules into {BUILD.relative_to(ROOT)} "
          f"in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
