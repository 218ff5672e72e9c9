/*
 * The flags of `fanout devices`, declared once (STYLE 16): this table
 * gives the parsing, the checks, --help, the man page and the
 * completions. Its own file, so that the tests and `fanout-tools doc`
 * walk it without linking the server. --platforms and --fault name the
 * engine's platforms and faults, so the fleet (server_fleet.c) checks
 * those two, with the same one-line error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>

#include "server.h"

/* --base: a literal IPv4 address in 127.0.0.0/8 (every one of them is
 * the loopback interface's on Linux, with nothing to configure). */
static int set_base(void *cfg, const struct fo_opt *o, const char *v)
{
	struct in_addr a;

	(void)o;
	if (inet_pton(AF_INET, v, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127)
		return -EINVAL;
	((struct fo_devices_cfg *)cfg)->base = v;
	return 0;
}

#define OFF(f) offsetof(struct fo_devices_cfg, f)
static const struct fo_opt opts[] = {
	{ .name = "count", .shrt = 'n', .kind = FO_OPT_COUNT, .off = OFF(count), .arg = "N", .group = "Fleet",
	  .help = "devices, each its own loopback address", .def = "100", .min = 1, .max = 1000000,
	  .forms = "a number of devices from 1 to 1000000" },
	{ .name = "platforms", .kind = FO_OPT_STRING, .off = OFF(platforms), .arg = "MIX", .group = "Fleet",
	  .help = "the platform mix, NAME[:WEIGHT],... (ios, nxos, eos, junos, iosxr)", .def = "ios" },
	{ .name = "base", .kind = FO_OPT_FN, .off = OFF(base), .arg = "ADDR", .group = "Fleet",
	  .help = "the first device's address; the next ones count up, skipping .0 and .255",
	  .def = "127.1.0.1", .forms = "an IPv4 address in 127.0.0.0/8 such as 127.1.0.1", .fn = set_base },
	{ .name = "port", .shrt = 'p', .kind = FO_OPT_COUNT, .off = OFF(port), .arg = "P", .group = "Fleet",
	  .help = "the SSH port of every device (default: 22 as root, else 2222; 0: a free one)", .min = 0,
	  .max = 65535, .forms = "a port number from 0 to 65535" },
	{ .name = "user", .shrt = 'l', .kind = FO_OPT_STRING, .off = OFF(user), .arg = "USER", .group = "Logins",
	  .help = "the user every device takes", .def = "admin" },
	{ .name = "password", .kind = FO_OPT_STRING, .off = OFF(password), .arg = "TEXT", .group = "Logins",
	  .help = "its password (a simulator's: it is on the command line and in --inventory)",
	  .def = "admin" },
	{ .name = "enable-secret", .kind = FO_OPT_STRING, .off = OFF(secret), .arg = "TEXT", .group = "Logins",
	  .help = "the enable secret every device takes", .def = "enable" },
	{ .name = "authorized-keys", .kind = FO_OPT_FILE, .off = OFF(authorized_keys), .arg = "FILE",
	  .group = "Logins", .help = "public keys that log in as the user too (OpenSSH's format)" },
	{ .name = "host-key", .kind = FO_OPT_FILE, .off = OFF(host_key), .arg = "FILE", .group = "Logins",
	  .help = "the devices' private host key; made there (ed25519) when missing (default: new each start)" },
	{ .name = "rtt", .kind = FO_OPT_DURATION, .off = OFF(rtt), .arg = "DUR", .group = "Behaviour",
	  .help = "wait this long before each reply and before answering the login", .def = "0", .min = 0,
	  .max = 3600e9, .forms = "a duration up to 1h such as 50ms, or 0" },
	{ .name = "fault", .kind = FO_OPT_LIST, .off = OFF(faults), .arg = "KIND=RANGE", .group = "Behaviour",
	  .help = "devices in RANGE misbehave: hang, drop, slow[:DUR], badsecret, flood, hostkey, diskfull, corrupt (repeat)" },
	{ .name = "login-grace", .kind = FO_OPT_DURATION, .off = OFF(login_grace), .arg = "DUR",
	  .group = "Limits", .help = "a connection not logged in by then is closed", .def = "60s", .min = 1,
	  .max = 9e18, .forms = "a duration such as 60s" },
	{ .name = "idle-timeout", .kind = FO_OPT_DURATION, .off = OFF(idle), .arg = "DUR", .group = "Limits",
	  .help = "a connection silent this long is closed (hung devices too)", .def = "10m", .min = 1,
	  .max = 9e18, .forms = "a duration such as 10m or 30s" },
	{ .name = "max-connections", .kind = FO_OPT_COUNT, .off = OFF(max_conns), .arg = "N", .group = "Limits",
	  .help = "connections at once over the fleet; more are closed at once", .def = "100000", .min = 1,
	  .max = 10000000, .forms = "a number from 1 to 10000000" },
	{ .name = "threads", .shrt = 't', .kind = FO_OPT_COUNT, .off = OFF(threads), .arg = "N", .group = "Limits",
	  .help = "scheduler threads, each serving its share of the devices (default: one per core)",
	  .min = 1, .max = 256, .forms = "a thread count from 1 to 256" },
	{ .name = "inventory", .shrt = 'i', .kind = FO_OPT_FILE, .off = OFF(inventory), .arg = "FILE",
	  .group = "Output", .help = "write the fleet as a nornir hosts.yaml (FILE, or DIR/hosts.yaml)" },
	{ .name = "known-hosts", .kind = FO_OPT_FILE, .off = OFF(known_hosts), .arg = "FILE", .group = "Output",
	  .help = "write every device's host key as an OpenSSH known_hosts file" },
	{ .name = NULL },
};

const struct fo_opts fo_devices_opts = {
	.cmd = "devices",
	.synopsis = "[options]",
	.about = "a simulated fleet of SSH network devices on loopback addresses, for testing automation",
	.more = "Each device is its own address (from --base up) with an SSH server on --port: password\n"
		"or key logins, exec channels and shells with a pty, a CLI per platform (show commands,\n"
		"configuration mode, commit and rollback). One process, coroutines on --threads threads.\n"
		"The first line says how many devices listen where; Ctrl-C or SIGTERM stops it with a\n"
		"line of stats (logins, commands, CPU per login).\n"
		"\n"
		"--fault KIND=RANGE, RANGE an address, ADDR/PREFIX or FIRST-LAST:\n"
		"  hang       logs in, then never prints a prompt or output\n"
		"  drop       the connection drops half way through a command's output\n"
		"  slow[:DUR] thinks DUR (default 1s) before each reply\n"
		"  badsecret  refuses every enable secret\n"
		"  flood      a command's output never ends\n"
		"  hostkey    presents another host key than the rest of the fleet\n"
		"  diskfull   its flash is full: every SCP upload is refused (No space left on device)\n"
		"  corrupt    SCP flips one byte of every file it takes or sends\n"
		"A later --fault wins where ranges overlap.\n"
		"\n"
		"Every flag takes --flag value and --flag=value.\n",
	.no_operands = true,
	.opts = opts,
	.cfg_size = sizeof(struct fo_devices_cfg),
};
