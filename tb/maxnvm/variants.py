"""``configs/maxnvm.toml`` variants with other ``[codec]`` values (one parameter source: the same
file then sizes the RTL, the golden model and the testbench, through ``tools.runner``'s ``config``)."""

from __future__ import annotations

import re
from pathlib import Path

from hymem.golden.maxnvm.params import load_maxnvm_config

REPO = Path(__file__).resolve().parents[2]

#: Registered LANES / IdxSync-block variants of the BitMask and weight decoders (the default is
#: lanes 4, block 1024): one lane, and three lanes with 256-bit blocks (3 divides no block, so
#: every block ends on a partial beat).
LANE_VARIANTS = {"lanes1": {"lanes": 1}, "lanes3_block256": {"lanes": 3, "idxsync_block": 256}}


def codec_variant_toml(overrides: dict[str, int], path: Path) -> Path:
    """Write ``configs/maxnvm.toml`` with ``[codec]`` keys replaced by ``overrides`` to ``path``;
    checks that the loaded config carries them."""
    text = (REPO / "configs" / "maxnvm.toml").read_text()
    start = text.index("\n[codec]\n")
    end = text.index("\n[", start + 1)
    section = text[start:end]
    for key, value in overrides.items():
        section, n = re.subn(rf"^{key} = \d+", f"{key} = {int(value)}", section, flags=re.MULTILINE)
        if n != 1:
            raise ValueError(f"configs/maxnvm.toml [codec] has no single line '{key} = <int>'")
    path.write_text(text[:start] + section + text[end:])
    codec = load_maxnvm_config(path).codec
    assert {k: getattr(codec, k) for k in overrides} == overrides, "variant not loaded as written"
    return path
