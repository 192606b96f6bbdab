"""Package layout (everything else is in pyproject.toml).

The import name is ``hymem`` alone: the top-level folders ``golden/``, ``rtl/``, ``tb/`` and
``tools/`` become ``hymem.golden`` ... through ``package_dir``, and ``configs/`` ships as
``hymem/configs`` so ``golden/config.py`` finds it beside ``golden/`` in a wheel too.
"""

from setuptools import find_packages, setup

FOLDERS = ("golden", "rtl", "tb", "tools")


def _packages() -> list[str]:
    names = ["hymem", "hymem.configs"]
    for folder in FOLDERS:
        names += [f"hymem.{folder}"] + [f"hymem.{folder}.{sub}" for sub in find_packages(folder)]
    return names


setup(
    packages=_packages(),
    package_dir={"hymem": "hymem", "hymem.configs": "configs",
                 **{f"hymem.{folder}": folder for folder in FOLDERS}},
    package_data={"hymem.configs": ["*.toml", "tech/*.toml"], "hymem.golden.nn": ["*.npz"]},
)
