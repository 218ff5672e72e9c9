/*
 * The copy task's set-up (copy.h), before any host: LOCAL read once for
 * every host (its bytes, mode and SHA-256), DIR checked, and per host how
 * to copy (SFTP or SCP, a shell or not) and where a pull's file goes.
 * Apart from copy.c so that the session code holds no command-line logic.
 *
 * NEEDSWORK: LOCAL is held in memory (a bound of 1 GiB); a bigger file
 * would want to be streamed per host, or mapped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/file.h"
#include "copy.h"
#include "platform.h"
#include "run.h"

#define LOCAL_MAX ((size_t)1 << 30)

/* The last part of a remote path (after its last / or a device's
 * filesystem, "flash:"), or NULL when it names no file. */
static const char *base_name(const char *r)
{
	const char *b = r + strlen(r);

	while (b > r && b[-1] != '/' && b[-1] != ':')
		b--;
	return *b && strcmp(b, ".") && strcmp(b, "..") ? b : NULL;
}

static int init_push(struct fo_copy_job *j, const char *local, char *err, size_t errlen)
{
	struct stat st = { 0 };
	char *buf;
	size_t len;
	int e;

	if (stat(local, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read --push '%s': %s", local,
			 S_ISDIR(st.st_mode) ? "a folder, not a file" : strerror(errno));
		return -1;
	}
	e = fo__slurp_max(local, LOCAL_MAX, &buf, &len);
	if (e < 0) {
		snprintf(err, errlen, "cannot read --push '%s': %s", local, e == -EFBIG ? "over 1 GiB" : strerror(-e));
		return -1;
	}
	j->data = (const unsigned char *)buf;
	j->size = len;
	j->mode = st.st_mode & 07777;
	fo__copy_sha256(buf, len, j->sha256);
	return 0;
}

static int init_pull(struct fo_copy_job *j, const char *dir, char *err, size_t errlen)
{
	struct stat st = { 0 };

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot use --pull's folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) < 0) {
		snprintf(err, errlen, "cannot use --pull's folder '%s': %s (give a folder, made if missing)", dir,
			 S_ISDIR(st.st_mode) ? strerror(errno) : strerror(ENOTDIR));
		return -1;
	}
	j->dir_path = dir;
	return 0;
}

int fo__copy_job_init(struct fo_copy_job *j, const char *const push[2], const char *const pull[2], char *err,
		      size_t errlen)
{
	memset(j, 0, sizeof(*j));
	if (!push[0] == !pull[0]) {
		snprintf(err, errlen, push[0] ? "give --push or --pull, not both"
					      : "--task copy needs --push LOCAL REMOTE or --pull REMOTE DIR");
		return -1;
	}
	j->dir = push[0] ? FO_COPY_PUSH : FO_COPY_PULL;
	j->remote = push[0] ? push[1] : pull[0];
	if (!(j->name = base_name(j->remote))) {
		snprintf(err, errlen, "bad remote path '%s': expected the path of a file", j->remote);
		return -1;
	}
	return push[0] ? init_push(j, push[0], err, errlen) : init_pull(j, pull[1], err, errlen);
}

void fo__copy_job_release(struct fo_copy_job *j)
{
	free((void *)j->data);
	j->data = NULL;
}

void fo__copy_host_init(struct fo_copy_host *ch, const struct fo_copy_job *j, const char *host,
			const struct fo_platform *p, enum fo_copy_via via)
{
	bool network = p && !strcmp(fo_platform_info(p)->driver_type, "network");
	char name[FO_RUN_NAME_MAX + 1];
	int n;

	ch->job = j;
	ch->shell = !network;
	ch->verify = network ? fo_platform_info(p)->copy_verify : NULL;
	ch->via = via != FO_COPY_AUTO ? via : network ? FO_COPY_SCP : FO_COPY_SFTP;
	ch->local[0] = 0;
	if (j->dir != FO_COPY_PULL)
		return;
	fo__run_file_name(host, name);
	n = snprintf(ch->local, sizeof(ch->local), "%s/%s/%s", j->dir_path, name, j->name);
	if (n < 0 || (size_t)n >= sizeof(ch->local))
		ch->local[0] = 0;
}
