/*
 * robots.txt, as RFC 9309 reads it: groups of user-agent lines followed by
 * allow and disallow rules; the group that names our product token wins,
 * else the "*" group; the longest matching rule decides, allow winning a
 * tie; "*" in a rule matches any run of characters and a final "$" anchors
 * it. Crawl-delay (not in the RFC, but common) is kept for the group.
 *
 * Ownership: fo_robots_parse() copies what it keeps; the caller frees with
 * fo_robots_free(). Input is untrusted: bounded (FO_ROBOTS_MAX bytes, the
 * RFC's 500 KiB, parsed; the rest ignored) and never crashes on garbage.
 */
#ifndef FO_LINKS_ROBOTS_H
#define FO_LINKS_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

#define FO_ROBOTS_MAX (500 * 1024)

struct fo_robots;

/* Parses text for the product token agent (e.g. "fanout"). Returns NULL
 * only without memory. */
struct fo_robots *fo_robots_parse(const char *text, size_t len, const char *agent);
/* May agent fetch path (the URL's path and query, "/" at least)? */
bool fo_robots_allowed(const struct fo_robots *r, const char *path);
/* The group's Crawl-delay in seconds, or 0. */
double fo_robots_delay(const struct fo_robots *r);
void fo_robots_free(struct fo_robots *r);

#endif
