#!/usr/bin/env python3
"""Writes corpus.txt, random strings with their NFC and NFD forms from Python's unicodedata, for
UnicodeNormalizationTests. One line per string: input, NFC, NFD, each as space-separated hex
code points, separated by ";". The first line is "# unicode VERSION".
The strings mix what normalization has to get right: starters that compose (Latin, Greek,
Cyrillic, Hangul syllables and jamo, Indic and Tibetan, musical symbols), combining marks of
different classes out of order, singletons, composition exclusions and non-starter decompositions.
Run: python3 make-corpus.py > corpus.txt"""
import random
import unicodedata

rng = random.Random(6855)
marks = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and unicodedata.combining(chr(cp))]
changed = [cp for cp in range(0x110000)
           if not 0xD800 <= cp <= 0xDFFF and unicodedata.normalize("NFD", chr(cp)) != chr(cp)]
pools = [
    list(range(0x41, 0x5B)) + list(range(0x61, 0x7B)),   # ASCII letters
    list(range(0xC0, 0x250)),                            # Latin-1 and Latin Extended
    list(range(0x300, 0x370)),                           # combining diacritics
    list(range(0x370, 0x400)) + list(range(0x400, 0x480)),  # Greek, Cyrillic
    [0x1F00, 0x1F71, 0x1FEE, 0x0344, 0x0F73, 0x0F75, 0x0F81, 0x2126, 0x212B, 0x0958, 0x2ADC],
    list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) + list(range(0x11A8, 0x11C3)),  # jamo
    list(range(0xAC00, 0xAC60)) + [0xD7A3],              # Hangul syllables
    [0x0915, 0x093C, 0x094D, 0x09C7, 0x09BE, 0x09D7, 0x0B47, 0x0B3E, 0x0B56, 0x0B57, 0x0CC6, 0x0CC2, 0x0CD5, 0x0CD6],
    [0x1D157, 0x1D165, 0x1D16E, 0x1D15E, 0x1D160, 0x110B9, 0x110BA, 0x11099, 0x1109A],
    marks,
    changed,
]

print("# unicode " + unicodedata.unidata_version)
for _ in range(600):
    points = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 8))]
    text = "".join(map(chr, points))
    fields = [text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)]
    print(";".join(" ".join("%04X" % ord(c) for c in field) for field in fields))
