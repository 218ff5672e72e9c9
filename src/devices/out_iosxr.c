/*
 * The IOS-XR device's show outputs: an ASR 9900 / NCS 540 edge router
 * (IOS XR 7.5.2), shaped as IOS-XR prints them. IOS-XR begins every show
 * output with the time; the engine adds that line (cli_ios.c), these are
 * the outputs under it. Derived from the address as outputs.h says;
 * random draws are taken into locals, in order.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outputs.h"

#define MGMT(d) (d)->o2, (d)->o3, (d)->o4
#define XRVER "7.5.2"

/* customer-facing GigabitEthernet0/0/0/i, then HundredGigE0/0/1/i uplinks */
static unsigned xr_ports(const struct fo__devid *d)
{
	return 8 + (unsigned)(d->seed % 3) * 8;
}

static unsigned xr_uplinks(const struct fo__devid *d)
{
	return 2 + (unsigned)(d->seed >> 4) % 2;
}

static unsigned xr_asn(const struct fo__devid *d)
{
	return 65000 + d->o3 % 500;
}

/* a customer port's /30: 10.200.o3.(4i+1), the device's side */
static void xr_cust_ip(const struct fo__devid *d, unsigned i, char *s, size_t n)
{
	snprintf(s, n, "10.%u.%u.%u", 200 + d->o4 % 50, d->o3, (i * 4 + 1) % 256);
}

void fo__iosxr_running(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned np = xr_ports(d), nu = xr_uplinks(d);
	unsigned long long pw;
	char ip[32];

	fo__reseed(g, 2);
	pw = fo__rnd(g);
	fo__addf(b,
		 "Building configuration...\n!! IOS XR Configuration " XRVER "\n"
		 "!! Last configuration change at Tue Mar  4 09:%02u:%02u 2025 by netops\n!\n"
		 "hostname %s\nclock timezone UTC UTC\nlogging console warnings\n"
		 "logging 10.%u.0.10 vrf MGMT severity info\ndomain name %s.example.net\n"
		 "domain name-server 10.%u.0.53\ndomain name-server 10.%u.1.53\n"
		 "username netops\n group root-lr\n group cisco-support\n secret 10 $6$%08llx$%016llx\n!\n"
		 "vrf MGMT\n address-family ipv4 unicast\n !\n!\n"
		 "line default\n exec-timeout 30 0\n transport input ssh\n!\n"
		 "snmp-server community fanout-%04x RO\nsnmp-server location %s %s rack %u\n"
		 "snmp-server contact netops@example.net\n"
		 "ntp\n server vrf MGMT 10.%u.0.123 prefer\n server vrf MGMT 10.%u.1.123\n!\n"
		 "ipv4 access-list SSH-IN\n",
		 (unsigned)(d->seed % 60), (unsigned)(d->seed / 60 % 60), d->name, d->o2, fo__site(d), d->o2, d->o2,
		 pw & 0xffffffff, pw, (unsigned)(d->seed & 0xffff), fo__site(d), fo__role(d), d->o4 % 40, d->o2,
		 d->o2);
	for (unsigned i = 0; i < 20 + np; i++) {
		unsigned o2 = fo__rndn(g, 250), o3 = fo__rndn(g, 250);

		fo__addf(b, " %u permit ipv4 10.%u.%u.0 0.0.0.255 any\n", (i + 1) * 10, o2, o3);
	}
	fo__addf(b, " 10000 deny ipv4 any any\n!\n"
		    "interface Loopback0\n ipv4 address 10.255.%u.%u 255.255.255.255\n!\n"
		    "interface MgmtEth0/RP0/CPU0/0\n vrf MGMT\n ipv4 address 192.168.%u.%u 255.255.255.0\n!\n",
		 d->o3, d->o4, d->o3, d->o4);
	for (unsigned i = 0; i < np; i++) {
		fo__addf(b, "interface GigabitEthernet0/0/0/%u\n", i);
		if (!fo__if_up(d, i)) {
			fo__adds(b, " shutdown\n!\n");
			continue;
		}
		xr_cust_ip(d, i, ip, sizeof(ip));
		fo__addf(b, " description cust-%s-%s-%03u\n ipv4 address %s 255.255.255.252\n"
			    " ipv4 access-group SSH-IN ingress\n!\n",
			 fo__site(d), fo__port_desc(d, i), i, ip);
	}
	for (unsigned i = 0; i < nu; i++)
		fo__addf(b, "interface HundredGigE0/0/1/%u\n description uplink-%s-core%u\n mtu 9216\n"
			    " ipv4 address 10.254.%u.%u 255.255.255.254\n!\n",
			 i, fo__site(d), i + 1, d->o3, (d->o4 * 2 + i * 2) % 256);
	fo__addf(b,
		 "router static\n address-family ipv4 unicast\n  0.0.0.0/0 10.%u.%u.254\n !\n"
		 " vrf MGMT\n  address-family ipv4 unicast\n   0.0.0.0/0 192.168.%u.1\n  !\n !\n!\n"
		 "router ospf 1\n router-id 10.255.%u.%u\n area 0\n  interface Loopback0\n   passive enable\n  !\n",
		 d->o2, d->o3, d->o3, d->o3, d->o4);
	for (unsigned i = 0; i < nu; i++)
		fo__addf(b, "  interface HundredGigE0/0/1/%u\n   network point-to-point\n  !\n", i);
	fo__addf(b, " !\n!\nrouter bgp %u\n bgp router-id 10.255.%u.%u\n address-family ipv4 unicast\n"
		    "  network 10.%u.%u.0/24\n !\n",
		 xr_asn(d), d->o3, d->o4, d->o2, d->o3);
	for (unsigned i = 0; i < nu; i++)
		fo__addf(b, " neighbor 10.254.%u.%u\n  remote-as 65%03u\n  description core%u\n"
			    "  address-family ipv4 unicast\n   route-policy PASS in\n   route-policy PASS out\n  !\n !\n",
			 d->o3, (d->o4 * 2 + i * 2 + 1) % 256, 500 + i, i + 1);
	fo__adds(b, "!\nroute-policy PASS\n  pass\nend-policy\n!\nssh server v2\nssh server vrf MGMT\nend\n");
}

/* ---- show commands ------------------------------------------------------------------ */

static void xr_version(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned m = fo__uptime_min(d);

	fo__addf(g->b,
		 "Cisco IOS XR Software, Version " XRVER "\nCopyright (c) 2013-2022 by Cisco Systems, Inc.\n\n"
		 "Build Information:\n Built By     : ingunawa\n Built On     : Tue Jun 14 17:57:24 PDT 2022\n"
		 " Built Host   : iox-ucs-027\n Workspace    : /auto/srcarchive16/prod/" XRVER "/asr9k-x64/ws\n"
		 " Version      : " XRVER "\n Location     : /opt/cisco/XR/packages/\n Label        : " XRVER "\n\n"
		 "cisco %s () processor\nSystem uptime is %u weeks %u days %u hours %u minutes\n\n",
		 fo__model(d), m / 10080, m / 1440 % 7, m / 60 % 24, m % 60);
}

static void xr_ifname(const struct fo__devid *d, unsigned i, bool brief, char *s, size_t n)
{
	if (i < xr_ports(d))
		snprintf(s, n, brief ? "Gi0/0/0/%u" : "GigabitEthernet0/0/0/%u", i);
	else
		snprintf(s, n, brief ? "Hu0/0/1/%u" : "HundredGigE0/0/1/%u", i - xr_ports(d));
}

static void xr_interfaces(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = xr_ports(d), nu = xr_uplinks(d);

	fo__reseed(g, 3);
	for (unsigned i = 0; i < np + nu; i++) {
		static const unsigned lim[6] = { 9000000, 900, 9000000, 900, 90000, 90000 };
		unsigned r[6];
		int up = i >= np || fo__if_up(d, i); /* uplinks are up */
		unsigned long long in = fo__rnd(g) % 900000000000ULL, out = fo__rnd(g) % 900000000000ULL;
		char ifn[40], ip[32], desc[64];

		fo__rndv(g, r, lim, 6);
		if (!up)
			in = out = r[0] = r[1] = r[2] = r[3] = 0;
		xr_ifname(d, i, false, ifn, sizeof(ifn));
		if (i < np) {
			xr_cust_ip(d, i, ip, sizeof(ip));
			snprintf(desc, sizeof(desc), "cust-%s-%s-%03u", fo__site(d), fo__port_desc(d, i), i);
		} else {
			snprintf(ip, sizeof(ip), "10.254.%u.%u", d->o3, (d->o4 * 2 + (i - np) * 2) % 256);
			snprintf(desc, sizeof(desc), "uplink-%s-core%u", fo__site(d), i - np + 1);
		}
		fo__addf(g->b, "%s is %s, line protocol is %s \n  Interface state transitions: %u\n"
			       "  Hardware is %s, address is 00a3.%02x%02x.%04x (bia 00a3.%02x%02x.%04x)\n",
			 ifn, up ? "up" : "administratively down", up ? "up" : "administratively down", up ? 1 : 0,
			 i < np ? "GigabitEthernet" : "HundredGigE", d->o3, d->o4, i, d->o3, d->o4, i);
		if (up)
			fo__addf(g->b, "  Description: %s\n  Internet address is %s/%u\n", desc, ip, i < np ? 30 : 31);
		else
			fo__adds(g->b, "  Internet address is Unknown\n");
		fo__addf(g->b,
			 "  MTU %u bytes, BW %s Kbit (Max: %s Kbit)\n     reliability 255/255, txload 0/255, rxload 0/255\n"
			 "  Encapsulation ARPA,\n  Full-duplex, %s, link type is force-up\n"
			 "  output flow control is off, input flow control is off\n  Carrier delay (up) is 10 msec\n"
			 "  loopback not set,\n  Last link flapped %uw%ud\n  ARP type ARPA, ARP timeout 04:00:00\n"
			 "  Last input 00:00:00, output 00:00:00\n  Last clearing of \"show interface\" counters never\n"
			 "  5 minute input rate %u bits/sec, %u packets/sec\n  5 minute output rate %u bits/sec, %u packets/sec\n"
			 "     %llu packets input, %llu bytes, 0 total input drops\n"
			 "     0 drops for unrecognized upper-level protocol\n"
			 "     Received 0 broadcast packets, %u multicast packets\n"
			 "              0 runts, 0 giants, 0 throttles, 0 parity\n"
			 "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored, 0 abort\n"
			 "     %llu packets output, %llu bytes, 0 total output drops\n"
			 "     Output 0 broadcast packets, %u multicast packets\n"
			 "     0 output errors, 0 underruns, 0 applique, 0 resets\n"
			 "     0 output buffer failures, 0 output buffers swapped out\n     1 carrier transitions\n\n",
			 i < np ? 1514 : 9216, i < np ? "1000000" : "100000000", i < np ? "1000000" : "100000000",
			 i < np ? "1000Mb/s, SFP" : "100000Mb/s, 100GBASE-SR4", i % 9, i % 7, r[0], r[1], r[2], r[3],
			 in / 700, in, r[4], out / 700, out, r[5]);
	}
}

static void xr_int_brief(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = xr_ports(d), nu = xr_uplinks(d);

	fo__adds(g->b, "\n               Intf       Intf        LineP              Encap  MTU        BW\n"
		       "               Name       State       State               Type (byte)    (Kbps)\n"
		       "--------------------------------------------------------------------------------\n"
		       "                Lo0          up          up           Loopback  1500          0\n"
		       "                Nu0          up          up               Null  1500          0\n"
		       "     Mg0/RP0/CPU0/0          up          up               ARPA  1514    1000000\n");
	for (unsigned i = 0; i < np + nu; i++) {
		int up = i >= np || fo__if_up(d, i);
		char ifn[32];

		xr_ifname(d, i, true, ifn, sizeof(ifn));
		fo__addf(g->b, "%19s  %10s  %10s %18s  %4u  %9s\n", ifn, up ? "up" : "admin-down", up ? "up" : "admin-down",
			 "ARPA", i < np ? 1514 : 9216, i < np ? "1000000" : "100000000");
	}
	fo__adds(g->b, "\n");
}

static void xr_ipv4_brief(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = xr_ports(d), nu = xr_uplinks(d);
	char ip[32];

	fo__adds(g->b, "\nInterface                      IP-Address      Status          Protocol Vrf-Name\n");
	snprintf(ip, sizeof(ip), "10.255.%u.%u", d->o3, d->o4);
	fo__addf(g->b, "%-30s %-15s %-15s %-8s %-8s\n", "Loopback0", ip, "Up", "Up", "default");
	snprintf(ip, sizeof(ip), "192.168.%u.%u", d->o3, d->o4);
	fo__addf(g->b, "%-30s %-15s %-15s %-8s %-8s\n", "MgmtEth0/RP0/CPU0/0", ip, "Up", "Up", "MGMT");
	for (unsigned i = 0; i < np + nu; i++) {
		int up = i >= np || fo__if_up(d, i);
		char ifn[40];

		xr_ifname(d, i, false, ifn, sizeof(ifn));
		if (i >= np)
			snprintf(ip, sizeof(ip), "10.254.%u.%u", d->o3, (d->o4 * 2 + (i - np) * 2) % 256);
		else if (up)
			xr_cust_ip(d, i, ip, sizeof(ip));
		else
			snprintf(ip, sizeof(ip), "unassigned");
		fo__addf(g->b, "%-30s %-15s %-15s %-8s %-8s\n", ifn, ip, up ? "Up" : "Shutdown", up ? "Up" : "Down",
			 "default");
	}
}

static void xr_route(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 20 + (unsigned)(d->seed % 60), nu = xr_uplinks(d), np = xr_ports(d);

	fo__reseed(g, 5);
	fo__addf(g->b,
		 "\nCodes: C - connected, S - static, R - RIP, B - BGP, (>) - Diversion path\n"
		 "       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area\n"
		 "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2\n"
		 "       E1 - OSPF external type 1, E2 - OSPF external type 2, E - EGP\n"
		 "       i - ISIS, L1 - IS-IS level-1, L2 - IS-IS level-2\n"
		 "       ia - IS-IS inter area, su - IS-IS summary null, * - candidate default\n"
		 "       U - per-user static route, o - ODR, L - local, G  - DAGR, l - LISP\n"
		 "       A - access/subscriber, a - Application route\n"
		 "       M - mobile route, r - RPL, t - Traffic Engineering, (!) - FRR Backup path\n\n"
		 "Gateway of last resort is 10.%u.%u.254 to network 0.0.0.0\n\n"
		 "S*   0.0.0.0/0 [1/0] via 10.%u.%u.254, 4w2d\n"
		 "L    10.255.%u.%u/32 is directly connected, 4w2d, Loopback0\n",
		 d->o2, d->o3, d->o2, d->o3, d->o3, d->o4);
	for (unsigned i = 0; i < np; i++) {
		char ip[32];

		if (!fo__if_up(d, i))
			continue;
		xr_cust_ip(d, i, ip, sizeof(ip));
		fo__addf(g->b, "L    %s/32 is directly connected, 4w2d, GigabitEthernet0/0/0/%u\n", ip, i);
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned o2 = fo__rndn(g, 250), o3 = fo__rndn(g, 250), up = fo__rndn(g, nu), w = fo__rndn(g, 9);
		unsigned dd = fo__rndn(g, 7), metric = 2 + fo__rndn(g, 40);

		fo__addf(g->b, "O    10.%u.%u.0/24 [110/%u] via 10.254.%u.%u, %uw%ud, HundredGigE0/0/1/%u\n", o2, o3, metric,
			 d->o3, (d->o4 * 2 + up * 2 + 1) % 256, w, dd, up);
	}
	fo__adds(g->b, "\n");
}

static void xr_arp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = xr_ports(d);

	fo__reseed(g, 8);
	fo__adds(g->b, "\n-------------------------------------------------------------------------------\n0/0/CPU0\n"
		       "-------------------------------------------------------------------------------\n"
		       "Address         Age        Hardware Addr   State      Type  Interface\n");
	for (unsigned i = 0; i < np; i++) {
		unsigned m1 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536), m3 = fo__rndn(g, 65536);
		unsigned age = fo__rndn(g, 14400);
		char ip[32];

		if (!fo__if_up(d, i))
			continue;
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", 200 + d->o4 % 50, d->o3, (i * 4 + 2) % 256);
		fo__addf(g->b, "%-15s %02u:%02u:%02u   %04x.%04x.%04x  Dynamic    ARPA  GigabitEthernet0/0/0/%u\n", ip,
			 age / 3600, age / 60 % 60, age % 60, m1, m2, m3, i);
	}
}

static void xr_inventory(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(g->b,
		 "NAME: \"Rack 0\", DESCR: \"%s Chassis\"\nPID: %-18s, VID: V01, SN: %s\n\n"
		 "NAME: \"0/RP0/CPU0\", DESCR: \"Route Processor\"\nPID: %s-RP      , VID: V01, SN: %s\n\n"
		 "NAME: \"0/FT0\", DESCR: \"Fan Tray\"\nPID: %s-FAN     , VID: V01, SN: FOC%04u%04X\n\n"
		 "NAME: \"0/PM0\", DESCR: \"Power Module\"\nPID: PWR-2KW-DC-V2     , VID: V01, SN: POG%04u%04X\n\n",
		 fo__model(d), fo__model(d), sn, fo__model(d), sn, fo__model(d), d->o3, d->o4 * 13, d->o3, d->o4 * 7);
	for (unsigned i = 0; i < xr_uplinks(d); i++)
		fo__addf(g->b, "NAME: \"HundredGigE0/0/1/%u\", DESCR: \"Cisco QSFP28 100G SR4 Pluggable Optics Module\"\n"
			       "PID: QSFP-100G-SR4-S   , VID: V03, SN: AVF%02u%02u%04u\n\n",
			 i, d->o3 % 100, d->o4 % 100, i * 17 + d->o4);
}

static void xr_neighbors(struct fo__gen *g, int lldp)
{
	const struct fo__devid *d = g->d;
	unsigned n = xr_uplinks(d);

	if (lldp)
		fo__adds(g->b, "Capability codes:\n        (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
			       "        (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n\n"
			       "Device ID       Local Intf               Hold-time  Capability     Port ID\n");
	else
		fo__adds(g->b, "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge\n"
			       "                  S - Switch, H - Host, I - IGMP, r - Repeater\n\n"
			       "Device ID       Local Intrfce    Holdtme Capability Platform  Port ID\n");
	for (unsigned i = 0; i < n; i++) {
		char nb[32];

		snprintf(nb, sizeof(nb), "%s-core%u", fo__site(d), i + 1);
		if (lldp)
			fo__addf(g->b, "%-15s HundredGigE0/0/1/%-7u 120        R              HundredGigE0/0/0/%u\n", nb, i,
				 d->o4 % 36);
		else
			fo__addf(g->b, "%-15s Hu0/0/1/%-7u  167     R          ASR-9906  Hu0/0/0/%u\n", nb, i, d->o4 % 36);
	}
	fo__addf(g->b, "\nTotal entries displayed: %u\n", n);
}

static void xr_lldp(struct fo__gen *g)
{
	xr_neighbors(g, 1);
}

static void xr_cdp(struct fo__gen *g)
{
	xr_neighbors(g, 0);
}

static void xr_cpu(struct fo__gen *g)
{
	static const char *const procs[] = { "init", "bash", "sysmgr", "ifmgr", "bgp", "ospf",
					     "ipv4_rib", "fib_mgr", "netio", "sshd_child_handler", "ntpd", "snmpd" };
	unsigned m1, m5, m15;

	fo__reseed(g, 10);
	m1 = fo__rndn(g, 20);
	m5 = fo__rndn(g, 20);
	m15 = fo__rndn(g, 20);
	fo__addf(g->b, "\nCPU utilization for one minute: %u%%; five minutes: %u%%; fifteen minutes: %u%%\n\n"
		       "PID    1Min    5Min    15Min Process\n",
		 m1, m5, m15);
	for (unsigned i = 0; i < 40; i++) {
		unsigned a = fo__rndn(g, 3), b = fo__rndn(g, 3), c = fo__rndn(g, 3);

		fo__addf(g->b, "%-6u %3u%%    %3u%%     %3u%% %s\n", i ? 1000 + i * 53 : 1, a, b, c, procs[i % 12]);
	}
}

static void xr_logging(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 40 + (unsigned)(d->seed % 80), np = xr_ports(d);

	fo__reseed(g, 11);
	fo__addf(g->b,
		 "Syslog logging: enabled (0 messages dropped, 0 flushes, 0 overruns)\n"
		 "    Console logging: level warnings, %u messages logged\n"
		 "    Monitor logging: level debugging, 0 messages logged\n"
		 "    Trap logging: level informational, %u messages logged\n"
		 "    Logging to 10.%u.0.10 port 514 VRF MGMT\n"
		 "    Buffer logging: level debugging, %u messages logged\n\nLog Buffer (2097152 bytes):\n\n",
		 n / 3, n, d->o2, n);
	for (unsigned i = 0; i < n; i++) {
		unsigned port = fo__rndn(g, np), h = fo__rndn(g, 24), m = fo__rndn(g, 60), s = fo__rndn(g, 60);
		unsigned ms = fo__rndn(g, 1000), pid = fo__rndn(g, 9000);

		fo__addf(g->b,
			 "RP/0/RP0/CPU0:Mar  %u %02u:%02u:%02u.%03u UTC: ifmgr[%u]: %%PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/%u, changed state to %s \n",
			 1 + i / 20, h, m, s, ms, 1000 + pid, port, i % 2 ? "Up" : "Down");
	}
}

static void xr_ntp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "\nClock is synchronized, stratum 3, reference is 10.%u.0.123\n"
		 "nominal freq is 1000000000.0000 Hz, actual freq is 999999999.9999 Hz, precision is 2**24\n"
		 "reference time is E9F0A1B2.1C28F5C3 (09:12:34.110 UTC Tue Mar 4 2025)\n"
		 "clock offset is -0.%03u msec, root delay is 1.204 msec\n"
		 "root dispersion is 3.41 msec, peer dispersion is 0.95 msec\n"
		 "loopfilter state is 'CTRL' (Normal Controlled Loop), drift is -0.0000000001 s/s\n"
		 "system poll interval is 1024, last update was 611 sec ago\n"
		 "authenticate is disabled, panic handling is disabled,\n"
		 "hostname resolution retry interval is 1440 minutes.\n",
		 d->o2, d->o4 % 1000);
}

static void xr_ntp_assoc(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "\n      address         ref clock     st  when  poll reach  delay  offset    disp\n"
		 "*~10.%u.0.123      10.0.0.1          2   %3u  1024  377   1.20  -0.%03u   0.951\n"
		 "+~10.%u.1.123      10.0.0.1          2   %3u  1024  377   1.34  -0.%03u   0.873\n"
		 " * sys_peer, # selected, + candidate, - outlayer, x falseticker, ~ configured\n",
		 d->o2, d->o4 % 1000, d->o4 % 1000, d->o2, (d->o4 + 300) % 1000, d->o4 * 3 % 1000);
}

static void xr_platform(struct fo__gen *g)
{
	fo__addf(g->b,
		 "Node              Type                       State             Config state\n"
		 "--------------------------------------------------------------------------------\n"
		 "0/RP0/CPU0        %-26.26s IOS XR RUN        NSHUT\n"
		 "0/FT0             %-26.26s OPERATIONAL       NSHUT\n"
		 "0/PM0             PWR-2KW-DC-V2              OPERATIONAL       NSHUT\n"
		 "0/PM1             PWR-2KW-DC-V2              OPERATIONAL       NSHUT\n",
		 "RP(Active)", "FAN");
}

static void xr_env(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "=============================================================================================\n"
		 "Location  TEMPERATURE                 Value   Crit Major Minor Minor Major  Crit\n"
		 "          Sensor                    (deg C)   (Lo) (Lo)  (Lo)  (Hi)  (Hi)   (Hi)\n"
		 "---------------------------------------------------------------------------------------------\n"
		 "0/RP0/CPU0\n          Inlet Temp                     %2u    -10    -5     0    55    65     70\n"
		 "          Outlet Temp                    %2u    -10    -5     0    70    80     85\n"
		 "          CPU Die Temp                   %2u    -10    -5     0    90    95    100\n",
		 24 + d->o4 % 10, 32 + d->o4 % 10, 45 + d->o4 % 15);
}

static void xr_bgp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = xr_uplinks(d);

	fo__reseed(g, 12);
	fo__addf(g->b,
		 "BGP router identifier 10.255.%u.%u, local AS number %u\nBGP generic scan interval 60 secs\n"
		 "Non-stop routing is enabled\nBGP table state: Active\nTable ID: 0xe0000000   RD version: %u\n"
		 "BGP main routing table version %u\nBGP NSR Initial initsync version 1 (Reached)\n"
		 "BGP NSR/ISSU Sync-Group versions 0/0\nBGP scan interval 60 secs\n\n"
		 "BGP is operating in STANDALONE mode.\n\n\n"
		 "Process       RcvTblVer   bRIB/RIB   LabelVer  ImportVer  SendTblVer  StandbyVer\n"
		 "Speaker       %9u  %9u  %9u  %9u   %9u           0\n\n"
		 "Neighbor        Spk    AS MsgRcvd MsgSent   TblVer  InQ OutQ  Up/Down  St/PfxRcd\n",
		 d->o3, d->o4, xr_asn(d), 500 + d->o4, 500 + d->o4, 500 + d->o4, 500 + d->o4, 500 + d->o4,
		 500 + d->o4, 500 + d->o4);
	for (unsigned i = 0; i < n; i++) {
		unsigned rcvd = fo__rndn(g, 900000), sent = fo__rndn(g, 900000), w = fo__rndn(g, 50);
		unsigned dd = fo__rndn(g, 7), pfx = fo__rndn(g, 400);
		char nb[32];

		snprintf(nb, sizeof(nb), "10.254.%u.%u", d->o3, (d->o4 * 2 + i * 2 + 1) % 256);
		fo__addf(g->b, "%-15s   0 65%03u %7u %7u %8u    0    0 %5uw%ud %10u\n", nb, 500 + i, rcvd, sent,
			 500 + d->o4, w, dd, pfx);
	}
}

static void xr_users(struct fo__gen *g)
{
	fo__addf(g->b, "   Line            User                 Service  Conns   Idle        Location\n"
		       "*  vty0            %-20.20s ssh          0  00:00:00    127.0.0.1\n",
		 g->d->user);
}

static void xr_clock(struct fo__gen *g)
{
	time_t t = (time_t)fo__gen_time(g);
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%H:%M:%S.000 UTC %a %b %d %Y", &tm);
	fo__addf(g->b, "%s\n", s);
}

static void xr_install(struct fo__gen *g)
{
	fo__adds(g->b, "Label : " XRVER "\n\n    Active Packages: 6\n        asr9k-xr-" XRVER " version=" XRVER " [Boot image]\n"
		       "        asr9k-mcast-x64-2.0.0.0-r752\n        asr9k-mgbl-x64-3.0.0.0-r752\n"
		       "        asr9k-mpls-x64-2.1.0.0-r752\n        asr9k-k9sec-x64-3.1.0.0-r752\n"
		       "        asr9k-isis-x64-1.3.0.0-r752\n\n");
}

const struct fo__show fo__show_iosxr[] = {
	{ "show version", xr_version },
	{ "show running-config", fo__iosxr_running },
	{ "show interfaces", xr_interfaces },
	{ "show interfaces brief", xr_int_brief },
	{ "show ipv4 interface brief", xr_ipv4_brief },
	{ "show ip interface brief", xr_ipv4_brief },
	{ "show route", xr_route },
	{ "show route ipv4", xr_route },
	{ "show arp", xr_arp },
	{ "show inventory", xr_inventory },
	{ "show lldp neighbors", xr_lldp },
	{ "show cdp neighbors", xr_cdp },
	{ "show processes cpu", xr_cpu },
	{ "show logging", xr_logging },
	{ "show ntp status", xr_ntp },
	{ "show ntp associations", xr_ntp_assoc },
	{ "show platform", xr_platform },
	{ "show environment", xr_env },
	{ "show bgp summary", xr_bgp },
	{ "show bgp ipv4 unicast summary", xr_bgp },
	{ "show users", xr_users },
	{ "show clock", xr_clock },
	{ "show install active summary", xr_install },
	{ NULL, NULL },
};
