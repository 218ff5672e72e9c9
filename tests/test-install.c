/*
 * make install: into a DESTDIR of the test's own, then as a user of the
 * installed tree would: the installed fanout finds its tools in
 * libexec/fanout, and examples/embed.c builds against the library with
 * `pkg-config --cflags --libs fanout` and runs.
 */
#include <libgen.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

/* sh -c cmd, its stdout and stderr into *out: the exit status. */
static int sh(const char *cmd, char **out)
{
	char full[4096];
	FILE *p;
	size_t len = 0, cap = 1 << 16;
	char *b = malloc(cap);
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	CHECK(p && b);
	len = fread(b, 1, cap - 1, p);
	b[len] = 0;
	st = pclose(p);
	*out = b;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

TEST_T(install_into_destdir_and_build_against_it, 240)
{
	const char *bin = getenv("FANOUT_BIN"), *d = fo_test_dir();
	char path[512], build[512], cmd[4096], *out = NULL;

	if (*fo_test_san())
		fo_test_skip("the installed library is the plain build's");
	if (system("command -v pkg-config >/dev/null 2>&1") != 0)
		fo_test_skip("no pkg-config");
	/* dirname() may write into its argument: a copy of its own, and the
	 * result copied out of it (not onto it: snprintf from a buffer into
	 * itself gave "", and `make install BUILD=` built into /obj) */
	snprintf(path, sizeof(path), "%s", bin ? bin : "build/fanout");
	snprintf(build, sizeof(build), "%s", dirname(path));
	CHECK(*build && strcmp(build, "/"));
	snprintf(cmd, sizeof(cmd), "make --no-print-directory -s install BUILD=%s PREFIX=/usr DESTDIR=%s/root", build, d);
	if (sh(cmd, &out) != 0)
		fprintf(stderr, "%s\n%s\n", cmd, out);
	CHECK_EQ(sh(cmd, &out), 0);
	free(out);
	/* the installed fanout runs its tools from libexec/fanout */
	snprintf(cmd, sizeof(cmd), "%s/root/usr/bin/fanout run -w 'h[1-3]' --task sleep --rtt 1ms --json", d);
	CHECK_EQ(sh(cmd, &out), 0);
	CHECK_HAS(out, "\"host\":\"h3\"");
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/root/usr/bin/fanout version", d);
	CHECK_EQ(sh(cmd, &out), 0);
	CHECK_HAS(out, "fanout 0.");
	free(out);
	/* the soname, and a program built against the installed tree */
	snprintf(cmd, sizeof(cmd), "objdump -p %s/root/usr/lib/libfanout.so | grep SONAME", d);
	if (system("command -v objdump >/dev/null 2>&1") == 0) {
		CHECK_EQ(sh(cmd, &out), 0);
		CHECK_HAS(out, "libfanout.so.0");
		free(out);
	}
	snprintf(cmd, sizeof(cmd),
		 "PKG_CONFIG_PATH=%s/root/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=%s/root "
		 "cc -o %s/embed examples/embed.c $(PKG_CONFIG_PATH=%s/root/usr/lib/pkgconfig "
		 "PKG_CONFIG_SYSROOT_DIR=%s/root pkg-config --cflags --libs fanout)",
		 d, d, d, d, d);
	if (sh(cmd, &out) != 0)
		fprintf(stderr, "%s\n%s\n", cmd, out);
	CHECK_EQ(sh(cmd, &out), 0);
	free(out);
	snprintf(cmd, sizeof(cmd), "LD_LIBRARY_PATH=%s/root/usr/lib %s/embed coro 1 3", d, d);
	CHECK_EQ(sh(cmd, &out), 0);
	free(out);
	/* the man pages and the completions, made from the option tables */
	snprintf(cmd, sizeof(cmd), "ls %s/root/usr/share/man/man1/ && grep -c 'max\\\\-retry\\\\-wait' "
		 "%s/root/usr/share/man/man1/fanout-links.1", d, d);
	CHECK_EQ(sh(cmd, &out), 0);
	CHECK_HAS(out, "fanout-run.1");
	CHECK_HAS(out, "fanout-bench-rtt.1");
	CHECK_HAS(out, "fanout.1");
	free(out);
	snprintf(cmd, sizeof(cmd), "bash -c '. %s/root/usr/share/bash-completion/completions/fanout && "
		 "complete -p fanout && COMP_WORDS=(fanout links --max-r) COMP_CWORD=2 && _fanout && "
		 "echo \"${COMPREPLY[@]}\"'", d);
	CHECK_EQ(sh(cmd, &out), 0);
	CHECK_HAS(out, "complete -F _fanout fanout");
	CHECK_HAS(out, "--max-retry-wait");
	free(out);
	snprintf(cmd, sizeof(cmd), "test -s %s/root/usr/share/zsh/vendor-completions/_fanout", d);
	CHECK_EQ(sh(cmd, &out), 0);
	free(out);
	/* and uninstall leaves nothing of ours */
	snprintf(cmd, sizeof(cmd), "make --no-print-directory -s uninstall BUILD=%s PREFIX=/usr DESTDIR=%s/root && "
		 "find %s/root -type f | wc -l", build, d, d);
	CHECK_EQ(sh(cmd, &out), 0);
	CHECK_STR(out, "0\n");
	free(out);
}
