"""Ship the repository's top-level ``boards/`` and ``firmware/`` (and the default test model) inside the
package as ``hil_bench/_data/`` (see hil_bench/resources.py, which lists them). Everything else is in
pyproject.toml."""

import runpy
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = runpy.run_path(str(Path(__file__).parent / "hil_bench" / "resources.py"))["SHIPPED"]


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds the folders in the checkout itself
        for name, (source, leave_out) in SHIPPED.items():
            target = Path(self.build_lib) / "hil_bench" / "_data" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.o", *leave_out))


setup(cmdclass={"build_py": BuildPyWithData})
