#include "outputs.h"

const struct fo__show fo__show_eos[] = {
	{ NULL, NULL },
};
