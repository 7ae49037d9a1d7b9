#!/usr/bin/env python3
# Checks that each SVG file named parses as XML with an <svg> root and holds
# no script (iobench plot writes standalone SVGs without gnuplot's mouse code).
import sys
import xml.etree.ElementTree as ET

bad = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"{path}: not XML: {e}")
        bad += 1
        continue
    if not root.tag.endswith("svg"):
        print(f"{path}: root element is {root.tag}, not svg")
        bad += 1
    if any(el.tag.endswith("script") for el in root.iter()):
        print(f"{path}: holds a <script>")
        bad += 1
sys.exit(1 if bad else 0)
