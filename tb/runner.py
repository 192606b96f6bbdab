"""The testbench side of the runner: which component a cocotb module is testing.

``tools.runner.run_cocotb`` builds a registered top and starts a cocotb module
with ``HYMEM_TOP`` and ``HYMEM_CONFIG`` in the environment; the module calls
:func:`tb_component` to elaborate the same component, so HDL names always come
from its signature.  (Imports run one way: ``tools`` drives ``tb``.)
"""

from __future__ import annotations

import os

from hymem.rtl.registry import get_top


def tb_component():
    """In a cocotb module: ``(component, config)`` of the top under test."""
    return get_top(os.environ["HYMEM_TOP"]).build(os.environ.get("HYMEM_CONFIG") or None)
