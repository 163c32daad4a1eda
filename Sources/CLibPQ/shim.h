#ifndef RELOC_CLIBPQ_SHIM_H
#define RELOC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
