/*
 * The command line of the Cisco-like platforms and Arista's: ios
 * (IOS-XE), nxos, eos and iosxr, one interpreter with each platform's
 * differences in its tables (engine_int.h's struct fo__cmd).
 *
 * Levels, as each vendor documents them: ios and eos log in at
 * "NAME>" and need enable (with the fleet's secret) for "NAME#"; nxos
 * (an admin: network-admin) and iosxr land in "#". configure terminal
 * goes to "(config)#", a section command ("interface X", "router bgp N",
 * "line vty 0 4") into its sub-mode ("(config-if)#"; eos names the
 * section: "(config-if-Et1)#"); exit goes up one level, end (or ^Z) back
 * to "#". A line a sub-mode does not know is tried in the levels above
 * it, as IOS does ("hostname x" in config-if works and leaves it).
 *
 * Configuration lines are matched against each platform's grammar,
 * with the common commands spelled out and many first words taking any
 * arguments (REST); a line none takes prints the platform's error and
 * changes nothing. Taken lines are written in full ("int gi1/0/1" is
 * "interface GigabitEthernet1/0/1") into the device's journal (conf.h),
 * at once on ios, nxos and eos; iosxr keeps them in the session's
 * candidate until commit.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine_int.h"

enum {
	M_USER = 1 << 0,
	M_PRIV = 1 << 1,
	M_CONF = 1 << 2,
	M_IF = 1 << 3,
	M_LINE = 1 << 4,
	M_VLAN = 1 << 5,
	M_ROUTER = 1 << 6,
	M_RAF = 1 << 7,
	M_NBR = 1 << 8,
	M_ACL = 1 << 9,
	M_GEN = 1 << 10,
};
#define M_EXEC (M_USER | M_PRIV)
#define M_SUB (M_IF | M_LINE | M_VLAN | M_ROUTER | M_RAF | M_NBR | M_ACL | M_GEN)
#define M_CFG (M_CONF | M_SUB)

#define PIOS (1u << FO_DEV_IOS)
#define PNX (1u << FO_DEV_NXOS)
#define PEOS (1u << FO_DEV_EOS)
#define PXR (1u << FO_DEV_IOSXR)

enum {
	C_NOP = 1,
	C_ENABLE,
	C_DISABLE,
	C_EXIT,
	C_END,
	C_TERMLEN,
	C_CONFT,
	C_CONFIGURE,
	C_WRITE,
	C_COPY_RS,
	C_SHOW,
	C_SHOW_RUN,
	C_SHOW_RUN_IF,
	C_SHOW_START,
	C_XR_DIFF,
	C_XR_SHOWCONF,
	C_DO,
	C_COMMIT,
	C_COMMIT_CONF,
	C_ABORT,
	C_CFG,
	C_SECTION,
	C_EXITCFG,
	C_CONF_SESS,
	C_EOS_DIFF,
	C_FILES,
};

/* The sections: the mode each enters and its prompt per platform ("%s":
 * eos's short name of what it configures). */
enum {
	X_IF,
	X_LINE,
	X_VLAN,
	X_OSPF,
	X_BGP,
	X_STATIC,
	X_AF,
	X_STATIC_AF,
	X_NBR,
	X_NBR_AF,
	X_ACL_STD,
	X_ACL,
	X_AREA,
	X_PMAP,
	X_CMAP,
	X_VRF,
	X_TACACS,
	X_RED,
	X_MGMT,
	X_USER,
	X_NTP,
	X_RMAP,
	X_GEN,
	X_N
};

static const struct {
	unsigned mode;
	const char *prompt[FO_DEV_NPLATFORMS];
} sects[X_N] = {
	[X_IF] = { M_IF, { [FO_DEV_IOS] = "config-if", [FO_DEV_NXOS] = "config-if", [FO_DEV_EOS] = "config-if-%s",
			   [FO_DEV_IOSXR] = "config-if" } },
	[X_LINE] = { M_LINE, { [FO_DEV_IOS] = "config-line", [FO_DEV_NXOS] = "config-line",
			       [FO_DEV_EOS] = "config-line", [FO_DEV_IOSXR] = "config-line" } },
	[X_VLAN] = { M_VLAN, { [FO_DEV_IOS] = "config-vlan", [FO_DEV_NXOS] = "config-vlan",
			       [FO_DEV_EOS] = "config-vlan-%s" } },
	[X_OSPF] = { M_ROUTER, { [FO_DEV_IOS] = "config-router", [FO_DEV_NXOS] = "config-router",
				 [FO_DEV_EOS] = "config-router-ospf", [FO_DEV_IOSXR] = "config-ospf" } },
	[X_BGP] = { M_ROUTER, { [FO_DEV_IOS] = "config-router", [FO_DEV_NXOS] = "config-router",
				[FO_DEV_EOS] = "config-router-bgp", [FO_DEV_IOSXR] = "config-bgp" } },
	[X_STATIC] = { M_ROUTER, { [FO_DEV_IOSXR] = "config-static" } },
	[X_AF] = { M_RAF, { [FO_DEV_IOS] = "config-router-af", [FO_DEV_NXOS] = "config-router-af",
			    [FO_DEV_EOS] = "config-router-bgp-af", [FO_DEV_IOSXR] = "config-bgp-af" } },
	[X_STATIC_AF] = { M_RAF, { [FO_DEV_IOSXR] = "config-static-afi" } },
	[X_NBR] = { M_NBR, { [FO_DEV_NXOS] = "config-router-neighbor", [FO_DEV_IOSXR] = "config-bgp-nbr" } },
	[X_NBR_AF] = { M_RAF, { [FO_DEV_NXOS] = "config-router-neighbor-af", [FO_DEV_IOSXR] = "config-bgp-nbr-af" } },
	[X_ACL_STD] = { M_ACL, { [FO_DEV_IOS] = "config-std-nacl", [FO_DEV_EOS] = "config-std-acl-%s" } },
	[X_ACL] = { M_ACL, { [FO_DEV_IOS] = "config-ext-nacl", [FO_DEV_NXOS] = "config-acl",
			     [FO_DEV_EOS] = "config-acl-%s", [FO_DEV_IOSXR] = "config-ipv4-acl" } },
	[X_AREA] = { M_GEN, { [FO_DEV_IOSXR] = "config-ospf-ar" } },
	[X_PMAP] = { M_GEN, { [FO_DEV_IOS] = "config-pmap", [FO_DEV_NXOS] = "config-pmap-qos",
			      [FO_DEV_EOS] = "config-pmap-%s", [FO_DEV_IOSXR] = "config-pmap" } },
	[X_CMAP] = { M_GEN, { [FO_DEV_IOS] = "config-cmap", [FO_DEV_NXOS] = "config-cmap-qos",
			      [FO_DEV_EOS] = "config-cmap-%s", [FO_DEV_IOSXR] = "config-cmap" } },
	[X_VRF] = { M_GEN, { [FO_DEV_IOS] = "config-vrf", [FO_DEV_NXOS] = "config-vrf", [FO_DEV_EOS] = "config-vrf-%s",
			     [FO_DEV_IOSXR] = "config-vrf" } },
	[X_TACACS] = { M_GEN, { [FO_DEV_IOS] = "config-server-tacacs" } },
	[X_RED] = { M_GEN, { [FO_DEV_IOS] = "config-red" } },
	[X_MGMT] = { M_GEN, { [FO_DEV_EOS] = "config-mgmt-%s" } },
	[X_USER] = { M_GEN, { [FO_DEV_IOSXR] = "config-un" } },
	[X_NTP] = { M_GEN, { [FO_DEV_IOSXR] = "config-ntp" } },
	[X_RMAP] = { M_GEN, { [FO_DEV_IOS] = "config-route-map", [FO_DEV_NXOS] = "config-route-map",
			      [FO_DEV_EOS] = "config-route-map-%s" } },
	[X_GEN] = { M_GEN, { [FO_DEV_IOS] = "config-%s", [FO_DEV_NXOS] = "config-%s", [FO_DEV_EOS] = "config-%s",
			     [FO_DEV_IOSXR] = "config-%s" } },
};

#define CMD(w, m, p, id) { w, m, p, id, 0 }
#define SECT(w, m, p, x) { w, m, p, C_SECTION, x }
#define CFG(w, m, p) { w, m, p, C_CFG, 0 }

static const struct fo__cmd cmds[] = {
	/* exec */
	CMD("enable", M_EXEC, PIOS | PNX | PEOS, C_ENABLE),
	CMD("disable", M_PRIV, PIOS | PEOS, C_DISABLE),
	CMD("exit", M_EXEC, 0, C_EXIT),
	CMD("logout", M_EXEC, 0, C_EXIT),
	CMD("quit", M_EXEC, 0, C_EXIT),
	CMD("terminal length NUM", M_EXEC, 0, C_TERMLEN),
	CMD("terminal width NUM", M_EXEC, 0, C_NOP),
	CMD("terminal monitor", M_EXEC, 0, C_NOP),
	CMD("terminal no monitor", M_EXEC, 0, C_NOP),
	CMD("terminal exec prompt timestamp", M_EXEC, PIOS, C_NOP),
	CMD("terminal dont-ask", M_EXEC, PNX, C_NOP),
	CMD("configure terminal", M_PRIV, 0, C_CONFT),
	CMD("configure", M_PRIV, 0, C_CONFIGURE),
	CMD("write memory", M_PRIV, PIOS | PEOS, C_WRITE),
	CMD("write", M_PRIV, PIOS | PEOS, C_WRITE),
	CMD("copy running-config startup-config", M_PRIV, PIOS | PNX | PEOS, C_COPY_RS),
	CMD("show running-config", M_PRIV, 0, C_SHOW_RUN),
	CMD("show running-config", M_CFG, PNX | PEOS | PXR, C_SHOW_RUN),
	CMD("show running-config interface IF", M_PRIV, 0, C_SHOW_RUN_IF),
	CMD("show running-config interface IF", M_CFG, PNX | PEOS | PXR, C_SHOW_RUN_IF),
	CMD("show startup-config", M_PRIV, PIOS | PNX | PEOS, C_SHOW_START),
	CMD("show startup-config", M_CFG, PNX | PEOS, C_SHOW_START),
	CMD("show commit changes diff", M_CFG, PXR, C_XR_DIFF),
	CMD("show configuration", M_CFG, PXR, C_XR_SHOWCONF),
	CMD("configure session", M_PRIV, PEOS, C_CONF_SESS),
	CMD("configure session WORD", M_PRIV, PEOS, C_CONF_SESS),
	CMD("show session-config diffs", M_PRIV | M_CFG, PEOS, C_EOS_DIFF),
	/* the file store (files.c) */
	{ "dir", M_PRIV, 0, C_FILES, FO__FILES_DIR },
	{ "dir WORD", M_PRIV, 0, C_FILES, FO__FILES_DIR },
	{ "verify /sha256 WORD", M_PRIV, PIOS | PEOS, C_FILES, FO__FILES_SUM },
	{ "show file WORD sha256sum", M_PRIV, PNX, C_FILES, FO__FILES_SUM },
	/* every configuration mode */
	CMD("end", M_CFG, 0, C_END),
	CMD("exit", M_CFG, 0, C_EXITCFG),
	CMD("do LINE", M_CFG, 0, C_DO),
	CMD("commit", M_CFG, PXR | PEOS, C_COMMIT),
	CMD("commit comment LINE", M_CFG, PXR, C_COMMIT),
	{ "commit confirmed", M_CFG, PXR, C_COMMIT_CONF, 1 },
	{ "commit confirmed NUM", M_CFG, PXR, C_COMMIT_CONF, 1 },
	{ "commit confirmed minutes NUM", M_CFG, PXR, C_COMMIT_CONF, 60 },
	CMD("abort", M_CFG, PXR | PEOS, C_ABORT),
	/* global sections */
	SECT("interface IF", M_CONF, 0, X_IF),
	SECT("vlan NUM", M_CONF, PIOS | PNX | PEOS, X_VLAN),
	SECT("line con NUM", M_CONF, PIOS, X_LINE),
	SECT("line vty NUM NUM", M_CONF, PIOS, X_LINE),
	SECT("line vty NUM", M_CONF, PIOS, X_LINE),
	SECT("line console", M_CONF, PNX | PXR, X_LINE),
	SECT("line vty", M_CONF, PNX, X_LINE),
	SECT("line default", M_CONF, PXR, X_LINE),
	SECT("line template WORD", M_CONF, PXR, X_LINE),
	SECT("router ospf NUM", M_CONF, PIOS | PEOS, X_OSPF),
	SECT("router ospf WORD", M_CONF, PNX | PXR, X_OSPF),
	SECT("router bgp NUM", M_CONF, 0, X_BGP),
	SECT("router eigrp WORD", M_CONF, PIOS, X_OSPF),
	SECT("router isis WORD", M_CONF, PNX | PXR, X_OSPF),
	SECT("router static", M_CONF, PXR, X_STATIC),
	SECT("ip access-list standard WORD", M_CONF, PIOS | PEOS, X_ACL_STD),
	SECT("ip access-list extended WORD", M_CONF, PIOS, X_ACL),
	SECT("ip access-list WORD", M_CONF, PNX | PEOS, X_ACL),
	SECT("ipv4 access-list WORD", M_CONF, PXR, X_ACL),
	SECT("vrf definition WORD", M_CONF, PIOS, X_VRF),
	SECT("vrf context WORD", M_CONF, PNX, X_VRF),
	SECT("vrf instance WORD", M_CONF, PEOS, X_VRF),
	SECT("vrf WORD", M_CONF, PXR, X_VRF),
	SECT("policy-map LINE", M_CONF, 0, X_PMAP),
	SECT("class-map LINE", M_CONF, 0, X_CMAP),
	SECT("route-map LINE", M_CONF, PIOS | PNX | PEOS, X_RMAP),
	SECT("tacacs server WORD", M_CONF, PIOS, X_TACACS),
	SECT("redundancy", M_CONF, PIOS, X_RED),
	SECT("management WORD", M_CONF, PEOS, X_MGMT),
	SECT("management api WORD", M_CONF, PEOS, X_MGMT),
	SECT("username WORD", M_CONF, PXR, X_USER),
	SECT("ntp", M_CONF, PXR, X_NTP),
	SECT("control-plane", M_CONF, PIOS | PXR, X_GEN),
	SECT("archive", M_CONF, PIOS, X_GEN),
	SECT("key chain WORD", M_CONF, PIOS, X_GEN),
	SECT("ip dhcp pool WORD", M_CONF, PIOS, X_GEN),
	/* global lines */
	CFG("hostname WORD", M_CONF, 0),
	CFG("ip route IPV4 IPV4 LINE", M_CONF, PIOS),
	CFG("ip route vrf WORD IPV4 IPV4 LINE", M_CONF, PIOS),
	CFG("ip route PREFIX LINE", M_CONF, PNX | PEOS),
	CFG("ip route vrf WORD PREFIX LINE", M_CONF, PNX | PEOS),
	CFG("ip domain name WORD", M_CONF, PIOS),
	CFG("ip domain-name WORD", M_CONF, PIOS | PNX),
	CFG("ip domain lookup", M_CONF, PIOS),
	CFG("ip domain-lookup", M_CONF, PIOS | PNX),
	CFG("ip name-server LINE", M_CONF, PIOS | PNX | PEOS),
	CFG("ip default-gateway IPV4", M_CONF, PIOS),
	CFG("ip routing", M_CONF, PIOS | PEOS),
	CFG("ip ssh REST", M_CONF, PIOS),
	CFG("ip http REST", M_CONF, PIOS),
	CFG("ip forward-protocol REST", M_CONF, PIOS),
	CFG("ip tacacs REST", M_CONF, PIOS),
	CFG("ip prefix-list LINE", M_CONF, PIOS | PNX | PEOS),
	CFG("ip dhcp REST", M_CONF, PIOS | PNX | PEOS),
	CFG("ip multicast-routing REST", M_CONF, PIOS | PEOS),
	CFG("ip igmp REST", M_CONF, PIOS | PNX | PEOS),
	CFG("ip cef REST", M_CONF, PIOS),
	CFG("ip scp REST", M_CONF, PIOS),
	CFG("ip ftp REST", M_CONF, PIOS | PNX),
	CFG("ip tftp REST", M_CONF, PIOS | PNX),
	CFG("ip arp REST", M_CONF, PIOS | PNX | PEOS),
	CFG("ip host LINE", M_CONF, PIOS | PNX | PEOS),
	CFG("ip community-list LINE", M_CONF, PIOS | PNX | PEOS),
	CFG("ip as-path LINE", M_CONF, PIOS | PNX | PEOS),
	CFG("ip sla REST", M_CONF, PIOS),
	CFG("ip nat REST", M_CONF, PIOS),
	CFG("ip icmp REST", M_CONF, PIOS | PEOS),
	CFG("ip source-route", M_CONF, PIOS),
	CFG("ipv6 REST", M_CONF, 0),
	CFG("service REST", M_CONF, PIOS | PEOS | PXR),
	CFG("logging REST", M_CONF, 0),
	CFG("snmp-server REST", M_CONF, 0),
	CFG("ntp REST", M_CONF, 0),
	CFG("aaa REST", M_CONF, 0),
	CFG("clock REST", M_CONF, 0),
	CFG("spanning-tree REST", M_CONF, PIOS | PNX | PEOS),
	CFG("username LINE", M_CONF, 0),
	CFG("enable REST", M_CONF, PIOS | PEOS),
	CFG("banner LINE", M_CONF, 0),
	CFG("crypto REST", M_CONF, PIOS | PXR),
	CFG("cdp REST", M_CONF, PIOS | PNX | PXR),
	CFG("lldp REST", M_CONF, 0),
	CFG("errdisable REST", M_CONF, PIOS | PNX | PEOS),
	CFG("boot REST", M_CONF, PIOS | PNX | PEOS),
	CFG("license REST", M_CONF, PIOS | PNX),
	CFG("feature LINE", M_CONF, PNX),
	CFG("tacacs-server REST", M_CONF, PIOS | PNX | PEOS),
	CFG("radius-server REST", M_CONF, PIOS | PNX | PEOS),
	CFG("access-list REST", M_CONF, PIOS),
	CFG("mac REST", M_CONF, PIOS | PNX | PEOS),
	CFG("monitor REST", M_CONF, PIOS | PNX | PEOS),
	CFG("system REST", M_CONF, PIOS | PNX),
	CFG("vtp REST", M_CONF, PIOS | PNX),
	CFG("udld REST", M_CONF, PIOS | PNX),
	CFG("port-channel REST", M_CONF, PIOS | PNX | PEOS),
	CFG("power REST", M_CONF, PIOS),
	CFG("track REST", M_CONF, PIOS | PNX),
	CFG("event REST", M_CONF, PIOS | PEOS),
	CFG("alias REST", M_CONF, PIOS | PNX | PEOS | PXR),
	CFG("privilege REST", M_CONF, PIOS),
	CFG("transceiver REST", M_CONF, PEOS),
	CFG("daemon REST", M_CONF, PEOS),
	CFG("dns REST", M_CONF, PEOS),
	CFG("domain REST", M_CONF, PXR),
	CFG("telnet REST", M_CONF, PXR),
	CFG("ssh REST", M_CONF, PNX | PXR),
	CFG("netconf-yang REST", M_CONF, PIOS),
	CFG("netconf REST", M_CONF, PXR),
	CFG("grpc REST", M_CONF, PNX | PXR),
	CFG("mpls REST", M_CONF, PIOS | PNX | PXR),
	CFG("segment-routing REST", M_CONF, PXR),
	CFG("switch REST", M_CONF, PIOS),
	CFG("login REST", M_CONF, PIOS),
	CFG("version REST", M_CONF, PIOS | PNX),
	CFG("vdc REST", M_CONF, PNX),
	CFG("cfs REST", M_CONF, PNX),
	CFG("copp REST", M_CONF, PNX),
	CFG("rmon REST", M_CONF, PNX),
	CFG("hardware REST", M_CONF, PNX | PEOS),
	CFG("platform REST", M_CONF, PIOS | PEOS),
	CFG("sflow REST", M_CONF, PNX | PEOS),
	CFG("icam REST", M_CONF, PNX),
	/* interface */
	CFG("description LINE", M_IF | M_VLAN | M_NBR, 0),
	CFG("shutdown", M_IF | M_VLAN | M_NBR | M_ROUTER, 0),
	CFG("ip address IPV4 IPV4", M_IF, PIOS),
	CFG("ip address IPV4 IPV4 secondary", M_IF, PIOS),
	CFG("ip address dhcp", M_IF, PIOS | PEOS),
	CFG("ip address PREFIX", M_IF, PNX | PEOS),
	CFG("ip address PREFIX secondary", M_IF, PNX | PEOS),
	CFG("ipv4 address IPV4 IPV4", M_IF, PXR),
	CFG("ipv4 address PREFIX", M_IF, PXR),
	CFG("ipv4 REST", M_IF, PXR),
	CFG("ipv6 REST", M_IF, 0),
	CFG("ip helper-address IPV4", M_IF, PIOS | PEOS),
	CFG("ip dhcp REST", M_IF, PIOS | PNX | PEOS),
	CFG("ip access-group LINE", M_IF, PIOS | PNX | PEOS),
	CFG("ip ospf REST", M_IF, PIOS | PNX | PEOS),
	CFG("ip pim REST", M_IF, PIOS | PNX | PEOS),
	CFG("ip mtu NUM", M_IF, PIOS),
	CFG("ip redirects", M_IF, PIOS | PNX),
	CFG("ip unreachables", M_IF, PIOS | PNX),
	CFG("ip proxy-arp", M_IF, PIOS | PNX | PEOS),
	CFG("ip router REST", M_IF, PNX),
	CFG("ip vrf forwarding WORD", M_IF, PIOS),
	CFG("ip igmp REST", M_IF, PIOS | PNX | PEOS),
	CFG("ip nat REST", M_IF, PIOS),
	CFG("ip flow REST", M_IF, PIOS),
	CFG("ip verify REST", M_IF, PIOS | PNX | PEOS),
	CFG("ip arp REST", M_IF, PIOS | PNX),
	CFG("ip tcp adjust-mss NUM", M_IF, PIOS),
	CFG("switchport", M_IF, PIOS | PNX | PEOS),
	CFG("switchport mode access", M_IF, PIOS | PNX | PEOS),
	CFG("switchport mode trunk", M_IF, PIOS | PNX | PEOS),
	CFG("switchport mode routed", M_IF, PEOS),
	CFG("switchport mode dynamic WORD", M_IF, PIOS),
	CFG("switchport access vlan NUM", M_IF, PIOS | PNX | PEOS),
	CFG("switchport trunk allowed vlan LINE", M_IF, PIOS | PNX | PEOS),
	CFG("switchport trunk native vlan NUM", M_IF, PIOS | PNX | PEOS),
	CFG("switchport trunk encapsulation WORD", M_IF, PIOS),
	CFG("switchport voice vlan NUM", M_IF, PIOS | PNX),
	CFG("switchport port-security REST", M_IF, PIOS | PNX | PEOS),
	CFG("switchport nonegotiate", M_IF, PIOS),
	CFG("switchport host", M_IF, PIOS | PNX),
	CFG("switchport block REST", M_IF, PIOS | PNX),
	CFG("mtu NUM", M_IF, 0),
	CFG("speed WORD", M_IF, 0),
	CFG("duplex WORD", M_IF, 0),
	CFG("bandwidth NUM", M_IF, 0),
	CFG("load-interval REST", M_IF, 0),
	CFG("channel-group NUM mode WORD", M_IF, PIOS | PNX | PEOS),
	CFG("channel-group NUM", M_IF, PNX | PEOS),
	CFG("bundle id NUM mode WORD", M_IF, PXR),
	CFG("vrf forwarding WORD", M_IF, PIOS),
	CFG("vrf member WORD", M_IF, PNX),
	CFG("vrf WORD", M_IF, PEOS | PXR),
	CFG("spanning-tree REST", M_IF, PIOS | PNX | PEOS),
	CFG("service-policy LINE", M_IF, 0),
	CFG("authentication REST", M_IF, PIOS),
	CFG("dot1x REST", M_IF, PIOS | PEOS),
	CFG("mab", M_IF, PIOS),
	CFG("storm-control REST", M_IF, PIOS | PNX | PEOS),
	CFG("device-tracking REST", M_IF, PIOS),
	CFG("cdp REST", M_IF, PIOS | PNX | PXR),
	CFG("lldp REST", M_IF, 0),
	CFG("power REST", M_IF, PIOS),
	CFG("negotiation REST", M_IF, PIOS | PNX | PXR),
	CFG("encapsulation LINE", M_IF, 0),
	CFG("logging REST", M_IF, 0),
	CFG("udld REST", M_IF, PIOS | PNX),
	CFG("flowcontrol REST", M_IF, PIOS | PNX | PEOS),
	CFG("hold-queue REST", M_IF, PIOS),
	CFG("keepalive REST", M_IF, PIOS),
	CFG("standby REST", M_IF, PIOS),
	CFG("vrrp REST", M_IF, PIOS | PNX | PEOS),
	CFG("hsrp REST", M_IF, PNX),
	CFG("mpls REST", M_IF, PIOS | PNX | PEOS),
	CFG("carrier-delay REST", M_IF, PIOS | PNX | PXR),
	CFG("lacp REST", M_IF, PIOS | PNX | PEOS),
	CFG("media-type WORD", M_IF, PIOS),
	CFG("priority-flow-control REST", M_IF, PNX | PEOS),
	CFG("link REST", M_IF, PNX),
	CFG("beacon", M_IF, PNX),
	CFG("dampening REST", M_IF, PIOS | PXR),
	CFG("snmp REST", M_IF, PIOS | PNX | PEOS),
	CFG("macsec REST", M_IF, PIOS | PEOS | PXR),
	CFG("transceiver REST", M_IF, PXR),
	/* line */
	CFG("exec-timeout NUM NUM", M_LINE, PIOS | PXR),
	CFG("exec-timeout NUM", M_LINE, PNX),
	CFG("transport input LINE", M_LINE, PIOS | PXR),
	CFG("transport output LINE", M_LINE, PIOS | PXR),
	CFG("access-class LINE", M_LINE, PIOS | PNX | PXR),
	CFG("logging synchronous", M_LINE, PIOS),
	CFG("login REST", M_LINE, PIOS),
	CFG("password LINE", M_LINE, PIOS),
	CFG("privilege level NUM", M_LINE, PIOS),
	CFG("session-timeout REST", M_LINE, PIOS | PNX),
	CFG("session-limit NUM", M_LINE, PNX | PXR),
	CFG("stopbits NUM", M_LINE, PIOS | PXR),
	CFG("length NUM", M_LINE, PIOS),
	CFG("width NUM", M_LINE, PIOS),
	CFG("history REST", M_LINE, PIOS),
	CFG("absolute-timeout NUM", M_LINE, PIOS | PNX),
	CFG("speed NUM", M_LINE, PIOS | PNX),
	CFG("databits NUM", M_LINE, PIOS | PNX),
	CFG("parity WORD", M_LINE, PIOS | PNX),
	/* vlan */
	CFG("name WORD", M_VLAN, 0),
	CFG("state WORD", M_VLAN, PIOS | PNX | PEOS),
	CFG("vn-segment NUM", M_VLAN, PNX),
	CFG("trunk group WORD", M_VLAN, PEOS),
	/* routing */
	CFG("router-id IPV4", M_ROUTER, 0),
	CFG("network LINE", M_ROUTER | M_RAF, 0),
	CFG("neighbor IPV4 LINE", M_ROUTER, PIOS | PEOS),
	CFG("neighbor WORD LINE", M_ROUTER, PIOS | PEOS),
	SECT("neighbor IPV4", M_ROUTER, PNX | PXR, X_NBR),
	CFG("bgp LINE", M_ROUTER | M_RAF, 0),
	SECT("address-family LINE", M_ROUTER, 0, X_AF),
	SECT("address-family LINE", M_NBR, PNX | PXR, X_NBR_AF),
	SECT("vrf WORD", M_ROUTER, PIOS | PNX | PEOS | PXR, X_GEN),
	CFG("redistribute LINE", M_ROUTER | M_RAF, 0),
	CFG("passive-interface LINE", M_ROUTER, PIOS | PNX | PEOS),
	SECT("area WORD", M_ROUTER, PXR, X_AREA),
	CFG("area WORD LINE", M_ROUTER, PIOS | PNX | PEOS),
	CFG("log-adjacency-changes REST", M_ROUTER, PIOS | PNX | PEOS),
	CFG("log-neighbor-changes REST", M_ROUTER, PNX),
	CFG("maximum-paths LINE", M_ROUTER | M_RAF, 0),
	CFG("timers LINE", M_ROUTER | M_NBR, 0),
	CFG("default-information LINE", M_ROUTER | M_RAF, 0),
	CFG("auto-cost LINE", M_ROUTER, PIOS | PNX | PEOS),
	CFG("distance LINE", M_ROUTER | M_RAF, 0),
	CFG("auto-summary", M_ROUTER, PIOS),
	CFG("synchronization", M_ROUTER, PIOS),
	CFG("bfd REST", M_ROUTER | M_NBR, 0),
	CFG("nsr REST", M_ROUTER, PXR),
	CFG("graceful-restart REST", M_ROUTER, 0),
	CFG("default-metric NUM", M_ROUTER, PIOS | PNX | PEOS),
	CFG("summary-address LINE", M_ROUTER, PIOS),
	CFG("max-metric LINE", M_ROUTER, PIOS | PNX | PEOS | PXR),
	CFG("exit-address-family", M_RAF, PIOS),
	CFG("PREFIX LINE", M_RAF, PXR),
	CFG("route-policy LINE", M_RAF, PXR),
	CFG("soft-reconfiguration LINE", M_RAF, PIOS | PNX),
	CFG("next-hop-self REST", M_RAF, PIOS | PNX | PXR),
	CFG("send-community REST", M_RAF, PIOS | PNX | PEOS),
	CFG("activate", M_RAF, PIOS | PEOS),
	CFG("allowas-in REST", M_RAF, PIOS | PNX | PXR),
	CFG("aggregate-address LINE", M_RAF, PIOS | PNX | PXR),
	CFG("additional-paths REST", M_RAF, PIOS | PNX | PXR),
	CFG("table-map LINE", M_RAF, PIOS | PNX),
	CFG("route-map LINE", M_RAF, PNX),
	CFG("neighbor LINE", M_RAF, PIOS | PEOS),
	CFG("remote-as NUM", M_NBR, PNX | PXR),
	CFG("update-source WORD", M_NBR, PNX | PXR),
	CFG("password LINE", M_NBR, PNX | PXR),
	CFG("ebgp-multihop REST", M_NBR, PNX | PXR),
	CFG("use LINE", M_NBR, PXR),
	CFG("local-as LINE", M_NBR, PNX | PXR),
	CFG("inherit LINE", M_NBR, PNX),
	/* access lists */
	CFG("NUM LINE", M_ACL, 0),
	CFG("permit LINE", M_ACL, 0),
	CFG("deny LINE", M_ACL, 0),
	CFG("remark LINE", M_ACL, 0),
	CFG("statistics per-entry", M_ACL, PNX),
	{ NULL, 0, 0, 0, 0 },
};

/* Each platform's show commands of out_*.c as commands: in exec, and on
 * nxos, eos and iosxr in configuration too. Made once. */
static struct fo__cmd show_cmds[FO_DEV_NPLATFORMS][64];
static pthread_once_t show_once = PTHREAD_ONCE_INIT;

static void show_cmds_make(void)
{
	for (int p = 0; p < FO_DEV_NPLATFORMS; p++) {
		const struct fo__show *t = fo__show_table((enum fo_dev_platform)p);
		int n = 0;

		for (int i = 0; t[i].words && n < 63; i++) {
			if (!strcmp(t[i].words, "show running-config") || !strcmp(t[i].words, "show startup-config"))
				continue; /* the device's own: its configuration changes */
			show_cmds[p][n++] = (struct fo__cmd){ t[i].words,
							      p == FO_DEV_IOS ? M_EXEC : M_EXEC | M_CFG, 0,
							      C_SHOW, i };
		}
	}
}

/* ---- the session's mode --------------------------------------------------------- */

static enum fo_dev_platform plat(const struct fo_dev_sess *s)
{
	return s->d->id.platform;
}

static unsigned mode_of(const struct fo_dev_sess *s, int depth)
{
	if (s->lvl == FO__USER)
		return M_USER;
	if (s->lvl == FO__PRIV)
		return M_PRIV;
	return depth ? sects[s->ctxkind[depth - 1]].mode : M_CONF;
}

static void ctx_pop(struct fo_dev_sess *s, int to)
{
	while (s->nctx > to)
		free(s->ctx[--s->nctx]);
}

static void tree_drop(struct fo_dev_sess *s)
{
	if (s->tree) {
		fo__conf_release(s->tree);
		free(s->tree);
		s->tree = NULL;
	}
}

static void conf_leave(struct fo_dev_sess *s)
{
	ctx_pop(s, 0);
	s->lvl = FO__PRIV;
	s->eos_sess[0] = '\0'; /* NEEDSWORK: eos keeps a session left with end pending */
	tree_drop(s);
	s->cand.len = 0;
}

/* eos's name for a section in its prompt: Et1 of Ethernet1, the last word else */
static void short_name(enum fo_dev_platform p, const char *header, char *out, size_t size)
{
	const char *w = strrchr(header, ' ');

	w = w ? w + 1 : header;
	if (p == FO_DEV_EOS && !strncmp(header, "interface ", 10) && isalpha((unsigned char)w[0]) &&
	    isalpha((unsigned char)w[1])) {
		const char *num = w;

		while (*num && !isdigit((unsigned char)*num))
			num++;
		snprintf(out, size, "%c%c%s", w[0], w[1], num);
		return;
	}
	snprintf(out, size, "%s", w);
}

void fo__ios_prompt(struct fo_dev_sess *s, struct fo_sbuf *out)
{
	enum fo_dev_platform p = plat(s);
	const char *sp = p == FO_DEV_NXOS ? " " : "";

	if (p == FO_DEV_IOSXR)
		fo__adds(out, "RP/0/RP0/CPU0:");
	fo__adds(out, s->d->hostname);
	if (s->lvl == FO__USER) {
		fo__addf(out, ">%s", sp);
		return;
	}
	if (s->lvl == FO__PRIV) {
		fo__addf(out, "#%s", sp);
		return;
	}
	if (!s->nctx) {
		if (s->eos_sess[0])
			fo__addf(out, "(config-s-%s)#", s->eos_sess);
		else
			fo__addf(out, "(config)#%s", sp);
		return;
	}
	{
		const char *fmt = sects[s->ctxkind[s->nctx - 1]].prompt[p];
		char name[64], suffix[128];

		short_name(p, s->ctx[s->nctx - 1], name, sizeof(name));
		if (!fmt)
			fmt = "config-%s";
		if (strstr(fmt, "%s"))
			snprintf(suffix, sizeof(suffix), fmt, name);
		else
			snprintf(suffix, sizeof(suffix), "%s", fmt);
		if (s->eos_sess[0]) /* (config-s-NAME-if-Et1) */
			fo__addf(out, "(config-s-%s-%s)#", s->eos_sess, suffix + 7);
		else
			fo__addf(out, "(%s)#%s", suffix, sp);
	}
}

static size_t prompt_len(struct fo_dev_sess *s)
{
	struct fo_sbuf b = { 0 };
	size_t n;

	fo__ios_prompt(s, &b);
	n = b.len;
	free(b.p);
	return n;
}

void fo__ios_banner(struct fo_dev_sess *s, struct fo_sbuf *out)
{
	switch (plat(s)) {
	case FO_DEV_NXOS:
		fo__adds(out, "Cisco Nexus Operating System (NX-OS) Software\nTAC support: http://www.cisco.com/tac\n"
			      "Copyright (C) 2002-2023, Cisco and/or its affiliates.\nAll rights reserved.\n"
			      "The copyrights to certain works contained in this software are\n"
			      "owned by other third parties and used and distributed under their own\n"
			      "licenses, such as open source.  This software is provided \"as is,\" and unless\n"
			      "otherwise stated, there is no warranty, express or implied, including but not\n"
			      "limited to warranties of merchantability and fitness for a particular purpose.\n");
		break;
	case FO_DEV_EOS:
		fo__adds(out, "Last login: Tue Mar  4 09:10:00 2025 from 127.0.0.1\n");
		break;
	case FO_DEV_IOSXR:
		fo__addf(out, "\n*** %s: authorized access only; activity is logged ***\n\n", s->d->id.name);
		break;
	default:
		fo__addf(out, "\n*** %s: authorized access only; activity is logged ***\n\n", s->d->id.name);
	}
}

void fo__ios_close(struct fo_dev_sess *s)
{
	conf_leave(s); /* iosxr: uncommitted changes go with the session */
}

/* ---- errors, as each platform prints them -------------------------------------------- */

static void caret(struct fo__out *o, size_t col)
{
	for (size_t i = 0; i < col; i++)
		fo_sbuf_add(&o->text, " ", 1);
	fo__adds(&o->text, "^\n");
}

/* An error at a column that is no word of the command (a filter's). */
static void invalid_at(struct fo_dev_sess *s, size_t col, struct fo__out *o)
{
	s->status = 1;
	if (plat(s) == FO_DEV_EOS) {
		fo__adds(&o->text, "% Invalid input\n");
		return;
	}
	caret(o, col);
	if (plat(s) == FO_DEV_NXOS)
		fo__adds(&o->text, "% Invalid command at '^' marker.\n");
	else
		fo__adds(&o->text, plat(s) == FO_DEV_IOS ? "% Invalid input detected at '^' marker.\n\n"
							 : "% Invalid input detected at '^' marker.\n");
}

static void error_out(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *line,
		      size_t plen, struct fo__out *o)
{
	enum fo_dev_platform p = plat(s);
	size_t col = plen + (m->bad < w->n ? w->at[m->bad] : strlen(line));

	s->status = 1;
	switch (m->st) {
	case FO__M_AMBIGUOUS:
		if (p == FO_DEV_NXOS) {
			caret(o, plen + w->at[m->bad]);
			fo__adds(&o->text, "% Ambiguous command at '^' marker.\n");
		} else if (p == FO_DEV_EOS) {
			fo__adds(&o->text, "% Ambiguous command\n");
		} else {
			fo__addf(&o->text, "%% Ambiguous command:  \"%s\"\n", line);
		}
		return;
	case FO__M_INCOMPLETE:
		if (p == FO_DEV_NXOS) {
			caret(o, col);
			fo__adds(&o->text, "% Incomplete command at '^' marker.\n");
		} else if (p == FO_DEV_EOS) {
			fo__adds(&o->text, "% Incomplete command\n");
		} else {
			fo__adds(&o->text, p == FO_DEV_IOS ? "% Incomplete command.\n\n" : "% Incomplete command.\n");
		}
		return;
	default:
		break;
	}
	if (p == FO_DEV_EOS) {
		fo__adds(&o->text, "% Invalid input\n");
	} else if (p == FO_DEV_NXOS) {
		caret(o, col);
		fo__adds(&o->text, "% Invalid command at '^' marker.\n");
	} else if (p == FO_DEV_IOS && s->lvl != FO__CONF && m->bad == 0 && w->n == 1) {
		/* one word IOS knows no command of: it tries it as a host */
		fo__addf(&o->text, "Translating \"%s\"\n%% Unknown command or computer name, or unable to find computer address\n",
			 w->w[0]);
	} else {
		caret(o, col);
		fo__adds(&o->text, p == FO_DEV_IOS ? "% Invalid input detected at '^' marker.\n\n"
						   : "% Invalid input detected at '^' marker.\n");
	}
}

/* ---- show ---------------------------------------------------------------------------- */

/* IOS-XR begins every show output with the time (the engine's: fixed),
 * above what the filters leave. */
static void xr_stamp(struct fo_dev_sess *s, struct fo__out *o)
{
	static const char stamp[] = "Tue Mar  4 09:15:00.000 UTC\n";
	size_t n = sizeof(stamp) - 1, len = o->text.len;

	if (plat(s) != FO_DEV_IOSXR)
		return;
	fo_sbuf_add(&o->text, stamp, n); /* room, then moved to the front */
	if (o->text.oom)
		return;
	memmove(o->text.p + n, o->text.p, len);
	memcpy(o->text.p, stamp, n);
}

static void show_run_if(struct fo_dev_sess *s, const char *typed, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	struct fo__conf c;
	char head[128], ifname[96];
	const char *path[1] = { head };
	struct fo__cnode *n;
	struct fo_sbuf body = { 0 };

	if (fo__ifname(plat(s), typed, ifname, sizeof(ifname)) < 0)
		snprintf(ifname, sizeof(ifname), "%s", typed);
	snprintf(head, sizeof(head), "interface %s", ifname);
	if (fo__dev_conf(d, d->journal.len, NULL, &c)) {
		o->text.oom = true;
		return;
	}
	n = fo__conf_find(&c, path, 1);
	if (!n) {
		fo__conf_release(&c);
		fo__addf(&o->text, plat(s) == FO_DEV_EOS ? "%% Invalid input\n" : "%% Invalid input detected at '^' marker.\n");
		s->status = 1;
		return;
	}
	{
		struct fo__conf one = { .p = c.p };
		struct fo__cnode *kids[1] = { n };

		one.root.kids = kids;
		one.root.nkids = 1;
		fo__conf_print(&one, &body);
	}
	switch (plat(s)) {
	case FO_DEV_IOS:
		fo__addf(&o->text, "Building configuration...\n\nCurrent configuration : %zu bytes\n!\n", body.len + 4);
		break;
	case FO_DEV_NXOS:
		fo__addf(&o->text, "\n!Command: show running-config interface %s\n!Time: Tue Mar  4 09:15:00 2025\n\n"
				   "version 10.2(5) Bios:version 05.47 \n\n", ifname);
		break;
	default:
		break;
	}
	if (body.p)
		fo_sbuf_add(&o->text, body.p, body.len);
	if (plat(s) == FO_DEV_IOS || plat(s) == FO_DEV_IOSXR)
		fo__adds(&o->text, plat(s) == FO_DEV_IOS ? "end\n\n" : "!\n");
	if (body.oom)
		o->text.oom = true;
	free(body.p);
	fo__conf_release(&c);
}

/* iosxr's show configuration: the session's uncommitted lines, in their sections */
static void xr_show_conf(struct fo_dev_sess *s, struct fo__out *o)
{
	const char *prev[8];
	size_t prevl[8];
	int np = 0;

	fo__adds(&o->text, "Building configuration...\n!! IOS XR Configuration 7.5.2\n");
	for (size_t at = 0; at < s->cand.len;) {
		const char *e = s->cand.p + at, *seg = e, *nl;
		int k = 0;

		at += strlen(e) + 1;
		/* its sections: the ones the previous line had stay open */
		while ((nl = strchr(seg, '\n')) && k < 8) {
			size_t l = (size_t)(nl - seg);

			if (k < np && prevl[k] == l && !memcmp(prev[k], seg, l)) {
				k++;
				seg = nl + 1;
				continue;
			}
			while (np > k) {
				np--;
				fo__addf(&o->text, "%*s!\n", np, "");
			}
			fo__addf(&o->text, "%*s%.*s\n", k, "", (int)l, seg);
			prev[k] = seg;
			prevl[k] = l;
			np = ++k;
			seg = nl + 1;
		}
		while (np > k) {
			np--;
			fo__addf(&o->text, "%*s!\n", np, "");
		}
		if (*seg)
			fo__addf(&o->text, "%*s%s\n", k, "", seg);
	}
	while (np > 0) {
		np--;
		fo__addf(&o->text, "%*s!\n", np, "");
	}
	fo__adds(&o->text, "end\n");
}

static struct fo__conf *tree(struct fo_dev_sess *s);

static int xr_diff(struct fo_dev_sess *s, struct fo__out *o)
{
	struct fo__conf run, *t = tree(s);

	fo__adds(&o->text, "Building configuration...\n!! IOS XR Configuration 7.5.2\n");
	if (!t || fo__dev_conf(s->d, s->d->journal.len, NULL, &run)) {
		o->text.oom = true;
		return 0;
	}
	fo__conf_diff(&run, t, &o->text);
	fo__conf_release(&run);
	fo__adds(&o->text, "end\n");
	return 0;
}

/* ---- configuration ----------------------------------------------------------------------- */

/* The configuration tree of the session in configuration mode. */
/*
 * The configuration the session sees (the running one, and its
 * candidate's changes), made when a command needs it and dropped after
 * the line: 0.03 to 0.15 ms to make, where keeping it would cost ~150 KB
 * a session in configuration mode (28,000 devices configured at once).
 */
static struct fo__conf *tree(struct fo_dev_sess *s)
{
	if (!s->tree) {
		s->tree = calloc(1, sizeof(*s->tree));
		if (!s->tree)
			return NULL;
		if (fo__dev_conf(s->d, s->d->journal.len, &s->cand, s->tree)) {
			free(s->tree);
			s->tree = NULL;
		}
	}
	return s->tree;
}

/* An entry: the sections the session is in, then the line. */
static int entry_make(struct fo_dev_sess *s, int depth, const char *line, char *buf, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < depth; i++) {
		int n = snprintf(buf + len, size - len, "%s\n", s->ctx[i]);

		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return (size_t)snprintf(buf + len, size - len, "%s", line) >= size - len ? -1 : 0;
}

/* A configuration change is made: to the running configuration (iosxr:
 * the candidate) and to the session's tree. section: the line is a
 * section's header, made if it is not there. */
static int change(struct fo_dev_sess *s, int depth, const char *line, bool section, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	char entry[FO__DEV_LINE_MAX + 1024];
	bool xr = plat(s) == FO_DEV_IOSXR || s->eos_sess[0]; /* a candidate, committed later */
	size_t len;

	if (entry_make(s, depth, line, entry, sizeof(entry) - 1))
		goto full;
	if (section) { /* "interface X\n": the section, made if need be */
		len = strlen(entry);
		entry[len] = '\n';
		entry[len + 1] = '\0';
	}
	if (fo__journal_add(xr ? &s->cand : &d->journal, entry))
		goto full;
	tree_drop(s); /* it has changed */
	if (!xr && !depth && (!strncmp(line, "hostname ", 9) || !strncmp(line, "no hostname", 11)))
		fo__dev_rehost(d);
	return 0;
full:
	fo__addf(&o->text, "%% Configuration buffer full, can't add command: %s\n%%Aborted: %s\n", line, line);
	s->status = 1;
	return -1;
}

/* A section command: the section is made if need be and entered. */
static int section(struct fo_dev_sess *s, int depth, int kind, const char *header, const struct fo__words *w,
		   const struct fo__match *m, size_t plen, struct fo__out *o)
{
	struct fo__conf *t = tree(s);
	const char *path[5];
	char ifn[128];

	if (!t) {
		o->text.oom = true;
		return 0;
	}
	if (kind == X_AF && depth && s->ctxkind[depth - 1] == X_STATIC)
		kind = X_STATIC_AF;
	for (int i = 0; i < depth; i++)
		path[i] = s->ctx[i];
	path[depth] = header;
	if (!fo__conf_find(t, path, (size_t)depth + 1)) {
		/* a port the device has not got cannot be made */
		if (kind == X_IF && m->nargs &&
		    fo__ifname(plat(s), w->w[m->arg[0]], ifn, sizeof(ifn)) == 1) {
			struct fo__match bad = *m;

			bad.st = FO__M_INVALID;
			bad.bad = m->arg[0];
			error_out(s, &bad, w, "", plen, o);
			return 0;
		}
		ctx_pop(s, depth);
		if (change(s, depth, header, true, o))
			return 0;
	}
	ctx_pop(s, depth);
	if (s->nctx < 4) {
		s->ctx[s->nctx] = strdup(header);
		if (!s->ctx[s->nctx]) {
			o->text.oom = true;
			return 0;
		}
		s->ctxkind[s->nctx++] = kind;
	}
	return 0;
}

/* ---- questions ------------------------------------------------------------------------------ */

static void save(struct fo_dev_sess *s, struct fo__out *o)
{
	s->d->startup = s->d->journal.len;
	s->d->saved = true;
	switch (plat(s)) {
	case FO_DEV_NXOS:
		fo__adds(&o->text, "[########################################] 100%\n"
				   "Copy complete, now saving to disk (please wait)...\nCopy complete.\n");
		break;
	case FO_DEV_EOS:
		fo__adds(&o->text, "Copy completed successfully.\n");
		break;
	default:
		fo__adds(&o->text, "Building configuration...\n[OK]\n");
	}
}

static int xr_commit(struct fo_dev_sess *s, unsigned confirm_secs, struct fo__out *o)
{
	if (!s->cand.len) {
		fo__adds(&o->text, "% No configuration changes to commit.\n");
		return 0;
	}
	if (fo__dev_commit(s->d, &s->cand, confirm_secs)) {
		fo__adds(&o->text, "% Failed to commit one or more configuration items during a pseudo-atomic operation."
				   " All changes made have been reverted.\n");
		s->status = 1;
		return 0;
	}
	s->cand.len = 0;
	return 0;
}

static void enter_config(struct fo_dev_sess *s, struct fo__out *o)
{
	s->lvl = FO__CONF;
	s->nctx = 0;
	s->cand.len = 0;
	if (plat(s) == FO_DEV_IOS)
		fo__adds(&o->text, "Enter configuration commands, one per line.  End with CNTL/Z.\n");
	else if (plat(s) == FO_DEV_NXOS)
		fo__adds(&o->text, "Enter configuration commands, one per line. End with CNTL/Z.\n");
}

static int answer(struct fo_dev_sess *s, const char *line, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	char a[32];
	size_t n;

	while (*line == ' ')
		line++;
	snprintf(a, sizeof(a), "%s", line);
	n = strcspn(a, " ");
	a[n] = '\0';
	switch (s->ask) {
	case FO__ASK_SECRET: {
		bool ok = d->fault != FO_DEV_BADSECRET && d->secret && !strcmp(line, d->secret);

		s->ask = FO__ASK_NONE;
		if (ok) {
			s->lvl = FO__PRIV;
			return 0;
		}
		s->status = 1;
		if (plat(s) == FO_DEV_IOS && ++s->ask_tries < 3) {
			fo__adds(&o->text, "Password: ");
			s->ask = FO__ASK_SECRET;
		} else if (plat(s) == FO_DEV_IOS) {
			fo__adds(&o->text, "% Bad secrets\n\n");
		} else {
			fo__adds(&o->text, "% Access denied\n");
		}
		return 0;
	}
	case FO__ASK_COPY:
		s->ask = FO__ASK_NONE;
		save(s, o);
		return 0;
	case FO__ASK_CONFIGURE:
		s->ask = FO__ASK_NONE;
		if (!n || !strncasecmp("terminal", a, n)) {
			enter_config(s, o);
		} else {
			fo__adds(&o->text, "?Must be \"terminal\", \"memory\" or \"network\"\n");
			s->status = 1;
		}
		return 0;
	case FO__ASK_XR_EXIT:
		s->ask = FO__ASK_NONE;
		if (n && !strncasecmp("yes", a, n)) {
			xr_commit(s, 0, o);
			conf_leave(s);
		} else if (n && !strncasecmp("no", a, n)) {
			conf_leave(s);
		}
		return 0; /* cancel: stays */
	default:
		s->ask = FO__ASK_NONE;
		return 0;
	}
}

static void xr_ask_exit(struct fo_dev_sess *s, struct fo__out *o)
{
	fo__adds(&o->text, "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:");
	s->ask = FO__ASK_XR_EXIT;
}

/* ---- one line ------------------------------------------------------------------------------- */

/* "interface gi 1/0/1": the type and number typed apart are one name */
static void join_ifname(const char *in, char *out, size_t size)
{
	struct fo__words w;
	size_t len = 0;

	fo__words_split(&w, in, false);
	out[0] = '\0';
	for (int i = 0; i < w.n; i++) {
		bool join = i >= 1 && i + 1 < w.n && strlen(w.w[i - 1]) >= 2 &&
			    !strncasecmp(w.w[i - 1], "interfaces", strlen(w.w[i - 1])) &&
			    isdigit((unsigned char)w.w[i + 1][0]);

		for (const char *c = w.w[i]; join && *c; c++)
			join = isalpha((unsigned char)*c) || *c == '-';
		/* keep the line's own spacing where nothing is joined */
		if (!join) {
			size_t end = i + 1 < w.n ? w.at[i + 1] : strlen(in);
			int n = snprintf(out + len, size - len, "%.*s", (int)(end - w.at[i]), in + w.at[i]);

			if (n < 0 || (size_t)n >= size - len)
				return;
			len += (size_t)n;
			continue;
		}
		len += (size_t)snprintf(out + len, size - len, "%s", w.w[i]);
		if (len >= size)
			return;
	}
}

static int run(struct fo_dev_sess *s, const char *line, const char *pipe, size_t pipe_at, size_t plen,
	       struct fo__out *o);

/* IOS: "ip address A M" with a mask that is no prefix's. */
static bool bad_mask(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, struct fo__out *o)
{
	unsigned q[4];
	uint32_t mask;

	if ((plat(s) != FO_DEV_IOS && plat(s) != FO_DEV_IOSXR) || m->nargs < 2 ||
	    (strncmp(m->canon, "ip address ", 11) && strncmp(m->canon, "ipv4 address ", 13)) ||
	    sscanf(w->w[m->arg[1]], "%u.%u.%u.%u", &q[0], &q[1], &q[2], &q[3]) != 4)
		return false;
	mask = q[0] << 24 | q[1] << 16 | q[2] << 8 | q[3];
	if (!(~mask & (~mask + 1))) /* ones, then zeros */
		return false;
	fo__addf(&o->text, "%% Bad mask 0x%X for address %s\n", mask, w->w[m->arg[0]]);
	s->status = 1;
	return true;
}

/* A command the platform has, but not in this state (eos: commit outside a session). */
static int not_here(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *line,
		    size_t plen, struct fo__out *o)
{
	struct fo__match bad = *m;

	bad.st = FO__M_INVALID;
	bad.bad = 0;
	error_out(s, &bad, w, line, plen, o);
	return 0;
}

/* eos's show session-config diffs: the session's configuration against
 * the running one, as a unified diff */
static void eos_diff(struct fo_dev_sess *s, struct fo__out *o)
{
	struct fo_sbuf run = { 0 }, mine = { 0 };
	struct fo__conf *t = tree(s);

	if (!t) {
		o->text.oom = true;
		return;
	}
	fo__dev_running(s->d, &run);
	fo__conf_print(t, &mine);
	fo__addf(&o->text, "--- system:/running-config\n+++ session:/%s-session-config\n", s->eos_sess);
	if (run.oom || mine.oom || fo__text_diff(run.p ? run.p : "", run.len, mine.p ? mine.p : "", mine.len, &o->text))
		o->text.oom = true;
	free(run.p);
	free(mine.p);
}

/* The commands that print: their output, then the filters typed after
 * '|' (a filter the device has not marks the line with an error instead). */
static void show(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *pipe,
		 size_t pipe_at, size_t plen, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	size_t bad = 0;

	switch (m->cmd->id) {
	case C_SHOW: {
		const struct fo__show *t = fo__show_table(plat(s)) + m->cmd->arg;

		fo__gen_run(t->gen, &d->id, 0, &o->text);
		break;
	}
	case C_SHOW_RUN:
		fo__dev_running(d, &o->text);
		break;
	case C_SHOW_RUN_IF:
		show_run_if(s, w->w[m->arg[0]], o);
		break;
	case C_SHOW_START:
		fo__dev_startup(d, &o->text);
		break;
	case C_XR_DIFF:
		xr_diff(s, o);
		break;
	case C_XR_SHOWCONF:
		xr_show_conf(s, o);
		break;
	case C_EOS_DIFF:
		if (s->eos_sess[0])
			eos_diff(s, o);
		break;
	case C_FILES:
		fo__files_cmd(s, m->cmd->arg, m->nargs ? w->w[m->arg[0]] : NULL, o);
		if (!o->is_output)
			return; /* the device's error: not filtered, no time stamp */
		break;
	}
	o->is_output = true;
	if (pipe && fo__dev_filters(s, pipe, o, &bad)) {
		o->text.len = 0;
		o->is_output = false;
		invalid_at(s, plen + pipe_at + 1 + bad, o);
	} else {
		xr_stamp(s, o);
	}
}

/* enable: to "#", asking for the secret when the device has one (nxos
 * lands in "#" and has nothing to do). */
static void enable(struct fo_dev_sess *s, struct fo__out *o)
{
	if (s->lvl != FO__USER || plat(s) == FO_DEV_NXOS)
		return;
	if (!s->d->secret) {
		s->lvl = FO__PRIV;
		return;
	}
	fo__adds(&o->text, "Password: ");
	s->ask = FO__ASK_SECRET;
	s->ask_tries = 0;
}

/* The exec levels' own commands: enable, terminal length, configure,
 * saving, leaving. */
static int exec_cmd(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, struct fo__out *o)
{
	enum fo_dev_platform p = plat(s);

	switch (m->cmd->id) {
	case C_NOP:
		break;
	case C_ENABLE:
		enable(s, o);
		break;
	case C_DISABLE:
		s->lvl = FO__USER;
		break;
	case C_EXIT:
		return FO_DEV_CLOSE;
	case C_TERMLEN: {
		unsigned long n = strtoul(w->w[m->arg[0]], NULL, 10);

		s->screen = n > 512 ? 512 : (unsigned)n;
		break;
	}
	case C_CONFT:
		enter_config(s, o);
		break;
	case C_CONFIGURE:
		if (p == FO_DEV_IOS) {
			fo__adds(&o->text, "Configuring from terminal, memory, or network [terminal]? ");
			s->ask = FO__ASK_CONFIGURE;
		} else {
			enter_config(s, o);
		}
		break;
	case C_WRITE:
		save(s, o);
		break;
	case C_COPY_RS:
		if (p == FO_DEV_IOS) {
			fo__adds(&o->text, "Destination filename [startup-config]? ");
			s->ask = FO__ASK_COPY;
		} else {
			save(s, o);
		}
		break;
	}
	return 0;
}

/* do: an exec command from configuration, run as from "#". */
static int do_exec(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *line,
		   const char *pipe, size_t pipe_at, size_t plen, struct fo__out *o)
{
	enum fo__lvl keep = s->lvl;
	size_t at = w->at[m->rest];
	int r;

	s->lvl = FO__PRIV;
	r = run(s, line + at, pipe, pipe_at >= at ? pipe_at - at : 0, plen + at, o);
	if (s->lvl == FO__PRIV)
		s->lvl = keep;
	return r & ~FO_DEV_CLOSE;
}

/* commit: iosxr's of its candidate; eos's applies the session and leaves it. */
static int commit(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w, const char *line,
		  size_t plen, struct fo__out *o)
{
	if (plat(s) != FO_DEV_EOS) {
		xr_commit(s, 0, o);
		return 0;
	}
	if (!s->eos_sess[0])
		return not_here(s, m, w, line, plen, o);
	if (s->cand.len && fo__dev_commit(s->d, &s->cand, 0)) {
		fo__adds(&o->text, "% Cannot commit: the configuration is full\n");
		s->status = 1;
		return 0;
	}
	conf_leave(s);
	return 0;
}

/* iosxr's commit confirmed [N] and commit confirmed minutes N: the
 * table's arg is the unit in seconds; 60 seconds when N is left out. */
static void commit_confirmed(struct fo_dev_sess *s, const struct fo__match *m, const struct fo__words *w,
			     struct fo__out *o)
{
	unsigned long n = m->nargs ? strtoul(w->w[m->arg[0]], NULL, 10) : 60;

	n *= (unsigned long)m->cmd->arg;
	if (n < 30 || n > 65535 * 60UL) {
		fo__adds(&o->text, "% Invalid input: the time must be 30 to 65535 seconds\n");
		s->status = 1;
		return;
	}
	xr_commit(s, (unsigned)n, o);
}

/* Configuration's commands: leaving it (iosxr asks first when the
 * candidate has changes), commit and abort, eos's sessions, and the lines
 * that change the configuration. */
static int conf_cmd(struct fo_dev_sess *s, const struct fo__match *m, int depth, const struct fo__words *w,
		    const char *line, size_t plen, struct fo__out *o)
{
	struct fo_dev *d = s->d;
	enum fo_dev_platform p = plat(s);

	switch (m->cmd->id) {
	case C_END:
		if (p == FO_DEV_IOSXR && s->cand.len)
			xr_ask_exit(s, o);
		else
			conf_leave(s);
		break;
	case C_EXITCFG:
		if (depth > 0) {
			ctx_pop(s, depth - 1);
		} else if (p == FO_DEV_IOSXR && s->cand.len) {
			xr_ask_exit(s, o);
		} else {
			conf_leave(s);
		}
		break;
	case C_COMMIT:
		return commit(s, m, w, line, plen, o);
	case C_COMMIT_CONF:
		commit_confirmed(s, m, w, o);
		break;
	case C_ABORT:
		if (p == FO_DEV_EOS && !s->eos_sess[0])
			return not_here(s, m, w, line, plen, o);
		conf_leave(s);
		break;
	case C_CONF_SESS:
		enter_config(s, o);
		if (m->nargs)
			snprintf(s->eos_sess, sizeof(s->eos_sess), "%s", w->w[m->arg[0]]);
		else
			snprintf(s->eos_sess, sizeof(s->eos_sess), "session%u", ++d->eos_sessions);
		break;
	case C_CFG:
		ctx_pop(s, depth);
		if (!strcmp(m->canon, "exit-address-family")) {
			ctx_pop(s, depth - 1);
			break;
		}
		if (bad_mask(s, m, w, o))
			break;
		change(s, depth, m->canon, false, o);
		break;
	}
	return 0;
}

/* A matched command to what runs it: the shows, exec's commands,
 * configuration's, and the two that run more lines (do, a section). */
static int dispatch(struct fo_dev_sess *s, const struct fo__match *m, int depth, const struct fo__words *w,
		    const char *line, const char *pipe, size_t pipe_at, size_t plen, struct fo__out *o)
{
	switch (m->cmd->id) {
	case C_SHOW:
	case C_SHOW_RUN:
	case C_SHOW_RUN_IF:
	case C_SHOW_START:
	case C_XR_DIFF:
	case C_XR_SHOWCONF:
	case C_EOS_DIFF:
	case C_FILES:
		show(s, m, w, pipe, pipe_at, plen, o);
		return 0;
	case C_NOP:
	case C_ENABLE:
	case C_DISABLE:
	case C_EXIT:
	case C_TERMLEN:
	case C_CONFT:
	case C_CONFIGURE:
	case C_WRITE:
	case C_COPY_RS:
		return exec_cmd(s, m, w, o);
	case C_END:
	case C_EXITCFG:
	case C_COMMIT:
	case C_COMMIT_CONF:
	case C_ABORT:
	case C_CONF_SESS:
	case C_CFG:
		return conf_cmd(s, m, depth, w, line, plen, o);
	case C_DO:
		return do_exec(s, m, w, line, pipe, pipe_at, plen, o);
	case C_SECTION:
		return section(s, depth, m->cmd->arg, m->canon, w, m, plen, o);
	}
	return 0;
}

/* What matching one line needs: on the heap, not a coroutine's stack. */
struct scratch {
	struct fo__words w;
	struct fo__match m, first;
};

/* "no X": X as the mode takes it, its value may be left out. Returns
 * whether the line was taken so. */
static bool negation(struct fo_dev_sess *s, int depth, struct scratch *x, const char *line, size_t plen,
		     struct fo__out *o)
{
	struct fo__match *m = &x->m;
	char line_no[sizeof(m->canon) + 4], ifn[96];

	if (!m->cmd || (m->cmd->id != C_CFG && m->cmd->id != C_SECTION) ||
	    !(m->st == FO__M_OK || (m->st == FO__M_INCOMPLETE && m->incomplete_value && m->cmd->id == C_CFG)))
		return false;
	if (m->cmd->id == C_SECTION && m->cmd->arg == X_IF && m->nargs &&
	    fo__ifname(plat(s), x->w.w[m->arg[0]], ifn, sizeof(ifn)) == 1) {
		/* a port is hardware: it cannot go */
		m->st = FO__M_INVALID;
		m->bad = m->arg[0];
		error_out(s, m, &x->w, line, plen, o);
		return true;
	}
	ctx_pop(s, depth);
	snprintf(line_no, sizeof(line_no), "no %s", m->canon);
	change(s, depth, line_no, false, o);
	return true;
}

static int run(struct fo_dev_sess *s, const char *line, const char *pipe, size_t pipe_at, size_t plen,
	       struct fo__out *o)
{
	struct scratch *x = malloc(sizeof(*x));
	enum fo_dev_platform p = plat(s);
	int top = s->lvl == FO__CONF ? s->nctx : 0, r = 0;
	bool neg;

	if (!x) {
		o->text.oom = true;
		return 0;
	}
	pthread_once(&show_once, show_cmds_make);
	fo__words_split(&x->w, line, false);
	if (!x->w.n)
		goto out;
	neg = s->lvl == FO__CONF && x->w.n > 1 && !strcasecmp(x->w.w[0], "no");
	/* in configuration, a line is tried in its section, then in the ones
	 * around it: what a section does not take, they may */
	for (int depth = top; depth >= 0; depth--) {
		fo__cmd_match(cmds, neg ? NULL : show_cmds[p], mode_of(s, depth), p, &x->w, neg ? 1 : 0, line, &x->m);
		if (x->m.oom) {
			o->text.oom = true;
			goto out;
		}
		if (neg && negation(s, depth, x, line, plen, o))
			goto out;
		if (neg && x->m.st == FO__M_OK) {
			x->m.st = FO__M_INVALID; /* "no end" */
			x->m.bad = 1;
		}
		if (x->m.st == FO__M_OK) {
			r = dispatch(s, &x->m, depth, &x->w, line, pipe, pipe_at, plen, o);
			goto out;
		}
		if (depth == top)
			x->first = x->m;
	}
	/* a section of its own kind takes any line (NEEDSWORK: their grammar) */
	if (s->lvl == FO__CONF && s->nctx && sects[s->ctxkind[s->nctx - 1]].mode == M_GEN &&
	    x->first.st == FO__M_INVALID && x->first.bad <= (neg ? 1 : 0) && isalpha((unsigned char)x->w.w[0][0])) {
		change(s, s->nctx, line, false, o);
		goto out;
	}
	error_out(s, &x->first, &x->w, line, plen, o);
out:
	free(x);
	return r;
}

int fo__ios_line(struct fo_dev_sess *s, const char *raw, struct fo__out *o)
{
	char cmd[FO__DEV_LINE_MAX + 8], line[FO__DEV_LINE_MAX + 8];
	const char *bar;
	size_t plen, n;
	int r;

	s->status = 0;
	if (s->ask != FO__ASK_NONE)
		return answer(s, raw, o);
	plen = prompt_len(s);
	/* the output filters: after the first '|' */
	bar = strchr(raw, '|');
	n = bar ? (size_t)(bar - raw) : strlen(raw);
	if (n >= sizeof(cmd))
		n = sizeof(cmd) - 1;
	memcpy(cmd, raw, n);
	cmd[n] = '\0';
	join_ifname(cmd, line, sizeof(line));
	r = run(s, line, bar ? bar + 1 : NULL, n, plen, o);
	tree_drop(s);
	return r;
}
