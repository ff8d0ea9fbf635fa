/* The kernel path chosen at build time, so the app can report which kernels ran. */
#include "hb_runtime.h"
#include "internal/hb_kpath.h"

const char *hb_runtime_kernel_path(void) { return HB_KPATH_NAME; }
