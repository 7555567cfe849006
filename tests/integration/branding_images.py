"""Small real images for the branding tests, each a different colour so a mix-up shows."""

import hashlib
import struct
import zlib


def digest(content: bytes) -> str:
    """Return a short fingerprint of *content*: what the tests compare, so a failure stays short."""
    return hashlib.sha256(content).hexdigest()[:16]


def png(rgb: tuple[int, int, int], size: int = 8) -> bytes:
    """Return a square PNG, *size* pixels wide, of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def write_images(directory):
    """Write a logo and a favicon into *directory*; return their bytes by name."""
    images = {"logo.png": png((200, 30, 30)), "favicon.png": png((30, 30, 200))}
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in images.items():
        (directory / name).write_bytes(content)
    return images
