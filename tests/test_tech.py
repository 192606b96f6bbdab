"""Technology tables: units, sources, strictness. Values checked against the seeds' tables."""

import pytest

from hymem.golden.config import ConfigError
from hymem.golden.tech import Quantity, list_techs, load_tech


def test_all_tables_load_and_every_quantity_has_unit_and_source():
    assert {"rana_65nm", "hydra_dram_pcm", "rram_buffer_22nm", "shycache_28nm",
            "maxnvm_envm"} <= set(list_techs())
    for name in list_techs():
        tech = load_tech(name)
        for comp in tech.components.values():
            for q in comp.quantities.values():
                assert q.source.startswith("seed ") and q.unit, (name, comp.name)


def test_unit_conversions():
    rana = load_tech("rana_65nm")
    assert rana.quantity("edram_32kb.refresh_energy_per_bank").to("pJ") == pytest.approx(788_000)
    assert rana.quantity("retention.tolerable_retention").to("ns") == pytest.approx(734_000)
    assert rana.quantity("platform.frequency").to("Hz") == pytest.approx(200e6)
    assert rana.quantity("sram_buffer.capacity").to("B") == 384 * 1024
    rram = load_tech("rram_buffer_22nm")
    assert rram.quantity("rram_1m.size").to("KB") == 1024
    assert rram.quantity("acc_buf_16.leakage").to("mW") == pytest.approx(6.162e-6)
    assert rram.quantity("rram_128k.area").to("mm2") == pytest.approx(0.021224)
    maxnvm = load_tech("maxnvm_envm")
    assert maxnvm.quantity("rram_24nm_diode.capacity").to("GB") == 4  # 32 Gb
    with pytest.raises(ConfigError, match="cannot convert pJ/bit"):
        load_tech("hydra_dram_pcm").quantity("pcm.array_write_energy").to("pJ")


def test_values_match_seed_tables():
    hydra = load_tech("hydra_dram_pcm")  # seed 001 Table I
    assert hydra.quantity("pcm.tRCD").value == 22 and hydra.quantity("pcm.tRCD").unit == "cycles"
    assert hydra.quantity("pcm.array_write_energy").value == 16.82
    assert "001_fbb152c140f97399.txt, Table I" in hydra.quantity("dram.tWR").source
    rana = load_tech("rana_65nm")  # seed 004 Table III
    assert [rana.quantity(q).value for q in ("mac16.energy", "sram_32kb.access_energy",
            "edram_32kb.access_energy", "edram_32kb.refresh_energy", "ddr3.access_energy")] \
        == [1.3, 18.2, 10.6, 48.1, 2112.9]
    shy = load_tech("shycache_28nm")  # seed 000 Table I
    assert shy.quantity("stt_mram.write_time").to("ns") == 50
    assert shy.quantity("l2_stt.latency").value == 20


def test_unknown_names_list_valid_ones():
    with pytest.raises(ConfigError, match="unknown technology 'nope'; valid: .*rana_65nm"):
        load_tech("nope")
    with pytest.raises(ConfigError, match="no component 'x'; valid: .*mac16"):
        load_tech("rana_65nm")["x"]


@pytest.mark.parametrize("body, msg", [
    ('x = 3', "bare value 3; numbers need a unit"),
    ('x = { value = 3, unit = "parsecs", source = "T1" }', "unknown unit 'parsecs'"),
    ('x = { value = 3, unit = "pJ" }', "missing 'source'"),
    ('x = { value = "3", unit = "pJ", source = "T1" }', "value must be a number"),
])
def test_strict_quantities(tmp_path, body, msg):
    path = tmp_path / "user.toml"
    path.write_text(f'name = "u"\ndescription = "d"\n[components.c]\nkind = "sram"\n{body}\n')
    with pytest.raises(ConfigError, match=msg):
        load_tech(path)


def test_user_file_by_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\ndescription = "d"\nseed = "me"\n[components.c]\nkind = "sram"\n'
                    'e = { value = 2, unit = "nJ", per = "read", source = "lab" }\n')
    q = load_tech(path).quantity("c.e")
    assert q == Quantity(2.0, "nJ", "seed me, lab", "read") and q.to("pJ") == 2000
