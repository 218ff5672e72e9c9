/*
 * Inside `fanout devices`: the fleet's layout, shared by server.c (which
 * serves it) and server_fleet.c (which lays it out from the flags and
 * writes the files that describe it). Read-only once the server runs, so
 * every thread reads it without locks.
 */
#ifndef FO_DEVICES_SERVER_INT_H
#define FO_DEVICES_SERVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "server.h"

/* One --fault: a kind over an inclusive range of addresses. */
struct fo__fault {
	enum fo_dev_fault kind;
	uint32_t lo, hi;  /* host byte order */
	int64_t slow;     /* slow: the think time, ns */
	size_t devices;   /* how many of the fleet it holds (after later ones won) */
};

/* The fleet: device i is addr[i], of platform plat[i], misbehaving as
 * faults[fault[i] - 1] (fault[i] 0: it behaves). */
struct fo__fleet {
	size_t n;
	uint32_t *addr;
	unsigned char *plat;
	unsigned char *fault;
	struct fo__fault *faults;
	size_t nfaults;
	size_t per_plat[FO_DEV_NPLATFORMS];
};

/* Lays the fleet out from cfg: 0, or 2 with the one-line usage error
 * printed (a bad --platforms or --fault, a fleet past 127.255.255.254).
 * Release with fo__fleet_release whatever it returned. */
int fo__fleet_init(struct fo__fleet *f, const struct fo_devices_cfg *cfg);
void fo__fleet_release(struct fo__fleet *f);

/* The fault of device i: its kind (FO_DEV_OK when none) and slow time. */
enum fo_dev_fault fo__fleet_fault(const struct fo__fleet *f, size_t i, int64_t *slow);

/* "a.b.c.d" of host-order addr into buf (16 bytes at least); returns buf. */
char *fo__addr_text(uint32_t addr, char *buf, size_t len);

/* The start-up line, without "fanout devices: " and the newline:
 * "N devices on FIRST-LAST port P (ios 60, ...)[; faults: hang 5, ...]". */
void fo__fleet_describe(const struct fo__fleet *f, long port, struct fo_sbuf *out);

/* --inventory: the fleet as a nornir hosts.yaml at path (DIR: DIR/hosts.yaml),
 * written whole (fo__wfile, mode 0600: it holds the password): 0 or 1 with
 * the reason printed. Names are the engine's (fo_dev_name). */
int fo__fleet_write_inventory(const struct fo__fleet *f, const struct fo_devices_cfg *cfg, long port,
			      const char *path);
/* --known-hosts: "[ADDR]:PORT TYPE KEY" per device (":PORT" left out for 22),
 * the fleet's main key for every one (a hostkey fault's devices present
 * another, which is the point): 0 or 1 with the reason printed. */
int fo__fleet_write_known_hosts(const struct fo__fleet *f, long port, const char *type, const char *b64,
				const char *path);

/*
 * SCP on a device (server_scp.c): the protocol of an exec request `scp -t
 * PATH` / `scp -f PATH` over the device's file store, as pure state.
 * fo__scp_start: 1 when cmd is no scp (nothing made), -1 out of memory,
 * 0 with *sp made (free it with fo__scp_free) and what the device says
 * first appended to out. fo__scp_input: the client's bytes (eof: it sent
 * its EOF), the answers appended to out; 1 when the transfer is over, with
 * the exit status in *status, else 0.
 */
struct fo__scp;
int fo__scp_start(struct fo__scp **sp, struct fo_dev *d, const char *cmd, struct fo_sbuf *out);
int fo__scp_input(struct fo__scp *sp, const char *in, size_t len, bool eof, struct fo_sbuf *out, int *status);
void fo__scp_free(struct fo__scp *sp);

#endif
