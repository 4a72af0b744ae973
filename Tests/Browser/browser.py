"""Headless Chromium through chromedriver (Debian's chromium, chromium-driver, python3-selenium), offline,
and a PNG reader for its screenshots (zlib only: no imaging library needed)."""
import json
import struct
import sys
import tempfile
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def chromium(width=1400, height=1000):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
        "--force-device-scale-factor=1", "--hide-scrollbars", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
        "--disable-extensions", "--no-pings", "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        f"--user-data-dir={tempfile.mkdtemp(prefix='lantern-chromium-')}",
    ]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def console(driver):
    """The page's console messages (errors, warnings, logs), as text."""
    return [f"{m.get('level')}: {m.get('message')}" for m in driver.get_log("browser")]


def read_png(data):
    """(width, height, rows of (r, g, b) tuples) from an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, f"unsupported PNG: depth {depth} colour {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def region_stats(rows, left, top, width, height, colours, tolerance=10):
    """Distinct grey levels, distinct colours, and pixels near each of `colours` (hex) in a rectangle."""
    greys, distinct = set(), set()
    targets = {c: tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in colours}
    near = {c: 0 for c in colours}
    for y in range(max(0, top), min(len(rows), top + height)):
        row = rows[y]
        for x in range(max(0, left), min(len(row), left + width)):
            p = row[x]
            distinct.add(p)
            if p[0] == p[1] == p[2]:
                greys.add(p[0])
            for c, t in targets.items():
                if abs(p[0] - t[0]) <= tolerance and abs(p[1] - t[1]) <= tolerance and abs(p[2] - t[2]) <= tolerance:
                    near[c] += 1
    return {"greys": len(greys), "colours": len(distinct), "near": near}


def rect(driver, selector):
    r = driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return [Math.round(r.left + window.scrollX), Math.round(r.top + window.scrollY), Math.round(r.width), Math.round(r.height)];",
        selector)
    return r


def finish(result, ok):
    print(json.dumps(result))
    sys.exit(0 if ok else 1)
