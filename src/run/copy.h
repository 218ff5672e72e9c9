/*
 * The copy task of `fanout run`: one file pushed to every host, or pulled
 * from each, over a session that ssh.c has logged in (its login, host keys,
 * auth and jump hosts: there is one login path). SFTP where the host has
 * it, SCP for network devices, which mostly have only that. Blocking style
 * on the runtime's waits, as ssh.c: libssh2 runs non-blocking and every
 * EAGAIN becomes the session's wait (fo_wait_fd), so it runs under every
 * execution model.
 *
 * Whole files or none (STYLE 19): a push writes a temporary name beside
 * the target (`.NAME.fanout-tmp-XXXXXXXX`), checks it, then renames it
 * into place (SFTP rename, or `mv -f` where the host has a shell); a pull
 * writes DIR/HOST/.NAME.tmp-PID-N and renames it once complete and
 * checked. What was checked (size, sha256) is in the result.
 *
 * Ownership: the job is run.c's, made once before the run and read by
 * every host; nothing here keeps a pointer past fo__copy_session.
 */
#ifndef FO_RUN_COPY_H
#define FO_RUN_COPY_H

#include <libssh2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssh.h"

enum fo_copy_dir { FO_COPY_PUSH, FO_COPY_PULL };
enum fo_copy_via { FO_COPY_AUTO, FO_COPY_SFTP, FO_COPY_SCP };

/* The copy, the same for every host. */
struct fo_copy_job {
	enum fo_copy_dir dir;
	const char *remote;          /* the remote path, as given */
	const char *name;            /* its last part: the file name of a pull */
	/* push: LOCAL, read once before the run */
	const unsigned char *data;
	size_t size;
	unsigned mode;               /* its permission bits, kept on the host */
	char sha256[65];             /* its SHA-256, hex */
	/* pull */
	const char *dir_path;        /* DIR: each host's file is DIR/HOST/NAME */
};

/* One host's copy: the job, how, and where a pull goes. */
struct fo_copy_host {
	const struct fo_copy_job *job;
	enum fo_copy_via via;        /* never AUTO here */
	bool shell;                  /* the host runs sh commands (sha256sum, mv, rm) */
	const char *verify;          /* no shell: the platform's copy-verify ("verify /sha256
	                              * {file}"), run at its CLI; NULL: none (the platform's) */
	char local[4096];            /* pull: DIR/HOST/NAME, HOST escaped as --out's; "" when too long */
};

struct fo_platform;

/*
 * The job of --push LOCAL REMOTE or --pull REMOTE DIR (one of them NULL):
 * LOCAL read whole (at most 1 GiB), its mode and SHA-256; DIR made if
 * missing. 0, or -1 with one line for people in err (the caller says it
 * and exits 2). The job owns LOCAL's bytes: fo__copy_job_release.
 */
int fo__copy_job_init(struct fo_copy_job *j, const char *const push[2], const char *const pull[2], char *err,
		      size_t errlen);
void fo__copy_job_release(struct fo_copy_job *j);

/* Host host's copy of j: via as asked, or by its platform p (NULL:
 * generic): a network platform (driver-type network) has SCP and no shell,
 * and is checked by its copy-verify command when it has one; anything
 * else SFTP and a POSIX shell. */
void fo__copy_host_init(struct fo_copy_host *ch, const struct fo_copy_job *j, const char *host,
			const struct fo_platform *p, enum fo_copy_via via);

/*
 * What ssh.c lends the copy: its session and its waits. wait: libssh2
 * said EAGAIN, wait until dl (0, or -ETIMEDOUT, -ECANCELED); deadline:
 * now + timeout, bounded by the host's; wait_failed: the session ends
 * with that wait's status; fail: it ends with st and msg; broken: it has
 * ended; exec: one command on an exec channel, as the ssh task's --exec
 * (res released with fo_ssh_results_release); cli: one command at a
 * network device's CLI, in a shell with the host's platform as the shell
 * mode runs it (its on-open, level and pagers; res the same way).
 */
struct fo_copy_io {
	void *arg;
	LIBSSH2_SESSION *s;
	int64_t timeout;             /* each wait for the host: --command-timeout */
	int (*wait)(void *arg, int64_t dl);
	int64_t (*deadline)(void *arg, int64_t timeout);
	void (*wait_failed)(void *arg, int r, const char *phase);
	void (*fail)(void *arg, enum fo_ssh_status st, const char *phase, const char *msg);
	bool (*broken)(void *arg);
	void (*exec)(void *arg, const char *cmd, struct fo_ssh_res *res);
	void (*cli)(void *arg, const char *cmd, struct fo_ssh_res *res);
};

/* The copy over io; res gets its result: out (heap) says what was
 * copied and verified, as "key: value" lines (docs/run.md). A failure
 * also ends the session (io->fail), with the server's words. */
void fo__copy_session(const struct fo_copy_io *io, const struct fo_copy_host *ch, struct fo_ssh_res *res);

/* The SHA-256 of p[0..n) as 64 hex digits and a NUL into hex. */
void fo__copy_sha256(const void *p, size_t n, char hex[65]);

#endif
