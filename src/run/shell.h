/*
 * The shell session of a network device, apart from the transport: the
 * platform's privilege levels (src/run/platform.h) followed after every
 * command, escalation with a secret, pagers answered, configuration sent
 * and committed. ssh.c gives it a channel through struct fo_shell_io; the
 * tests can give it anything that reads and writes.
 *
 * How a session goes: the first prompt (its level found by the platform's
 * patterns); the platform's on-open operations (acquire-priv, send-command,
 * write, return) — with --setup given, its commands replace on-open's
 * send-commands; each command at its level (the platform's default
 * desired level unless told), its output cut from the echo to the next
 * prompt, checked against failed-when-contains; the configuration, if any
 * (see fo_shell_job); on-close's operations, without waiting at the end.
 */
#ifndef FO_RUN_SHELL_H
#define FO_RUN_SHELL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform.h"
#include "ssh.h"

struct fo_shell_io {
	void *arg;
	/* Waits up to dl for bytes: how many were read, 0 when the device
	 * closed the session, or -errno (-ETIMEDOUT, -ECANCELED, other). */
	ssize_t (*read)(void *arg, char *buf, size_t cap, int64_t dl);
	/* Writes all of buf by dl: 0 or -errno. */
	int (*write)(void *arg, const char *buf, size_t len, int64_t dl);
	/* The host failed in phase: what it was, one line. */
	void (*fail)(void *arg, enum fo_ssh_status st, const char *phase, const char *msg);
	/* A wait or write ended with r (-ETIMEDOUT, -ECANCELED, ...) in phase. */
	void (*wait_failed)(void *arg, int r, const char *phase);
	/* The deadline for a step that may take timeout ns (the host's own
	 * deadline caps it). */
	int64_t (*deadline)(void *arg, int64_t timeout);
};

struct fo_shell_job {
	const struct fo_platform *plat;
	const char *secret;              /* the enable secret, or NULL */
	const char *const *setup;        /* replaces on-open's send-commands when nsetup */
	size_t nsetup;
	const char *const *cmds;
	size_t ncmds;
	const char *level;               /* the commands' level; NULL: the default desired */
	const char *const *config;       /* configuration lines, or none */
	size_t nconfig;
	bool config_continue;            /* go on past a rejected line */
	bool dry_run;                    /* commit platforms: check and compare, then abort */
	bool save;                       /* others: the platform's save after the lines */
	int confirm_minutes;             /* > 0: commit confirmed N */
	size_t max_output;
	int64_t command_timeout;
	const atomic_int *stop;          /* set: the run is stopping (Ctrl-C); lines not yet
	                                  * sent are not, and what was is undone or left */
};

/*
 * Runs the session. res[0..ncmds) get the commands' results; with
 * configuration, res[ncmds] gets its transcript (every line and the
 * device's answer; failed with the rejected line and the device's words)
 * and res[ncmds + 1] the difference the platform shows (compare, or empty
 * when it has none). On a failure the io's fail is called and the result
 * of the step it happened in holds what came so far; the caller gives the
 * rest the host's status.
 * Returns the index of the result the failure ended; -1 when none did, or
 * when it came before the first command (then it is every result's).
 */
long fo_shell_session(const struct fo_shell_io *io, const struct fo_shell_job *j, struct fo_ssh_res *res);

/* How many results fo_shell_session fills for j. */
size_t fo_shell_nres(const struct fo_shell_job *j);

#endif
