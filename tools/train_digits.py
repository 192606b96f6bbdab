"""Train the shared digits CNN and write ``golden/nn/digits_cnn.npz`` (deterministic for fixed options).

    .venv/bin/python tools/train_digits.py            # regenerate the committed model
    .venv/bin/python tools/train_digits.py --check    # retrain, compare with the committed file, write nothing

Prints the float and the FX16 (bit-exact integer) test accuracy and the
training time.  Everything recorded in the archive's ``info`` is enough to
retrain the same parameters: seeds, split, epochs, learning rate, batch size.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from hymem.golden.nn import (
    DEFAULT_FORMAT,
    PRETRAINED_PATH,
    accuracy,
    accuracy_fixed,
    init_params,
    load_digits,
    load_pretrained,
    quantize_input,
    quantize_params,
    save_pretrained,
    train,
)
from hymem.golden.nn.model import OPTIMIZERS


def train_and_measure(args) -> tuple[dict, dict, float]:
    split = load_digits(args.split_seed, args.test_fraction)
    start = time.perf_counter()
    params, history = train(init_params(args.seed), split, args.epochs, args.lr, args.seed,
                            args.batch_size, optimizer=args.optimizer)
    seconds = time.perf_counter() - start
    fmt = DEFAULT_FORMAT
    info = {
        "network": "digits_cnn", "seed": args.seed, "split_seed": args.split_seed,
        "test_fraction": args.test_fraction, "epochs": args.epochs, "lr": args.lr,
        "batch_size": args.batch_size, "optimizer": args.optimizer,
        "fixed_format": {"width": fmt.width, "frac": fmt.frac, "acc_width": fmt.acc_width,
                         "rounding": fmt.rounding, "overflow": fmt.overflow},
        "final_train_loss": history["loss"][-1] if history["loss"] else None,
        "float_test_accuracy": accuracy(params, split.x_test, split.y_test),
        "fixed_test_accuracy": accuracy_fixed(quantize_params(params, fmt),
                                              quantize_input(split.x_test, fmt), split.y_test, fmt),
        "n_train": len(split.y_train), "n_test": len(split.y_test),
    }
    return params, info, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="weight init and batch order")
    parser.add_argument("--split-seed", type=int, default=0, help="train/test split")
    parser.add_argument("--test-fraction", type=float, default=0.25)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.005)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="adam")
    parser.add_argument("--out", type=Path, default=PRETRAINED_PATH)
    parser.add_argument("--check", action="store_true",
                        help="compare with the existing --out file instead of writing it")
    args = parser.parse_args(argv)

    params, info, seconds = train_and_measure(args)
    print(f"digits_cnn: {info['n_train']} train / {info['n_test']} test images, {args.epochs} epochs "
          f"in {seconds:.2f} s")
    print(f"test accuracy: float {info['float_test_accuracy']:.4f}, "
          f"FX16 Q{16 - DEFAULT_FORMAT.frac}.{DEFAULT_FORMAT.frac} {info['fixed_test_accuracy']:.4f}")
    if args.check:
        saved, saved_info = load_pretrained(args.out)
        same = all(np.array_equal(saved[k], params[k]) for k in saved) and saved_info == info
        print(f"{args.out}: {'identical' if same else 'DIFFERS from this run'}")
        return 0 if same else 1
    save_pretrained(params, info, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
