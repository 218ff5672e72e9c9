#include "outputs.h"

const struct fo__show fo__show_nxos[] = {
	{ NULL, NULL },
};
