#!/usr/bin/python3
"""Realistic-size outputs for bench/textfsm/run.sh, in the simulator's
formats (src/devices/out_ios.c): show interfaces with N interfaces, show
ip route with N routes, show version.

  gen.py interfaces N > out.txt
  gen.py route N > out.txt
  gen.py version > out.txt
"""
import random
import sys

r = random.Random(42)


def interfaces(n):
    out = []
    for i in range(n):
        up = r.random() < 0.8
        st = "up, line protocol is up (connected)" if up else "administratively down, line protocol is down (disabled)"
        out.append("GigabitEthernet%d/0/%d is %s\n" % (i // 48 + 1, i % 48 + 1, st))
        mac = "00a3.%04x.%04x" % (i >> 16, i & 0xffff)
        out.append("  Hardware is Gigabit Ethernet, address is %s (bia %s)\n" % (mac, mac))
        if r.random() < 0.5:
            out.append("  Description: port-%d-to-rack-%d\n" % (i, r.randrange(100)))
        if r.random() < 0.2:
            out.append("  Internet address is 10.%d.%d.1/24\n" % (i >> 8 & 255, i & 255))
        out.append("  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\n")
        out.append("     reliability 255/255, txload 1/255, rxload 1/255\n")
        out.append("  Encapsulation ARPA, loopback not set\n  Keepalive set (10 sec)\n")
        out.append("  Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX\n" if up else
                   "  Auto-duplex, Auto-speed, media type is 10/100/1000BaseTX\n")
        out.append("  input flow-control is on, output flow-control is unsupported\n")
        out.append("  ARP type: ARPA, ARP Timeout 04:00:00\n")
        out.append("  Last input 00:00:34, output 00:00:14, output hang never\n")
        out.append('  Last clearing of "show interface" counters never\n')
        out.append("  Input queue: 0/2000/0/0 (size/max/drops/flushes); Total output drops: %d\n" % r.randrange(100))
        out.append("  Queueing strategy: fifo\n  Output queue: 0/40 (size/max)\n")
        out.append("  5 minute input rate %d bits/sec, %d packets/sec\n" % (r.randrange(10**7), r.randrange(10**4)))
        out.append("  5 minute output rate %d bits/sec, %d packets/sec\n" % (r.randrange(10**7), r.randrange(10**4)))
        out.append("     %d packets input, %d bytes, 0 no buffer\n" % (r.randrange(10**9), r.randrange(10**12)))
        out.append("     Received %d broadcasts (%d multicasts)\n" % (r.randrange(10**6), r.randrange(10**6)))
        out.append("     0 runts, 0 giants, 0 throttles\n")
        out.append("     %d input errors, %d CRC, 0 frame, 0 overrun, 0 ignored\n" % (r.randrange(5), r.randrange(5)))
        out.append("     %d packets output, %d bytes, 0 underruns\n" % (r.randrange(10**9), r.randrange(10**12)))
        out.append("     %d output errors, 0 collisions, 1 interface resets\n" % r.randrange(5))
        out.append("     0 unknown protocol drops\n     0 babbles, 0 late collision, 0 deferred\n")
        out.append("     0 lost carrier, 0 no carrier, 0 pause output\n")
        out.append("     0 output buffer failures, 0 output buffers swapped out\n")
    return "".join(out)


def route(n):
    out = ["Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP\n",
           "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area \n\n",
           "Gateway of last resort is 10.1.0.254 to network 0.0.0.0\n\n",
           "S*    0.0.0.0/0 [1/0] via 10.1.0.254\n",
           "      10.0.0.0/8 is variably subnetted, %d subnets, 3 masks\n" % n,
           "C        10.1.0.0/24 is directly connected, Vlan100\n",
           "L        10.1.0.5/32 is directly connected, Vlan100\n"]
    for i in range(n):
        net = "10.%d.%d.0/24" % (i >> 8 & 255, i & 255)
        kind = r.choice(["O IA  ", "O     ", "B     ", "O E2  "])
        out.append("%s   %s [110/%d] via 10.1.0.254, %02d:%02d:%02d, Vlan100\n" %
                   (kind, net, r.randrange(100), r.randrange(24), r.randrange(60), r.randrange(60)))
    return "".join(out)


def main():
    what = sys.argv[1]
    if what == "interfaces":
        sys.stdout.write(interfaces(int(sys.argv[2])))
    elif what == "route":
        sys.stdout.write(route(int(sys.argv[2])))
    else:
        with open(sys.argv[2]) as f:
            sys.stdout.write(f.read())


if __name__ == "__main__":
    main()
