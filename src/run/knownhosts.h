/*
 * known_hosts in OpenSSH's format (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"),
 * read once and looked up per login.
 *
 * A line is `[@revoked|@cert-authority] NAMES TYPE BASE64-KEY [comment]`.
 * NAMES is a comma-separated list of patterns: a name, `[name]:port` for a
 * port other than 22, `*` and `?` wildcards, `!pattern` to exclude (a
 * name that matches a negated pattern never matches the line), or one
 * hashed name `|1|BASE64-SALT|BASE64-HMAC-SHA1` as HashKnownHosts writes
 * it. Names compare without regard to case. @cert-authority lines are
 * skipped (no certificates here); a key on a matching @revoked line is
 * refused whatever else says.
 *
 * Cost: literal names are in a hash table, so a fleet's file costs O(1) a
 * login; lines with patterns are scanned and hashed names are HMAC'd once
 * each per login (what OpenSSH does per connection), so a big hashed file
 * costs O(lines) a login.
 */
#ifndef FO_RUN_KNOWNHOSTS_H
#define FO_RUN_KNOWNHOSTS_H

#include <stddef.h>

struct fo_kh;

enum fo_kh_verdict {
	FO_KH_OK,      /* the key is on record for the name */
	FO_KH_UNKNOWN, /* no key of this type on record for the name */
	FO_KH_CHANGED, /* keys of this type on record, none equal */
	FO_KH_REVOKED, /* the key is on a matching @revoked line */
};

struct fo_kh *fo_kh_new(void);
void fo_kh_free(struct fo_kh *kh);

/* Adds the lines of text (malformed lines are skipped, counted). 0 or -ENOMEM. */
int fo_kh_parse(struct fo_kh *kh, const char *text, size_t len);

/* Reads a file with fo_kh_parse(): 0, or -errno (-ENOENT: no file). */
int fo_kh_load(struct fo_kh *kh, const char *path);

/* Lines skipped as malformed so far. */
size_t fo_kh_skipped(const struct fo_kh *kh);

/* Adds one literal entry. 0 or -ENOMEM. */
int fo_kh_add(struct fo_kh *kh, const char *name, const char *type, const char *key_b64);

/* name as OpenSSH looks it up: "host" for port 22, else "[host]:port". */
void fo_kh_name(char *buf, size_t len, const char *host, int port);

/* The verdict on key (base64, as in the file) of type for name. */
enum fo_kh_verdict fo_kh_check(const struct fo_kh *kh, const char *name, const char *type, const char *key_b64);

#endif
