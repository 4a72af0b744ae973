"""Trains Lantern's density model on ShanghaiTech Part B (train split) and writes the weights file.

    Toolchain/train-density [--steps N] [--seed S] [--arch NAME] [--teacher FILE|none] ...   (defaults: density-v6's recipe)

Deterministic from --seed on one machine: the data order, the crops, the augmentations and the
initial weights all come from it. The test split is only measured, never used to choose anything:
the checkpoint is the one with the lowest MAE on a held-out part of train (every 10th image).
"""
import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import weights_file as wf  # noqa: E402

# The networks: (kind, in, out); pools between. "v1" (density-v1, shipped until session 5): 20 953 parameters, 828
# multiply-accumulates per input pixel, receptive field 54 pixels. "deeper" (tried in session 4, not
# shipped): 29 045 parameters, 846.5 MACs per pixel: 4 fewer channels at 1/2, where a channel costs most,
# pay for a third 3x3 layer at 1/8, where it costs least (receptive field 70 pixels).
ARCHS = {
    "v1": [
        (wf.CONV3_RELU, 1, 8), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 8, 16), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 16, 24), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 24, 32),
        (wf.CONV3_RELU, 32, 32),
        (wf.CONV1, 32, 1),
    ],
    "deeper": [
        (wf.CONV3_RELU, 1, 8), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 8, 12), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 12, 24), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 24, 32),
        (wf.CONV3_RELU, 32, 32),
        (wf.CONV3_RELU, 32, 32),
        (wf.CONV1, 32, 1),
    ],
    # Session 5, shipped as density-v2: cheaper per pixel than v1 (726.75 MACs, 14.9% of a Pi 4 core at 2 Hz on 640x480 by the
    # benchmark's rule) with more capacity where a channel is cheap: 4 channels at full resolution and 12
    # at 1/2 (where v1 spends 360 of its 828 MACs), three 3x3 layers of 32 at 1/8 (receptive field 70
    # pixels: a whole 80-pixel person, not only a head) and a 1x1 layer of 48 before the output.
    "wide8": [
        (wf.CONV3_RELU, 1, 4), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 4, 12), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 12, 24), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 24, 32),
        (wf.CONV3_RELU, 32, 32),
        (wf.CONV3_RELU, 32, 32),
        (wf.CONV1_RELU, 32, 48),
        (wf.CONV1, 48, 1),
    ],
    # The same budget spent the other way (714.75 MACs): 6 channels at full resolution, 28 at 1/8.
    "wide8-fine": [
        (wf.CONV3_RELU, 1, 6), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 6, 12), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 12, 24), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 24, 28),
        (wf.CONV3_RELU, 28, 28),
        (wf.CONV3_RELU, 28, 28),
        (wf.CONV1_RELU, 28, 48),
        (wf.CONV1, 48, 1),
    ],
    # Session 10: is it the budget? wide8 with every channel count doubled: 120 153 parameters, 2 833.5
    # MACs per input pixel (3.9 times wide8; 58% of a Pi 4 core at 2 Hz on 640x480 by the benchmark's
    # rule, against issue 15's 15%). Measured: test MAE 20.36 after its gain, fitted images 19.65
    # (wide8: 25.84 and 23.85), so the compute is what limits wide8; not shipped for its cost
    # (MODEL.md, "Session 10"). Since session 11 its run is density-v5's and density-v6's teacher (TEACHER below).
    "wide8x2": [
        (wf.CONV3_RELU, 1, 8), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 8, 24), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 24, 48), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 48, 64),
        (wf.CONV3_RELU, 64, 64),
        (wf.CONV3_RELU, 64, 64),
        (wf.CONV1_RELU, 64, 96),
        (wf.CONV1, 96, 1),
    ],
    # Session 10: between wide8 and wide8x2, every channel count about 1.4 times wide8's (rounded to the
    # engine's blocks of 8 and 4): 64 221 parameters, 1 471 MACs per input pixel (30% of a Pi 4 core at
    # 2 Hz on 640x480). Its one run (seed 15) collapsed at steps 600-700 (held-out MAE 75, the map near
    # zero) and never caught up: test MAE 29.41, fitted images 26.78. Says little about its budget until
    # it is run again with another seed or a gentler learning rate (MODEL.md, "Session 10").
    "wide8x1.4": [
        (wf.CONV3_RELU, 1, 6), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 6, 16), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 16, 32), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 32, 48),
        (wf.CONV3_RELU, 48, 48),
        (wf.CONV3_RELU, 48, 48),
        (wf.CONV1_RELU, 48, 64),
        (wf.CONV1, 64, 1),
    ],
    # Session 9: context where it is cheapest. A fourth pooling puts the last stage at 1/16, where a
    # 3x3 layer of 56 channels costs 110 MACs per input pixel (at 1/8 a 3x3 layer of 32 costs 144), so
    # the same budget (711.75 MACs, 14.6% of a Pi 4 core at 2 Hz on 640x480) buys 2.9 times the
    # parameters and a receptive field of 142 pixels (wide8: 70) to tell a crowd from texture; the
    # map's cells are 16 pixels. Its count weight keeps wide8's loss balance: --count-weight 0.76 on
    # 256-pixel windows (256 cells) is what 0.05 is for wide8's 1 024 cells. Measured in session 9: not
    # better than wide8 (test MAE 26.37 against 25.84; its fitted images' MAE 23.98 against 24.12), so
    # not shipped (MODEL.md, "Session 9").
    "ctx16": [
        (wf.CONV3_RELU, 1, 4), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 4, 12), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 12, 24), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 24, 32), (wf.MAXPOOL2, 0, 0),
        (wf.CONV3_RELU, 32, 56),
        (wf.CONV3_RELU, 56, 56),
        (wf.CONV3_RELU, 56, 56),
        (wf.CONV1_RELU, 56, 64),
        (wf.CONV1, 64, 1),
    ],
}


def cell_size(arch):
    """Input pixels per output cell along each axis: 2 per pooling of the network."""
    return 2 ** sum(1 for kind, _, _ in arch if kind == wf.MAXPOOL2)


ARCH = ARCHS["wide8"]
CELL = cell_size(ARCH)  # configure() sets both for the run's network
# The weights file Lantern ships (Sources/CLanternDensityWeights/weights.c compiles it in), relative to
# the repository: what Toolchain/train-density writes and calibrate.py, fixture.py and int8_check.py read.
SHIPPED_WEIGHTS = "Sources/LanternDensity/Weights/density-v6.bin"
# The teacher whose maps density-v5 and density-v6 learnt from (--teacher's default): wide8x2 (train.py --arch wide8x2
# --teacher none --clip 0, then calibrate.py on it; MODEL.md, "The teacher"). A training input only, never shipped.
TEACHER = "Toolchain/density/wide8x2-teacher.bin"
# Training targets are people per cell times this (keeps the loss well scaled); export divides it out.
DENSITY_SCALE = 100.0
# Height of a standing person at the middle row of a ShanghaiTech B image at 512x384 (about 80 px;
# 30 px at the top of a view, 130 px at the bottom, read off train images by eye): the scale the model
# is trained around, recorded in the weights file for calibrated cameras.
PERSON_HEIGHT = 80.0
# Training windows, CROP x CROP pixels (--crop; density-v1: 128, density-v2: 256). Larger windows (256:
# a third of a 512x384 image) make the per-window count error closer to the whole-image count that is measured.
CROP = 256
# Smallest and largest resampling scale of the resampled half of the windows (log-uniform; --scale-range;
# density-v1: 0.6 1.5).
SCALE_RANGE = (0.7, 1.4)
# Weight of the per-window count error (people squared) beside the per-cell error (see loss_fn;
# --count-weight). A uniform offset of the map costs the count term COUNT_WEIGHT x (cells per window / 100)^2
# times what it costs the cell term: 65 times for density-v1 (10 on 128-pixel windows), 1000 times at 10 on
# 256-pixel windows. Wherever it is that large the count term is nearly the whole loss (the loss is 10 to
# 100 times what the cell term alone gives), so the per-cell error, which teaches where the heads are,
# hardly acts: on 256-pixel windows with the "deeper" network, weights 10 and 1 followed the same held-out
# curve and stalled at MAE 47-48 by steps 500-800 (session 4, .cache/density/train-run3-*, train-run4-*).
# 0.05 (5 times; run 5 of session 4, then density-v2) lets the cell term lead. density-v1 was trained at 10.
COUNT_WEIGHT = 0.05


def load_split(data, split, cache):
    """Images (uint8 HxW) and head points per image of one split, decoded once into .cache/."""
    path = cache / f"shb-{split}.npz"
    heads = {}
    with open(data / "heads.csv") as f:
        for row in csv.DictReader(f):
            if row["split"] == split:
                heads.setdefault(row["image"], []).append((float(row["x"]), float(row["y"])))
    names = sorted(os.listdir(data / split), key=lambda n: int(n.split("_")[1].split(".")[0]))
    if path.exists():
        images = list(np.load(path)["images"])
    else:
        images = [np.asarray(Image.open(data / split / n).convert("L"), dtype=np.uint8) for n in names]
        cache.mkdir(parents=True, exist_ok=True)
        np.savez(path, images=np.stack(images))
    points = [np.asarray(heads.get(n, []), dtype=np.float32).reshape(-1, 2) for n in names]
    return names, images, points


def gaussian_kernel(sigma, radius):
    t = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * (t / sigma) ** 2)
    k = np.outer(g, g)
    return (k / k.sum()).astype(np.float32)


KERNEL = gaussian_kernel(0.75, 2)


def density_target(points, width, height):
    """People per cell of a (height // CELL) x (width // CELL) grid, each head blurred by a Gaussian of
    0.75 cells (6 pixels at 8-pixel cells) that sums to one; mass falling outside the grid is lost, as at a crop edge."""
    gw, gh = width // CELL, height // CELL
    r = KERNEL.shape[0] // 2
    grid = np.zeros((gh + 2 * r, gw + 2 * r), np.float32)
    if len(points):
        cx = np.floor((points[:, 0] + 0.5) / CELL).astype(int) + r
        cy = np.floor((points[:, 1] + 0.5) / CELL).astype(int) + r
        keep = (cx >= 0) & (cx < gw + 2 * r) & (cy >= 0) & (cy < gh + 2 * r)
        np.add.at(grid, (cy[keep], cx[keep]), 1.0)
    out = np.zeros((gh, gw), np.float32)
    for dy in range(2 * r + 1):
        for dx in range(2 * r + 1):
            out += KERNEL[dy, dx] * grid[2 * r - dy: 2 * r - dy + gh, 2 * r - dx: 2 * r - dx + gw]
    return out


def sample(rng, image, points):
    """One augmented training crop. Half the time a CROP x CROP window of the image as it is; otherwise
    a window resampled (bilinear) to CROP x CROP at a random scale in SCALE_RANGE (log-uniform: people
    from SCALE_RANGE[0] to SCALE_RANGE[1] times their size in the data; a window larger than the image is
    clamped to it). Resampling smooths: trained on resampled windows only, the
    model over-counted the sharper untouched images by up to +140 people, so untouched windows keep it
    anchored to real pixels. Then a horizontal flip half the time, gain and offset jitter.
    Returns (pixels 0..255 float32, target grid)."""
    h, w = image.shape
    if rng.random() < 0.5:
        x0 = int(rng.integers(0, w - CROP + 1))
        y0 = int(rng.integers(0, h - CROP + 1))
        crop = image[y0: y0 + CROP, x0: x0 + CROP].astype(np.float32)
        pts = points - np.array([x0, y0], np.float32)
    else:
        s = float(np.exp(rng.uniform(np.log(SCALE_RANGE[0]), np.log(SCALE_RANGE[1]))))
        box = CROP / s
        if box > min(w, h):
            box = float(min(w, h))
            s = CROP / box
        x0 = float(rng.uniform(0, w - box))
        y0 = float(rng.uniform(0, h - box))
        crop = np.asarray(Image.fromarray(image).resize((CROP, CROP), Image.BILINEAR, box=(x0, y0, x0 + box, y0 + box)),
                          np.float32)
        pts = (points + 0.5 - np.array([x0, y0], np.float32)) * s - 0.5
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
        pts = pts.copy()
        pts[:, 0] = CROP - 1 - pts[:, 0]
    gain = rng.uniform(0.75, 1.25)
    offset = rng.uniform(-25, 25)
    crop = np.clip((crop - 128) * gain + 128 + offset, 0, 255)
    return crop.astype(np.float32), density_target(pts, CROP, CROP)


def cost(arch):
    """(multiply-accumulates per input pixel, receptive field in input pixels) of a network."""
    macs, field, jump = 0.0, 1, 1
    for kind, cin, cout in arch:
        if kind == wf.MAXPOOL2:
            field += jump
            jump *= 2
            continue
        k = 3 if kind in (wf.CONV3_RELU, wf.CONV3) else 1
        macs += k * k * cin * cout / (jump * jump)
        field += (k - 1) * jump
    return macs, field


def init_params(key):
    params = []
    for kind, cin, cout in ARCH:
        if kind == wf.MAXPOOL2:
            continue
        k = 3 if kind in (wf.CONV3_RELU, wf.CONV3) else 1
        key, sub = jax.random.split(key)
        std = np.sqrt(2.0 / (cin * k * k))
        if kind == wf.CONV1:
            std *= 0.1
        params.append({"w": jax.random.normal(sub, (cout, cin, k, k), jnp.float32) * std,
                       "b": jnp.zeros((cout,), jnp.float32)})
    return params


def forward(params, x):
    """x: N x H x W pixels 0..255 -> N x H/8 x W/8 (density x DENSITY_SCALE)."""
    x = (x / 255.0)[:, None]
    i = 0
    for kind, _, _ in ARCH:
        if kind == wf.MAXPOOL2:
            x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
            continue
        p = params[i]
        i += 1
        x = jax.lax.conv_general_dilated(x, p["w"], (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                         precision=jax.lax.Precision.HIGHEST)
        x = x + p["b"][None, :, None, None]
        if kind in (wf.CONV3_RELU, wf.CONV1_RELU):
            x = jax.nn.relu(x)
    return x[:, 0]


def export_layers(params):
    """The trained parameters as the weights file's layers: input scaling (1/255) folded into the first
    layer, the density scale divided out of the last."""
    layers, i = [], 0
    for n, (kind, _, _) in enumerate(ARCH):
        if kind == wf.MAXPOOL2:
            layers.append((kind, None, None))
            continue
        w = np.asarray(params[i]["w"], np.float64)
        b = np.asarray(params[i]["b"], np.float64)
        i += 1
        if n == 0:
            w = w / 255.0
        if n == len(ARCH) - 1:
            w, b = w / DENSITY_SCALE, b / DENSITY_SCALE
        layers.append((kind, w.astype(np.float32), b.astype(np.float32)))
    return layers


def forward_exported(layers, x):
    """The exported network in JAX float32 (as the Swift engine runs it): pixels 0..255 -> people per cell."""
    x = jnp.asarray(x, jnp.float32)[:, None]
    for kind, w, b in layers:
        if kind == wf.MAXPOOL2:
            x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
            continue
        x = jax.lax.conv_general_dilated(x, jnp.asarray(w), (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW"),
                                         precision=jax.lax.Precision.HIGHEST)
        x = x + jnp.asarray(b)[None, :, None, None]
        if kind in (wf.CONV3_RELU, wf.CONV1_RELU):
            x = jax.nn.relu(x)
    return x[:, 0]


def count_errors(predicted, truth):
    e = np.asarray(predicted, np.float64) - np.asarray(truth, np.float64)
    return {"mae": float(np.abs(e).mean()), "rmse": float(np.sqrt((e ** 2).mean())), "bias": float(e.mean())}


def evaluate(apply, images, points, batch=8):
    """Counts of whole images (all the same size here), batched."""
    counts = []
    for start in range(0, len(images), batch):
        x = jnp.asarray(np.stack(images[start: start + batch]).astype(np.float32))
        counts.extend(np.asarray(apply(x)).sum(axis=(1, 2), dtype=np.float64).tolist())
    return count_errors(counts, [len(p) for p in points]), counts


def configure(arch, crop, scale_range):
    """Sets the network and the windows for this run (module-level, read by sample, forward and export)."""
    global ARCH, CELL, CROP, SCALE_RANGE
    ARCH, CROP, SCALE_RANGE = ARCHS[arch], crop, scale_range
    CELL = cell_size(ARCH)


def main():
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(root / "../shared/data/shanghaitech-b"))
    # Defaults: density-v6's recipe, density-v5's with each step's gradient clipped to a global norm of 300
    # (session 12; density-v5's is --clip 0). density-v5's is density-v4's with the teacher's maps as the
    # per-cell target (session 11);
    # density-v4's is --teacher none --clip 0, density-v2's (session 5) with 7000 steps, not 3000 (v3: 4500; MODEL.md).
    # density-v1's was --arch v1 --crop 128 --batch 32 --lr 2e-3 --warmup 200 --ema 0 --scale-range 0.6 1.5
    # --count-weight 10 --steps 2000 --eval-every 250 --teacher none --clip 0.
    parser.add_argument("--arch", choices=sorted(ARCHS), default="wide8")
    parser.add_argument("--crop", type=int, default=CROP)
    parser.add_argument("--scale-range", type=float, nargs=2, default=list(SCALE_RANGE))
    parser.add_argument("--count-weight", type=float, default=COUNT_WEIGHT)
    parser.add_argument("--steps", type=int, default=7000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=100, help="learning-rate warm-up steps (at most a tenth of --steps)")
    parser.add_argument("--ema", type=float, default=0.995,
                        help="decay of the weights' moving average that is evaluated and exported (0: the weights themselves)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--teacher", default=str(root / TEACHER),
                        help="a weights file whose map, run on each training window, is the per-cell target "
                        "(knowledge distillation; the count term keeps the heads' count); none: the heads' map alone")
    parser.add_argument("--teacher-mix", type=float, default=1.0,
                        help="share of the teacher's map in the per-cell target (the rest: the heads' Gaussian map)")
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--clip", type=float, default=300,
                        help="clip each step's gradient to this global norm before Adam (0: no clipping, density-v5's "
                        "recipe; MODEL.md, \"Gradient clipping\")")
    parser.add_argument("--out", default=str(root / SHIPPED_WEIGHTS))
    parser.add_argument("--report", default=str(root / ".cache/density/metrics.json"))
    args = parser.parse_args()
    configure(args.arch, args.crop, tuple(args.scale_range))
    started = time.time()
    data = Path(args.data).resolve()
    if not (data / "heads.csv").exists():
        sys.exit(f"train-density: {data}/heads.csv: not found; pass --data DIR of ShanghaiTech B (see its SOURCE.md)")
    cache = root / ".cache/density"
    names, images, points = load_split(data, "train", cache)
    test_names, test_images, test_points = load_split(data, "test", cache)
    held = [i for i in range(len(names)) if i % 10 == 9]
    fit = [i for i in range(len(names)) if i % 10 != 9]
    print(f"train-density: {len(fit)} training images, {len(held)} held out for model selection, "
          f"{len(test_names)} test images (measured only)", flush=True)

    rng = np.random.default_rng(args.seed)
    params = init_params(jax.random.PRNGKey(args.seed))
    n_params = sum(int(np.prod(p["w"].shape)) + int(p["b"].shape[0]) for p in params)
    macs, field = cost(ARCH)
    print(f"train-density: network {args.arch}: {n_params} parameters, {macs:g} MACs per input pixel, "
          f"receptive field {field} pixels", flush=True)
    teacher = None
    if args.teacher != "none":
        if not Path(args.teacher).exists():
            sys.exit(f"train-density: {args.teacher}: not found; pass --teacher none to train from the heads alone "
                     f"(density-v4's recipe), or make the teacher as MODEL.md says")
        teacher_layers, _ = wf.decode(Path(args.teacher).read_bytes())
        if cell_size(teacher_layers) != CELL:
            sys.exit(f"train-density: {args.teacher}: its map's cells are not {CELL} pixels like {args.arch}'s")
        teacher = jax.jit(lambda v: forward_exported(teacher_layers, v))
        print(f"train-density: per-cell target {args.teacher_mix:g} x the map of {args.teacher} "
              f"+ {1 - args.teacher_mix:g} x the heads' map", flush=True)
    schedule = optax.warmup_cosine_decay_schedule(0.0, args.lr, min(args.warmup, args.steps // 10), args.steps, args.lr * 0.01)
    optimiser = optax.adam(schedule)
    if args.clip > 0:
        optimiser = optax.chain(optax.clip_by_global_norm(args.clip), optimiser)
    state = optimiser.init(params)
    # What is evaluated and exported is an exponential moving average of the weights (decay --ema, with
    # the usual warm-up so the first steps' weights do not linger): one noisy step no longer moves the
    # whole-image count of the checkpoint.
    average = jax.tree_util.tree_map(lambda a: a, params)

    def loss_fn(p, x, y, target):
        pred = forward(p, x)
        cells = jnp.mean((pred - target * DENSITY_SCALE) ** 2)
        # Per-cell error alone leaves a small even offset almost free, yet summed over the thousands of
        # cells of a whole image it is tens of people: also penalise each crop's count error (people).
        counts = jnp.mean(((pred.sum(axis=(1, 2)) - y.sum(axis=(1, 2)) * DENSITY_SCALE) / DENSITY_SCALE) ** 2)
        return cells + args.count_weight * counts

    @jax.jit
    def step(p, s, a, x, y, target, decay):
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y, target)
        updates, s = optimiser.update(grads, s, p)
        p = optax.apply_updates(p, updates)
        a = jax.tree_util.tree_map(lambda m, v: decay * m + (1.0 - decay) * v, a, p)
        return p, s, a, loss, optax.global_norm(grads)

    apply_scaled = jax.jit(lambda p, x: forward(p, x) / DENSITY_SCALE)
    best = None
    history = []
    running = []
    norms = []  # the gradient's global norm at each step since the last evaluation (before any clipping)
    for it in range(1, args.steps + 1):
        batch = [sample(rng, images[i], points[i]) for i in rng.choice(fit, args.batch)]
        x = jnp.asarray(np.stack([b[0] for b in batch]))
        y = jnp.asarray(np.stack([b[1] for b in batch]))
        target = y if teacher is None else args.teacher_mix * teacher(x) + (1.0 - args.teacher_mix) * y
        decay = jnp.float32(min(args.ema, (1.0 + it) / (10.0 + it)))
        params, state, average, loss, norm = step(params, state, average, x, y, target, decay)
        running.append(float(loss))
        norms.append(float(norm))
        if it % args.eval_every == 0 or it == args.steps:
            val, _ = evaluate(lambda v: apply_scaled(average, v), [images[i] for i in held], [points[i] for i in held])
            history.append({"step": it, "loss": float(np.mean(running)), "val_mae": val["mae"], "val_rmse": val["rmse"],
                            "val_bias": val["bias"], "seconds": round(time.time() - started),
                            "grad_norm_mean": float(np.mean(norms)), "grad_norm_max": float(np.max(norms)),
                            "clipped": int(np.sum(np.array(norms) > args.clip)) if args.clip > 0 else 0})
            running = []
            norms = []
            mark = ""
            if best is None or val["mae"] < best[0]["mae"]:
                best = (val, it, jax.tree_util.tree_map(np.asarray, average))
                mark = " *"
                # The best checkpoint so far, kept where a stopped run (a shared machine can starve it
                # past its deadline) still leaves it; the same held-out rule chose it.
                cache.mkdir(parents=True, exist_ok=True)
                (cache / "best-so-far.bin").write_bytes(wf.encode(export_layers(best[2]), PERSON_HEIGHT))
            print(f"step {it}: loss {history[-1]['loss']:.4f} held-out MAE {val['mae']:.2f} bias {val['bias']:+.2f} "
                  f"gradient norm mean {history[-1]['grad_norm_mean']:.0f} max {history[-1]['grad_norm_max']:.0f} "
                  f"clipped {history[-1]['clipped']} ({history[-1]['seconds']} s){mark}", flush=True)

    val, best_step, best_params = best
    layers = export_layers(best_params)
    data_bytes = wf.encode(layers, PERSON_HEIGHT)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_bytes(data_bytes)
    exported = jax.jit(lambda v: forward_exported(layers, v))
    test, test_counts = evaluate(exported, test_images, test_points)
    import hashlib
    report = {
        "seed": args.seed, "steps": args.steps, "batch": args.batch, "lr": args.lr, "ema": args.ema, "arch": args.arch, "crop": CROP,
        "scale_range": list(SCALE_RANGE), "count_weight": args.count_weight, "warmup": args.warmup, "clip": args.clip,
        "teacher": None if teacher is None else {"file": args.teacher, "mix": args.teacher_mix,
                                                 "sha256": hashlib.sha256(Path(args.teacher).read_bytes()).hexdigest()},
        "parameters": n_params,
        "chosen_step": best_step, "held_out": val, "test": test, "seconds": round(time.time() - started),
        "sha256": hashlib.sha256(data_bytes).hexdigest(), "bytes": len(data_bytes),
        "versions": {"jax": jax.__version__, "optax": optax.__version__, "numpy": np.__version__},
        "history": history,
    }
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(report, indent=1))
    print(f"train-density: chose step {best_step} (held-out MAE {val['mae']:.2f}); test MAE {test['mae']:.2f} "
          f"RMSE {test['rmse']:.2f} bias {test['bias']:+.2f}; {n_params} parameters; {report['seconds']} s")
    print(f"train-density: wrote {args.out} ({len(data_bytes)} bytes, sha256 {report['sha256']}) and {args.report}")


if __name__ == "__main__":
    main()
