/*
 * The IOS-XE-like device's show outputs (a Catalyst 9300 access switch),
 * devsim's since the start and still byte for byte: outputs.h says how
 * they are derived and what they must keep.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "outputs.h"

/* The management address: 10.o2.o3.o4 of 127.o2.o3.o4 (text only). */
#define MGMT(d) (d)->o2, (d)->o3, (d)->o4

static void ios_version(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	char up[96], sn[32];

	fo__uptime_str(d, up, sizeof(up));
	fo__serial(d, sn, sizeof(sn));
	fo__addf(b,
		"Cisco IOS XE Software, Version 17.09.04a\n"
		"Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\n"
		"Technical Support: http://www.cisco.com/techsupport\n"
		"Copyright (c) 1986-2023 by Cisco Systems, Inc.\n"
		"Compiled Fri 20-Oct-23 10:44 by mcpre\n\n"
		"ROM: IOS-XE ROMMON\n"
		"BOOTLDR: System Bootstrap, Version 17.11.1r, RELEASE SOFTWARE (P)\n\n"
		"%s uptime is %s\n"
		"Uptime for this control processor is %s\n"
		"System returned to ROM by Reload Command\n"
		"System image file is \"flash:packages.conf\"\n"
		"Last reload reason: Reload Command\n\n"
		"cisco %s (X86) processor with 1331521K/6147K bytes of memory.\n"
		"Processor board ID %s\n"
		"%u Virtual Ethernet interfaces\n"
		"%u Gigabit Ethernet interfaces\n"
		"4 Ten Gigabit Ethernet interfaces\n"
		"2048K bytes of non-volatile configuration memory.\n"
		"8388608K bytes of physical memory.\n\n"
		"Switch Ports Model              SW Version        SW Image              Mode\n"
		"------ ----- -----              ----------        ----------            ----\n"
		"*    1 %-5u %-18s 17.09.04a         CAT9K_IOSXE           INSTALL\n\n"
		"Configuration register is 0x102\n",
		d->name, up, up, fo__model(d), sn, 2 + d->o4 % 5, fo__nports(d), fo__nports(d) + 4, fo__model(d));
}

static void ios_ifname(const struct fo__devid *d, unsigned i, char *s, size_t n)
{
	if (i < fo__nports(d))
		snprintf(s, n, "GigabitEthernet1/0/%u", i + 1);
	else
		snprintf(s, n, "TenGigabitEthernet1/1/%u", i - fo__nports(d) + 1);
}

/*
 * show running-config and show startup-config: a function per section,
 * ios_config below calls them in order. Where one call draws several
 * random numbers, they are drawn into locals first, last argument first:
 * the order gcc evaluated devsim's arguments in, which made its bytes.
 */

/* The global part: services, hostname, AAA with the secrets (the first
 * draws), VLANs and the QoS maps. */
static void ios_config_global(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d);
	unsigned long long u_hash, u_salt, e_hash, e_salt;

	u_hash = fo__rnd(g);
	u_salt = fo__rnd(g) & 0xffffffff;
	e_hash = fo__rnd(g);
	e_salt = fo__rnd(g) & 0xffffffff;
	fo__addf(b,
		"!\n! Last configuration change at 09:%02u:%02u UTC Tue Mar 4 2025 by netops\n!\n"
		"version 17.9\nservice timestamps debug datetime msec\nservice timestamps log datetime msec\n"
		"service password-encryption\nservice call-home\nno platform punt-keepalive disable-kernel-core\n!\n"
		"hostname %s\n!\nvrf definition Mgmt-vrf\n !\n address-family ipv4\n exit-address-family\n !\n"
		" address-family ipv6\n exit-address-family\n!\nlogging buffered 64000 informational\n"
		"enable secret 9 $9$%08llx$%016llx\n!\naaa new-model\n!\n"
		"aaa authentication login default group tacacs+ local\naaa authorization exec default group tacacs+ local\n"
		"aaa accounting commands 15 default start-stop group tacacs+\n!\naaa session-id common\n"
		"clock timezone UTC 0 0\nswitch 1 provision %s\n!\nip routing\n!\n"
		"ip domain name %s.example.net\nip name-server 10.%u.0.53 10.%u.1.53\n!\n"
		"login on-success log\n!\nspanning-tree mode rapid-pvst\nspanning-tree extend system-id\n!\n"
		"username netops privilege 15 secret 9 $9$%08llx$%016llx\n!\nredundancy\n mode sso\n!\n",
		(unsigned)(d->seed % 60), (unsigned)(d->seed / 60 % 60), d->name,
		e_salt, e_hash, fo__model(d), fo__site(d), d->o2, d->o2, u_salt, u_hash);
	for (unsigned v = 0; v < nv; v++)
		fo__addf(b, "vlan %u\n name %s-%s-%u\n!\n", 100 + v * 10, fo__site(d), fo__pick(g, fo__descs, 10), v);
	fo__adds(b, "class-map match-any VOICE\n match dscp ef\nclass-map match-any VIDEO\n match dscp af41\n!\n"
		"policy-map QOS-OUT\n class VOICE\n  priority level 1 percent 10\n class VIDEO\n  bandwidth remaining percent 30\n"
		" class class-default\n  bandwidth remaining percent 60\n!\n");
}

/* The interfaces: access ports (802.1X, port security), the four
 * uplinks, then the SVIs, the loopback and the routes. */
static void ios_config_interfaces(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned np = fo__nports(d), nv = fo__nvlans(d);
	char ifn[48];

	for (unsigned i = 0; i < np + 4; i++) {
		unsigned vlan;
		const char *desc;

		ios_ifname(d, i, ifn, sizeof(ifn));
		fo__addf(b, "interface %s\n", ifn);
		if (i >= np) {
			fo__addf(b,
				" description uplink-%s-dist%u-te%u\n switchport trunk allowed vlan 1,100-%u\n"
				" switchport mode trunk\n channel-group 1 mode active\n service-policy output QOS-OUT\n!\n",
				fo__site(d), i - np + 1, (unsigned)fo__rndn(g, 48) + 1, 100 + (nv - 1) * 10);
			continue;
		}
		if (!fo__if_up(d, i)) {
			fo__adds(b, " shutdown\n!\n");
			continue;
		}
		vlan = 100 + fo__rndn(g, nv) * 10;
		desc = fo__pick(g, fo__descs, 10);
		fo__addf(b,
			" description %s-%s-%03u\n switchport access vlan %u\n switchport mode access\n"
			" switchport voice vlan 999\n switchport port-security maximum 3\n switchport port-security\n"
			" authentication port-control auto\n mab\n dot1x pae authenticator\n"
			" authentication event fail action next-method\n authentication host-mode multi-auth\n"
			" authentication order dot1x mab\n authentication priority dot1x mab\n"
			" authentication periodic\n authentication timer reauthenticate server\n"
			" storm-control broadcast level 1.00\n storm-control action trap\n"
			" device-tracking attach-policy IPDT-POLICY\n ip dhcp snooping limit rate 15\n"
			" spanning-tree portfast\n spanning-tree bpduguard enable\n service-policy output QOS-OUT\n!\n",
			fo__site(d), desc, i + 1, vlan);
	}
	fo__addf(b,
		"interface Vlan1\n no ip address\n shutdown\n!\ninterface Loopback0\n ip address 10.255.%u.%u 255.255.255.255\n!\n"
		"interface Vlan100\n description management\n ip address 10.%u.%u.%u 255.255.255.0\n!\n"
		"ip default-gateway 10.%u.%u.254\nip forward-protocol nd\nip http server\nip http secure-server\n"
		"ip ssh version 2\nip ssh server algorithm encryption aes256-gcm aes256-ctr\n!\n"
		"ip route 0.0.0.0 0.0.0.0 10.%u.%u.254\nip route vrf Mgmt-vrf 0.0.0.0 0.0.0.0 192.168.%u.1\n!\n",
		d->o3, d->o4, MGMT(d), d->o2, d->o3, d->o2, d->o3, d->o3);
}

/* The access lists: SNMP-RO, and INBOUND with two lines per port over 100. */
static void ios_config_acls(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	unsigned np = fo__nports(g->d);

	fo__adds(b, "ip access-list standard SNMP-RO\n");
	for (unsigned i = 0; i < 16; i++) {
		unsigned o3 = fo__rndn(g, 250), o2 = fo__rndn(g, 250);

		fo__addf(b, " %u permit 10.%u.%u.0 0.0.0.255\n", (i + 1) * 10, o2, o3);
	}
	fo__adds(b, " 1000 deny   any log\nip access-list extended INBOUND\n");
	for (unsigned i = 0; i < 100 + np * 2; i++) {
		unsigned port = (unsigned[]){ 22, 80, 443, 161, 514, 8443 }[fo__rndn(g, 6)];
		unsigned h4 = fo__rndn(g, 250) + 1, h3 = fo__rndn(g, 250), h2 = fo__rndn(g, 250);
		unsigned s3 = fo__rndn(g, 250), s2 = fo__rndn(g, 250);

		fo__addf(b, " %u permit tcp 10.%u.%u.0 0.0.0.255 host 10.%u.%u.%u eq %u\n", (i + 1) * 10, s2, s3, h2,
			 h3, h4, port);
	}
	fo__adds(b, " 10000 deny ip any any log\n!\n");
}

/* Management: logging, SNMP, TACACS+, NTP, the banner and the lines, to "end". */
static void ios_config_mgmt(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b,
		"logging source-interface Vlan100\nlogging host 10.%u.0.10\nlogging host 10.%u.0.11\n!\n"
		"snmp-server community fanout-%04x RO SNMP-RO\nsnmp-server location %s %s rack %u\n"
		"snmp-server contact netops@example.net\nsnmp-server enable traps snmp linkdown linkup\n!\n"
		"tacacs server TAC1\n address ipv4 10.%u.0.49\n key 7 %016llx\n!\n"
		"ntp server 10.%u.0.123 prefer\nntp server 10.%u.1.123\n!\n"
		"banner motd ^C\n*** %s: authorized access only; activity is logged ***\n^C\n!\n"
		"line con 0\n exec-timeout 15 0\n stopbits 1\nline vty 0 4\n access-class SNMP-RO in\n"
		" exec-timeout 30 0\n transport input ssh\nline vty 5 15\n transport input ssh\n!\nend\n",
		d->o2, d->o2, (unsigned)(d->seed & 0xffff), fo__site(d), fo__role(d), d->o4 % 40, d->o2,
		(unsigned long long)fo__rnd(g), d->o2, d->o2, d->name);
}

/* The header states the size of what follows (the text from start), so it
 * goes in last: added at the end, then moved to its place. */
static void ios_config_header(struct fo_sbuf *b, size_t start, int startup)
{
	size_t body;
	char head[128];
	int hn;

	body = b->len - start;
	if (startup)
		hn = snprintf(head, sizeof(head), "Using %zu out of 2097152 bytes\n", body);
	else
		hn = snprintf(head, sizeof(head), "Building configuration...\n\nCurrent configuration : %zu bytes\n",
			      body);
	fo_sbuf_add(b, head, (size_t)hn); /* room for the header, moved to its place */
	if (b->oom)
		return;
	memmove(b->p + start + hn, b->p + start, body);
	memcpy(b->p + start, head, (size_t)hn);
}

/* The sections in the order the device prints them; each draws its random
 * numbers in turn, so the order is also that of the draws. */
static void ios_config(struct fo__gen *g, int startup)
{
	size_t start = g->b->len;

	fo__reseed(g, 2);
	ios_config_global(g);
	ios_config_interfaces(g);
	ios_config_acls(g);
	ios_config_mgmt(g);
	ios_config_header(g->b, start, startup);
}

void fo__ios_running(struct fo__gen *g)
{
	ios_config(g, 0);
}

void fo__ios_startup(struct fo__gen *g)
{
	ios_config(g, 1);
}

static void ios_interfaces(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	char ifn[48];

	fo__reseed(g, 3);
	for (unsigned i = 0; i < fo__nports(d) + 4; i++) {
		int up = fo__if_up(d, i);
		unsigned long long in = up ? fo__rnd(g) % 900000000000ULL : 0, out = up ? fo__rnd(g) % 900000000000ULL : 0;
		static const unsigned lim[11] = { 60, 60, 100, 9000000, 900, 9000000, 900, 1000000, 900000, 3, 3 };
		unsigned r[11];

		for (int j = 10; j >= 0; j--)
			r[j] = j >= 3 && j <= 6 && !up ? 0 : fo__rndn(g, lim[j]);

		ios_ifname(d, i, ifn, sizeof(ifn));
		fo__addf(b,
			"%s is %s, line protocol is %s (%s)\n"
			"  Hardware is %s, address is 00a3.%02x%02x.%04x (bia 00a3.%02x%02x.%04x)\n"
			"  MTU 1500 bytes, BW %s Kbit/sec, DLY 10 usec,\n"
			"     reliability 255/255, txload 1/255, rxload 1/255\n"
			"  Encapsulation ARPA, loopback not set\n  Keepalive set (10 sec)\n"
			"  %s, media type is 10/100/1000BaseTX\n"
			"  input flow-control is on, output flow-control is unsupported\n"
			"  ARP type: ARPA, ARP Timeout 04:00:00\n"
			"  Last input 00:00:%02u, output 00:00:%02u, output hang never\n"
			"  Last clearing of \"show interface\" counters never\n"
			"  Input queue: 0/2000/0/0 (size/max/drops/flushes); Total output drops: %u\n"
			"  Queueing strategy: fifo\n  Output queue: 0/40 (size/max)\n"
			"  5 minute input rate %u bits/sec, %u packets/sec\n"
			"  5 minute output rate %u bits/sec, %u packets/sec\n"
			"     %llu packets input, %llu bytes, 0 no buffer\n"
			"     Received %u broadcasts (%u multicasts)\n"
			"     0 runts, 0 giants, 0 throttles\n"
			"     %u input errors, %u CRC, 0 frame, 0 overrun, 0 ignored\n"
			"     %llu packets output, %llu bytes, 0 underruns\n"
			"     0 output errors, 0 collisions, 1 interface resets\n"
			"     0 unknown protocol drops\n"
			"     0 babbles, 0 late collision, 0 deferred\n"
			"     0 lost carrier, 0 no carrier, 0 pause output\n"
			"     0 output buffer failures, 0 output buffers swapped out\n",
			ifn, up ? "up" : "administratively down", up ? "up" : "down", up ? "connected" : "disabled",
			i < fo__nports(d) ? "Gigabit Ethernet" : "Ten Gigabit Ethernet", d->o3, d->o4, i,
			d->o3, d->o4, i, i < fo__nports(d) ? "1000000" : "10000000",
			up ? "Full-duplex, 1000Mb/s" : "Auto-duplex, Auto-speed", r[0], r[1], r[2], r[3], r[4], r[5],
			r[6], in / 700, in, r[7], r[8], r[9], r[10], out / 700, out);
	}
}

static void ios_ip_int_brief(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	char ifn[48];

	fo__adds(b, "Interface              IP-Address      OK? Method Status                Protocol\n");
	fo__adds(b, "Vlan1                  unassigned      YES NVRAM  administratively down down    \n");
	fo__addf(b, "Vlan100                10.%u.%u.%-8u YES NVRAM  up                    up      \n", MGMT(d));
	for (unsigned i = 0; i < fo__nports(d) + 4; i++) {
		int up = fo__if_up(d, i);

		ios_ifname(d, i, ifn, sizeof(ifn));
		fo__addf(b, "%-22s unassigned      YES unset  %-21s %-8s\n", ifn, up ? "up" : "administratively down",
			up ? "up" : "down");
	}
	fo__addf(b, "Loopback0              10.255.%u.%-6u YES NVRAM  up                    up      \n", d->o3, d->o4);
}

static void ios_int_status(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	char ifn[48];

	fo__reseed(g, 4);
	fo__adds(b, "\nPort         Name               Status       Vlan       Duplex  Speed Type \n");
	for (unsigned i = 0; i < fo__nports(d) + 4; i++) {
		int up = fo__if_up(d, i);

		ios_ifname(d, i, ifn, sizeof(ifn));
		fo__addf(b, "Gi1/0/%-6u %-18.18s %-12s %-10s %6s %6s %s\n", i + 1,
			up ? fo__pick(g, fo__descs, 10) : "", up ? "connected" : "disabled",
			i < fo__nports(d) ? "100" : "trunk", up ? "a-full" : "auto", up ? "a-1000" : "auto",
			i < fo__nports(d) ? "10/100/1000BaseTX" : "SFP-10GBase-SR");
	}
}

static void ios_route(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 20 + (unsigned)(d->seed % 60);

	fo__reseed(g, 5);
	fo__addf(b,
		"Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP\n"
		"       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area \n"
		"       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2\n"
		"       E1 - OSPF external type 1, E2 - OSPF external type 2, m - OMP\n"
		"       n - NAT, Ni - NAT inside, No - NAT outside, Nd - NAT DIA\n"
		"       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2\n"
		"       ia - IS-IS inter area, * - candidate default, U - per-user static route\n"
		"       H - NHRP, G - NHRP registered, g - NHRP registration summary\n"
		"       o - ODR, P - periodic downloaded static route, l - LISP\n"
		"       a - application route\n"
		"       + - replicated route, %% - next hop override, p - overrides from PfR\n\n"
		"Gateway of last resort is 10.%u.%u.254 to network 0.0.0.0\n\n"
		"S*    0.0.0.0/0 [1/0] via 10.%u.%u.254\n"
		"      10.0.0.0/8 is variably subnetted, %u subnets, 3 masks\n"
		"C        10.%u.%u.0/24 is directly connected, Vlan100\n"
		"L        10.%u.%u.%u/32 is directly connected, Vlan100\n",
		d->o2, d->o3, d->o2, d->o3, n + 2, d->o2, d->o3, MGMT(d));
	for (unsigned i = 0; i < n; i++) {
		unsigned s = fo__rndn(g, 60), m = fo__rndn(g, 60), h = fo__rndn(g, 24), metric = 2 + fo__rndn(g, 40);
		unsigned o3 = fo__rndn(g, 250), o2 = fo__rndn(g, 250);

		fo__addf(b, "O IA     10.%u.%u.0/24 [110/%u] via 10.%u.%u.254, %02u:%02u:%02u, Vlan100\n", o2, o3,
			 metric, d->o2, d->o3, h, m, s);
	}
}

static void ios_inventory(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	char sn[32];

	fo__serial(d, sn, sizeof(sn));
	fo__addf(b,
		"NAME: \"c93xx Stack\", DESCR: \"c93xx Stack\"\nPID: %s          , VID: V02  , SN: %s\n\n"
		"NAME: \"Switch 1\", DESCR: \"%s\"\nPID: %s          , VID: V02  , SN: %s\n\n"
		"NAME: \"Switch 1 - Power Supply A\", DESCR: \"Switch 1 - Power Supply A\"\n"
		"PID: PWR-C1-715WAC-P  , VID: V01  , SN: DCB%04u%04X\n\n"
		"NAME: \"Switch 1 FRU Uplink Module 1\", DESCR: \"8x10G Uplink Module\"\n"
		"PID: C9300-NM-8X      , VID: V02  , SN: FOC%04u%04X\n\n",
		fo__model(d), sn, fo__model(d), fo__model(d), sn, d->o3, d->o4 * 7, d->o4, d->o3 * 13);
	for (unsigned i = 0; i < 4; i++)
		fo__addf(b,
			"NAME: \"TenGigabitEthernet1/1/%u\", DESCR: \"SFP-10GBase-SR\"\n"
			"PID: SFP-10G-SR       , VID: V03  , SN: AVD%02u%02u%04u\n\n",
			i + 1, d->o3 % 100, d->o4 % 100, i * 17 + d->o4);
}

static void ios_vlan(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d);

	fo__reseed(g, 2);
	for (int j = 0; j < 4; j++)
		fo__rnd(g); /* the secrets ios_config draws first */
	fo__adds(b, "\nVLAN Name                             Status    Ports\n"
		"---- -------------------------------- --------- -------------------------------\n"
		"1    default                          active    \n");
	for (unsigned v = 0; v < nv; v++) {
		char name[64];

		snprintf(name, sizeof(name), "%s-%s-%u", fo__site(d), fo__pick(g, fo__descs, 10), v);
		fo__addf(b, "%-4u %-32.32s active    Gi1/0/%u, Gi1/0/%u\n", 100 + v * 10, name, v * 2 + 1, v * 2 + 2);
	}
	fo__adds(b, "999  voice                            active    \n"
		"1002 fddi-default                     act/unsup \n1003 token-ring-default               act/unsup \n"
		"1004 fddinet-default                  act/unsup \n1005 trnet-default                    act/unsup \n");
}

static void ios_neighbors(struct fo__gen *g, int lldp)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 2 + (unsigned)(d->seed % 6);

	fo__reseed(g, lldp ? 7 : 6);
	if (lldp)
		fo__adds(b, "Capability codes:\n    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device\n"
			"    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other\n\n"
			"Device ID           Local Intf     Hold-time  Capability      Port ID\n");
	else
		fo__adds(b, "Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge\n"
			"                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone, \n"
			"                  D - Remote, C - CVTA, M - Two-port Mac Relay \n\n"
			"Device ID        Local Intrfce     Holdtme    Capability  Platform  Port ID\n");
	for (unsigned i = 0; i < n; i++) {
		char nb[48];

		snprintf(nb, sizeof(nb), "%s-%s%u.%s", fo__site(d), i < 2 ? "dist" : "ap", i + 1, "example.net");
		unsigned port = fo__rndn(g, 48) + 1, hold = fo__rndn(g, lldp ? 30 : 60);

		if (lldp)
			fo__addf(b, "%-19.19s Te1/1/%-8u %-10u %-15s Te1/0/%u\n", nb, i % 4 + 1, 90 + hold,
				 i < 2 ? "B,R" : "W", port);
		else
			fo__addf(b, "%-16.16s\n                 Ten 1/1/%-8u %-10u %-11s %-9s Ten 1/0/%u\n", nb,
				 i % 4 + 1, 120 + hold, i < 2 ? "R S I" : "T", i < 2 ? "C9500-48Y" : "C9120AXI", port);
	}
	fo__addf(b, "\nTotal %s displayed : %u\n", lldp ? "entries" : "cdp entries", n);
}

static void ios_cdp(struct fo__gen *g)
{
	ios_neighbors(g, 0);
}

static void ios_lldp(struct fo__gen *g)
{
	ios_neighbors(g, 1);
}

static void ios_arp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 10 + (unsigned)(d->seed % 90);

	fo__reseed(g, 8);
	fo__adds(b, "Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned m3 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536), m1 = fo__rndn(g, 65536);
		unsigned age = fo__rndn(g, 240);

		fo__addf(b, "Internet  10.%u.%u.%-9u %-10u %04x.%04x.%04x  ARPA   Vlan100\n", d->o2, d->o3, i + 1, age,
			 m1, m2, m3);
	}
}

static void ios_mac(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = fo__nports(d) * 2;

	fo__reseed(g, 9);
	fo__adds(b, "          Mac Address Table\n-------------------------------------------\n\n"
		"Vlan    Mac Address       Type        Ports\n----    -----------       --------    -----\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned m3 = fo__rndn(g, 65536), m2 = fo__rndn(g, 65536), m1 = fo__rndn(g, 65536);
		unsigned vlan = 100 + fo__rndn(g, 4) * 10;

		fo__addf(b, " %4u    %04x.%04x.%04x    DYNAMIC     Gi1/0/%u\n", vlan, m1, m2, m3, i / 2 + 1);
	}
	fo__addf(b, "Total Mac Addresses for this criterion: %u\n", n);
}

static void ios_clock(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	time_t t = (time_t)fo__gen_time(g);
	struct tm tm;
	char s[64];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%H:%M:%S.000 UTC %a %b %d %Y", &tm);
	fo__addf(b, "*%s\n", s);
}

static void ios_users(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, "    Line       User       Host(s)              Idle       Location\n"
		   "   1 vty 0     %-10.10s idle                 00:00:00 127.0.0.1\n\n"
		   "  Interface    User               Mode         Idle     Peer Address\n",
		d->user);
}

static void ios_cpu(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	static const char *const procs[] = { "Chunk Manager", "Load Meter", "IOSD ipc task", "ARP Input",
					     "IP Input", "CDP Protocol", "Spanning Tree", "SNMP ENGINE",
					     "SSH Process", "TACACS+", "HSRP Common", "OSPF-1 Hello" };
	unsigned m5, m1, s5;

	fo__reseed(g, 10);
	m5 = fo__rndn(g, 30);
	m1 = fo__rndn(g, 30);
	s5 = fo__rndn(g, 30);

	fo__addf(b, "CPU utilization for five seconds: %u%%/0%%; one minute: %u%%; five minutes: %u%%\n"
		   " PID Runtime(ms)     Invoked      uSecs   5Sec   1Min   5Min TTY Process \n",
		s5, m1, m5);
	for (unsigned i = 0; i < 60; i++) {
		unsigned p5 = fo__rndn(g, 100), p1 = fo__rndn(g, 100), p0 = fo__rndn(g, 100);
		unsigned us = fo__rndn(g, 2000), inv = fo__rndn(g, 90000000), rt = fo__rndn(g, 9000000);

		fo__addf(b, "%4u %11u %11u %10u  0.%02u%%  0.%02u%%  0.%02u%%   0 %s\n", i + 1, rt, inv, us, p0, p1,
			 p5, procs[i % 12]);
	}
}

static void ios_logging(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 40 + (unsigned)(d->seed % 80);

	fo__reseed(g, 11);
	fo__addf(b,
		"Syslog logging: enabled (0 messages dropped, 3 messages rate-limited, 0 flushes, 0 overruns, xml disabled, filtering disabled)\n\n"
		"    Console logging: level debugging, %u messages logged, xml disabled,\n"
		"    Buffer logging:  level informational, %u messages logged, xml disabled,\n"
		"    Trap logging: level informational, %u message lines logged\n"
		"        Logging to 10.%u.0.10  (udp port 514, audit disabled,\n\nLog Buffer (64000 bytes):\n\n",
		n * 3, n, n, d->o2);
	for (unsigned i = 0; i < n; i++) {
		unsigned port = fo__rndn(g, fo__nports(d)) + 1;

		unsigned ls = 0, lm = 0, lh = 0, src = 0, ms, s, m, h;

		if (!(i % 3)) {
			ls = fo__rndn(g, 60);
			lm = fo__rndn(g, 60);
			lh = fo__rndn(g, 24);
			src = fo__rndn(g, 250);
		}
		ms = fo__rndn(g, 1000);
		s = fo__rndn(g, 60);
		m = fo__rndn(g, 60);
		h = fo__rndn(g, 24);
		if (i % 3)
			fo__addf(b, "Mar %2u %02u:%02u:%02u.%03u: %%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/%u, changed state to %s\n",
				 1 + i / 10, h, m, s, ms, port, i % 2 ? "up" : "down");
		else
			fo__addf(b, "Mar %2u %02u:%02u:%02u.%03u: %%SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: netops] [Source: 10.%u.0.%u] [localport: 22] at %02u:%02u:%02u UTC\n",
				 1 + i / 10, h, m, s, ms, d->o2, src, lh, lm, ls);
	}
}

static void ios_ntp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, "Clock is synchronized, stratum 3, reference is 10.%u.0.123\n"
		   "nominal freq is 250.0000 Hz, actual freq is 249.9998 Hz, precision is 2**10\n"
		   "ntp uptime is %u (1/100 of seconds), resolution is 4000\n"
		   "reference time is E9F0A1B2.1C28F5C3 (09:12:34.110 UTC Tue Mar 4 2025)\n"
		   "clock offset is -0.%04u msec, root delay is 1.20 msec\n"
		   "root dispersion is 3.41 msec, peer dispersion is 0.95 msec\n"
		   "loopfilter state is 'CTRL' (Normal Controlled Loop), drift is 0.000000778 s/s\n"
		   "system poll interval is 1024, last update was 611 sec ago.\n",
		d->o2, fo__uptime_min(d) * 6000, d->o4 * 37 % 10000);
}

static void ios_stp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned nv = fo__nvlans(d);

	fo__adds(b, "Switch is in rapid-pvst mode\nRoot bridge for: none\n"
		"Extended system ID                      is enabled\nPortfast Default                        is disabled\n"
		"PortFast BPDU Guard Default             is disabled\nLoopguard Default                       is disabled\n"
		"UplinkFast                              is disabled\nBackboneFast                            is disabled\n"
		"Pathcost method used                    is short\n\n"
		"Name                   Blocking Listening Learning Forwarding STP Active\n"
		"---------------------- -------- --------- -------- ---------- ----------\n");
	for (unsigned v = 0; v < nv; v++)
		fo__addf(b, "VLAN%04u                     0         0        0 %10u %10u\n", 100 + v * 10, 3 + v % 5,
			3 + v % 5);
	fo__addf(b, "---------------------- -------- --------- -------- ---------- ----------\n"
		   "%-22u        0         0        0 %10u %10u\n", nv, nv * 4, nv * 4);
}

static void ios_env(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;

	fo__addf(b, "Switch 1 FAN 1 is OK\nSwitch 1 FAN 2 is OK\nSwitch 1 FAN 3 is OK\nFAN PS-1 is OK\nFAN PS-2 is NOT PRESENT\n"
		   "Switch 1: SYSTEM TEMPERATURE is OK\nInlet Temperature Value: %u Degree Celsius\n"
		   "Temperature State: GREEN\nYellow Threshold : 46 Degree Celsius\nRed Threshold    : 56 Degree Celsius\n\n"
		   "SW  PID                 Serial#     Status           Sys Pwr  PoE Pwr  Watts\n"
		   "--  ------------------  ----------  ---------------  -------  -------  -----\n"
		   "1A  PWR-C1-715WAC-P     DCB%04u%04X  OK               Good     Good     715 \n"
		   "1B  Not Present\n",
		24 + d->o4 % 12, d->o3, d->o4 * 7);
}

static void ios_bgp(struct fo__gen *g)
{
	struct fo_sbuf *b = g->b;
	const struct fo__devid *d = g->d;
	unsigned n = 2 + (unsigned)(d->seed % 5);

	fo__reseed(g, 12);
	fo__addf(b, "BGP router identifier 10.255.%u.%u, local AS number 65%03u\n"
		   "BGP table version is %u, main routing table version %u\n"
		   "%u network entries using %u bytes of memory\n\n"
		   "Neighbor        V           AS MsgRcvd MsgSent   TblVer  InQ OutQ Up/Down  State/PfxRcd\n",
		d->o3, d->o4, d->o2 % 1000, 500 + d->o4, 500 + d->o4, 40 + n * 10, (40 + n * 10) * 168);
	for (unsigned i = 0; i < n; i++) {
		unsigned pfx = fo__rndn(g, 400), days = fo__rndn(g, 7), weeks = fo__rndn(g, 50);
		unsigned sent = fo__rndn(g, 900000), rcvd = fo__rndn(g, 900000), as = fo__rndn(g, 1000);

		fo__addf(b, "10.255.%u.%-7u 4        65%03u %7u %7u %8u    0    0 %2uw%ud %12u\n", d->o3, 200 + i, as,
			 rcvd, sent, 500 + d->o4, weeks, days, pfx);
	}
}

/* devsim's IOS show commands, as it has always had them: devsim matches
 * input against this set (with its own few others), so adding one here
 * changes which abbreviations devsim finds ambiguous. */
const struct fo__show fo__show_ios[] = {
	{ "show version", ios_version },
	{ "show running-config", fo__ios_running },
	{ "show startup-config", fo__ios_startup },
	{ "show interfaces", ios_interfaces },
	{ "show interfaces status", ios_int_status },
	{ "show ip interface brief", ios_ip_int_brief },
	{ "show ip route", ios_route },
	{ "show ip arp", ios_arp },
	{ "show arp", ios_arp },
	{ "show inventory", ios_inventory },
	{ "show vlan brief", ios_vlan },
	{ "show cdp neighbors", ios_cdp },
	{ "show lldp neighbors", ios_lldp },
	{ "show mac address-table", ios_mac },
	{ "show clock", ios_clock },
	{ "show users", ios_users },
	{ "show processes cpu", ios_cpu },
	{ "show logging", ios_logging },
	{ "show ntp status", ios_ntp },
	{ "show spanning-tree summary", ios_stp },
	{ "show environment all", ios_env },
	{ "show ip bgp summary", ios_bgp },
	{ NULL, NULL },
};
