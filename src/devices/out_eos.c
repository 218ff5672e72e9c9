/*
 * The Arista EOS device's show outputs: a 7050/7280 leaf switch (EOS
 * 4.30.4M), shaped as EOS prints them. Derived from the address as
 * outputs.h says; random draws are taken into locals, in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outputs.h"

#define MGMT(d) (d)->o2, (d)->o3, (d)->o4
#define EOSVER "4.30.4M"

static unsigned eos_ports(const struct fo__devid *d)
{
	(void)d;
	return 48;
}

static unsigned eos_uplinks(const struct fo__devid *d)
{
	return 2 + (unsigned)(d->seed % 3);
}

static unsigned eos_asn(const struct fo__devid *d)
{
	return 65000 + d->o3 % 500;
}

void fo__eos_running(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d), nu = eos_uplinks(d);
	unsigned long long pw;

	fo__reseed(g, 2);
	pw = fo__rnd(g);
	fo__addf(b,
		 "! Command: show running-config\n! device: %s (%s, EOS-" EOSVER ")\n!\n"
		 "! boot system flash:/EOS-" EOSVER ".swi\n!\nno aaa root\n!\n"
		 "username admin privilege 15 role network-admin secret sha512 $6$%08llx$%016llx\n"
		 "username netops privilege 15 role network-admin secret sha512 $6$%08llx$%016llx\n!\n"
		 "transceiver qsfp default-mode 4x10G\n!\nservice routing protocols model multi-agent\n!\n"
		 "hostname %s\nip name-server vrf default 10.%u.0.53\nip name-server vrf default 10.%u.1.53\n"
		 "dns domain %s.example.net\n!\nntp server 10.%u.0.123 prefer\nntp server 10.%u.1.123\n!\n"
		 "snmp-server contact netops@example.net\nsnmp-server location %s %s rack %u\n"
		 "snmp-server community fanout-%04x ro\n!\nspanning-tree mode mstp\n!\n",
		 d->name, fo__model(d), pw & 0xffffffff, pw, (pw >> 7) & 0xffffffff, pw ^ 0x5a5a5a5a5a5a5a5aULL,
		 d->name, d->o2, d->o2, fo__site(d), d->o2, d->o2, fo__site(d), fo__role(d), d->o4 % 40,
		 (unsigned)(d->seed & 0xffff));
	for (unsigned v = 0; v < nv; v++) {
		const char *desc = fo__pick(g, fo__descs, 10);

		fo__addf(b, "vlan %u\n   name %s-%s-%u\n!\n", 100 + v * 10, fo__site(d), desc, v);
	}
	for (unsigned i = 0; i < eos_ports(d); i++) {
		fo__addf(b, "interface Ethernet%u\n", i + 1);
		if (!fo__if_up(d, i))
			fo__adds(b, "   shutdown\n!\n");
		else
			fo__addf(b, "   description %s-%s-%03u\n   switchport access vlan %u\n   spanning-tree portfast\n!\n",
				 fo__site(d), fo__port_desc(d, i), i + 1, fo__port_vlan(d, i));
	}
	for (unsigned i = 0; i < nu; i++)
		fo__addf(b,
			 "interface Ethernet%u/1\n   description uplink-%s-spine%u\n   mtu 9214\n   no switchport\n"
			 "   ip address 10.254.%u.%u/31\n!\n",
			 49 + i, fo__site(d), i + 1, d->o3, (d->o4 * 2 + i * 2) % 256);
	fo__addf(b,
		 "interface Loopback0\n   ip address 10.255.%u.%u/32\n!\n"
		 "interface Management1\n   ip address 192.168.%u.%u/24\n!\n"
		 "interface Vlan100\n   description management\n   ip address 10.%u.%u.%u/24\n!\n"
		 "ip routing\n!\nip route 0.0.0.0/0 10.%u.%u.254\n!\n"
		 "router bgp %u\n   router-id 10.255.%u.%u\n   maximum-paths 4 ecmp 4\n",
		 d->o3, d->o4, d->o3, d->o4, MGMT(d), d->o2, d->o3, eos_asn(d), d->o3, d->o4);
	for (unsigned i = 0; i < nu; i++)
		fo__addf(b, "   neighbor 10.254.%u.%u remote-as 65%03u\n   neighbor 10.254.%u.%u description spine%u\n",
			 d->o3, (d->o4 * 2 + i * 2 + 1) % 256, 500 + i, d->o3, (d->o4 * 2 + i * 2 + 1) % 256, i + 1);
	fo__addf(b, "   network 10.%u.%u.0/24\n!\nmanagement api http-commands\n   no shutdown\n!\nend\n", d->o2, d->o3);
}

/* ---- show commands ---------------------------------------------------------------- */

static void eos_version(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned m = fo__uptime_min(d);
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(g->b,
		 "Arista %s\nHardware version: 11.03\nSerial number: JPE%s\n"
		 "Hardware MAC address: 444c.a8%02x.%02x00\nSystem MAC address: 444c.a8%02x.%02x00\n\n"
		 "Software image version: " EOSVER "\nArchitecture: x86_64\n"
		 "Internal build version: " EOSVER "-34526358.4304M\n"
		 "Internal build ID: 6a5d0d9d-2d4c-4ed2-b2c8-7c4c1a8b6e1f\nImage format version: 3.0\n"
		 "Image optimization: Strata-4GB\n\n"
		 "Uptime: %u weeks, %u days, %u hours and %u minutes\nTotal memory: 8098984 kB\nFree memory: %u kB\n\n",
		 fo__model(d), sn + 3, d->o3, d->o4, d->o3, d->o4, m / 10080, m / 1440 % 7, m / 60 % 24, m % 60,
		 5000000 + d->o4 * 1000);
}

static void eos_interfaces(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = eos_ports(d), nu = eos_uplinks(d);

	fo__reseed(g, 3);
	for (unsigned i = 0; i < np + nu; i++) {
		static const unsigned lim[6] = { 9000, 900, 9000, 900, 90000, 90000 };
		unsigned r[6];
		int up = i >= np || fo__if_up(d, i); /* uplinks are up */
		unsigned long long in = fo__rnd(g) % 900000000000ULL, out = fo__rnd(g) % 900000000000ULL;
		char ifn[32], desc[64];

		fo__rndv(g, r, lim, 6);
		if (!up)
			in = out = r[0] = r[1] = r[2] = r[3] = 0;
		if (i < np) {
			snprintf(ifn, sizeof(ifn), "Ethernet%u", i + 1);
			snprintf(desc, sizeof(desc), "%s-%s-%03u", fo__site(d), fo__port_desc(d, i), i + 1);
		} else {
			snprintf(ifn, sizeof(ifn), "Ethernet%u/1", 49 + i - np);
			snprintf(desc, sizeof(desc), "uplink-%s-spine%u", fo__site(d), i - np + 1);
		}
		fo__addf(g->b,
			 "%s is %s, line protocol is %s (%s)\n"
			 "  Hardware is Ethernet, address is 444c.a8%02x.%02x%02x (bia 444c.a8%02x.%02x%02x)\n"
			 "  Description: %s\n  Ethernet MTU %u bytes, BW %s kbit\n"
			 "  Full-duplex, %s, auto negotiation: off, uni-link: n/a\n"
			 "  Up %u days, %u hours, %u minutes, %u seconds\n  Loopback Mode : None\n"
			 "  2 link status changes since last clear\n"
			 "  Last clearing of \"show interface\" counters never\n"
			 "  5 minutes input rate %u.%02u kbps (0.0%% with framing overhead), %u packets/sec\n"
			 "  5 minutes output rate %u.%02u kbps (0.0%% with framing overhead), %u packets/sec\n"
			 "     %llu packets input, %llu bytes\n     Received 0 broadcasts, %u multicast\n"
			 "     0 runts, 0 giants\n     0 input errors, 0 CRC, 0 alignment, 0 symbol, 0 input discards\n"
			 "     0 PAUSE input\n     %llu packets output, %llu bytes\n     Sent 0 broadcasts, %u multicast\n"
			 "     0 output errors, 0 collisions\n     0 late collision, 0 deferred, 0 output discards\n"
			 "     0 PAUSE output\n",
			 ifn, up ? "up" : "administratively down", up ? "up" : "down", up ? "connected" : "disabled",
			 d->o3, d->o4, i, d->o3, d->o4, i, up || i >= np ? desc : "", i < np ? 1500 : 9214,
			 i < np ? "10000000" : "100000000", i < np ? "10Gb/s" : "100Gb/s", fo__uptime_min(d) / 1440,
			 fo__uptime_min(d) / 60 % 24, fo__uptime_min(d) % 60, i % 60, r[0] / 100, r[0] % 100, r[1],
			 r[2] / 100, r[2] % 100, r[3], in / 700, in, r[4], out / 700, out, r[5]);
	}
}

static void eos_int_status(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = eos_ports(d), nu = eos_uplinks(d);

	fo__adds(g->b, "Port       Name              Status       Vlan     Duplex Speed  Type            Flags Encapsulation\n");
	for (unsigned i = 0; i < np + nu; i++) {
		int up = i >= np || fo__if_up(d, i);
		char ifn[16], name[64], vl[12];

		if (i < np) {
			snprintf(ifn, sizeof(ifn), "Et%u", i + 1);
			snprintf(name, sizeof(name), "%s-%s-%03u", fo__site(d), fo__port_desc(d, i), i + 1);
			snprintf(vl, sizeof(vl), "%u", fo__port_vlan(d, i));
		} else {
			snprintf(ifn, sizeof(ifn), "Et%u/1", 49 + i - np);
			snprintf(name, sizeof(name), "uplink-%s-spine%u", fo__site(d), i - np + 1);
			snprintf(vl, sizeof(vl), "routed");
		}
		fo__addf(g->b, "%-10s %-17.17s %-12s %-8s %-6s %-6s %-15s\n", ifn, up ? name : "",
			 up ? "connected" : "disabled", vl, up ? "full" : "auto", i < np ? "10G" : "100G",
			 i < np ? "10GBASE-SR" : "100GBASE-SR4");
	}
	fo__adds(g->b, "Ma1                          connected    routed   a-full a-1G   10/100/1000\n");
}

static void eos_ip_int_brief(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	char ip[32];

	fo__adds(g->b, "                                                                           Address\n"
		       "Interface         IP Address            Status       Protocol           MTU    Owner  \n"
		       "----------------- --------------------- ------------ -------------- ---------- -------\n");
	for (unsigned i = 0; i < eos_uplinks(d); i++) {
		char ifn[16];

		snprintf(ifn, sizeof(ifn), "Ethernet%u/1", 49 + i);
		snprintf(ip, sizeof(ip), "10.254.%u.%u/31", d->o3, (d->o4 * 2 + i * 2) % 256);
		fo__addf(g->b, "%-17s %-21s up           up                9214           \n", ifn, ip);
	}
	snprintf(ip, sizeof(ip), "10.255.%u.%u/32", d->o3, d->o4);
	fo__addf(g->b, "Loopback0         %-21s up           up               65535           \n", ip);
	snprintf(ip, sizeof(ip), "192.168.%u.%u/24", d->o3, d->o4);
	fo__addf(g->b, "Management1       %-21s up           up                1500           \n", ip);
	snprintf(ip, sizeof(ip), "10.%u.%u.%u/24", MGMT(d));
	fo__addf(g->b, "Vlan100           %-21s up           up                1500           \n", ip);
}

static void eos_route(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 20 + (unsigned)(d->seed % 60), nu = eos_uplinks(d);

	fo__reseed(g, 5);
	fo__addf(g->b,
		 "\nVRF: default\nCodes: C - connected, S - static, K - kernel, \n"
		 "       O - OSPF, IA - OSPF inter area, E1 - OSPF external type 1,\n"
		 "       E2 - OSPF external type 2, N1 - OSPF NSSA external type 1,\n"
		 "       N2 - OSPF NSSA external type2, B - Other BGP Routes,\n"
		 "       B I - iBGP, B E - eBGP, R - RIP, I L1 - IS-IS level 1,\n"
		 "       I L2 - IS-IS level 2, O3 - OSPFv3, A B - BGP Aggregate,\n"
		 "       A O - OSPF Summary, NG - Nexthop Group Static Route,\n"
		 "       V - VXLAN Control Service, M - Martian,\n"
		 "       DH - DHCP client installed default route,\n"
		 "       DP - Dynamic Policy Route, L - VRF Leaked,\n"
		 "       G  - gRIBI, RC - Route Cache Route\n\n"
		 "Gateway of last resort:\n S        0.0.0.0/0 [1/0] via 10.%u.%u.254, Vlan100\n\n"
		 " C        10.%u.%u.0/24 is directly connected, Vlan100\n"
		 " C        10.255.%u.%u/32 is directly connected, Loopback0\n",
		 d->o2, d->o3, d->o2, d->o3, d->o3, d->o4);
	for (unsigned i = 0; i < n; i++) {
		unsigned o2 = fo__rndn(g, 250), o3 = fo__rndn(g, 250), up = fo__rndn(g, nu);

		fo__addf(g->b, " B E      10.%u.%u.0/24 [200/0] via 10.254.%u.%u, Ethernet%u/1\n", o2, o3, d->o3,
			 (d->o4 * 2 + up * 2 + 1) % 256, 49 + up);
	}
	fo__adds(g->b, "\n");
}

static void eos_arp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 10 + (unsigned)(d->seed % 90);

	fo__reseed(g, 8);
	fo__adds(g->b, "Address         Age (sec)  Hardware Addr   Interface\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned m1 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536), m3 = fo__rndn(g, 65536);
		unsigned age = fo__rndn(g, 14400), port = fo__rndn(g, eos_ports(d));

		fo__addf(g->b, "10.%u.%u.%-9u %2u:%02u:%02u  %04x.%04x.%04x  Vlan100, Ethernet%u\n", d->o2, d->o3, i + 1,
			 age / 3600, age / 60 % 60, age % 60, m1, m2, m3, port + 1);
	}
}

static void eos_inventory(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(g->b,
		 "System information\n  Model                    Description\n"
		 "  ------------------------ ----------------------------------------------------\n"
		 "  %-24s 48x25G SFP & 8x100G QSFP Switch\n\n"
		 "  HW Version  Serial Number  Mfg Date   Epoch\n  ----------- -------------- ---------- -----\n"
		 "  11.03       JPE%-11s 2019-07-30 01.00\n\n"
		 "System has 2 power supply slots\n  Slot Model            Serial Number    \n"
		 "  ---- ---------------- ---------------- \n  1    PWR-500AC-R      EEWT%04u%04X     \n"
		 "  2    PWR-500AC-R      EEWT%04u%04X     \n\n"
		 "System has 4 fan modules\n  Module  Number of Fans  Model               Serial Number    \n"
		 "  ------- --------------- ------------------- ---------------- \n"
		 "  1       1               FAN-7000-R          N/A              \n"
		 "  2       1               FAN-7000-R          N/A              \n"
		 "  3       1               FAN-7000-R          N/A              \n"
		 "  4       1               FAN-7000-R          N/A              \n\n"
		 "System has %u ports\n  Type             Count\n  ---------------- ----\n"
		 "  Management       1\n  Switched         %u\n\n",
		 fo__model(d), sn + 3, d->o3, d->o4 * 7, d->o3 + 1, d->o4 * 7 + 1, eos_ports(d) + 9, eos_ports(d) + 8);
}

static void eos_vlan(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d);

	fo__reseed(g, 2);
	fo__rnd(g); /* the password eos_running draws first */
	fo__adds(g->b, "VLAN  Name                             Status    Ports\n"
		       "----- -------------------------------- --------- -------------------------------\n"
		       "1     default                          active    \n");
	for (unsigned v = 0; v < nv; v++) {
		char name[64];
		struct fo_sbuf ports = { 0 };
		unsigned k = 0;

		snprintf(name, sizeof(name), "%s-%s-%u", fo__site(d), fo__pick(g, fo__descs, 10), v);
		for (unsigned i = 0; i < eos_ports(d) && k < 4; i++)
			if (fo__if_up(d, i) && fo__port_vlan(d, i) == 100 + v * 10)
				fo__addf(&ports, "%sEt%u", k++ ? ", " : "", i + 1);
		fo__addf(g->b, "%-5u %-32.32s active    %s\n", 100 + v * 10, name, ports.p ? ports.p : "");
		if (ports.oom)
			g->b->oom = true;
		free(ports.p);
	}
}

static void eos_lldp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = eos_uplinks(d);

	fo__addf(g->b,
		 "Last table change time   : %u days, 1:02:03 ago\nNumber of table inserts  : %u\n"
		 "Number of table deletes  : 0\nNumber of table drops    : 0\nNumber of table age-outs : 0\n\n"
		 "Port          Neighbor Device ID       Neighbor Port ID    TTL\n"
		 "------------- ------------------------ ------------------- ---\n",
		 fo__uptime_min(d) / 1440, n);
	for (unsigned i = 0; i < n; i++) {
		char nb[48], ifn[16];

		snprintf(nb, sizeof(nb), "%s-spine%u", fo__site(d), i + 1);
		snprintf(ifn, sizeof(ifn), "Et%u/1", 49 + i);
		fo__addf(g->b, "%-13s %-24s Ethernet%-11u 120\n", ifn, nb, d->o4 % 32 + 1);
	}
}

static void eos_mac(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = eos_ports(d) * 2;

	fo__reseed(g, 9);
	fo__adds(g->b, "          Mac Address Table\n------------------------------------------------------------------\n\n"
		       "Vlan    Mac Address       Type        Ports      Moves   Last Move\n"
		       "----    -----------       ----        -----      -----   ---------\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned m1 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536), m3 = fo__rndn(g, 65536);
		unsigned days = fo__rndn(g, 30), moves = 1 + fo__rndn(g, 3);
		char port[16];

		snprintf(port, sizeof(port), "Et%u", i / 2 + 1);
		fo__addf(g->b, " %4u    %04x.%04x.%04x    DYNAMIC     %-10s %-7u %u days, 1:02:03 ago\n",
			 fo__port_vlan(d, i / 2), m1, m2, m3, port, moves, days);
	}
	fo__addf(g->b, "Total Mac Addresses for this criterion: %u\n\n          Multicast Mac Address Table\n"
		       "------------------------------------------------------------------\n\n"
		       "Vlan    Mac Address       Type        Ports\n----    -----------       ----        -----\n"
		       "Total Mac Addresses for this criterion: 0\n",
		 n);
}

static void eos_clock(struct fo__gen *g)
{
	time_t t = (time_t)fo__gen_time(g);
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%a %b %e %H:%M:%S %Y", &tm);
	fo__addf(g->b, "%s\nTimezone: UTC\nClock source: NTP server (10.%u.0.123)\n", s, g->d->o2);
}

static void eos_users(struct fo__gen *g)
{
	fo__addf(g->b, "   Line      User        Host(s)       Idle        Location \n"
		       "*  2 vty 3   %-11.11s idle          00:00:00    127.0.0.1\n",
		 g->d->user);
}

static void eos_top(struct fo__gen *g)
{
	static const char *const procs[] = { "Sysdb", "Ebra", "Bgp-main", "Fib", "Stp", "Lldp",
					     "ConfigAgent", "SuperServer", "Ira", "Rib", "StrataCentral", "Smash" };
	unsigned us, sy, mem;

	fo__reseed(g, 10);
	us = fo__rndn(g, 20);
	sy = fo__rndn(g, 10);
	mem = fo__rndn(g, 2000000);
	fo__addf(g->b,
		 "top - 09:15:00 up %u days,  1:02,  1 user,  load average: 0.41, 0.38, 0.35\n"
		 "Tasks: 312 total,   1 running, 311 sleeping,   0 stopped,   0 zombie\n"
		 "%%Cpu(s):  %u.0 us,  %u.0 sy,  0.0 ni, %u.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st\n"
		 "KiB Mem :  8098984 total,  %u free,  3100000 used,  1500000 buff/cache\n"
		 "KiB Swap:        0 total,        0 free,        0 used.  4400000 avail Mem \n\n"
		 "  PID USER      PR  NI    VIRT    RES    SHR S  %%CPU %%MEM     TIME+ COMMAND\n",
		 fo__uptime_min(g->d) / 1440, us, sy, 100 - us - sy, 3000000 + mem);
	for (unsigned i = 0; i < 30; i++) {
		unsigned virt = fo__rndn(g, 900000), res = fo__rndn(g, 300000), cpu = fo__rndn(g, 50);
		unsigned t = fo__rndn(g, 90000);

		fo__addf(g->b, "%5u root      20   0 %7u %6u %6u S  %u.%u  %u.%u %4u:%02u.%02u %s\n", 1500 + i * 41,
			 300000 + virt, 50000 + res, 20000 + res / 3, cpu / 10, cpu % 10, res / 80000, res / 8000 % 10,
			 t / 3600, t / 60 % 60, t % 60, procs[i % 12]);
	}
}

static void eos_logging(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 40 + (unsigned)(d->seed % 80);

	fo__reseed(g, 11);
	fo__addf(g->b,
		 "Syslog logging: enabled\n    Buffer logging: level debugging\n    Console logging: level errors\n"
		 "    Persistent logging: disabled\n    Monitor logging: level errors\n"
		 "    Synchronous logging: disabled\n    Trap logging: level informational\n"
		 "    Logging to '10.%u.0.10' port 514 in VRF default via udp\n    Sequence numbers: Disabled\n"
		 "    Syslog facility: local4\n    Hostname format: Hostname only\n"
		 "    Repeat logging interval: disabled\n    Repeat messages: disabled\n"
		 "    Root login logging: disabled\n\n",
		 d->o2);
	for (unsigned i = 0; i < n; i++) {
		unsigned port = fo__rndn(g, eos_ports(d)), h = fo__rndn(g, 24), m = fo__rndn(g, 60);
		unsigned s = fo__rndn(g, 60);

		fo__addf(g->b,
			 "Mar  %u %02u:%02u:%02u %s Ebra: %%LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet%u (%s-%s-%03u), changed state to %s\n",
			 1 + i / 20, h, m, s, d->name, port + 1, fo__site(d), fo__port_desc(d, port), port + 1,
			 i % 2 ? "up" : "down");
	}
}

static void eos_ntp_status(struct fo__gen *g)
{
	fo__addf(g->b, "synchronised to NTP server (10.%u.0.123) at stratum 3\n   time correct to within 12 ms\n"
		       "   polling server every 1024 s\n",
		 g->d->o2);
}

static void eos_ntp_assoc(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "     remote          refid      st t when  poll reach   delay  offset   jitter\n"
		 "==============================================================================\n"
		 "*10.%u.0.123      10.0.0.1         2 u  %3u  1024  377    1.204   -0.%03u   0.951\n"
		 "+10.%u.1.123      10.0.0.1         2 u  %3u  1024  377    1.341   -0.%03u   0.873\n",
		 d->o2, d->o4 % 1000, d->o4 % 1000, d->o2, (d->o4 + 300) % 1000, (d->o4 * 3) % 1000);
}

static void eos_stp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "MST0\n  Spanning tree enabled protocol mstp\n  Root ID    Priority    32768\n"
		 "             Address     444c.a800.0001\n             Cost        2000 (Ext) 0 (Int)\n"
		 "             Port        %u (Ethernet49/1)\n"
		 "             Hello Time  2.000 sec  Max Age 20 sec  Forward Delay 15 sec\n\n"
		 "  Bridge ID  Priority    32768  (priority 32768 sys-id-ext 0)\n"
		 "             Address     444c.a8%02x.%02x00\n"
		 "             Hello Time  2.000 sec  Max Age 20 sec  Forward Delay 15 sec\n\n"
		 "Interface        Role       State      Cost      Prio.Nbr Type\n"
		 "---------------- ---------- ---------- --------- -------- --------------------\n",
		 eos_ports(d) + 1, d->o3, d->o4);
	for (unsigned i = 0; i < eos_ports(d); i++)
		if (fo__if_up(d, i))
			fo__addf(g->b, "Et%-14u designated forwarding 2000      128.%-4u P2p Edge             \n", i + 1, i + 1);
}

static void eos_env(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "System temperature status is: Ok\n\n"
		 "Sensor  Description                         Temperature    Alert  Critical       Alert\n"
		 "                                                           Limit     Limit      Status\n"
		 "------- ----------------------------------- ----------- -------- ---------- -----------\n"
		 "1       Cpu temp sensor                     %u.0C       95C        105C      Normal\n"
		 "2       Switch chip temp sensor             %u.0C       95C        105C      Normal\n"
		 "3       Front-panel temp sensor             %u.0C       65C         75C      Normal\n\n"
		 "Fan Status\n----------\n"
		 "Fan            Status  Speed  Stable  Uptime\n------------- ------- ------ ------- ----------------\n"
		 "1/1           Ok        39%%   Stable  %u days, 1:02:03\n2/1           Ok        39%%   Stable  %u days, 1:02:03\n"
		 "PowerSupply1/1 Ok        35%%   Stable  %u days, 1:02:03\n\n"
		 "Power Supply Status\n-------------------\n"
		 "Power                                     Input    Output  Output\n"
		 "Supply  Model        Capacity  Status     Current  Current  Power  Uptime\n"
		 "------- ------------ --------- ---------- -------- -------- ------ ----------------\n"
		 "1       PWR-500AC-R      500W  Ok            0.92A   12.71A  %3u.0W %u days, 1:02:03\n"
		 "2       PWR-500AC-R      500W  Ok            0.89A   12.43A  %3u.0W %u days, 1:02:03\n",
		 40 + d->o4 % 15, 50 + d->o4 % 15, 24 + d->o4 % 10, fo__uptime_min(d) / 1440, fo__uptime_min(d) / 1440,
		 fo__uptime_min(d) / 1440, 150 + d->o3 % 30, fo__uptime_min(d) / 1440, 145 + d->o3 % 30,
		 fo__uptime_min(d) / 1440);
}

static void eos_bgp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = eos_uplinks(d);

	fo__reseed(g, 12);
	fo__addf(g->b,
		 "BGP summary information for VRF default\nRouter identifier 10.255.%u.%u, local AS number %u\n"
		 "Neighbor Status Codes: m - Under maintenance\n"
		 "  Description              Neighbor         V AS           MsgRcvd   MsgSent  InQ OutQ  Up/Down State   PfxRcd PfxAcc\n",
		 d->o3, d->o4, eos_asn(d));
	for (unsigned i = 0; i < n; i++) {
		unsigned rcvd = fo__rndn(g, 900000), sent = fo__rndn(g, 900000), days = fo__rndn(g, 50);
		unsigned pfx = fo__rndn(g, 400);
		char nb[32], desc[16];

		snprintf(nb, sizeof(nb), "10.254.%u.%u", d->o3, (d->o4 * 2 + i * 2 + 1) % 256);
		snprintf(desc, sizeof(desc), "spine%u", i + 1);
		fo__addf(g->b, "  %-24s %-16s 4 65%03u       %9u %9u    0    0 %5ud01h Estab   %-6u %u\n", desc, nb,
			 500 + i, rcvd, sent, days, pfx, pfx);
	}
}

const struct fo__show fo__show_eos[] = {
	{ "show version", eos_version },
	{ "show running-config", fo__eos_running },
	{ "show interfaces", eos_interfaces },
	{ "show interfaces status", eos_int_status },
	{ "show ip interface brief", eos_ip_int_brief },
	{ "show ip route", eos_route },
	{ "show ip arp", eos_arp },
	{ "show arp", eos_arp },
	{ "show inventory", eos_inventory },
	{ "show vlan", eos_vlan },
	{ "show vlan brief", eos_vlan },
	{ "show lldp neighbors", eos_lldp },
	{ "show mac address-table", eos_mac },
	{ "show clock", eos_clock },
	{ "show users", eos_users },
	{ "show processes top once", eos_top },
	{ "show logging", eos_logging },
	{ "show ntp status", eos_ntp_status },
	{ "show ntp associations", eos_ntp_assoc },
	{ "show spanning-tree", eos_stp },
	{ "show environment all", eos_env },
	{ "show ip bgp summary", eos_bgp },
	{ NULL, NULL },
};
