"""Build the optional Cython twins in place: ``python setup_speedups.py [build_ext --inplace]``.

Without Cython (or a C compiler) there is nothing to build and purertc runs pure Python. This
drives setuptools' ``build_ext`` directly rather than through ``setup()``, so the project's
``pyproject.toml`` metadata is not re-read here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import Distribution, Extension

ROOT = Path(__file__).resolve().parent
EXTENSIONS = [
    Extension("purertc._speedups._rtp", ["purertc/_speedups/_rtp.pyx"]),
    Extension("purertc._speedups._sctp", ["purertc/_speedups/_sctp.pyx"]),
]


def main() -> int:
    try:
        from Cython.Build import cythonize
    except ImportError:
        print(
            "Cython is not installed: nothing to build, purertc stays pure Python", file=sys.stderr
        )
        return 0
    modules = cythonize(EXTENSIONS, language_level=3, quiet=True)
    dist = Distribution({"name": "purertc-speedups", "ext_modules": modules})
    dist.src_root = str(ROOT)
    command = dist.get_command_obj("build_ext")
    command.inplace = True  # type: ignore[attr-defined]
    command.ensure_finalized()
    command.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
