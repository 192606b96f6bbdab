"""Shape arithmetic and zoo counts.

Expectations are hand-computed from the layer formulas or are published counts
(cited inline), never read back from the code under test.
"""

import pytest

from hymem.golden.workloads import Builder, WorkloadError, get_network, list_networks, make_layer
from hymem.golden.workloads.layers import pool_out


def test_conv_padding_stride():
    # AlexNet conv1: (227 - 11)/4 + 1 = 55
    lay = make_layer("c", "conv", (3, 227, 227), out_ch=96, kernel=11, stride=4, bias=True)
    assert (lay.out_h, lay.out_w) == (55, 55)
    assert lay.weights == 96 * 3 * 11 * 11 and lay.params == 34848 + 96
    assert lay.macs == 55 * 55 * 96 * 363
    # 3×3 pad 1 stride 2 on 7×7: (7 + 2 - 3)//2 + 1 = 4
    lay = make_layer("c", "conv", (8, 7, 7), out_ch=8, kernel=3, stride=2, padding=1)
    assert (lay.out_h, lay.out_w) == (4, 4)


def test_asymmetric_padding_and_rectangular_kernel():
    # 1×7 kernel, pads (top, left, bottom, right) = (0, 3, 0, 3): H kept, W kept
    lay = make_layer("c", "conv", (4, 17, 17), out_ch=5, kernel=(1, 7), padding=(0, 3, 0, 3))
    assert (lay.out_h, lay.out_w) == (17, 17)
    assert lay.weights == 5 * 4 * 7 and lay.macs == 17 * 17 * 140
    # asymmetric: H: 10 + 0 + 1 - 3 = 8 → /1 + 1 = 9; W: 6 + 2 + 0 - 5 = 3 → //2 + 1 = 2
    lay = make_layer("c", "conv", (1, 10, 6), out_ch=1, kernel=(3, 5), stride=(1, 2),
                     padding=(0, 2, 1, 0))
    assert (lay.out_h, lay.out_w) == (9, 2)


def test_groups():
    # AlexNet conv2: 256 out, 2 groups of 48 input channels, 5×5
    lay = make_layer("g", "conv", (96, 27, 27), out_ch=256, kernel=5, padding=2, groups=2)
    assert lay.weights == 256 * 48 * 25 == 307200
    assert lay.macs == 27 * 27 * 307200
    dw = make_layer("dw", "conv", (32, 10, 10), out_ch=32, kernel=3, padding=1, groups=32)
    assert dw.weights == 32 * 9


def test_pool_ceil_mode():
    # GoogLeNet pool1: 112 → ceil((112 - 3)/2) + 1 = 56 ; floor gives 55
    assert pool_out(112, 3, 2, 0, 0, ceil=True) == 56
    assert pool_out(112, 3, 2, 0, 0, ceil=False) == 55
    # the last window must start inside the input: 5, k=2, s=2, pad 1 → ceil gives 4, kept at 3
    assert pool_out(5, 2, 2, 1, 1, ceil=True) == 3


def test_fc_flattens():
    lay = make_layer("fc6", "fc", (512, 7, 7), out_ch=4096, bias=True)
    assert lay.in_ch == 25088 and lay.weights == 25088 * 4096 and lay.biases == 4096


def test_add_and_concat_shapes():
    b = Builder("t", (4, 6, 6))
    x = b.conv("a", b.input, 8, 3, padding=1)
    y = b.conv("b", b.input, 8, 1)
    s = b.add("s", [x, y])
    c = b.concat("c", [s, y, b.input])
    assert (s.c, c.c, c.h) == (8, 20, 6)
    net = b.build()
    assert net.layer("s").input_elems == 2 * 8 * 36
    with pytest.raises(WorkloadError, match="'bad'.*unequal"):
        b.add("bad", [x, b.input])


@pytest.mark.parametrize("kwargs, msg", [
    ({"in_shape": (0, 8, 8), "out_ch": 4, "kernel": 3}, "zero or negative"),
    ({"in_shape": (3, 8, 8), "out_ch": -1, "kernel": 3}, "positive out_ch"),
    ({"in_shape": (3, 4, 4), "out_ch": 4, "kernel": 7}, "larger than padded input"),
    ({"in_shape": (3, 8, 8), "out_ch": 4, "kernel": 3, "stride": 0}, "stride"),
    ({"in_shape": (3, 8, 8), "out_ch": 4, "kernel": 3, "groups": 2}, "groups"),
])
def test_bad_layers_are_rejected_by_name(kwargs, msg):
    with pytest.raises(WorkloadError, match=f"'broken'.*{msg}"):
        make_layer("broken", "conv", **kwargs)


def test_unknown_network_lists_valid():
    with pytest.raises(WorkloadError, match="unknown network 'vgg99'; valid: .*vgg16"):
        get_network("vgg99")
    assert get_network("VGG-16").name == "vgg16"


# --- published counts ----------------------------------------------------

def test_vgg16_conv_macs():
    # 15.35 G conv MACs for VGG-16 on 224×224 (30.69 GOP in seed 002 Table 2)
    assert get_network("vgg16").totals()["conv_macs"] == 15_346_630_656


def test_known_parameter_counts():
    # torchvision / Caffe model cards: weights + biases, BN not counted
    expect = {
        "vgg16": 138_357_544,
        "vgg19": 143_667_240,
        "vgg11": 132_863_336,
        "resnet18": 11_689_512 - 9_600,   # torchvision count minus BN gamma/beta (2×4800 ch)
        "resnet50": 25_557_032 - 53_120,  # minus BN gamma/beta (2×26560 ch)
        "squeezenet1_0": 1_248_424,
        "alexnet": 60_965_224,            # two-group original, with biases
    }
    for name, count in expect.items():
        assert get_network(name).totals()["params"] == count, name


def test_zoo_is_complete_and_consistent():
    needed = {"lenet5", "vgg12", "alexnet", "vgg11", "vgg16", "vgg19", "googlenet", "resnet18",
              "resnet34", "resnet50", "squeezenet1_0", "inception_v4", "digits_cnn"}
    assert needed <= set(list_networks())
    for name in list_networks():
        net = get_network(name)
        names = [lay.name for lay in net.layers]
        assert len(names) == len(set(names)), name
        totals = net.totals()
        assert totals["macs"] == totals["conv_macs"] + totals["fc_macs"]


def test_bytes_scale_with_precision():
    net = get_network("vgg16")
    t16, t8 = net.totals(16), net.totals(8)
    # conv1_2 input: 64×224×224 elements
    assert t16["max_input_bytes"] == 64 * 224 * 224 * 2
    assert t8["max_input_bytes"] == 64 * 224 * 224
