/*
 * --shard auto: which shard this run is, from the scheduler that started
 * it, so that one job script serves every task of an array (docs/run.md,
 * "Shards"). Two schedulers are known:
 *
 *   - a Slurm job array: SLURM_ARRAY_TASK_ID among SLURM_ARRAY_TASK_COUNT
 *     tasks; K = (ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP + 1
 *     (MIN 0 and STEP 1 when unset), so --array=1-8 and --array=0-14:2
 *     both give K = 1..N. An array given as a list (--array=1,4,9) has no
 *     step that maps its IDs to 1..N: refused, with the fix.
 *   - a Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) is K - 1;
 *     the Job's completions (N) are not in the pod's environment, so N
 *     comes from --shards N or from FANOUT_SHARDS, which the manifest
 *     sets beside completions.
 *
 * Slurm is looked at first. Everything is checked (digits only, K <= N,
 * N <= 1,000,000 as --shard K/N), and a run that finds neither says so in
 * one line, before any host is loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "inv_args.h"

#define SHARDS_MAX 1000000

/* $name as a number in [min, max]: 1 found, 0 unset, -1 bad (said). */
static int env_num(const char *name, uint64_t min, uint64_t max, uint64_t *v)
{
	const char *s = getenv(name);

	if (!s)
		return 0;
	if (fo_cli_uint(s, min, max, v) < 0) {
		fprintf(stderr, "fanout: --shard auto: bad %s '%s': expected a number from %llu to %llu\n", name,
			s, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 1;
}

static int from_slurm(struct fo_inv_args *a)
{
	uint64_t id, count, min = 0, step = 1;
	int r;

	if ((r = env_num("SLURM_ARRAY_TASK_ID", 0, UINT32_MAX, &id)) <= 0)
		return r;
	if ((r = env_num("SLURM_ARRAY_TASK_COUNT", 1, SHARDS_MAX, &count)) <= 0) {
		if (r == 0)
			fprintf(stderr, "fanout: --shard auto: SLURM_ARRAY_TASK_ID is set but not "
				"SLURM_ARRAY_TASK_COUNT (Slurm 17.11 or later sets both)\n");
		return -1;
	}
	if (env_num("SLURM_ARRAY_TASK_MIN", 0, UINT32_MAX, &min) < 0 ||
	    env_num("SLURM_ARRAY_TASK_STEP", 1, UINT32_MAX, &step) < 0)
		return -1;
	if (id < min || (id - min) % step || (id - min) / step >= count) {
		fprintf(stderr, "fanout: --shard auto: Slurm array task %llu is not one of %llu tasks from %llu "
			"by %llu: give the array as a range (--array=1-%llu), or --shard K/N\n",
			(unsigned long long)id, (unsigned long long)count, (unsigned long long)min,
			(unsigned long long)step, (unsigned long long)count);
		return -1;
	}
	a->shard = (unsigned)((id - min) / step + 1);
	a->nshards = (unsigned)count;
	return 1;
}

/* K from JOB_COMPLETION_INDEX (a->shard_index), N = n: 0, or -1 said. */
static int set_indexed(struct fo_inv_args *a, uint64_t n)
{
	if (a->shard_index > n) {
		fprintf(stderr, "fanout: --shard auto: JOB_COMPLETION_INDEX %u is not below the %llu shards: "
			"--shards N (or FANOUT_SHARDS) must be the Job's completions\n", a->shard_index - 1,
			(unsigned long long)n);
		return -1;
	}
	a->shard = a->shard_index;
	a->nshards = (unsigned)n;
	return 0;
}

/* JOB_COMPLETION_INDEX with the count from --shards or FANOUT_SHARDS;
 * with neither yet, left for a --shards after it (fo__inv_shard_pending). */
static int from_indexed_job(struct fo_inv_args *a)
{
	uint64_t idx, n = a->shards_given;
	int r;

	if ((r = env_num("JOB_COMPLETION_INDEX", 0, SHARDS_MAX - 1, &idx)) <= 0)
		return r;
	a->shard_index = (unsigned)idx + 1;
	if (!n && env_num("FANOUT_SHARDS", 1, SHARDS_MAX, &n) < 0)
		return -1;
	return n && set_indexed(a, n) < 0 ? -1 : 1;
}

int fo__inv_shard_auto(struct fo_inv_args *a)
{
	int r;

	a->shard_auto = true;
	if ((r = from_slurm(a)) != 0)
		return r < 0 ? FO_OPTS_BAD : 0;
	if ((r = from_indexed_job(a)) != 0)
		return r < 0 ? FO_OPTS_BAD : 0;
	fprintf(stderr, "fanout: --shard auto: no shard in the environment: a Slurm job array sets "
		"SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, a Kubernetes Indexed Job JOB_COMPLETION_INDEX "
		"(with --shards N or FANOUT_SHARDS); else give --shard K/N\n");
	return FO_OPTS_BAD;
}

int fo__inv_arg_shards(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_inv_args *a = (struct fo_inv_args *)(void *)((char *)cfg + o->off);
	uint64_t n;

	if (fo_cli_uint(v, 1, SHARDS_MAX, &n) < 0)
		return -EINVAL;
	a->shards_given = (unsigned)n;
	if (a->shard_index && !a->nshards && a->shard_auto)
		return set_indexed(a, n) < 0 ? FO_OPTS_BAD : 0;
	return 0;
}

int fo__inv_shard_pending(const struct fo_inv_args *a, char *err, size_t errlen)
{
	if (a->shards_given && !a->shard_auto) {
		snprintf(err, errlen, "--shards N is for --shard auto (a Kubernetes Indexed Job's completions)");
		return -EINVAL;
	}
	if (a->shard_auto && !a->nshards) {
		snprintf(err, errlen, "--shard auto: JOB_COMPLETION_INDEX is %u but the number of shards is not "
			 "known: give --shards N or set FANOUT_SHARDS to the Job's completions", a->shard_index - 1);
		return -EINVAL;
	}
	return 0;
}
