/*
 * The configuration tree (conf.h): parsing the generated configurations,
 * printing them back byte for byte, applying configuration lines and
 * junos set/delete statements, and the differences two trees show.
 *
 * What a line changes is decided the way the devices' own parsers
 * behave for the common commands, by rules rather than a schema:
 *   ios-like: a line whose first words are a known single-valued setting
 *     ("description", "ip address", "switchport access vlan", "hostname")
 *     replaces the line with the same setting; any other line is added
 *     once; "no X" removes the lines that are X or begin with X; a new
 *     section goes after the last section of its kind.
 *   junos: set walks the statements its words name and adds what is
 *     missing; a word that takes a name ("unit 0", "family inet", "term
 *     t1") makes one statement with it, the children of interfaces and
 *     vlans are named, and a setting ("host-name x", "description y")
 *     replaces the one it had. delete removes the statement its words
 *     name.
 * NEEDSWORK: the rules cover the common configuration; a real device's
 * schema orders new lines and knows more single-valued settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "conf.h"
#include "outputs.h"

/* ---- nodes ----------------------------------------------------------------- */

static struct fo__cnode *node_new(struct fo__conf *c, const char *text, size_t len, unsigned indent)
{
	struct fo__cnode *n = calloc(1, sizeof(*n));

	if (n)
		n->text = strndup(text, len);
	if (!n || !n->text) {
		free(n);
		c->oom = true;
		return NULL;
	}
	n->indent = indent;
	return n;
}

static void node_free(struct fo__cnode *n)
{
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n->comment);
	free(n);
}

/* Inserts kid at pos (nkids: at the end); frees it when out of memory. */
static int node_insert(struct fo__conf *c, struct fo__cnode *parent, size_t pos, struct fo__cnode *kid)
{
	if (!kid)
		return -1;
	if (parent->nkids == parent->cap) {
		size_t nc = parent->cap ? parent->cap * 2 : 4;
		struct fo__cnode **nk = realloc(parent->kids, nc * sizeof(*nk));

		if (!nk) {
			node_free(kid);
			c->oom = true;
			return -1;
		}
		parent->kids = nk;
		parent->cap = nc;
	}
	if (pos > parent->nkids)
		pos = parent->nkids;
	memmove(parent->kids + pos + 1, parent->kids + pos, (parent->nkids - pos) * sizeof(*parent->kids));
	parent->kids[pos] = kid;
	parent->nkids++;
	return 0;
}

static void node_remove(struct fo__cnode *parent, size_t pos)
{
	node_free(parent->kids[pos]);
	memmove(parent->kids + pos, parent->kids + pos + 1, (parent->nkids - pos - 1) * sizeof(*parent->kids));
	parent->nkids--;
}

static int node_set_text(struct fo__conf *c, struct fo__cnode *n, const char *text)
{
	char *t = strdup(text);

	if (!t) {
		c->oom = true;
		return -1;
	}
	free(n->text);
	n->text = t;
	return 0;
}

void fo__conf_release(struct fo__conf *c)
{
	for (size_t i = 0; i < c->root.nkids; i++)
		node_free(c->root.kids[i]);
	free(c->root.kids);
	memset(&c->root, 0, sizeof(c->root));
}

/* ---- words ------------------------------------------------------------------- */

/* Whether the first n words of a and b (split at spaces) are the same. */
static bool words_eq(const char *a, const char *b, int n)
{
	while (n-- > 0) {
		size_t la = strcspn(a, " "), lb = strcspn(b, " ");

		if (la != lb || memcmp(a, b, la) || !la)
			return false;
		a += la + (a[la] == ' ');
		b += lb + (b[lb] == ' ');
	}
	return true;
}

static int nwords(const char *s)
{
	int n = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		if (*s)
			n++;
		s += strcspn(s, " ");
	}
	return n;
}

/* Does s begin with the words of prefix (the whole of each)? */
static bool starts_words(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(s, prefix, n) && (s[n] == ' ' || s[n] == '\0');
}

int fo__jn_words(char *buf, char **w, int max)
{
	int n = 0;
	char *p = buf;

	while (*p) {
		char *start;

		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '"') {
				char *q = strchr(p + 1, '"');

				if (!q)
					return -1;
				p = q;
			}
			p++;
		}
		if (n == max)
			return max;
		w[n++] = start;
	}
	return n;
}

/* Compares a word with the quotes of one of them, if any, left out. */
static bool word_eq(const char *a, size_t la, const char *b, size_t lb)
{
	if (la >= 2 && a[0] == '"' && a[la - 1] == '"')
		a++, la -= 2;
	if (lb >= 2 && b[0] == '"' && b[lb - 1] == '"')
		b++, lb -= 2;
	return la == lb && !memcmp(a, b, la);
}

/* ---- parsing and printing ----------------------------------------------------- */

size_t fo__conf_ios_body(const char *text, size_t len)
{
	const char *m = memmem(text, len, "Current configuration : ", 24);
	const char *nl = m ? memchr(m, '\n', len - (size_t)(m - text)) : NULL;

	return nl ? (size_t)(nl + 1 - text) : 0;
}

static bool is_sep(const struct fo__cnode *n)
{
	return !n->nkids && (!strcmp(n->text, "!") || !n->text[0]);
}

static int parse_ios(struct fo__conf *c, const char *text, size_t len)
{
	struct fo__cnode *stack[16], *banner = NULL;
	char delim[16] = "";
	size_t sp = 0;

	for (size_t at = 0; at < len;) {
		const char *line = text + at, *nl = memchr(line, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - line) : len - at;
		unsigned ind = 0;
		struct fo__cnode *parent, *n;

		at += ll + (nl != NULL);
		if (banner) {
			/* a banner's text lines, up to the one with its delimiter */
			if (node_insert(c, banner, banner->nkids, node_new(c, line, ll, 0)))
				return -1;
			if (memmem(line, ll, delim, strlen(delim)))
				banner = NULL;
			continue;
		}
		while (ind < ll && line[ind] == ' ')
			ind++;
		while (sp > 0 && stack[sp - 1]->indent >= ind)
			sp--;
		parent = sp ? stack[sp - 1] : &c->root;
		n = node_new(c, line + ind, ll - ind, ind);
		if (node_insert(c, parent, parent->nkids, n))
			return -1;
		if (sp < sizeof(stack) / sizeof(stack[0]))
			stack[sp++] = n;
		if (parent == &c->root && starts_words(n->text, "banner")) {
			const char *d = strrchr(n->text, ' ');
			const char *first = d ? strstr(n->text, d + 1) : NULL;

			/* "banner motd ^C" starts a text; "banner motd #hi#" is one line */
			if (d && d[1] && strlen(d + 1) < sizeof(delim) && first == d + 1 &&
			    !strstr(d + 2, d + 1)) {
				snprintf(delim, sizeof(delim), "%s", d + 1);
				n->raw = true;
				banner = n;
				sp--;
			}
		}
	}
	return 0;
}

/* The statement of a junos leaf line: text up to the ';' outside quotes,
 * and what follows it (a "## SECRET-DATA" comment). */
static int parse_junos_leaf(struct fo__conf *c, struct fo__cnode *parent, const char *t, size_t tl)
{
	size_t semi = tl;
	bool q = false;
	struct fo__cnode *n;

	for (size_t i = 0; i < tl; i++) {
		if (t[i] == '"')
			q = !q;
		else if (t[i] == ';' && !q) {
			semi = i;
			break;
		}
	}
	n = node_new(c, t, semi, 0);
	if (n && semi + 1 < tl) {
		n->comment = strndup(t + semi + 1, tl - semi - 1);
		if (!n->comment) {
			node_free(n);
			c->oom = true;
			return -1;
		}
	}
	return node_insert(c, parent, parent->nkids, n);
}

static int parse_junos(struct fo__conf *c, const char *text, size_t len)
{
	struct fo__cnode *stack[32];
	size_t sp = 0;

	for (size_t at = 0; at < len;) {
		const char *line = text + at, *nl = memchr(line, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - line) : len - at, ind = 0;
		struct fo__cnode *parent;
		const char *t;
		size_t tl;

		at += ll + (nl != NULL);
		while (ind < ll && line[ind] == ' ')
			ind++;
		t = line + ind;
		tl = ll - ind;
		parent = sp ? stack[sp - 1] : &c->root;
		if (tl == 1 && *t == '}') {
			if (sp)
				sp--;
		} else if (tl >= 2 && !memcmp(t + tl - 2, " {", 2)) {
			struct fo__cnode *n = node_new(c, t, tl - 2, 0);

			if (node_insert(c, parent, parent->nkids, n))
				return -1;
			if (sp < sizeof(stack) / sizeof(stack[0]))
				stack[sp++] = n;
		} else if (tl >= 2 && (!memcmp(t, "##", 2) || !memcmp(t, "/*", 2))) {
			struct fo__cnode *n = node_new(c, t, tl, 0);

			if (n)
				n->raw = true;
			if (node_insert(c, parent, parent->nkids, n))
				return -1;
		} else if (tl && parse_junos_leaf(c, parent, t, tl)) {
			return -1;
		}
	}
	return 0;
}

int fo__conf_parse(struct fo__conf *c, enum fo_dev_platform p, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	if ((p == FO_DEV_JUNOS ? parse_junos(c, text, len) : parse_ios(c, text, len)) || c->oom) {
		c->oom = true;
		return -1;
	}
	return 0;
}

static void spaces(struct fo_sbuf *out, size_t n)
{
	static const char sp[] = "                                                                ";

	while (n > 0) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		fo_sbuf_add(out, sp, k);
		n -= k;
	}
}

static void line_out(struct fo_sbuf *out, const char *prefix, size_t indent, const char *text)
{
	if (prefix)
		fo_sbuf_add(out, prefix, strlen(prefix));
	spaces(out, indent);
	fo_sbuf_add(out, text, strlen(text));
	fo_sbuf_add(out, "\n", 1);
}

static void print_ios(const struct fo__cnode *n, const char *prefix, struct fo_sbuf *out)
{
	line_out(out, prefix, n->indent, n->text);
	for (size_t i = 0; i < n->nkids; i++) {
		if (n->raw)
			line_out(out, prefix, 0, n->kids[i]->text);
		else
			print_ios(n->kids[i], prefix, out);
	}
}

static void print_junos(const struct fo__cnode *n, size_t depth, const char *prefix, struct fo_sbuf *out)
{
	if (prefix)
		fo_sbuf_add(out, prefix, strlen(prefix));
	spaces(out, depth * 4);
	fo_sbuf_add(out, n->text, strlen(n->text));
	if (n->raw) {
		fo_sbuf_add(out, "\n", 1);
		return;
	}
	if (!n->nkids) {
		fo_sbuf_add(out, ";", 1);
		if (n->comment)
			fo_sbuf_add(out, n->comment, strlen(n->comment));
		fo_sbuf_add(out, "\n", 1);
		return;
	}
	fo_sbuf_add(out, " {\n", 3);
	for (size_t i = 0; i < n->nkids; i++)
		print_junos(n->kids[i], depth + 1, prefix, out);
	if (prefix)
		fo_sbuf_add(out, prefix, strlen(prefix));
	spaces(out, depth * 4);
	fo_sbuf_add(out, "}\n", 2);
}

void fo__conf_print(const struct fo__conf *c, struct fo_sbuf *out)
{
	for (size_t i = 0; i < c->root.nkids; i++) {
		if (c->p == FO_DEV_JUNOS)
			print_junos(c->root.kids[i], 0, NULL, out);
		else
			print_ios(c->root.kids[i], NULL, out);
	}
}

void fo__conf_jn_print_at(const struct fo__cnode *n, struct fo_sbuf *out)
{
	for (size_t i = 0; i < n->nkids; i++)
		print_junos(n->kids[i], 0, NULL, out);
}

/* ---- ios-like changes ------------------------------------------------------------ */

/* Settings that take one value: a line beginning with one of these words
 * replaces the line with the same first `words` words. */
static const struct {
	const char *prefix;
	int words;
} single[] = {
	{ "hostname", 1 },
	{ "description", 1 },
	{ "ip address", 2 },
	{ "ipv4 address", 2 },
	{ "switchport mode", 2 },
	{ "switchport access vlan", 3 },
	{ "switchport voice vlan", 3 },
	{ "switchport trunk allowed vlan", 4 },
	{ "switchport trunk native vlan", 4 },
	{ "name", 1 },
	{ "mtu", 1 },
	{ "ip mtu", 2 },
	{ "speed", 1 },
	{ "duplex", 1 },
	{ "bandwidth", 1 },
	{ "load-interval", 1 },
	{ "exec-timeout", 1 },
	{ "transport input", 2 },
	{ "ip domain name", 3 },
	{ "ip domain-name", 2 },
	{ "domain name", 2 },
	{ "dns domain", 2 },
	{ "ip default-gateway", 2 },
	{ "logging buffered", 2 },
	{ "clock timezone", 2 },
	{ "spanning-tree mode", 2 },
	{ "snmp-server location", 2 },
	{ "snmp-server contact", 2 },
	{ "enable secret", 2 },
	{ "vrf member", 2 },
	{ "vrf forwarding", 2 },
	{ "channel-group", 1 },
	{ "router-id", 1 },
	{ "bgp router-id", 2 },
	{ "service-policy input", 2 },
	{ "service-policy output", 2 },
	{ "encapsulation dot1q", 2 },
	{ "remote-as", 1 },
	{ "shutdown", 1 },
	{ "username", 2 },
	{ "ntp server", 3 },
	{ "logging host", 3 },
	{ "access-class", 2 },
};

static int single_words(const char *line)
{
	int best = 0;
	size_t bestlen = 0;

	if (starts_words(line, "ip address") && strstr(line, " secondary"))
		return 0;
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
		size_t l = strlen(single[i].prefix);

		if (l > bestlen && starts_words(line, single[i].prefix)) {
			best = single[i].words;
			bestlen = l;
		}
	}
	return best <= nwords(line) ? best : 0;
}

/* Settings a platform shows as "no X" when they are off. */
static bool shown_negated(enum fo_dev_platform p, const char *x)
{
	if (p == FO_DEV_NXOS)
		return !strcmp(x, "shutdown");
	if (p == FO_DEV_IOS)
		return !strcmp(x, "ip address");
	return false;
}

static bool sep_bang(enum fo_dev_platform p)
{
	return p != FO_DEV_NXOS;
}

static unsigned kid_indent(const struct fo__conf *c, const struct fo__cnode *n)
{
	static const unsigned unit[FO_DEV_NPLATFORMS] = { [FO_DEV_IOS] = 1, [FO_DEV_NXOS] = 2,
							  [FO_DEV_EOS] = 3, [FO_DEV_IOSXR] = 1 };

	if (n == &c->root)
		return 0;
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->text[0])
			return n->kids[i]->indent;
	return n->indent + unit[c->p];
}

/* Where a section's new line goes: before the "!" lines that close it. */
static size_t section_end(const struct fo__cnode *n)
{
	size_t pos = n->nkids;

	while (pos > 0 && is_sep(n->kids[pos - 1]))
		pos--;
	return pos;
}

/* The last "end" of the top level (ios, eos, iosxr end with one). */
static size_t root_end(const struct fo__cnode *root)
{
	for (size_t i = root->nkids; i-- > 0;)
		if (!strcmp(root->kids[i]->text, "end"))
			return i;
	return root->nkids;
}

static struct fo__cnode *section_new(struct fo__conf *c, struct fo__cnode *parent, const char *h)
{
	struct fo__cnode *n = node_new(c, h, strlen(h), kid_indent(c, parent)), *sep;
	size_t pos, last = (size_t)-1, fw = strcspn(h, " ");

	if (!n)
		return NULL;
	if (parent != &c->root) {
		pos = section_end(parent);
		if (node_insert(c, parent, pos, n))
			return NULL;
		if (c->p == FO_DEV_IOSXR) /* IOS-XR closes a section within a section with " !" */
			node_insert(c, parent, pos + 1, node_new(c, "!", 1, n->indent));
		return c->oom ? NULL : n;
	}
	/* after the last section of its kind ("interface", "vlan"), else at the end */
	for (size_t i = 0; i < parent->nkids; i++) {
		const char *t = parent->kids[i]->text;

		if (parent->kids[i]->nkids && !strncmp(t, h, fw) && (t[fw] == ' ' || !t[fw]))
			last = i;
	}
	if (last != (size_t)-1) {
		pos = last + 1;
		if (sep_bang(c->p) && pos < parent->nkids && !strcmp(parent->kids[pos]->text, "!"))
			pos++;
	} else {
		pos = root_end(parent);
	}
	if (sep_bang(c->p)) {
		if (node_insert(c, parent, pos, n))
			return NULL;
		sep = node_new(c, "!", 1, 0);
		node_insert(c, parent, pos + 1, sep);
	} else {
		sep = node_new(c, "", 0, 0);
		if (node_insert(c, parent, pos, sep))
			return NULL;
		node_insert(c, parent, pos + 1, n);
	}
	return c->oom ? NULL : n;
}

/* Removes kid pos and, at the top, the separator it leaves doubled. */
static void remove_kid(struct fo__conf *c, struct fo__cnode *parent, size_t pos)
{
	bool section = parent->kids[pos]->nkids > 0 || parent->kids[pos]->raw;

	node_remove(parent, pos);
	if (!section || parent != &c->root)
		return;
	if (sep_bang(c->p)) {
		if (pos < parent->nkids && !strcmp(parent->kids[pos]->text, "!") &&
		    (pos == 0 || !strcmp(parent->kids[pos - 1]->text, "!")))
			node_remove(parent, pos);
	} else if (pos > 0 && !parent->kids[pos - 1]->text[0] &&
		   (pos == parent->nkids || !parent->kids[pos]->text[0])) {
		node_remove(parent, pos - 1);
	}
}

/* "no X": the lines that are X or begin with X's words go. */
static void remove_matching(struct fo__conf *c, struct fo__cnode *n, const char *x)
{
	for (size_t i = n->nkids; i-- > 0;)
		if (!is_sep(n->kids[i]) && starts_words(n->kids[i]->text, x))
			remove_kid(c, n, i);
}

static int set_line(struct fo__conf *c, struct fo__cnode *n, const char *line)
{
	int key = single_words(line);
	size_t pos;

	for (size_t i = 0; i < n->nkids; i++)
		if (!strcmp(n->kids[i]->text, line))
			return 0;
	if (key > 0) {
		for (size_t i = 0; i < n->nkids; i++) {
			struct fo__cnode *k = n->kids[i];
			const char *t = k->text;

			if (k->nkids || k->raw)
				continue;
			if (words_eq(t, line, key) || (starts_words(t, "no") && words_eq(t + 3, line, key)))
				return node_set_text(c, k, line);
		}
	}
	if (n == &c->root) {
		/* after the last line that shares the most first words with it */
		size_t best = 0, at = root_end(n);

		for (size_t i = 0; i < n->nkids; i++) {
			size_t same = 0;

			while (words_eq(n->kids[i]->text, line, (int)same + 1))
				same++;
			if (same && same >= best) {
				best = same;
				at = i + 1;
			}
		}
		pos = at;
	} else {
		pos = starts_words(line, "description") ? 0 : section_end(n);
	}
	return node_insert(c, n, pos, node_new(c, line, strlen(line), kid_indent(c, n)));
}

struct fo__cnode *fo__conf_find(struct fo__conf *c, const char *const *path, size_t n)
{
	struct fo__cnode *node = &c->root;

	for (size_t i = 0; i < n; i++) {
		struct fo__cnode *next = NULL;

		for (size_t k = 0; k < node->nkids && !next; k++)
			if (!node->kids[k]->raw && !strcmp(node->kids[k]->text, path[i]))
				next = node->kids[k];
		if (!next)
			return NULL;
		node = next;
	}
	return node;
}

static int apply_ios(struct fo__conf *c, const char *entry)
{
	struct fo__cnode *node = &c->root;
	const char *seg = entry, *nl;
	char buf[1024];

	while ((nl = strchr(seg, '\n'))) {
		struct fo__cnode *next = NULL;
		size_t l = (size_t)(nl - seg);

		for (size_t k = 0; k < node->nkids && !next; k++)
			if (!node->kids[k]->raw && strlen(node->kids[k]->text) == l &&
			    !memcmp(node->kids[k]->text, seg, l))
				next = node->kids[k];
		if (!next) {
			if (l >= sizeof(buf))
				return 0;
			memcpy(buf, seg, l);
			buf[l] = '\0';
			next = section_new(c, node, buf);
			if (!next)
				return -1;
		}
		node = next;
		seg = nl + 1;
	}
	if (!*seg)
		return 0;
	if (starts_words(seg, "no") && seg[2]) {
		remove_matching(c, node, seg + 3);
		if (shown_negated(c->p, seg + 3))
			return set_line(c, node, seg);
		return 0;
	}
	return set_line(c, node, seg);
}

/* ---- junos changes ------------------------------------------------------------- */

/* Words that take a name, the two making one statement: "unit 0". */
static const char *const jn_keyed[] = { "unit", "family", "term", "filter", "user", "host", "file",
					 "server", "neighbor", "group", "policy-statement", "prefix-list",
					 "route", "interface", "area", "instance", "community", "as-path",
					 "class", "policer", "rib", "peer", "source", "key", "vlan-id-list",
					 "address", "members", "then", "from", NULL };
/* Statements whose children are named: interfaces { ge-0/0/1 { ... } } */
static const char *const jn_named[] = { "interfaces", "vlans", "routing-instances", "groups",
					 "logical-systems", "bridge-domains", NULL };
/* Statements that hold a list of values: name-server { 10.0.0.53; } */
static const char *const jn_list[] = { "name-server", "source-address", "destination-address",
					"destination-port", "source-port", "prefix-list-filter", NULL };

static bool in_list(const char *const *v, const char *w, size_t l)
{
	for (; *v; v++)
		if (strlen(*v) == l && !memcmp(*v, w, l))
			return true;
	return false;
}

static bool win(const char *const *v, const char *w)
{
	return in_list(v, w, strlen(w));
}

/* How many words of w[] the statement n spells, all of its own words;
 * 0 when it does not. */
static int jn_match(const struct fo__cnode *n, char *const *w, int nw)
{
	const char *t = n->text;
	int k = 0;

	if (n->raw)
		return 0;
	while (*t) {
		size_t l;
		bool q = false;
		const char *e = t;

		while (*e && (q || *e != ' ')) {
			if (*e == '"')
				q = !q;
			e++;
		}
		l = (size_t)(e - t);
		if (k == nw || !word_eq(t, l, w[k], strlen(w[k])))
			return 0;
		k++;
		t = *e ? e + 1 : e;
	}
	return k;
}

/* The child of n that spells the most of w[], and how many words. */
static struct fo__cnode *jn_child(const struct fo__cnode *n, char *const *w, int nw, int *used, size_t *at)
{
	struct fo__cnode *best = NULL;

	*used = 0;
	for (size_t i = 0; i < n->nkids; i++) {
		int k = jn_match(n->kids[i], w, nw);

		if (k > *used) {
			*used = k;
			best = n->kids[i];
			if (at)
				*at = i;
		}
	}
	return best;
}

static int jn_join(char *buf, size_t size, char *const *w, int n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int k = snprintf(buf + len, size - len, "%s%s", i ? " " : "", w[i]);

		if (k < 0 || (size_t)k >= size - len)
			return -1;
		len += (size_t)k;
	}
	return 0;
}

static struct fo__cnode *jn_add(struct fo__conf *c, struct fo__cnode *parent, char *const *w, int n)
{
	char text[1024];
	struct fo__cnode *kid;

	if (jn_join(text, sizeof(text), w, n))
		return NULL;
	kid = node_new(c, text, strlen(text), 0);
	if (node_insert(c, parent, parent->nkids, kid))
		return NULL;
	return kid;
}

static int jn_set(struct fo__conf *c, char *const *w, int nw)
{
	struct fo__cnode *node = &c->root;
	int i = 0, used;

	for (;;) {
		struct fo__cnode *kid = i < nw ? jn_child(node, w + i, nw - i, &used, NULL) : NULL;

		if (!kid)
			break;
		node = kid;
		i += used;
	}
	while (i < nw) {
		int rem = nw - i, take;
		size_t l0 = strlen(w[i]);

		if (node != &c->root && win(jn_named, node->text))
			take = 1;
		else if (rem == 1)
			take = 1;
		else if (in_list(jn_list, w[i], l0))
			take = 1;
		else if (rem == 2) {
			/* a setting: "host-name x" replaces "host-name y" */
			if (!in_list(jn_keyed, w[i], l0)) {
				for (size_t k = 0; k < node->nkids; k++) {
					struct fo__cnode *o = node->kids[k];
					char text[1024];

					if (!o->nkids && !o->raw && nwords(o->text) == 2 && starts_words(o->text, w[i])) {
						if (jn_join(text, sizeof(text), w + i, 2))
							return 0;
						return node_set_text(c, o, text);
					}
				}
			}
			take = 2;
		} else if (in_list(jn_keyed, w[i], l0))
			take = 2;
		else
			take = 1;
		node = jn_add(c, node, w + i, take);
		if (!node)
			return c->oom ? -1 : 0;
		i += take;
	}
	return 0;
}

static int jn_delete(struct fo__conf *c, char *const *w, int nw)
{
	struct fo__cnode *node = &c->root;
	int i = 0, used;

	while (i < nw) {
		size_t at = 0;
		struct fo__cnode *kid = jn_child(node, w + i, nw - i, &used, &at);

		if (!kid) {
			/* the setting named by its first words: "delete ... description" */
			for (size_t k = 0; k < node->nkids; k++) {
				const struct fo__cnode *o = node->kids[k];
				char *ow[16], buf[1024];
				int on, j;

				if (o->raw || snprintf(buf, sizeof(buf), "%s", o->text) >= (int)sizeof(buf))
					continue;
				on = fo__jn_words(buf, ow, 16);
				if (on <= nw - i)
					continue;
				for (j = 0; j < nw - i; j++)
					if (!word_eq(ow[j], strlen(ow[j]), w[i + j], strlen(w[i + j])))
						break;
				if (j == nw - i) {
					node_remove(node, k);
					return 0;
				}
			}
			return 1;
		}
		if (i + used == nw) {
			node_remove(node, at);
			return 0;
		}
		node = kid;
		i += used;
	}
	return 1;
}

static int apply_junos(struct fo__conf *c, const char *entry)
{
	char buf[4096], *w[64];
	int n;

	if (snprintf(buf, sizeof(buf), "%s", entry) >= (int)sizeof(buf))
		return 0;
	n = fo__jn_words(buf, w, 64);
	if (n < 2)
		return 0;
	if (!strcmp(w[0], "set"))
		return jn_set(c, w + 1, n - 1);
	if (!strcmp(w[0], "delete"))
		return jn_delete(c, w + 1, n - 1);
	return 0;
}

int fo__conf_apply(struct fo__conf *c, const char *entry)
{
	int r = c->p == FO_DEV_JUNOS ? apply_junos(c, entry) : apply_ios(c, entry);

	return c->oom ? -1 : r;
}

int fo__conf_replay(struct fo__conf *c, const struct fo_sbuf *journal, size_t len)
{
	for (size_t at = 0; at < len && at < journal->len;) {
		const char *e = journal->p + at;

		if (fo__conf_apply(c, e) < 0)
			return -1;
		at += strlen(e) + 1;
	}
	return 0;
}

/* ---- junos: finding, display set -------------------------------------------------- */

const struct fo__cnode *fo__conf_jn_find(const struct fo__conf *c, const char *path)
{
	const struct fo__cnode *node = &c->root;
	char buf[1024], *w[64];
	int n, i = 0, used;

	if (!path || !*path)
		return node;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return NULL;
	n = fo__jn_words(buf, w, 64);
	while (i < n) {
		const struct fo__cnode *kid = jn_child(node, w + i, n - i, &used, NULL);

		if (!kid)
			return NULL;
		node = kid;
		i += used;
	}
	return node;
}

static void display_set(const struct fo__cnode *n, struct fo_sbuf *path, struct fo_sbuf *out)
{
	size_t keep = path->len;

	if (n->raw)
		return;
	if (path->len)
		fo_sbuf_add(path, " ", 1);
	fo_sbuf_add(path, n->text, strlen(n->text));
	if (!n->nkids) {
		fo_sbuf_add(out, "set ", 4);
		fo_sbuf_add(out, path->p, path->len);
		fo_sbuf_add(out, "\n", 1);
	}
	for (size_t i = 0; i < n->nkids; i++)
		display_set(n->kids[i], path, out);
	path->len = keep;
	if (path->p)
		path->p[keep] = '\0';
}

void fo__conf_jn_display_set(const struct fo__conf *c, const char *path, struct fo_sbuf *out)
{
	const struct fo__cnode *n = fo__conf_jn_find(c, path);
	struct fo_sbuf p = { 0 };

	if (!n)
		return;
	if (path && *path)
		fo_sbuf_add(&p, path, strlen(path));
	for (size_t i = 0; i < n->nkids; i++)
		display_set(n->kids[i], &p, out);
	if (p.oom)
		out->oom = true;
	free(p.p);
}

/* ---- differences ------------------------------------------------------------------- */

static bool same_tree(const struct fo__cnode *a, const struct fo__cnode *b)
{
	if (strcmp(a->text, b->text) || a->nkids != b->nkids || a->raw != b->raw ||
	    (a->comment == NULL) != (b->comment == NULL) || (a->comment && strcmp(a->comment, b->comment)))
		return false;
	for (size_t i = 0; i < a->nkids; i++)
		if (!same_tree(a->kids[i], b->kids[i]))
			return false;
	return true;
}

static ssize_t find_kid(const struct fo__cnode *n, const char *text, size_t from)
{
	for (size_t i = from; i < n->nkids; i++)
		if (!strcmp(n->kids[i]->text, text))
			return (ssize_t)i;
	return -1;
}

struct diffctx {
	bool junos;
	struct fo_sbuf *out;
	struct fo_sbuf path;  /* junos: the [edit ...] of the level being compared */
	bool header;          /* junos: that header is printed */
};

static void diff_one(struct diffctx *x, const struct fo__cnode *n, char sign, size_t depth)
{
	char prefix[8];

	if (n->raw && x->junos)
		return;
	if (x->junos) {
		if (!x->header) {
			fo__addf(x->out, "[edit%s%s]\n", x->path.len ? " " : "", x->path.len ? x->path.p : "");
			x->header = true;
		}
		/* "+   ge-0/0/1 {": the level under [edit] one space less */
		snprintf(prefix, sizeof(prefix), "%c%s", sign, x->path.len ? "   " : "  ");
		print_junos(n, depth, prefix, x->out);
	} else if (!is_sep(n)) {
		snprintf(prefix, sizeof(prefix), "%c  ", sign);
		print_ios(n, prefix, x->out);
	}
}

static void diff_nodes(struct diffctx *x, const struct fo__cnode *a, const struct fo__cnode *b);

static void diff_common(struct diffctx *x, const struct fo__cnode *a, const struct fo__cnode *b)
{
	size_t keep = x->path.len;

	if (same_tree(a, b))
		return;
	if (x->junos) {
		if (keep)
			fo_sbuf_add(&x->path, " ", 1);
		fo_sbuf_add(&x->path, b->text, strlen(b->text));
		x->header = false;
		diff_nodes(x, a, b);
		x->path.len = keep;
		if (x->path.p)
			x->path.p[keep] = '\0';
		x->header = false;
		return;
	}
	line_out(x->out, "   ", b->indent, b->text);
	diff_nodes(x, a, b);
	line_out(x->out, "   ", b->indent, "!");
}

/* The children of a and b, merged in order: what only a has is taken
 * away, what only b has is added, what both have is compared inside. */
static void diff_nodes(struct diffctx *x, const struct fo__cnode *a, const struct fo__cnode *b)
{
	size_t ai = 0;

	for (size_t bi = 0; bi < b->nkids; bi++) {
		const struct fo__cnode *bk = b->kids[bi];
		ssize_t ak;

		if (is_sep(bk))
			continue; /* "!" and blank lines: too alike to align on */
		ak = find_kid(a, bk->text, ai);

		/* what a has before it and b has not goes first */
		for (; ai < a->nkids && (ak < 0 ? is_sep(a->kids[ai]) || find_kid(b, a->kids[ai]->text, 0) < 0
						: (ssize_t)ai < ak);
		     ai++)
			if (!is_sep(a->kids[ai]) && find_kid(b, a->kids[ai]->text, 0) < 0)
				diff_one(x, a->kids[ai], '-', 0);
		if (ak < 0) {
			diff_one(x, bk, '+', 0);
			continue;
		}
		ai = (size_t)ak + 1;
		diff_common(x, a->kids[ak], bk);
	}
	for (; ai < a->nkids; ai++)
		if (!is_sep(a->kids[ai]) && find_kid(b, a->kids[ai]->text, 0) < 0)
			diff_one(x, a->kids[ai], '-', 0);
}

void fo__conf_diff(const struct fo__conf *a, const struct fo__conf *b, struct fo_sbuf *out)
{
	struct diffctx x = { .junos = b->p == FO_DEV_JUNOS, .out = out };

	diff_nodes(&x, &a->root, &b->root);
	if (x.path.oom)
		out->oom = true;
	free(x.path.p);
}

/* ---- a unified diff of two texts ----------------------------------------------------- */

struct lines {
	const char **p;
	size_t *len, n;
};

static int lines_split(const char *t, size_t len, struct lines *l)
{
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(t + at, '\n', len - at);
		size_t e = nl ? (size_t)(nl - t) : len;

		if (l->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			const char **np = realloc(l->p, nc * sizeof(*np));
			size_t *nlen = np ? realloc(l->len, nc * sizeof(*nlen)) : NULL;

			if (np)
				l->p = np;
			if (!np || !nlen)
				return -1;
			l->len = nlen;
			cap = nc;
		}
		l->p[l->n] = t + at;
		l->len[l->n++] = e - at;
		at = e + 1;
	}
	return 0;
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->p[i], b->p[j], a->len[i]);
}

enum { OP_EQ, OP_DEL, OP_ADD };

struct op {
	unsigned char kind;
	size_t a, b; /* the line of a / b it is */
};

static void hunk_out(const struct lines *a, const struct lines *b, const struct op *ops, size_t from, size_t to,
		     struct fo_sbuf *out)
{
	size_t a0 = ops[from].a, b0 = ops[from].b, na = 0, nb = 0;

	for (size_t k = from; k < to; k++) {
		na += ops[k].kind != OP_ADD;
		nb += ops[k].kind != OP_DEL;
	}
	fo__addf(out, "@@ -%zu,%zu +%zu,%zu @@\n", a0 + (na > 0), na, b0 + (nb > 0), nb);
	for (size_t k = from; k < to; k++) {
		const struct lines *l = ops[k].kind == OP_ADD ? b : a;
		size_t i = ops[k].kind == OP_ADD ? ops[k].b : ops[k].a;

		fo_sbuf_add(out, ops[k].kind == OP_EQ ? " " : ops[k].kind == OP_DEL ? "-" : "+", 1);
		fo_sbuf_add(out, l->p[i], l->len[i]);
		fo_sbuf_add(out, "\n", 1);
	}
}

int fo__text_diff(const char *ta, size_t la, const char *tb, size_t lb, struct fo_sbuf *out)
{
	enum { WINDOW = 256, CONTEXT = 3 };
	struct lines a = { 0 }, b = { 0 };
	struct op *ops = NULL;
	size_t nops = 0, i = 0, j = 0;
	int r = -1;

	if (lines_split(ta, la, &a) || lines_split(tb, lb, &b))
		goto out;
	ops = malloc((a.n + b.n + 1) * sizeof(*ops));
	if (!ops)
		goto out;
	/* equal lines as they come; where they differ, the nearest place
	 * both go on from again (within WINDOW lines), else the rest */
	while (i < a.n || j < b.n) {
		size_t x = a.n - i, y = b.n - j;

		if (i < a.n && j < b.n && line_eq(&a, i, &b, j)) {
			ops[nops++] = (struct op){ OP_EQ, i++, j++ };
			continue;
		}
		for (size_t k = 1, found = 0; k <= WINDOW && !found; k++) {
			for (size_t dx = 0; dx <= k && !found; dx++) {
				if (i + dx < a.n && j + k - dx < b.n && line_eq(&a, i + dx, &b, j + k - dx)) {
					x = dx;
					y = k - dx;
					found = 1;
				}
			}
		}
		while (x-- > 0)
			ops[nops++] = (struct op){ OP_DEL, i++, j };
		while (y-- > 0)
			ops[nops++] = (struct op){ OP_ADD, i, j++ };
	}
	/* hunks: the changes with CONTEXT lines around them */
	for (size_t k = 0; k < nops;) {
		size_t from, to, last;

		while (k < nops && ops[k].kind == OP_EQ)
			k++;
		if (k == nops)
			break;
		from = k > CONTEXT ? k - CONTEXT : 0;
		last = k;
		for (to = k; to < nops; to++) {
			if (ops[to].kind != OP_EQ)
				last = to;
			else if (to - last > 2 * CONTEXT)
				break;
		}
		to = last + CONTEXT + 1 < nops ? last + CONTEXT + 1 : nops;
		hunk_out(&a, &b, ops, from, to, out);
		k = to;
	}
	r = out->oom ? -1 : 0;
out:
	free(ops);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	return r;
}
