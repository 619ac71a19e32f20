// zlib (zlib1g-dev): the deflate stream inside HdrHistogram's compressed V2 encoding.
#ifndef SIMFLEET_CZLIB_SHIM_H
#define SIMFLEET_CZLIB_SHIM_H
#include <zlib.h>
#endif
