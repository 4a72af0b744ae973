"""The density model's weights file, version 1 (read by Sources/LanternDensity/DensityWeights.swift).

All fields little-endian:
  magic        4 bytes  b"LDEN"
  version      u32      1
  total size   u32      bytes in the whole file, checksum included
  person px    f32      person height (pixels) the model works at; calibration resamples to it
  layer count  u32
  layers       count x (kind u32, in u32, out u32)
               kind 1: 3x3 conv + ReLU, 2: 3x3 conv, 3: 1x1 conv + ReLU, 4: 1x1 conv, 5: 2x2 max pool
  parameters   f32 per conv layer in order: weights [out][in][ky][kx], then bias [out]
  crc32        u32      zlib CRC-32 of every byte before it
Input pixels are fed as 0...255 (any normalisation is folded into the first layer); the output map's
sum is the count.
"""
import struct
import zlib

import numpy as np

MAGIC = b"LDEN"
VERSION = 1
CONV3_RELU, CONV3, CONV1_RELU, CONV1, MAXPOOL2 = 1, 2, 3, 4, 5


def encode(layers, person_height):
    """layers: list of (kind, weights or None, bias or None); weights OIHW float32."""
    head = []
    params = []
    for kind, w, b in layers:
        if kind == MAXPOOL2:
            head.append((kind, 0, 0))
            continue
        w = np.asarray(w, dtype="<f4")
        b = np.asarray(b, dtype="<f4")
        out_ch, in_ch, kh, kw = w.shape
        assert (kh, kw) == ((3, 3) if kind in (CONV3_RELU, CONV3) else (1, 1))
        assert b.shape == (out_ch,)
        head.append((kind, in_ch, out_ch))
        params.append(w.tobytes() + b.tobytes())
    body = b"".join(struct.pack("<III", *h) for h in head) + b"".join(params)
    total = 4 + 4 + 4 + 4 + 4 + len(body) + 4
    data = MAGIC + struct.pack("<IIfI", VERSION, total, person_height, len(head)) + body
    assert len(data) + 4 == total
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def decode(data):
    """The inverse of encode: (layers, person_height)."""
    assert data[:4] == MAGIC, "not a density weights file"
    version, total, person_height, count = struct.unpack_from("<IIfI", data, 4)
    assert version == VERSION and total == len(data)
    assert struct.unpack_from("<I", data, total - 4)[0] == zlib.crc32(data[:-4]) & 0xFFFFFFFF
    offset = 20
    head = [struct.unpack_from("<III", data, offset + 12 * i) for i in range(count)]
    offset += 12 * count
    layers = []
    for kind, in_ch, out_ch in head:
        if kind == MAXPOOL2:
            layers.append((kind, None, None))
            continue
        k = 3 if kind in (CONV3_RELU, CONV3) else 1
        n = out_ch * in_ch * k * k
        w = np.frombuffer(data, "<f4", n, offset).reshape(out_ch, in_ch, k, k)
        offset += 4 * n
        b = np.frombuffer(data, "<f4", out_ch, offset)
        offset += 4 * out_ch
        layers.append((kind, w, b))
    assert offset == total - 4
    return layers, person_height


def forward_numpy(layers, pixels):
    """Reference forward pass in float64 numpy (for checks only): pixels HxW 0...255 -> density map."""
    x = np.asarray(pixels, dtype=np.float64)[None]
    for kind, w, b in layers:
        if kind == MAXPOOL2:
            c, h, wd = x.shape
            x = x[:, : h // 2 * 2, : wd // 2 * 2].reshape(c, h // 2, 2, wd // 2, 2).max(axis=(2, 4))
            continue
        c, h, wd = x.shape
        k = w.shape[2]
        p = k // 2
        xp = np.pad(x, ((0, 0), (p, p), (p, p)))
        out = np.zeros((w.shape[0], h, wd))
        for ky in range(k):
            for kx in range(k):
                out += np.einsum("oi,ihw->ohw", w[:, :, ky, kx], xp[:, ky : ky + h, kx : kx + wd])
        out += b[:, None, None]
        if kind in (CONV3_RELU, CONV1_RELU):
            out = np.maximum(out, 0)
        x = out
    return x[0]
