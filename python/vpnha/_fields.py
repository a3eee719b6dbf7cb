"""Which parts of a flow enter the ECMP hash."""

from __future__ import annotations

import enum

__all__ = ["HashFields"]


class HashFields(enum.IntFlag):
    """The fields of a flow that enter the hash, with the bit values of Linux's
    ``net.ipv4.fib_multipath_hash_fields`` sysctl.

    Combine with ``|``: ``HashFields.L3 | HashFields.FLOW_LABEL``. Anywhere vpnha takes
    hash fields it also takes the plain integer, a preset name (``"five-tuple"``,
    ``"l3"``, ``"all"``, ``"none"``) or a list of field names (``["src-ip", "dst-ip"]``).
    A field left out reads as zero.
    """

    NONE = 0
    #: Source address.
    SRC_IP = 0x01
    #: Destination address.
    DST_IP = 0x02
    #: IP protocol.
    PROTOCOL = 0x04
    #: IPv6 flow label (IPv4 flows have none; not with symmetric mode).
    FLOW_LABEL = 0x08
    #: Source port.
    SRC_PORT = 0x10
    #: Destination port.
    DST_PORT = 0x20
    #: Addresses only, as Linux's default multipath policy for IPv4.
    L3 = 0x03
    #: Addresses, protocol and ports: the default.
    FIVE_TUPLE = 0x37
    #: Every field.
    ALL = 0x3F


HashFields.__module__ = "vpnha"
