"""The make targets' own bad-input paths (no simulator runs here: each check is instant)."""

import pytest

from hymem.golden.config import ConfigError
from hymem.rtl.registry import TOPS
from hymem.tools import kexpr, waves


def test_every_registered_top_has_waves_or_a_reason():
    """make waves runs a top through its cocotb module or a recipe; anything else says why."""
    for name in TOPS:
        if name in waves.EXCLUDED:
            with pytest.raises(ConfigError, match=f"TEST '{name}' has no waves: "):
                waves.parse_test(name)
        else:
            assert waves.parse_test(name) == (name, None)
    assert set(waves.RECIPES) | set(waves.EXCLUDED) <= set(TOPS)
    assert set(waves.GOLDEN_TIMELINES) <= set(TOPS)


def test_waves_recipe_variants_apply():
    for name in waves.RECIPES:
        path = waves.recipe_config(name)
        if path is not None:
            TOPS[name].load_config(path)   # the variant is a valid configuration


def test_unknown_waves_test_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="unknown TEST 'nosuch'; valid: hydra_mac, "):
        waves.parse_test("nosuch")
    with pytest.raises(ConfigError, match="unknown cocotb test 'nope' of hydra_system"):
        waves.parse_test("hydra_system:nope")


def test_malformed_tests_expression_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        kexpr.main(["gray and ("])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: TESTS='gray and (' is not a pytest -k expression") and err.count("\n") == 1
    kexpr.main(["gray and not verilator"])   # a good expression passes silently
    assert capsys.readouterr().err == ""
