"""hymem: the project's one import name.

Its subpackages are the repository's top-level folders, where the layout (SPEC.md §2) keeps
them: ``hymem.golden`` is ``golden/``, ``hymem.rtl`` is ``rtl/``, ``hymem.tb`` is ``tb/``,
``hymem.tools`` is ``tools/`` and ``hymem.configs`` holds ``configs/``. A wheel places them
under ``hymem/`` (``package-dir`` in ``setup.py``); in a source tree, including an editable
install or a git worktree, this package's search path is the repository root, so the code
that runs is the checkout's own. Nothing else lands in a user's site-packages.
"""

from pathlib import Path

_HERE = Path(__file__).resolve().parent
if not (_HERE / "golden").is_dir():  # source tree: the subpackages are the root's folders
    __path__.append(str(_HERE.parent))
