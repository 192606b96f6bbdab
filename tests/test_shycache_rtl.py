"""SHyCache RTL parameters and the RTL cycle model (golden side; the cocotb regressions that hold
the RTL to them run from tests/test_rtl.py)."""

import dataclasses

import pytest

from hymem.golden.config import ConfigError, config_path
from hymem.golden.shycache.params import load_shycache_config
from hymem.golden.shycache.rtl_params import LevelParams, level_params
from hymem.golden.shycache.rtl_timing import RtlTiming, TimedRequest


def test_level_params_take_the_stt_timing_from_the_system_config():
    config = load_shycache_config()
    level = level_params(config)
    assert level.stt_write_cycles == 100          # Table I: 50 ns at 2 GHz
    assert level.stt_subarrays == config.stt.subarrays
    assert (level.sets("sram"), level.sets("stt")) == (4, 8)
    assert level_params(config, stt_bytes=0).parts == ("sram",)
    assert level_params(config, sram_bytes=0).parts == ("stt",)
    # the 4:1 area rule's sizes are not powers of two: 3 SRAM sets, 24 STT sets build
    odd = level_params(config, sram_bytes=96, stt_bytes=768)
    assert (odd.sets("sram"), odd.sets("stt")) == (3, 24)


@pytest.mark.parametrize("overrides, message", [
    ({"sram_bytes": 80}, "whole number >= 2 of sets"),
    ({"sram_bytes": 32}, "whole number >= 2 of sets"),
    ({"sram_bytes": 0, "stt_bytes": 0}, "both 0"),
    ({"line_bytes": 24}, "line_bytes=24: must be a power of two"),
    ({"word_bytes": 32}, "line_bytes=16 < rtl.word_bytes=32"),
    ({"stt_bytes": 128}, "stt.subarrays=8 must divide"),
    ({"addr_bits": 6}, "no tag bits"),
])
def test_impossible_levels_say_which_constraint_fails(overrides, message):
    with pytest.raises(ConfigError, match=message):
        level_params(load_shycache_config(), **overrides)


def test_a_bad_rtl_key_in_the_toml_is_named(tmp_path):
    text = config_path("shycache").read_text()
    path = tmp_path / "bad.toml"
    path.write_text(text.replace("ways = 2", "wayz = 2"))
    with pytest.raises(ConfigError, match="shycache.rtl: unknown key"):
        load_shycache_config(path)


def test_timing_hand_derived_sequence():
    """Three requests worked out by hand from the RTL's cycle rules (rtl_timing docstring):
    16 sweep cycles, memory latency 4, STT writes of 100 cycles."""
    timing = RtlTiming(init_cycles=16, write_cycles=100, subarrays=8, memory_latency=4)
    requests = [
        TimedRequest(stt=False, hit=False),                          # SRAM load miss, clean
        TimedRequest(stt=True, subarray=3, hit=False, store=True),   # STT store miss
        TimedRequest(stt=True, subarray=3, hit=True),                # STT load hit, same subarray
    ]
    out = timing.run(requests, [0, 0, 2])
    # r0: IDLE from 17, fill request 20, fill taken 24, answered 25
    # r1: taken 26, fill 29, writes 33 (busy to 134) and 34 (queued: busy to 234), answered 35
    # r2: offered 20, enters the predecoder 26, reaches IDLE 36, waits to 234 (198 stalls)
    assert out["taken"] == [17, 26, 234]
    assert out["answered"] == [25, 35, 237]
    assert out["fills"] == [20, 29]
    assert out["stall_cycles"] == 198
    assert out["end"] == 238


def test_timing_dirty_victim_and_malformed():
    timing = RtlTiming(init_cycles=4, write_cycles=0, subarrays=1, memory_latency=2)
    out = timing.run([TimedRequest(malformed=True), TimedRequest(hit=False, victim_dirty=True)],
                     [3, 0], start=1)
    # malformed: offered 4, IDLE from 5, answered 6; next: taken 7, write-back 10, fill 11,
    # taken back 13, answered 14
    assert out["taken"] == [5, 7]
    assert out["writebacks"] == [10] and out["fills"] == [11]
    assert out["answered"] == [6, 14]


def test_timing_rejects_a_zero_memory_latency():
    with pytest.raises(ValueError, match="memory_latency=0"):
        RtlTiming(4, 0, 1, 0)


def test_level_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LevelParams().ways = 4


def test_timing_write_buffer_bypass():
    """The same three requests with the bypass: the load of the line just written (the store
    miss's line) is served from the write buffer, so it does not wait for the busy subarray;
    another line of that subarray still does."""
    timing = RtlTiming(init_cycles=16, write_cycles=100, subarrays=8, memory_latency=4, bypass=True)
    requests = [
        TimedRequest(stt=False, hit=False),
        TimedRequest(stt=True, line=0x40, subarray=3, hit=False, store=True),
        TimedRequest(stt=True, line=0x40, subarray=3, hit=True),
        TimedRequest(stt=True, line=0x80, subarray=3, hit=True),
    ]
    out = timing.run(requests, [0, 0, 2, 0])
    # r2 reaches IDLE at 36 and is taken at once (answered 39, IDLE 40); r3 enters the
    # predecoder at 36, waits for the subarray until 234
    assert out["taken"] == [17, 26, 36, 234]
    assert out["stall_cycles"] == 234 - 40


def test_timing_busy_timer_saturates():
    """A subarray holds at most max_queued writes of busy time past the write."""
    timing = RtlTiming(init_cycles=0, write_cycles=10, subarrays=1, memory_latency=1,
                       bypass=True, max_queued=2)
    stores = [TimedRequest(stt=True, line=0, hit=True, store=True)] * 4
    out = timing.run(stores + [TimedRequest(stt=True, line=16, hit=True)], [0] * 5)
    # stores taken at 1, 5, 9, 13 (bypassed), each writing at taken + 2; the last write at 15
    # leaves the subarray busy until 16 + min(left + 10, 20) = 36
    assert out["taken"][:4] == [1, 5, 9, 13]
    assert out["taken"][4] == 36
