/*
 * The flags of `fanout serve`, declared once (STYLE 16): this table gives
 * the parsing (`--flag value`, `--flag=value`), the checks, --help, the
 * man page and the completions. Its own file, so that the tests can walk
 * it without linking the server.
 */
#include <errno.h>
#include <stddef.h>

#include "common.h"
#include "serve.h"

/* --model: any model; the text is kept ("threads" alone means a thread per connection). */
static int set_model(void *cfg, const struct fo_opt *o, const char *v)
{
	struct fo_serve_cfg *c = cfg;
	struct fo_model m;

	(void)o;
	if (fo_model_parse(v, &m, NULL, 0) < 0)
		return -EINVAL;
	c->model = m;
	c->model_text = v;
	return 0;
}

/* --bind: a literal address only (see fo__addr_literal); the port comes later. */
static int set_bind(void *cfg, const struct fo_opt *o, const char *v)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)o;
	if (fo__addr_literal(v, 0, &ss, &len) < 0)
		return -EINVAL;
	((struct fo_serve_cfg *)cfg)->bind = v;
	return 0;
}

#define OFF(f) offsetof(struct fo_serve_cfg, f)
static const struct fo_opt opts[] = {
	{ .name = "model", .kind = FO_OPT_FN, .off = OFF(model), .arg = "M", .group = "Server",
	  .help = "how connections are served (the models are below)",
	  .def = "coro", .forms = FO_MODEL_FORMS, .fn = set_model },
	{ .name = "proto", .kind = FO_OPT_ENUM, .off = OFF(proto), .arg = "PROTO", .group = "Server",
	  .help = "the protocol", .def = "line", .choices = "line|http", .forms = "line or http" },
	{ .name = "reply", .kind = FO_OPT_STRING, .off = OFF(reply), .arg = "TEXT", .group = "Server",
	  .help = "what each request is answered with", .def = "hello world", .flags = FO_OPT_EMPTY_OK },
	{ .name = "idle-timeout", .kind = FO_OPT_DURATION, .off = OFF(idle), .arg = "DUR", .group = "Server",
	  .help = "close a connection idle (or sending a partial request) that long", .def = "60s",
	  .min = 1, .max = 9e18, .forms = "a duration such as 60s or 500ms" },
	{ .name = "max-header", .kind = FO_OPT_SIZE, .off = OFF(max_head), .arg = "BYTES", .group = "Server",
	  .help = "http: longer request heads get 431", .def = "8192", .min = 64, .max = 1048576,
	  .forms = "a size in bytes from 64 to 1048576, such as 8192 or 16K" },
	{ .name = "bind", .kind = FO_OPT_FN, .off = OFF(bind), .arg = "ADDR", .group = "Address",
	  .help = "a literal address; every address only as 0.0.0.0 or ::", .def = "127.0.0.1",
	  .forms = "a literal address such as 127.0.0.1 or ::1 (every address: 0.0.0.0 or ::)", .fn = set_bind },
	{ .name = "port", .kind = FO_OPT_COUNT, .off = OFF(port), .arg = "P", .group = "Address",
	  .help = "the port; 0 picks a free one (the first line says which)", .def = "7000", .min = 0,
	  .max = 65535, .forms = "a port number from 0 to 65535" },
	{ .name = NULL },
};

const struct fo_opts fo_serve_opts = {
	.cmd = "serve",
	.synopsis = "[options]",
	.about = "a request/response server (line or HTTP/1.1) in any model",
	.more = "The request/response server of the classic experiment. line: answers each line\n"
		"(or each read without a newline) with the reply; http: HTTP/1.1 keep-alive, GET and\n"
		"HEAD answered 200 with the reply, pipelining, 400 for malformed requests, 431 for\n"
		"heads over --max-header. Ctrl-C or SIGTERM: stop accepting, end the connections,\n"
		"print a line of stats.\n"
		"\n"
		"models: threads (a thread per connection), threads:N (a pool; N clients at once),\n"
		"        processes:N, blended:PxT, loop, coro or coro:N (coro: N = cores)\n"
		"\n"
		"Every flag takes --flag value and --flag=value.\n",
	.no_operands = true,
	.opts = opts,
	.cfg_size = sizeof(struct fo_serve_cfg),
};
