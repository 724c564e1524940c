#!/usr/bin/env python3
"""Writes normalization.bin, the tables UnicodeNormalization reads for NFC and NFD (invariant
globalization leaves .NET without ICU, so string.Normalize returns its input unchanged).
All numbers big-endian; code points take 3 bytes.
  version:       1 byte n, then n ASCII bytes (unicodedata.unidata_version)
  combining:     count, then (code point, canonical combining class 1 byte) for every class > 0
  decomposition: count, then (code point, n 1 byte, n code points): the full canonical
                 decomposition (NFD) of every character that has one, Hangul syllables excepted
                 (they decompose by formula)
  composition:   count, then (first, second, composite) for every primary composite: a canonical
                 decomposition into two code points that NFC recomposes (composition exclusions,
                 singletons and non-starter decompositions left out)
Counts take 3 bytes. Run: python3 make-normalization.py > normalization.bin"""
import sys
import unicodedata


def u24(n):
    return n.to_bytes(3, "big")


def characters():
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF or 0xAC00 <= cp <= 0xD7A3:
            continue
        yield cp, chr(cp)


combining, decomposition, composition = [], [], []
for cp, ch in characters():
    ccc = unicodedata.combining(ch)
    if ccc:
        combining.append(u24(cp) + bytes([ccc]))
    nfd = unicodedata.normalize("NFD", ch)
    if nfd != ch:
        decomposition.append(u24(cp) + bytes([len(nfd)]) + b"".join(u24(ord(c)) for c in nfd))
    mapping = unicodedata.decomposition(ch)
    if mapping and not mapping.startswith("<"):
        parts = [int(p, 16) for p in mapping.split()]
        if len(parts) == 2 and unicodedata.normalize("NFC", ch) == ch:
            composition.append(u24(parts[0]) + u24(parts[1]) + u24(cp))

version = unicodedata.unidata_version.encode("ascii")
out = bytearray([len(version)]) + version
for section in (combining, decomposition, composition):
    out += u24(len(section)) + b"".join(section)
sys.stdout.buffer.write(bytes(out))
