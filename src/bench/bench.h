/*
 * `fanout bench`: the classic experiments as data. rtt: N simulated hosts,
 * each task waits one round trip, under a model; tasks: n tasks of duration
 * h, with the overhead over the ideal. Each row of a sweep runs in a child
 * process of its own, so its wall, CPU and peak memory are its alone.
 */
#ifndef FO_BENCH_H
#define FO_BENCH_H

int fo_bench_main(int argc, char **argv);
/* `fanout bench serve`, in serve_bench.c */
int fo_bench_serve(int argc, char **argv);

#endif
