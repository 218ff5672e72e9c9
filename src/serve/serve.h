/*
 * `fanout serve`: the request/response server (line or HTTP/1.1) in every
 * execution model. See docs/serve.md.
 */
#ifndef FO_SERVE_H
#define FO_SERVE_H

int fo_serve_main(int argc, char **argv);

#endif
