"""Measures what int8 weights would cost in accuracy: quantises every conv layer of a weights file
per output channel (symmetric, scale = max |w| / 127), runs both versions on the held-out part of
train and on the test split of ShanghaiTech B, and prints their count errors.

    .venv-density/bin/python Toolchain/density/int8_check.py
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import weights_file as wf  # noqa: E402
import jax  # noqa: E402
from train import SHIPPED_WEIGHTS, evaluate, forward_exported, load_split  # noqa: E402


def quantised(layers):
    out = []
    for kind, w, b in layers:
        if w is None:
            out.append((kind, w, b))
            continue
        scale = np.abs(w).reshape(w.shape[0], -1).max(axis=1) / 127
        scale[scale == 0] = 1
        q = np.clip(np.round(w / scale[:, None, None, None]), -127, 127)
        out.append((kind, (q * scale[:, None, None, None]).astype(np.float32), b))
    return out


def main():
    root = Path(__file__).resolve().parents[2]
    layers, _ = wf.decode((root / SHIPPED_WEIGHTS).read_bytes())
    data, cache = (root / "../shared/data/shanghaitech-b").resolve(), root / ".cache/density"
    names, images, points = load_split(data, "train", cache)
    _, test_images, test_points = load_split(data, "test", cache)
    held = [i for i in range(len(names)) if i % 10 == 9]
    for label, net in (("float32", layers), ("int8 weights", quantised(layers))):
        apply = jax.jit(lambda v, net=net: forward_exported(net, v))
        h, _ = evaluate(apply, [images[i] for i in held], [points[i] for i in held])
        t, _ = evaluate(apply, test_images, test_points)
        print(f"{label}: held-out MAE {h['mae']:.2f}; test MAE {t['mae']:.2f} RMSE {t['rmse']:.2f} bias {t['bias']:+.2f}")


if __name__ == "__main__":
    main()
