/*
 * The NX-OS device's show outputs: a Nexus 9000 leaf switch (NX-OS
 * 10.2(5)), shaped as NX-OS prints them. Derived from the address as
 * outputs.h says; random draws are taken into locals, in order.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outputs.h"

#define MGMT(d) (d)->o2, (d)->o3, (d)->o4
#define NXVER "10.2(5)"

static unsigned nx_ports(const struct fo__devid *d)
{
	return 24 + (unsigned)(d->seed % 3) * 12 + 24; /* 48..72 */
}

static void nx_time(struct fo__gen *g, char *s, size_t n)
{
	time_t t = (time_t)fo__gen_time(g);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(s, n, "%a %b %e %H:%M:%S %Y", &tm);
}

void fo__nxos_running(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned np = nx_ports(d), nv = fo__nvlans(d), asn = 65000 + d->o3 % 500;
	unsigned long long pw;
	char now[64];

	fo__reseed(g, 2);
	pw = fo__rnd(g);
	nx_time(g, now, sizeof(now));
	fo__addf(b,
		 "\n!Command: show running-config\n!Running configuration last done at: %s\n!Time: %s\n\n"
		 "version " NXVER " Bios:version 05.47 \nhostname %s\nvdc %s id 1\n"
		 "  limit-resource vlan minimum 16 maximum 4094\n  limit-resource vrf minimum 2 maximum 4096\n"
		 "  limit-resource port-channel minimum 0 maximum 511\n\n"
		 "feature nxapi\nfeature bash-shell\nfeature scp-server\nfeature bgp\nfeature interface-vlan\n"
		 "feature lacp\nfeature lldp\n\n"
		 "username admin password 5 $5$%016llx  role network-admin\n"
		 "username netops password 5 $5$%016llx  role network-admin\n"
		 "ip domain-lookup\nip domain-name %s.example.net\nip name-server 10.%u.0.53 10.%u.1.53\n"
		 "snmp-server contact netops@example.net\nsnmp-server location %s %s rack %u\n"
		 "snmp-server community fanout-%04x group network-operator\n"
		 "ntp server 10.%u.0.123 use-vrf management prefer\nntp server 10.%u.1.123 use-vrf management\n\n"
		 "ip route 0.0.0.0/0 10.%u.%u.254\n",
		 now, now, d->name, d->name, pw, pw ^ 0x5a5a5a5a5a5a5a5aULL, fo__site(d), d->o2, d->o2, fo__site(d),
		 fo__role(d), d->o4 % 40, (unsigned)(d->seed & 0xffff), d->o2, d->o2, d->o2, d->o3);
	fo__adds(b, "vlan 1");
	for (unsigned v = 0; v < nv; v++)
		fo__addf(b, ",%u", 100 + v * 10);
	fo__adds(b, "\n");
	for (unsigned v = 0; v < nv; v++) {
		const char *desc = fo__pick(g, fo__descs, 10);

		fo__addf(b, "vlan %u\n  name %s-%s-%u\n", 100 + v * 10, fo__site(d), desc, v);
	}
	fo__addf(b,
		 "\nspanning-tree port type edge bpduguard default\nvrf context management\n"
		 "  ip route 0.0.0.0/0 192.168.%u.1\n\n"
		 "interface Vlan1\n\ninterface Vlan100\n  description management\n  no shutdown\n"
		 "  ip address 10.%u.%u.%u/24\n",
		 d->o3, MGMT(d));
	for (unsigned i = 0; i < np; i++) {
		fo__addf(b, "\ninterface Ethernet1/%u\n", i + 1);
		if (!fo__if_up(d, i)) {
			fo__adds(b, "  shutdown\n");
			continue;
		}
		fo__addf(b,
			 "  description %s-%s-%03u\n  switchport access vlan %u\n  spanning-tree port type edge\n"
			 "  no shutdown\n",
			 fo__site(d), fo__port_desc(d, i), i + 1, fo__port_vlan(d, i));
	}
	for (unsigned i = 0; i < 6; i++)
		fo__addf(b,
			 "\ninterface Ethernet1/%u\n  description uplink-%s-spine%u\n  no switchport\n"
			 "  mtu 9216\n  ip address 10.254.%u.%u/31\n  no shutdown\n",
			 np + 1 + i, fo__site(d), i + 1, d->o3, (d->o4 * 2 + i * 2) % 256);
	fo__addf(b,
		 "\ninterface mgmt0\n  vrf member management\n  ip address 192.168.%u.%u/24\n"
		 "\ninterface loopback0\n  ip address 10.255.%u.%u/32\n"
		 "icam monitor scale\n\nline console\nline vty\n"
		 "boot nxos bootflash:/nxos64-cs." NXVER ".M.bin \n"
		 "router bgp %u\n  router-id 10.255.%u.%u\n  address-family ipv4 unicast\n"
		 "    network 10.%u.%u.0/24\n",
		 d->o3, d->o4, d->o3, d->o4, asn, d->o3, d->o4, d->o2, d->o3);
	for (unsigned i = 0; i < 2 + d->seed % 3; i++)
		fo__addf(b,
			 "  neighbor 10.254.%u.%u\n    remote-as 65%03u\n    description spine%u\n"
			 "    address-family ipv4 unicast\n",
			 d->o3, (d->o4 * 2 + i * 2 + 1) % 256, 500 + i, i + 1);
	fo__adds(b, "\n\n");
}

/* ---- show commands --------------------------------------------------------------- */

static void nx_version(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned m = fo__uptime_min(d);
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(g->b,
		 "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\n"
		 "Documents: http://www.cisco.com/en/US/products/ps9372/tsd_products_support_series_home.html\n"
		 "Copyright (c) 2002-2023, Cisco Systems, Inc. All rights reserved.\n"
		 "The copyrights to certain works contained herein are owned by\n"
		 "other third parties and are used and distributed under license.\n"
		 "Some parts of this software are covered under the GNU Public\n"
		 "License. A copy of the license is available at\nhttp://www.gnu.org/licenses/gpl.html.\n\n"
		 "Software\n  BIOS: version 05.47\n NXOS: version " NXVER "\n"
		 "  BIOS compile time:  04/28/2022\n"
		 "  NXOS image file is: bootflash:///nxos64-cs." NXVER ".M.bin\n"
		 "  NXOS compile time:  8/18/2023 12:00:00 [08/18/2023 20:12:28]\n\n\n"
		 "Hardware\n  cisco Nexus9000 %s Chassis\n  Intel(R) Xeon(R) CPU D-1526 @ 1.80GHz with 24571608 kB of memory.\n"
		 "  Processor Board ID %s\n\n  Device name: %s\n  bootflash:  115805708 kB\n"
		 "Kernel uptime is %u day(s), %u hour(s), %u minute(s), %u second(s)\n\n"
		 "Last reset at 123456 usecs after Sat Nov  2 03:11:41 2024\n\n  Reason: Reset Requested by CLI command reload\n"
		 "  System version: " NXVER "\n  Service: \n\nplugin\n  Core Plugin, Ethernet Plugin\n\n"
		 "Active Package(s):\n\n",
		 fo__model(d), sn, d->name, m / 1440, m / 60 % 24, m % 60, d->o4 % 60);
}

static void nx_ifname(const struct fo__devid *d, unsigned i, char *s, size_t n)
{
	snprintf(s, n, "Ethernet1/%u", i + 1);
	(void)d;
}

static void nx_int_brief(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	struct fo_sbuf *b = g->b;
	unsigned np = nx_ports(d);

	fo__addf(b,
		 "\n--------------------------------------------------------------------------------\n"
		 "Port   VRF          Status IP Address                              Speed    MTU\n"
		 "--------------------------------------------------------------------------------\n"
		 "mgmt0  --           up     192.168.%u.%-28u 1000     1500\n\n"
		 "--------------------------------------------------------------------------------\n"
		 "Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port\n"
		 "Interface                                                                    Ch #\n"
		 "--------------------------------------------------------------------------------\n",
		 d->o3, d->o4);
	for (unsigned i = 0; i < np + 6; i++) {
		int up = i >= np || fo__if_up(d, i); /* uplinks are up */
		char ifn[32], vl[8];

		snprintf(ifn, sizeof(ifn), "Eth1/%u", i + 1);
		snprintf(vl, sizeof(vl), "%u", fo__port_vlan(d, i));
		fo__addf(b, "%-13s %-7s eth  %-6s %-7s %-24s %-9s --\n", ifn, i < np ? vl : "--",
			 i < np ? "access" : "routed", up ? "up" : "down", up ? "none" : "Administratively down",
			 i < np ? "1000(D)" : "100G(D)");
	}
	fo__addf(b,
		 "\n--------------------------------------------------------------------------------\n"
		 "Interface     Status     Description\n"
		 "--------------------------------------------------------------------------------\n"
		 "Vlan1         down       --\nVlan100       up         management\n"
		 "Lo0           up         --\n");
}

static void nx_interfaces(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = nx_ports(d);
	char ifn[32];

	fo__reseed(g, 3);
	for (unsigned i = 0; i < np + 6; i++) {
		static const unsigned lim[8] = { 9000000, 900, 9000000, 900, 900000, 900000, 60, 24 };
		unsigned r[8];
		int up = i >= np || fo__if_up(d, i);
		unsigned long long in = fo__rnd(g) % 900000000000ULL, out = fo__rnd(g) % 900000000000ULL;

		fo__rndv(g, r, lim, 8);
		if (!up)
			in = out = r[0] = r[1] = r[2] = r[3] = 0;
		nx_ifname(d, i, ifn, sizeof(ifn));
		fo__addf(g->b,
			 "%s is %s\n"
			 "admin state is %s, Dedicated Interface\n"
			 "  Hardware: 100/1000/10000/25000 Ethernet, address: 00de.fb%02x.%02x%02x (bia 00de.fb%02x.%02x%02x)\n"
			 "  MTU %u bytes, BW %s Kbit , DLY 10 usec\n"
			 "  reliability 255/255, txload 1/255, rxload 1/255\n"
			 "  Encapsulation ARPA, medium is broadcast\n"
			 "  Port mode is %s\n  full-duplex, %s, media type is 10G\n"
			 "  Beacon is turned off\n  Auto-Negotiation is turned on  FEC mode is Auto\n"
			 "  Input flow-control is off, output flow-control is off\n"
			 "  Auto-mdix is turned off\n  Rate mode is dedicated\n  Switchport monitor is off \n"
			 "  EtherType is 0x8100 \n  EEE (efficient-ethernet) : n/a\n"
			 "  Last link flapped %uweek(s) %uday(s)\n"
			 "  Last clearing of \"show interface\" counters never\n  1 interface resets\n"
			 "  30 seconds input rate %u bits/sec, %u packets/sec\n"
			 "  30 seconds output rate %u bits/sec, %u packets/sec\n"
			 "  RX\n    %llu unicast packets  %u multicast packets  %u broadcast packets\n"
			 "    %llu input packets  %llu bytes\n    0 runts  0 giants  0 CRC  0 no buffer\n"
			 "    0 input error  0 short frame  0 overrun   0 underrun  0 ignored\n"
			 "  TX\n    %llu unicast packets  0 multicast packets  0 broadcast packets\n"
			 "    %llu output packets  %llu bytes\n    0 output error  0 collision  0 deferred  0 late collision\n\n",
			 ifn, up ? "up" : "down (Administratively down)",
			 up ? "up" : "down", d->o3, d->o4, i, d->o3, d->o4, i, i < np ? 1500 : 9216,
			 i < np ? "1000000" : "100000000", i < np ? "access" : "routed", i < np ? "1000 Mb/s" : "100 Gb/s",
			 r[6] % 9, r[7] % 7, r[0], r[1], r[2], r[3], in / 700, r[4], r[5], in / 700, in, out / 700,
			 out / 700, out);
	}
}

static void nx_route(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 20 + (unsigned)(d->seed % 60);

	fo__reseed(g, 5);
	fo__addf(g->b,
		 "IP Route Table for VRF \"default\"\n'*' denotes best ucast next-hop\n"
		 "'**' denotes best mcast next-hop\n'[x/y]' denotes [preference/metric]\n"
		 "'%%<string>' in via output denotes VRF <string>\n\n"
		 "0.0.0.0/0, ubest/mbest: 1/0\n    *via 10.%u.%u.254, [1/0], 4w2d, static\n"
		 "10.%u.%u.0/24, ubest/mbest: 1/0, attached\n    *via 10.%u.%u.%u, Vlan100, [0/0], 4w2d, direct\n"
		 "10.%u.%u.%u/32, ubest/mbest: 1/0, attached\n    *via 10.%u.%u.%u, Vlan100, [0/0], 4w2d, local\n",
		 d->o2, d->o3, d->o2, d->o3, MGMT(d), MGMT(d), MGMT(d));
	for (unsigned i = 0; i < n; i++) {
		unsigned o2 = fo__rndn(g, 250), o3 = fo__rndn(g, 250), spine = fo__rndn(g, 2), w = fo__rndn(g, 9);
		unsigned dd = fo__rndn(g, 7);

		fo__addf(g->b, "10.%u.%u.0/24, ubest/mbest: 1/0\n    *via 10.254.%u.%u, [20/0], %uw%ud, bgp-%u, external, tag 65%03u\n",
			 o2, o3, d->o3, (d->o4 * 2 + spine * 2 + 1) % 256, w, dd, 65000 + d->o3 % 500, 500 + spine);
	}
}

static void nx_arp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 10 + (unsigned)(d->seed % 90);

	fo__reseed(g, 8);
	fo__addf(g->b,
		 "\nFlags: * - Adjacencies learnt on non-active FHRP router\n"
		 "       + - Adjacencies synced via CFSoE\n       # - Adjacencies Throttled for Glean\n"
		 "       CP - Added via L2RIB, Control plane Adjacencies\n"
		 "       PS - Added via L2RIB, Peer Sync\n       RO - Re-Originated Peer Sync Entry\n"
		 "       D - Static Adjacencies attached to down interface\n\n"
		 "IP ARP Table for context default\nTotal number of entries: %u\n"
		 "Address         Age       MAC Address     Interface       Flags\n",
		 n);
	for (unsigned i = 0; i < n; i++) {
		unsigned m1 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536), m3 = fo__rndn(g, 65536);
		unsigned h = fo__rndn(g, 24), m = fo__rndn(g, 60), s = fo__rndn(g, 60);

		fo__addf(g->b, "10.%u.%u.%-9u %02u:%02u:%02u  %04x.%04x.%04x  Vlan100         \n", d->o2, d->o3, i + 1, h,
			 m, s, m1, m2, m3);
	}
}

static void nx_inventory(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(g->b,
		 "NAME: \"Chassis\",  DESCR: \"Nexus9000 %s Chassis\"\nPID: %-18s,  VID: V01 ,  SN: %s\n\n"
		 "NAME: \"Slot 1\",  DESCR: \"48x10/25G + 6x40/100G Ethernet Module\"\nPID: %-18s,  VID: V01 ,  SN: %s\n\n"
		 "NAME: \"Power Supply 1\",  DESCR: \"Nexus9000 %s Chassis Power Supply\"\n"
		 "PID: NXA-PAC-650W-PE   ,  VID: V01 ,  SN: LIT%04u%04X\n\n"
		 "NAME: \"Fan 1\",  DESCR: \"Nexus9000 %s Chassis Fan Module\"\n"
		 "PID: NXA-FAN-30CFM-B   ,  VID: V01 ,  SN: N/A\n\n",
		 fo__model(d), fo__model(d), sn, fo__model(d), sn, fo__model(d), d->o3, d->o4 * 7, fo__model(d));
}

static void nx_vlan(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d);

	fo__reseed(g, 2);
	fo__rnd(g); /* the password nxos_running draws first */
	fo__adds(g->b, "\nVLAN Name                             Status    Ports\n"
		       "---- -------------------------------- --------- -------------------------------\n"
		       "1    default                          active    \n");
	for (unsigned v = 0; v < nv; v++) {
		char name[64];

		snprintf(name, sizeof(name), "%s-%s-%u", fo__site(d), fo__pick(g, fo__descs, 10), v);
		fo__addf(g->b, "%-4u %-32.32s active    Eth1/%u, Eth1/%u\n", 100 + v * 10, name, v * 2 + 1, v * 2 + 2);
	}
}

static void nx_neighbors(struct fo__gen *g, int lldp)
{
	const struct fo__devid *d = g->d;
	unsigned n = 2 + (unsigned)(d->seed % 3);

	if (lldp)
		fo__adds(g->b, "Capability codes:\n  (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
			       "  (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n"
			       "Device ID            Local Intf      Hold-time  Capability  Port ID  \n");
	else
		fo__adds(g->b, "Capability Codes: R - Router, T - Trans-Bridge, B - Source-Route-Bridge\n"
			       "                  S - Switch, H - Host, I - IGMP, r - Repeater,\n"
			       "                  V - VoIP-Phone, D - Remotely-Managed-Device,\n"
			       "                  s - Supports-STP-Dispute\n\n"
			       "Device-ID          Local Intrfce  Hldtme Capability  Platform      Port ID\n");
	for (unsigned i = 0; i < n; i++) {
		char nb[48];

		snprintf(nb, sizeof(nb), "%s-spine%u", fo__site(d), i + 1);
		if (lldp)
			fo__addf(g->b, "%-20s Eth1/%-10u 120        BR          Ethernet1/%u\n", nb,
				 nx_ports(d) + 1 + i, d->o4 % 32 + 1);
		else
			fo__addf(g->b, "%-18s Eth1/%-9u 155    R S I s     N9K-C9336C-FX Eth1/%u\n", nb,
				 nx_ports(d) + 1 + i, d->o4 % 32 + 1);
	}
	fo__addf(g->b, "\nTotal entries displayed: %u\n", n);
}

static void nx_cdp(struct fo__gen *g)
{
	nx_neighbors(g, 0);
}

static void nx_lldp(struct fo__gen *g)
{
	nx_neighbors(g, 1);
}

static void nx_mac(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = nx_ports(d) * 2;

	fo__reseed(g, 9);
	fo__adds(g->b, "Legend: \n\t* - primary entry, G - Gateway MAC, (R) - Routed MAC, O - Overlay MAC\n"
		       "\tage - seconds since last seen,+ - primary entry using vPC Peer-Link,\n"
		       "\t(T) - True, (F) - False, C - ControlPlane MAC, ~ - vsan,\n"
		       "\t(NA)- Not Applicable\n"
		       "   VLAN     MAC Address      Type      age     Secure NTFY Ports\n"
		       "---------+-----------------+--------+---------+------+----+------------------\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned vlan = 100 + fo__rndn(g, 4) * 10, m1 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536);
		unsigned m3 = fo__rndn(g, 65536), age = fo__rndn(g, 300);

		fo__addf(g->b, "*  %4u     %04x.%04x.%04x   dynamic  %-9u F      F    Eth1/%u\n", vlan, m1, m2, m3, age,
			 i / 2 + 1);
	}
}

static void nx_clock(struct fo__gen *g)
{
	time_t t = (time_t)fo__gen_time(g);
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%H:%M:%S.000 UTC %a %b %d %Y", &tm);
	fo__addf(g->b, "%s\nTime source is NTP\n", s);
}

static void nx_users(struct fo__gen *g)
{
	fo__addf(g->b, "NAME     LINE         TIME         IDLE          PID COMMENT\n"
		       "%-8.8s pts/0        Mar  4 09:15     .         12345 (127.0.0.1) session=ssh *\n",
		 g->d->user);
}

static void nx_cpu(struct fo__gen *g)
{
	static const char *const procs[] = { "sysmgr", "bgp", "ospf", "l2fm", "stp", "lldp",
					     "ethpm", "ipfib", "netstack", "snmpd", "ntpd", "vshd" };
	unsigned us, ks;

	fo__reseed(g, 10);
	us = fo__rndn(g, 20);
	ks = fo__rndn(g, 10);
	fo__addf(g->b, "\nPID    Runtime(ms)  Invoked   uSecs  1Sec    Process\n"
		       "-----  -----------  --------  -----  ------  -----------\n");
	for (unsigned i = 0; i < 40; i++) {
		unsigned rt = fo__rndn(g, 9000000), inv = fo__rndn(g, 90000000), u = fo__rndn(g, 2000);
		unsigned c = fo__rndn(g, 100);

		fo__addf(g->b, "%5u  %11u  %8u  %5u  %2u.%02u%%  %s\n", 1000 + i * 37, rt, inv % 100000000, u, c / 50,
			 c % 100, procs[i % 12]);
	}
	fo__addf(g->b, "CPU util  :   %u.00%% user,    %u.00%% kernel,   %u.00%% idle\n", us, ks, 100 - us - ks);
}

static void nx_logging(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 40 + (unsigned)(d->seed % 80);

	fo__reseed(g, 11);
	fo__addf(g->b,
		 "Logging console:                enabled (Severity: critical)\nLogging monitor:                enabled (Severity: notifications)\n"
		 "Logging linecard:               enabled (Severity: notifications)\nLogging timestamp:              Seconds\n"
		 "Logging server:                 enabled\n{10.%u.0.10}\n\tServer severity:        notifications\n"
		 "\tServer facility:        local7\n\tServer VRF:             management\n"
		 "Logging logfile:                enabled\n\tName - messages: Severity - notifications Size - 4194304\n\n"
		 "Log File: \n",
		 d->o2);
	for (unsigned i = 0; i < n; i++) {
		unsigned port = fo__rndn(g, nx_ports(d)) + 1, h = fo__rndn(g, 24), m = fo__rndn(g, 60);
		unsigned s = fo__rndn(g, 60);

		fo__addf(g->b, "2025 Mar  %u %02u:%02u:%02u %s %%ETHPORT-5-IF_%s: Interface Ethernet1/%u is %s\n", 1 + i / 20,
			 h, m, s, d->name, i % 2 ? "UP" : "DOWN", port, i % 2 ? "up in mode access" : "down (Link failure)");
	}
}

static void nx_ntp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "--------------------------------------------------------------------------------------------------\n"
		 "  Peer IP Address                         Serv/Peer Prefer KeyId   Vrf\n"
		 "--------------------------------------------------------------------------------------------------\n"
		 "  10.%u.0.123                             Server    yes    None    management\n"
		 "  10.%u.1.123                             Server    no     None    management\n",
		 d->o2, d->o2);
}

static void nx_ntp_status(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "Total peers : 2\n* - selected for sync, + -  peer mode(active), \n"
		 "- - peer mode(passive), = - polled in client mode \n"
		 "    remote                                 local                                   st   poll   reach delay   vrf\n"
		 "-------------------------------------------------------------------------------------------------------------------\n"
		 "*10.%u.0.123                              192.168.%u.%-30u 2   1024   377   0.00121 management\n"
		 "=10.%u.1.123                              192.168.%u.%-30u 2   1024   377   0.00134 management\n",
		 d->o2, d->o3, d->o4, d->o2, d->o3, d->o4);
}

static void nx_stp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d);

	fo__adds(g->b, "Switch is in rapid-pvst mode \nRoot bridge for: none\n"
		       "Port Type Default                        is disable\nEdge Port [PortFast] BPDU Guard Default  is enabled\n"
		       "Edge Port [PortFast] BPDU Filter Default is disabled\nBridge Assurance                         is enabled\n"
		       "Loopguard Default                        is disabled\nPathcost method used                     is short\n"
		       "STP-Lite                                 is enabled\n\n"
		       "Name                   Blocking Listening Learning Forwarding STP Active\n"
		       "---------------------- -------- --------- -------- ---------- ----------\n");
	for (unsigned v = 0; v < nv; v++)
		fo__addf(g->b, "VLAN%04u                     0         0        0 %10u %10u\n", 100 + v * 10, 3 + v % 5,
			 3 + v % 5);
	fo__addf(g->b, "---------------------- -------- --------- -------- ---------- ----------\n"
		       "%-22u        0         0        0 %10u %10u\n",
		 nv, nv * 4, nv * 4);
}

static void nx_env(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;

	fo__addf(g->b,
		 "Fan:\n---------------------------------------------------------------------------\n"
		 "Fan             Model                Hw     Direction       Status\n"
		 "---------------------------------------------------------------------------\n"
		 "Fan1(sys_fan1)  NXA-FAN-30CFM-B      --     front-to-back   Ok \n"
		 "Fan2(sys_fan2)  NXA-FAN-30CFM-B      --     front-to-back   Ok \n"
		 "Fan3(sys_fan3)  NXA-FAN-30CFM-B      --     front-to-back   Ok \n"
		 "Fan_in_PS1      --                   --     front-to-back   Ok \n"
		 "Fan_in_PS2      --                   --     front-to-back   Ok \n"
		 "Fan Zone Speed: Zone 1: 0x5f\nFan Air Filter : NotSupported\n\n\n"
		 "Power Supply:\nVoltage: 12 Volts\nPower                              Actual        Actual        Total\n"
		 "Supply    Model                    Output        Input      Capacity    Status\n"
		 "                                   (Watts )      (Watts )     (Watts )\n"
		 "-------  -------------------  -----------  -----------  -----------  --------------\n"
		 "1        NXA-PAC-650W-PE          %3u W        %3u W        650 W     Ok        \n"
		 "2        NXA-PAC-650W-PE          %3u W        %3u W        650 W     Ok        \n\n\n"
		 "Temperature:\n--------------------------------------------------------------------\n"
		 "Module   Sensor        MajorThresh   MinorThres   CurTemp     Status\n"
		 "                       (Celsius)     (Celsius)    (Celsius)         \n"
		 "--------------------------------------------------------------------\n"
		 "1        FRONT           80              70          %u        Ok             \n"
		 "1        BACK            70              42          %u        Ok             \n"
		 "1        CPU             90              80          %u        Ok             \n",
		 120 + d->o4 % 40, 130 + d->o4 % 40, 118 + d->o3 % 40, 128 + d->o3 % 40, 24 + d->o4 % 10,
		 28 + d->o4 % 10, 40 + d->o4 % 15);
}

static void nx_bgp(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned n = 2 + (unsigned)(d->seed % 3), asn = 65000 + d->o3 % 500;

	fo__reseed(g, 12);
	fo__addf(g->b,
		 "BGP summary information for VRF default, address family IPv4 Unicast\n"
		 "BGP router identifier 10.255.%u.%u, local AS number %u\n"
		 "BGP table version is %u, IPv4 Unicast config peers %u, capable peers %u\n"
		 "%u network entries and %u paths using %u bytes of memory\n"
		 "BGP attribute entries [2/704], BGP AS path entries [1/6]\n"
		 "BGP community entries [0/0], BGP clusterlist entries [0/0]\n\n"
		 "Neighbor        V    AS    MsgRcvd    MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd\n",
		 d->o3, d->o4, asn, 500 + d->o4, n, n, 40 + n * 10, 40 + n * 20, (40 + n * 10) * 168);
	for (unsigned i = 0; i < n; i++) {
		unsigned rcvd = fo__rndn(g, 900000), sent = fo__rndn(g, 900000), w = fo__rndn(g, 50);
		unsigned dd = fo__rndn(g, 7), pfx = fo__rndn(g, 400);

		fo__addf(g->b, "10.254.%u.%-6u 4 65%03u %10u %10u %8u    0    0 %5uw%ud %u\n", d->o3,
			 (d->o4 * 2 + i * 2 + 1) % 256, 500 + i, rcvd, sent, 500 + d->o4, w, dd, pfx);
	}
}

static void nx_int_status(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = nx_ports(d);

	fo__adds(g->b, "\n--------------------------------------------------------------------------------\n"
		       "Port          Name               Status    Vlan      Duplex  Speed   Type\n"
		       "--------------------------------------------------------------------------------\n"
		       "mgmt0         --                 connected routed    full    1000    --         \n");
	for (unsigned i = 0; i < np + 6; i++) {
		int up = i >= np || fo__if_up(d, i);
		char ifn[16], vl[8];

		snprintf(ifn, sizeof(ifn), "Eth1/%u", i + 1);
		snprintf(vl, sizeof(vl), "%u", fo__port_vlan(d, i));
		fo__addf(g->b, "%-13s %-18.18s %-9s %-9s full    %-7s %s\n", ifn, i < np ? fo__port_desc(d, i) : "uplink",
			 up ? "connected" : "disabled", i < np ? vl : "routed", i < np ? "1000" : "100G",
			 i < np ? "10Gbase-SR" : "QSFP-100G-SR4");
	}
}

static void nx_ip_int_brief(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	unsigned np = nx_ports(d);

	fo__addf(g->b,
		 "IP Interface Status for VRF \"default\"(1)\n"
		 "Interface            IP Address      Interface Status\n"
		 "Vlan100              10.%u.%u.%-8u protocol-up/link-up/admin-up       \n"
		 "Lo0                  10.255.%u.%-6u protocol-up/link-up/admin-up       \n",
		 MGMT(d), d->o3, d->o4);
	for (unsigned i = 0; i < 6; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.254.%u.%u", d->o3, (d->o4 * 2 + i * 2) % 256);
		fo__addf(g->b, "Eth1/%-15u %-15s protocol-up/link-up/admin-up       \n", np + 1 + i, ip);
	}
}

static void nx_module(struct fo__gen *g)
{
	const struct fo__devid *d = g->d;
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(g->b,
		 "Mod Ports             Module-Type                      Model           Status\n"
		 "--- ----- ------------------------------------- --------------------- ---------\n"
		 "1    %-4u 48x10/25G + 6x40/100G Ethernet Module %-21s active *\n\n"
		 "Mod  Sw                       Hw    Slot\n---  ----------------------- ------ ----\n"
		 "1    " NXVER "                  1.0    NA  \n\n\n"
		 "Mod  MAC-Address(es)                         Serial-Num\n"
		 "---  --------------------------------------  ----------\n"
		 "1    00-de-fb-%02x-%02x-00 to 00-de-fb-%02x-%02x-ff  %s\n\n"
		 "Mod  Online Diag Status\n---  ------------------\n1    Pass\n\n* this terminal session \n",
		 nx_ports(d) + 6, fo__model(d), d->o3, d->o4, d->o3, d->o4, sn);
}

const struct fo__show fo__show_nxos[] = {
	{ "show version", nx_version },
	{ "show running-config", fo__nxos_running },
	{ "show interface", nx_interfaces },
	{ "show interface brief", nx_int_brief },
	{ "show interface status", nx_int_status },
	{ "show ip interface brief", nx_ip_int_brief },
	{ "show ip route", nx_route },
	{ "show ip arp", nx_arp },
	{ "show inventory", nx_inventory },
	{ "show vlan brief", nx_vlan },
	{ "show cdp neighbors", nx_cdp },
	{ "show lldp neighbors", nx_lldp },
	{ "show mac address-table", nx_mac },
	{ "show clock", nx_clock },
	{ "show users", nx_users },
	{ "show processes cpu", nx_cpu },
	{ "show logging", nx_logging },
	{ "show ntp peers", nx_ntp },
	{ "show ntp peer-status", nx_ntp_status },
	{ "show spanning-tree summary", nx_stp },
	{ "show environment", nx_env },
	{ "show ip bgp summary", nx_bgp },
	{ "show bgp ipv4 unicast summary", nx_bgp },
	{ "show module", nx_module },
	{ NULL, NULL },
};
