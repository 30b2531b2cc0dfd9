#define _XOPEN_SOURCE 700
#include <wchar.h>

#include "text_width.h"

int text_width_wcwidth(unsigned int scalar) { return wcwidth((wchar_t)scalar); }
