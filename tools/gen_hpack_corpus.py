#!/usr/bin/env python3
"""Writes the seed corpora of the HPACK fuzz targets from hpack-test-case.

    tools/gen_hpack_corpus.py [SHARED_DIR]   (default: ../shared)

fuzz/corpus/hpack_decode/, hpack_diff/: wire blocks of the first cases of
stories from every implementation directory, in the input layout each
target documents at its top. fuzz/corpus/hpack_roundtrip/: raw-data cases
spelled as the target's field choices. Deterministic: rerunning gives the
same files.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
CORPUS = os.path.join(SHARED, "hpack-test-case")
OUT = os.path.join(ROOT, "fuzz", "corpus")

STORIES_PER_DIRECTORY = 2
BLOCKS = 3  # a seed holds up to this many blocks of one story
FRAGMENT_CHOICES = [0, 1, 5]  # indexes into fuzz_fragment_size()
TABLE_SIZE_4096 = 8  # index of 4096 in fuzz_table_size()
TABLE_SIZE_1024 = 7


def stories(directory):
    path = os.path.join(CORPUS, directory)
    for name in sorted(os.listdir(path))[:STORIES_PER_DIRECTORY]:
        with open(os.path.join(path, name), encoding="utf-8") as f:
            yield name[: -len(".json")], json.load(f)["cases"]


def wire_blocks(cases):
    """The first cases' blocks; all but the last must fit a length byte."""
    blocks = []
    for case in cases[:BLOCKS]:
        block = bytes.fromhex(case["wire"])
        if blocks and len(blocks[-1]) > 255:
            break
        blocks.append(block)
    if len(blocks) > 1 and len(blocks[-2]) > 255:
        blocks.pop()
    return blocks


def length_prefixed(blocks):
    out = b""
    for block in blocks[:-1]:
        out += bytes([len(block)]) + block
    return out + blocks[-1]


def decode_seed(blocks, fragment_choice):
    shape = (len(blocks) - 1) | fragment_choice << 2
    header = bytes([shape, 0x10, 0x00, 0xFF, 0x80, 127])
    return header + length_prefixed(blocks)


def diff_seed(blocks):
    """No table size change before any block (control byte 0)."""
    out = bytes([len(blocks) - 1])
    for block in blocks[:-1]:
        out += bytes([0, len(block)]) + block
    return out + bytes([0]) + blocks[-1]


def roundtrip_field(name, value):
    """kind 0 (no flags), a raw name, then a raw or repeated long value."""
    name = name.encode("utf-8")[:31]
    value = value.encode("utf-8")
    out = bytes([0, 208, len(name)]) + name
    if len(value) < 64:
        return out + bytes([100, len(value)]) + value
    value = value[:255]
    return out + bytes([232, 0, len(value), len(value)]) + value


def roundtrip_seed(cases, policy):
    huffman = 1
    out = bytes([TABLE_SIZE_4096, policy, 20, huffman, len(cases) - 1])
    for i, case in enumerate(cases):
        headers = [next(iter(h.items())) for h in case["headers"]][:24]
        # one table size change before the second block, fragments of 1
        control = (1 if i == 1 else 0) | (1 << 2)
        out += bytes([control])
        if i == 1:
            out += bytes([TABLE_SIZE_1024])
        out += bytes([len(headers)])
        out += b"".join(roundtrip_field(n, v) for n, v in headers)
    return out


def write(target, name, data):
    directory = os.path.join(OUT, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    directories = sorted(
        d for d in os.listdir(CORPUS)
        if os.path.isdir(os.path.join(CORPUS, d)) and d != "raw-data")
    for i, directory in enumerate(directories):
        for name, cases in stories(directory):
            blocks = wire_blocks(cases)
            fragment = FRAGMENT_CHOICES[i % len(FRAGMENT_CHOICES)]
            write("hpack_decode", f"{directory}-{name}",
                  decode_seed(blocks, fragment))
            write("hpack_diff", f"{directory}-{name}", diff_seed(blocks))
    raw = os.path.join(CORPUS, "raw-data")
    for i, name in enumerate(sorted(os.listdir(raw))):
        with open(os.path.join(raw, name), encoding="utf-8") as f:
            cases = json.load(f)["cases"][:BLOCKS]
        write("hpack_roundtrip", name[: -len(".json")],
              roundtrip_seed(cases, i % 3))


if __name__ == "__main__":
    main()
