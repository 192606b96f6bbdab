"""The network zoo: every network the five seeds use, with published shapes.

Inference graphs only (no auxiliary classifiers, no dropout/BN/LRN layers —
see :mod:`golden.workloads.layers`).  Where the seeds give only a parameter
count and no shapes (MaxNVM's LeNet5 and VGG12, seed 003 Table 2), the
assumed shapes are stated in the builder's docstring and description, and the
matching claim in :mod:`golden.workloads.claims` says the shape was inferred.
"""

from __future__ import annotations

from collections.abc import Callable

from .layers import WorkloadError
from .network import Builder, Network, Tensor

_ZOO: dict[str, Callable[[], Network]] = {}


def _register(name: str):
    def deco(fn):
        _ZOO[name] = fn
        return fn
    return deco


def _key(name: str) -> str:
    """Lookup key: case-insensitive, '-', '_', '.' and spaces ignored."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def list_networks() -> list[str]:
    return list(_ZOO)


def get_network(name: str) -> Network:
    """Build zoo network ``name``; unknown names list the valid ones."""
    want = _key(name)
    for zname, fn in _ZOO.items():
        if _key(zname) == want:
            return fn()
    raise WorkloadError(f"unknown network {name!r}; valid: {', '.join(_ZOO)}")


# --------------------------------------------------------------------------
# Small networks
# --------------------------------------------------------------------------

@_register("lenet5")
def lenet5() -> Network:
    """MNIST LeNet5 of MaxNVM (seed 003 Table 2: 4 layers, 600 810 parameters).

    The seed gives no shapes.  Assumed: conv3×3(32) – conv3×3(32) – maxpool 2 –
    fc 128 – fc 10 on 28×28×1, with biases: the one conventional two-conv,
    two-FC MNIST network found whose count is exactly 600 810 (search over
    3/5/7 kernels, widths, pooling and bias conventions).
    """
    b = Builder("lenet5", (1, 28, 28), "MNIST LeNet5 as in MaxNVM (shapes inferred from count)",
                "seed 003 Table 2")
    x = b.conv("conv1", b.input, 32, 3)
    x = b.conv("conv2", x, 32, 3)
    x = b.maxpool("pool", x, 2)
    x = b.fc("fc1", x, 128)
    b.fc("fc2", x, 10)
    return b.build()


@_register("vgg12")
def vgg12() -> Network:
    """CIFAR-10 VGG12 of MaxNVM (seed 003 Table 2: 12 layers, 7 899 840 parameters).

    The seed gives no shapes.  Assumed: the first ten 3×3 convolutions of VGG-16
    (64,64 | 128,128 | 256,256,256 | 512,512,512, 2×2 max-pool after each
    block) on 32×32×3, global average pool, fc 512, fc 10, no biases
    (batch-norm style): exactly 7 899 840 weights.
    """
    b = Builder("vgg12", (3, 32, 32), "CIFAR-10 VGG12 as in MaxNVM (shapes inferred from count)",
                "seed 003 Table 2")
    x = b.input
    for blk, widths in enumerate(((64, 64), (128, 128), (256, 256, 256), (512, 512, 512)), 1):
        for i, w in enumerate(widths, 1):
            x = b.conv(f"conv{blk}_{i}", x, w, 3, padding=1, bias=False)
        x = b.maxpool(f"pool{blk}", x, 2)
    x = b.global_avgpool("gap", x)
    x = b.fc("fc1", x, 512, bias=False)
    b.fc("fc2", x, 10, bias=False)
    return b.build()


@_register("digits_cnn")
def digits_cnn() -> Network:
    """Small CNN for scikit-learn's 8×8 digits (SPEC §6), trained later in NumPy.

    conv3×3(8, pad 1) – maxpool 2 – conv3×3(16, pad 1) – maxpool 2 – fc 10.
    """
    b = Builder("digits_cnn", (1, 8, 8), "small CNN for the 8x8 digits data set", "SPEC §6")
    x = b.conv("conv1", b.input, 8, 3, padding=1)
    x = b.maxpool("pool1", x, 2)
    x = b.conv("conv2", x, 16, 3, padding=1)
    x = b.maxpool("pool2", x, 2)
    b.fc("fc", x, 10)
    return b.build()


# --------------------------------------------------------------------------
# AlexNet and VGG
# --------------------------------------------------------------------------

@_register("alexnet")
def alexnet() -> Network:
    """Original two-group AlexNet (Krizhevsky 2012; Caffe bvlc_alexnet shapes).

    Input 227×227: the paper's "224" does not give its 55×55 conv1 output with
    an 11×11/4 kernel; 227 does (and RANA Table I's 0.30 MB input needs it).
    conv2, conv4 and conv5 are split into two groups.
    """
    b = Builder("alexnet", (3, 227, 227), "AlexNet, original two-group version", "Krizhevsky 2012")
    x = b.conv("conv1", b.input, 96, 11, stride=4)
    x = b.maxpool("pool1", x, 3, 2)
    x = b.conv("conv2", x, 256, 5, padding=2, groups=2)
    x = b.maxpool("pool2", x, 3, 2)
    x = b.conv("conv3", x, 384, 3, padding=1)
    x = b.conv("conv4", x, 384, 3, padding=1, groups=2)
    x = b.conv("conv5", x, 256, 3, padding=1, groups=2)
    x = b.maxpool("pool5", x, 3, 2)
    x = b.fc("fc6", x, 4096)
    x = b.fc("fc7", x, 4096)
    b.fc("fc8", x, 1000)
    return b.build()


_VGG_CFG = {
    "vgg11": ((64,), (128,), (256, 256), (512, 512), (512, 512)),
    "vgg16": ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)),
    "vgg19": ((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4),
}


def _vgg(name: str) -> Network:
    """VGG configurations A (11), D (16), E (19) of Simonyan & Zisserman on 224×224."""
    b = Builder(name, (3, 224, 224), f"{name.upper()} (Simonyan & Zisserman 2014)",
                "Simonyan & Zisserman 2014, Table 1")
    x = b.input
    for blk, widths in enumerate(_VGG_CFG[name], 1):
        for i, w in enumerate(widths, 1):
            x = b.conv(f"conv{blk}_{i}", x, w, 3, padding=1)
        x = b.maxpool(f"pool{blk}", x, 2)
    x = b.fc("fc6", x, 4096)
    x = b.fc("fc7", x, 4096)
    b.fc("fc8", x, 1000)
    return b.build()


for _name in _VGG_CFG:
    _register(_name)(lambda _n=_name: _vgg(_n))


# --------------------------------------------------------------------------
# GoogLeNet
# --------------------------------------------------------------------------

def _inception_v1(b: Builder, name: str, x: Tensor, c1, c3r, c3, c5r, c5, pp) -> Tensor:
    b1 = b.conv(f"{name}/1x1", x, c1, 1)
    b2 = b.conv(f"{name}/3x3_reduce", x, c3r, 1)
    b2 = b.conv(f"{name}/3x3", b2, c3, 3, padding=1)
    b3 = b.conv(f"{name}/5x5_reduce", x, c5r, 1)
    b3 = b.conv(f"{name}/5x5", b3, c5, 5, padding=2)
    b4 = b.maxpool(f"{name}/pool", x, 3, 1, padding=1)
    b4 = b.conv(f"{name}/pool_proj", b4, pp, 1)
    return b.concat(f"{name}/output", [b1, b2, b3, b4])


@_register("googlenet")
def googlenet() -> Network:
    """GoogLeNet (Szegedy 2015, Table 1; Caffe bvlc_googlenet, ceil-mode pools)."""
    b = Builder("googlenet", (3, 224, 224), "GoogLeNet / Inception-v1 (no auxiliary heads)",
                "Szegedy 2015, Table 1")
    x = b.conv("conv1/7x7_s2", b.input, 64, 7, stride=2, padding=3)
    x = b.maxpool("pool1/3x3_s2", x, 3, 2, ceil_mode=True)
    x = b.conv("conv2/3x3_reduce", x, 64, 1)
    x = b.conv("conv2/3x3", x, 192, 3, padding=1)
    x = b.maxpool("pool2/3x3_s2", x, 3, 2, ceil_mode=True)
    x = _inception_v1(b, "inception_3a", x, 64, 96, 128, 16, 32, 32)
    x = _inception_v1(b, "inception_3b", x, 128, 128, 192, 32, 96, 64)
    x = b.maxpool("pool3/3x3_s2", x, 3, 2, ceil_mode=True)
    x = _inception_v1(b, "inception_4a", x, 192, 96, 208, 16, 48, 64)
    x = _inception_v1(b, "inception_4b", x, 160, 112, 224, 24, 64, 64)
    x = _inception_v1(b, "inception_4c", x, 128, 128, 256, 24, 64, 64)
    x = _inception_v1(b, "inception_4d", x, 112, 144, 288, 32, 64, 64)
    x = _inception_v1(b, "inception_4e", x, 256, 160, 320, 32, 128, 128)
    x = b.maxpool("pool4/3x3_s2", x, 3, 2, ceil_mode=True)
    x = _inception_v1(b, "inception_5a", x, 256, 160, 320, 32, 128, 128)
    x = _inception_v1(b, "inception_5b", x, 384, 192, 384, 48, 128, 128)
    x = b.avgpool("pool5/7x7_s1", x, 7, 1)
    b.fc("loss3/classifier", x, 1000)
    return b.build()


# --------------------------------------------------------------------------
# ResNet
# --------------------------------------------------------------------------

_RESNET_CFG = {
    "resnet18": ("basic", (2, 2, 2, 2)),
    "resnet34": ("basic", (3, 4, 6, 3)),
    "resnet50": ("bottleneck", (3, 4, 6, 3)),
    "resnet101": ("bottleneck", (3, 4, 23, 3)),
    "resnet152": ("bottleneck", (3, 8, 36, 3)),
}


def _resnet(name: str) -> Network:
    """ResNet of He et al. 2016 (Table 1), Caffe layer names (res2a_branch2a…).

    Projection shortcuts (option B) where the shape changes; stride 2 on the
    first convolution of a down-sampling block, as in the original release
    (torchvision's "v1.5" moves it to the 3×3 — same parameters, more MACs).
    Convolutions carry no bias (batch norm follows); the classifier does.
    """
    block, counts = _RESNET_CFG[name]
    b = Builder(name, (3, 224, 224), f"ResNet-{name[6:]} (He et al. 2016)",
                "He et al. 2016, Table 1")
    x = b.conv("conv1", b.input, 64, 7, stride=2, padding=3, bias=False)
    x = b.maxpool("pool1", x, 3, 2, padding=1)
    width = 64
    for stage, n in enumerate(counts, 2):
        for i in range(n):
            tag = f"res{stage}{chr(ord('a') + i)}"
            stride = 2 if (i == 0 and stage > 2) else 1
            out = width * 4 if block == "bottleneck" else width
            if block == "basic":
                y = b.conv(f"{tag}_branch2a", x, width, 3, stride=stride, padding=1, bias=False)
                y = b.conv(f"{tag}_branch2b", y, width, 3, padding=1, bias=False)
            else:
                y = b.conv(f"{tag}_branch2a", x, width, 1, stride=stride, bias=False)
                y = b.conv(f"{tag}_branch2b", y, width, 3, padding=1, bias=False)
                y = b.conv(f"{tag}_branch2c", y, out, 1, bias=False)
            short = x
            if stride != 1 or x.c != out:
                short = b.conv(f"{tag}_branch1", x, out, 1, stride=stride, bias=False)
            x = b.add(tag, [y, short])
        width *= 2
    x = b.global_avgpool("pool5", x)
    b.fc("fc1000", x, 1000)
    return b.build()


for _name in _RESNET_CFG:
    _register(_name)(lambda _n=_name: _resnet(_n))


# --------------------------------------------------------------------------
# SqueezeNet 1.0
# --------------------------------------------------------------------------

@_register("squeezenet1_0")
def squeezenet1_0() -> Network:
    """SqueezeNet v1.0 (Iandola 2016, Table 1), 224×224 input as in torchvision.

    conv10 is a 1×1 convolution to 1000 classes followed by global average
    pooling: the network has no fully connected layer.
    """
    b = Builder("squeezenet1_0", (3, 224, 224), "SqueezeNet v1.0", "Iandola 2016, Table 1")
    x = b.conv("conv1", b.input, 96, 7, stride=2)
    x = b.maxpool("pool1", x, 3, 2, ceil_mode=True)

    def fire(name, x, s, e1, e3):
        sq = b.conv(f"{name}/squeeze1x1", x, s, 1)
        a = b.conv(f"{name}/expand1x1", sq, e1, 1)
        c = b.conv(f"{name}/expand3x3", sq, e3, 3, padding=1)
        return b.concat(f"{name}/concat", [a, c])

    x = fire("fire2", x, 16, 64, 64)
    x = fire("fire3", x, 16, 64, 64)
    x = fire("fire4", x, 32, 128, 128)
    x = b.maxpool("pool4", x, 3, 2, ceil_mode=True)
    x = fire("fire5", x, 32, 128, 128)
    x = fire("fire6", x, 48, 192, 192)
    x = fire("fire7", x, 48, 192, 192)
    x = fire("fire8", x, 64, 256, 256)
    x = b.maxpool("pool8", x, 3, 2, ceil_mode=True)
    x = fire("fire9", x, 64, 256, 256)
    x = b.conv("conv10", x, 1000, 1)
    b.global_avgpool("pool10", x)
    return b.build()


# --------------------------------------------------------------------------
# Inception-v4
# --------------------------------------------------------------------------

def _c(b: Builder, name: str, x: Tensor, out: int, k, stride=1, valid=False) -> Tensor:
    """Inception-v4 conv (TF-slim): no bias (batch norm), SAME or VALID padding."""
    kh, kw = (k, k) if isinstance(k, int) else k
    pad = 0 if valid else (kh // 2, kw // 2)
    return b.conv(name, x, out, (kh, kw), stride=stride, padding=pad, bias=False)


@_register("inception_v4")
def inception_v4() -> Network:
    """Inception-v4 (Szegedy 2017, Figs. 3-9; TF-slim layer names), 299×299 input."""
    b = Builder("inception_v4", (3, 299, 299), "Inception-v4 (no auxiliary head)",
                "Szegedy 2017, Figs. 3-9")
    x = _c(b, "Conv2d_1a_3x3", b.input, 32, 3, stride=2, valid=True)
    x = _c(b, "Conv2d_2a_3x3", x, 32, 3, valid=True)
    x = _c(b, "Conv2d_2b_3x3", x, 64, 3)
    p = b.maxpool("Mixed_3a/pool", x, 3, 2)
    c = _c(b, "Mixed_3a/conv", x, 96, 3, stride=2, valid=True)
    x = b.concat("Mixed_3a", [p, c])
    a = _c(b, "Mixed_4a/b0_1x1", x, 64, 1)
    a = _c(b, "Mixed_4a/b0_3x3", a, 96, 3, valid=True)
    c = _c(b, "Mixed_4a/b1_1x1", x, 64, 1)
    c = _c(b, "Mixed_4a/b1_1x7", c, 64, (1, 7))
    c = _c(b, "Mixed_4a/b1_7x1", c, 64, (7, 1))
    c = _c(b, "Mixed_4a/b1_3x3", c, 96, 3, valid=True)
    x = b.concat("Mixed_4a", [a, c])
    a = _c(b, "Mixed_5a/conv", x, 192, 3, stride=2, valid=True)
    p = b.maxpool("Mixed_5a/pool", x, 3, 2)
    x = b.concat("Mixed_5a", [a, p])

    for i in range(4):  # Inception-A, 35×35×384
        n = f"Mixed_5{'bcde'[i]}"
        b0 = _c(b, f"{n}/b0_1x1", x, 96, 1)
        b1 = _c(b, f"{n}/b1_1x1", x, 64, 1)
        b1 = _c(b, f"{n}/b1_3x3", b1, 96, 3)
        b2 = _c(b, f"{n}/b2_1x1", x, 64, 1)
        b2 = _c(b, f"{n}/b2_3x3a", b2, 96, 3)
        b2 = _c(b, f"{n}/b2_3x3b", b2, 96, 3)
        b3 = b.avgpool(f"{n}/b3_pool", x, 3, 1, padding=1)
        b3 = _c(b, f"{n}/b3_1x1", b3, 96, 1)
        x = b.concat(n, [b0, b1, b2, b3])

    b0 = _c(b, "Mixed_6a/b0_3x3", x, 384, 3, stride=2, valid=True)  # Reduction-A
    b1 = _c(b, "Mixed_6a/b1_1x1", x, 192, 1)
    b1 = _c(b, "Mixed_6a/b1_3x3a", b1, 224, 3)
    b1 = _c(b, "Mixed_6a/b1_3x3b", b1, 256, 3, stride=2, valid=True)
    b2 = b.maxpool("Mixed_6a/b2_pool", x, 3, 2)
    x = b.concat("Mixed_6a", [b0, b1, b2])

    for i in range(7):  # Inception-B, 17×17×1024
        n = f"Mixed_6{'bcdefgh'[i]}"
        b0 = _c(b, f"{n}/b0_1x1", x, 384, 1)
        b1 = _c(b, f"{n}/b1_1x1", x, 192, 1)
        b1 = _c(b, f"{n}/b1_1x7", b1, 224, (1, 7))
        b1 = _c(b, f"{n}/b1_7x1", b1, 256, (7, 1))
        b2 = _c(b, f"{n}/b2_1x1", x, 192, 1)
        b2 = _c(b, f"{n}/b2_7x1a", b2, 192, (7, 1))
        b2 = _c(b, f"{n}/b2_1x7a", b2, 224, (1, 7))
        b2 = _c(b, f"{n}/b2_7x1b", b2, 224, (7, 1))
        b2 = _c(b, f"{n}/b2_1x7b", b2, 256, (1, 7))
        b3 = b.avgpool(f"{n}/b3_pool", x, 3, 1, padding=1)
        b3 = _c(b, f"{n}/b3_1x1", b3, 128, 1)
        x = b.concat(n, [b0, b1, b2, b3])

    b0 = _c(b, "Mixed_7a/b0_1x1", x, 192, 1)  # Reduction-B
    b0 = _c(b, "Mixed_7a/b0_3x3", b0, 192, 3, stride=2, valid=True)
    b1 = _c(b, "Mixed_7a/b1_1x1", x, 256, 1)
    b1 = _c(b, "Mixed_7a/b1_1x7", b1, 256, (1, 7))
    b1 = _c(b, "Mixed_7a/b1_7x1", b1, 320, (7, 1))
    b1 = _c(b, "Mixed_7a/b1_3x3", b1, 320, 3, stride=2, valid=True)
    b2 = b.maxpool("Mixed_7a/b2_pool", x, 3, 2)
    x = b.concat("Mixed_7a", [b0, b1, b2])

    for i in range(3):  # Inception-C, 8×8×1536
        n = f"Mixed_7{'bcd'[i]}"
        b0 = _c(b, f"{n}/b0_1x1", x, 256, 1)
        b1 = _c(b, f"{n}/b1_1x1", x, 384, 1)
        b1a = _c(b, f"{n}/b1_1x3", b1, 256, (1, 3))
        b1b = _c(b, f"{n}/b1_3x1", b1, 256, (3, 1))
        b2 = _c(b, f"{n}/b2_1x1", x, 384, 1)
        b2 = _c(b, f"{n}/b2_3x1a", b2, 448, (3, 1))
        b2 = _c(b, f"{n}/b2_1x3a", b2, 512, (1, 3))
        b2a = _c(b, f"{n}/b2_1x3b", b2, 256, (1, 3))
        b2b = _c(b, f"{n}/b2_3x1b", b2, 256, (3, 1))
        b3 = b.avgpool(f"{n}/b3_pool", x, 3, 1, padding=1)
        b3 = _c(b, f"{n}/b3_1x1", b3, 256, 1)
        x = b.concat(n, [b0, b1a, b1b, b2a, b2b, b3])

    x = b.global_avgpool("AvgPool_1a", x)
    b.fc("Logits", x, 1000)
    return b.build()


__all__ = ["WorkloadError", "get_network", "list_networks"]
