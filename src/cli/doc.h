/*
 * `fanout-tools doc`: man pages and completions from the option tables
 * (doc.c says how).
 */
#ifndef FO_CLI_DOC_H
#define FO_CLI_DOC_H

/* argv after "doc": the exit code. */
int fo_doc_main(int argc, char **argv);

#endif
