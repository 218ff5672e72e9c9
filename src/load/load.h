/*
 * `fanout load`: a closed-loop or fixed-rate load generator on the runtime.
 * See docs/serve.md.
 */
#ifndef FO_LOAD_H
#define FO_LOAD_H

int fo_load_main(int argc, char **argv);

#endif
