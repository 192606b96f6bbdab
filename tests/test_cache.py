"""Study caches (golden/cache.py): keyed on everything a study can import or read."""

import json

from hymem.golden import cache


def test_default_key_covers_all_of_golden_and_configs():
    roots = {p.name for p in cache.CODE_ROOTS}
    assert roots == {"golden", "configs"}
    files = [f for root in cache.CODE_ROOTS for f in cache._keyed_files(root)]
    names = {f.name for f in files}
    assert {"fixed.py", "zoo.py", "digits_cnn.npz", "rana.toml", "maxnvm.toml"} <= names
    assert not any("__pycache__" in f.parts for f in files)


def test_digest_changes_with_any_keyed_file(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "cfg").mkdir()
    py, toml = tmp_path / "pkg" / "sub" / "m.py", tmp_path / "cfg" / "x.toml"
    py.write_text("A = 1\n")
    toml.write_text("a = 1\n")
    roots = (tmp_path / "pkg", tmp_path / "cfg")
    base = cache.inputs_digest({"n": 1}, roots)
    assert cache.inputs_digest({"n": 2}, roots) != base
    toml.write_text("a = 2\n")
    after_toml = cache.inputs_digest({"n": 1}, roots)
    assert after_toml != base
    py.write_text("A = 2\n")
    after_py = cache.inputs_digest({"n": 1}, roots)
    assert after_py != after_toml
    (tmp_path / "pkg" / "notes.txt").write_text("not code")   # other files do not matter
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "m.py").write_text("stale")
    assert cache.inputs_digest({"n": 1}, roots) == after_py


def test_cached_json_computes_once_and_writes_atomically(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path / "c")
    calls = []

    def compute():
        calls.append(1)
        return {"x": [1, 2]}

    roots = (tmp_path,)
    assert cache.cached_json("s", 1, compute, roots) == {"x": [1, 2]}
    assert "computing s" in capsys.readouterr().err       # a cold study says so
    assert cache.cached_json("s", 1, compute, roots) == {"x": [1, 2]} and len(calls) == 1
    written = list((tmp_path / "c").glob("s_*.json"))
    assert len(written) == 1 and json.loads(written[0].read_text()) == {"x": [1, 2]}
    assert not list((tmp_path / "c").glob("*.tmp"))
