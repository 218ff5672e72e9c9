/*
 * The Junos-like device's show outputs (an EX/QFX switch), devsim's since
 * the start and still byte for byte: outputs.h says how they are derived
 * and what they must keep.
 */
#include <stdio.h>

#include "outputs.h"

/* The management address: 10.o2.o3.o4 of 127.o2.o3.o4 (text only). */
#define MGMT(d) (d)->o2, (d)->o3, (d)->o4

static void jn_version(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, "fpc0:\n--------------------------------------------------------------------------\n"
		   "Hostname: %s\nModel: %s\nJunos: 22.4R3-S2.11\n"
		   "JUNOS OS Kernel 64-bit  [20231114.6f8dbd3_builder_stable_12_224]\n"
		   "JUNOS OS libs [20231114.6f8dbd3_builder_stable_12_224]\n"
		   "JUNOS OS runtime [20231114.6f8dbd3_builder_stable_12_224]\n"
		   "JUNOS py base [20231130.120052_builder_junos_224_r3_s2]\n"
		   "JUNOS Packet Forwarding Engine Support (qfx-ex-x86-32) [22.4R3-S2.11]\n"
		   "JUNOS Routing Engine Software Suite [22.4R3-S2.11]\n",
		d->name, fo__model(d));
}

void fo__jn_config(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned np = fo__nports(d), nv = fo__nvlans(d);
	unsigned long long key, hash, salt;

	fo__reseed(g, 2);
	key = fo__rnd(g);
	hash = fo__rnd(g);
	salt = fo__rnd(g) & 0xffffffff;
	fo__addf(b,
		"## Last commit: 2025-03-04 09:%02u:%02u UTC by netops\nversion 22.4R3-S2.11;\nsystem {\n"
		"    host-name %s;\n    root-authentication {\n        encrypted-password \"$6$%08llx$%016llx\"; ## SECRET-DATA\n    }\n"
		"    login {\n        user netops {\n            uid 2000;\n            class super-user;\n"
		"            authentication {\n                ssh-ed25519 \"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA%016llx netops\";\n"
		"            }\n        }\n    }\n    services {\n        ssh {\n            root-login deny;\n"
		"            protocol-version v2;\n        }\n        netconf {\n            ssh;\n        }\n    }\n"
		"    domain-name %s.example.net;\n    name-server {\n        10.%u.0.53;\n        10.%u.1.53;\n    }\n"
		"    syslog {\n        host 10.%u.0.10 {\n            any notice;\n        }\n"
		"        file messages {\n            any notice;\n            authorization info;\n        }\n    }\n"
		"    ntp {\n        server 10.%u.0.123 prefer;\n    }\n}\ninterfaces {\n",
		(unsigned)(d->seed % 60), (unsigned)(d->seed / 60 % 60), d->name, salt, hash, key, fo__site(d), d->o2, d->o2, d->o2, d->o2);
	for (unsigned i = 0; i < np; i++) {
		unsigned vlan;
		const char *desc;

		if (!fo__if_up(d, i)) {
			fo__addf(b, "    ge-0/0/%u {\n        disable;\n    }\n", i);
			continue;
		}
		vlan = 100 + fo__rndn(g, nv) * 10;
		desc = fo__pick(g, fo__descs, 10);
		fo__addf(b,
			"    ge-0/0/%u {\n        description \"%s-%s-%03u\";\n        unit 0 {\n"
			"            family ethernet-switching {\n                interface-mode access;\n"
			"                vlan {\n                    members v%u;\n                }\n"
			"            }\n        }\n    }\n",
			i, fo__site(d), desc, i + 1, vlan);
	}
	fo__addf(b,
		"    irb {\n        unit 100 {\n            family inet {\n                address 10.%u.%u.%u/24;\n"
		"            }\n        }\n    }\n    lo0 {\n        unit 0 {\n            family inet {\n"
		"                address 10.255.%u.%u/32;\n            }\n        }\n    }\n}\n"
		"routing-options {\n    static {\n        route 0.0.0.0/0 next-hop 10.%u.%u.254;\n    }\n}\n"
		"firewall {\n    family inet {\n        filter INBOUND {\n",
		MGMT(d), d->o3, d->o4, d->o2, d->o3);
	for (unsigned i = 0; i < 40 + np / 2; i++) {
		unsigned port = (unsigned[]){ 22, 80, 443, 161, 514, 8443 }[fo__rndn(g, 6)];
		unsigned o3 = fo__rndn(g, 250), o2 = fo__rndn(g, 250);

		fo__addf(b,
			"            term t%u {\n                from {\n                    source-address {\n"
			"                        10.%u.%u.0/24;\n                    }\n                    protocol tcp;\n"
			"                    destination-port %u;\n                }\n                then accept;\n"
			"            }\n",
			i, o2, o3, port);
	}
	fo__adds(b, "            term deny {\n                then {\n                    discard;\n                }\n"
		"            }\n        }\n    }\n}\nvlans {\n");
	for (unsigned v = 0; v < nv; v++)
		fo__addf(b, "    v%u {\n        description \"%s-%s-%u\";\n        vlan-id %u;\n    }\n", 100 + v * 10,
			fo__site(d), fo__pick(g, fo__descs, 10), v, 100 + v * 10);
	fo__adds(b, "}\n");
}

static void jn_int_terse(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__adds(b, "Interface               Admin Link Proto    Local                 Remote\n");
	for (unsigned i = 0; i < fo__nports(d); i++) {
		int up = fo__if_up(d, i);

		fo__addf(b, "ge-0/0/%-16u %-5s %-4s\n", i, up ? "up" : "down", up ? "up" : "down");
		if (up)
			fo__addf(b, "ge-0/0/%u.0%-*s up    up   eth-switch\n", i, i < 10 ? 12 : 11, "");
	}
	fo__addf(b, "irb.100                 up    up   inet     10.%u.%u.%u/24\n"
		   "lo0.0                   up    up   inet     10.255.%u.%u        --> 0/0\n",
		MGMT(d), d->o3, d->o4);
}

static void jn_interfaces(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__reseed(g, 3);
	for (unsigned i = 0; i < fo__nports(d); i++) {
		static const unsigned lim[8] = { 28, 24, 60, 60, 9000000, 900, 9000000, 900 };
		int up = fo__if_up(d, i);
		unsigned r[8];

		fo__rndv(g, r, lim, up ? 8 : 4);
		if (!up)
			r[4] = r[5] = r[6] = r[7] = 0;
		fo__addf(b,
			"Physical interface: ge-0/0/%u, %s, Physical link is %s\n"
			"  Interface index: %u, SNMP ifIndex: %u\n"
			"  Link-level type: Ethernet, MTU: 1514, LAN-PHY mode, Speed: 1000mbps, Duplex: Full-Duplex,\n"
			"  BPDU Error: None, Loop Detect PDU Error: None, MAC-REWRITE Error: None, Loopback: Disabled,\n"
			"  Source filtering: Disabled, Flow control: Disabled, Auto-negotiation: Enabled\n"
			"  Current address: 2c:6b:f5:%02x:%02x:%02x, Hardware address: 2c:6b:f5:%02x:%02x:%02x\n"
			"  Last flapped   : 2025-02-%02u %02u:%02u:%02u UTC\n"
			"  Input rate     : %u bps (%u pps)\n  Output rate    : %u bps (%u pps)\n\n",
			i, up ? "Enabled" : "Administratively down", up ? "Up" : "Down", 650 + i, 500 + i, d->o3,
			d->o4, i, d->o3, d->o4, i, 1 + r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	}
}

static void jn_route(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 20 + (unsigned)(d->seed % 60);

	fo__reseed(g, 5);
	fo__addf(b, "\ninet.0: %u destinations, %u routes (%u active, 0 holddown, 0 hidden)\n"
		   "+ = Active Route, - = Last Active, * = Both\n\n"
		   "0.0.0.0/0          *[Static/5] 4w2d 01:02:03\n                    >  to 10.%u.%u.254 via irb.100\n",
		n + 3, n + 3, n + 3, d->o2, d->o3);
	for (unsigned i = 0; i < n; i++) {
		static const unsigned lim[8] = { 250, 250, 9, 7, 24, 60, 60, 40 };
		unsigned r[8];

		fo__rndv(g, r, lim, 8);
		fo__addf(b, "10.%u.%u.0/24%*s*[OSPF/10] %uw%ud %02u:%02u:%02u, metric %u\n"
			   "                    >  to 10.%u.%u.254 via irb.100\n",
			 r[0], r[1], 4, "", r[2], r[3], r[4], r[5], r[6], 2 + r[7], d->o2, d->o3);
	}
}

static void jn_hardware(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(b, "Hardware inventory:\nItem             Version  Part number  Serial number     Description\n"
		   "Chassis                                %-17s %s\n"
		   "Pseudo CB 0\nRouting Engine 0 REV 05   650-044931   %-17s RE-%s\n"
		   "FPC 0            REV 05   650-044931   %-17s %s\n  CPU                     BUILTIN      BUILTIN           FPC CPU\n"
		   "  PIC 0                   BUILTIN      BUILTIN           48x10/100/1000 Base-T\n"
		   "Power Supply 0   REV 03   740-046873   1EDE%04u%04u      JPSU-350-AC-AFO\n"
		   "Fan Tray 0                                               Fan Module, Airflow Out (AFO)\n",
		sn, fo__model(d), sn, fo__model(d), sn, fo__model(d), d->o3, d->o4);
}

static void jn_uptime(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned m = fo__uptime_min(d);

	fo__addf(b, "Current time: 2025-03-04 09:15:00 UTC\nTime Source:  NTP CLOCK \n"
		   "System booted: 2024-11-02 03:11:41 UTC (%uw%ud %02u:%02u ago)\n"
		   "Protocols started: 2024-11-02 03:13:02 UTC (%uw%ud %02u:%02u ago)\n"
		   "Last configured: 2025-03-04 09:00:13 UTC (00:14:47 ago) by netops\n"
		   " 9:15AM  up %u days, %2u:%02u, 1 user, load averages: 0.41, 0.38, 0.35\n",
		m / 10080, m / 1440 % 7, m / 60 % 24, m % 60, m / 10080, m / 1440 % 7, m / 60 % 24, m % 60,
		m / 1440, m / 60 % 24, m % 60);
}

static void jn_lldp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 2 + (unsigned)(d->seed % 6);

	fo__reseed(g, 7);
	fo__adds(b, "Local Interface    Parent Interface    Chassis Id          Port info          System Name\n");
	for (unsigned i = 0; i < n; i++) {
		static const unsigned lim[4] = { 256, 256, 256, 48 };
		unsigned r[4];

		fo__rndv(g, r, lim, 4);
		fo__addf(b, "xe-0/2/%-11u -                   2c:6b:f5:%02x:%02x:%02x   xe-0/0/%-10u %s-%s%u\n", i % 4,
			 r[0], r[1], r[2], r[3], fo__site(d), i < 2 ? "dist" : "ap", i + 1);
	}
}

static void jn_arp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 10 + (unsigned)(d->seed % 90);

	fo__reseed(g, 8);
	fo__adds(b, "MAC Address       Address         Name                      Interface               Flags\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned lim[7] = { 256, 256, 256, 256, 256, 256, fo__nports(d) };
		unsigned r[7];

		fo__rndv(g, r, lim, 7);
		fo__addf(b, "%02x:%02x:%02x:%02x:%02x:%02x 10.%u.%u.%-9u 10.%u.%u.%-15u irb.100 [ge-0/0/%u.0] none\n",
			 r[0], r[1], r[2], r[3], r[4], r[5], d->o2, d->o3, i + 1, d->o2, d->o3, i + 1, r[6]);
	}
	fo__addf(b, "Total entries: %u\n", n);
}

static void jn_bgp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 2 + (unsigned)(d->seed % 5);

	fo__reseed(g, 12);
	fo__addf(b, "Threading mode: BGP I/O\nDefault eBGP mode: advertise - accept, receive - accept\n"
		   "Groups: 1 Peers: %u Down peers: 0\n"
		   "Table          Tot Paths  Act Paths Suppressed    History Damp State    Pending\n"
		   "inet.0               %3u        %3u          0          0          0          0\n"
		   "Peer                     AS      InPkt     OutPkt    OutQ   Flaps Last Up/Dwn State|#Active/Received/Accepted/Damped...\n",
		n, n * 20, n * 20);
	for (unsigned i = 0; i < n; i++) {
		static const unsigned lim[5] = { 1000, 900000, 900000, 50, 7 };
		unsigned r[5];

		fo__rndv(g, r, lim, 5);
		fo__addf(b, "10.255.%u.%-13u 65%03u %10u %10u       0       0   %uw%ud Establ\n  inet.0: 20/20/20/0\n",
			 d->o3, 200 + i, r[0], r[1], r[2], r[3], r[4]);
	}
}

static void jn_alarms(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	if (d->seed % 3)
		fo__adds(b, "No alarms currently active\n");
	else
		fo__adds(b, "1 alarms currently active\nAlarm time               Class  Description\n"
			"2025-02-11 08:02:19 UTC  Minor  Rescue configuration is not set\n");
}

static void jn_env(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, "Class Item                           Status     Measurement\n"
		   "Power FPC 0 Power Supply 0           OK\n"
		   "Temp  FPC 0 GEPHY Front Left         OK         %u degrees C / %u degrees F\n"
		   "      FPC 0 Maxim Sensor             OK         %u degrees C / %u degrees F\n"
		   "Fans  FPC 0 Fan Tray 0 Fan 0         OK         Spinning at normal speed\n"
		   "      FPC 0 Fan Tray 0 Fan 1         OK         Spinning at normal speed\n",
		30 + d->o4 % 10, (30 + d->o4 % 10) * 9 / 5 + 32, 35 + d->o4 % 8, (35 + d->o4 % 8) * 9 / 5 + 32);
}

static void jn_mac(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = fo__nports(d) * 2;

	fo__reseed(g, 9);
	fo__addf(b, "\nMAC flags (S - static MAC, D - dynamic MAC, L - locally learned, P - Persistent static)\n\n"
		   "Ethernet switching table : %u entries, %u learned\nRouting instance : default-switch\n"
		   "   Vlan                MAC                 MAC         Age    Logical                NH        RTR \n"
		   "   name                address             flags              interface              Index     ID\n",
		n, n);
	for (unsigned i = 0; i < n; i++) {
		static const unsigned lim[7] = { 4, 256, 256, 256, 256, 256, 256 };
		unsigned r[7];

		fo__rndv(g, r, lim, 7);
		fo__addf(b, "   v%-18u %02x:%02x:%02x:%02x:%02x:%02x   D             -   ge-0/0/%u.0%-12s 0         0\n",
			 100 + r[0] * 10, r[1], r[2], r[3], r[4], r[5], r[6], i / 2, "");
	}
}

static void jn_log(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 40 + (unsigned)(d->seed % 80);

	fo__reseed(g, 11);
	for (unsigned i = 0; i < n; i++) {
		unsigned lim[6] = { 24, 60, 60, 100, 48, fo__nports(d) };
		unsigned r[6];

		fo__rndv(g, r, lim, 6);
		fo__addf(b, "Mar  %u %02u:%02u:%02u  %s mib2d[%u]: SNMP_TRAP_LINK_%s: ifIndex %u, ifAdminStatus up(1), ifOperStatus %s, ifName ge-0/0/%u\n",
			 1 + i / 20, r[0], r[1], r[2], d->name, 2000 + r[3], i % 2 ? "UP" : "DOWN", 500 + r[4],
			 i % 2 ? "up(1)" : "down(2)", r[5]);
	}
}

static void jn_ntp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, "     remote           refid      st t when poll reach   delay   offset  jitter\n"
		   "===============================================================================\n"
		   "*10.%u.0.123      10.0.0.1         2 -  %3u 1024  377    1.204   -0.%03u   0.951\n",
		d->o2, d->o4 % 1000, d->o4 % 1000);
}

static void jn_users(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, " 9:15AM  up 12 days, 1 user, load averages: 0.41, 0.38, 0.35\n"
		   "USER     TTY      FROM                              LOGIN@  IDLE WHAT\n"
		   "%-8.8s pts/0    127.0.0.1                         9:15AM     - -cli (cli)\n",
		d->user);
}

static void jn_processes(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	static const char *const procs[] = { "rpd", "mgd", "chassisd", "dcd", "snmpd", "mib2d", "l2ald",
					     "eventd", "sshd", "ntpd", "lacpd", "lldpd" };

	fo__reseed(g, 10);
	fo__adds(b, "last pid: 84211;  load averages:  0.41,  0.38,  0.35  up 12+01:02:03    09:15:00\n"
		"112 processes: 1 running, 110 sleeping, 1 zombie\n\n"
		"  PID USERNAME    THR PRI NICE   SIZE    RES STATE    TIME    WCPU COMMAND\n");
	for (unsigned i = 0; i < 40; i++) {
		static const unsigned lim[6] = { 80000, 900, 300, 60, 60, 100 };
		unsigned r[6];

		fo__rndv(g, r, lim, 6);
		fo__addf(b, "%5u root          1  20    0 %5uM %5uM select   %u:%02u   0.%02u%% %s\n", 1000 + r[0], 50 + r[1], 10 + r[2],
			 r[3], r[4], r[5], procs[i % 12]);
	}
}
/* devsim's Junos show commands, as it has always had them (see
 * fo__show_ios on why the set stays as it is). */
const struct fo__show fo__show_junos[] = {
	{ "show version", jn_version },
	{ "show configuration", fo__jn_config },
	{ "show interfaces", jn_interfaces },
	{ "show interfaces terse", jn_int_terse },
	{ "show route", jn_route },
	{ "show chassis hardware", jn_hardware },
	{ "show chassis environment", jn_env },
	{ "show system uptime", jn_uptime },
	{ "show system alarms", jn_alarms },
	{ "show system users", jn_users },
	{ "show system processes summary", jn_processes },
	{ "show lldp neighbors", jn_lldp },
	{ "show arp", jn_arp },
	{ "show arp no-resolve", jn_arp },
	{ "show bgp summary", jn_bgp },
	{ "show ethernet-switching table", jn_mac },
	{ "show log messages", jn_log },
	{ "show ntp associations", jn_ntp },
	{ NULL, NULL },
};
