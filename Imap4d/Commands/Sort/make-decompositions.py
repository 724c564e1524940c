#!/usr/bin/env python3
"""Writes decompositions.bin, the NFKD table UnicodeCasemap reads (invariant globalization
leaves .NET without ICU, so string.Normalize cannot decompose). Records: code point (3 bytes,
big-endian), count n (1 byte), then n code points (3 bytes each): every character whose NFKD
form differs from itself, Hangul syllables excepted (they decompose by formula).
Run: python3 make-decompositions.py > decompositions.bin"""
import sys
import unicodedata

out = bytearray()
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF or 0xAC00 <= cp <= 0xD7A3:
        continue
    d = unicodedata.normalize("NFKD", chr(cp))
    if d != chr(cp):
        out += cp.to_bytes(3, "big") + bytes([len(d)])
        for ch in d:
            out += ord(ch).to_bytes(3, "big")
sys.stdout.buffer.write(bytes(out))
