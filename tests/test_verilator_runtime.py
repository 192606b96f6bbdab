"""The Verilator runtime-object cache: which objects, which key, save and restore."""

from pathlib import Path

import pytest

from hymem.tools import verilator_runtime as vr

CLASSES = """\
# Timing enabled?  0/1
VM_TIMING = {timing}
VM_TRACE = 0

# Generated module classes, fast-path, compile with highest optimization
VM_CLASSES_FAST += \\
  Vtop \\
  Vtop___024root__0 \\

# Global classes, need linked once per executable, fast-path, compile with highest optimization
VM_GLOBAL_FAST += \\
  verilated \\
  verilated_vpi \\
{extra}
# Global classes, need linked once per executable, non-fast-path, compile with low/medium optimization
VM_GLOBAL_SLOW += \\

"""
VTOP = "VM_SC = 0\n# User CFLAGS\nVM_USER_CFLAGS = \\\n{cflags}\n# User LDLIBS\n"


def fake_build(path: Path, timing=0, extra="", cflags="") -> Path:
    path.mkdir(parents=True)
    (path / "Vtop_classes.mk").write_text(CLASSES.format(timing=timing, extra=extra))
    (path / "Vtop.mk").write_text(VTOP.format(cflags=cflags))
    return path


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(vr, "CACHE", tmp_path / "cache")
    monkeypatch.setenv("MAKEFLAGS", " -- OPT_FAST=-O2 --jobserver-auth=3,4")


def test_runtime_objects_are_the_global_classes_only(tmp_path):
    build = fake_build(tmp_path / "a", extra="  verilated_timing \\\n")
    assert vr.runtime_objects(build) == ["verilated.o", "verilated_vpi.o", "verilated_timing.o"]


def test_key_follows_switches_cflags_and_make_variables(tmp_path, monkeypatch):
    base = vr.cache_key(fake_build(tmp_path / "a"))
    assert vr.cache_key(fake_build(tmp_path / "b")) == base
    assert vr.cache_key(fake_build(tmp_path / "c", timing=1)) != base
    assert vr.cache_key(fake_build(tmp_path / "d", cflags="  -fcoroutines \\\n")) != base
    monkeypatch.setenv("MAKEFLAGS", " -- OPT_FAST=-O2 --jobserver-auth=5,6")   # job server: same key
    assert vr.cache_key(tmp_path / "a") == base
    monkeypatch.setenv("MAKEFLAGS", " -- OPT_FAST=-O3")
    assert vr.cache_key(tmp_path / "a") != base


def test_save_then_restore_into_a_fresh_build(tmp_path):
    first = fake_build(tmp_path / "first")
    assert vr.restore(first) == 0                       # a miss restores nothing
    assert not vr.save(first)                           # objects not built yet: nothing stored
    for name in vr.runtime_objects(first):
        (first / name).write_bytes(name.encode())
    assert vr.save(first) and not vr.save(first)        # stored once
    second = fake_build(tmp_path / "second")
    assert vr.restore(second) == 2
    assert (second / "verilated_vpi.o").read_bytes() == b"verilated_vpi.o"
    assert vr.restore(fake_build(tmp_path / "other", timing=1)) == 0
