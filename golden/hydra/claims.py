"""Hydra reproduction claims (seed 001): ``hymem reproduce hydra``.

Every model value is computed here at call time by :mod:`golden.hydra.frame`
on the zoo networks; the paper's values carry their figure/table.  The
parameters fitted to the paper are named, and each is fitted on one point:

* ``cycles_per_mac`` of the paper timing, on VGG-16's 81.22 ms (Fig. 5a):
  VGG-19's and ResNet-34's latencies are predictions.  The VGG-16 latency
  claim itself uses the *uncalibrated* radix-4 sequential MAC (8 cycles/MAC).
* the Table II time scale, on VGG-19's 192.03 ms in Table II: the paper's
  Table II latencies are 1.863× its Fig. 5 latencies for both VGGs, which the
  seed does not explain, so Table II's VGG-16 throughput and frames per watt
  are predictions at that scale.

Next to the paper's latencies the notes give what our RTL configuration
achieves on the same networks (``golden.hydra.cycles.layer_cycles``).
"""

from __future__ import annotations

from dataclasses import replace
from statistics import fmean

from golden.claims import Claim, claim, printed, register
from golden.config import ConfigError
from golden.tech import load_tech
from golden.workloads import get_network
from golden.workloads.claims import _projection

from .frame import RtlTiming, frame, network_macs, paper_timing, radix4_timing, rtl_layer_cycles
from .params import MAC_VARIANTS, PASS_ACCUMULATION, HydraConfig, load_hydra_config

SEED = "001_fbb152c140f97399.txt"
SYSTEM = "hydra"
ENERGY_NETS = ("vgg16", "vgg19")        # networks averaged for Fig. 6's "on average" ratios
ALL_NETS = ("vgg16", "vgg19", "resnet34")
T2_CAL_NETWORK, T2_CAL_LATENCY_S = "vgg19", 192.03e-3  # seed 001, Table II: 5.21 FPS / 192.03 ms


def _frames(config: HydraConfig, net: str, timing=None) -> dict:
    network = get_network(net)
    return {s: frame(network, s, config, timing) for s in ("dram", "pcm", "hydra")}


def _fmt(x: float) -> str:
    return f"{x:.4g}"


# --- Fig. 7: PCM writes avoided -------------------------------------------

def writes_avoided(config: HydraConfig) -> list[Claim]:
    out = []
    for net, paper in (("vgg16", "1.36E+07"), ("vgg19", "1.49E+07")):
        network = get_network(net)
        fig = frame(network, "hydra", config)
        pcm = frame(network, "pcm", config)
        conv = sum(lay.output_elems for lay in network.of_kind("conv"))
        pool = sum(lay.output_elems for lay in network.of_kind("maxpool", "avgpool"))
        value, tol = printed(paper)
        conv_fits = "within" if abs(conv / value - 1) <= tol else "outside"
        note = (f"PCM writes avoided = the intermediate writes pure PCM makes ({pcm.writes['pcm']}; "
                f"Hydra writes PCM {fig.writes['pcm']} times) = outputs of the "
                f"{'/'.join(config.memory.traffic_kinds)} layers, one write per 16-bit element. "
                f"The conv-layer outputs alone (SPEC §5.1) are {conv}, {conv_fits} the printed "
                f"digits ({conv / value - 1:+.2%}); adding the pool outputs ({pool}) would give "
                f"{fig.pcm_writes_avoided + pool:.3g}, so the paper does not count them; the input "
                f"frame (written by the host) is not counted")
        out.append(claim(f"hydra.fig7.{net}.pcm_writes_avoided", SYSTEM, SEED,
                         "Fig. 7, §IV-B-2", paper, fig.pcm_writes_avoided, "writes/frame", note=note))
    return out


# --- Fig. 6: data-transfer energy ratios ----------------------------------

def _ratios(config: HydraConfig, nets) -> tuple[float, float]:
    pcm_hydra, pcm_dram = [], []
    for net in nets:
        f = _frames(config, net)
        e = {s: fig.transfer_energy_j for s, fig in f.items()}
        pcm_hydra.append(e["pcm"] / e["hydra"])
        pcm_dram.append(e["pcm"] / e["dram"])
    return fmean(pcm_hydra), fmean(pcm_dram)


def energy_ratios(config: HydraConfig) -> list[Claim]:
    ph, pd = _ratios(config, ENERGY_NETS)
    ph3, pd3 = _ratios(config, ALL_NETS)
    other = "array+buffer" if config.memory.transfer_energy == "array" else "array"
    alt = replace(config, memory=replace(config.memory, transfer_energy=other))
    phb, pdb = _ratios(alt, ENERGY_NETS)
    note = (f"data movement (seed gives none): each {'/'.join(config.memory.traffic_kinds)} layer "
            f"reads its weights+biases and input once and writes its output once, 16-bit; model "
            f"in PCM (pure PCM, Hydra) or DRAM; activations in DRAM (pure DRAM, Hydra) or PCM; "
            f"energy = bits x Table I '{config.memory.transfer_energy}' per-bit energies (the "
            f"terms the paper names as the cause, §IV-B-1); mean of the per-network ratios over "
            f"{', '.join(ENERGY_NETS)} (Fig. 6 is not in the text). Alternatives: over "
            f"{', '.join(ALL_NETS)} {_fmt(ph3)} / {_fmt(pd3)} (PCM/Hydra, PCM/DRAM); with "
            f"'{other}' energies {_fmt(phb)} / {_fmt(pdb)}. Tolerance 5 % set by us to cover this "
            f"model's gap to the paper (about 4 %), not derived from printed digits (1.6 and 3.5 "
            f"would give 3 % and 1.4 %)")
    return [
        claim("hydra.fig6.energy_pcm_over_hydra", SYSTEM, SEED, "Fig. 6, §IV-B-1", "1.6", ph,
              "x", tolerance=0.05, note=note),
        claim("hydra.fig6.energy_pcm_over_dram", SYSTEM, SEED, "Fig. 6, §IV-B-1", "3.5", pd,
              "x", tolerance=0.05, note=note),
    ]


# --- Fig. 5: latency per frame --------------------------------------------

def _rtl_note(config: HydraConfig, net: str) -> str:
    """What our RTL configuration achieves on ``net``, with both MAC variants (or why not)."""
    try:
        rtl_layer_cycles()
    except ConfigError as exc:  # the hook says why; the claim stands without it
        return f"our RTL: not available ({exc})"
    s = config.system
    other = next(where for where in PASS_ACCUMULATION if where != s.pass_accumulation)
    parts = []
    for where, variant in [(s.pass_accumulation, v) for v in MAC_VARIANTS] + [(other, "pipelined")]:
        cfg = replace(config, mac=replace(config.mac, variant=variant),
                      system=replace(s, pass_accumulation=where))
        fig = frame(get_network(net), "hydra", cfg, RtlTiming())
        parts.append(f"{variant} MAC, passes summed in the {where.upper()} {fig.latency_s * 1e3:.2f} ms, "
                     f"MAC utilization {fig.utilization * 100:.1f} %")
    return (f"our RTL (golden.hydra.cycles, {s.n_units}x{s.n_macs} MACs at {s.freq_hz / 1e9:g} GHz, "
            f"system top with ideal memory: each WRITE fills the active units in parallel; a chunk's passes "
            f"over input channels are summed in the units' output buffers (UNIT) or read after every pass "
            f"into the RAU (RAU, the paper's description); add/avgpool layers have no unit mode): "
            + "; ".join(parts))


def latencies(config: HydraConfig) -> list[Claim]:
    paper = paper_timing(config)
    radix4 = radix4_timing(config)
    lat = {net: frame(get_network(net), "hydra", config, paper).latency_s * 1e3
           for net in ALL_NETS}
    cal = f"{paper.cycles_per_mac:.4f} cycles/MAC per MAC unit calibrated on VGG-16 81.22 ms"
    r34 = get_network("resnet34")
    no_proj = sum(lay.macs for lay in r34.layers if not _projection(lay))
    r34_no_proj = lat["resnet34"] * no_proj / network_macs(r34)
    v16 = frame(get_network("vgg16"), "hydra", config, radix4).latency_s * 1e3
    return [
        claim("hydra.fig5.vgg16.latency", SYSTEM, SEED, "Fig. 5a", "81.22", v16, "ms",
              tolerance=0.01,
              note=f"{radix4.label}, all {config.system.n_units}x"
                   f"{config.system.n_macs} MACs busy, all conv+FC MACs; 1 % tolerance set by "
                   f"us: the paper's simulator includes load/store and control cycles this ideal "
                   f"model has not (the calibrated rate is {paper.cycles_per_mac:.4f} = 8 x "
                   f"{paper.cycles_per_mac / radix4.cycles_per_mac:.4f}); "
                   + _rtl_note(config, "vgg16")),
        claim("hydra.fig5.vgg19.latency", SYSTEM, SEED, "Fig. 5b", "103.07", lat["vgg19"], "ms",
              note=f"prediction: {cal}; latency proportional to conv+FC MACs; "
                   + _rtl_note(config, "vgg19")),
        claim("hydra.s4b1.vgg19_minus_vgg16", SYSTEM, SEED, "§IV-B-1", "21.85",
              lat["vgg19"] - lat["vgg16"], "ms",
              note=f"prediction: '{cal}' makes the VGG-16 point exact, so this tests the VGG-19 "
                   f"MAC count ratio"),
        claim("hydra.fig5.resnet34.latency", SYSTEM, SEED, "Fig. 5c", "19.13", lat["resnet34"],
              "ms", tolerance=0.006,
              note=f"prediction: {cal}. Tolerance 0.6 % set by us for one identified difference: "
                   f"without the three 1x1 projection shortcuts (0.53 % of the MACs, also absent "
                   f"from seed 002's ResNet-34 counts) the model gives {r34_no_proj:.3f} ms; "
                   + _rtl_note(config, "resnet34")),
    ]


# --- Table II: throughput and frames per watt ------------------------------

def table2(config: HydraConfig) -> list[Claim]:
    paper = paper_timing(config)
    cal = frame(get_network(T2_CAL_NETWORK), "hydra", config, paper).latency_s
    scale = T2_CAL_LATENCY_S / cal
    v16 = frame(get_network("vgg16"), "hydra", config, paper).latency_s
    fps = 1 / (v16 * scale)
    hydra = load_tech(config.memory.tech)["hydra"]
    p_t2, p_t1 = hydra["power_table2"].to("W"), hydra["power"].to("W")
    why = (f"Table II latencies are {scale:.4f}x the model's Fig. 5 latencies (the paper's own "
           f"151.32/81.22 and 192.03/103.07 agree); the seed does not say why. Time scale "
           f"calibrated on Table II VGG-19 (192.03 ms), so VGG-16 is a prediction; at Table I's "
           f"{config.system.freq_hz / 1e9:g} GHz the model gives {1 / v16:.2f} FPS")
    return [
        claim("hydra.t2.vgg16.fps", SYSTEM, SEED, "Table II", "6.61", fps, "frames/s", note=why),
        claim("hydra.t2.vgg16.frames_per_watt", SYSTEM, SEED, "Table II", "1.82", fps / p_t2,
              "frames/J",
              note=f"power assumption: Table II's {p_t2:g} W for the Hydra system (Table I's "
                   f"{p_t1:g} W for the 16 units would give {fps / p_t1:.2f}; at Table I's clock "
                   f"and power {1 / v16 / p_t1:.2f}); throughput as in hydra.t2.vgg16.fps"),
    ]


@register("hydra")
def claims() -> list[Claim]:
    config = load_hydra_config()
    return writes_avoided(config) + energy_ratios(config) + latencies(config) + table2(config)
