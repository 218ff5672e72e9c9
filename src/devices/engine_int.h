/*
 * What engine.c (the device, the session's line discipline, pager and
 * faults) shares with the platforms' command interpreters: cli_ios.c
 * (ios, nxos, eos, iosxr) and cli_junos.c. engine.h is the contract;
 * these are internal.
 */
#ifndef FO_DEVICES_ENGINE_INT_H
#define FO_DEVICES_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "../util/sbuf.h"
#include "conf.h"
#include "engine.h"
#include "outputs.h"

/* A device's committed configuration changes beyond this many bytes are
 * refused ("% Configuration buffer full"): a bound on what a client can
 * make a device keep. */
#define FO__DEV_JOURNAL_MAX (1u << 20)
/* The longest input line kept; the rest of a longer line is dropped. */
#define FO__DEV_LINE_MAX 4096
/* The longest junos [edit ...] path. */
#define FO__JPATH_MAX 512
/* Junos keeps 50 rollback configurations (rollback 0..49). */
#define FO__DEV_COMMITS 50

/* The longest file name of a device's store. */
#define FO__DEV_FILE_NAME_MAX 127

struct fo__file;

struct fo_dev {
	struct fo__devid id;
	enum fo_dev_fault fault;
	char *secret;             /* the enable secret, NULL: enable asks for none */
	char hostname[64];        /* what prompts show: the configured hostname */
	struct fo_sbuf journal;   /* committed changes (conf.h: the journal) */
	size_t startup;           /* journal bytes in the startup configuration */
	bool saved;               /* write memory was done: startup is the journal's first bytes */
	struct fo_sbuf cand;      /* junos: the shared candidate's changes, not yet committed */
	size_t commits[FO__DEV_COMMITS]; /* journal length before each commit, newest first */
	unsigned ncommits;
	/* commit confirmed: rolled back to confirm_len unless confirmed */
	bool confirm_pending;
	unsigned confirm_secs;
	uint64_t confirm_id, next_confirm_id;
	size_t confirm_len;
	unsigned nsess, nconfig;  /* open sessions; junos sessions in configuration mode */
	unsigned eos_sessions;    /* eos: configuration sessions named so far */
	struct fo__file *files;   /* the file store (files.c), NULL until the first file */
	size_t nfiles;
};

enum fo__lvl { FO__USER, FO__PRIV, FO__CONF };

/* A question the device asked and waits for the answer to. */
enum fo__ask {
	FO__ASK_NONE,
	FO__ASK_SECRET,     /* enable: "Password: " */
	FO__ASK_XR_EXIT,    /* iosxr: "Uncommitted changes found, commit them..." */
	FO__ASK_JN_EXIT,    /* junos: "Exit with uncommitted changes? [yes,no] (yes)" */
	FO__ASK_COPY,       /* ios: "Destination filename [startup-config]? " */
	FO__ASK_CONFIGURE,  /* ios: "Configuring from terminal, memory, or network [terminal]? " */
};

struct fo_dev_sess {
	struct fo_dev *d;
	bool exec_mode;
	enum fo__lvl lvl;
	/* ios-like configuration: the sections the session is in */
	char *ctx[4];
	int ctxkind[4];
	int nctx;
	struct fo__conf *tree;    /* the configuration the session sees, for one line (cli_ios.c) */
	char eos_sess[48];        /* eos configure session: its name ("" when none) */
	/* junos: the [edit ...] path, words joined by spaces ("" at the top) */
	char *jpath;              /* FO__JPATH_MAX bytes; NULL but on junos */
	bool jprivate;            /* junos configure private: the candidate is the session's */
	struct fo_sbuf cand;      /* iosxr, junos private: the session's uncommitted changes */
	enum fo__ask ask;
	int ask_tries;
	int ask_then;             /* what the question was asked for (the interpreter's) */
	/* the line being typed */
	struct fo_sbuf line;
	bool skip_lf;             /* a \r ended the last line: a \n right after it is part of it */
	int esc;                  /* inside an escape sequence (arrow keys): 1 after ESC, 2 after ESC [ */
	/* paging: 0 lines a screen is off; pend holds what the pager holds back */
	unsigned screen;
	bool junos_pager;
	struct fo_sbuf pend;
	size_t pend_at, pend_lines, pend_shown;
	/* faults */
	struct fo_sbuf flood;
	size_t flood_at;
	bool dropped, hung;
	int act;                  /* what the last call asks of the server */
	int status;               /* the last command's exit status: 0 ok, 1 error */
};

/* Output of a command, in the engine's hands: text with \n line ends. */
struct fo__out {
	struct fo_sbuf text;
	bool no_more;             /* | no-more: never paged */
	bool is_output;           /* a command's output (faults act on it), not a message */
};

/* ---- engine.c: what the interpreters call ---- */

/* The device's running configuration as a tree (its generated one with the
 * journal's first len bytes replayed, then the changes in extra, if any). */
int fo__dev_conf(const struct fo_dev *d, size_t len, const struct fo_sbuf *extra, struct fo__conf *c);
/* The running configuration as show prints it (ios: with its header). */
void fo__dev_running(const struct fo_dev *d, struct fo_sbuf *out);
void fo__dev_startup(struct fo_dev *d, struct fo_sbuf *out);
/* Appends an entry to a journal; -1 when full or out of memory. */
int fo__journal_add(struct fo_sbuf *j, const char *entry);
/* Commits changes (NUL-separated entries) to the device. */
int fo__dev_commit(struct fo_dev *d, const struct fo_sbuf *changes, unsigned confirm_secs);
/* Re-reads the hostname the prompts show from the configuration. */
void fo__dev_rehost(struct fo_dev *d);
/* Runs one show command of the platform's table by its full words;
 * false when the table has none. */
bool fo__dev_show(struct fo_dev *d, const char *words, struct fo_sbuf *out);
/* Applies a | filter chain to out; -1 (with the bad filter's offset in
 * *bad) when one is unknown. */
int fo__dev_filters(struct fo_dev_sess *s, const char *pipe, struct fo__out *o, size_t *bad);

/* ---- files.c: the file store's commands ---- */

enum { FO__FILES_DIR, FO__FILES_SUM };
/* dir [FS] (arg NULL: the store) or the SHA-256 of file arg, as the
 * platform prints them; a bad name prints the device's error. */
int fo__files_cmd(struct fo_dev_sess *s, int what, const char *arg, struct fo__out *o);
/* The store's name before a file name: "flash:", "bootflash:", "/var/tmp/". */
const char *fo__files_fs(const struct fo_dev *d);
void fo__files_free(struct fo_dev *d);

/* ---- the interpreters ---- */

/* The prompt the session shows now. */
void fo__ios_prompt(struct fo_dev_sess *s, struct fo_sbuf *out);
void fo__jn_prompt(struct fo_dev_sess *s, struct fo_sbuf *out);
/* Runs one line typed at the prompt (or the answer to a question);
 * output goes to o, messages and errors too. Returns a mask of enum
 * fo_dev_act (FO_DEV_CLOSE when the session ends). */
int fo__ios_line(struct fo_dev_sess *s, const char *line, struct fo__out *o);
int fo__jn_line(struct fo_dev_sess *s, const char *line, struct fo__out *o);
/* What the banner of a shell login is. */
void fo__ios_banner(struct fo_dev_sess *s, struct fo_sbuf *out);
void fo__jn_banner(struct fo_dev_sess *s, struct fo_sbuf *out);
/* The session ends: what it holds goes (iosxr: uncommitted changes). */
void fo__ios_close(struct fo_dev_sess *s);
void fo__jn_close(struct fo_dev_sess *s);

/* ---- match.c: commands matched as the devices match them ---- */

/*
 * A command's words: literals in lowercase, matched by any prefix ("sh"
 * for "show"); placeholders in capitals: WORD (any word), NUM (digits),
 * IPV4 (a.b.c.d), PREFIX (a.b.c.d/n), IF (an interface name), LINE (the
 * rest of the line, at least one word), REST (the rest, maybe nothing).
 */
struct fo__cmd {
	const char *words;
	unsigned modes;    /* the modes (interpreter's bits) it exists in */
	unsigned plats;    /* 1 << platform; 0: every platform */
	int id;            /* what it does (the interpreter's) */
	int arg;           /* and with what */
};

enum fo__mst { FO__M_OK, FO__M_INVALID, FO__M_INCOMPLETE, FO__M_AMBIGUOUS };

#define FO__MAXW 64

struct fo__words {
	char buf[FO__DEV_LINE_MAX + 8];
	char *w[FO__MAXW];
	size_t at[FO__MAXW]; /* where each word starts in the line */
	int n;
};

struct fo__match {
	enum fo__mst st;
	const struct fo__cmd *cmd;
	int bad;             /* the word the error is at */
	char canon[FO__DEV_LINE_MAX + 8]; /* the command with its words in full */
	int nargs;           /* the placeholders' words: */
	int arg[8];          /* their indexes in the words */
	int rest;            /* LINE/REST: the word it starts at, -1 when none */
	bool incomplete_value; /* incomplete: what is missing is a value, not a keyword */
	bool oom;              /* out of memory: nothing was matched */
};

/* Splits a line at blanks (junos: quoted strings one word). */
void fo__words_split(struct fo__words *w, const char *line, bool quotes);
/* Matches words from word `from` against the commands of a mode and
 * platform, those of tab then those of tab2 (NULL: none); on a tie the
 * first wins. line is what w was split from (LINE/REST keep its text). */
void fo__cmd_match(const struct fo__cmd *tab, const struct fo__cmd *tab2, unsigned mode, enum fo_dev_platform p,
		   const struct fo__words *w, int from, const char *line, struct fo__match *m);
/* An interface name as the platform spells it ("gi1/0/1" is
 * "GigabitEthernet1/0/1"): 1 for a physical one, 0 for a logical one, -1
 * when it is none. */
int fo__ifname(enum fo_dev_platform p, const char *in, char *out, size_t size);
/* Whether s is a dotted quad / a prefix. */
bool fo__is_ipv4(const char *s);
bool fo__is_prefix(const char *s);

#endif
