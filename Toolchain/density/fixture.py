"""Writes Tests/LanternDensityTests/Fixtures/density-fixture.json: synthetic grey images (drawn here, no
dataset pixels) and the density maps JAX computes for them with a weights file, for the Swift engine
to reproduce (DensityInferenceTests).

    .venv-density/bin/python Toolchain/density/fixture.py [--weights FILE]
"""
import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import weights_file as wf  # noqa: E402
from train import SHIPPED_WEIGHTS, forward_exported  # noqa: E402

# Odd sizes on purpose: rows whose length is not a multiple of 8 (the engine's scalar tail) and
# pooling that drops a last row or column.
SIZES = [(96, 72), (77, 53), (45, 37)]


def synthetic_image(rng, width, height):
    """A textured background with dark and light blobs of people's proportions (head over body)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    image = 110 + 60 * (yy / height) + 20 * np.sin(xx / 7.0) + rng.normal(0, 8, (height, width))
    for _ in range(int(width * height / 300)):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        size = rng.uniform(4, 14)
        tone = rng.choice([30.0, 220.0]) + rng.normal(0, 10)
        body = ((xx - cx) / (0.35 * size)) ** 2 + ((yy - cy - size) / (0.8 * size)) ** 2 < 1
        head = ((xx - cx) / (0.2 * size)) ** 2 + ((yy - cy) / (0.2 * size)) ** 2 < 1
        image[body | head] = tone
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def main():
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", default=str(root / SHIPPED_WEIGHTS))
    parser.add_argument("--out", default=str(root / "Tests/LanternDensityTests/Fixtures/density-fixture.json"))
    args = parser.parse_args()
    data = Path(args.weights).read_bytes()
    layers, _ = wf.decode(data)
    rng = np.random.default_rng(2016)
    cases = []
    worst = 0.0
    for width, height in SIZES:
        image = synthetic_image(rng, width, height)
        density = np.asarray(forward_exported(layers, image[None].astype(np.float32))[0], np.float32)
        exact = wf.forward_numpy(layers, image)
        worst = max(worst, float(np.abs(density.astype(np.float64) - exact).max()))
        cases.append({
            "width": width, "height": height, "pixels": image.flatten().tolist(),
            "mapWidth": int(density.shape[1]), "mapHeight": int(density.shape[0]),
            # repr of a float32 widened to double: read back as Float, it is the same float32.
            "density": [float(v) for v in density.flatten()],
            "count": float(density.astype(np.float64).sum()),
        })
    fixture = {
        "about": "Synthetic inputs and the density maps JAX (float32) computes for them; Toolchain/density/fixture.py",
        "weightsCRC32": zlib.crc32(data[:-4]) & 0xFFFFFFFF,
        "cases": cases,
    }
    Path(args.out).write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"fixture: wrote {args.out} ({len(cases)} cases); JAX float32 vs float64 numpy: largest cell difference {worst:.3g}")


if __name__ == "__main__":
    main()
