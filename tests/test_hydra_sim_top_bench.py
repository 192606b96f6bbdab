"""The long-run bench's plan (tools/benches/hydra_sim_top.py): layers shared out over simulator
processes, and the cocotb module's layer selection (tb/hydra/bench_sim_top.py)."""

import pytest

from hymem.golden.hydra.cycles import layer_cycles
from hymem.golden.hydra.params import load_hydra_config
from hymem.tb.hydra.bench_sim_top import network_layers, selected
from hymem.tools.benches.hydra_sim_top import shards


@pytest.mark.parametrize("net", ["vgg16", "resnet34"])
@pytest.mark.parametrize("n", [1, 2, 5, 64])
def test_shards_cover_each_layer_once_in_order(net, n):
    config = load_hydra_config()
    layers = network_layers(net, None, None)
    cycles = {layer.name: layer_cycles(layer, config).cycles for layer in layers}
    plan = shards(layers, list(cycles.values()), n)
    names = [layer.name for layer in layers]
    assert len(plan) == min(n, len(layers)) and all(plan)
    assert sorted(name for shard in plan for name in shard) == sorted(names)
    for shard in plan:  # each process runs its layers in the network's order
        assert shard == sorted(shard, key=names.index)
    # longest-first onto the least loaded: no shard exceeds the mean by more than one layer
    loads = [sum(cycles[name] for name in shard) for shard in plan]
    assert max(loads) <= sum(loads) / len(plan) + max(cycles.values())


@pytest.mark.parametrize("net", ["vgg16", "resnet34"])
def test_two_shards_are_within_two_percent_on_the_sim_top(net, tmp_path):
    """Each network's layers split almost evenly over two processes by the cycles the bench
    predicts for the sim top (DRAM/PCM timing, the bench's tiling); golden's ideal-memory cycles
    left ResNet-34's two shards at 5.03 and 5.79 M cycles."""
    from hymem.tools.benches.hydra_sim_top import bench_config, predicted_cycles

    config = load_hydra_config(bench_config(tmp_path))
    layers = network_layers(net, None, None)
    cycles = predicted_cycles({net: layers}, config)[net]
    by_name = {layer.name: c for layer, c in zip(layers, cycles, strict=True)}
    loads = [sum(by_name[name] for name in shard) for shard in shards(layers, cycles, 2)]
    assert abs(loads[0] - loads[1]) < 0.02 * sum(loads)


def test_selected_layers_keep_their_network_position():
    layers = network_layers("vgg16", 3, None)
    picked = selected(layers, ["conv3_1", "conv1_2"])
    assert [(i, layer.name) for i, layer in picked] == [(4, "conv3_1"), (1, "conv1_2")]
    assert picked[0][1].in_h == 3  # cropped as asked
    assert selected(layers, None) == list(enumerate(layers))


def test_unknown_selected_layer_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown layer\(s\) conv9_9; valid: conv1_1, conv1_2"):
        selected(network_layers("vgg16", None, None), ["conv1_1", "conv9_9"])


def test_unknown_network_lists_the_valid_ones(monkeypatch):
    from hymem.tools.benches import hydra_sim_top

    monkeypatch.setenv("HYMEM_BENCH_NETS", "vgg16,alexnet")
    with pytest.raises(ValueError, match=r"unknown network\(s\) alexnet; valid: vgg16, resnet34"):
        hydra_sim_top.run()
