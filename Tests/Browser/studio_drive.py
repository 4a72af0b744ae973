"""Drives `lantern-sim studio` in headless Chromium as a developer would: draws a zone and a line, sets the
calibration with two clicks (one on each of two walkers: the studio finds their feet and heads), names them, saves; then takes a screenshot and
checks it shows the frame and the shapes. Usage: studio_drive.py URL SCREENSHOT.png
Prints one JSON object; exit 0 only when every step worked."""
import sys
import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By

import browser

url, screenshot = sys.argv[1], sys.argv[2]
driver = browser.chromium()
result = {"steps": []}
ok = False
try:
    driver.get(url)
    for _ in range(100):
        if driver.execute_script("return document.body.dataset.ready === '1' && document.getElementById('frame').getBoundingClientRect().width > 0"):
            break
        time.sleep(0.1)
    info = driver.execute_script("return info")
    view = browser.rect(driver, "#view")
    result["view"] = view

    def click_frame(x, y):
        """Clicks frame pixel (x, y) through real pointer input at its place in the viewport."""
        vx = view[0] + x * view[2] / info["width"] - driver.execute_script("return window.scrollX")
        vy = view[1] + y * view[3] / info["height"] - driver.execute_script("return window.scrollY")
        actions = ActionBuilder(driver)
        actions.pointer_action.move_to_location(int(vx), int(vy)).click()
        actions.perform()

    def rename(selector, name):
        field = driver.find_element(By.CSS_SELECTOR, selector)
        field.clear()
        field.send_keys(name + "\n")
        driver.execute_script("arguments[0].dispatchEvent(new Event('change'))", field)

    driver.find_element(By.ID, "tool-zone").click()
    for x, y in [(40, 120), (340, 120), (360, 280), (20, 280)]:
        click_frame(x, y)
    driver.find_element(By.ID, "finish-zone").click()
    rename("input.zones-name[data-index='0']", "plaza")
    result["steps"].append("zone")

    driver.find_element(By.ID, "tool-line").click()
    click_frame(200, 60)
    click_frame(200, 270)
    rename("input.lines-name[data-index='0']", "gate")
    result["steps"].append("line")

    rename("#site-name", "studio test")
    # Frame 135 of the sample: two walkers apart from others, one far (box middle 353,76) and one near (368,150).
    driver.execute_script("const s = document.getElementById('frame-slider'); s.value = 135; s.dispatchEvent(new Event('input'))")
    driver.find_element(By.ID, "tool-people").click()
    for x, y, expected in [(353, 76, "Person 1"), (368, 150, "Calibration set")]:
        click_frame(x, y)
        for _ in range(600):
            status = driver.find_element(By.ID, "status").text
            if status.startswith(expected) or status.startswith("no person found"):
                break
            time.sleep(0.1)
        result.setdefault("calibration_status", []).append(status)
    result["steps"].append("calibration")

    rename("#site-name", "studio test")
    # An error shows beside the shape that caused it: a zone without a name.
    rename("input.zones-name[data-index='0']", "")
    for _ in range(100):
        zone_error = driver.execute_script(
            "return document.querySelector('#zone-list .error').textContent + '|' + "
            "Array.from(document.querySelectorAll('text.shape-error')).map(t => t.textContent).join(';')")
        if zone_error != "|":
            break
        time.sleep(0.1)
    result["zone_error"] = zone_error
    rename("input.zones-name[data-index='0']", "plaza")
    result["steps"].append("error beside the zone")

    driver.find_element(By.ID, "tool-select").click()
    driver.find_element(By.ID, "save").click()
    for _ in range(100):
        status = driver.find_element(By.ID, "status").text
        if status.startswith("saved") or "bad" in driver.find_element(By.ID, "status").get_attribute("class"):
            break
        time.sleep(0.1)
    result["status"] = status
    result["steps"].append("save")

    # Replay with the counts, zones and crossings drawn live (the estimates come from the board's run loop).
    driver.find_element(By.ID, "replay").click()
    for _ in range(1200):
        counts = driver.find_element(By.ID, "counts").text
        shown = driver.execute_script("return replayRows && replayTimer === null ? -1 : Number($('frame-label').textContent)")
        if "plaza" in counts and "gate in" in counts and shown >= 100 and driver.execute_script("return document.querySelectorAll('text.live-zone').length") > 0:
            break
        time.sleep(0.1)
    result["live"] = counts
    result["steps"].append("replay")
    time.sleep(0.5)
    driver.save_screenshot(screenshot)
    with open(screenshot, "rb") as f:
        width, height, rows = browser.read_png(f.read())
    stats = browser.region_stats(rows, view[0], view[1], view[2], view[3], ["#2e86de", "#ff3f34", "#00d2d3"])
    result["screenshot"] = stats

    # The self-calibration (what `lantern-sim calibrate` fits from the walkers) replaces the clicked one in the page.
    driver.find_element(By.ID, "self-calibrate").click()
    for _ in range(1200):
        status = driver.find_element(By.ID, "status").text
        if status.startswith("Self-calibrated") or "bad" in driver.find_element(By.ID, "status").get_attribute("class"):
            break
        time.sleep(0.1)
    result["self_calibration"] = status + " | " + driver.find_element(By.ID, "calibration-info").text
    result["console"] = browser.console(driver)
    zone_ok = "zones[0].name" in zone_error and zone_error.count("must not be empty") == 2
    ok = (zone_ok and result["calibration_status"][-1].startswith("Calibration set") and result["status"].startswith("saved") and result["self_calibration"].startswith("Self-calibrated") and "plaza" in counts and stats["greys"] >= 64
          and all(n >= 30 for n in stats["near"].values()) and not result["console"])
finally:
    driver.quit()
browser.finish(result, ok)
