"""Composes a denser scene, with people who stand still, from one annotated fixed-camera clip.

Every frame of the output is the clip's own frame with more of the clip's people pasted over it:
- `--copies N` time-shifted copies of everyone annotated in the clip (copy k runs k/(N+1) of the clip later,
  played back and forth so nobody jumps; odd copies mirrored left-right), and
- `--still N` people who stand still for the whole clip: a person from a random frame, pasted at the same
  place in every frame, so they are in the scene before the background is learnt and never move.

A person is pasted as the pixels of their box (grown by 15% of its width and 8% of its height) that differ
from the clip's median image by more than 14 grey levels (their silhouette and shadow, not the ground
around them), nearest last. Seeded sensor noise (`--noise`, standard deviation in grey levels) goes over
the whole frame. The truth is exact by construction: a frame's count is the clip's count at every frame
it took people from, plus the still people.

Writes OUT/frames.y4m, OUT/counts.csv (frame,count,count_in_area), OUT/boxes.csv (frame,id,x,y,w,h: every
pasted person, ids of copy k offset by 1000 k, still people from 900000) and OUT/SOURCE.md. It only reads
the clip folder (frames.y4m, counts.csv, boxes.csv); nothing is written there.
"""
import argparse
import csv
import os
import sys

import numpy as np


def read_y4m(path):
    raw = open(path, 'rb').read()
    header, rest = raw.split(b'\n', 1)
    fields = header.split()
    if not fields or fields[0] != b'YUV4MPEG2':
        sys.exit(f'compose-crowd: {path}: not a YUV4MPEG2 clip')
    width = int(next(f for f in fields if f.startswith(b'W'))[1:])
    height = int(next(f for f in fields if f.startswith(b'H'))[1:])
    colour = next((f for f in fields if f.startswith(b'C')), b'C420jpeg')
    chroma = 0 if colour.startswith(b'Cmono') else width * height // 2
    frames, pos = [], 0
    while pos < len(rest):
        end = rest.index(b'\n', pos) + 1
        if end + width * height + chroma > len(rest):
            break  # a truncated last frame
        frames.append(np.frombuffer(rest, np.uint8, width * height, end).reshape(height, width))
        pos = end + width * height + chroma
    if not frames:
        sys.exit(f'compose-crowd: {path}: no whole frame')
    return b' '.join([f for f in fields if not f.startswith(b'C')] + [b'Cmono']), np.stack(frames).astype(np.int16)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('clip', help='folder with frames.y4m, counts.csv and boxes.csv')
    ap.add_argument('out', help='folder to write (made if missing)')
    ap.add_argument('--copies', type=int, default=3, help='time-shifted copies of the clip\'s people (default 3)')
    ap.add_argument('--still', type=int, default=6, help='people who stand still all along (default 6)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--noise', type=float, default=2.0, help='sensor noise, grey levels (default 2)')
    a = ap.parse_args()
    if os.path.realpath(a.out) == os.path.realpath(a.clip):
        sys.exit('compose-crowd: the output folder is the clip\'s; give another')
    rng = np.random.default_rng(a.seed)
    header, stack = read_y4m(os.path.join(a.clip, 'frames.y4m'))
    n, height, width = stack.shape
    ground = np.median(stack, axis=0).astype(np.int16)
    boxes = {}
    for r in csv.DictReader(open(os.path.join(a.clip, 'boxes.csv'))):
        boxes.setdefault(int(r['frame']), []).append((int(r['id']), float(r['x']), float(r['y']), float(r['w']), float(r['h'])))
    counts = {int(r['frame']): int(r['count']) for r in csv.DictReader(open(os.path.join(a.clip, 'counts.csv')))}
    missing = [f for f in range(n) if f not in counts]
    if missing:
        sys.exit(f'compose-crowd: counts.csv has no row for frame {missing[0]}; every frame needs its count')

    def source(copy, frame):
        p = frame + (copy * n) // (a.copies + 1)
        p %= 2 * n
        return p if p < n else 2 * n - 1 - p

    def cut(frame, box, mirrored):
        """A person's pixels: (foot row, y0, y1, x0, x1, mask, pixels, box as pasted)."""
        _, x, y, w, h = box
        x0, x1 = int(max(0, x - 0.15 * w)), int(min(width, x + 1.15 * w + 1))
        y0, y1 = int(max(0, y - 0.08 * h)), int(min(height, y + 1.05 * h + 1))
        if x1 <= x0 or y1 <= y0:
            return None
        pixels = stack[frame, y0:y1, x0:x1]
        mask = np.abs(pixels - ground[y0:y1, x0:x1]) > 14
        if mirrored:
            x0, x1 = width - x1, width - x0
            mask, pixels, x = mask[:, ::-1], pixels[:, ::-1], width - x - w
        return (y + h, y0, y1, x0, x1, mask, pixels, (x, y, w, h))

    still = []
    for _ in range(1000 * max(a.still, 1)):
        if len(still) >= a.still:
            break
        frame = int(rng.integers(0, n))
        inside = [b for b in boxes.get(frame, []) if b[1] >= 0 and b[2] >= 0 and b[1] + b[3] <= width and b[2] + b[4] <= height]
        if inside:
            person = cut(frame, inside[int(rng.integers(0, len(inside)))], bool(rng.integers(0, 2)))
            if person:
                still.append(person)
    if len(still) < a.still:
        sys.exit(f'compose-crowd: found only {len(still)} people wholly in view to stand still; ask for fewer')

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'frames.y4m'), 'wb') as clip, open(os.path.join(a.out, 'counts.csv'), 'w') as truth, \
            open(os.path.join(a.out, 'boxes.csv'), 'w') as boxes_out:
        clip.write(header + b'\n')
        truth.write('frame,count,count_in_area\n')
        boxes_out.write('frame,id,x,y,w,h\n')
        for frame in range(n):
            image = stack[frame].copy()
            people = list(still)
            count = counts[frame] + len(still)
            pasted = [(b[0], b[1:]) for b in boxes.get(frame, [])]
            pasted += [(900000 + i, p[7]) for i, p in enumerate(still)]
            for copy in range(1, a.copies + 1):
                other = source(copy, frame)
                count += counts[other]
                for box in boxes.get(other, []):
                    person = cut(other, box, copy % 2 == 1)
                    if person:
                        people.append(person)
                        pasted.append((1000 * copy + box[0], person[7]))
            for _, y0, y1, x0, x1, mask, pixels, _ in sorted(people, key=lambda p: p[0]):
                region = image[y0:y1, x0:x1]
                region[mask] = pixels[mask]
            if a.noise > 0:
                image = image + np.round(rng.normal(0, a.noise, image.shape)).astype(np.int16)
            clip.write(b'FRAME\n')
            clip.write(np.clip(image, 0, 255).astype(np.uint8).tobytes())
            truth.write(f'{frame},{count},{count}\n')
            for pid, (x, y, w, h) in pasted:
                boxes_out.write(f'{frame},{pid},{x:.2f},{y:.2f},{w:.2f},{h:.2f}\n')
    with open(os.path.join(a.out, 'SOURCE.md'), 'w') as source_md:
        source_md.write(
            f'# Composed by Toolchain/compose-crowd from {os.path.abspath(a.clip)}\n\n'
            f'`compose-crowd {a.clip} {a.out} --copies {a.copies} --still {a.still} --seed {a.seed} --noise {a.noise}`: '
            f'{n} frames, {a.copies} time-shifted copies of the clip\'s people, {a.still} people standing still. '
            'The footage and its annotations are the source clip\'s; keep its SOURCE.md terms and attribution '
            'with anything made from this.\n')
    print(f'compose-crowd: {n} frames, {sum(counts[f] for f in range(n)) / n:.1f} people a frame in the clip, '
          f'{(sum(counts[f] + sum(counts[source(c, f)] for c in range(1, a.copies + 1)) for f in range(n)) / n) + a.still:.1f} composed '
          f'({a.still} of them still) -> {a.out}')


if __name__ == '__main__':
    main()
