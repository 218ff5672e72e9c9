/*
 * The simulated device's CLI, apart from any transport: `fanout devices`
 * (an SSH server per address, on libssh's server API) feeds it what a
 * client typed and sends back what it returns. Pure state, no IO, no
 * clock: the server applies the latency and the misbehaviour timing.
 *
 * A fleet: one struct fo_dev per address, made once from the address and
 * the fleet's settings, everything it prints derived from (address,
 * platform) through a PRNG, so every login to a device sees the same
 * outputs and two devices differ. What changes is the device's running
 * configuration (configuration mode, commit, rollback), kept in the
 * struct fo_dev for the process's life and readable for checks
 * (fo_dev_running_config). An unconfigured device costs under a
 * kilobyte; a configured one keeps the lines typed (src/devices/conf.h).
 *
 * A session: one login's CLI state (privilege level, configuration
 * context, candidate configuration on commit platforms, paging on or off,
 * the half-typed line, a pending question such as the enable secret's).
 *
 * What each platform does (prompts, levels, errors, commands, paging) is
 * in src/devices/README.md.
 *
 * Output: bytes for a terminal, lines ending in \r\n, the echo of what
 * was typed included in a shell.
 *
 * Thread safety: a device is used by one thread at a time (the server
 * runs each device's sessions on one thread); sessions of one device may
 * interleave on that thread. Devices on different threads share nothing
 * writable. A call needs about 32 KB of stack (the buffers of a command
 * line; what is bigger is on the heap) and no thread-local storage, so
 * it runs on the runtime's coroutines and its small-stacked threads.
 */
#ifndef FO_DEVICES_ENGINE_H
#define FO_DEVICES_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/sbuf.h"

enum fo_dev_platform { FO_DEV_IOS, FO_DEV_NXOS, FO_DEV_EOS, FO_DEV_JUNOS, FO_DEV_IOSXR, FO_DEV_NPLATFORMS };

/* How a device misbehaves (chosen by the server per address range). */
enum fo_dev_fault {
	FO_DEV_OK,
	FO_DEV_HANG,       /* never prints a prompt or output (a shell gets its banner) */
	FO_DEV_DROP,       /* the connection drops half way through a command's output */
	FO_DEV_SLOW,       /* thinks slow_ms per command (the server waits) */
	FO_DEV_BADSECRET,  /* refuses every enable secret */
	FO_DEV_FLOOD,      /* a command's output never ends */
	FO_DEV_HOSTKEY,    /* presents another host key (the server's business) */
	FO_DEV_DISKFULL,   /* its file store is full: every upload is refused */
	FO_DEV_CORRUPT,    /* SCP flips a byte of every file it takes or sends (the server's) */
};

struct fo_dev_fleet_cfg {
	const char *user;      /* the login user shown in junos prompts (NULL: "admin") */
	const char *secret;    /* the enable secret every device takes (NULL: enable asks none) */
};

struct fo_dev;
struct fo_dev_sess;

/* platform names: ios, nxos, eos, junos, iosxr; -1 when unknown */
int fo_dev_platform_parse(const char *name);
const char *fo_dev_platform_name(enum fo_dev_platform p);

/* A device at addr (IPv4, host byte order): NULL when out of memory or
 * p is no platform. cfg is copied. Free it after its sessions. */
struct fo_dev *fo_dev_new(uint32_t addr, enum fo_dev_platform p, enum fo_dev_fault f,
			  const struct fo_dev_fleet_cfg *cfg);
void fo_dev_free(struct fo_dev *d);
const char *fo_dev_name(const struct fo_dev *d); /* e.g. dev-1-0-5 (its address's; prompts show
						     the configured hostname) */
enum fo_dev_platform fo_dev_platform(const struct fo_dev *d);
enum fo_dev_fault fo_dev_fault(const struct fo_dev *d);
/* The running configuration as `show running-config` (ios-like) or
 * `show configuration` (junos) prints it, with \n line ends, no pager;
 * stable for checks. Sets out->oom when out of memory. */
void fo_dev_running_config(const struct fo_dev *d, struct fo_sbuf *out);

/*
 * commit confirmed (junos, iosxr): the engine has no clock, so the
 * server keeps the time. After a command, a pending confirmed commit is
 * reported with how long the device gives it and an id (a new commit
 * confirmed, which also restarts the time, gets a new one); when that
 * time has passed, the server calls fo_dev_confirm_expire with the id,
 * and the device rolls back to the configuration before the confirmed
 * commit, unless a commit confirmed it meanwhile (then it returns false).
 */
bool fo_dev_confirm_pending(const struct fo_dev *d, unsigned *secs, uint64_t *id);
bool fo_dev_confirm_expire(struct fo_dev *d, uint64_t id);

/* A login. exec_mode: true for an exec channel (one command, no prompt,
 * no echo, no pager, run at the privileged level), false for a shell
 * (banner and prompt appended to out, echo as a pty gives; out may be
 * NULL for an exec channel). NULL when out of memory. fo_dev_sess_act tells what the opening asks of the server. */
struct fo_dev_sess *fo_dev_sess_open(struct fo_dev *d, bool exec_mode, struct fo_sbuf *out);
void fo_dev_sess_close(struct fo_dev_sess *s);

/* What a session's input led to, beside the bytes appended to out. */
enum fo_dev_act {
	FO_DEV_MORE = 0,     /* wait for more input */
	FO_DEV_CLOSE = 1,    /* the session ends (exit, logout) after out is sent */
	FO_DEV_DROP_NOW = 2, /* fault: drop the connection after out is sent */
	FO_DEV_HANG_NOW = 4, /* fault: send nothing more, ever */
	FO_DEV_THINK = 8,    /* fault slow: wait slow_ms before sending out */
	FO_DEV_FLOODING = 16 /* fault flood: call fo_dev_sess_flood for more, forever */
};

/* Feeds bytes the client sent; appends the reply to out. Returns a mask
 * of enum fo_dev_act. Lines end at \r or \n (\r\n counts once). A pager
 * in progress takes a space (next page), q (stop) or return (next line).
 * Input after FO_DEV_CLOSE, DROP_NOW or FLOODING in the same call is not
 * read. */
int fo_dev_sess_input(struct fo_dev_sess *s, const char *in, size_t len, struct fo_sbuf *out);
/* exec mode: runs one command; appends its output; returns its exit
 * status (0, or 1 when the device refused it). What the faults ask of the
 * server (hang: nothing was appended, send nothing; drop; flood; slow) is
 * fo_dev_sess_act's. */
int fo_dev_exec(struct fo_dev_sess *s, const char *cmd, struct fo_sbuf *out);
/* The mask of enum fo_dev_act of the last fo_dev_sess_open,
 * fo_dev_sess_input or fo_dev_exec (exec: with FO_DEV_CLOSE). */
int fo_dev_sess_act(const struct fo_dev_sess *s);
/* flood: the next chunk of endless output (about n bytes). */
void fo_dev_sess_flood(struct fo_dev_sess *s, size_t n, struct fo_sbuf *out);

/*
 * The device's file store (flash:, bootflash:, disk0:, /var/tmp/: one
 * flat folder per device, in memory), which SCP fills and reads and the
 * file commands show (dir, verify /sha256, show file NAME sha256sum, file
 * list, file checksum sha-256). At most FO_DEV_FLASH_SIZE bytes a device.
 * Errors are the device's words, one line in err.
 */
#define FO_DEV_FLASH_SIZE ((size_t)64 << 20)

/* A path as the device names a file of its store ("flash:x.bin",
 * "flash:/x.bin", "bootflash:x", "/var/tmp/x", "/mnt/flash/x", "x") into
 * name: 0, or -1 when it names no file of the store. */
int fo_dev_file_name(const struct fo_dev *d, const char *path, char *name, size_t size);
/* Whether size bytes may be written to path: 0, or -1 with why in err
 * (no such folder, no space left: the diskfull fault). */
int fo_dev_file_can_put(const struct fo_dev *d, const char *path, uint64_t size, char *err, size_t errlen);
/* Stores data (malloc'd, len bytes; the device takes it, and frees it on
 * failure too) as path's file, replacing one of that name: 0 or -1. */
int fo_dev_file_put(struct fo_dev *d, const char *path, char *data, size_t len, char *err, size_t errlen);
/* The bytes of path's file (the device's: valid until the next put to
 * the device) and their length, or NULL with why in err. */
const char *fo_dev_file_get(const struct fo_dev *d, const char *path, size_t *len, char *err, size_t errlen);

#endif
