#!/usr/bin/python3
"""Writes lib/huffman_table.c from the HPACK Huffman code in RFC 7541.

Reads the code table of Appendix B out of the RFC text, checks it (each
row's bits, hex and length agree; 257 symbols; the code is complete and
canonical) and emits the tables lib/huffman.c uses:

  - codes and lengths per octet, for the encoder;
  - a peek table indexed by the next PEEK_BITS bits of input, giving the
    (up to PEEK_SYMBOLS) whole symbols those bits start with, for the
    decoder's fast path;
  - the canonical-code tables (first code, limit and first rank per length,
    symbols in rank order) for codes longer than PEEK_BITS.

Usage: gen_huffman.py RFC7541_TXT [OUT_C]     (OUT_C defaults to stdout)
       gen_huffman.py --check RFC7541_TXT OUT_C (exit 1 if OUT_C differs)
"""
import re
import sys

PEEK_BITS = 14  # must match H2E_HUFFMAN_PEEK_BITS in lib/huffman_table.h
PEEK_SYMBOLS = 2  # at most this many symbols per entry (octets 1 and 2)
MAX_BITS = 30
EOS = 256
SYMBOLS = 257

ROW = re.compile(r"^\s*(?:'.'\s+|EOS\s+)?\(\s*(\d+)\)\s+\|([01|]+)\s+"
                 r"([0-9a-f]+)\s+\[\s*(\d+)\]\s*$")


def appendix_b_rows(text):
    """The (symbol, code, length) rows between Appendix B and Appendix C."""
    start = text.index("\nAppendix B.  Huffman Code")
    end = text.index("\nAppendix C.", start)
    rows = []
    for line in text[start:end].splitlines():
        match = ROW.match(line)
        if not match:
            continue
        symbol, bits = int(match[1]), match[2].replace("|", "")
        code, length = int(match[3], 16), int(match[4])
        if len(bits) != length or int(bits, 2) != code:
            sys.exit(f"gen_huffman: row {symbol}: bits, hex and length differ")
        rows.append((symbol, code, length))
    return rows


def parse_code(text):
    """Code and length of each symbol 0..256, checked for completeness."""
    rows = appendix_b_rows(text)
    if [symbol for symbol, _, _ in rows] != list(range(SYMBOLS)):
        sys.exit("gen_huffman: Appendix B must list symbols 0..256 in order")
    codes = [code for _, code, _ in rows]
    lengths = [length for _, _, length in rows]
    # Kraft sum of exactly 1: every bit string starts with some code.
    if sum(1 << (MAX_BITS - n) for n in lengths) != 1 << MAX_BITS:
        sys.exit("gen_huffman: the code is not complete")
    if codes[EOS] != (1 << MAX_BITS) - 1 or lengths[EOS] != MAX_BITS:
        sys.exit("gen_huffman: EOS must be 30 one bits")
    return codes, lengths


def canonical_tables(codes, lengths):
    """First code, code limit and first rank per length; symbols by rank.

    Raises when the code is not canonical (codes of one length consecutive
    in symbol order, each length starting where the shorter one ended)."""
    ranked = sorted(range(SYMBOLS), key=lambda s: (lengths[s], s))
    first_code = [0] * (MAX_BITS + 1)
    limit = [0] * (MAX_BITS + 1)
    first_rank = [0] * (MAX_BITS + 1)
    next_code, rank = 0, 0
    for length in range(1, MAX_BITS + 1):
        next_code <<= 1
        first_code[length], first_rank[length] = next_code, rank
        while rank < SYMBOLS and lengths[ranked[rank]] == length:
            if codes[ranked[rank]] != next_code:
                sys.exit("gen_huffman: the code is not canonical")
            next_code += 1
            rank += 1
        limit[length] = next_code
    return first_code, limit, first_rank, ranked


def code_index(codes, lengths):
    """{(length, code): symbol} for every symbol."""
    return {(lengths[s], codes[s]): s for s in range(SYMBOLS)}


def whole_code(index, window, window_bits):
    """(symbol, length) of the code that window (window_bits wide) starts
    with, or None when that code is longer than the window."""
    for length in range(1, window_bits + 1):
        symbol = index.get((length, window >> (window_bits - length)))
        if symbol is not None:
            return symbol, length
    return None


def shortest_long_code(codes, lengths, window):
    """Shortest length of the codes that start with window (PEEK_BITS
    wide), all longer than it."""
    return min(lengths[s] for s in range(SYMBOLS) if lengths[s] > PEEK_BITS
               and codes[s] >> (lengths[s] - PEEK_BITS) == window)


def peek_entry(codes, lengths, index, window):
    """One PEEK_BITS window as a 32-bit entry: the bits its whole codes
    take in bits 0..5, their symbols (never EOS: it is longer) in octets 1
    and up, their count in bits 30..31. Count 0 means the first code does
    not fit the window: it takes no bits then, and octet 1 holds the
    shortest length of the codes with that prefix."""
    symbols, used = [], 0
    while len(symbols) < PEEK_SYMBOLS:
        found = whole_code(index, window & ((1 << (PEEK_BITS - used)) - 1),
                           PEEK_BITS - used)
        if found is None:
            break
        symbols.append(found[0])
        used += found[1]
    if not symbols:
        return shortest_long_code(codes, lengths, window) << 8
    packed = sum(symbol << (8 * i) for i, symbol in enumerate(symbols))
    return len(symbols) << 30 | packed << 8 | used


def c_array(decl, items, per_line, width=0):
    lines = [f"{decl} = {{"]
    for i in range(0, len(items), per_line):
        chunk = ", ".join(str(x).rjust(width) for x in items[i:i + per_line])
        lines.append(f"    {chunk},")
    lines.append("};\n")
    return "\n".join(lines)


def generate(text):
    codes, lengths = parse_code(text)
    first_code, limit, first_rank, ranked = canonical_tables(codes, lengths)
    index = code_index(codes, lengths)
    peek = [f"0x{peek_entry(codes, lengths, index, w):08x}"
            for w in range(1 << PEEK_BITS)]
    out = [
        "/* Generated by tools/gen_huffman.py from the code table of RFC 7541\n"
        " * Appendix B (shared/rfc/rfc7541-hpack.txt). Do not edit: change\n"
        " * the generator and run\n"
        " *   python3 tools/gen_huffman.py ../shared/rfc/rfc7541-hpack.txt \\\n"
        " *     lib/huffman_table.c\n"
        " */\n"
        "/* clang-format off */\n"
        '#include "huffman_table.h"\n',
        "/* Code of each octet, aligned to the least significant bit. */",
        c_array("const uint32_t h2e_huffman_codes[256]",
                [f"0x{c:x}" for c in codes[:256]], 6, 10),
        "/* Length in bits of each octet's code. */",
        c_array("const uint8_t h2e_huffman_code_bits[256]", lengths[:256], 16,
                2),
        f"/* Entry i: what the {PEEK_BITS} bits i start with. */",
        c_array("const uint32_t h2e_huffman_peek_table"
                "[1 << H2E_HUFFMAN_PEEK_BITS]", peek, 6),
        "/* Canonical code, by length: the first code, one past the last\n"
        " * code, and the rank of the first code among all codes. */",
        c_array("const uint32_t h2e_huffman_first_code"
                "[H2E_HUFFMAN_MAX_BITS + 1]",
                [f"0x{c:x}" for c in first_code], 6, 10),
        c_array("const uint32_t h2e_huffman_code_limit"
                "[H2E_HUFFMAN_MAX_BITS + 1]",
                [f"0x{c:x}" for c in limit], 6, 10),
        c_array("const uint16_t h2e_huffman_first_rank"
                "[H2E_HUFFMAN_MAX_BITS + 1]", first_rank, 12, 3),
        "/* Symbols in rank order (by code length, then value); 256 is EOS. */",
        c_array("const uint16_t h2e_huffman_ranked_symbols[257]", ranked, 12,
                3),
    ]
    return "\n".join(out)


def main(argv):
    check = len(argv) > 1 and argv[1] == "--check"
    args = argv[2:] if check else argv[1:]
    if len(args) not in (1, 2) or (check and len(args) != 2):
        sys.exit(__doc__)
    with open(args[0], encoding="utf-8") as f:
        generated = generate(f.read())
    if check:
        with open(args[1], encoding="utf-8") as f:
            if f.read() != generated:
                sys.exit(f"gen_huffman: {args[1]} is out of date")
        return
    if len(args) == 2:
        with open(args[1], "w", encoding="utf-8") as f:
            f.write(generated)
    else:
        sys.stdout.write(generated)


if __name__ == "__main__":
    main(sys.argv)
