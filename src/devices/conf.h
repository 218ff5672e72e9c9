/*
 * A device's configuration as a tree, the engine's model of what
 * configuration commands change (engine.c keeps none of it between
 * commands: see "the journal" below).
 *
 * Two shapes:
 *   - ios-like (ios, nxos, eos, iosxr): lines, a section's lines indented
 *     under it ("interface X" / " description ..."), as show
 *     running-config prints them. Parsed from the generated text and
 *     printed back byte for byte; "!" and blank separator lines are kept
 *     as lines of their own.
 *   - junos: statements in braces, as show configuration prints them
 *     ("system {" / "    host-name x;"), also printed back byte for byte,
 *     and as set commands (| display set).
 *
 * The journal: a device keeps no tree. Its running configuration is the
 * generated one (from its address) with the configuration changes made
 * since replayed on it, in order; a change is one journal entry. So a
 * fleet of 28,000 devices costs nothing until a device is configured, and
 * then only the lines typed (a parsed 45 KB configuration would cost
 * ~150 KB a device). Entries are NUL-terminated strings, one after the
 * other in a struct fo_sbuf:
 *   ios-like: the headers of the sections the line was typed in, then the
 *             line, joined by '\n': "interface Loopback5\nip address 1.1.1.1
 *             255.255.255.255"; a line ending in '\n' only makes sure its
 *             sections exist ("interface Loopback5\n").
 *   junos:    "set WORDS..." or "delete WORDS..." from the top.
 * Replay costs one generation and parse of the configuration (0.03 to
 * 0.15 ms here), paid by show running-config of a changed device and by
 * the configuration commands that look at the configuration.
 */
#ifndef FO_DEVICES_CONF_H
#define FO_DEVICES_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/sbuf.h"
#include "engine.h"

struct fo__cnode {
	char *text;        /* the line without its indentation / the statement without ';' or '{' */
	char *comment;     /* junos: what follows the ';' (" ## SECRET-DATA"), or NULL */
	unsigned indent;   /* ios-like: the spaces before text */
	bool raw;          /* ios-like: a banner; its kids are its text lines, printed as they are */
	struct fo__cnode **kids;
	size_t nkids, cap;
};

struct fo__conf {
	enum fo_dev_platform p;
	struct fo__cnode root;
	bool oom;
};

/* Parses text (ios-like: without IOS's "Building configuration..." head,
 * see fo__conf_ios_body) into c. Returns 0, or -1 when out of memory. */
int fo__conf_parse(struct fo__conf *c, enum fo_dev_platform p, const char *text, size_t len);
void fo__conf_release(struct fo__conf *c);
/* Prints c as parsed (ios-like: the body; junos: braces). */
void fo__conf_print(const struct fo__conf *c, struct fo_sbuf *out);
/* IOS's show running-config: where the body starts in the generated text. */
size_t fo__conf_ios_body(const char *text, size_t len);

/* Applies one journal entry. Returns 0; 1 when a junos delete found no
 * such statement (a warning, nothing changed); -1 out of memory. */
int fo__conf_apply(struct fo__conf *c, const char *entry);
/* Applies every entry of a journal, the first len bytes of it. */
int fo__conf_replay(struct fo__conf *c, const struct fo_sbuf *journal, size_t len);

/* ios-like: the section at the end of a path of headers, or NULL. */
struct fo__cnode *fo__conf_find(struct fo__conf *c, const char *const *path, size_t n);

/* junos: the node at words (NULL: the top), or NULL when there is none. */
const struct fo__cnode *fo__conf_jn_find(const struct fo__conf *c, const char *path);
/* junos: prints the node's contents in braces, as show at [edit path] does. */
void fo__conf_jn_print_at(const struct fo__cnode *n, struct fo_sbuf *out);
/* junos: | display set, of the node at path (NULL: everything). */
void fo__conf_jn_display_set(const struct fo__conf *c, const char *path, struct fo_sbuf *out);

/* The difference from a to b: junos as show | compare prints it ("[edit
 * system]" / "-  host-name a;" / "+  host-name b;"), ios-like as IOS-XR's
 * show commit changes diff ("+  interface X" / "   !"). Appends nothing
 * when they are the same. */
void fo__conf_diff(const struct fo__conf *a, const struct fo__conf *b, struct fo_sbuf *out);

/* A unified diff of texts a and b ("@@ -1,3 +1,4 @@", 3 lines of context;
 * no "---"/"+++" lines), as EOS's show session-config diffs prints it.
 * Returns 0, -1 when out of memory. */
int fo__text_diff(const char *a, size_t la, const char *b, size_t lb, struct fo_sbuf *out);

/* Splits a junos command line into words; quoted strings ("a b") stay one
 * word, quotes included. Returns the number of words (at most max), or -1
 * when a quote is not closed. Words point into buf, which is modified. */
int fo__jn_words(char *buf, char **w, int max);

#endif
