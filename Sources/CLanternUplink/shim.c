// Everything in CLanternUplink is static inline in include/clantern_uplink.h; SwiftPM wants one C file.
#include "clantern_uplink.h"
