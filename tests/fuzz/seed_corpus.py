#!/usr/bin/env python3
"""Turns every frame of the testdata captures into a fuzz seed.

    seed_corpus.py SRC_DIR... OUT_DIR

(testdata, testdata/real and testdata/encap: every encapsulation.)

Each seed is one packet in the harness format (see fuzz_decode.c):
link_type:u8 cap_len:u16be wire_extra:u8 bytes.  A capture's frames are
also joined into one seed (up to MAX_LEN bytes, the fuzz run's -max_len),
so a connection's packets reach flows, tunnels and detectors together.
Reads classic pcap (both byte orders, micro and nano) and pcapng (EPB
and SPB).
"""
import os
import struct
import sys

# DLT/LINKTYPE -> enum link_type order in dissectors/packet.h
LINK = {1: 0, 0: 1, 108: 2, 12: 3, 101: 3, 14: 3, 228: 4, 229: 5, 113: 6, 276: 7,
        9: 8, 50: 9, 104: 10, 105: 11, 127: 12, 192: 13}
MAX_LEN = 4096


def frames_pcap(b):
    magic = b[:4]
    endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    linktype = struct.unpack(endian + 'I', b[20:24])[0] & 0x0fffffff
    off = 24
    while off + 16 <= len(b):
        _, _, incl, orig = struct.unpack(endian + 'IIII', b[off:off + 16])
        off += 16
        yield linktype, b[off:off + incl], orig
        off += incl


def frames_pcapng(b):
    endian = '<'
    links = []
    off = 0
    while off + 12 <= len(b):
        btype = struct.unpack(endian + 'I', b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            endian = '<' if b[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            links = []
        blen = struct.unpack(endian + 'I', b[off + 4:off + 8])[0]
        if blen < 12:
            return
        body = b[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack(endian + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, incl, orig = struct.unpack(endian + 'IIIII', body[:20])
            if ifid < len(links):
                yield links[ifid], body[20:20 + incl], orig
        elif btype == 3 and links:
            orig = struct.unpack(endian + 'I', body[:4])[0]
            yield links[0], body[4:4 + orig], orig
        off += blen


def main(src_dirs, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for src_dir, name in sorted((d, f) for d in src_dirs for f in os.listdir(d)):
        path = os.path.join(src_dir, name)
        if not os.path.isfile(path) or not name.endswith(('.pcap', '.pcapng')):
            continue
        b = open(path, 'rb').read()
        if b[:4] == b'\x0a\x0d\x0d\x0a':
            frames = frames_pcapng(b)
        elif len(b) >= 24:
            frames = frames_pcap(b)
        else:
            continue
        tag = os.path.basename(os.path.normpath(src_dir))
        whole = b''
        try:
            for i, (lt, data, orig) in enumerate(frames):
                if lt not in LINK or len(data) > 65535:
                    continue
                extra = max(0, min(127, orig - len(data)))
                seed = bytes([LINK[lt]]) + struct.pack('>H', len(data)) + bytes([extra]) + data
                with open(os.path.join(out_dir, '%s-%s-%04d' % (tag, name, i)), 'wb') as f:
                    f.write(seed)
                n += 1
                if len(whole) + len(seed) <= MAX_LEN:
                    whole += seed
        except struct.error:
            pass
        if whole:
            with open(os.path.join(out_dir, '%s-%s-all' % (tag, name)), 'wb') as f:
                f.write(whole)
            n += 1
    print('%d seeds' % n)


if __name__ == '__main__':
    # seed_corpus.py SRC_DIR... OUT_DIR
    main(sys.argv[1:-1], sys.argv[-1])
