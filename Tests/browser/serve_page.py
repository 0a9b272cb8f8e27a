#!/usr/bin/env python3
"""The `triplet serve` page in headless Chromium (Selenium): search with a Fashion-MNIST test image, check the
neighbour grid, enroll two identities in the gallery tab and identify a third image; screenshots for the README.

Run by `make browser-test` against a server started on the demo model's index of the training images.
"""
import argparse
import gzip
import json
import struct
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FASHION = Path("/usr/share/datasets/fashion-mnist")
NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def test_images():
    """Fashion-MNIST's test images (28×28 bytes each) and labels."""
    with gzip.open(FASHION / "t10k-images-idx3-ubyte.gz") as f:
        data = f.read()
    count = struct.unpack(">I", data[4:8])[0]
    images = [data[16 + i * 784 : 16 + (i + 1) * 784] for i in range(count)]
    with gzip.open(FASHION / "t10k-labels-idx1-ubyte.gz") as f:
        labels = list(f.read()[8:])
    return images, labels


def png(pixels, width=28, height=28):
    """A grey 8-bit PNG file of `pixels` (row after row)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + pixels[y * width : (y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def wait_for_server(url, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "health", timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server at {url} did not answer /health within {seconds} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--wait", type=float, default=300, help="seconds to wait for the server to start")
    args = parser.parse_args()
    health = wait_for_server(args.url, args.wait)
    print(f"server up: {health['index_references']} references, model {health['model'][:12]}")

    images, labels = test_images()
    folder = Path(tempfile.mkdtemp(prefix="serve-browser-"))

    def save(i):
        path = folder / f"test-{i}-{labels[i]}.png"
        path.write_bytes(png(images[i]))
        return str(path)

    query = 0  # an ankle boot
    by_class = {c: [i for i in range(1, 2000) if labels[i] == c] for c in (5, 8)}

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    failures = []
    try:
        wait = WebDriverWait(driver, 30)
        driver.get(args.url)
        wait.until(lambda d: "references" in d.find_element(By.ID, "status").text)
        k = driver.find_element(By.ID, "k")
        k.clear()
        k.send_keys("12")
        driver.find_element(By.ID, "search-file").send_keys(save(query))
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid .neighbor")) == 12)
        cells = driver.find_elements(By.CSS_SELECTOR, "#grid .neighbor")
        wait.until(lambda d: all(
            d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) == 28
            for img in d.find_elements(By.CSS_SELECTOR, "#grid .neighbor img")))
        names = [c.find_element(By.CLASS_NAME, "name").text for c in cells]
        distances = [float(c.find_element(By.CLASS_NAME, "dist").text.split("=")[1]) for c in cells]
        expected = NAMES[labels[query]]
        same = sum(n == expected for n in names)
        print(f"query: test image {query} ({expected}); neighbours: {names}")
        print(f"{same} of 12 neighbours are {expected}; distances {distances[0]:.4f} … {distances[-1]:.4f}")
        if names[0] != expected:
            failures.append(f"the nearest neighbour is {names[0]}, not {expected}")
        if distances != sorted(distances):
            failures.append("the distances are not in increasing order")
        if not driver.find_element(By.ID, "query-preview").get_attribute("src").startswith("blob:"):
            failures.append("the query image is not shown")
        driver.save_screenshot(args.screenshot)

        # The gallery tab: enroll two identities with the token, identify a third bag.
        driver.find_element(By.ID, "tab-gallery").click()
        token = Path(args.token_file).read_text().strip()
        driver.find_element(By.ID, "token").send_keys(token)
        for name, c in (("bag", 8), ("sandal", 5)):
            driver.find_element(By.ID, "enroll-name").clear()
            driver.find_element(By.ID, "enroll-name").send_keys(name)
            files = driver.find_element(By.ID, "enroll-files")
            files.clear()
            files.send_keys("\n".join(save(i) for i in by_class[c][:3]))
            driver.find_element(By.ID, "enroll").click()
            wait.until(lambda d: f"enrolled {name}" in d.find_element(By.ID, "enroll-result").text
                       or d.find_element(By.ID, "enroll-error").text)
            if error := driver.find_element(By.ID, "enroll-error").text:
                failures.append(f"enroll {name}: {error}")
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#identities tr")) == 3)
        probe = by_class[8][5]
        driver.find_element(By.ID, "identify-file").send_keys(save(probe))
        wait.until(lambda d: d.find_element(By.ID, "verdict").text or d.find_element(By.ID, "identify-error").text)
        verdict = driver.find_element(By.ID, "verdict").text
        print(f"identify test image {probe} (Bag): {verdict}")
        if verdict != "bag":
            failures.append(f"the bag probe was identified as {verdict!r}")
        gallery_shot = args.screenshot.replace(".png", "-gallery.png")
        driver.save_screenshot(gallery_shot)
        print(f"screenshots: {args.screenshot}, {gallery_shot}")
    finally:
        driver.quit()
    if failures:
        sys.exit("browser test failed: " + "; ".join(failures))
    print("browser test passed")


if __name__ == "__main__":
    main()
