"""The FIT CRC-16 of the readers (runlens.io.fitrepair.crc16), the one copy the encoders use too."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runlens.io.fitrepair import crc16


def reference_crc(data: bytes, crc: int = 0) -> int:
    """The FIT SDK's nibble-table CRC, transcribed from the FIT protocol document."""
    table = [
        0x0000,
        0xCC01,
        0xD801,
        0x1400,
        0xF001,
        0x3C00,
        0x2800,
        0xE401,
        0xA001,
        0x6C00,
        0x7800,
        0xB401,
        0x5000,
        0x9C01,
        0x8801,
        0x4400,
    ]
    for byte in data:
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[byte & 0xF]
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF]
    return crc


@given(st.binary(max_size=3000), st.integers(0, 0xFFFF))
@settings(max_examples=60, deadline=None)
def test_crc16_matches_the_sdk_algorithm(data, start):
    assert crc16(data, start) == reference_crc(data, start)


# Each side of the sizes where crc16 changes its method: byte by byte below 64 bytes, rows of
# 64 words below 32 KiB, rows of 256 words above; odd sizes pad by one byte.
@pytest.mark.parametrize("n", [1, 63, 64, 65, 32767, 32768, 40001])
@pytest.mark.parametrize("start", [0, 0x1234])
def test_crc16_matches_the_sdk_algorithm_at_every_method(n, start):
    data = os.urandom(n)
    assert crc16(data, start) == reference_crc(data, start)


def test_crc16_check_value():
    # CRC-16/ARC check value of the standard test string.
    assert crc16(b"123456789") == 0xBB3D


def test_crc16_continues_a_running_checksum():
    data = bytes(range(256)) * 40
    assert crc16(data[5000:], crc16(data[:5000])) == crc16(data)
