/*
 * A simulated device's file store: what `flash:` (ios, eos), `bootflash:`
 * (nxos), `disk0:` (iosxr) or `/var/tmp` (junos) holds, filled by SCP
 * (server_scp.c) and read back by SCP and by the platforms' file
 * commands: dir, verify /sha256, show file ... sha256sum, file list,
 * file checksum sha-256 (the interpreters call fo__files_cmd).
 *
 * One flat folder per device, in memory: a small array of (name, bytes),
 * at most FO_DEV_FLASH_SIZE bytes and FILES_MAX files a device, so a
 * client cannot make the simulator keep more than that per device. The
 * diskfull fault makes a device's store full: every upload is refused with
 * the device's "No space left on device".
 *
 * The words a device says are modelled on each vendor's (IOS's "%Error
 * opening flash:NAME (No such file or directory)", the OpenSSH scp of the
 * Linux-based ones); the digests are the files' real SHA-256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "engine_int.h"

#define FILES_MAX 64

struct fo__file {
	char name[FO__DEV_FILE_NAME_MAX + 1];
	char *data;
	size_t len;
};

/* The store's name as the platform prints it before a file name. */
const char *fo__files_fs(const struct fo_dev *d)
{
	switch (d->id.platform) {
	case FO_DEV_NXOS:
		return "bootflash:";
	case FO_DEV_IOSXR:
		return "disk0:";
	case FO_DEV_JUNOS:
		return "/var/tmp/";
	default:
		return "flash:";
	}
}

static bool is_cisco_fs(enum fo_dev_platform p)
{
	return p == FO_DEV_IOS;
}

int fo_dev_file_name(const struct fo_dev *d, const char *path, char *name, size_t size)
{
	static const char *const prefixes[] = { "flash:", "bootflash:", "disk0:", "harddisk:", "/mnt/flash/",
						"/bootflash/", "/var/tmp/", "/misc/disk1/", NULL };
	const char *p = path, *c;
	size_t i, n;

	(void)d;
	for (i = 0; prefixes[i]; i++) {
		n = strlen(prefixes[i]);
		if (!strncmp(p, prefixes[i], n)) {
			p += n;
			if (prefixes[i][n - 1] == ':')
				while (*p == '/')
					p++;
			break;
		}
	}
	n = strlen(p);
	if (!n || n > FO__DEV_FILE_NAME_MAX || n >= size || !strcmp(p, ".") || !strcmp(p, ".."))
		return -1;
	for (c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/' || *c == ':')
			return -1;
	memcpy(name, p, n + 1);
	return 0;
}

static struct fo__file *find(const struct fo_dev *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (!strcmp(d->files[i].name, name))
			return &d->files[i];
	return NULL;
}

static size_t used(const struct fo_dev *d)
{
	size_t i, u = 0;

	for (i = 0; i < d->nfiles; i++)
		u += d->files[i].len;
	return u;
}

/* The store's free bytes: none on a device with the diskfull fault. */
static size_t free_bytes(const struct fo_dev *d)
{
	return d->fault == FO_DEV_DISKFULL ? 0 : FO_DEV_FLASH_SIZE - used(d);
}

/* "%Error VERB flash:NAME (WHY)" on ios, "scp: PATH: WHY" elsewhere. */
static void say(const struct fo_dev *d, const char *verb, const char *path, const char *name, const char *why,
		char *err, size_t errlen)
{
	if (is_cisco_fs(d->id.platform))
		snprintf(err, errlen, "%%Error %s %s%s (%s)", verb, fo__files_fs(d), name ? name : path, why);
	else
		snprintf(err, errlen, "scp: %s: %s", path, why);
}

int fo_dev_file_can_put(const struct fo_dev *d, const char *path, uint64_t size, char *err, size_t errlen)
{
	char name[FO__DEV_FILE_NAME_MAX + 1];
	const struct fo__file *f;
	size_t room;

	if (fo_dev_file_name(d, path, name, sizeof(name)) < 0) {
		say(d, "opening", path, NULL, "No such file or directory", err, errlen);
		return -1;
	}
	f = find(d, name);
	room = free_bytes(d) + (f && d->fault != FO_DEV_DISKFULL ? f->len : 0);
	if (size > room) {
		say(d, "writing", path, name, "No space left on device", err, errlen);
		return -1;
	}
	if (!f && d->nfiles == FILES_MAX) {
		say(d, "writing", path, name, "Too many open files in system", err, errlen);
		return -1;
	}
	return 0;
}

int fo_dev_file_put(struct fo_dev *d, const char *path, char *data, size_t len, char *err, size_t errlen)
{
	char name[FO__DEV_FILE_NAME_MAX + 1];
	struct fo__file *f;

	if (fo_dev_file_can_put(d, path, len, err, errlen) < 0) {
		free(data);
		return -1;
	}
	fo_dev_file_name(d, path, name, sizeof(name));
	f = find(d, name);
	if (!f) {
		if (!d->files && !(d->files = calloc(FILES_MAX, sizeof(*d->files)))) {
			free(data);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		f = &d->files[d->nfiles++];
		memcpy(f->name, name, strlen(name) + 1);
	}
	free(f->data);
	f->data = data;
	f->len = len;
	return 0;
}

const char *fo_dev_file_get(const struct fo_dev *d, const char *path, size_t *len, char *err, size_t errlen)
{
	char name[FO__DEV_FILE_NAME_MAX + 1];
	const struct fo__file *f = NULL;

	if (fo_dev_file_name(d, path, name, sizeof(name)) == 0)
		f = find(d, name);
	if (!f) {
		say(d, "opening", path, fo_dev_file_name(d, path, name, sizeof(name)) == 0 ? name : NULL,
		    "No such file or directory", err, errlen);
		return NULL;
	}
	*len = f->len;
	return f->data ? f->data : "";
}

void fo__files_free(struct fo_dev *d)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		free(d->files[i].data);
	free(d->files);
	d->files = NULL;
	d->nfiles = 0;
}

/* ---- the commands --------------------------------------------------------------------------- */

static void sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char md[32];
	unsigned int ml = 0, i;

	EVP_Digest(p, n, md, &ml, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = 0;
}

/* dir [FS] / file list [PATH]: the store as each platform lists it; the
 * engine has no clock, so every file is dated at its fixed time. */
static int dir(struct fo_dev *d, const char *arg, struct fo__out *o)
{
	const char *fs = fo__files_fs(d);
	size_t i, u = used(d), total = FO_DEV_FLASH_SIZE, fr = free_bytes(d);

	if (arg && strcmp(arg, fs) && !(strlen(arg) == strlen(fs) + 1 && !strncmp(arg, fs, strlen(fs)) &&
					arg[strlen(fs)] == '/') &&
	    !(d->id.platform == FO_DEV_JUNOS && !strcmp(arg, "/var/tmp"))) {
		if (d->id.platform == FO_DEV_JUNOS)
			fo__addf(&o->text, "error: could not resolve file: %s\n", arg);
		else
			fo__addf(&o->text, "%%Error opening %s (No such file or directory)\n", arg);
		return 1;
	}
	switch (d->id.platform) {
	case FO_DEV_JUNOS:
		fo__adds(&o->text, "/var/tmp/:\n");
		for (i = 0; i < d->nfiles; i++)
			fo__addf(&o->text, "%s\n", d->files[i].name);
		break;
	case FO_DEV_NXOS:
		for (i = 0; i < d->nfiles; i++)
			fo__addf(&o->text, "%12zu    Mar 04 09:15:00 2025  %s\n", d->files[i].len, d->files[i].name);
		fo__addf(&o->text, "\nUsage for bootflash://sup-local\n%12zu bytes used\n%12zu bytes free\n%12zu bytes total\n",
			 u, fr, total);
		break;
	case FO_DEV_IOSXR:
		fo__adds(&o->text, "\nDirectory of disk0:\n\n");
		for (i = 0; i < d->nfiles; i++)
			fo__addf(&o->text, "%5zu -rw-r--r--. 1 %10zu Mar  4 09:15 %s\n", 12 + i, d->files[i].len,
				 d->files[i].name);
		fo__addf(&o->text, "\n%zu kbytes total (%zu kbytes free)\n", total >> 10, fr >> 10);
		break;
	default:
		fo__addf(&o->text, "Directory of %s/\n\n", fs);
		for (i = 0; i < d->nfiles; i++)
			fo__addf(&o->text, "%5zu  -rw-  %12zu  Mar 4 2025 09:15:00 +00:00  %s\n", 12 + i,
				 d->files[i].len, d->files[i].name);
		fo__addf(&o->text, "\n%zu bytes total (%zu bytes free)\n", total, fr);
	}
	return 0;
}

/* The SHA-256 of a file, as the platform prints it. */
static int checksum(struct fo_dev *d, const char *path, struct fo__out *o)
{
	char name[FO__DEV_FILE_NAME_MAX + 1], hex[65], err[300];
	const char *data;
	size_t len = 0;

	if (!(data = fo_dev_file_get(d, path, &len, err, sizeof(err)))) {
		if (d->id.platform == FO_DEV_JUNOS)
			fo__addf(&o->text, "error: could not resolve file: %s\n", path);
		else if (d->id.platform == FO_DEV_NXOS)
			fo__addf(&o->text, "%s: No such file or directory\n", path);
		else
			fo__addf(&o->text, "%%Error opening %s (No such file or directory)\n", path);
		return 1;
	}
	fo_dev_file_name(d, path, name, sizeof(name));
	sha256_hex(data, len, hex);
	switch (d->id.platform) {
	case FO_DEV_NXOS:
		fo__addf(&o->text, "%s\n", hex);
		break;
	case FO_DEV_JUNOS:
		fo__addf(&o->text, "SHA256 (%s) = %s\n", path, hex);
		break;
	default:
		/* IOS prints a dot per chunk read, then Done! */
		fo__addf(&o->text, "%.*sDone!\n", (int)(len / 65536 > 60 ? 60 : len / 65536 + 1),
			 "............................................................");
		fo__addf(&o->text, "verify /sha256 (%s%s) = %s\n", fo__files_fs(d), name, hex);
	}
	return 0;
}

int fo__files_cmd(struct fo_dev_sess *s, int what, const char *arg, struct fo__out *o)
{
	int bad = what == FO__FILES_DIR ? dir(s->d, arg, o) : checksum(s->d, arg, o);

	if (bad)
		s->status = 1;
	else
		o->is_output = true;
	return 0;
}
