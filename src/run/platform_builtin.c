/*
 * The platforms fanout ships (platforms/NAME.yaml, built into the binary by
 * platforms/embed.sh as $(BUILD)/gen/platforms.c) and the names other
 * tools give them: netmiko's device_type, nornir's and napalm's platform.
 * They are parsed once, on first use, and kept for the life of the
 * process.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <strings.h>

#include "platform.h"

/* From the generated file: the files' names (without .yaml, NULL-
 * terminated), their text and length. */
extern const char *const fo__plat_names[];
extern const char *const fo__plat_texts[];
extern const size_t fo__plat_lens[];
extern const size_t fo__plat_count;

#define MAX_BUILTIN 32

static const struct {
	const char *alias, *name;
} aliases[] = {
	/* netmiko */
	{ "cisco_ios", "cisco_iosxe" },
	{ "cisco_xe", "cisco_iosxe" },
	{ "cisco_nxos", "cisco_nxos" },
	{ "cisco_xr", "cisco_iosxr" },
	{ "arista_eos", "arista_eos" },
	{ "juniper_junos", "juniper_junos" },
	{ "juniper", "juniper_junos" },
	{ "linux", "linux" },
	/* nornir (napalm's names) */
	{ "ios", "cisco_iosxe" },
	{ "nxos", "cisco_nxos" },
	{ "nxos_ssh", "cisco_nxos" },
	{ "eos", "arista_eos" },
	{ "junos", "juniper_junos" },
	{ "iosxr", "cisco_iosxr" },
	/* and a few more people write */
	{ "iosxe", "cisco_iosxe" },
	{ "xe", "cisco_iosxe" },
	{ "generic", "linux" },
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static struct fo_platform *loaded[MAX_BUILTIN];

static void load_all(void)
{
	char name[64], err[256];
	size_t i;

	for (i = 0; i < fo__plat_count && i < MAX_BUILTIN; i++) {
		snprintf(name, sizeof(name), "platforms/%s.yaml", fo__plat_names[i]);
		/* a shipped file that fails is caught by the tests (platform_builtin_*) */
		loaded[i] = fo_platform_parse(fo__plat_texts[i], fo__plat_lens[i], name, NULL, NULL, err, sizeof(err));
	}
}

const struct fo_platform *fo_platform_builtin(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(name, aliases[i].alias)) {
			name = aliases[i].name;
			break;
		}
	for (i = 0; i < fo__plat_count && i < MAX_BUILTIN; i++)
		if (!strcasecmp(name, fo__plat_names[i])) {
			pthread_once(&once, load_all);
			return loaded[i];
		}
	return NULL;
}

const char *const *fo_platform_builtin_names(void)
{
	return fo__plat_names;
}
