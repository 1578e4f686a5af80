"""Loaded by every Python process started under tools/offline when no network namespace is
allowed: refuses any connection or name lookup that leaves this machine (loopback stays open,
so Jupyter kernels still talk to their clients)."""

import ipaddress
import socket

_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _local(host) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check(address):
    if isinstance(address, tuple) and not _local(address[0]):
        raise OSError(f"network cut by tools/offline: connection to {address[0]} refused")


def connect(self, address):
    _check(address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        raise socket.gaierror(socket.EAI_NONAME, f"network cut by tools/offline: no lookup of {host}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
