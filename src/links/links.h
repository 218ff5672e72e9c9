/* `fanout links`: a link checker for CI (links.c, crawl.c). */
#ifndef FO_LINKS_LINKS_H
#define FO_LINKS_LINKS_H

/* Returns the exit code: 0 nothing broken, 1 something broken, 2 error, 3
 * nothing broken but a page not read whole, 4 the report not written, 130
 * interrupted. */
int fo_links_main(int argc, char **argv);

#endif
