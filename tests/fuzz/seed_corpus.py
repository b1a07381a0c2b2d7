#!/usr/bin/env python3
"""Turns every frame of the testdata captures into a fuzz seed.

Each seed is one packet in the harness format (see fuzz_decode.c):
link_type:u8 cap_len:u16be wire_extra:u8 bytes.  Reads classic pcap (both
byte orders, micro and nano) and pcapng (EPB and SPB).
"""
import os
import struct
import sys

# DLT/LINKTYPE -> enum link_type order in dissectors/packet.h
LINK = {1: 0, 0: 1, 108: 2, 12: 3, 101: 3, 14: 3, 228: 4, 229: 5, 113: 6, 276: 7}


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


def main(src_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(src_dir)):
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
        try:
            for i, (lt, data, orig) in enumerate(frames):
                if lt not in LINK or len(data) > 65535:
                    continue
                extra = max(0, min(127, orig - len(data)))
                seed = bytes([LINK[lt]]) + struct.pack('>H', len(data)) + bytes([extra]) + data
                with open(os.path.join(out_dir, '%s-%04d' % (name, i)), 'wb') as f:
                    f.write(seed)
                n += 1
        except struct.error:
            continue
    print('%d seeds' % n)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
