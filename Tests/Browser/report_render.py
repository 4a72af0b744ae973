"""Renders a `lantern-sim report` page in headless Chromium to a PNG and checks it: the console is empty,
and the count plot's area is not blank (the count and truth curves are drawn in it).
Usage: report_render.py REPORT.html OUT.png. Prints one JSON object; exit 0 only when it passes."""
import os
import sys
import time

import browser

page, out = os.path.abspath(sys.argv[1]), sys.argv[2]
driver = browser.chromium(1250, 900)
result = {}
ok = False
try:
    driver.get("file://" + page)
    for _ in range(100):
        if driver.execute_script("return document.readyState") == "complete":
            break
        time.sleep(0.1)
    full = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    driver.set_window_size(1250, min(full + 40, 12000))
    time.sleep(0.3)
    chart = browser.rect(driver, "svg.count-chart")
    driver.save_screenshot(out)
    with open(out, "rb") as f:
        width, height, rows = browser.read_png(f.read())
    stats = browser.region_stats(rows, chart[0], chart[1], chart[2], chart[3], ["#2e86de", "#2f3542"])
    frames = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg.frame image')).filter(i => i.getBBox().width > 0).length")
    result = {"page_height": full, "chart": chart, "chart_stats": stats, "frame_images": frames, "console": browser.console(driver)}
    ok = not result["console"] and stats["near"]["#2e86de"] >= 100 and stats["near"]["#2f3542"] >= 100 and stats["colours"] >= 8
finally:
    driver.quit()
browser.finish(result, ok)
