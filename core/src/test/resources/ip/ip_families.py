"""Generates ip-families.csv: allowlist range, client address, and Python's ipaddress answer.

Run: python3 ip_families.py > ip-families.csv (IpFamiliesTest reads the CSV; the script is kept
so the cases can be regenerated). Columns: range, client, python (client in range, families kept
apart), expected (Latchkey: python, except that an IPv4-mapped IPv6 client also matches its IPv4
range, the documented exception, and that a range written in IPv4-mapped form of /96 or longer is
the IPv4 range it spells).
"""
import ipaddress
import random

rnd = random.Random(20261130)


def v6_range():
    kind = rnd.random()
    if kind < 0.3:
        bits = rnd.choice([0, 1, 8, 16, 32, 64, 80, 95, 96])
        return ipaddress.ip_network(("::", bits))
    if kind < 0.5:
        bits = rnd.randint(80, 95)
        return ipaddress.ip_network((int(ipaddress.ip_address("::ffff:0:0")) >> (128 - bits) << (128 - bits), bits))
    bits = rnd.randint(0, 128)
    addr = rnd.getrandbits(128) >> (128 - bits) << (128 - bits) if bits else 0
    return ipaddress.ip_network((addr, bits))


def v4_range():
    bits = rnd.randint(0, 32)
    addr = rnd.getrandbits(32) >> (32 - bits) << (32 - bits) if bits else 0
    return ipaddress.ip_network((addr, bits))


def client():
    kind = rnd.random()
    if kind < 0.4:
        return str(ipaddress.IPv4Address(rnd.getrandbits(32)))
    if kind < 0.6:
        return "::ffff:" + str(ipaddress.IPv4Address(rnd.getrandbits(32)))
    if kind < 0.7:
        return str(ipaddress.IPv6Address(rnd.getrandbits(16)))
    return str(ipaddress.IPv6Address(rnd.getrandbits(128) >> rnd.choice([0, 32, 64, 96])))


print("range,client,python,expected")
for _ in range(3000):
    net = v4_range() if rnd.random() < 0.4 else v6_range()
    c = client()
    a = ipaddress.ip_address(c)
    python = a.version == net.version and a in net
    expected = python
    mapped = ipaddress.ip_network("::ffff:0:0/96")
    if net.version == 6 and net.prefixlen >= 96 and net.subnet_of(mapped):
        net = ipaddress.ip_network((int(net.network_address) & 0xffffffff, net.prefixlen - 96))
        expected = a in net if a.version == 4 else False
    if a.version == 6 and a.ipv4_mapped is not None and net.version == 4:
        expected = a.ipv4_mapped in net
    print(f"{net},{c},{str(python).lower()},{str(expected).lower()}")
