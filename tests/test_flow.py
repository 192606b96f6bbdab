"""The flow's own contracts: Verilog + manifest per registered top, strict configs, clear errors."""

import json
import subprocess

import pytest

from hymem.golden.config import ConfigError
from hymem.golden.hydra.params import load_hydra_config
from hymem.rtl.registry import TOPS, get_top
from hymem.tools.toolchain import REPO
from hymem.tools.verilog import emit_all


# One test per top, so pytest-xdist spreads the ~45 emissions and lints (minutes in all) over its workers.
@pytest.mark.parametrize("top", sorted(TOPS))
def test_top_emits_linted_verilog(top, tmp_path):
    manifest = emit_all([top], out_dir=tmp_path)  # raises if iverilog or verilator --lint-only -Wall complains
    assert set(manifest) == {top}
    assert json.loads((tmp_path / "manifest.json").read_text()) == json.loads(json.dumps(manifest))


def test_manifest_keeps_other_tops_and_describes_ports_from_the_signature(tmp_path):
    emit_all(["hydra_mac_seq"], out_dir=tmp_path)
    manifest = emit_all(["hydra_mac"], out_dir=tmp_path)  # a subset updates its entries, keeps the others
    assert set(manifest) == {"hydra_mac", "hydra_mac_seq"}
    mac = manifest["hydra_mac"]
    ports = {p["name"]: p for p in mac["ports"]}
    fixed = load_hydra_config().fixed
    assert ports["pairs__payload"]["direction"] == "input"
    assert ports["pairs__payload"]["width"] == 2 * fixed.width + 1
    assert ports["pairs__payload"]["fields"]["a"] == {"offset": fixed.width, "width": fixed.width, "signed": True}
    assert ports["pairs__ready"]["direction"] == "output"
    assert ports["results__payload"]["width"] == fixed.width + fixed.acc_width
    assert {"counters__macs", "counters__busy_cycles", "clk", "rst"} <= set(ports)
    assert mac["parameters"]["fixed"]["acc_width"] == fixed.acc_width
    assert "module hydra_mac(" in (tmp_path / "hydra_mac.v").read_text()


def test_unknown_top_lists_valid_ones():
    with pytest.raises(ConfigError, match="unknown top 'nope'; valid: .*hydra_mac"):
        get_top("nope")


def test_config_rejects_unknown_keys_and_wrong_types(tmp_path):
    text = (REPO / "configs" / "hydra.toml").read_text()
    (tmp_path / "typo.toml").write_text(text.replace("acc_width = 48", "acc_widht = 48"))
    with pytest.raises(ConfigError, match=r"hydra.fixed: unknown key\(s\) acc_widht; valid: acc_width"):
        load_hydra_config(tmp_path / "typo.toml")
    (tmp_path / "type.toml").write_text(text.replace("n_macs = 32", 'n_macs = "32"'))
    with pytest.raises(ConfigError, match="hydra.system.n_macs: expected int"):
        load_hydra_config(tmp_path / "type.toml")
    (tmp_path / "narrow.toml").write_text(text.replace("acc_width = 48", "acc_width = 24"))
    with pytest.raises(ConfigError, match="acc_width=24: must hold a full product"):
        load_hydra_config(tmp_path / "narrow.toml")


@pytest.mark.parametrize("target, variable, message", [
    ("sim", "SIM=questa", "unknown SIM 'questa'; valid: icarus verilator all"),
    ("synth", "TOP=nope", "unknown top 'nope'; valid: hydra_mac"),
    ("waves", "TEST=nope", "unknown TEST 'nope'; valid: hydra_mac"),
])
def test_make_rejects_unknown_names_in_one_line(target, variable, message):
    result = subprocess.run(["make", "-s", "-C", str(REPO), target, variable],
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_rtl_with_a_config_variant(tmp_path, sim):
    """The same regression passes for a non-default format from a TOML variant (one parameter source)."""
    from hymem.tools.runner import run_cocotb

    text = (REPO / "configs" / "hydra.toml").read_text()
    variant = tmp_path / "hydra_q4_4_floor_wrap.toml"
    variant.write_text(text.replace("width = 16", "width = 8").replace("frac = 8", "frac = 4")
                       .replace("acc_width = 48", "acc_width = 24")
                       .replace('rounding = "half_up"', 'rounding = "floor"')
                       .replace('overflow = "saturate"', 'overflow = "wrap"'))
    assert load_hydra_config(variant).fixed.width == 8
    run_cocotb("hydra_mac", "hymem.tb.hydra.test_mac", sim, test_id="hydra_mac-q4_4_floor_wrap", config=variant,
               testcase=["test_mac_idle_and_backpressure"])
