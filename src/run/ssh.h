/*
 * The ssh task of `fanout run`: log into one host with libssh2 and run its
 * commands, either each on an exec channel or all in one interactive shell
 * with prompt detection (what network devices need). Blocking style, on
 * the runtime's waits: libssh2 runs non-blocking and every EAGAIN becomes
 * fo_wait_fd() on the socket in the directions libssh2 asks for, so the
 * same code runs under every model.
 *
 * Ownership: fo_ssh_host() fills res[0..ncmds) with heap strings the caller
 * frees with fo_ssh_results_release(); it keeps no pointer to its arguments.
 */
#ifndef FO_RUN_SSH_H
#define FO_RUN_SSH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fo_copy_host;
struct fo_gate;
struct fo_platform;

/* What one command on one host came to. */
enum fo_ssh_status {
	FO_SSH_OK,
	FO_SSH_FAILED,      /* the device said so (exit status, error text), or ssh failed */
	FO_SSH_TIMEOUT,     /* a deadline passed: phase says which */
	FO_SSH_UNREACHABLE, /* no TCP connection (refused, no route, connect timeout) */
	FO_SSH_AUTH,        /* authentication failed */
	FO_SSH_HOSTKEY,     /* the host key is not the one on record */
	FO_SSH_SKIPPED,     /* not run: interrupted first */
	FO_SSH_NSTATUS
};
const char *fo_ssh_status_name(enum fo_ssh_status s);

enum fo_hostkey_policy { FO_HK_STRICT, FO_HK_ACCEPT_NEW, FO_HK_OFF };

struct fo_ssh_target {
	const char *name;       /* for messages and results */
	const char *addr;       /* numeric IPv4/IPv6 addresses, comma-separated: tried in turn */
	const char *hostname;   /* as written (the known_hosts name) */
	int port;
	const char *user;
	const char *password;   /* NULL: no password or keyboard-interactive */
	const char *key_file;   /* private key; NULL: none */
	const char *key_pass;   /* its passphrase, or NULL */
	bool agent;             /* try ssh-agent ($SSH_AUTH_SOCK) */
	const char *platform;   /* the platform's name, as given (messages, {platform}) */
	const struct fo_platform *plat; /* shell mode: levels, prompts, errors (platform.h) */
	const char *secret;     /* the enable secret, or NULL */
	const char *const *config; /* configuration lines for this host, or none */
	size_t nconfig;
	const struct fo_ssh_target *jump; /* log in through this host first (ssh -J), or NULL */
	const struct fo_copy_host *copy; /* copy a file (copy.h) instead of commands, or NULL */
};

struct fo_ssh_cfg {
	enum fo_hostkey_policy hostkey;
	const char *known_hosts;   /* our own file (accept-new appends to it) */
	int64_t connect_timeout;   /* TCP connect, SSH handshake and login, ns */
	int64_t command_timeout;   /* each command, ns */
	int64_t host_timeout;      /* the whole host, ns; 0 = none */
	bool shell;                /* one interactive shell instead of exec channels */
	const char *prompt;        /* the prompt's pattern (run.c makes it the platform) */
	const char *const *setup;  /* shell: sent first (for on-open's commands), output dropped */
	size_t nsetup;
	const char *level;         /* shell: the commands' level; NULL: the platform's default */
	bool config_continue;      /* configuration: on past a rejected line */
	bool dry_run;              /* commit platforms: check, compare, abort */
	bool save;                 /* others: save after the lines */
	int confirm_minutes;       /* > 0: commit confirmed N */
	const atomic_int *stop;    /* non-zero: the run is stopping; configuration sends no more lines */
	const char *const *cmds;
	size_t ncmds;
	size_t max_output;         /* per command; more is cut and the command fails */
	struct fo_gate *login_gate; /* logins in progress at once (gate.h); NULL: no cap */
};

struct fo_ssh_res {
	enum fo_ssh_status status;
	const char *phase;  /* where it ended badly: connect, handshake, hostkey, auth, prompt, command */
	int exit_code;      /* exec: the remote exit status; -1 when none */
	char *out;          /* heap, NUL-terminated */
	size_t out_len;
	char *error;        /* heap one-line reason, NULL when ok */
	int64_t ms;         /* time the command took (ms); the login for the first */
	char addr[64];      /* the first result's: the address connected to, or "" */
	bool shed;          /* the server (or the jump host) hung up before the key
	                     * exchange was done, as sshd's MaxStartups does to logins
	                     * past its limit: worth another try a moment later */
};

/* Process set-up: once, before any thread uses libssh2. 0 or -errno. */
int fo_ssh_global_init(void);

/* How many results fo_ssh_host fills: the commands', and with
 * configuration lines its transcript and its difference (shell.h); a
 * copy's one. */
size_t fo_ssh_nres(const struct fo_ssh_target *t, const struct fo_ssh_cfg *c);

/*
 * Logs into t and runs every command of c. Always fills res[0..nres):
 * a failure before the commands gives each command that status. Returns
 * the worst status.
 */
enum fo_ssh_status fo_ssh_host(const struct fo_ssh_target *t, const struct fo_ssh_cfg *c,
			       struct fo_ssh_res *res);
void fo_ssh_results_release(struct fo_ssh_res *res, size_t n);

#endif
