/*
 * `fanout devices`: a simulated fleet of network devices, each its own
 * loopback address with a real SSH server (libssh's server API) in front
 * of the device CLI of engine.h, all in one process on the runtime's
 * coroutines. See docs/devices.md.
 *
 * server_opts.c holds the option table (linked by the tests and by
 * `fanout-tools doc` without the server); server_fleet.c the fleet's
 * layout (addresses, platform mix, fault ranges) and the files it writes
 * (--inventory, --known-hosts); server.c the SSH side.
 */
#ifndef FO_DEVICES_SERVER_H
#define FO_DEVICES_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../cli/opt.h"

/* What the command line asks for (the table fo_devices_opts fills it). */
struct fo_devices_cfg {
	long count;                  /* -n, --count: devices */
	const char *base;            /* --base: the first address (127.0.0.0/8) */
	long port;                   /* --port; see port_given */
	bool port_given;             /* false: 22 as root, 2222 otherwise */
	const char *platforms;       /* --platforms NAME[:WEIGHT],... (checked by the fleet) */
	const char *user, *password; /* the one login every device takes */
	const char *secret;          /* --enable-secret */
	const char *authorized_keys; /* --authorized-keys FILE, or NULL */
	const char *host_key;        /* --host-key FILE (made there when missing), or NULL */
	int64_t rtt;                 /* --rtt: before each reply and the login's answer */
	struct fo_optlist faults;    /* --fault KIND=RANGE[:DUR], each */
	int64_t login_grace;         /* --login-grace: TCP accept to logged in */
	int64_t idle;                /* --idle-timeout */
	long max_conns;              /* --max-connections: at once, over the fleet */
	long threads;                /* --threads: 0 is one per core */
	const char *inventory;       /* --inventory FILE|DIR, or NULL */
	const char *known_hosts;     /* --known-hosts FILE, or NULL */
};

/* The table (server_opts.c): parsing, --help, man page, completions. */
extern const struct fo_opts fo_devices_opts;

int fo_devices_main(int argc, char **argv);
/* Serves until SIGINT or SIGTERM: the exit code. */
int fo_devices_run(const struct fo_devices_cfg *cfg);

#endif
